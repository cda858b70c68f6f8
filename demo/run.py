"""`make demo`: the whole product on its embedded defaults, on this machine.

The scoring server runs on a SQLite file with the demo hall (six counters, 30 days of
history). Where there is a display, a kiosk enrolled for counter c01 opens in a window
connected to it; where there is none (ssh, CI), a simulated kiosk for counter c02 rates
every few seconds through the real sync path instead. Either way the addresses a person
would open are printed: the console, the API docs, a phone rating page and a receipt page.

Everything lives under the repository's git-ignored var/demo/ (or `HALLRATE_DEMO_DIR`);
delete that folder to start over. Ctrl+C stops every process the demo started.

    python -m demo [--headless] [--lan] [--port N] [kiosk arguments…]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import requests

from demo.simulated_kiosk import LAST_RECEIPT
from kiosk.device import DEVICE_KEY, client_factory, enroll_device
from kiosk.links import StoreLinks
from kiosk.store import Store

DEFAULT_ROOT = Path(__file__).resolve().parents[1] / "var" / "demo"
DEFAULT_PORT = 8765
WINDOW_COUNTER = "c01"
SIMULATED_COUNTER = "c02"
#: The demo kiosks' queue API key, and where the window kiosk's API listens.
QUEUE_KEY = "demo-queue-key-not-for-production"
WINDOW_QUEUE_API = "http://127.0.0.1:8775"
DEMO_PASSWORD = "demo-password"
DEMO_USERS = ("admin", "manager", "supervisor", "auditor", "inspector")
#: The demo runs the server in its explicit development mode with this secret; the server
#: warns that it is not fit for production.
SECRET = "demo-secret-key-not-for-production"


class DemoError(Exception):
    """A reason the demo cannot go on, said in one line."""


def say(text: str) -> None:
    print(f"demo: {text}", flush=True)


class Demo:
    def __init__(self, root: Path, port: int, public_url: str | None, host: str) -> None:
        self.root = root
        self.port = port
        self.host = host
        self.public_url = public_url
        self.server_db = root / "server.sqlite"
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- the server -------------------------------------------------------------------

    def server_cli(self, *args: str) -> str:
        from server.cli import main as server_cli

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = server_cli(["--database-url", f"sqlite:///{self.server_db}", *args])
        if code != 0:
            raise DemoError(f"hallrate-server {' '.join(args)} failed ({code})")
        return out.getvalue()

    def server_env(self) -> dict[str, str]:
        env = dict(os.environ, HALLRATE_ENVIRONMENT="development", HALLRATE_SECRET_KEY=SECRET)
        if self.public_url:
            env["HALLRATE_PUBLIC_URL"] = self.public_url
        return env

    def start_server(self) -> None:
        if not self.server_db.exists():
            say("building the demo hall (30 days of history, about 15 s)…")
            with _env(self.server_env()):
                say(self.server_cli("demo").strip())
        server = self.spawn(
            [
                str(Path(sys.executable).parent / "hallrate-server"),
                "--database-url",
                f"sqlite:///{self.server_db}",
                "serve",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            env=self.server_env(),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise DemoError(f"the server exited with {server.returncode}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            time.sleep(0.1)
        raise DemoError("the server did not start within 30 s")

    def spawn(
        self, argv: Sequence[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(list(argv), env=env)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        """Stop every process the demo started, the newest first, and wait for each."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # -- kiosks -----------------------------------------------------------------------

    def enrollment_code(self, counter: str) -> str:
        made = self.server_cli("enroll-code", "--counter", counter, "--no-qr")
        code = re.search(rf"counter {counter}: (\S+)", made)
        if code is None:
            raise DemoError(f"no enrollment code for counter {counter}")
        return code.group(1)

    def connect_window_kiosk(self, data_dir: Path) -> None:
        """Enroll the window kiosk once; on later runs point it at this run's address. One
        sync before the window opens brings its phone-rating grant, to print its page."""
        store = Store.open(data_dir / "kiosk.sqlite")
        try:
            device = store.get_setting(DEVICE_KEY)
            if device is None:
                enroll_device(store, self.url, self.enrollment_code(WINDOW_COUNTER))
                say(f"kiosk enrolled for counter {WINDOW_COUNTER}")
            elif device["server_url"] != self.url:
                store.set_setting(DEVICE_KEY, {**device, "server_url": self.url})
            client = client_factory(store)
            if client is not None:
                client.run_once(force=True)
        finally:
            store.close()

    def start_simulated_kiosk(self, data_dir: Path, every_s: float) -> None:
        """The headless kiosk with its queue API, and the simulated queue system driving it."""
        queue_port = free_port(0)
        args = [
            "--data-dir",
            str(data_dir),
            "--server",
            self.url,
            "--queue-port",
            str(queue_port),
            "--queue-key",
            QUEUE_KEY,
        ]
        store = Store.open(data_dir / "kiosk.sqlite")
        try:
            device = store.get_setting(DEVICE_KEY)
            if device is None:
                args += ["--code", self.enrollment_code(SIMULATED_COUNTER)]
            elif device["server_url"] != self.url:
                store.set_setting(DEVICE_KEY, {**device, "server_url": self.url})
        finally:
            store.close()
        self.spawn([sys.executable, "-m", "demo.simulated_kiosk", *args])
        self.start_simulated_queue(f"http://127.0.0.1:{queue_port}", every_s)

    def start_simulated_queue(self, kiosk_api: str, every_s: float) -> None:
        """The hall's queue system, simulated, calling citizens to the kiosk's counter."""
        self.spawn(
            [
                sys.executable,
                "-m",
                "demo.simulated_queue",
                "--kiosk",
                kiosk_api,
                "--key",
                QUEUE_KEY,
                "--every",
                str(every_s),
            ]
        )

    def print_addresses(self, kiosk_dir: Path) -> None:
        public = self.public_url or self.url
        lines = [
            f"console      {public}/  (users {', '.join(DEMO_USERS)}; password '{DEMO_PASSWORD}')",
            f"API docs     {public}/docs  and  {public}/redoc",
            f"health       {public}/healthz",
        ]
        phone, receipt = _kiosk_links(kiosk_dir, time.time())
        lines.append(f"phone rating {phone or '(appears after the kiosk first syncs)'}")
        lines.append(f"receipt page {receipt or '(shown as a QR on the kiosk after each rating)'}")
        say("open these:\n  " + "\n  ".join(lines))


def _kiosk_links(kiosk_dir: Path, now_ts: float) -> tuple[str | None, str | None]:
    """The kiosk's current phone-rating page and the receipt page of its last rating."""
    path = kiosk_dir / "kiosk.sqlite"
    if not path.exists():
        return None, None
    store = Store.open(path)
    try:
        links = StoreLinks(store)
        grant = links.phone_rating(now_ts)
        last = store.get_setting(LAST_RECEIPT)
        return (
            grant.url if grant else None,
            links.receipt_url(last) if last is not None else None,
        )
    finally:
        store.close()


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def lan_address() -> str:
    """This machine's address on its local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        if preferred and s.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--headless", action="store_true", help="a simulated kiosk, no window")
    parser.add_argument(
        "--lan",
        action="store_true",
        help="serve on all interfaces; QR codes point at this machine's LAN address "
        "(HALLRATE_PUBLIC_URL, when set, wins)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 for any free port")
    parser.add_argument("--every", type=float, default=5.0, help="simulated kiosk's pace (s)")
    args, kiosk_args = parser.parse_known_args(argv)

    root = Path(os.environ.get("HALLRATE_DEMO_DIR") or DEFAULT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    port = free_port(args.port)
    public_url = os.environ.get("HALLRATE_PUBLIC_URL")
    if args.lan and not public_url:
        public_url = f"http://{lan_address()}:{port}"
    demo = Demo(root, port, public_url, "0.0.0.0" if args.lan else "127.0.0.1")
    headless = args.headless or not has_display()
    if headless and not args.headless:
        say("no display (DISPLAY/WAYLAND_DISPLAY unset): a simulated kiosk rates instead")
    # SIGTERM (a service manager, a test) ends the demo as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: _raise_interrupt())
    try:
        demo.start_server()
        if headless:
            kiosk_dir = root / "simulated-kiosk"
            demo.start_simulated_kiosk(kiosk_dir, args.every)
            _wait_for_first_sync(kiosk_dir)
            demo.print_addresses(kiosk_dir)
            say("ratings arrive every few seconds; Ctrl+C stops everything")
            while all(p.poll() is None for p in demo.processes):
                time.sleep(0.5)
            raise DemoError("a demo process stopped on its own")
        kiosk_dir = root / "kiosk"
        demo.connect_window_kiosk(kiosk_dir)
        demo.print_addresses(kiosk_dir)
        say("kiosk admin PIN 123456 (hold the hall logo 5 s); close the kiosk to stop")
        config_args = _kiosk_config(root, kiosk_args)
        if config_args:
            say(f"a simulated queue system calls citizens to the kiosk ({WINDOW_QUEUE_API})")
            demo.start_simulated_queue(WINDOW_QUEUE_API, max(args.every, 8.0))
        # A process of its own: the kiosk leaves without Qt's teardown (kiosk.app.exit_now).
        kiosk = demo.spawn(
            [
                sys.executable,
                "-m",
                "kiosk",
                "--windowed",
                "--data-dir",
                str(kiosk_dir),
                *config_args,
                *kiosk_args,
            ]
        )
        return kiosk.wait()
    except KeyboardInterrupt:
        say("stopping")
        return 130
    except DemoError as exc:
        say(str(exc))
        return 1
    finally:
        demo.stop_all()


def _raise_interrupt() -> None:
    raise KeyboardInterrupt


def _wait_for_first_sync(kiosk_dir: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _kiosk_links(kiosk_dir, time.time())[1] is not None:
            return
        time.sleep(0.2)


def _kiosk_config(root: Path, kiosk_args: Sequence[str]) -> list[str]:
    """`--config` for a demo kiosk that prints its receipts as PDF files, unless the
    command line names a configuration of its own."""
    if "--config" in kiosk_args:
        return []
    config = root / "kiosk.toml"
    if not config.exists() or "queue_api_listen" not in config.read_text(encoding="utf-8"):
        host, _, port = WINDOW_QUEUE_API.removeprefix("http://").partition(":")
        config.write_text(
            f'[kiosk]\nqueue_api_listen = "{host}:{port}"\nqueue_api_key = "{QUEUE_KEY}"\n'
            'hotline = "12345"\n\n'
            '[printer]\nkind = "pdf"\nwidth_mm = 58\npdf_dir = "receipts"\n',
            encoding="utf-8",
        )
    return ["--config", str(config)]
