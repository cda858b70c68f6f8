"""The server's scoring rules come from its settings (HALLRATE_SCORING_RULES), over the
defaults of sync/scoring.py; rules it cannot use stop it at start-up with a clear message."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from server.devices.service import device_config
from server.settings import Settings
from sync.scoring import DEFAULT_CONFIG, config_from_block

SECRET = "settings-secret-0123456789"


def test_without_rules_the_server_scores_with_the_defaults() -> None:
    assert Settings(secret_key=SECRET).scoring == DEFAULT_CONFIG


def test_rules_from_the_environment_are_the_ones_devices_receive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules = {"version": "2025.1", "low_score_below": "3.5", "alert_deadline_hours": 48}
    monkeypatch.setenv("HALLRATE_SCORING_RULES", json.dumps(rules))
    settings = Settings(secret_key=SECRET)
    assert settings.scoring.version == "2025.1"
    assert settings.scoring.low_score_below == Decimal("3.5")
    assert settings.scoring.weights == DEFAULT_CONFIG.weights
    assert config_from_block(device_config(settings, "Asia/Shanghai")) == settings.scoring


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
