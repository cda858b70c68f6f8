"""User queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import User


def by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def get(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)))
