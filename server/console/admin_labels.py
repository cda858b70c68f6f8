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
)
PROBLEMS = (
    N_("This counter or its hall is disabled: no code can be made for it."),
    N_("Choose a photo file first."),
)
