"""Welcome: hall, counter, staff on duty (or the counter closed), the live score badge and a
large call to action.

Citizens see this screen: nothing here is for staff only (open alerts and the sync state
are on the admin screen, behind the PIN)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.desk import StaffMember
from kiosk.ui.i18n import Localizer
from kiosk.ui.services import BadgeScores
from kiosk.ui.style import set_flag
from kiosk.ui.widgets.hold import HoldArea
from kiosk.ui.widgets.qr import QrCode
from kiosk.ui.widgets.score_badge import ScoreBadge

LOGO = Path(__file__).resolve().parents[3] / "assets" / "hall-logo.svg"
_UNSET = object()


class WelcomeScreen(QWidget):
    rateRequested = Signal()
    #: The hall logo was held long enough: open the admin PIN pad.
    adminRequested = Signal()
    #: The citizen asked for the other language.
    languageToggled = Signal()
    largeTextToggled = Signal(bool)
    #: Staff asked to sign in or out (the small button under the staff line).
    dutyRequested = Signal()

    def __init__(self, localizer: Localizer, config: KioskConfig) -> None:
        super().__init__()
        self.setObjectName("welcomeScreen")
        self._localizer = localizer
        self._config = config
        self._wait = ""

        self.logo = HoldArea(int(config.admin_hold_s * 1000), self)
        self.logo.setObjectName("hallLogo")
        self.logo.setPixmap(QPixmap(str(LOGO)))
        self.logo.setScaledContents(True)
        self.logo.held.connect(self.adminRequested)
        self.hall = QLabel(self)
        self.hall.setObjectName("hallName")
        self.language = QPushButton(self)
        self.language.setObjectName("languageButton")
        self.language.clicked.connect(self.languageToggled)
        self.large_text = QPushButton(self)
        self.large_text.setObjectName("largeTextButton")
        self.large_text.setCheckable(True)
        self.large_text.setChecked(config.large_text)
        self.large_text.toggled.connect(self.largeTextToggled)

        # Staff sign in and out here: a quiet button in the top bar, asking for a staff
        # number, so a citizen's tap changes nothing.
        self.duty_button = QPushButton(self)
        self.duty_button.setObjectName("dutyButton")
        self.duty_button.clicked.connect(self.dutyRequested)

        top = QHBoxLayout()
        top.addWidget(self.logo)
        top.addWidget(self.hall, 1)
        top.addWidget(self.duty_button)
        top.addWidget(self.language)
        top.addWidget(self.large_text)

        self.counter = QLabel(self)
        self.counter.setObjectName("counterName")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo = QLabel(self)
        self.photo.setObjectName("staffPhoto")
        self.photo.setScaledContents(True)
        self.staff = QLabel(self)
        self.staff.setObjectName("staffOnDuty")
        staff_row = QHBoxLayout()
        staff_row.addStretch(1)
        staff_row.addWidget(self.photo)
        staff_row.addWidget(self.staff)
        staff_row.addStretch(1)
        #: Who is on duty as the desk says; `_UNSET` until a desk tells (the configured
        #: staff member is shown then, as before sign-in existed).
        self._duty: StaffMember | object | None = _UNSET
        self._duty_photo: Path | None = None

        self.badge = ScoreBadge(self)
        # Rate on your phone (扫码评价): shown only while the server's token is valid.
        self.phone = QWidget(self)
        self.phone.setObjectName("phoneRating")
        self.phone_qr = QrCode(self.phone)
        self.phone_qr.setObjectName("phoneQr")
        self.phone_caption = QLabel(self.phone)
        self.phone_caption.setObjectName("phoneCaption")
        self.phone_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.phone_caption.setWordWrap(True)
        phone_layout = QVBoxLayout(self.phone)
        phone_layout.setContentsMargins(0, 0, 0, 0)
        phone_layout.setSpacing(2)
        phone_layout.addWidget(self.phone_qr, 0, Qt.AlignmentFlag.AlignHCenter)
        phone_layout.addWidget(self.phone_caption)
        self.phone.hide()
        self.cta = QPushButton(self)
        self.cta.setObjectName("rateButton")
        self.cta.clicked.connect(self.rateRequested)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addStretch(1)
        layout.addWidget(self.counter)
        layout.addLayout(staff_row)
        layout.addStretch(1)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        middle.addSpacing(24)
        middle.addWidget(self.phone, 0, Qt.AlignmentFlag.AlignVCenter)
        middle.addStretch(1)
        layout.addLayout(middle)
        layout.addStretch(1)
        layout.addWidget(self.cta)
        self.show_config(config)

    def show_config(self, config: KioskConfig) -> None:
        self._config = config
        self.logo.set_hold_ms(int(config.admin_hold_s * 1000))
        self._show_photo()
        self.retranslate()

    def show_duty(self, member: StaffMember | None, photo: Path | None) -> None:
        """Who serves at this counter now, with their photo; None: the counter is closed.
        The previous photo goes at once, even when the new member has none yet."""
        self._duty = member
        self._duty_photo = photo
        self.setProperty("closed", member is None)
        self._show_photo()
        self.retranslate()

    @property
    def closed(self) -> bool:
        return self._duty is None

    def _show_photo(self) -> None:
        if self._duty is _UNSET:
            path = self._config.staff.photo
        else:
            path = self._duty_photo if self._duty is not None else None
        photo = QPixmap(str(path)) if path else QPixmap()
        self.photo.setPixmap(photo)
        self.photo.setVisible(not photo.isNull())

    def show_wait(self, message: str) -> None:
        """While the kiosk's cooldown runs, the call to action says how long to wait."""
        self._wait = message
        set_flag(self.cta, "waiting", bool(message))
        self.cta.setText(message or self.tr("Rate our service"))

    def show_scores(self, scores: BadgeScores) -> None:
        self.badge.show_scores(scores)

    def show_phone_rating(self, url: str | None) -> None:
        """Show the phone-rating QR for `url`, or hide it (no valid token)."""
        self.phone_qr.set_text(url or "")
        self.phone.setVisible(url is not None)

    def set_large_text(self, on: bool) -> None:
        self.large_text.blockSignals(True)
        self.large_text.setChecked(on)
        self.large_text.blockSignals(False)

    def retranslate(self) -> None:
        config = self._config
        self.hall.setText(config.hall_name)
        self.counter.setText(config.counter_name)
        duty = self._duty
        if duty is _UNSET:
            self.staff.setText(
                self.tr("Staff on duty: {name}  No. {number}").format(
                    name=config.staff.name, number=config.staff.number
                )
            )
        elif isinstance(duty, StaffMember):
            self.staff.setText(
                self.tr("Serving you: {name}  No. {number}").format(name=duty.name, number=duty.id)
            )
        else:
            self.staff.setText(self.tr("This counter is closed. Please go to another counter."))
        self.staff.setProperty("closed", duty is None)
        self.staff.style().unpolish(self.staff)
        self.staff.style().polish(self.staff)
        self.duty_button.setText(self.tr("Staff sign in") if duty is None else self.tr("Staff"))
        self.cta.setText(self._wait or self.tr("Rate our service"))
        # Each language's own name, so a reader of either can find the switch.
        self.language.setText("English" if self._localizer.language == "zh_CN" else "中文")
        self.large_text.setText(self.tr("Large text"))
        self.phone_caption.setText(self.tr("Scan to rate on your phone"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
