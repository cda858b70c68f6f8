"""Helpers for the deployment tests: systemd's own checker on the unit files."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"

VerifyUnits = Callable[[list[Path], dict[str, str]], str]


@pytest.fixture
def verify_units(tmp_path: Path) -> VerifyUnits:
    """`systemd-analyze verify` on unit files, with the programs they start replaced by
    stand-ins in tmp (verify insists that ExecStart= names an executable file); returns
    its complaints, "" when there are none."""

    def verify(units: list[Path], executables: dict[str, str]) -> str:
        folder = tmp_path / "units"
        folder.mkdir(exist_ok=True)
        system = False
        for unit in units:
            text = unit.read_text(encoding="utf-8")
            for path, name in executables.items():
                stand_in = tmp_path / "bin" / name
                stand_in.parent.mkdir(exist_ok=True)
                stand_in.write_text("#!/bin/sh\n", encoding="utf-8")
                stand_in.chmod(0o755)
                text = text.replace(path, str(stand_in))
            system = system or "User=" in text
            (folder / unit.name).write_text(text, encoding="utf-8")
        runtime = tmp_path / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        result = subprocess.run(
            [
                "systemd-analyze",
                *([] if system else ["--user"]),
                "verify",
                *(str(folder / u.name) for u in units),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        )
        complaints = (result.stdout + result.stderr).strip()
        return complaints + ("" if result.returncode == 0 else f" (exit {result.returncode})")

    return verify
