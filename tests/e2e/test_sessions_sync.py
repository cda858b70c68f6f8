"""Service sessions end to end through the real sync client and the real server: kill -9
of the kiosk between start, finish and rating loses nothing; after the restart every
session reaches the server once with its end, handling time, outcome and its one rating."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.device import enroll_device
from kiosk.store import Store
from sync.client import Device, SyncClient
from sync.protocol import Outcome
from tests.e2e.conftest import drain
from tests.kiosk.conftest import OFFSCREEN_NOISE
from tests.support.crash import reconcile_sessions, run_cycles
from tests.support.system import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)]


def _client(store: Store, server: LiveServer) -> SyncClient:
    device = store.get_setting("device")
    return SyncClient(
        store, Device(server.url, device["token"], device["counter"]["id"], "test"), deadline_s=30
    )


def test_sessions_left_by_kill9_reach_the_server_once_each_with_their_rating(
    tmp_path: Path, live_server: LiveServer
) -> None:
    path = tmp_path / "kiosk" / "kiosk.sqlite"
    path.parent.mkdir()
    report = run_cycles(path, cycles=12, seed=17, max_delay_s=0.3, mode="sessions")
    assert any(line.startswith("R ") for line in report.printed)
    store = Store.open(path)
    try:
        reconcile_sessions(store)
        enroll_device(store, live_server.url, live_server.enroll_code())
        drain(_client(store, live_server))
        kiosk_sessions = {s for (s,) in _rows(store, "SELECT id FROM service_sessions")}
        kiosk_ratings = dict(_rows(store, "SELECT session_id, id FROM ratings"))
    finally:
        store.close()
    on_server = live_server._query("SELECT id, outcome, handling_s, ended_at FROM service_sessions")
    assert {str(r[0]) for r in on_server} == kiosk_sessions
    assert all(r[1] == "one_visit" and r[2] is not None and r[3] for r in on_server)
    claimed = dict(live_server._query("SELECT session_id, rating_id FROM session_ratings"))
    assert claimed == kiosk_ratings, "each session counted with exactly its kiosk rating"
    excluded = live_server._query("SELECT count(*) FROM ratings WHERE flags & 4 != 0")
    assert excluded == [(0,)]


def test_start_finish_invite_rate_shows_on_the_server_with_handling_time_and_outcome(
    tmp_path: Path, live_server: LiveServer
) -> None:
    live_server.cli("staff", "add", "s-001", "--hall", "h1", "--name", "王芳", "--counter", "c01")
    live_server.cli("matter", "put", "HJ01", "--name", "户籍迁入", "--minutes", "15")
    store = Store.open(tmp_path / "kiosk.sqlite")
    try:
        enroll_device(store, live_server.url, live_server.enroll_code())
        client = _client(store, live_server)
        drain(client)
        matters = store.get_setting("server.config")["matters"]
        assert matters == [{"code": "HJ01", "name": "户籍迁入", "standard_minutes": 15}]
        served = store.start_session(
            counter_id="c01", staff_id="s-001", ticket="A017", matter_code="HJ01"
        )
        drain(client)  # the opening copy reaches the server
        store.finish_session(served.id, Outcome.ANOTHER_VISIT)
        store.record_rating(
            counter_id="c01",
            staff_id="s-001",
            session_id=served.id,
            scores=dict.fromkeys(
                ("attitude", "efficiency", "process", "environment", "overall"), 4
            ),
        )
        drain(client)
    finally:
        store.close()
    listing = live_server.cli("sessions", "--counter", "c01")
    assert "A017" in listing
    assert "another_visit" in listing
    assert "4.00 (kiosk)" in listing
    assert "s-001" in listing
    assert requests.get(f"{live_server.url}/healthz", timeout=5).status_code == 200


def _rows(store: Store, sql: str) -> list[tuple[str, ...]]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(store.path)) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def test_queue_api_finish_invites_and_the_rated_session_shows_on_the_server(
    tmp_path: Path,
    live_server: LiveServer,
    make_kiosk: Any,
    finger: Any,
    qtbot: Any,
) -> None:
    from kiosk.ui.flow import Screen
    from tests.kiosk.test_kiosk_sessions import KEY, SCORES, api_call
    from tests.support.pgcluster import free_port

    live_server.cli("staff", "add", "s-001", "--hall", "h1", "--name", "王芳", "--counter", "c01")
    live_server.cli("matter", "put", "HJ01", "--name", "户籍迁入", "--minutes", "15")
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(data / "kiosk.sqlite")
    enroll_device(store, live_server.url, live_server.enroll_code())
    store.close()
    port = free_port()
    kiosk = make_kiosk(queue_api_listen=f"127.0.0.1:{port}", queue_api_key=KEY)
    kiosk.sync.start()
    assert api_call(port, "POST", "/api/v1/duty", {"staff": "s-001"}).status_code == 200
    sid = api_call(port, "POST", "/api/v1/sessions", {"ticket": "A017", "matter_code": "HJ01"})
    sid = sid.json()["session"]["id"]
    with qtbot.waitSignal(kiosk.flow.invitationShown, timeout=5_000):
        api_call(port, "POST", f"/api/v1/sessions/{sid}/finish", {"outcome": "referred"})
    assert kiosk.flow.current() is Screen.INVITE
    finger.tap(kiosk.flow.invite.rate_button)
    finger.rate_all(kiosk, SCORES)
    with qtbot.waitSignal(kiosk.flow.ratingStored):
        finger.tap(kiosk.flow.rate.submit_button)
    qtbot.waitUntil(lambda: live_server.ratings() != [], timeout=20_000)
    qtbot.waitUntil(
        lambda: live_server._query("SELECT outcome FROM service_sessions") == [("referred",)],
        timeout=20_000,
    )
    [(staff, matter, handling, rated)] = live_server._query(
        "SELECT s.staff_id, s.matter_code, s.handling_s, r.rating_id FROM service_sessions s "
        "JOIN session_ratings r ON r.session_id = s.id"
    )
    assert (staff, matter) == ("s-001", "HJ01")
    assert handling is not None
    assert handling >= 0
    assert [rid for rid, _ in live_server.ratings()] == [rated]
    listing = live_server.cli("sessions", "--counter", "c01")
    assert "referred" in listing
    assert "4.55 (kiosk)" in listing


def test_staff_photos_are_fetched_after_a_sync_and_kept_by_their_hash(
    tmp_path: Path, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    from kiosk.photos import StaffPhotos

    # The server's photo folder in this test's own folder, for the CLI and the server alike.
    monkeypatch.setenv("HALLRATE_PHOTO_DIR", str(tmp_path / "server-photos"))
    live_server.stop()
    live_server.env["HALLRATE_PHOTO_DIR"] = str(tmp_path / "server-photos")
    live_server.start()

    picture = tmp_path / "wang.png"
    Image.new("RGB", (120, 160), (200, 40, 40)).save(picture)
    live_server.cli("staff", "add", "s-001", "--hall", "h1", "--name", "王芳", "--counter", "c01")
    live_server.cli("staff", "photo", "s-001", str(picture))
    store = Store.open(tmp_path / "kiosk" / "kiosk.sqlite")
    try:
        enroll_device(store, live_server.url, live_server.enroll_code())
        drain(_client(store, live_server))
        [member] = store.get_setting("server.config")["staff"]
        photos = StaffPhotos.beside(store)
        assert photos.path_for(member["photo_sha256"]) is None
        assert photos.fetch_missing(store) == 1
        kept = photos.path_for(member["photo_sha256"])
        assert kept is not None
        assert kept.read_bytes()[:2] == b"\xff\xd8"  # the server's JPEG
        assert photos.fetch_missing(store) == 0  # by hash: not fetched again
        # A photo whose bytes do not match the hash the server named is never kept.
        config = store.get_setting("server.config")
        config["staff"][0]["photo_sha256"] = "0" * 64
        store.set_setting("server.config", config)
        assert photos.fetch_missing(store) == 0
        assert photos.path_for("0" * 64) is None
    finally:
        store.close()
