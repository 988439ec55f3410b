"""Bridges between the Django ORM / cache and the pure engine."""
