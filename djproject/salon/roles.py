"""The salon's staff roles, as Django groups.

- **Superuser**: everything, including logins and groups.
- **Salon staff** (group): manages the salon (services, masters, hours, settings, clients) and
  changes whole visits: an admin action on one item of a multi-master visit acts on all its
  items (permission ``salon.change_whole_visit``).
- **Masters** (group), for a login linked to a master (``Master.user``): adds, sees and changes
  that master's own appointment items only, and sees only the clients they have appointments
  with; actions touch only their own items of a shared visit.

The data migration 0006 creates both groups; ``sync_role_groups`` runs again after every
``migrate`` (and after a test flush), so a group's permissions follow new models.
No model imports here: the migration uses this module with its historical models.
"""

from typing import Any

SALON_STAFF_GROUP = "Salon staff"
MASTERS_GROUP = "Masters"
WHOLE_VISIT_PERMISSION = "salon.change_whole_visit"

# A master's login: their appointment items (the admin narrows them to their own) and, to pick
# the client of a new appointment, the clients they have appointments with (view only).
MASTER_CODENAMES = ("view_appointment", "add_appointment", "change_appointment", "view_client")


def sync_role_groups(group_model: Any, permission_model: Any) -> None:
    """Create the two groups if missing and grant their permissions (idempotent)."""
    salon = permission_model.objects.filter(content_type__app_label="salon")
    staff, _ = group_model.objects.get_or_create(name=SALON_STAFF_GROUP)
    staff.permissions.add(*salon)
    masters, _ = group_model.objects.get_or_create(name=MASTERS_GROUP)
    masters.permissions.add(*salon.filter(codename__in=MASTER_CODENAMES))


def sync_after_migrate(sender: Any, apps: Any = None, **_kwargs: Any) -> None:
    """``post_migrate`` receiver for the salon app; Django's own receiver has made the salon's
    permissions by then (``django.contrib.auth`` is connected first). ``flush`` sends the
    signal without ``apps``: the current models then."""
    if apps is None:
        from django.apps import apps
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
