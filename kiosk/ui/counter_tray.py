"""The tray icon of `hallrate-counter`: the staff PC's buttons for the kiosk at its counter.

Start service, 请评价 (finish and invite the rating, one per outcome), cancel, and the
status as a tooltip. Each action is one short request to the kiosk's queue API; its
answer (or the kiosk's error message) shows as a tray message.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from kiosk.counterclient import CounterClient, CounterError
from kiosk.ui.screens.welcome import LOGO


class CounterTray:
    """The menu and its actions; `act` is what a menu entry runs (tests call it too)."""

    def __init__(self, client: CounterClient, tray: QSystemTrayIcon) -> None:
        self.client = client
        self.tray = tray
        self.menu = QMenu()
        self.last_message = ""
        self._add("开始服务 Start service", lambda: client.start())
        self._add("请评价 · 办结 Please rate (done)", lambda: client.please_rate("one_visit"))
        self._add(
            "请评价 · 需再次办理 Please rate (come again)",
            lambda: client.please_rate("another_visit"),
        )
        self._add("请评价 · 转办 Please rate (referred)", lambda: client.please_rate("referred"))
        self._add("取消 Cancel", lambda: client.cancel())
        self.menu.addSeparator()
        self._add("签退 Sign out", lambda: client.sign_out())
        quit_action = QAction("退出 Quit", self.menu)
        quit_action.triggered.connect(QCoreApplication.quit)
        self.menu.addAction(quit_action)
        tray.setContextMenu(self.menu)
        self.refresh()

    def _add(self, label: str, work: Callable[[], Any]) -> None:
        action = QAction(label, self.menu)
        action.triggered.connect(lambda: self.act(label, work))
        self.menu.addAction(action)

    def act(self, label: str, work: Callable[[], Any]) -> bool:
        try:
            work()
        except CounterError as exc:
            self._say(f"{label}: {exc.message}", QSystemTrayIcon.MessageIcon.Warning)
            return False
        self._say(f"{label}: OK", QSystemTrayIcon.MessageIcon.Information)
        self.refresh()
        return True

    def refresh(self) -> None:
        try:
            status = self.client.status()
        except CounterError as exc:
            self.tray.setToolTip(f"hallrate: {exc.message}")
            return
        duty = status.get("staff_on_duty")
        current = status.get("open_session")
        self.tray.setToolTip(
            f"{status.get('counter_id')}: "
            + (f"{duty['name']}" if duty else "closed")
            + (f" · {current.get('ticket') or 'serving'}" if current else "")
        )

    def _say(self, text: str, icon: QSystemTrayIcon.MessageIcon) -> None:
        self.last_message = text
        self.tray.showMessage("hallrate", text, icon, 3000)


def run_tray(client: CounterClient) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    if not QSystemTrayIcon.isSystemTrayAvailable():
        print(
            "hallrate-counter: this desktop has no system tray; use the commands", file=sys.stderr
        )
        return 1
    tray = QSystemTrayIcon(QIcon(str(LOGO)))
    counter = CounterTray(client, tray)
    tray.show()
    timer = QTimer()
    timer.timeout.connect(counter.refresh)
    timer.start(10_000)
    return app.exec()
