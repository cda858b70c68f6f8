"""What administrators send and see of notification channels, the outbox and halls'
alert profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from server.models import OutboxState


class ChannelIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    url: Annotated[StrictStr, Field(min_length=3, max_length=2000)]
    role: Literal["supervisor", "manager", "inspector"]
    hall_id: Annotated[StrictStr, Field(max_length=64)] | None = None
    label: Annotated[StrictStr, Field(max_length=200)] = ""
    #: "22:00-07:30", local to the hall.
    quiet: Annotated[StrictStr, Field(max_length=11)] | None = None
    digest: StrictBool = False


class ChannelOut(BaseModel):
    id: int
    role: str
    hall_id: str | None
    #: Without password, path or query: robot keys and tokens are never shown back.
    url: str
    label: str
    quiet_start: str | None
    quiet_end: str | None
    digest: bool
    created_at: datetime


class OutboxOut(BaseModel):
    """One notification and its delivery state."""

    id: int
    channel_id: int
    alert_id: int | None
    event: str
    title: str
    state: OutboxState
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
