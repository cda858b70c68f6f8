"""systemd's service notifications: READY once the kiosk shows, WATCHDOG pings from the event loop.

The pings come from a timer on the GUI thread, so they stop when the event loop stops: a
kiosk frozen on a deadlock or an endless loop misses its `WatchdogSec=` and systemd kills
and restarts it, which a kiosk whose process merely stays alive would never get.

The protocol is sd_notify(3): a datagram of `KEY=value` lines to the unix socket named in
`NOTIFY_SOCKET` (a leading `@` means the abstract namespace). Without that variable (a kiosk
started by hand, on Windows, in tests) everything here does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends sd_notify datagrams. Plain Python: no Qt, no dependency."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):
            address = "\0" + address[1:]
        self.address = address or None
        self.watchdog_s = self._watchdog_interval(env)
        self._socket: socket.socket | None = None
        self._failed = False

    @staticmethod
    def _watchdog_interval(env: Mapping[str, str]) -> float | None:
        """WatchdogSec= in seconds when systemd set it for this process, else None."""
        usec = env.get("WATCHDOG_USEC")
        pid = env.get("WATCHDOG_PID")
        # The watchdog is ours when systemd started us, or when it started our parent: the
        # kiosk session runs the kiosk as the child of the cage compositor (NotifyAccess=all).
        if not usec or (pid and pid not in (str(os.getpid()), str(os.getppid()))):
            return None
        try:
            value = int(usec)
        except ValueError:
            return None
        return value / 1_000_000 if value > 0 else None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """Send `fields` ("READY=1", "STATUS=...") as one datagram; False when not sent."""
        if self.address is None or self._failed:
            return False
        try:
            if self._socket is None:
                kind = socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                self._socket = socket.socket(socket.AF_UNIX, kind)
            self._socket.sendto("\n".join(fields).encode(), self.address)
        except OSError as exc:
            # Logged once: a service manager that went away is not worth a line a second.
            log.warning("sd_notify to %r failed (%s); no more notifications", self.address, exc)
            self._failed = True
            self.close()
            return False
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


class Watchdog(QObject):
    """Tells systemd the kiosk is up, then pings at half the watchdog interval from the
    thread it lives in (the GUI thread)."""

    def __init__(self, notifier: SystemdNotifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._ping)

    def ready(self, status: str = "showing the welcome screen") -> None:
        """Send READY=1 and start pinging if systemd asked for a watchdog."""
        if not self.notifier.enabled:
            return
        self.notifier.notify("READY=1", f"STATUS={status}")
        if self.notifier.watchdog_s is not None:
            self._timer.start(max(1, int(self.notifier.watchdog_s * 1000 / 2)))
            log.info("systemd watchdog: pinging every %.1f s", self.notifier.watchdog_s / 2)

    def stopping(self) -> None:
        """Stop pinging and tell systemd the exit is on purpose."""
        self._timer.stop()
        self.notifier.notify("STOPPING=1")
        self.notifier.close()

    def _ping(self) -> None:
        self.notifier.notify("WATCHDOG=1")
