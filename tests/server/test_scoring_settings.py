"""The server's scoring rules come from its settings (HALLRATE_SCORING_RULES), over the
defaults of sync/scoring.py; rules it cannot use stop it at start-up with a clear message."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from server.content.service import scoring_in_force
from server.database import make_engine, make_session_factory
from server.devices.service import device_config
from server.halls import repository as hall_repository
from server.halls import service as halls
from server.settings import Settings
from sync.scoring import DEFAULT_CONFIG, config_from_block

SECRET = "settings-secret-0123456789-abcdefghijkl"


def test_without_rules_the_server_scores_with_the_defaults() -> None:
    assert Settings(secret_key=SECRET).default_scoring == DEFAULT_CONFIG


def test_rules_from_the_environment_are_the_ones_devices_receive(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_template: Path
) -> None:
    """Before the database holds a content version, the environment's rules are in force
    and are what devices receive."""
    rules = {"version": "2025.1", "low_score_below": "3.5", "alert_deadline_hours": 48}
    monkeypatch.setenv("HALLRATE_SCORING_RULES", json.dumps(rules))
    shutil.copy(sqlite_template, tmp_path / "hallrate.db")
    settings = Settings(secret_key=SECRET, database_url=f"sqlite:///{tmp_path / 'hallrate.db'}")
    assert settings.default_scoring.version == "2025.1"
    assert settings.default_scoring.low_score_below == Decimal("3.5")
    assert settings.default_scoring.weights == DEFAULT_CONFIG.weights
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            halls.add_hall(session, "h1", "Hall", "Asia/Shanghai", datetime.now(UTC))
            hall = hall_repository.get_hall(session, "h1")
            assert hall is not None
            assert scoring_in_force(session, settings) == settings.default_scoring
            block = device_config(session, settings, hall)
            assert config_from_block(block) == settings.default_scoring
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("not json", "scoring_rules is not JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"version": "x", "weights": {"attitude": "1.5"}}', "weights must sum to 1"),
        ('{"version": "x", "bogus": 1}', "unknown scoring settings: bogus"),
        ('{"low_score_below": "3.5"}', "need a version of their own"),
    ],
)
def test_rules_the_server_cannot_use_are_refused_by_name(rules: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(secret_key=SECRET, scoring_rules=rules)
