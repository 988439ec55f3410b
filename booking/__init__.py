"""Reusable booking app: the slot engine, abstract models, the ORM adapter and selectors.

It imports neither ``djproject`` nor ``bot``; a project builds its concrete models from
``booking.mixins`` and hands them to ``booking.adapters.availability.DjangoAvailabilityAdapter``.
"""
