"""Wiring: the store, the window, the flow controller and the services between them."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer

from kiosk.config import ConfigError, KioskConfig, parse_listen
from kiosk.content import ServerContent
from kiosk.desk import ServiceDesk
from kiosk.device import DEVICE_KEY, app_version
from kiosk.links import StoreLinks
from kiosk.photos import StaffPhotos
from kiosk.queueapi import QueueApi
from kiosk.receipt.choose import printer_for
from kiosk.receipt.printer import Printer
from kiosk.store import Store
from kiosk.syncworker import SyncController
from kiosk.ui.application import make_application
from kiosk.ui.desk_bridge import DeskBridge
from kiosk.ui.flow import SETTINGS_KEY, FlowController
from kiosk.ui.i18n import TRANSLATIONS_DIR, Localizer
from kiosk.ui.keyboard_warmup import warm_up_keyboard
from kiosk.ui.printing import PrintQueue
from kiosk.ui.scores import LocalCounterScores, ServerFirstScores
from kiosk.ui.screens.admin import DeviceInfo
from kiosk.ui.services import Speaker
from kiosk.ui.simulate import SimulatedClock, Simulator
from kiosk.ui.speech import QtSpeaker, SilentSpeaker
from kiosk.ui.window import KioskWindow
from kiosk.watchdog import SystemdNotifier, Watchdog

log = logging.getLogger(__name__)

STORE_FILE = "kiosk.sqlite"


@dataclass
class Kiosk:
    """A running kiosk's parts, for `run`, the screenshots and the tests."""

    window: KioskWindow
    flow: FlowController
    localizer: Localizer
    store: Store
    sync: SyncController
    #: The badge's figures and the alert line: the server's while fresh, else the store's.
    scores: ServerFirstScores
    #: Who is on duty and the session under way; the queue API goes through it too.
    desk: ServiceDesk | None = None
    #: The queue system's local API, when the configuration names an address and a key.
    queue_api: QueueApi | None = None
    closed: bool = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.queue_api is not None:
            self.queue_api.stop()
        self.sync.stop()
        self.flow.shutdown()
        self.localizer.uninstall()
        self.window.allow_close()
        self.window.close()
        # Delete the widgets now, while the QApplication still exists.
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.store.close()


def effective_config(config: KioskConfig, store: Store) -> KioskConfig:
    """The file's configuration, what an admin saved on this device on top, and on top of
    all the counter this device is enrolled for: the server takes ratings only for it."""
    saved = store.get_setting(SETTINGS_KEY)
    if saved:
        try:
            config = config.with_overrides(saved)
        except ConfigError as exc:
            log.error("ignoring saved settings that no longer apply: %s", exc)
    device = store.get_setting(DEVICE_KEY)
    if device:
        config = config.with_overrides(
            {
                "hall_name": device["hall"]["name"],
                "counter_id": device["counter"]["id"],
                "counter_name": device["counter"]["name"],
            }
        )
    return config


def open_kiosk(
    config: KioskConfig,
    data_dir: Path,
    *,
    kiosk_mode: bool,
    speaker: Speaker | None = None,
    clock: Callable[[], float] = time.monotonic,
    translations_dir: Path = TRANSLATIONS_DIR,
    printer: Printer | None = None,
) -> Kiosk:
    """Build a kiosk on the store in `data_dir`. A QApplication must exist.

    `printer` replaces the receipt printer the configuration names (benchmarks and tests
    put a slow or failing one there)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(data_dir / STORE_FILE)
    # Whatever a crash left in flight goes back to the queue; the server dedupes by id.
    store.requeue_in_flight()
    config = effective_config(config, store)
    localizer = Localizer(translations_dir)
    localizer.switch(config.language)
    window = KioskWindow(kiosk_mode=kiosk_mode)
    if speaker is None:
        speaker = QtSpeaker() if config.speech else SilentSpeaker()
    scores = ServerFirstScores(store, LocalCounterScores(store), clock=time.time)
    printer = printer if printer is not None else printer_for(config.printer)
    sync = SyncController(store, retention_days=config.retention_days)
    holder: dict[str, FlowController] = {}
    # The desk reads the configuration the flow holds now (an admin may change it).
    desk = ServiceDesk(store, lambda: holder["flow"].config if holder else config)
    flow = FlowController(
        window,
        config=config,
        localizer=localizer,
        sink=store,
        scores=scores,
        status=store,
        settings=store,
        speaker=speaker,
        device=DeviceInfo(app_version=app_version(), data_dir=str(data_dir)),
        clock=clock,
        links=StoreLinks(store),
        printing=PrintQueue(printer) if printer is not None else None,
        sync=sync,
        desk=desk,
        photos=StaffPhotos.beside(store),
        content=ServerContent(store),
    )
    holder["flow"] = flow
    bridge = DeskBridge(desk, flow)
    # Desk changes come from the queue API's threads: handled on the GUI thread.
    bridge.deskChanged.connect(flow.desk_changed, Qt.ConnectionType.QueuedConnection)
    sync.setParent(flow)
    sync.photosFetched.connect(flow.refresh_duty)
    # The sync loop's answers go to the one owner of the screens.
    sync.finished.connect(flow.synced)
    sync.enrolled.connect(flow.enrolled)
    sync.exported.connect(flow.exported)
    queue_api = None
    if config.queue_api_listen and config.queue_api_key:
        host, port = parse_listen(config.queue_api_listen)
        try:
            queue_api = QueueApi(desk, host, port, config.queue_api_key)
        except OSError as exc:
            log.error("queue API not started on %s: %s", config.queue_api_listen, exc.strerror)
        else:
            queue_api.start()
    elif config.queue_api_listen:
        log.error("queue API not started: queue_api_key is not set")
    return Kiosk(
        window=window,
        flow=flow,
        localizer=localizer,
        store=store,
        sync=sync,
        scores=scores,
        desk=desk,
        queue_api=queue_api,
    )


#: After start-up, once the welcome screen is up and idle, the virtual keyboard is loaded.
KEYBOARD_WARMUP_MS = 2000


def schedule_keyboard_warmup(kiosk: Kiosk) -> None:
    """Load the on-screen keyboard soon after start, not when the first citizen taps
    "comment" (see kiosk.ui.keyboard_warmup)."""
    QTimer.singleShot(KEYBOARD_WARMUP_MS, kiosk.window, lambda: warm_up_keyboard(kiosk.window))


def run(
    config: KioskConfig,
    data_dir: Path,
    *,
    windowed: bool,
    simulate: int = 0,
    size: tuple[int, int] | None = None,
) -> int:
    """Run the kiosk until the admin exits it (or the simulation is done)."""
    app = make_application(sys.argv[:1])
    # A simulation moves its clock past the cooldown instead of waiting 15 s a rating.
    clock = SimulatedClock()
    kiosk = open_kiosk(
        config, data_dir, kiosk_mode=not windowed, clock=clock if simulate else time.monotonic
    )
    kiosk.flow.exitRequested.connect(app.quit)
    if size is not None:
        kiosk.window.resize(*size)
    elif windowed:
        kiosk.window.resize(1280, 800)
    kiosk.window.present()
    kiosk.sync.start()
    schedule_keyboard_warmup(kiosk)
    # Ready once the window is up and the store open: systemd starts counting from here.
    watchdog = Watchdog(SystemdNotifier(), parent=kiosk.flow)
    watchdog.ready()
    outcome = {"stored": 0}
    if simulate:
        simulator = Simulator(kiosk.flow, simulate, clock)

        def finished(stored: int) -> None:
            outcome["stored"] = stored
            # Qt 6 asks every window before quitting; a kiosk window says no unless told.
            kiosk.window.allow_close()
            app.quit()

        simulator.finished.connect(finished)
        simulator.start()
    code = app.exec()
    watchdog.stopping()
    kiosk.close()
    if simulate:
        print(f"simulated {simulate} ratings, {outcome['stored']} stored", flush=True)
        code = 0 if outcome["stored"] == simulate else 1
    return code


def exit_now(code: int) -> None:
    """Leave the process without Qt's teardown, once the store is closed.

    Qt Virtual Keyboard (6.11) aborts the process while the QApplication is destroyed
    ("QPixmap: Must construct a QGuiApplication before a QPixmap"), which would turn every
    clean exit into a crash for the service manager. Every rating is already durable on
    commit, so nothing is lost by skipping the teardown.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)
