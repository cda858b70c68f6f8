"""What supervisors see of alerts and send to work them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from server.text import Storable
from sync.protocol import AlertKind, AlertState

#: The cause classes of GB/T 39734 a closed alert is given (server.models.AlertCause).
CauseCode = Literal[
    "staff", "process", "system", "waiting", "facilities", "misunderstanding", "not_verifiable"
]


class AlertAction(BaseModel):
    """What was done: who takes it on, the call-back's outcome, the rectification, the
    closing result. The note may not be empty; a call-back says whether the citizen was
    reached; a close gives the cause."""

    model_config = ConfigDict(strict=True, extra="forbid")

    note: Annotated[StrictStr, Field(max_length=2000), Storable] = ""
    reached: StrictBool | None = None
    cause: CauseCode | None = None


class AlertAssign(BaseModel):
    """Give the alert to a person (a user who may work the hall's alerts)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    assignee_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    note: Annotated[StrictStr, Field(max_length=2000), Storable] = ""


class AlertReply(BaseModel):
    """The reply a supervisor publishes to the citizen on the rating's receipt page."""

    model_config = ConfigDict(strict=True, extra="forbid")

    reply: Annotated[StrictStr, Field(min_length=1, max_length=1000), Storable]


class AlertEventOut(BaseModel):
    action: str
    note: str
    user_id: int | None
    at: datetime
    detail: dict[str, Any] | None = None


class AlertRatingOut(BaseModel):
    """The rating behind a low-score alert. `comment` is the citizen's text with phone and
    ID numbers masked, unescaped: a dashboard must escape it when showing it."""

    id: str
    occurred_at: datetime
    staff_id: str | None
    weighted_score: float
    level: int
    scores: dict[str, int]
    reasons: list[str]
    comment: str


class AlertOut(BaseModel):
    id: int
    kind: AlertKind
    hall_id: str
    counter_id: str
    rating_id: str | None
    period: str
    state: AlertState
    created_at: datetime
    due_at: datetime
    escalated: bool
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    called_back_at: datetime | None
    rectified_at: datetime | None
    closed_at: datetime | None
    public_reply: str | None = None
    public_reply_at: datetime | None = None
    assignee_id: int | None = None
    cause: CauseCode | None = None
    #: When the server learned of the rating (= `created_at`): deadlines count from then.
    learned_at: datetime
    #: When the rating was made (low scores), and how many seconds later the server
    #: learned of it (a hall that was offline).
    rating_made_at: datetime | None = None
    learn_delay_s: int = 0
    #: Each stage's deadline from the hall's alert profile.
    stage_due: dict[str, datetime] = Field(default_factory=dict)
    #: 0 with the supervisors, 1 the hall manager, 2 the supervising office (督查).
    escalation_level: int = 0
    escalated_to: str | None = None
    level_due_at: datetime | None = None
    #: The citizen's word on the handling from the receipt page (None: not given).
    citizen_satisfied: bool | None = None
    citizen_feedback_at: datetime | None = None


class ContactOut(BaseModel):
    """A citizen's consented call-back contact, masked; the number itself only through
    the logged reveal."""

    phone_masked: str
    given_at: datetime
    consent_text: str


class RevealedContact(BaseModel):
    phone: str
    phone_masked: str


class AlertDetail(AlertOut):
    events: list[AlertEventOut]
    rating: AlertRatingOut | None
    contact: ContactOut | None = None


class BreachForecast(BaseModel):
    """An alert that will miss its current deadline within the asked hours unless acted on."""

    alert_id: int
    hall_id: str
    counter_id: str
    kind: AlertKind
    state: AlertState
    #: Who holds the deadline: supervisor, manager or inspector.
    held_by: str
    due_at: datetime
    hours_left: float
