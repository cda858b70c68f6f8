"""The Kiosks page's figures: every device of a hall with its health, as the server noted
it at the device's last contact (server/devices/service.py), and enrollment QR codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import qrcode
import qrcode.image.svg
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.console.today import OFFLINE_AFTER, OLD_UNSENT_AFTER
from server.devices.service import pending_age_s
from server.models import Counter, Device

#: Gap ranges shown per device; the count covers them all.
GAPS_SHOWN = 5


@dataclass(frozen=True)
class FleetLine:
    device_id: str
    counter_id: str
    counter_name: str
    active: bool
    enrolled_at: datetime
    last_contact_at: datetime | None
    offline: bool
    app_version: str
    queue_depth: int
    #: Seconds the oldest undelivered rating has waited (as of the last contact), or None.
    pending_age_s: float | None
    old_unsent: bool
    clock_offset_s: float
    clock_flagged: bool
    highest_seq: int
    missing: int
    gaps: list[tuple[int, int]]
    ratings_received: int


def fleet(session: Session, hall_id: str, now: datetime) -> list[FleetLine]:
    """The hall's devices, active first, by counter."""
    rows = session.execute(
        select(Device, Counter)
        .join(Counter, Counter.id == Device.counter_id)
        .where(Counter.hall_id == hall_id)
        .order_by(Device.active.desc(), Counter.id, Device.enrolled_at.desc())
    )
    out = []
    for device, counter in rows:
        gaps = [(int(a), int(b)) for a, b in device.seq_gaps or []]
        waiting = pending_age_s(device, now)
        out.append(
            FleetLine(
                device_id=device.id,
                counter_id=counter.id,
                counter_name=counter.name,
                active=device.active,
                enrolled_at=device.enrolled_at,
                last_contact_at=device.last_contact_at,
                offline=device.last_contact_at is None
                or now - device.last_contact_at > OFFLINE_AFTER,
                app_version=device.app_version,
                queue_depth=device.queue_depth,
                pending_age_s=waiting,
                old_unsent=waiting is not None and waiting > OLD_UNSENT_AFTER.total_seconds(),
                clock_offset_s=device.clock_offset_s,
                clock_flagged=device.clock_flagged,
                highest_seq=device.highest_seq,
                missing=sum(b - a + 1 for a, b in gaps),
                gaps=gaps[:GAPS_SHOWN],
                ratings_received=device.ratings_received,
            )
        )
    return out


def qr_svg(text: str) -> str:
    """`text` as an inline SVG QR code (black modules on white, scalable)."""
    qr = qrcode.QRCode(border=2, image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(text)
    qr.make(fit=True)
    svg: str = qr.make_image().to_string(encoding="unicode")
    # Drop the XML declaration: the SVG is inlined into the HTML page.
    return svg[svg.index("<svg") :]


def duration(seconds: float | None) -> str:
    """A short age: '—', '45s', '12m', '5h', '3d' (the CLI's format)."""
    if seconds is None:
        return "—"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
