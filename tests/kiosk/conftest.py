"""The kiosk tests' fixtures live in tests/kiosk/fixtures.py (loaded by the root conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

#: Messages of the offscreen platform plugin about what it cannot do (size hints to a window
#: manager, window masks); they say nothing about the kiosk.
OFFSCREEN_NOISE = (
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support setting window masks",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.parent == here:
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))
