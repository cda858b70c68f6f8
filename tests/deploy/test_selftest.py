"""`hallrate-kiosk --self-test` from source (CI runs the same in the frozen bundle): a pass
syncs with a real server; a failure names the part and exits non-zero."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.system import LiveServer


def self_test(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)  # the self-test goes offscreen by itself
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--self-test", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_self_test_passes_every_check_and_syncs_with_a_server(
    tmp_path: Path, live_server: LiveServer
) -> None:
    result = self_test(tmp_path, "--server", live_server.url, "--code", live_server.enroll_code())
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert "platform offscreen" in lines[0]
    checks = {line.split()[1]: line.split()[0] for line in lines[1:-1]}
    assert checks == dict.fromkeys(
        ("store", "screens", "keyboard", "speech", "receipt", "thermal", "sync"), "ok"
    )
    # every state of `make screenshots` (at least the 15 of the rating flow and admin), at
    # each of the four sizes, in both languages
    rendered = re.search(
        r"(\d+) screens at 1920x1080, 1280x800, 800x480, 1080x1920 in zh_CN, en", result.stdout
    )
    assert rendered, result.stdout
    assert int(rendered[1]) % 8 == 0
    assert int(rendered[1]) >= 15 * 8
    assert lines[-1].startswith("self-test passed: 7 checks")
    # it enrolled a throwaway identity and rated nothing: the hall's figures are untouched
    assert live_server.ratings() == []
    # and it left nothing behind in the kiosk's own data folder
    assert not (tmp_path / ".local" / "share" / "hallrate-kiosk").exists()


@pytest.mark.slow
def test_self_test_names_what_failed_and_exits_non_zero(
    tmp_path: Path, live_server: LiveServer
) -> None:
    result = self_test(tmp_path, "--server", live_server.url, "--code", "NOT-A-CODE")
    assert result.returncode == 1
    assert "FAIL  sync" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("self-test FAILED: sync (6 passed)")


def test_server_without_code_is_refused(tmp_path: Path) -> None:
    result = self_test(tmp_path, "--server", "http://127.0.0.1:9")
    assert result.returncode == 2
    assert "--server and --code go together" in result.stderr
