"""The flow controller: owns the screens, the transitions, the idle timer and the cooldown.

Screens only show state and emit intents; every move between them, every store call and
every timer lives here, so the whole citizen flow can be read in one place. It is also the
one owner of what the sync loop shows: the admin screen's sync panel asks through it, and
the loop's typed signals come back to its slots (`synced`, `enrolled`, `exported`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal

from kiosk.config import (
    MAX_PIN_DIGITS,
    MIN_PIN_DIGITS,
    ConfigError,
    KioskConfig,
    hash_pin,
    valid_pin,
)
from kiosk.desk import DeskError, DeskEvent, ServiceDesk
from kiosk.photos import StaffPhotos
from kiosk.receipt.printer import Receipt
from kiosk.store.errors import StoreError
from kiosk.syncworker import Enrollment
from kiosk.ui.i18n import Localizer
from kiosk.ui.keyboard_languages import KeyboardLanguages
from kiosk.ui.pin import PinGate, PinResult
from kiosk.ui.printing import PrintQueue
from kiosk.ui.screens.admin import AdminScreen, DeviceInfo, SettingsEdit
from kiosk.ui.screens.comment import CommentScreen
from kiosk.ui.screens.invite import InviteScreen
from kiosk.ui.screens.pin import PinScreen
from kiosk.ui.screens.rate import RateScreen
from kiosk.ui.screens.signin import SignInScreen
from kiosk.ui.screens.thanks import ThanksScreen
from kiosk.ui.screens.welcome import WelcomeScreen
from kiosk.ui.services import (
    CounterScores,
    HallContent,
    QrLinks,
    RatingDraft,
    RatingSink,
    SettingsStore,
    Speaker,
    StatusSource,
    SyncCommands,
)
from kiosk.ui.window import KioskWindow
from sync.client import SyncResult
from sync.protocol import ENROLL_CODE_MIN_CHARS, Outcome, ServiceSession
from sync.receipt import grouped
from sync.scoring import DEFAULT_CONFIG, DIMENSION_CODES, ScoringConfig, is_low_score

log = logging.getLogger(__name__)

#: Seconds the thanks screen stays after a low score, at least: there is more to read.
LOW_SCORE_THANKS_S = 20.0

#: The settings key under which admin changes are kept in the store.
SETTINGS_KEY = "kiosk.config"

_USER_INPUT = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
    }
)


class Screen(Enum):
    WELCOME = "welcome"
    RATE = "rate"
    COMMENT = "comment"
    THANKS = "thanks"
    PIN = "pin"
    ADMIN = "admin"
    INVITE = "invite"
    SIGN_IN = "sign_in"


#: Screens the idle timer watches: a citizen or admin who walks away is sent back.
_IDLE_SCREENS = frozenset({Screen.RATE, Screen.COMMENT, Screen.PIN, Screen.ADMIN, Screen.SIGN_IN})


class FlowController(QObject):
    screenChanged = Signal(str)
    #: A rating was stored; carries its id.
    ratingStored = Signal(str)
    #: A partial rating was thrown away by the idle timer.
    ratingDiscarded = Signal()
    #: A submission was refused; carries the message the citizen saw.
    submissionRefused = Signal(str)
    #: The admin asked to leave kiosk mode.
    exitRequested = Signal()
    #: The rating invitation for a session is on screen (painted next); carries its id.
    invitationShown = Signal(str)

    def __init__(
        self,
        window: KioskWindow,
        *,
        config: KioskConfig,
        localizer: Localizer,
        sink: RatingSink,
        scores: CounterScores,
        status: StatusSource,
        settings: SettingsStore,
        speaker: Speaker,
        device: DeviceInfo,
        clock: Callable[[], float] = time.monotonic,
        links: QrLinks | None = None,
        printing: PrintQueue | None = None,
        wall_clock: Callable[[], float] = time.time,
        sync: SyncCommands | None = None,
        desk: ServiceDesk | None = None,
        photos: StaffPhotos | None = None,
        content: HallContent | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._config = config
        self._localizer = localizer
        self._sink = sink
        self._scores = scores
        self._status = status
        self._settings = settings
        self._speaker = speaker
        self._clock = clock
        self._links = links
        self._printing = printing
        self._wall_clock = wall_clock
        self._sync = sync
        self._desk = desk
        self._photos = photos
        #: The service session the rating being entered belongs to (一次一评).
        self._rating_session: ServiceSession | None = None
        #: Sessions whose invitation was shown: each is offered once (and once more after a
        #: restart, when it is still unrated).
        self._invited: set[str] = set()
        self._content = content
        self._reasons = config.reasons
        #: The rating whose receipt the thanks screen shows (its print job id).
        self._receipt_job = ""
        self._last_stored: float | None = None
        self._screen = Screen.WELCOME
        self._pins = PinGate(
            lambda pin: self._config.check_pin(pin),
            attempts=config.pin_attempts,
            lockout_s=config.pin_lockout_s,
            clock=clock,
        )

        self.welcome = WelcomeScreen(localizer, config)
        self.rate = RateScreen(localizer, config)
        self.comment = CommentScreen(config.phrases, KeyboardLanguages(self))
        self.thanks = ThanksScreen()
        self.pin = PinScreen()
        self.admin = AdminScreen(device)
        self.invite = InviteScreen()
        self.sign_in = SignInScreen()
        self._widgets = {
            Screen.WELCOME: self.welcome,
            Screen.RATE: self.rate,
            Screen.COMMENT: self.comment,
            Screen.THANKS: self.thanks,
            Screen.PIN: self.pin,
            Screen.ADMIN: self.admin,
            Screen.INVITE: self.invite,
            Screen.SIGN_IN: self.sign_in,
        }
        for widget in self._widgets.values():
            window.stack.addWidget(widget)

        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._on_idle)
        self._thanks = QTimer(self)
        self._thanks.setSingleShot(True)
        self._thanks.timeout.connect(self.go_welcome)
        self._invite_timer = QTimer(self)
        self._invite_timer.setSingleShot(True)
        self._invite_timer.timeout.connect(self.go_welcome)
        # Counts the cooldown down on the welcome screen, so it is said before a citizen
        # starts, not after they have rated all five rows.
        self._wait = QTimer(self)
        self._wait.setInterval(1000)
        self._wait.timeout.connect(self._show_cooldown)
        # Hides the phone-rating QR the moment its token expires.
        self._phone_expiry = QTimer(self)
        self._phone_expiry.setSingleShot(True)
        self._phone_expiry.timeout.connect(self.refresh_phone_rating)
        if printing is not None:
            # Queued even when the spooler answers at once (queue full): the thanks screen
            # is painted first, the note about the receipt follows.
            printing.finished.connect(self._printed, Qt.ConnectionType.QueuedConnection)

        self.welcome.rateRequested.connect(self._start_rating)
        self.welcome.adminRequested.connect(self._open_pin)
        self.welcome.languageToggled.connect(self._toggle_language)
        self.welcome.largeTextToggled.connect(window.set_large_text)
        self.welcome.dutyRequested.connect(self._open_sign_in)
        self.invite.rateRequested.connect(self._rate_invited)
        self.invite.dismissed.connect(self.go_welcome)
        self.invite.languageToggled.connect(self._toggle_language)
        self.sign_in.badgeEntered.connect(self._sign_in)
        self.sign_in.signOutRequested.connect(self._sign_out)
        self.sign_in.cancelled.connect(self.go_welcome)
        self.rate.cancelled.connect(self.go_welcome)
        self.rate.commentRequested.connect(self._open_comment)
        self.rate.submitted.connect(self.submit)
        self.comment.done.connect(self._comment_done)
        self.comment.cancelled.connect(lambda: self._show(Screen.RATE))
        self.thanks.dismissed.connect(self.go_welcome)
        self.pin.pinEntered.connect(self._check_pin)
        self.pin.cancelled.connect(self.go_welcome)
        self.admin.closed.connect(self.go_welcome)
        self.admin.exitRequested.connect(self._exit)
        self.admin.saved.connect(self._save_settings)
        panel = self.admin.sync_panel
        panel.syncRequested.connect(self._sync_now)
        panel.enrollRequested.connect(self._enroll)
        panel.exportRequested.connect(self._export)

        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.go_welcome()

    def shutdown(self) -> None:
        """Stop the timers and stop watching the application's input."""
        self._idle.stop()
        self._thanks.stop()
        self._invite_timer.stop()
        self._wait.stop()
        self._phone_expiry.stop()
        if self._printing is not None:
            self._printing.close()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # -- state a test or the simulator may read --------------------------------------------

    @property
    def config(self) -> KioskConfig:
        return self._config

    @property
    def printing(self) -> PrintQueue | None:
        return self._printing

    def current(self) -> Screen:
        return self._screen

    def idle_remaining_ms(self) -> int:
        return self._idle.remainingTime() if self._idle.isActive() else -1

    # -- transitions ------------------------------------------------------------------------

    def _show(self, screen: Screen) -> None:
        self._screen = screen
        self._window.stack.setCurrentWidget(self._widgets[screen])
        if screen in _IDLE_SCREENS:
            self._idle.start(int(self._config.idle_s * 1000))
        else:
            self._idle.stop()
        if screen is not Screen.THANKS:
            self._thanks.stop()
        if screen is not Screen.INVITE:
            self._invite_timer.stop()
        self.screenChanged.emit(screen.value)

    def go_welcome(self) -> None:
        """Back to welcome, as the next citizen should find it: empty rating, the kiosk's
        own language and text size, fresh scores."""
        self.rate.reset()
        self.pin.reset()
        if self._localizer.language != self._config.language:
            self._localizer.switch(self._config.language)
        if self._window.large_text() != self._config.large_text:
            self._window.set_large_text(self._config.large_text)
        self.welcome.set_large_text(self._config.large_text)
        self.refresh_reasons()
        self._rating_session = None
        self.refresh_duty()
        self.refresh_scores()
        self.refresh_phone_rating()
        waiting = self._waiting_session()
        if waiting is not None and waiting.id not in self._invited:
            self._show_invitation(waiting)
            return
        self._show(Screen.WELCOME)
        self._show_cooldown()
        self.welcome.cta.setFocus()

    # -- service sessions and staff on duty -------------------------------------------------

    def _waiting_session(self) -> ServiceSession | None:
        if self._desk is None:
            return None
        try:
            return self._desk.awaiting_rating()
        except StoreError as exc:
            log.warning("session awaiting a rating unknown: store error %s", exc.reason)
            return None

    def refresh_duty(self) -> None:
        """The welcome screen's staff line and photo as the desk has them now."""
        if self._desk is None:
            return
        try:
            member = self._desk.on_duty()
        except StoreError as exc:
            log.warning("staff on duty unknown: store error %s", exc.reason)
            return
        self.welcome.show_duty(member, self._photo_of(member.photo_sha256 if member else None))

    def _photo_of(self, sha256: str | None) -> Path | None:
        return self._photos.path_for(sha256) if self._photos is not None else None

    def desk_changed(self, event: DeskEvent) -> None:
        """The desk changed (the queue API, hallrate-counter or the sign-in screen)."""
        if event.kind == "duty":
            self.refresh_duty()
            return
        session = event.session
        if session is None:
            return
        if event.kind == "started":
            # A new citizen is being served: an invitation still up is for the one before.
            if self._screen is Screen.INVITE:
                self.go_welcome()
            return
        if session.outcome == Outcome.CANCELLED:
            return
        # Finished: invite now unless a citizen is busy on another screen; go_welcome
        # invites when they are done.
        if self._screen in (Screen.WELCOME, Screen.THANKS, Screen.INVITE):
            self._show_invitation(session)

    def _show_invitation(self, session: ServiceSession) -> None:
        self._invited.add(session.id)
        staff = None
        if self._desk is not None:
            duty = self._desk.on_duty()
            if duty is not None and duty.id == session.staff_id:
                staff = duty
            elif session.staff_id:
                staff = next((m for m in self._desk.roster() if m.id == session.staff_id), None)
        matter = None
        if session.matter_code and self._desk is not None:
            matter = next(
                (m.name for m in self._desk.matters() if m.code == session.matter_code),
                session.matter_code,
            )
        self._rating_session = session
        self.invite.show_session(
            staff, self._photo_of(staff.photo_sha256 if staff else None), session.ticket, matter
        )
        self._show(Screen.INVITE)
        self._invite_timer.start(int(self._config.invite_s * 1000))
        self.invite.rate_button.setFocus()
        self.invitationShown.emit(session.id)
        if self._config.speech:
            self._speaker.say(self.invite.prompt(), self._localizer.language)

    def _rate_invited(self) -> None:
        session = self._rating_session
        self._start_rating()
        self._rating_session = session

    def _open_sign_in(self) -> None:
        if self._desk is None:
            return
        self.sign_in.reset(self._desk.on_duty())
        self._show(Screen.SIGN_IN)
        self.sign_in.pad.setFocus()

    def _sign_in(self, badge: str) -> None:
        if self._desk is None:
            return
        try:
            self._desk.sign_in(badge)
        except DeskError:
            self.sign_in.show_unknown()
            return
        except StoreError as exc:
            log.error("sign-in not saved: store error %s", exc.reason)
            self.sign_in.show_unknown()
            return
        self.go_welcome()

    def _sign_out(self) -> None:
        if self._desk is None:
            return
        try:
            self._desk.sign_out()
        except StoreError as exc:
            log.error("sign-out not saved: store error %s", exc.reason)
        self.go_welcome()

    def refresh_scores(self) -> None:
        """The badge's figures and the admin screen's alert line, as they stand now."""
        counter_id = self._config.counter_id
        try:
            self.welcome.show_scores(self._scores.scores(counter_id))
            # Open alerts are for staff: the admin screen, behind the PIN, shows them.
            self.admin.show_alerts(self._scores.alerts(counter_id))
        except StoreError as exc:
            log.warning("score badge not refreshed: store error %s", exc.reason)

    def refresh_reasons(self) -> None:
        """Offer the low-score reasons the server sent (edited on the console's scoring
        settings), else the kiosk's own; only between citizens, never mid-rating."""
        reasons = None
        if self._content is not None:
            try:
                reasons = self._content.reasons()
            except StoreError as exc:
                log.warning("reasons not refreshed: store error %s", exc.reason)
        reasons = reasons or self._config.reasons
        if reasons != self._reasons:
            log.info("reason chips: %d reasons now offered", len(reasons))
            self._reasons = reasons
            self.rate.set_reasons(reasons)

    def _scoring(self) -> ScoringConfig:
        if self._content is None:
            return DEFAULT_CONFIG
        try:
            return self._content.scoring()
        except StoreError as exc:
            log.warning("scoring rules unknown: store error %s", exc.reason)
            return DEFAULT_CONFIG

    def refresh_phone_rating(self) -> None:
        """Show the phone-rating QR while the kiosk holds a valid token, else hide it."""
        grant = None
        if self._links is not None:
            try:
                grant = self._links.phone_rating(self._wall_clock())
            except StoreError as exc:
                log.warning("phone-rating QR not refreshed: store error %s", exc.reason)
        self.welcome.show_phone_rating(grant.url if grant else None)
        self._phone_expiry.stop()
        if grant is not None:
            left_ms = (grant.valid_until_ts - self._wall_clock()) * 1000
            self._phone_expiry.start(max(0, min(int(left_ms) + 50, 2**31 - 1)))

    def _show_cooldown(self) -> None:
        left = self.cooldown_left() if self._screen is Screen.WELCOME else 0.0
        if left > 0:
            self.welcome.show_wait(
                self.tr(
                    "A rating was just given here. Please wait %n second(s).", "", math.ceil(left)
                )
            )
            if not self._wait.isActive():
                self._wait.start()
        else:
            self._wait.stop()
            self.welcome.show_wait("")

    def _start_rating(self) -> None:
        if self.cooldown_left() > 0:
            self._show_cooldown()
            self.submissionRefused.emit(self.welcome.cta.text())
            return
        # From the welcome screen: the rating belongs to the service just ended, if any.
        self._rating_session = self._waiting_session()
        self.rate.reset()
        self._show(Screen.RATE)
        self.rate.stars[DIMENSION_CODES[0]].setFocus()
        if self._config.speech:
            self._speaker.say(self.welcome.cta.text(), self._localizer.language)

    def _open_comment(self) -> None:
        self.comment.edit(self.rate.draft().comment, self._localizer.language)
        self._show(Screen.COMMENT)

    def _comment_done(self, text: str) -> None:
        self.rate.set_comment(text)
        self._show(Screen.RATE)

    def _toggle_language(self) -> None:
        self._localizer.switch("en" if self._localizer.language == "zh_CN" else "zh_CN")

    def _on_idle(self) -> None:
        if self._screen in (Screen.RATE, Screen.COMMENT) and self.rate.is_started():
            log.info("idle for %.0f s: partial rating discarded", self._config.idle_s)
            self.ratingDiscarded.emit()
        self.go_welcome()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Any touch, click or key keeps the current screen alive.
        if event.type() in _USER_INPUT and self._idle.isActive():
            self._idle.start()
        return False

    # -- submitting -------------------------------------------------------------------------

    def cooldown_left(self) -> float:
        if self._last_stored is None:
            return 0.0
        return max(0.0, self._config.cooldown_s - (self._clock() - self._last_stored))

    def submit(self, draft: RatingDraft) -> None:
        """Store the rating, unless the cooldown since the last one is still running."""
        if set(draft.scores) != set(DIMENSION_CODES):
            return
        left = self.cooldown_left()
        if left > 0:
            message = self.tr(
                "Thank you! A rating was just given here. Please wait %n second(s), "
                "then tap Submit again.",
                "",
                math.ceil(left),
            )
            self.rate.show_message(message)
            self.submissionRefused.emit(message)
            return
        config = self._config
        session = self._rating_session
        if session is not None:
            staff_id = session.staff_id
        elif self._desk is not None:
            # Nobody on duty: the counter is closed, the rating is for no staff member.
            duty = self._desk.on_duty()
            staff_id = duty.id if duty else None
        else:
            staff_id = config.staff.id or None
        try:
            recorded = self._sink.record_rating(
                counter_id=config.counter_id,
                staff_id=staff_id,
                session_id=session.id if session else None,
                scores=dict(draft.scores),
                reasons=list(draft.reasons),
                comment=draft.comment,
                channel="kiosk",
            )
        except StoreError as exc:
            log.error("rating not stored: store error %s", exc.reason)
            message = self._store_message(exc.reason)
            self.rate.show_message(message)
            self.submissionRefused.emit(message)
            return
        self._last_stored = self._clock()
        self._rating_session = None
        log.info("rating %s stored", recorded.id)
        if self._sync is not None:
            self._sync.rating_recorded()
        self.ratingStored.emit(recorded.id)
        self.refresh_scores()
        scoring = self._scoring()
        low = is_low_score(recorded.weighted_score, scoring)
        self._show_receipt(
            recorded.id,
            recorded.receipt,
            recorded.created_at,
            scoring.alert_deadline_hours if low else None,
        )
        self._show(Screen.THANKS)
        # After a low score there is more to read, and a QR to scan: longer.
        thanks_s = max(config.thanks_s, LOW_SCORE_THANKS_S) if low else config.thanks_s
        self._thanks.start(int(thanks_s * 1000))

    def _show_receipt(
        self, rating_id: str, code: str, created_at: datetime, follow_up_hours: int | None
    ) -> None:
        """The receipt on the thanks screen and on paper; after a low score (the hours the
        hall has to answer it given) both say what happens next."""
        url = None
        if self._links is not None:
            try:
                url = self._links.receipt_url(code)
            except StoreError as exc:
                log.warning("receipt address unknown: store error %s", exc.reason)
        self._receipt_job = rating_id
        self.thanks.show_receipt(grouped(code), url)
        self.thanks.show_follow_up(follow_up_hours)
        if self._printing is None:
            return
        self.thanks.show_print_state("printing")
        config = self._config
        # Queued, never waited for: a slow or broken printer cannot hold the flow.
        self._printing.submit(
            rating_id,
            Receipt(
                hall=config.hall_name,
                counter=config.counter_name,
                when=created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                code=grouped(code),
                url=url,
                title=self.tr("Service rating receipt"),
                thanks=self.tr("Thank you for your rating!"),
                scan_hint=self.tr("Scan to follow what happens to your rating"),
                code_label=self.tr("Receipt code"),
                note=(
                    self.tr("We will look into it and reply within {hours} hours.").format(
                        hours=follow_up_hours
                    )
                    if follow_up_hours is not None
                    else ""
                ),
                hotline=(
                    self.tr("Service hotline: {number}").format(number=config.hotline)
                    if config.hotline
                    else ""
                ),
            ),
        )

    def _printed(self, job_id: str, problem: str) -> None:
        if job_id != self._receipt_job:
            return  # an earlier citizen's receipt
        if problem:
            log.warning("receipt for rating %s not printed: %s", job_id, problem)
        self.thanks.show_print_state("failed" if problem else "printed")

    def _store_message(self, reason: str) -> str:
        if reason == "full":
            return self.tr(
                "Sorry, this kiosk's storage is full and your rating was not saved. "
                "Please tell the staff."
            )
        if reason == "read_only":
            return self.tr(
                "Sorry, this kiosk cannot save ratings right now. Please tell the staff."
            )
        return self.tr("Sorry, your rating could not be saved. Please try again or tell the staff.")

    # -- admin ------------------------------------------------------------------------------

    def _open_pin(self) -> None:
        self.pin.reset()
        left = self._pins.locked_for()
        if left > 0:
            self.pin.show_locked(left)
        self._show(Screen.PIN)
        self.pin.pad.setFocus()

    def _check_pin(self, pin: str) -> None:
        answer = self._pins.check(pin)
        if answer.result is PinResult.ACCEPTED:
            log.info("admin PIN accepted")
            self._show_staff_choices()
            self.admin.show_config(self._config)
            self._show_status()
            self._show_sync_status()
            self._show(Screen.ADMIN)
        else:
            log.info("admin PIN refused (%s)", answer.result.value)
            self.pin.show_answer(answer)

    def _show_staff_choices(self) -> None:
        staff: list[Any] = []
        if self._content is not None:
            try:
                staff = list(self._content.staff())
            except StoreError as exc:
                log.warning("staff list unavailable: store error %s", exc.reason)
        self.admin.show_staff_choices(staff, self._config.counter_id)

    def _show_status(self) -> None:
        try:
            self.admin.show_status(self._status.status())
        except StoreError as exc:
            log.warning("store status unavailable: %s", exc.reason)

    def _save_settings(self, edit: SettingsEdit) -> None:
        if edit.new_pin is not None and not valid_pin(edit.new_pin):
            message = self.tr("a PIN has {low} to {high} digits")
            self.admin.show_saved(False, message.format(low=MIN_PIN_DIGITS, high=MAX_PIN_DIGITS))
            return
        if not edit.counter_id:
            self.admin.show_saved(False, self.tr("the counter id cannot be empty"))
            return
        overrides: dict[str, Any] = {
            "counter_id": edit.counter_id,
            "counter_name": edit.counter_name,
            "staff": {"id": edit.staff_id, "name": edit.staff_name, "number": edit.staff_number},
            "language": edit.language,
            "idle_s": float(max(10, edit.idle_s)),
            "cooldown_s": float(edit.cooldown_s),
        }
        if edit.new_pin is not None:
            overrides["pin_hash"] = hash_pin(edit.new_pin)
        try:
            config = self._config.with_overrides(overrides)
            self._settings.set_setting(SETTINGS_KEY, config.overrides())
        except ConfigError as exc:
            self.admin.show_saved(False, str(exc))
            return
        except StoreError as exc:
            log.error("settings not saved: store error %s", exc.reason)
            self.admin.show_saved(False, self._store_message(exc.reason))
            return
        log.info("admin settings saved for counter %s", config.counter_id)
        self.apply_config(config)
        self.admin.show_config(config)
        self.admin.show_saved(True)

    def adopt_enrollment(self, hall_name: str, counter_id: str, counter_name: str) -> None:
        """The server enrolled this kiosk for a counter: show and rate as that counter."""
        overrides = {
            **self._config.overrides(),
            "hall_name": hall_name,
            "counter_id": counter_id,
            "counter_name": counter_name,
        }
        config = self._config.with_overrides(overrides)
        self._settings.set_setting(SETTINGS_KEY, config.overrides())
        log.info("kiosk enrolled for counter %s", counter_id)
        self.apply_config(config)
        self.admin.show_config(config)

    def apply_config(self, config: KioskConfig) -> None:
        self._config = config
        self.welcome.show_config(config)
        if self._localizer.language != config.language:
            self._localizer.switch(config.language)
        self.refresh_scores()

    # -- sync: the admin's requests, the loop's answers -------------------------------------

    def _show_sync_status(self) -> None:
        if self._sync is None:
            return
        try:
            self.admin.sync_panel.show_status(self._sync.status())
        except StoreError as exc:
            log.warning("sync status not refreshed: store error %s", exc.reason)

    def _sync_now(self) -> None:
        if self._sync is None:
            return
        self.admin.sync_panel.show_note(self.tr("Syncing…"))
        self._sync.sync_now()

    def _enroll(self, server_url: str, code: str) -> None:
        panel = self.admin.sync_panel
        if self._sync is None:
            return
        if not server_url.startswith(("http://", "https://")):
            panel.show_note(self.tr("The server address starts with https://"))
            return
        if len(code.strip()) < ENROLL_CODE_MIN_CHARS:
            panel.show_note(self.tr("Enter the enrollment code the administrator gave you."))
            return
        panel.show_note(self.tr("Enrolling…"))
        self._sync.enroll(server_url, code)

    def _export(self, folder: str) -> None:
        if self._sync is None:
            return
        self.admin.sync_panel.show_note(self.tr("Exporting…"))
        self._sync.export(folder)

    def synced(self, result: SyncResult) -> None:
        """A sync round ended: what the server sent back is in the store; show it."""
        log.debug("sync round: %s", result.state)
        self._refresh_after_sync()

    def enrolled(self, outcome: Enrollment) -> None:
        panel = self.admin.sync_panel
        if outcome.hall is None or outcome.counter is None:
            panel.show_note(self.tr("Enrollment failed: {why}").format(why=outcome.error))
            return
        counter = outcome.counter
        try:
            self.adopt_enrollment(outcome.hall.name, counter.id, counter.name)
        except StoreError as exc:
            panel.show_note(self.tr("Enrollment failed: {why}").format(why=exc.message))
            return
        panel.code.clear()
        panel.show_note(self.tr("Enrolled for {counter}.").format(counter=counter.name))
        self._refresh_after_sync()

    def exported(self, ok: bool, message: str) -> None:
        panel = self.admin.sync_panel
        if ok:
            panel.show_note(self.tr("Exported {what}").format(what=message))
        else:
            panel.show_note(self.tr("Export failed: {why}").format(why=message))
        self._refresh_after_sync()

    def _refresh_after_sync(self) -> None:
        self._show_sync_status()
        if self._screen is Screen.WELCOME:
            self.refresh_scores()
            self.refresh_phone_rating()

    def _exit(self) -> None:
        log.info("admin left kiosk mode")
        self._window.allow_close()
        self.exitRequested.emit()
