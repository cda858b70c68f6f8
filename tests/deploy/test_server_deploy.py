"""Server deployment as deploy/server/ describes it: the sample nginx configuration passes
`nginx -t` and carries a kiosk's sync over TLS; the systemd units verify; the PostgreSQL
set-up script, the backup script and the restore script work on a real cluster, and a
restored database holds every rating and takes the kiosk's next sync without a gap."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
import requests

from kiosk.device import client_factory, enroll_device
from kiosk.store import Store
from tests.support.pgcluster import SUPERUSER, PgCluster, free_port, start_cluster
from tests.support.system import COUNTER, LiveServer

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SERVER = DEPLOY / "server"
VerifyUnits = Callable[[list[Path], dict[str, str]], str]
SCORES = {"attitude": 5, "efficiency": 4, "process": 4, "environment": 5, "overall": 5}
LOW = {"attitude": 1, "efficiency": 2, "process": 2, "environment": 3, "overall": 1}


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def nginx_config(tmp_path: Path, site: str) -> Path:
    """A whole nginx.conf around the sample site, everything of nginx's own in tmp."""
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log {tmp_path}/access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return conf


def sample_site(cert: Path, key: Path) -> str:
    site = (SERVER / "nginx-hallrate.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/hallrate/fullchain.pem", str(cert))
    return site.replace("/etc/ssl/hallrate/privkey.pem", str(key))


def nginx_t(conf: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_sample_nginx_configuration_passes_nginx_t(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    conf = nginx_config(tmp_path, sample_site(cert, key))
    result = nginx_t(conf, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "test is successful" in result.stderr


def test_nginx_t_catches_a_broken_configuration(tmp_path: Path) -> None:
    # the check above would be worthless if nginx -t passed anything
    cert, key = self_signed(tmp_path)
    broken = sample_site(cert, key).replace("proxy_pass http://hallrate_api;", "proxy_pass;", 1)
    result = nginx_t(nginx_config(tmp_path, broken), tmp_path)
    assert result.returncode != 0


@pytest.fixture
def nginx(tmp_path: Path, live_server: LiveServer) -> Iterator[tuple[str, str, Path]]:
    """nginx running the sample site on free ports in front of the live server; its https
    and http base addresses and the certificate to trust."""
    folder = tmp_path / "nginx"
    folder.mkdir()
    cert, key = self_signed(folder)
    https, http = free_port(), free_port()
    site = sample_site(cert, key)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)  # no IPv6 needed on loopback
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{live_server.port}")
    conf = nginx_config(folder, site)
    process = subprocess.Popen(
        ["nginx", "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"https://127.0.0.1:{https}/healthz", verify=str(cert), timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None:
                    log = (folder / "error.log").read_text(encoding="utf-8")
                    raise AssertionError(f"nginx exited: {log}") from None
                time.sleep(0.05)  # polling a port: there is no signal to await
        yield f"https://127.0.0.1:{https}", f"http://127.0.0.1:{http}", cert
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)


def test_a_kiosk_enrolls_and_syncs_through_nginx_over_tls(
    tmp_path: Path,
    live_server: LiveServer,
    nginx: tuple[str, str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    https, http, cert = nginx
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
    try:
        identity = enroll_device(store, https, live_server.enroll_code())
        for i in range(30):
            store.record_rating(counter_id=COUNTER, scores=LOW if i % 10 == 0 else SCORES)
        client = client_factory(store)
        assert client is not None
        for _ in range(10):
            if client.run_once(force=True).state == "idle":
                break
        assert store.status().pending == 0
    finally:
        store.close()
    assert len(live_server.ratings(identity["device_id"])) == 30
    # health through the proxy; metrics only from inside; plain http goes to https
    assert requests.get(f"{https}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{https}/metrics", timeout=5).status_code == 200  # from 127.0.0.1
    redirect = requests.get(f"{http}/healthz", allow_redirects=False, timeout=5)
    assert redirect.status_code == 308
    assert redirect.headers["Location"].startswith("https://")


def test_the_example_settings_are_server_settings_and_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from server.settings import Settings

    lines = (SERVER / "server.env.example").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    # Settings ignores unknown variables, so a misspelt one would silently do nothing.
    fields = Settings.model_fields
    unknown = {k for k in values if k.removeprefix("HALLRATE_").lower() not in fields}
    assert unknown == set()
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.environment == "production"
    assert settings.database_url.startswith("postgresql+psycopg://")


def test_server_units_pass_systemd_analyze_verify(verify_units: VerifyUnits) -> None:
    complaints = verify_units(
        [
            SERVER / "hallrate-server.service",
            SERVER / "hallrate-backup.service",
            SERVER / "hallrate-backup.timer",
        ],
        {
            "/opt/hallrate/venv/bin/hallrate-server": "hallrate-server",
            "/opt/hallrate/deploy/server/hallrate-backup.sh": "hallrate-backup.sh",
        },
    )
    assert complaints == ""


# -- PostgreSQL: set-up, backup, restore --------------------------------------------------


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    started = start_cluster(fast=True)
    try:
        yield started
    finally:
        started.stop()


def pg_env(cluster: PgCluster, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(cluster.port),
        "PGUSER": SUPERUSER,
        **more,
    }


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """What a restore must bring back: every rating as stored, alerts, devices, halls."""
    return {
        "ratings": rows(
            url,
            "SELECT id, seq, device_id, counter_id, attitude, efficiency, "
            "process, environment, overall, weighted_score, reasons, comment, "
            "content_hash, created_at FROM ratings ORDER BY id",
        ),
        "alerts": rows(url, "SELECT id, rating_id, state, due_at FROM alerts ORDER BY id"),
        "devices": rows(url, "SELECT id, token_hash, highest_seq FROM devices ORDER BY id"),
        "counters": rows(url, "SELECT id, hall_id, name FROM counters ORDER BY id"),
    }


@pytest.mark.postgres
@pytest.mark.slow
def test_backup_then_restore_into_a_new_database_keeps_every_rating_and_syncs_on(
    tmp_path: Path, cluster: PgCluster
) -> None:
    # The set-up script, with our own role name: the throwaway cluster's superuser is
    # already called hallrate.
    setup = (SERVER / "postgresql.sql").read_text(encoding="utf-8")
    setup = re.sub(r"\bhallrate\b", "hr", setup).replace("hallrate_reports", "hr_reports")
    (tmp_path / "setup.sql").write_text(setup, encoding="utf-8")
    subprocess.run(
        [
            "psql",
            "--set=ON_ERROR_STOP=1",
            "-v",
            "password='app-secret'",
            "-d",
            "postgres",
            "-f",
            str(tmp_path / "setup.sql"),
        ],
        env=pg_env(cluster),
        check=True,
        capture_output=True,
        timeout=60,
    )
    url = f"postgresql+psycopg://hr:app-secret@127.0.0.1:{cluster.port}/hr"
    (tmp_path / "server").mkdir()
    server = LiveServer(tmp_path / "server", db_url=url)  # hallrate-server init, a hall
    server.start()
    store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
    try:
        device_id = enroll_device(store, server.url, server.enroll_code())["device_id"]
        client = client_factory(store)
        assert client is not None
        for i in range(120):
            store.record_rating(
                counter_id=COUNTER,
                scores=LOW if i % 8 == 0 else SCORES,
                comment="窗口人员很耐心" if i % 5 == 0 else "",
            )
        while client.run_once(force=True).state != "idle":
            pass
        before = snapshot(url)
        assert len(before["ratings"]) == 120
        assert len(before["alerts"]) == 15  # every low score raised one

        backups = tmp_path / "backups"
        backup = subprocess.run(
            [str(SERVER / "hallrate-backup.sh")],
            env=pg_env(cluster, PGDATABASE="hr", BACKUP_DIR=str(backups)),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert backup.returncode == 0, backup.stderr
        dumps = list(backups.iterdir())
        assert [d.suffix for d in dumps] == [".dump"], "one whole dump, no partial file"

        # Ratings keep arriving after the backup; they are what a restore loses, which is
        # why backups are nightly and the kiosks keep what they sent (below).
        restore = subprocess.run(
            [str(SERVER / "hallrate-restore.sh"), str(dumps[0]), "hr_restored", "hr"],
            env=pg_env(cluster),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert restore.returncode == 0, restore.stderr
        assert "120 ratings" in restore.stdout
        restored = url.rsplit("/", 1)[0] + "/hr_restored"
        assert snapshot(restored) == before

        # The server runs on the restored database and the kiosk syncs on, seq unbroken.
        server.stop()
        server.db_url = restored
        server.start()
        for _ in range(5):
            store.record_rating(counter_id=COUNTER, scores=SCORES)
        while client.run_once(force=True).state != "idle":
            pass
        with closing(sqlite3.connect(store.path)) as conn:
            on_kiosk = sorted((r[0], r[1]) for r in conn.execute("SELECT id, seq FROM ratings"))
        assert sorted(server.ratings(device_id)) == on_kiosk
        assert server.device_gaps(device_id) == []
        # the restored database belongs to the server's role, not to the superuser
        owner = rows(restored, "SELECT tableowner FROM pg_tables WHERE tablename = 'ratings'")
        assert owner == [("hr",)]
    finally:
        store.close()
        server.stop()
