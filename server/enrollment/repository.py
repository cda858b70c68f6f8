"""Enrollment code queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import EnrollmentCode


def by_hash_for_update(session: Session, code_hash: str) -> EnrollmentCode | None:
    return session.scalars(
        select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash).with_for_update()
    ).one_or_none()
