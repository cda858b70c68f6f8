"""`hallrate-server import`: only the kiosk (or the server's secret) can seal a bundle, a
receipt is never written through a link or over a file, a malformed bundle is one clear
line, and the keys survive a rotation of the server's secret key."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from server.app import create_app
from server.database import make_session_factory
from server.models import Device, Rating
from server.settings import Settings
from sync import bundle
from tests.server.conftest import SECRET, Hall
from tests.server.kiosk_payloads import envelope, rating
from tests.server.test_cli import run

NEW_SECRET = "rotated-secret-Hn4Kq8Vz2Lw6Xp0Rt3Ym7Bc5"


@pytest.fixture
def server_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALLRATE_ENVIRONMENT", "test")
    monkeypatch.setenv("HALLRATE_SECRET_KEY", SECRET)


def _bundle(hall: Hall, key: str, ratings: object = None, **changes: object) -> bytes:
    document = bundle.Bundle(
        bundle_id=str(uuid.uuid4()),
        device_id=hall.device_id,
        counter_id=hall.counter_id,
        created_at=datetime.now(UTC).isoformat(),
        ratings=[rating(seq=1), rating(seq=2)] if ratings is None else ratings,  # type: ignore[arg-type]
        sessions=[],
    ).document()
    document.update(changes)
    return bundle.seal(document, key)


def _count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(Rating)) or 0)


def test_a_kiosk_sealed_bundle_imports_and_its_receipt_verifies_on_the_kiosk(
    hall: Hall, db_url: str, tmp_path: Path, factory: sessionmaker[Session], server_env: None
) -> None:
    path = tmp_path / "k.bundle.json"
    path.write_bytes(_bundle(hall, bundle.device_key(hall.token)))
    code, out, err = run(db_url, "import", str(path))
    assert code == 0, err
    assert "2 accepted" in out
    receipt = bundle.read((tmp_path / "k.json.receipt.json").read_bytes(), bundle.RECEIPT_FORMAT)
    bundle.verify(receipt, bundle.device_key(hall.token))
    assert _count(factory) == 2


def test_a_bundle_forged_from_a_copy_of_the_database_is_refused(
    hall: Hall, db_url: str, tmp_path: Path, factory: sessionmaker[Session], server_env: None
) -> None:
    with factory() as session:
        device = session.get(Device, hall.device_id)
        assert device is not None
        stolen = {"token_hash": device.token_hash, "wrapped": device.bundle_key_wrapped}
    assert stolen["wrapped"] is not None
    for key in (stolen["token_hash"], stolen["wrapped"]):
        path = tmp_path / f"forged-{key[:6]}.bundle.json"
        path.write_bytes(_bundle(hall, str(key)))
        code, _, err = run(db_url, "import", str(path))
        assert code == 2
        assert "MAC mismatch" in err
    assert _count(factory) == 0


@pytest.mark.parametrize(
    ("ratings", "changes", "message"),
    [
        ([1, 2, 3], {}, "malformed"),
        ("not a list", {}, "incomplete bundle"),
        ([rating(seq=1)], {"sessions": {"a": 1}}, "incomplete bundle"),
        ([rating(seq=1)], {"bundle_id": None, "counter_id": ["x"]}, "accepted"),
    ],
    ids=["items-not-objects", "ratings-not-list", "sessions-not-list", "odd-fields"],
)
def test_a_malformed_sealed_bundle_is_one_clear_line(
    hall: Hall,
    db_url: str,
    tmp_path: Path,
    server_env: None,
    ratings: object,
    changes: dict[str, object],
    message: str,
) -> None:
    path = tmp_path / "m.bundle.json"
    path.write_bytes(_bundle(hall, bundle.device_key(hall.token), ratings, **changes))
    code, out, err = run(db_url, "import", str(path))
    assert "Traceback" not in err
    if message == "accepted":
        assert code == 0, err
        assert "1 accepted" in out
        return
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("hallrate-server: error: bundle refused")
    assert message in err


def test_the_receipt_is_never_written_through_a_link_or_over_a_file(
    hall: Hall, db_url: str, tmp_path: Path, factory: sessionmaker[Session], server_env: None
) -> None:
    path = tmp_path / "k.bundle.json"
    path.write_bytes(_bundle(hall, bundle.device_key(hall.token)))
    victim = tmp_path / "authorized_keys"
    victim.write_text("precious")
    (tmp_path / "k.json.receipt.json").symlink_to(victim)
    code, _, err = run(db_url, "import", str(path))
    assert code == 2
    assert "not overwriting" in err
    assert victim.read_text() == "precious"
    assert _count(factory) == 0  # refused before anything was stored
    code, _, err = run(db_url, "import", str(path), "--receipt", str(victim))
    assert code == 2
    assert victim.read_text() == "precious"
    # A link planted at the moment of writing (after the check) is not followed either.
    from server.cli import CliError, write_new_file

    (tmp_path / "late.json").symlink_to(victim)
    with pytest.raises(CliError, match="not overwriting"):
        write_new_file(tmp_path / "late.json", b"{}")
    assert victim.read_text() == "precious"


def test_import_without_a_secret_key_says_so(
    hall: Hall, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HALLRATE_ENVIRONMENT", raising=False)
    monkeypatch.delenv("HALLRATE_SECRET_KEY", raising=False)
    path = tmp_path / "k.bundle.json"
    path.write_bytes(_bundle(hall, bundle.device_key(hall.token)))
    code, _, err = run(db_url, "import", str(path))
    assert code == 2
    assert "no secret key" in err


def test_bundle_keys_survive_a_secret_rotation(
    hall: Hall,
    db_url: str,
    tmp_path: Path,
    settings: Settings,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rotated: the old secret stays as HALLRATE_PREVIOUS_SECRET_KEY until every kiosk has
    synced, which re-wraps its key under the new one."""
    monkeypatch.setenv("HALLRATE_ENVIRONMENT", "test")
    monkeypatch.setenv("HALLRATE_SECRET_KEY", NEW_SECRET)
    monkeypatch.setenv("HALLRATE_PREVIOUS_SECRET_KEY", SECRET)
    first = tmp_path / "a.bundle.json"
    first.write_bytes(_bundle(hall, bundle.device_key(hall.token)))
    assert run(db_url, "import", str(first))[0] == 0

    rotated = settings.model_copy(update={"secret_key": NEW_SECRET})
    with TestClient(create_app(rotated, engine, run_escalation=False)) as client:
        answer = client.post("/api/v1/sync", json=envelope([]), headers=hall.auth)
        assert answer.status_code == 200
    monkeypatch.delenv("HALLRATE_PREVIOUS_SECRET_KEY")
    second = tmp_path / "b.bundle.json"
    second.write_bytes(_bundle(hall, bundle.device_key(hall.token), [rating(seq=3), rating(seq=4)]))
    code, out, err = run(db_url, "import", str(second))
    assert code == 0, err
    assert "2 accepted" in out


def test_a_device_enrolled_without_a_secret_gets_its_key_at_first_sync(
    db_url: str, tmp_path: Path, settings: Settings, engine: Engine, server_env: None
) -> None:
    run(db_url, "hall", "add", "h1", "--name", "Hall")
    run(db_url, "counter", "add", "c1", "--hall", "h1", "--name", "C1")
    code_text = run(db_url, "enroll-code", "--counter", "c1", "--no-qr")[1].split(": ")[1]
    code = code_text.splitlines()[0]
    with TestClient(create_app(settings, engine, run_escalation=False)) as client:
        enrolled = client.post("/api/v1/enroll", json={"code": code, "app_version": "1"}).json()
    hall = Hall("h1", "c1", "c2", enrolled["device_id"], enrolled["token"], "c9")
    with make_session_factory(engine).begin() as session:
        device = session.get(Device, hall.device_id)
        assert device is not None
        assert device.bundle_key_wrapped is not None
        device.bundle_key_wrapped = None  # as after an enrollment by an older server
    path = tmp_path / "k.bundle.json"
    path.write_bytes(_bundle(hall, bundle.device_key(hall.token)))
    code, _, err = run(db_url, "import", str(path))
    assert code == 2
    assert "sync once" in err
    with TestClient(create_app(settings, engine, run_escalation=False)) as client:
        assert client.post("/api/v1/sync", json=envelope([]), headers=hall.auth).status_code == 200
    assert run(db_url, "import", str(path))[0] == 0
    assert json.loads((tmp_path / "k.json.receipt.json").read_text())["device_id"] == hall.device_id
