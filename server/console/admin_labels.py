"""Words the Kiosks, Administration and Audit log pages show that come from code rather
than templates, marked so that `pybabel extract` finds them."""

from __future__ import annotations

from server.console.labels import N_

TABS = (N_("Halls"), N_("Counters"), N_("Staff"), N_("Users"), N_("Scoring settings"))
AUDIT_KINDS = (
    N_("audit:login"),
    N_("audit:logout"),
    N_("audit:alert"),
    N_("audit:hall"),
    N_("audit:counter"),
    N_("audit:staff"),
    N_("audit:user"),
    N_("audit:content"),
    N_("audit:device"),
    N_("audit:export"),
    N_("audit:notify"),
    N_("audit:audit"),
)
PROBLEMS = (
    N_("This counter or its hall is disabled: no code can be made for it."),
    N_("Choose a photo file first."),
)
NOTIFY = (
    N_("outbox_pending"),
    N_("outbox_held"),
    N_("outbox_sent"),
    N_("outbox_failed"),
    N_("event_raised"),
    N_("event_nears_deadline"),
    N_("event_overdue"),
    N_("event_escalated"),
    N_("stage_acknowledge"),
    N_("stage_call_back"),
    N_("stage_rectify"),
    N_("stage_close"),
    N_("span_hours"),
    N_("span_working_days"),
)
#: The kinds of id a refusal names (server.halls.service: "{kind} id ... must be ...").
ID_KINDS = (N_("hall"), N_("counter"), N_("staff"))
