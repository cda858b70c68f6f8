"""The Today page: the hall's figures are the ones the API and the kiosks get (one
implementation), open alerts by state with the nearest deadline, and kiosks that need
someone's attention."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from server.models import Device
from tests.server.conftest import Hall, login
from tests.server.console_client import sign_in
from tests.server.test_alerts import low_score_alert

EN = {"Accept-Language": "en"}


def _cell_texts(html: str, row_header: str) -> list[str]:
    row = re.search(rf"<th scope=\"row\">{re.escape(row_header)}</th>(.*?)</tr>", html, re.S)
    assert row is not None, row_header
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def test_it_shows_the_same_figures_as_the_scores_api(client: TestClient, hall: Hall) -> None:
    low_score_alert(client, hall)
    sign_in(client, "super1")
    page = client.get("/", headers=EN).text
    api = client.get(
        f"/api/v1/counters/{hall.counter_id}/scores", headers=login(client, "super1")
    ).json()
    today, last = api["today"], api["last_30_days"]
    assert f'id="ratings-today">{today["count"]}<' in page
    assert f"{today['satisfaction_rate'] * 100:.1f}%" in page
    assert f"{today['low_rate'] * 100:.1f}%" in page
    rank, _shrunk, mean, count, today_cell = _cell_texts(page, "Counter 1")
    assert rank == f"{last['rank']}/{last['ranked_counters']}"
    assert mean == f"{last['mean']:.2f}"
    assert count == str(last["count"])
    assert today_cell.startswith(str(today["count"]))
    # A counter without ratings is listed, without a rank.
    assert _cell_texts(page, "Counter 2")[:4] == ["—", "—", "—", "0"]


def test_it_counts_open_alerts_by_state_with_the_nearest_deadline(
    client: TestClient, hall: Hall
) -> None:
    alert_id = low_score_alert(client, hall)
    auth = login(client, "super1")
    due = client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()["due_at"]
    sign_in(client, "super1")
    panel = client.get("/today/panel", headers=EN).text
    assert 'id="open-alerts">1<' in panel
    assert f'data-due="{datetime.fromisoformat(due.replace("Z", "+00:00")).isoformat()}"' in panel
    client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": "mine"}, headers=auth)
    panel = client.get("/today/panel", headers=EN).text
    assert re.search(r"state=acknowledged\">acknowledged</a></td>\s*<td class=\"num\">1", panel)


def test_it_lists_offline_kiosks_and_kiosks_holding_old_ratings(
    client: TestClient, hall: Hall, factory: sessionmaker[Session]
) -> None:
    low_score_alert(client, hall)  # the kiosk has synced: nothing to report
    sign_in(client, "super1")
    assert "Every kiosk has reported in" in client.get("/today/panel", headers=EN).text
    now = datetime.now(UTC)
    with factory.begin() as session:
        session.execute(
            update(Device)
            .where(Device.id == hall.device_id)
            .values(
                last_contact_at=now - timedelta(hours=1), oldest_pending_at=now - timedelta(hours=3)
            )
        )
    panel = client.get("/today/panel", headers=EN).text
    assert "offline" in panel
    assert "old unsent ratings" in panel
