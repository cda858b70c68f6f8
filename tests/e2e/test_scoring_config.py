"""The kiosk scores with the server's scoring configuration once it has synced: a real
server whose weights differ from the code defaults, a real kiosk rated by taps, and the
kiosk's own figures equal to the server's for the same ratings, across a restart."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import STORE_FILE, Kiosk
from kiosk.store import Store
from kiosk.ui.flow import Screen
from kiosk.ui.scores import LocalCounterScores
from kiosk.ui.services import ScoreOrigin
from server.models import SCORE_SCALE
from sync.scoring import DEFAULT_CONFIG, Aggregate, ScoringConfig
from tests.e2e.test_kiosk_with_server import enroll_from_admin
from tests.kiosk.conftest import OFFSCREEN_NOISE
from tests.kiosk.kiosk_drive import Finger, KioskFactory
from tests.support.system import COUNTER, LiveServer

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

#: The hall's rules: attitude weighs three times the default, the low-score line is higher.
RULES = {
    "version": "2025.2-hall",
    "weights": {
        "attitude": "0.60",
        "efficiency": "0.10",
        "process": "0.10",
        "environment": "0.10",
        "overall": "0.10",
    },
    "low_score_below": "3.5",
}
SERVER_CONFIG = ScoringConfig.from_mapping(RULES)

#: Ratings whose weighted scores differ under the two configurations (3.8 against 2.6,
#: 2.6 against 4.2, 4.0 under both).
RATINGS = [
    {"attitude": 5, "efficiency": 2, "process": 2, "environment": 2, "overall": 2},
    {"attitude": 1, "efficiency": 5, "process": 5, "environment": 5, "overall": 5},
    {"attitude": 4, "efficiency": 4, "process": 4, "environment": 4, "overall": 4},
]
SINCE_EVER = datetime(2000, 1, 1).astimezone()


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real server process with the hall's scoring rules in its settings."""
    (tmp_path / "server").mkdir()
    server = LiveServer(tmp_path / "server")
    server.env["HALLRATE_SCORING_RULES"] = json.dumps(RULES)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def kiosk_weighted_scores(store: Store) -> dict[str, Decimal]:
    with closing(sqlite3.connect(store.path)) as conn:
        rows = conn.execute("SELECT id, weighted_score FROM ratings").fetchall()
    return {str(r[0]): Decimal(r[1]) for r in rows}


def server_weighted_scores(server: LiveServer) -> dict[str, Decimal]:
    rows = server._query("SELECT id, weighted_score FROM ratings")
    return {str(r[0]): Decimal(int(r[1])) / SCORE_SCALE for r in rows}


def rate_by_taps(kiosk: Kiosk, finger: Finger, qtbot: QtBot, scores: dict[str, int]) -> None:
    finger.tap(kiosk.flow.welcome.cta)
    finger.rate_all(kiosk, scores)
    with qtbot.waitSignal(kiosk.flow.ratingStored):
        finger.submit(kiosk)
    finger.tap(kiosk.flow.thanks)
    qtbot.waitUntil(lambda: kiosk.flow.current() is Screen.WELCOME, timeout=5_000)


def test_the_kiosk_scores_with_the_servers_configuration_once_it_has_synced(
    hall_server: LiveServer,
    make_kiosk: KioskFactory,
    finger: Finger,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    assert SERVER_CONFIG != DEFAULT_CONFIG
    kiosk = make_kiosk(cooldown_s=0.0)
    # Before first contact: the code defaults.
    assert kiosk.store.config == DEFAULT_CONFIG
    assert kiosk.store.status().content_version == DEFAULT_CONFIG.version

    kiosk.sync.start()
    enroll_from_admin(kiosk, finger, qtbot, hall_server.url, hall_server.enroll_code())
    qtbot.waitUntil(lambda: kiosk.store.config == SERVER_CONFIG, timeout=20_000)

    for scores in RATINGS:
        rate_by_taps(kiosk, finger, qtbot, scores)
    qtbot.waitUntil(lambda: len(hall_server.ratings()) == len(RATINGS), timeout=20_000)
    # One more round, so the scores the kiosk keeps count every rating.
    with qtbot.waitSignal(kiosk.sync.finished, timeout=20_000):
        kiosk.sync.sync_now()
    kiosk.flow.go_welcome()

    # Every rating weighs the same on both ends, and was made with the server's version.
    on_kiosk = kiosk_weighted_scores(kiosk.store)
    assert len(on_kiosk) == len(RATINGS)
    assert on_kiosk == server_weighted_scores(hall_server)
    versions = hall_server._query("SELECT DISTINCT content_version FROM ratings")
    assert [r[0] for r in versions] == [RULES["version"]]

    # The kiosk's own figures (what the badge shows when the server is out of reach) are
    # the server's: the same mean over the same ratings, not the code defaults' mean.
    kept = kiosk.store.server_scores(COUNTER)
    assert kept is not None
    server_scores = kept[0]
    local_all = kiosk.store.counter_aggregate(COUNTER, since=SINCE_EVER)
    assert local_all.count == server_scores.last_30_days.count == len(RATINGS)
    assert local_all.mean is not None
    assert round(float(local_all.mean), 4) == server_scores.last_30_days.mean
    with_defaults = Aggregate.of(RATINGS, DEFAULT_CONFIG).mean
    assert with_defaults is not None
    assert round(float(with_defaults), 4) != server_scores.last_30_days.mean

    local = LocalCounterScores(kiosk.store).scores(COUNTER)
    shown = kiosk.scores.scores(COUNTER)
    assert shown.origin is ScoreOrigin.SERVER
    assert local.today.count == shown.today.count == len(RATINGS)
    assert local.today.mean is not None
    assert shown.today.mean is not None
    assert round(local.today.mean, 2) == round(shown.today.mean, 2)
    badge = kiosk.flow.welcome.badge.today.text()
    assert badge == f"今日\n{local.today.mean:.2f} 分 · {len(RATINGS)} 条"

    # A restart keeps the server's configuration: it is kept in the store.
    kiosk.close()
    reopened = Store.open(tmp_path / "data" / STORE_FILE)
    try:
        assert reopened.config == SERVER_CONFIG
        assert reopened.status().content_version == RULES["version"]
    finally:
        reopened.close()
