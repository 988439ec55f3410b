"""A minimal third-party app built only from ``booking.mixins``, with names of its own.

It stands for a Django project that adds ``booking`` without the salon: a ``Stylist`` with
``skills`` (an M2M to ``ServiceCategory``), a ``Treatment`` of some ``kind``, ``Booking`` rows
for the appointments and no site settings at all. Installed by ``tests.settings`` only.
"""
