"""Reusable booking app: the slot engine, abstract models, the ORM adapter and selectors.

It imports neither ``djproject`` nor ``bot``; a project builds its concrete models from
``booking.mixins`` and hands them to ``booking.adapters.availability.DjangoAvailabilityAdapter``.
``VisitQuery`` says which visit is asked for; the salon builds one and the selectors and
services take it.
"""

from booking.query import VisitQuery

__all__ = ["VisitQuery"]
