"""scripts/system-packages: the one list of Debian packages, installed before anything else
by `make test`, `make check`, `make demo` and .ci/run — or, for a user who cannot install,
a stop within seconds with the exact apt-get line, before any venv or test."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages"

#: Stands in for dpkg's database, which a test cannot change: every package is installed
#: except the ones named in MISSING_PACKAGES.
FAKE_DPKG_QUERY = """#!/bin/sh
for pkg; do :; done  # the last argument
for m in $MISSING_PACKAGES; do [ "$m" = "$pkg" ] && exit 1; done
printf 'install ok installed'
"""
#: A sudo that asks for a password: `sudo -n true` fails.
FAKE_SUDO = "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n"


@pytest.fixture
def unprivileged() -> Iterator[tuple[Path, list[str], dict[str, str]]]:
    """A folder anyone can read, a command prefix that runs as a user who is not root, and
    an environment whose dpkg-query and sudo are the fakes above."""
    folder = Path(tempfile.mkdtemp(prefix="hallrate-syspkg-"))
    folder.chmod(0o755)
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for name, text in (("dpkg-query", FAKE_DPKG_QUERY), ("sudo", FAKE_SUDO)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(folder),
        "MISSING_PACKAGES": "chromium poppler-utils",
    }
    prefix: list[str] = []
    if os.geteuid() == 0:
        # runuser resets PATH: hand the environment over explicitly.
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        prefix = [
            runuser,
            "-u",
            "nobody",
            "--",
            "/usr/bin/env",
            *(f"{k}={v}" for k, v in env.items()),
        ]
    try:
        yield folder, prefix, env
    finally:
        shutil.rmtree(folder)


def test_the_list_names_what_the_tests_need() -> None:
    listed = subprocess.run(
        [str(SCRIPT), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    for package in ("postgresql", "fonts-noto-cjk", "libpulse0", "xvfb", "chromium"):
        assert package in listed
    assert {"poppler-utils", "nginx-light"} <= set(listed)


def test_everything_installed_passes_silently() -> None:
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_user_without_sudo_gets_the_exact_apt_get_line(
    unprivileged: tuple[Path, list[str], dict[str, str]],
) -> None:
    folder, prefix, env = unprivileged
    shutil.copy(SCRIPT, folder / "system-packages")
    done = subprocess.run(
        [*prefix, str(folder / "system-packages")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends chromium poppler-utils" in done.stderr


def test_make_test_stops_in_seconds_before_making_a_venv(
    unprivileged: tuple[Path, list[str], dict[str, str]],
) -> None:
    folder, prefix, env = unprivileged
    checkout = folder / "checkout"
    checkout.mkdir()
    shutil.copy(ROOT / "Makefile", checkout)
    shutil.copy(ROOT / "pyproject.toml", checkout)
    shutil.copytree(ROOT / "scripts", checkout / "scripts")
    checkout.chmod(0o777)
    started = time.monotonic()
    done = subprocess.run(
        [*prefix, "make", "-C", str(checkout), "test"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert time.monotonic() - started < 10
    assert done.returncode != 0
    assert "apt-get install -y --no-install-recommends chromium poppler-utils" in done.stderr
    assert not (checkout / ".venv").exists()
