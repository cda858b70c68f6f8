"""Shows what the sync thread did: the badge, the staff's alert line, the admin sync panel."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from kiosk.device import sync_status
from kiosk.store import Store, StoreError
from kiosk.syncworker import SyncController
from kiosk.ui.flow import FlowController, Screen
from kiosk.ui.scores import ServerFirstScores
from sync.client import SyncResult

log = logging.getLogger(__name__)


class SyncPresenter(QObject):
    """Connects the sync controller to the screens; holds no state of its own."""

    def __init__(
        self,
        flow: FlowController,
        sync: SyncController,
        store: Store,
        scores: ServerFirstScores,
    ) -> None:
        super().__init__(flow)
        self._flow = flow
        self._sync = sync
        self._store = store
        self._scores = scores
        panel = flow.admin.sync_panel
        flow.ratingStored.connect(lambda _id: sync.rating_recorded())
        flow.screenChanged.connect(self._screen_changed)
        panel.syncRequested.connect(self._sync_now)
        panel.enrollRequested.connect(self._enroll)
        panel.exportRequested.connect(self._export)
        sync.finished.connect(self._synced)
        sync.enrolled.connect(self._enrolled)
        sync.exported.connect(self._exported)
        self.refresh()

    def refresh(self) -> None:
        counter_id = self._flow.config.counter_id
        try:
            self._flow.welcome.show_alerts(self._scores.alerts(counter_id))
            self._flow.admin.sync_panel.show_status(sync_status(self._store))
        except StoreError as exc:
            log.warning("sync status not refreshed: store error %s", exc.reason)
            return
        if self._flow.current() is Screen.WELCOME:
            self._flow.refresh_scores()
            self._flow.refresh_phone_rating()

    def _screen_changed(self, name: str) -> None:
        if name in (Screen.ADMIN.value, Screen.WELCOME.value):
            self.refresh()

    def _synced(self, result: SyncResult) -> None:
        self.refresh()

    def _sync_now(self) -> None:
        self._flow.admin.sync_panel.show_note(self.tr("Syncing…"))
        self._sync.sync_now()

    def _enroll(self, server_url: str, code: str) -> None:
        panel = self._flow.admin.sync_panel
        if not server_url.startswith(("http://", "https://")):
            panel.show_note(self.tr("The server address starts with https://"))
            return
        if len(code.strip()) < 4:
            panel.show_note(self.tr("Enter the enrollment code the administrator gave you."))
            return
        panel.show_note(self.tr("Enrolling…"))
        self._sync.enroll(server_url, code)

    def _enrolled(self, ok: bool, message: str, identity: object) -> None:
        panel = self._flow.admin.sync_panel
        if not ok or not isinstance(identity, dict):
            panel.show_note(self.tr("Enrollment failed: {why}").format(why=message))
            return
        counter = identity["counter"]
        try:
            self._flow.adopt_enrollment(identity["hall"]["name"], counter["id"], counter["name"])
        except StoreError as exc:
            panel.show_note(self.tr("Enrollment failed: {why}").format(why=exc.message))
            return
        panel.code.clear()
        panel.show_note(self.tr("Enrolled for {counter}.").format(counter=counter["name"]))
        self.refresh()

    def _export(self, folder: str) -> None:
        self._flow.admin.sync_panel.show_note(self.tr("Exporting…"))
        self._sync.export(folder)

    def _exported(self, ok: bool, message: str) -> None:
        panel = self._flow.admin.sync_panel
        if ok:
            panel.show_note(self.tr("Exported {what}").format(what=message))
        else:
            panel.show_note(self.tr("Export failed: {why}").format(why=message))
        self.refresh()
