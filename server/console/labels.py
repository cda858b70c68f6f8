"""Words the console shows that come from data (roles, alert states and kinds, causes,
page names), marked here so that `pybabel extract` finds them; templates translate them
with `_(value)`."""

from __future__ import annotations


def N_(message: str) -> str:  # the gettext convention for "mark only"
    return message


ROLES = (N_("admin"), N_("manager"), N_("supervisor"), N_("auditor"), N_("inspector"))
STATES = (N_("open"), N_("acknowledged"), N_("called_back"), N_("rectified"), N_("closed"))
KINDS = (N_("low_score"), N_("counter_low_rate"))
PAGES = (
    N_("Today"),
    N_("Alerts"),
    N_("Kiosks"),
    N_("Notifications"),
    N_("Administration"),
    N_("Audit log"),
)
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
    N_("Too many sign-ins at once. Try again in a moment."),
    N_("Your role may look but not change anything."),
    N_("Only an administrator may open this page."),
    N_("Only administrators and auditors may read the audit log."),
    N_(
        "This form is out of date or did not come from this console. Reload the page and try again."
    ),
    N_("The form is too large."),
    N_("The form could not be read."),
)
CAUSES = (
    N_("cause_staff"),
    N_("cause_process"),
    N_("cause_system"),
    N_("cause_waiting"),
    N_("cause_facilities"),
    N_("cause_misunderstanding"),
    N_("cause_not_verifiable"),
)
STEPS = (
    N_("step_acknowledge"),
    N_("step_call-back"),
    N_("step_rectify"),
    N_("step_close"),
    N_("step_assign"),
    N_("step_reply"),
)
FILTERS = (
    N_("active"),
    N_("all"),
    N_("period_today"),
    N_("period_7d"),
    N_("period_30d"),
    N_("period_all"),
)
STEP_PROBLEMS = (
    N_("Write down what was done: the note may not be empty."),
    N_("Say whether the citizen was reached."),
    N_("Choose the cause of the low score."),
    N_("That person may not work this hall's alerts."),
    N_("The reply may not be empty."),
    N_("This step is not possible in the alert's present state."),
    N_("Only a low-score alert has a citizen to reply to."),
)
