"""Content version queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.models import ContentVersion


def newest(session: Session) -> ContentVersion | None:
    return session.scalars(
        select(ContentVersion).order_by(ContentVersion.id.desc()).limit(1)
    ).one_or_none()


def newest_before(session: Session, moment: datetime) -> ContentVersion | None:
    return session.scalars(
        select(ContentVersion)
        .where(ContentVersion.created_at < moment)
        .order_by(ContentVersion.id.desc())
        .limit(1)
    ).one_or_none()


def by_version(session: Session, version: str) -> ContentVersion | None:
    return session.scalars(
        select(ContentVersion).where(ContentVersion.version == version)
    ).one_or_none()


def history(session: Session, limit: int = 50) -> list[ContentVersion]:
    return list(
        session.scalars(select(ContentVersion).order_by(ContentVersion.id.desc()).limit(limit))
    )


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ContentVersion)) or 0)
