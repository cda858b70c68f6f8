"""Admin: device and store status, the settings staff may change, and "exit kiosk".

Written for hall IT, not developers: no file paths, no raw states. The staff on duty is
picked from the hall's staff list the server sends (typed in by hand only while the kiosk
has never synced)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QIntValidator, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import KioskConfig, Language
from kiosk.ui.services import AlertSummary, StaffEntry, StoreStatusLike
from kiosk.ui.widgets.flow_layout import FlowLayout
from kiosk.ui.widgets.sync_panel import SyncPanel


@dataclass(frozen=True)
class DeviceInfo:
    """What the admin screen shows about the device besides the store."""

    app_version: str
    data_dir: str


@dataclass(frozen=True)
class SettingsEdit:
    """What an admin saved. `new_pin` is None when the PIN field was left empty."""

    counter_id: str
    counter_name: str
    staff_id: str
    staff_name: str
    staff_number: str
    new_pin: str | None
    language: Language
    idle_s: int
    cooldown_s: int


class AdminScreen(QWidget):
    saved = Signal(SettingsEdit)
    closed = Signal()
    exitRequested = Signal()

    def __init__(self, info: DeviceInfo) -> None:
        super().__init__()
        self.setObjectName("adminScreen")
        self._info = info
        self._status: StoreStatusLike | None = None

        self.title = QLabel(self)
        self.title.setObjectName("screenTitle")
        self.back_button = QPushButton(self)
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.closed)
        self.exit_button = QPushButton(self)
        self.exit_button.setObjectName("exitButton")
        self.exit_button.clicked.connect(self.exitRequested)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back_button)
        top.addWidget(self.exit_button)

        body = QWidget()
        body.setObjectName("adminBody")
        self.status_heading = QLabel(body)
        self.status_heading.setProperty("kind", "heading")
        self.status = QLabel(body)
        self.status.setObjectName("adminStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        # For staff only: how many alerts of this counter are open and the nearest deadline.
        self.alerts = QLabel(body)
        self.alerts.setObjectName("staffAlerts")
        self.alerts.setWordWrap(True)
        self._alerts = AlertSummary(0, None)
        self.settings_heading = QLabel(body)
        self.settings_heading.setProperty("kind", "heading")

        self.form = QFormLayout()
        self.counter_id = QLineEdit(body)
        self.counter_name = QLineEdit(body)
        # The hall's staff from the server, one chip each: a tap picks who is on duty.
        self.staff_picker = QWidget(body)
        self.staff_picker.setObjectName("staffPicker")
        self._picker_flow = FlowLayout(self.staff_picker)
        self._staff_group = QButtonGroup(self)
        self._staff_group.setExclusive(True)
        self.staff_chips: dict[str, QPushButton] = {}
        self._staff_names: dict[str, str] = {}
        self.staff_id = QLineEdit(body)
        self.staff_name = QLineEdit(body)
        self.staff_number = QLineEdit(body)
        self.new_pin = QLineEdit(body)
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin.setValidator(QRegularExpressionValidator(r"\d{0,12}", self.new_pin))
        self.new_pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.idle_s = QLineEdit(body)
        self.cooldown_s = QLineEdit(body)
        for field in (self.idle_s, self.cooldown_s):
            field.setValidator(QIntValidator(0, 3600, field))
            field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.lang_zh = QPushButton("中文", body)
        self.lang_en = QPushButton("English", body)
        self.languages = QButtonGroup(self)
        lang_row = QHBoxLayout()
        for button in (self.lang_zh, self.lang_en):
            button.setCheckable(True)
            button.setProperty("kind", "chip")
            self.languages.addButton(button)
            lang_row.addWidget(button)
        lang_row.addStretch(1)
        self.labels: list[QLabel] = []
        for field_or_row in (
            self.counter_id,
            self.counter_name,
            self.staff_picker,
            self.staff_id,
            self.staff_name,
            self.staff_number,
            self.new_pin,
            lang_row,
            self.idle_s,
            self.cooldown_s,
        ):
            label = QLabel(body)
            self.labels.append(label)
            self.form.addRow(label, field_or_row)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.save_button = QPushButton(body)
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self._save)
        self.saved_note = QLabel(body)
        self.saved_note.setObjectName("hint")
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.saved_note, 1)

        column = QVBoxLayout(body)
        column.addWidget(self.status_heading)
        column.addWidget(self.alerts)
        column.addWidget(self.status)
        self.sync_panel = SyncPanel(body)
        column.addWidget(self.sync_panel)
        column.addWidget(self.settings_heading)
        column.addLayout(self.form)
        column.addLayout(save_row)
        column.addStretch(1)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(body)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(
            self.scroll_area.viewport(), QScroller.ScrollerGestureType.TouchGesture
        )

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)
        self.show_staff_choices((), "")
        self.retranslate()

    def show_config(self, config: KioskConfig) -> None:
        self.counter_id.setText(config.counter_id)
        self.counter_name.setText(config.counter_name)
        self.staff_id.setText(config.staff.id)
        self.staff_name.setText(config.staff.name)
        self.staff_number.setText(config.staff.number)
        self._check_staff_chip()
        self.new_pin.clear()
        (self.lang_zh if config.language == "zh_CN" else self.lang_en).setChecked(True)
        self.idle_s.setText(str(round(config.idle_s)))
        self.cooldown_s.setText(str(round(config.cooldown_s)))
        self.saved_note.setText("")
        self.scroll_area.verticalScrollBar().setValue(0)

    def show_staff_choices(self, staff: Sequence[StaffEntry], counter_id: str) -> None:
        """Offer the hall's staff (this counter's first) to pick the one on duty from; with
        no list yet, the id and name are typed in."""
        for button in self.staff_chips.values():
            self._staff_group.removeButton(button)
            self._picker_flow.removeWidget(button)
            button.deleteLater()
        self.staff_chips = {}
        ordered = sorted(staff, key=lambda m: (m.counter_id != counter_id, m.name))
        for member in ordered:
            button = QPushButton(member.name, self.staff_picker)
            button.setCheckable(True)
            button.setProperty("kind", "chip")
            button.setObjectName(f"staff_{member.id}")
            button.clicked.connect(lambda _=False, m=member.id: self._pick_staff(m))
            self._staff_group.addButton(button)
            self._picker_flow.addWidget(button)
            self.staff_chips[member.id] = button
        self._staff_names = {m.id: m.name for m in staff}
        listed = bool(self.staff_chips)
        self.form.setRowVisible(2, listed)
        self.form.setRowVisible(3, not listed)
        self.form.setRowVisible(4, not listed)
        self._check_staff_chip()

    def _pick_staff(self, staff_id: str) -> None:
        self.staff_id.setText(staff_id)
        self.staff_name.setText(self._staff_names[staff_id])

    def _check_staff_chip(self) -> None:
        chip = self.staff_chips.get(self.staff_id.text())
        if chip is not None:
            chip.setChecked(True)

    def show_status(self, status: StoreStatusLike) -> None:
        self._status = status
        self._show_status()

    def show_alerts(self, summary: AlertSummary) -> None:
        self._alerts = summary
        self._show_alerts()

    def _show_alerts(self) -> None:
        summary = self._alerts
        if summary.open == 0:
            self.alerts.setText(self.tr("Open alerts for this counter: none"))
            return
        text = self.tr("Open alerts for staff: {n}").format(n=summary.open)
        if summary.nearest_due is not None:
            due = summary.nearest_due.astimezone().strftime("%m-%d %H:%M")
            text += "  ·  " + self.tr("nearest deadline {due}").format(due=due)
        self.alerts.setText(text)

    def show_saved(self, ok: bool, problem: str = "") -> None:
        self.saved_note.setText(
            self.tr("Saved.") if ok else self.tr("Not saved: {problem}").format(problem=problem)
        )

    def _save(self) -> None:
        def number(field: QLineEdit, fallback: int) -> int:
            text = field.text().strip()
            return int(text) if text.isdigit() else fallback

        self.saved.emit(
            SettingsEdit(
                counter_id=self.counter_id.text().strip(),
                counter_name=self.counter_name.text().strip(),
                staff_id=self.staff_id.text().strip(),
                staff_name=self.staff_name.text().strip(),
                staff_number=self.staff_number.text().strip(),
                new_pin=self.new_pin.text() or None,
                language="en" if self.lang_en.isChecked() else "zh_CN",
                idle_s=number(self.idle_s, 60),
                cooldown_s=number(self.cooldown_s, 15),
            )
        )

    def _show_status(self) -> None:
        info = self._info
        lines = [
            self.tr("App version: {v}").format(v=info.app_version),
        ]
        status = self._status
        if status is not None:
            lines += [
                self.tr("Rating content version: {v}").format(v=status.content_version),
                self.tr("Ratings stored: {n}").format(n=status.ratings),
                self.tr("Waiting to upload: {n}").format(n=status.pending),
                self.tr("Refused by the server (kept here): {n}").format(n=status.dead),
                self.tr("Last error: {error}").format(error=status.last_error or self.tr("none")),
            ]
        # Plain text: a last error may hold anything and must not be read as markup.
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setText("\n".join(lines))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Kiosk administration"))
        self.back_button.setText(self.tr("Back"))
        self.exit_button.setText(self.tr("Exit kiosk"))
        self.status_heading.setText(self.tr("Status"))
        self.settings_heading.setText(self.tr("Settings"))
        self._show_alerts()
        texts = [
            self.tr("Counter id"),
            self.tr("Counter name"),
            self.tr("Staff on duty"),
            self.tr("Staff id"),
            self.tr("Staff name"),
            self.tr("Staff number"),
            self.tr("New PIN"),
            self.tr("Language"),
            self.tr("Idle timeout (s)"),
            self.tr("Cooldown (s)"),
        ]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.new_pin.setPlaceholderText(self.tr("leave empty to keep"))
        self.save_button.setText(self.tr("Save"))
        self._show_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
