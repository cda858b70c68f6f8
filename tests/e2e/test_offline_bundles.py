"""A hall that never connects: export to USB, import on the server, receipt back."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from unittest import mock

import pytest

from kiosk import commands
from kiosk.store import Store
from server.cli import main as server_cli
from sync.scoring import DIMENSION_CODES
from tests.e2e.conftest import LiveServer, assert_server_holds_exactly_the_kiosk_ratings


def kiosk_cli(store: Store, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = commands.run(list(args), store.path.parent)
    return code, out.getvalue(), err.getvalue()


def server_import(server: LiveServer, bundle: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    # The server's settings: the bundle keys are kept under its secret key.
    with (
        mock.patch.dict(os.environ, server.env),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = server_cli(["--database-url", server.db_url, "import", str(bundle)])
    return code, out.getvalue(), err.getvalue()


def record(store: Store, n: int) -> None:
    for i in range(n):
        store.record_rating(
            counter_id="c01", scores={c: 1 + (i + j) % 5 for j, c in enumerate(DIMENSION_CODES)}
        )


def export(store: Store, usb: Path) -> Path:
    code, out, err = kiosk_cli(store, "export", "--to", str(usb))
    assert code == 0, err
    [bundle] = sorted(usb.glob("*.bundle.json"))
    assert "exported" in out
    return bundle


def test_ratings_travel_by_usb_and_the_receipt_marks_them_delivered(
    kiosk_store: Store, live_server: LiveServer, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    record(kiosk_store, 40)
    bundle = export(kiosk_store, usb)

    code, out, err = server_import(live_server, bundle)
    assert code == 0, err
    assert "40 accepted" in out
    receipt = bundle.with_name(bundle.name.replace(".bundle", "") + ".receipt.json")
    assert receipt.exists()

    code, out, _ = kiosk_cli(kiosk_store, "import-receipt", str(receipt))
    assert code == 0
    assert "40 delivered" in out
    assert_server_holds_exactly_the_kiosk_ratings(kiosk_store, live_server)

    # the first receipt is never overwritten...
    code, _, err = server_import(live_server, bundle)
    assert code == 2
    assert "not overwriting" in err
    # ...and the same stick imported twice stores nothing twice
    receipt.unlink()
    code, out, _ = server_import(live_server, bundle)
    assert "40 duplicate" in out
    assert len(live_server.ratings()) == 40


@pytest.mark.parametrize("tamper", ["score", "foreign_device"])
def test_a_tampered_or_foreign_bundle_is_refused_and_stores_nothing(
    kiosk_store: Store, live_server: LiveServer, tmp_path: Path, tamper: str
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    record(kiosk_store, 5)
    bundle = export(kiosk_store, usb)
    document = json.loads(bundle.read_text())
    if tamper == "score":
        document["ratings"][0]["scores"]["attitude"] = (
            5 if document["ratings"][0]["scores"]["attitude"] != 5 else 4
        )
    else:
        # another kiosk enrolled on the same server claims these ratings
        other = Store.open(tmp_path / "other" / "kiosk.sqlite")
        from kiosk.device import enroll_device

        identity = enroll_device(other, live_server.url, live_server.enroll_code())
        other.close()
        document["device_id"] = identity["device_id"]
    bundle.write_text(json.dumps(document))

    code, _, err = server_import(live_server, bundle)
    assert code != 0
    assert "bundle refused" in err
    assert "MAC mismatch" in err
    assert live_server.ratings() == []


def test_a_receipt_for_another_device_is_refused(
    kiosk_store: Store, live_server: LiveServer, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    record(kiosk_store, 3)
    bundle = export(kiosk_store, usb)
    assert server_import(live_server, bundle)[0] == 0
    receipt = next(usb.glob("*.receipt.json"))
    document = json.loads(receipt.read_text())
    document["device_id"] = "someone-else"
    receipt.write_text(json.dumps(document))
    code, _, err = kiosk_cli(kiosk_store, "import-receipt", str(receipt))
    assert code == 2
    assert "another device" in err
    assert kiosk_store.status().pending == 3
