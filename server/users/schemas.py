"""Login request and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr


class LoginRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    username: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class LoginResponse(BaseModel):
    token: str
    expires_at: datetime
    role: str
    hall_id: str | None
