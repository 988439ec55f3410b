"""The admin's confirmation step for schedule changes over booked visits, and time blocks.

Saving a day off, a time block, weekly hours or a master (hours, break, status, the inline
rows) first runs the whole save in a savepoint that is rolled back
(``schedule_changes.affected_visits``). When active visits would no longer fit, an
intermediate page (like Django's delete confirmation) lists them and offers "keep them" or
"cancel them and tell the clients"; the form's data rides along in hidden fields, and the
chosen button saves it for real through ``schedule_changes.apply_change``. Nothing changes
until staff confirm. An invalid form is shown as Django shows it; a change that affects no
visit is saved at once.

The check looks at every master's upcoming visits (an admin save is rare and the check costs
a constant number of queries); the masters' rows are locked for the save, so no booking slips
in between the check and the change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djproject.salon.models import TimeBlock
from djproject.salon.schedule_changes import ScheduleChange, affected_visits, apply_change

DECISION = "_schedule_decision"
KEEP, CANCEL = "keep", "cancel"
TEMPLATE = "admin/salon/schedule_change_confirmation.html"


class ScheduleChangeConfirmation(admin.ModelAdmin):
    """Mix into a ModelAdmin whose saves can take time from booked visits."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        outcome: dict[str, HttpResponse] = {}

        def save() -> None:
            outcome["response"] = super(ScheduleChangeConfirmation, self).changeform_view(
                request, object_id, form_url, extra_context
            )

        change = ScheduleChange(apply=save, master_ids=None, label=f"{self.opts.label} {object_id or 'new'}")
        decision = request.POST.get(DECISION)
        if decision in (KEEP, CANCEL):
            result = apply_change(change, cancel_affected=decision == CANCEL, by=request.user)
            self._tell(request, decision, len(result.affected), result.messages)
            return outcome["response"]
        queued = _queued_messages(request)
        visits = affected_visits(change)  # the save, in a savepoint rolled back
        _restore_messages(request, queued)
        trial = outcome["response"]
        if trial.status_code != 302:
            return trial  # the form with its errors: nothing was saved
        if not visits:
            apply_change(change, cancel_affected=False, by=request.user)
            return outcome["response"]
        return self._confirmation(request, object_id, visits)

    def _confirmation(
        self, request: HttpRequest, object_id: str | None, visits: list[Any]
    ) -> TemplateResponse:
        fields = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in ("csrfmiddlewaretoken", DECISION)
            for value in values
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Booked visits are affected by this change"),
            "visits": visits,
            "fields": fields,
            "decision": DECISION,
            "keep": KEEP,
            "cancel": CANCEL,
            "object_id": object_id,
        }
        return TemplateResponse(request, TEMPLATE, context)

    @staticmethod
    def _tell(request: HttpRequest, decision: str, affected: int, told: int) -> None:
        if not affected:
            return
        if decision == CANCEL:
            text = ngettext(
                "%(count)d visit was cancelled; %(told)d client(s) were told and offered another time.",
                "%(count)d visits were cancelled; %(told)d client(s) were told and offered another time.",
                affected,
            ) % {"count": affected, "told": told}
            messages.info(request, text)
        else:
            text = ngettext(
                "%(count)d visit now lies outside the schedule and was kept: please handle it.",
                "%(count)d visits now lie outside the schedule and were kept: please handle them.",
                affected,
            ) % {"count": affected}
            messages.warning(request, text)


def _queued_messages(request: HttpRequest) -> list[Any] | None:
    storage = getattr(request, "_messages", None)
    return list(storage._queued_messages) if storage is not None else None


def _restore_messages(request: HttpRequest, queued: list[Any] | None) -> None:
    """Forget the messages the rolled-back trial save added ("… was added successfully")."""
    storage = getattr(request, "_messages", None)
    if storage is not None and queued is not None:
        storage._queued_messages[:] = queued


@admin.register(TimeBlock)
class TimeBlockAdmin(ScheduleChangeConfirmation):
    list_display = ("__str__", "master", "date", "start_time", "end_time", "weekly", "repeat_until", "reason")
    list_filter = ("master", "weekly", ("date", admin.DateFieldListFilter))
    list_select_related = ("master",)
    search_fields = ("master__name", "reason")
    date_hierarchy = "date"
    ordering = ("-date", "start_time")
    fields = ("master", "date", "start_time", "end_time", "weekly", "repeat_until", "reason")
