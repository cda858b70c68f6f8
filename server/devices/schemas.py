"""What a dashboard sees of a device (never its token or token hash)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class DeviceOut(BaseModel):
    id: str
    counter_id: str
    active: bool
    enrolled_at: datetime
    last_contact_at: datetime | None
    app_version: str
    queue_depth: int
    oldest_pending_at: datetime | None
    #: Seconds the oldest undelivered rating (as of the last contact) has waited by now.
    oldest_pending_age_s: float | None = None
    clock_offset_s: float
    clock_flagged: bool
    highest_seq: int
    seq_gaps: list[list[int]]
    ratings_received: int
