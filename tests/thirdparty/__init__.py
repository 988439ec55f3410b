"""A second project's use of ``booking``: the ``studio`` app, with its own model names."""
