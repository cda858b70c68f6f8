"""Call-back contacts, the citizen's word on the handling, retention, and a person's data
exported or deleted by receipt code. Each reveal, export and deletion is recorded as an
`AlertEvent` (the alert's audit trail)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.audit import service as audit
from server.errors import Conflict, Forbidden, NotFound
from server.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertState,
    Counter,
    Rating,
    RatingContact,
    Role,
    User,
)
from server.privacy.crypto import ContactCipher, ContactKeyError
from server.privacy.masking import mask_phone
from server.settings import Settings

log = logging.getLogger(__name__)

#: What the citizen agrees to, shown beside the phone field and stored with the number.
CONSENT_TEXT = {
    "zh_CN": "我同意大厅为回访本次评价使用上述手机号码。号码加密保存，仅由负责处理的人员查看，"
    "在处理完毕 {days} 天后删除。",
    "en": "I agree that the hall may use this mobile number to call me back about this "
    "rating. It is stored encrypted, seen only by the person handling it, and deleted "
    "{days} days after the matter is closed.",
}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class ContactError(ValueError):
    """A contact that cannot be taken; the key names the citizen's message."""


def cipher(settings: Settings) -> ContactCipher | None:
    key = settings.contact_key_bytes()
    return ContactCipher(key) if key else None


def normalise_mobile(text: str) -> str | None:
    digits = re.sub(r"[\s-]", "", text)
    digits = digits.removeprefix("+86")
    return digits if _MOBILE.match(digits) else None


def _rating_by_code(session: Session, code: str) -> Rating | None:
    return session.scalars(
        select(Rating).where(Rating.receipt_code == code).order_by(Rating.received_at).limit(1)
    ).first()


def _alert_of(session: Session, rating_id: str) -> Alert | None:
    return session.scalars(select(Alert).where(Alert.rating_id == rating_id)).first()


def may_leave_contact(session: Session, settings: Settings, code: str) -> bool:
    """Whether the rating with this receipt code may still get a call-back contact: a
    low score, contact collection on, none given yet, its alert not closed."""
    if not settings.collect_contact:
        return False
    rating = _rating_by_code(session, code)
    if rating is None or not rating.is_low:
        return False
    alert = _alert_of(session, rating.id)
    if alert is None or alert.state == AlertState.CLOSED.value:
        return False
    return session.get(RatingContact, rating.id) is None


def leave_contact(
    session: Session,
    settings: Settings,
    code: str,
    phone: str,
    consent: bool,
    lang: str,
    now: datetime,
) -> str:
    """Store the citizen's consented contact, encrypted; the masked number."""
    the_cipher = cipher(settings)
    if not may_leave_contact(session, settings, code) or the_cipher is None:
        raise ContactError("contact_closed")
    if not consent:
        raise ContactError("contact_no_consent")
    number = normalise_mobile(phone)
    if number is None:
        raise ContactError("contact_bad_number")
    rating = _rating_by_code(session, code)
    assert rating is not None
    masked = mask_phone(number)
    session.add(
        RatingContact(
            rating_id=rating.id,
            phone_encrypted=the_cipher.encrypt(number),
            phone_masked=masked,
            consent_text=CONSENT_TEXT["en" if lang == "en" else "zh_CN"].format(
                days=settings.contact_retention_days
            ),
            created_at=now,
        )
    )
    alert = _alert_of(session, rating.id)
    assert alert is not None
    session.add(
        AlertEvent(alert_id=alert.id, user_id=None, action="contact_left", note=masked, at=now)
    )
    session.flush()
    return masked


def contact_of(session: Session, alert: Alert) -> RatingContact | None:
    if alert.rating_id is None:
        return None
    return session.get(RatingContact, alert.rating_id)


def reveal(
    session: Session, settings: Settings, user: User, alert: Alert, hall_id: str, now: datetime
) -> tuple[str, str]:
    """The phone number in clear for a call-back (number, masked): to the person the alert
    is assigned to, or while it is unassigned to a supervisor or manager of its hall (the
    caller has checked the user sees the alert). Recorded on the alert and in the audit
    log, never with the number."""
    if user.role not in (Role.SUPERVISOR, Role.MANAGER):
        raise Forbidden("only the hall's supervisor handling the alert may see the number")
    if alert.assignee_id is not None and alert.assignee_id != user.id:
        raise Forbidden("only the person the alert is assigned to may see the number")
    contact = contact_of(session, alert)
    if contact is None:
        raise NotFound("contact")
    the_cipher = cipher(settings)
    if the_cipher is None:
        raise Conflict("no_contact_key", "the server has no contact key to open the number")
    try:
        number = the_cipher.decrypt(contact.phone_encrypted)
    except ContactKeyError as exc:
        raise Conflict("wrong_contact_key", str(exc)) from None
    session.add(
        AlertEvent(
            alert_id=alert.id,
            user_id=user.id,
            action="reveal_contact",
            note=f"revealed {contact.phone_masked} for a call-back",
            at=now,
        )
    )
    audit.record(
        session,
        user=user,
        action="contact.reveal",
        at=now,
        object_type="alert",
        object_id=alert.id,
        hall_id=hall_id,
        after={"phone_masked": contact.phone_masked},
    )
    session.flush()
    return number, contact.phone_masked


def may_give_feedback(alert: Alert | None) -> bool:
    """The citizen may say once whether they are satisfied, when there is handling to
    judge: a reply published, or the alert closed."""
    return (
        alert is not None
        and alert.kind == AlertKind.LOW_SCORE.value
        and alert.citizen_satisfied is None
        and (alert.public_reply is not None or alert.state == AlertState.CLOSED.value)
    )


def give_feedback(session: Session, code: str, satisfied: bool, now: datetime) -> None:
    rating = _rating_by_code(session, code)
    alert = _alert_of(session, rating.id) if rating is not None else None
    if alert is None or not may_give_feedback(alert):
        raise ContactError("feedback_closed")
    alert.citizen_satisfied = satisfied
    alert.citizen_feedback_at = now
    session.add(
        AlertEvent(
            alert_id=alert.id,
            user_id=None,
            action="citizen_feedback",
            note="satisfied" if satisfied else "not satisfied",
            at=now,
        )
    )
    session.flush()


def purge_expired_contacts(session: Session, now: datetime, retention_days: int) -> int:
    """Delete contacts whose alert closed more than `retention_days` ago; how many."""
    cutoff = now - timedelta(days=retention_days)
    expired = select(Alert.rating_id).where(
        Alert.state == AlertState.CLOSED.value,
        Alert.closed_at < cutoff,
        Alert.rating_id.is_not(None),
    )
    ids = list(
        session.scalars(select(RatingContact.rating_id).where(RatingContact.rating_id.in_(expired)))
    )
    if not ids:
        return 0
    for alert_id in session.scalars(select(Alert.id).where(Alert.rating_id.in_(ids))):
        session.add(
            AlertEvent(
                alert_id=alert_id,
                user_id=None,
                action="contact_purged",
                note=f"retention: {retention_days} days after closing",
                at=now,
            )
        )
    session.execute(delete(RatingContact).where(RatingContact.rating_id.in_(ids)))
    log.info("retention: deleted %d call-back contacts", len(ids))
    return len(ids)


@dataclass(frozen=True)
class PersonData:
    rating: Rating
    alert: Alert | None
    contact: RatingContact | None


def _person(session: Session, code: str) -> PersonData:
    rating = _rating_by_code(session, code)
    if rating is None:
        raise NotFound("rating")
    alert = _alert_of(session, rating.id)
    return PersonData(rating, alert, session.get(RatingContact, rating.id))


def export_by_code(
    session: Session, settings: Settings, code: str, now: datetime
) -> dict[str, Any]:
    """Everything held about the person behind a receipt code, their phone number in
    clear (it is theirs); recorded on the alert."""
    person = _person(session, code)
    r = person.rating
    data: dict[str, Any] = {
        "receipt_code": r.receipt_code,
        "rating": {
            "occurred_at": r.occurred_at.isoformat(),
            "received_at": r.received_at.isoformat(),
            "counter_id": r.counter_id,
            "channel": r.channel,
            "scores": {
                k: getattr(r, k)
                for k in ("attitude", "efficiency", "process", "environment", "overall")
            },
            "reasons": list(r.reasons),
            "comment": r.comment,
        },
        "handling": None,
        "contact": None,
    }
    if person.alert is not None:
        a = person.alert
        data["handling"] = {
            "state": a.state,
            "due_at": a.due_at.isoformat(),
            "public_reply": a.public_reply,
            "citizen_satisfied": a.citizen_satisfied,
        }
    if person.contact is not None:
        the_cipher = cipher(settings)
        phone = the_cipher.decrypt(person.contact.phone_encrypted) if the_cipher else None
        data["contact"] = {
            "phone": phone,
            "consent_text": person.contact.consent_text,
            "given_at": person.contact.created_at.isoformat(),
        }
    _audit(session, person, "privacy_export", now)
    return data


def delete_by_code(session: Session, code: str, now: datetime) -> None:
    """Delete what identifies or was said by the person behind a receipt code: the
    contact, the comment, the receipt code itself. The scores stay, anonymous, in the
    counter's figures; recorded on the alert."""
    person = _person(session, code)
    if person.contact is not None:
        session.delete(person.contact)
    person.rating.comment = ""
    person.rating.receipt_code = None
    _audit(session, person, "privacy_delete", now)
    session.flush()


def _audit(session: Session, person: PersonData, action: str, now: datetime) -> None:
    audit.record(
        session,
        user=None,
        username="hallrate-server (command line)",
        action=f"privacy.{action.removeprefix('privacy_')}",
        at=now,
        object_type="rating",
        object_id=person.rating.id,
        hall_id=session.scalar(
            select(Counter.hall_id).where(Counter.id == person.rating.counter_id)
        ),
        after={"counter_id": person.rating.counter_id, "by": "receipt code"},
    )
    if person.alert is not None:
        session.add(
            AlertEvent(
                alert_id=person.alert.id,
                user_id=None,
                action=action,
                note="on the person's request, by receipt code",
                at=now,
            )
        )
    log.info("%s rating=%s", action, person.rating.id)
