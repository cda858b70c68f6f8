"""Fixtures for the kiosk UI, loaded by the root conftest so tests/e2e has them too:
a real kiosk (real widgets, real SQLite store in tmp_path),
short timeouts so tests await signals instead of sleeping, and a clock tests move."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk, open_kiosk
from kiosk.config import KioskConfig
from kiosk.receipt.printer import Printer
from kiosk.ui.i18n import TRANSLATIONS_DIR
from kiosk.ui.speech import SilentSpeaker
from kiosk.ui.style import apply_stylesheet
from tests.kiosk.kiosk_drive import FakeClock, Finger, KioskFactory


@pytest.fixture(scope="session")
def translations_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .qm files: those `make translations` built, else built here from the .ts sources."""
    sources = sorted(TRANSLATIONS_DIR.glob("*.ts"))
    built = [ts.with_suffix(".qm") for ts in sources]
    if all(
        qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime
        for ts, qm in zip(sources, built, strict=True)
    ):
        return TRANSLATIONS_DIR
    out = tmp_path_factory.mktemp("qm")
    for ts in sources:
        subprocess.run(
            ["pyside6-lrelease", "-silent", str(ts), "-qm", str(out / ts.with_suffix(".qm").name)],
            check=True,
        )
    return out


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config() -> KioskConfig:
    return KioskConfig(idle_s=0.4, thanks_s=0.3, admin_hold_s=0.05, cooldown_s=15.0, speech=False)


@pytest.fixture
def make_kiosk(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    clock: FakeClock,
    config: KioskConfig,
    translations_dir: Path,
) -> Iterator[KioskFactory]:
    apply_stylesheet(qapp)
    opened: list[Kiosk] = []

    def make(
        size: tuple[int, int] = (800, 480),
        kiosk_mode: bool = False,
        printer: Printer | None = None,
        **changes: object,
    ) -> Kiosk:
        kiosk = open_kiosk(
            replace(config, **changes),  # type: ignore[arg-type]
            tmp_path / "data",
            kiosk_mode=kiosk_mode,
            speaker=SilentSpeaker(),
            clock=clock,
            translations_dir=translations_dir,
            printer=printer,
        )
        opened.append(kiosk)
        kiosk.window.resize(*size)
        kiosk.window.present()
        qtbot.waitExposed(kiosk.window)
        return kiosk

    yield make
    for kiosk in opened:
        kiosk.close()


@pytest.fixture
def kiosk(make_kiosk: KioskFactory) -> Kiosk:
    return make_kiosk()


@pytest.fixture
def finger(qtbot: QtBot) -> Finger:
    return Finger(qtbot)
