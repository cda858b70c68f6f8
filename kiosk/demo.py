"""`make demo`: the whole product on its embedded defaults, on this machine.

The scoring server runs on a SQLite file with the demo hall (six counters, 30 days of
history), the kiosk is enrolled for counter c01 and opens in a window connected to it, so
scores and alerts flow within the first minute. Receipts are "printed" as PDF files into
var/demo/receipts/. Everything lives under the repository's git-ignored var/demo/; delete
that folder to start over.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from kiosk.device import DEVICE_KEY, enroll_device
from kiosk.store import Store

ROOT = Path(__file__).resolve().parents[1] / "var" / "demo"
SERVER_DB = ROOT / "server.sqlite"
KIOSK_DIR = ROOT / "kiosk"
KIOSK_CONFIG = ROOT / "kiosk.toml"
PORT = 8765
COUNTER = "c01"
SECRET = "demo-secret-key-not-for-production"


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _server_cli(*args: str) -> str:
    from server.cli import main as server_cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = server_cli(["--database-url", f"sqlite:///{SERVER_DB}", *args])
    if code != 0:
        raise SystemExit(f"demo: hallrate-server {' '.join(args)} failed ({code})")
    return out.getvalue()


def start_server(port: int) -> subprocess.Popen[bytes]:
    if not SERVER_DB.exists():
        print("demo: building the demo hall (30 days of history, about 15 s)…", flush=True)
        print(_server_cli("demo").strip(), flush=True)
    env = dict(os.environ, HALLRATE_ENVIRONMENT="development", HALLRATE_SECRET_KEY=SECRET)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "hallrate-server"),
            "--database-url",
            f"sqlite:///{SERVER_DB}",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"demo: the server exited with {server.returncode}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("demo: the server did not start within 30 s")


def connect_kiosk(url: str) -> None:
    """Enroll the demo kiosk once; on later runs point it at this run's address."""
    store = Store.open(KIOSK_DIR / "kiosk.sqlite")
    try:
        device = store.get_setting(DEVICE_KEY)
        if device is None:
            made = _server_cli("enroll-code", "--counter", COUNTER, "--no-qr")
            code = re.search(rf"counter {COUNTER}: (\S+)", made)
            assert code is not None
            enroll_device(store, url, code.group(1))
            print(f"demo: kiosk enrolled for counter {COUNTER}", flush=True)
        elif device["server_url"] != url:
            store.set_setting(DEVICE_KEY, {**device, "server_url": url})
    finally:
        store.close()


def kiosk_config() -> list[str]:
    """`--config` for a demo kiosk that prints its receipts as PDF files, unless the
    command line names a configuration of its own."""
    if "--config" in sys.argv[1:]:
        return []
    if not KIOSK_CONFIG.exists():
        KIOSK_CONFIG.write_text(
            '[printer]\nkind = "pdf"\nwidth_mm = 58\npdf_dir = "receipts"\n', encoding="utf-8"
        )
    return ["--config", str(KIOSK_CONFIG)]


def demo() -> int:
    ROOT.mkdir(parents=True, exist_ok=True)
    port = PORT if _free(PORT) else 0
    if port == 0:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        connect_kiosk(url)
        print(
            f"demo: console {url}/ (sign in as admin, manager, supervisor, auditor or "
            f"inspector, password 'demo-password'); kiosk admin PIN 123456 (hold the hall "
            f"logo 5 s)",
            flush=True,
        )
        # A process of its own: the kiosk leaves without Qt's teardown (kiosk.app.exit_now),
        # and the server must be stopped after it whatever happens.
        kiosk = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "--windowed",
                "--data-dir",
                str(KIOSK_DIR),
                *kiosk_config(),
                *sys.argv[1:],
            ],
            check=False,
        )
        return kiosk.returncode
    except KeyboardInterrupt:
        return 130
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(demo())
