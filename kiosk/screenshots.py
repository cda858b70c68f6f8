"""`make screenshots`: render every kiosk screen to PNG for people to look at.

`python -m kiosk.screenshots OUTDIR` renders, at 1920x1080, 1280x800, 800x480 and portrait
1080x1920 and in both languages: welcome, rate (empty, Submit tapped too early, low scores
with reasons beside, below or as a second step, all rated), the cooldown said on welcome,
comment entry, thanks (and after a low score), the PIN pad (wrong PIN, locked), admin,
large-text variants, the phone-rating QR on welcome and the receipt QR on thanks. Everything
is driven
through the real widgets (taps), on a throwaway store that a short simulation fills first so
the score badge has figures. Run it offscreen.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest

from kiosk.app import Kiosk, open_kiosk
from kiosk.config import LANGUAGES, KioskConfig, Language
from kiosk.desk import DUTY_KEY
from kiosk.ui.application import make_application
from kiosk.ui.flow import Screen
from kiosk.ui.keyboard_probe import paint_keyboard
from kiosk.ui.screens.rate import ReasonPlace
from kiosk.ui.simulate import SimulatedClock, Simulator, tap, type_text
from kiosk.ui.speech import SilentSpeaker
from sync import protocol
from sync.client import LAST_SUCCESS, SERVER_CONFIG
from sync.protocol import Outcome

SIZES: tuple[tuple[int, int], ...] = ((1920, 1080), (1280, 800), (800, 480), (1080, 1920))


def _settle() -> None:
    for _ in range(3):
        QCoreApplication.processEvents()


class LayoutOverflowError(RuntimeError):
    """A screen needs more room than the screen size being rendered: it would be cut off."""


def _grab(kiosk: Kiosk, path: Path, size: tuple[int, int], *, with_keyboard: bool = False) -> None:
    _settle()
    image = kiosk.window.grab().toImage()
    if (image.width(), image.height()) != size:
        raise LayoutOverflowError(
            f"{path}: rendered {image.width()}x{image.height()}, wanted {size[0]}x{size[1]}"
        )
    if with_keyboard:
        paint_keyboard(image, kiosk.flow.comment.field)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(str(path))


def render_all(out: Path, sizes: tuple[tuple[int, int], ...] = SIZES) -> list[Path]:
    """Render every state at every size in both languages into `out`; return the files."""
    if QCoreApplication.instance() is None:
        raise RuntimeError("render_all needs a QApplication")
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="hallrate-shots-") as data:
        clock = SimulatedClock()
        config = KioskConfig(speech=False)
        kiosk = open_kiosk(
            config, Path(data), kiosk_mode=False, speaker=SilentSpeaker(), clock=clock
        )
        kiosk.window.resize(*sizes[0])
        kiosk.window.show()
        # The on-screen keyboard only comes up for the active window.
        kiosk.window.activateWindow()
        QTest.qWaitForWindowActive(kiosk.window)
        simulator = Simulator(kiosk.flow, 0, clock, seed=7)
        for _ in range(23):
            simulator.rate_once()
        try:
            for width, height in sizes:
                kiosk.window.resize(width, height)
                _settle()
                # Again: the first resize re-styles for the new size class, and only then
                # can the window shrink to a size the old class's minimum sizes forbade.
                kiosk.window.resize(width, height)
                for language in LANGUAGES:
                    folder = out / f"{width}x{height}" / language
                    written += _render_states(kiosk, folder, language, clock, (width, height))
        finally:
            kiosk.close()
    return written


def _render_states(
    kiosk: Kiosk,
    folder: Path,
    language: Language,
    clock: SimulatedClock,
    size: tuple[int, int],
) -> list[Path]:
    flow = kiosk.flow
    files: list[Path] = []

    def shot(name: str, *, keyboard: bool = False) -> None:
        path = folder / f"{name}.png"
        _grab(kiosk, path, size, with_keyboard=keyboard)
        files.append(path)

    def fresh(large_text: bool = False) -> None:
        flow.go_welcome()
        if kiosk.localizer.language != language:
            tap(flow.welcome.language)
        if large_text:
            tap(flow.welcome.large_text)

    def rate(stars: dict[str, int]) -> None:
        for code, n in stars.items():
            editor = flow.rate.stars[code]
            tap(editor, editor.star_center(n).toPoint())

    def reasons(*codes: str) -> None:
        """Show the reasons (on a small screen: "Next", the second step) and tap `codes`."""
        if flow.rate.place() is ReasonPlace.STEP:
            tap(flow.rate.submit_button)
        for code in codes:
            tap(flow.rate.reasons.button(code))

    def back_to_rows() -> None:
        if flow.rate.on_reasons_step():
            tap(flow.rate.cancel_button)

    fresh()
    shot("01-welcome")
    tap(flow.welcome.cta)
    shot("02-rate-empty")
    rate({"attitude": 4, "efficiency": 5, "process": 4, "environment": 5})
    tap(flow.rate.submit_button)
    shot("02b-rate-submit-too-early")
    flow.rate.reset()
    rate({"attitude": 2, "efficiency": 1, "process": 4})
    shot("03-rate-low-rows")
    reasons("efficiency.long_wait", "attitude.harsh")
    shot("03b-rate-reasons")
    back_to_rows()
    rate({"environment": 1, "overall": 2})
    shot("04-rate-all-low-rows")
    reasons()
    shot("04b-rate-all-low-reasons")
    back_to_rows()
    rate({"attitude": 5, "efficiency": 4, "process": 5, "environment": 3, "overall": 4})
    shot("05-rate-complete")
    tap(flow.rate.comment_button)
    type_text(flow.comment.field, "工作人员很耐心" if language == "zh_CN" else "Very patient")
    shot("06-comment", keyboard=True)
    tap(flow.comment.done_button)
    tap(flow.rate.submit_button)
    shot("07-thanks")
    tap(flow.thanks)
    fresh()  # the next citizen starts in the kiosk's own language again
    tap(flow.welcome.cta)
    rate({"attitude": 5, "efficiency": 5, "process": 5, "environment": 5, "overall": 5})
    tap(flow.rate.submit_button)
    tap(flow.thanks)
    clock.advance(3)
    fresh()
    shot("08-welcome-cooldown-said-first")
    clock.advance(flow.config.cooldown_s + 1)

    fresh()
    flow.welcome.adminRequested.emit()  # what holding the logo for 5 s does
    shot("09-pin-pad")
    for digit in "1111":
        tap(flow.pin.pad.keys[digit])
    tap(flow.pin.pad.keys["ok"])
    shot("10-pin-wrong")
    for digit in "123456":
        tap(flow.pin.pad.keys[digit])
    tap(flow.pin.pad.keys["ok"])
    shot("11-admin")
    # scrolled as an admin would, to the sync section's heading
    flow.admin.scroll_area.verticalScrollBar().setValue(flow.admin.sync_panel.y())
    shot("11b-admin-sync")

    fresh(large_text=True)
    shot("12-large-welcome")
    tap(flow.welcome.cta)
    shot("13-large-rate-empty")
    rate({"attitude": 1, "efficiency": 2, "process": 1, "environment": 2, "overall": 1})
    shot("13b-large-rate-all-low")
    reasons("attitude.shirking")
    shot("13c-large-rate-reasons")
    show_server_state(kiosk)
    fresh()
    shot("14-welcome-server-scores-alerts")
    kiosk.store.save_server_state(None, [], flow.config.counter_id, 0.0)

    hold_phone_token(kiosk)
    fresh()
    shot("15-welcome-phone-qr")
    fresh(large_text=True)
    shot("15b-large-welcome-phone-qr")
    fresh()
    clock.advance(flow.config.cooldown_s + 1)
    tap(flow.welcome.cta)
    rate({"attitude": 5, "efficiency": 4, "process": 5, "environment": 4, "overall": 5})
    tap(flow.rate.submit_button)
    shot("16-thanks-receipt-qr")
    tap(flow.thanks)
    clock.advance(flow.config.cooldown_s + 1)
    fresh()
    tap(flow.welcome.cta)
    rate({"attitude": 1, "efficiency": 2, "process": 2, "environment": 3, "overall": 1})
    reasons("attitude.harsh")
    tap(flow.rate.submit_button)
    shot("16b-thanks-low-score-follow-up")
    flow.thanks.show_print_state("failed")  # what a printer out of paper leads to
    shot("17-thanks-receipt-not-printed")
    clock.advance(flow.config.cooldown_s + 1)
    files += _render_session_states(kiosk, shot, fresh, language)
    kiosk.store.set_setting(SERVER_CONFIG, None)
    flow.go_welcome()
    if flow.current() is not Screen.WELCOME:
        raise RuntimeError("screenshots left the kiosk off the welcome screen")
    return files


def _render_session_states(
    kiosk: Kiosk, shot: Callable[[str], None], fresh: Callable[[], None], language: Language
) -> list[Path]:
    """Staff signed in with their photo, the counter closed, the sign-in pad, and the rating
    invitation a finished service brings up (a service started and finished through the
    desk, as the queue API does)."""
    flow, desk = kiosk.flow, kiosk.desk
    assert desk is not None
    photo = _sample_photo()
    sha = hashlib.sha256(photo).hexdigest()
    folder = kiosk.store.path.parent / "photos"
    folder.mkdir(exist_ok=True)
    (folder / f"{sha}.jpg").write_bytes(photo)
    counter = flow.config.counter_id
    kiosk.store.set_setting(
        SERVER_CONFIG,
        {
            "staff": [
                {
                    "id": "S-017",
                    "name": "王芳",
                    "counter_id": counter,
                    "photo_sha256": sha,
                    "photo_url": f"/api/v1/staff/S-017/photo?v={sha}",
                },
            ],
            "matters": [{"code": "HJ01", "name": "户籍迁入", "standard_minutes": 15}],
        },
    )
    desk.sign_in("017")
    fresh()
    shot("18-welcome-staff-signed-in")
    desk.sign_out()
    fresh()
    shot("19-welcome-counter-closed")
    flow.welcome.dutyRequested.emit()
    for digit in "017":
        tap(flow.sign_in.pad.keys[digit])
    shot("20-staff-sign-in")
    tap(flow.sign_in.pad.keys["ok"])
    session = desk.start(ticket="A017", matter_code="HJ01")
    desk.finish(session.id, Outcome.ONE_VISIT)
    _settle()  # the desk's event reaches the flow through a queued signal
    if flow.current() is not Screen.INVITE:
        raise RuntimeError("a finished service did not bring up the invitation")
    if kiosk.localizer.language != language:
        tap(flow.invite.language)
    shot("21-rating-invitation")
    tap(flow.invite.later_button)
    kiosk.store.set_setting(DUTY_KEY, None)  # the configured staff member again
    return []


def _sample_photo() -> bytes:
    """A stand-in staff photo (a drawn head and shoulders), as PNG bytes."""
    image = QImage(240, 320, QImage.Format.Format_RGB32)
    image.fill(QColor("#dbe7f3"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#1756a9"))
    painter.drawEllipse(20, 200, 200, 220)
    painter.setBrush(QColor("#f1c9a5"))
    painter.drawEllipse(70, 60, 100, 120)
    painter.setBrush(QColor("#2d2a26"))
    painter.drawChord(66, 50, 108, 80, 0, 180 * 16)
    painter.end()
    with tempfile.TemporaryDirectory(prefix="hallrate-photo-") as folder:
        path = Path(folder) / "photo.png"
        image.save(str(path))
        return path.read_bytes()


def hold_phone_token(kiosk: Kiosk) -> None:
    """What a sync answer brings for the QR codes: the server's public address and a
    phone-rating token (of a realistic length) valid for 15 minutes."""
    kiosk.store.set_setting(
        SERVER_CONFIG,
        {
            "public_url": "https://pingjia.example.gov.cn",
            "mobile": {"token": "AWsQPVM6yUVwihBtvwBjMeRKhb5qh-Qixr6sqTwO3o0", "valid_s": 900},
        },
    )
    kiosk.store.set_setting(LAST_SUCCESS, time.time())


def show_server_state(kiosk: Kiosk) -> None:
    """What the kiosk shows once the server has answered: its scores and two open alerts."""
    counter = kiosk.flow.config.counter_id
    period = {"dimension_means": {}, "low_rate": 0.05, "satisfaction_rate": 0.9}
    now = datetime.now().astimezone()
    scores = protocol.CounterScores.model_validate_json(
        json.dumps(
            {
                "counter_id": counter,
                "computed_at": now.isoformat(),
                "today": {**period, "count": 37, "mean": 4.62, "rank": 2, "ranked_counters": 9},
                "last_30_days": {**period, "count": 912, "mean": 4.48},
                "month": {**period, "count": 655, "mean": 4.51, "rank": 3, "ranked_counters": 9},
            }
        )
    )
    alerts = [
        protocol.Alert(
            id=alert_id,
            kind=protocol.AlertKind.LOW_SCORE,
            counter_id=counter,
            state=protocol.AlertState.OPEN,
            created_at=now,
            due_at=now + timedelta(hours=hours),
        )
        for alert_id, hours in (("a1", 5), ("a2", 20))
    ]
    kiosk.store.save_server_state(scores, alerts, counter, time.time())
    kiosk.flow.refresh_scores()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screenshots")
    app = make_application(sys.argv[:1])
    files = render_all(out)
    print(f"wrote {len(files)} screenshots under {out}/", flush=True)
    del app
    return 0


if __name__ == "__main__":
    from kiosk.app import exit_now

    exit_now(main())
