"""Reusable booking app: the slot engine, abstract models, the ORM adapter and selectors.

It imports neither ``djproject`` nor ``bot``; a project builds its concrete models from
``booking.mixins``, names them in the ``BOOKING`` setting (``booking.app_settings``, checked by
``booking.checks``) and gets the adapter from ``booking.app_settings.get_adapter()``
(docs/reuse.md).
``VisitQuery`` says which visit is asked for; the salon builds one and the selectors and
services take it.
"""

from booking.query import VisitQuery

__all__ = ["VisitQuery"]
