"""Login request and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from server.text import Storable


class LoginRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    username: Annotated[StrictStr, Field(min_length=1, max_length=64), Storable]
    password: Annotated[StrictStr, Field(min_length=1, max_length=200), Storable]


class LoginResponse(BaseModel):
    token: str
    expires_at: datetime
    role: str
    hall_id: str | None
