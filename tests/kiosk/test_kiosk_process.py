"""The kiosk as a process: `--simulate`, configuration files, speech, the Qt bindings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app import STORE_FILE
from kiosk.config import ConfigError, KioskConfig, load_config
from kiosk.store import Store
from kiosk.ui.speech import QtSpeaker


@pytest.mark.slow
def test_simulate_50_stores_50_ratings(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--simulate", "50", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "simulated 50 ratings, 50 stored" in result.stdout
    store = Store.open(tmp_path / STORE_FILE)
    try:
        assert store.status().ratings == 50
    finally:
        store.close()


def test_config_file_sets_names_reasons_and_times(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        """
[kiosk]
hall_name = "市民中心"
counter_name = "3号窗口"
pin = "0042"
idle_s = 90
language = "en"

[kiosk.staff]
name = "李四"
number = "A17"
photo = "li.png"

[[kiosk.reasons]]
code = "attitude.rude"
dimension = "attitude"
zh = "态度差"
en = "Rude"
""",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.hall_name == "市民中心"
    assert config.idle_s == 90.0
    assert config.language == "en"
    assert config.check_pin("0042")
    assert config.staff.photo == tmp_path / "li.png"
    assert [r.code for r in config.reasons_for("attitude")] == ["attitude.rude"]
    assert config.reasons_for("efficiency") == ()


@pytest.mark.parametrize(
    ("toml", "complaint"),
    [
        ("pin = 1234", "quoted string"),
        ('language = "fr"', "language must be one of"),
        ("idle_s = -1", "must not be negative"),
        ("colour = 1", "unknown setting 'colour'"),
        ('[[reasons]]\ncode = "x"\ndimension = "speed"\nzh = "慢"\nen = "Slow"', "unknown dim"),
    ],
)
def test_bad_config_is_refused_with_the_key_named(
    tmp_path: Path, toml: str, complaint: str
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=complaint):
        load_config(path)


def test_defaults_make_a_first_run_work() -> None:
    config = load_config(None)
    assert config == KioskConfig()
    assert config.cooldown_s == 15.0
    assert config.idle_s == 60.0
    assert {r.dimension for r in config.reasons} >= {"attitude", "efficiency", "process"}


@pytest.mark.qt_log_ignore(r"text-to-speech", r"pipewire", r"Text-to-speech")
def test_speech_without_an_engine_is_silent_not_a_crash(qapp: object) -> None:
    speaker = QtSpeaker(engine="no-such-engine")
    speaker.say("请您对本次服务进行评价", "zh_CN")
    speaker.say("again", "en")


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_qt_bindings_keep_none_alive(qapp: object) -> None:
    """PySide6 6.12.0 drops a reference to None on every void call: the kiosk died after a
    few thousand paints. Guard whichever version is installed."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(2000):
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    after = sys.getrefcount(None)
    painter.end()
    assert after - before > -100
