"""The service desk's events as a Qt signal on the GUI thread.

The desk calls its listeners in whatever thread made the change (the queue API's HTTP
threads); `deskChanged` is emitted there, and a queued connection delivers it to the flow
controller on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.desk import DeskEvent, ServiceDesk


class DeskBridge(QObject):
    deskChanged = Signal(object)  # DeskEvent

    def __init__(self, desk: ServiceDesk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        desk.subscribe(self._tell)

    def _tell(self, event: DeskEvent) -> None:
        self.deskChanged.emit(event)
