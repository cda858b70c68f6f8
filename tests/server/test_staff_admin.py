"""Halls, counters, staff and users: edit and disable through the service functions, and
staff photos reaching the kiosks of their hall through sync."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from server.enrollment import service as enrollment
from server.halls import photos
from server.halls import service as halls
from server.models import Role
from server.settings import Settings
from server.users import admin as users_admin
from server.users import service as users
from tests.server.conftest import PASSWORD, SECRET, Hall, enroll_device, login
from tests.server.kiosk_payloads import envelope

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        secret_key=SECRET,
        database_url=db_url,
        password_time_cost=1,
        password_memory_kib=64,
        photo_dir=tmp_path / "photos",
    )


def picture(fmt: str = "PNG", size: tuple[int, int] = (1600, 1200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt)
    return out.getvalue()


def test_editing_a_hall_returns_before_and_after(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        halls.add_hall(session, "h1", "Old name", "Asia/Shanghai", NOW)
        change = halls.edit_hall(session, "h1", name="新名字", timezone="Asia/Urumqi")
    assert change.before == {"name": "Old name", "timezone": "Asia/Shanghai", "active": True}
    assert change.after == {"name": "新名字", "timezone": "Asia/Urumqi", "active": True}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"name": " "}, "1–200 characters"),
        ({"name": "x" * 201}, "1–200 characters"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
    ],
)
def test_bad_hall_edits_are_refused(
    factory: sessionmaker[Session], edit: dict[str, str], message: str
) -> None:
    with factory.begin() as session:
        halls.add_hall(session, "h1", "Hall", "Asia/Shanghai", NOW)
    with factory.begin() as session, pytest.raises(halls.HallError, match=message):
        halls.edit_hall(session, "h1", **edit)  # type: ignore[arg-type]


def test_a_disabled_hall_takes_no_new_counter_staff_or_enrollment_code(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        halls.add_hall(session, "h1", "Hall", "Asia/Shanghai", NOW)
        halls.add_counter(session, "h1", "c1", "Counter", NOW)
        halls.edit_hall(session, "h1", active=False)
    with factory.begin() as session:
        with pytest.raises(halls.HallError, match="disabled"):
            halls.add_counter(session, "h1", "c2", "Counter 2", NOW)
        with pytest.raises(halls.HallError, match="disabled"):
            halls.add_staff(session, "h1", "s1", "Staff", None, NOW)
        with pytest.raises(enrollment.EnrollmentError, match="disabled"):
            enrollment.make_code(session, "c1", settings, NOW)


def test_a_disabled_counter_gets_no_code_but_its_kiosk_still_delivers(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        change = halls.edit_counter(session, hall.counter_id, active=False)
    assert change.before["active"] is True
    assert change.after["active"] is False
    with factory.begin() as session, pytest.raises(enrollment.EnrollmentError, match="disabled"):
        enrollment.make_code(session, hall.counter_id, settings, NOW)
    # Ratings the kiosk still holds are never stranded by an administrative change.
    response = client.post("/api/v1/sync", json=envelope([]), headers=hall.auth)
    assert response.status_code == 200


def test_staff_move_only_to_a_counter_of_their_hall(
    factory: sessionmaker[Session], hall: Hall
) -> None:
    with factory.begin() as session:
        halls.add_staff(session, "h1", "s1", "张三", "c1", NOW)
        change = halls.edit_staff(session, "s1", counter_id="c2")
        assert change.after["counter_id"] == "c2"
        change = halls.edit_staff(session, "s1", name="李四")
        assert change.after["counter_id"] == "c2"  # not named: unchanged
        with pytest.raises(halls.HallError, match="no counter 'c9' in hall 'h1'"):
            halls.edit_staff(session, "s1", counter_id=hall.foreign_counter_id)


def test_a_photo_is_reencoded_small_and_stored_outside_the_database(
    factory: sessionmaker[Session], hall: Hall, settings: Settings
) -> None:
    with factory.begin() as session:
        halls.add_staff(session, "h1", "s1", "张三", "c1", NOW)
        change = halls.set_staff_photo(
            session, "s1", picture(), settings.photo_dir, settings.photo_max_bytes
        )
    sha = change.after["photo_sha256"]
    assert change.before["photo_sha256"] is None
    assert sha
    stored = photos.path_of(settings.photo_dir, sha)
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) == photos.MAX_SIDE_PX


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 100, "not a readable"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a readable"),
        (picture("GIF", (10, 10)), "JPEG, PNG or WebP"),
        (picture()[:200], "not a readable"),
        (b"\x89PNG" + b"\x00" * 2_000_000, "larger than"),
    ],
    ids=["empty", "gif-header", "svg", "gif", "truncated", "too-big"],
)
def test_what_is_not_a_photo_is_refused_and_nothing_changes(
    factory: sessionmaker[Session], hall: Hall, settings: Settings, data: bytes, message: str
) -> None:
    with factory.begin() as session:
        halls.add_staff(session, "h1", "s1", "张三", "c1", NOW)
    with factory.begin() as session, pytest.raises(photos.PhotoError, match=message):
        halls.set_staff_photo(session, "s1", data, settings.photo_dir, settings.photo_max_bytes)
    with factory() as session:
        assert halls.require_staff(session, "s1").photo_sha256 is None
    assert not settings.photo_dir.exists() or not any(settings.photo_dir.rglob("*.jpg"))


def test_the_kiosk_receives_its_halls_staff_with_photos_and_fetches_them(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        halls.add_staff(session, "h1", "s1", "张三", "c1", NOW)
        halls.add_staff(session, "h1", "s2", "李四", "c2", NOW)
        halls.add_staff(session, "h1", "gone", "王五", None, NOW)
        halls.edit_staff(session, "gone", active=False)
        halls.add_staff(session, "h2", "s9", "赵六", "c9", NOW)
        halls.set_staff_photo(session, "s1", picture(), settings.photo_dir, 10**7)
    answer = client.post("/api/v1/sync", json=envelope([]), headers=hall.auth).json()
    staff = {s["id"]: s for s in answer["config"]["staff"]}
    assert set(staff) == {"s1", "s2"}  # own hall, active only
    assert staff["s2"]["photo_url"] is None
    url = staff["s1"]["photo_url"]
    photo = client.get(url, headers=hall.auth)
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).format == "JPEG"
    again = client.get(url, headers={**hall.auth, "If-None-Match": photo.headers["etag"]})
    assert again.status_code == 304


def test_a_photo_is_only_for_devices_of_the_staffs_hall(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        halls.add_staff(session, "h1", "s1", "张三", "c1", NOW)
        halls.set_staff_photo(session, "s1", picture(), settings.photo_dir, 10**7)
    _, foreign_token = enroll_device(factory, settings, hall.foreign_counter_id)
    url = "/api/v1/staff/s1/photo"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    other = client.get(url, headers={"Authorization": f"Bearer {foreign_token}"})
    assert other.status_code == 404
    assert client.get("/api/v1/staff/nobody/photo", headers=hall.auth).status_code == 404
    # A dashboard user's token is not a device token.
    assert client.get(url, headers=login(client, "admin")).status_code == 401


def test_a_disabled_user_cannot_sign_in_and_their_token_stops_working(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    token = login(client, "super1")
    assert client.get("/api/v1/alerts", headers=token).status_code == 200
    with factory.begin() as session:
        before, after = users_admin.edit_user(session, "super1", active=False)
    assert before["active"] is True
    assert after["active"] is False
    assert client.get("/api/v1/alerts", headers=token).status_code == 401
    refused = client.post("/api/v1/auth/login", json={"username": "super1", "password": PASSWORD})
    assert refused.status_code == 401


def test_a_user_role_and_hall_change_together(factory: sessionmaker[Session], hall: Hall) -> None:
    with factory.begin() as session:
        _, after = users_admin.edit_user(session, "super1", role=Role.AUDITOR)
        assert after == {"username": "super1", "role": "auditor", "hall_id": None, "active": True}
        with pytest.raises(users.UserError, match="needs a hall"):
            users_admin.edit_user(session, "auditor", role=Role.SUPERVISOR)
        _, after = users_admin.edit_user(session, "auditor", role=Role.SUPERVISOR, hall_id="h2")
        assert after["hall_id"] == "h2"
        with pytest.raises(users.UserError, match="no hall 'h7'"):
            users_admin.edit_user(session, "auditor", hall_id="h7")


def test_the_last_admin_can_be_neither_disabled_nor_demoted(
    factory: sessionmaker[Session], hall: Hall
) -> None:
    with factory.begin() as session:
        with pytest.raises(users.UserError, match="last active admin"):
            users_admin.edit_user(session, "admin", active=False)
        with pytest.raises(users.UserError, match="last active admin"):
            users_admin.edit_user(session, "admin", role=Role.AUDITOR)


def test_a_reset_password_replaces_the_old_one(
    client: TestClient, hall: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory.begin() as session:
        users_admin.reset_password(
            session, "super1", "a brand new one 3", users.hasher_for(settings)
        )
    old = client.post("/api/v1/auth/login", json={"username": "super1", "password": PASSWORD})
    assert old.status_code == 401
    new = client.post(
        "/api/v1/auth/login", json={"username": "super1", "password": "a brand new one 3"}
    )
    assert new.status_code == 200
