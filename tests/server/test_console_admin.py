"""The Kiosks, Administration and Audit log pages: who may open each page and do each
action, cross-hall URL guessing (404), CSRF, expired sessions, and the audit trail of
every change. SQLite and PostgreSQL, through the real app."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.console import session as console_session
from server.content import service as content
from server.halls import photos
from server.models import AuditEntry, Counter, Device, Role, Staff, User
from server.models import Hall as HallRow
from server.settings import Settings
from server.users import service as users
from tests.server.conftest import PASSWORD, SECRET, Hall

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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


@pytest.fixture
def people(hall: Hall, factory: sessionmaker[Session], settings: Settings) -> Hall:
    """The hall fixture's users, plus a manager of h1 and an inspector."""
    now = datetime.now(UTC)
    with factory.begin() as db:
        hasher = users.hasher_for(settings)
        users.create_user(db, "manager1", PASSWORD, Role.MANAGER, "h1", now, hasher)
        users.create_user(db, "inspector", PASSWORD, Role.INSPECTOR, None, now, hasher)
    return hall


class Browser:
    """A signed-in browser: its client and the CSRF token its pages carry."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, path: str) -> object:
        return self.client.get(path, follow_redirects=False)

    def post(self, path: str, data: dict[str, str] | None = None, csrf: str | None = "") -> object:
        body = dict(data or {})
        if csrf is not None:
            body["csrf"] = csrf or self.csrf
        return self.client.post(path, data=body, follow_redirects=False)


def sign_in(client: TestClient, username: str) -> Browser:
    """Sign in as `username`, reading the pages in English."""
    client.cookies.clear()
    client.headers["Accept-Language"] = "en"
    page = client.get("/")
    found = CSRF.search(page.text)
    assert found is not None
    answer = client.post(
        "/login",
        data={"csrf": found.group(1), "username": username, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    token = CSRF.search(client.get("/").text)
    assert token is not None
    return Browser(client, token.group(1))


def audit_actions(factory: sessionmaker[Session]) -> list[str]:
    with factory() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def last_audit(factory: sessionmaker[Session], action: str) -> AuditEntry:
    with factory() as db:
        entry = db.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None, action
    return entry


PAGES = [
    "/kiosks",
    "/admin/halls",
    "/admin/halls/h1",
    "/admin/counters?hall=h1",
    "/admin/counters/c1",
    "/admin/staff?hall=h1",
    "/admin/users",
    "/admin/users/super1",
    "/admin/scoring",
    "/audit",
]
#: Who may open what: 200, else the status every other role gets.
ALLOWED = {
    "/kiosks": {"admin", "manager1", "super1", "auditor", "inspector"},
    "/audit": {"admin", "auditor", "inspector"},
}
ROLES = ["admin", "manager1", "super1", "auditor", "inspector"]


# Reading a page changes nothing, so one signed-in browser per role walks every page.
@pytest.mark.parametrize("username", ROLES)
def test_each_page_opens_only_for_the_roles_it_is_for(
    client: TestClient, people: Hall, username: str
) -> None:
    browser = sign_in(client, username)
    expected = {
        path: 200 if username in ALLOWED.get(path.split("?")[0], {"admin"}) else 403
        for path in PAGES
    }
    assert {path: browser.get(path).status_code for path in PAGES} == expected  # type: ignore[attr-defined]


def test_signed_out_every_page_goes_to_sign_in(client: TestClient, people: Hall) -> None:
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/?next="), path


def test_an_expired_session_signs_in_again_and_changes_nothing(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    with factory() as db:
        admin = db.scalars(select(User).where(User.username == "admin")).one()
        old = console_session.new_session(
            admin.id, admin.password_hash, datetime.now(UTC) - timedelta(hours=2)
        )
    client.cookies.set(console_session.SESSION_COOKIE, console_session.encode(old, SECRET))
    assert client.get("/admin/halls", follow_redirects=False).headers["location"].startswith("/?")
    answer = client.post(
        "/admin/halls",
        data={"csrf": old.csrf, "id": "h7", "name": "Late", "timezone": "Asia/Shanghai"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    with factory() as db:
        assert db.get(HallRow, "h7") is None


# -- Kiosks ------------------------------------------------------------------------------


def test_a_supervisor_sees_only_their_halls_kiosks(client: TestClient, people: Hall) -> None:
    browser = sign_in(client, "super1")
    page = browser.get("/kiosks")
    assert people.device_id[:8] in page.text  # type: ignore[attr-defined]
    assert browser.get("/kiosks?hall=h2").status_code == 404  # type: ignore[attr-defined]
    assert browser.get("/kiosks?hall=nowhere").status_code == 404  # type: ignore[attr-defined]


def test_fleet_health_shows_queue_gaps_and_clock(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    with factory.begin() as db:
        device = db.get(Device, people.device_id)
        assert device is not None
        device.last_contact_at = datetime.now(UTC) - timedelta(hours=3)
        device.app_version = "1.4.2"
        device.queue_depth = 17
        device.oldest_pending_at = datetime.now(UTC) - timedelta(hours=5)
        device.clock_offset_s = -412.5
        device.clock_flagged = True
        device.highest_seq = 40
        device.seq_gaps = [[3, 5], [9, 9]]
    text = sign_in(client, "admin").get("/kiosks?hall=h1").text  # type: ignore[attr-defined]
    row = text[text.index(people.device_id[:8]) :]
    row = row[: row.index("</tr>")]
    for shown in (
        "offline",
        "old unsent ratings",
        "1.4.2",
        ">17<",
        ">5h<",
        "-412.5 s",
        "4 missing",
        "3–5, 9",
    ):
        assert shown in row, shown


def test_a_supervisor_makes_an_enrollment_code_shown_as_a_qr_and_audited(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    browser = sign_in(client, "super1")
    answer = browser.post("/kiosks/code", {"counter": "c2"})
    assert answer.status_code == 200  # type: ignore[attr-defined]
    code = re.search(r'id="enroll-code">([A-Z0-9-]+)<', answer.text)  # type: ignore[attr-defined]
    assert code is not None
    assert "<svg" in answer.text  # type: ignore[attr-defined]
    enrolled = client.post("/api/v1/enroll", json={"code": code.group(1), "app_version": "2.0"})
    assert enrolled.status_code == 200
    entry = last_audit(factory, "device.enrollment_code")
    assert (entry.username, entry.object_id, entry.hall_id) == ("super1", "c2", "h1")


def test_kiosk_actions_in_another_hall_are_404_and_read_only_roles_get_403(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    other = sign_in(client, "super2")
    assert other.post("/kiosks/code", {"counter": "c1"}).status_code == 404  # type: ignore[attr-defined]
    assert other.post(f"/kiosks/{people.device_id}/revoke").status_code == 404  # type: ignore[attr-defined]
    auditor = sign_in(client, "auditor")
    assert auditor.post("/kiosks/code", {"counter": "c1"}).status_code == 403  # type: ignore[attr-defined]
    assert auditor.post(f"/kiosks/{people.device_id}/revoke").status_code == 403  # type: ignore[attr-defined]
    with factory() as db:
        device = db.get(Device, people.device_id)
        assert device is not None
        assert device.active
    assert "device.revoke" not in audit_actions(factory)


def test_revoking_a_kiosk_stops_its_token_and_is_audited(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    browser = sign_in(client, "manager1")
    answer = browser.post(f"/kiosks/{people.device_id}/revoke")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    sync = client.post("/api/v1/sync", json={}, headers=people.auth)
    assert sync.status_code == 401
    entry = last_audit(factory, "device.revoke")
    assert entry.before == {"counter_id": "c1", "active": True}
    assert entry.after == {"counter_id": "c1", "active": False}
    # A second revoke of the same device is refused, not repeated.
    assert browser.post(f"/kiosks/{people.device_id}/revoke").status_code == 409  # type: ignore[attr-defined]


# -- CSRF --------------------------------------------------------------------------------

ACTIONS = [
    ("/kiosks/code", {"counter": "c1"}),
    ("/admin/halls", {"id": "h5", "name": "Five", "timezone": "Asia/Shanghai"}),
    ("/admin/halls/h1", {"name": "Renamed", "timezone": "Asia/Shanghai"}),
    ("/admin/counters", {"hall": "h1", "id": "c5", "name": "Five"}),
    ("/admin/counters/c1", {"name": "Renamed"}),
    ("/admin/staff", {"hall": "h1", "id": "s5", "name": "Five"}),
    ("/admin/users", {"username": "new", "role": "auditor", "password": "long enough 7"}),
    ("/admin/users/super1", {"role": "auditor"}),
    ("/admin/users/super1/password", {"password": "another long one 2"}),
    ("/admin/scoring", {"alert_deadline_hours": "6"}),
]


# A refused change changes nothing, so one browser tries every action in turn; the audit
# log staying as it was after each shows no action got through.
@pytest.mark.parametrize("csrf", [None, "wrong-token"], ids=["missing", "wrong"])
def test_a_change_without_the_right_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, people: Hall, factory: sessionmaker[Session], csrf: str | None
) -> None:
    browser = sign_in(client, "admin")
    before = audit_actions(factory)
    for path, data in ACTIONS:
        answer = browser.post(path, data, csrf=csrf)
        assert answer.status_code == 403, path  # type: ignore[attr-defined]
        assert "out of date" in answer.text, path  # type: ignore[attr-defined]
        assert audit_actions(factory) == before, path


@pytest.mark.parametrize("username", ["manager1", "super1", "auditor", "inspector"])
def test_only_an_admin_may_change_administration(
    client: TestClient, people: Hall, factory: sessionmaker[Session], username: str
) -> None:
    browser = sign_in(client, username)
    before = audit_actions(factory)
    for path, data in ACTIONS[1:]:
        assert browser.post(path, data).status_code == 403, path  # type: ignore[attr-defined]
        assert audit_actions(factory) == before, path


# -- Administration ----------------------------------------------------------------------


def test_halls_counters_and_staff_are_added_and_edited_with_before_and_after(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    admin = sign_in(client, "admin")
    answer = admin.post("/admin/halls", {"id": "h3", "name": "三号大厅", "timezone": "Asia/Urumqi"})
    assert answer.headers["location"] == "/admin/halls?saved=1"  # type: ignore[attr-defined]
    assert (
        admin.post("/admin/counters", {"hall": "h3", "id": "c31", "name": "31号"}).status_code
        == 303
    )  # type: ignore[attr-defined]
    admin.post("/admin/staff", {"hall": "h3", "id": "s31", "name": "王五", "counter": "c31"})
    admin.post("/admin/counters/c31", {"name": "31号窗口"})  # unticked "active": disabled
    admin.post("/admin/staff/s31", {"name": "王五", "counter": "", "active": "on"})
    with factory() as db:
        counter = db.get(Counter, "c31")
        staff = db.get(Staff, "s31")
        assert counter is not None
        assert staff is not None
        assert (counter.name, counter.active) == ("31号窗口", False)
        assert staff.counter_id is None
    edit = last_audit(factory, "counter.edit")
    assert edit.before == {"hall_id": "h3", "name": "31号", "active": True}
    assert edit.after == {"hall_id": "h3", "name": "31号窗口", "active": False}
    assert edit.username == "admin"
    assert edit.hall_id == "h3"
    assert last_audit(factory, "hall.create").after == {
        "name": "三号大厅",
        "timezone": "Asia/Urumqi",
        "active": True,
    }


@pytest.mark.parametrize(
    ("path", "data", "message", "chinese"),
    [
        (
            "/admin/halls",
            {"id": "bad id", "name": "x", "timezone": "Asia/Shanghai"},
            "hall id 'bad id' must be",
            "大厅编号 'bad id' 须为",
        ),
        (
            "/admin/halls",
            {"id": "h1", "name": "x", "timezone": "Asia/Shanghai"},
            "hall 'h1' already exists",
            "大厅 'h1' 已存在",
        ),
        (
            "/admin/halls/h1",
            {"name": "x", "timezone": "Nowhere/City", "active": "on"},
            "unknown timezone 'Nowhere/City'",
            "未知的时区 'Nowhere/City'",
        ),
        (
            "/admin/counters",
            {"hall": "h1", "id": "c1", "name": "x"},
            "counter 'c1' already exists",
            "窗口 'c1' 已存在",
        ),
        (
            "/admin/staff",
            {"hall": "h1", "id": "s1", "name": "x", "counter": "c9"},
            "no counter 'c9' in hall 'h1'",
            "大厅 'h1' 中没有窗口 'c9'",
        ),
        (
            "/admin/users",
            {"username": "newbie", "role": "supervisor", "password": "long enough 7"},
            "a supervisor needs a hall",
            "督办员须属于一个大厅",
        ),
        (
            "/admin/users",
            {"username": "newbie", "role": "auditor", "password": "short"},
            "at least 10 characters",
            "密码至少需要 10 个字符",
        ),
        (
            "/admin/users",
            {"username": "newbie", "role": "emperor", "password": "long enough 7"},
            "unknown role 'emperor'",
            "未知的角色 'emperor'",
        ),
        (
            "/admin/users/admin",
            {"role": "auditor", "active": "on"},
            "last active admin",
            "这是最后一个在用的管理员",
        ),
        (
            "/admin/users/super1/password",
            {"password": "short"},
            "at least 10 characters",
            "密码至少需要 10 个字符",
        ),
    ],
)
def test_a_refused_edit_says_why_and_changes_nothing(
    client: TestClient,
    people: Hall,
    factory: sessionmaker[Session],
    path: str,
    data: dict[str, str],
    message: str,
    chinese: str,
) -> None:
    admin = sign_in(client, "admin")
    before = audit_actions(factory)
    answer = admin.post(path, data)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert message in html.unescape(answer.text)  # type: ignore[attr-defined]
    # The same refusal on a Chinese page reads in Chinese.
    client.headers["Accept-Language"] = "zh-CN"
    answer = admin.post(path, data)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert chinese in html.unescape(answer.text)  # type: ignore[attr-defined]
    assert message not in html.unescape(answer.text)  # type: ignore[attr-defined]
    assert audit_actions(factory) == before
    with factory() as db:
        assert db.get(HallRow, "h1") is not None
        assert db.get(HallRow, "h1").timezone == "Asia/Shanghai"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "path", ["/admin/halls/nope", "/admin/counters/nope", "/admin/staff/nope", "/admin/users/nope"]
)
def test_editing_what_does_not_exist_is_404(client: TestClient, people: Hall, path: str) -> None:
    admin = sign_in(client, "admin")
    assert admin.get(path).status_code == 404  # type: ignore[attr-defined]
    assert admin.post(path, {"name": "x", "role": "auditor"}).status_code == 404  # type: ignore[attr-defined]


def test_users_are_created_given_a_role_and_hall_disabled_and_reset(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    admin = sign_in(client, "admin")
    admin.post(
        "/admin/users",
        {"username": "lily", "role": "supervisor", "hall": "h2", "password": "first password 1"},
    )
    assert last_audit(factory, "user.create").after == {
        "username": "lily",
        "role": "supervisor",
        "hall_id": "h2",
        "active": True,
    }
    admin.post("/admin/users/lily/password", {"password": PASSWORD})
    admin.post("/admin/users/lily", {"role": "manager", "hall": "h1", "active": "on"})
    edit = last_audit(factory, "user.edit")
    assert (edit.before["role"], edit.after["role"], edit.after["hall_id"]) == (
        "supervisor",
        "manager",
        "h1",
    )  # type: ignore[index]
    assert last_audit(factory, "user.password_reset").before is None
    lily = sign_in(client, "lily")
    assert lily.get("/kiosks?hall=h1").status_code == 200  # type: ignore[attr-defined]
    admin = sign_in(client, "admin")
    admin.post("/admin/users/lily", {"role": "manager", "hall": "h1"})  # unticked: disabled
    with factory() as db:
        assert not db.scalars(select(User.active).where(User.username == "lily")).one()


def test_a_scoring_change_makes_a_version_kiosks_receive_and_is_audited(
    client: TestClient, people: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    admin = sign_in(client, "admin")
    form = {
        "weight_attitude": "0.25",
        "weight_efficiency": "0.25",
        "weight_process": "0.25",
        "weight_environment": "0.15",
        "weight_overall": "0.10",
        "low_score_below": "3.5",
        "alert_deadline_hours": "12",
        "reasons": "queue | efficiency | 排队久 | Long queue\n\nrude | attitude | 态度差 | Rude\n",
    }
    assert admin.post("/admin/scoring", form).status_code == 303  # type: ignore[attr-defined]
    with factory() as db:
        in_force = content.content_in_force(db, settings)
    assert str(in_force.scoring.low_score_below) == "3.5"
    assert [r.code for r in in_force.reasons] == ["queue", "rude"]
    config = client.post(
        "/api/v1/sync",
        json={
            "protocol": 1,
            "batch_id": "0192f3c8-8d0e-7c4a-9b7e-1a2b3c4d5e6f",
            "device_time": datetime.now(UTC).isoformat(),
            "queue_depth": 0,
            "app_version": "1",
        },
        headers=people.auth,
    ).json()["config"]
    assert config["scoring"]["version"] == in_force.version
    entry = last_audit(factory, "content.change")
    assert entry.before["version"] == "2024.1"  # type: ignore[index]
    assert entry.after["alert_deadline_hours"] == 12  # type: ignore[index]
    page = admin.get("/admin/scoring").text  # type: ignore[attr-defined]
    assert in_force.version in page
    bad = admin.post("/admin/scoring", {**form, "reasons": "just one part"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "reason line 1" in bad.text  # type: ignore[attr-defined]
    assert "just one part" in bad.text  # type: ignore[attr-defined]  (the form keeps what was typed)


def png(size: tuple[int, int] = (900, 700)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_a_staff_photo_is_uploaded_shown_and_audited(
    client: TestClient, people: Hall, factory: sessionmaker[Session], settings: Settings
) -> None:
    admin = sign_in(client, "admin")
    admin.post("/admin/staff", {"hall": "h1", "id": "s1", "name": "张三", "counter": "c1"})
    answer = client.post(
        "/admin/staff/s1/photo",
        data={"csrf": admin.csrf},
        files={"photo": ("face.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    with factory() as db:
        staff = db.get(Staff, "s1")
        assert staff is not None
        sha = staff.photo_sha256
    assert sha is not None
    assert photos.path_of(settings.photo_dir, sha).exists()
    shown = client.get("/admin/staff/s1/photo")
    assert shown.headers["content-type"] == "image/jpeg"
    entry = last_audit(factory, "staff.photo")
    assert (entry.before["photo_sha256"], entry.after["photo_sha256"]) == (None, sha)  # type: ignore[index]
    refused = client.post(
        "/admin/staff/s1/photo",
        data={"csrf": admin.csrf},
        files={"photo": ("notes.txt", b"just text", "image/png")},
    )
    assert refused.status_code == 400
    assert "not a readable" in refused.text
    for token in ("", "wrong"):
        forged = client.post(
            "/admin/staff/s1/photo",
            data={"csrf": token} if token else {},
            files={"photo": ("face.png", png((10, 10)), "image/png")},
        )
        assert forged.status_code == 403
    supervisor = sign_in(client, "super1")
    sneaky = client.post(
        "/admin/staff/s1/photo",
        data={"csrf": supervisor.csrf},
        files={"photo": ("face.png", png((10, 10)), "image/png")},
    )
    assert sneaky.status_code == 403
    assert client.get("/admin/staff/s1/photo").status_code == 403


# -- Audit log ---------------------------------------------------------------------------


def test_the_audit_log_filters_by_who_what_and_period_and_pages(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    admin = sign_in(client, "admin")
    for i in range(55):
        admin.post(
            "/admin/halls/h2",
            {"name": f"Hall two v{i}", "timezone": "Asia/Shanghai", "active": "on"},
        )
    auditor = sign_in(client, "auditor")
    page = auditor.get("/audit?what=hall").text  # type: ignore[attr-defined]
    assert "55 entries" in page
    assert "page 1 of 2" in page
    assert "Hall two v54" in page  # newest first
    older = auditor.get("/audit?what=hall&page=2").text  # type: ignore[attr-defined]
    assert "Hall two v0" in older
    assert older.count("<code>hall.edit</code>") == 5
    assert page.count("<code>hall.edit</code>") == 50
    who = auditor.get("/audit?who=auditor").text  # type: ignore[attr-defined]
    assert "hall.edit" not in who
    assert "<code>login</code>" in who
    today = datetime.now(UTC).date()
    future = auditor.get(f"/audit?from={today + timedelta(days=2)}").text  # type: ignore[attr-defined]
    assert "0 entries" in future
    bad = auditor.get("/audit?from=yesterday")
    assert bad.status_code == 200  # type: ignore[attr-defined]
    assert "not understood" in bad.text  # type: ignore[attr-defined]


def test_audit_log_shows_a_name_typed_as_script_escaped(
    client: TestClient, people: Hall, factory: sessionmaker[Session]
) -> None:
    admin = sign_in(client, "admin")
    admin.post(
        "/admin/halls/h2",
        {"name": "<script>alert(1)</script>", "timezone": "Asia/Shanghai", "active": "on"},
    )
    page = admin.get("/audit?what=hall").text  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
