"""Words the console shows that come from data (roles, alert states and kinds, causes,
page names), marked here so that `pybabel extract` finds them; templates translate them
with `_(value)`."""

from __future__ import annotations


def N_(message: str) -> str:  # the gettext convention for "mark only"
    return message


ROLES = (N_("admin"), N_("manager"), N_("supervisor"), N_("auditor"), N_("inspector"))
STATES = (N_("open"), N_("acknowledged"), N_("called_back"), N_("rectified"), N_("closed"))
KINDS = (N_("low_score"), N_("counter_low_rate"))
PAGES = (N_("Today"), N_("Alerts"), N_("Kiosks"), N_("Administration"), N_("Audit log"))
ERRORS = (
    N_("The request could not be read."),
    N_("You may not do this."),
    N_("There is nothing here, or it is not yours to see."),
    N_("This page does not take that kind of request."),
    N_("This cannot be done in the item's present state."),
    N_("Some of what was sent is not valid."),
    N_("Too many attempts. Wait a minute and try again."),
    N_("Error."),
    N_("Too many failed sign-ins. Wait a minute and try again."),
    N_("Wrong user name or password."),
    N_("Your role may look but not change anything."),
    N_("Only an administrator may open this page."),
    N_("Only administrators and auditors may read the audit log."),
    N_(
        "This form is out of date or did not come from this console. Reload the page and try again."
    ),
    N_("The form is too large."),
    N_("The form could not be read."),
)
