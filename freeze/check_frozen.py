"""Run the frozen kiosk's self-test against a real server: what `.ci/run` does after `make dist`.

    .venv/bin/python freeze/check_frozen.py [dist/hallrate-kiosk/hallrate-kiosk]

Starts `hallrate-server` from the virtualenv on a SQLite file on loopback, makes an
enrollment code, and runs `hallrate-kiosk --self-test --server URL --code CODE` from the
bundle, offscreen, with nothing of the source tree on its path. Prints the self-test's
report, the bundle's size and the time it took; exits with the self-test's exit code.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The server harness lives with the tests (tests/support), which are not installed.
sys.path.insert(0, str(ROOT))

from tests.support.system import LiveServer  # noqa: E402

PROGRAM = ROOT / "dist" / "hallrate-kiosk" / "hallrate-kiosk"


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    program = Path(sys.argv[1]) if len(sys.argv) > 1 else PROGRAM
    if not program.is_file():
        print(f"check_frozen: no bundle at {program}; run `make dist` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hallrate-frozen-") as tmp:
        server = LiveServer(Path(tmp))
        server.start()
        try:
            code = server.enroll_code()
            # Nothing of the checkout or the virtualenv: the bundle must stand alone.
            env = {
                "PATH": "/usr/bin:/bin",
                "HOME": tmp,
                "LANG": "C.UTF-8",
                "QT_QPA_PLATFORM": "offscreen",
            }
            started = time.perf_counter()
            result = subprocess.run(
                [str(program), "--self-test", "--server", server.url, "--code", code],
                env=env,
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            seconds = time.perf_counter() - started
        finally:
            server.stop()
    print(result.stdout, end="")
    if result.returncode != 0:
        print(result.stderr[-4000:], file=sys.stderr)
    size = folder_bytes(program.parent)
    print(
        f"check_frozen: bundle {program.parent} {size / 1e6:.1f} MB "
        f"({size / 2**20:.1f} MiB); self-test exit {result.returncode} in {seconds:.1f} s"
    )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
