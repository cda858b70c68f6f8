"""A demo hall: several counters with their devices, staff, users, a matter catalog and 30
days of plausible services and ratings, stored through the real ingest so that rollups,
alerts and session figures are what they would be.

The hall has a queue system: a service session stands behind most ratings (ticket, staff
member, matter, handling time around the matter's standard, outcome), most served citizens
rate (the participation rate is 80–90%), a few sessions are cancelled, and a few ratings
come without a session (citizens who walked up to the kiosk on their own)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.alerts import service as alerts
from server.content.service import scoring_in_force
from server.enrollment import service as enrollment
from server.halls import repository as halls
from server.halls import service as hall_service
from server.ingest import service as ingest
from server.models import Alert, AlertCause, AlertKind, Rating, Role
from server.notify import service as notify
from server.sessions.service import put_matter
from server.settings import Settings
from server.users import repository as users_repository
from server.users import service as users
from sync.protocol import EnrollRequest, SyncRequest
from sync.reasons import DEFAULT_REASONS
from sync.scoring import DEFAULT_CONFIG

HALL_ID = "demo-hall"
DEMO_PASSWORD = "demo-password"
# (id, name, mean stars): one counter is poor enough to need rectification.
COUNTERS = (
    ("c01", "1号窗口 户籍办理", 4.6),
    ("c02", "2号窗口 社保医保", 4.3),
    ("c03", "3号窗口 不动产登记", 3.9),
    ("c04", "4号窗口 企业开办", 4.5),
    ("c05", "5号窗口 税务", 4.1),
    ("c06", "6号窗口 综合受理", 3.1),
)
REASONS = tuple(r.code for r in DEFAULT_REASONS)
#: The matter catalog, (code, name, standard minutes), and each counter's matters.
MATTERS = (
    ("HJ01", "户籍迁入", 15),
    ("HJ02", "居民身份证换领", 8),
    ("SB01", "社保参保登记", 10),
    ("YB01", "医保异地就医备案", 6),
    ("BDC01", "不动产转移登记", 25),
    ("BDC02", "不动产抵押登记", 20),
    ("QY01", "企业设立登记", 30),
    ("QY02", "企业变更登记", 15),
    ("SW01", "发票申领", 8),
    ("SW02", "个税汇算咨询", 12),
    ("ZH01", "综合咨询", 5),
    ("ZH02", "证明开具", 10),
)
COUNTER_MATTERS = {
    "c01": ("HJ01", "HJ02"),
    "c02": ("SB01", "YB01"),
    "c03": ("BDC01", "BDC02"),
    "c04": ("QY01", "QY02"),
    "c05": ("SW01", "SW02"),
    "c06": ("ZH01", "ZH02", "HJ02"),
}
#: How services end, with weights: a hall that finishes most matters in one visit.
OUTCOMES = (("one_visit", 85), ("another_visit", 10), ("referred", 5))


class DemoError(ValueError):
    pass


@dataclass(frozen=True)
class DemoSummary:
    hall_id: str
    counters: int
    ratings: int
    users: tuple[str, ...]
    sessions: int = 0


def _stars(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def build(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    days: int = 30,
    seed: int = 7,
) -> DemoSummary:
    rng = random.Random(seed)
    zone = ZoneInfo(settings.default_timezone)
    with factory.begin() as session:
        if halls.get_hall(session, HALL_ID) is not None:
            raise DemoError(f"the demo hall {HALL_ID!r} already exists")
        hall_service.add_hall(
            session, HALL_ID, "示范政务服务大厅 Demo Service Hall", settings.default_timezone, now
        )
        device_ids: dict[str, str] = {}
        for counter_id, name, _mean in COUNTERS:
            hall_service.add_counter(session, HALL_ID, counter_id, name, now)
            hall_service.add_staff(
                session, HALL_ID, f"{counter_id}-s1", f"职员 {counter_id}", counter_id, now
            )
            hall_service.add_staff(
                session, HALL_ID, f"{counter_id}-s2", f"职员 {counter_id}B", counter_id, now
            )
            issued = enrollment.make_code(session, counter_id, settings, now)
            answer = enrollment.enroll(
                session, EnrollRequest(code=issued.code, app_version="demo"), settings, now
            )
            device_ids[counter_id] = answer.device_id
        for code, name, minutes in MATTERS:
            put_matter(session, code, name, minutes, now=now)
        names = ("admin", "manager", "supervisor", "auditor", "inspector")
        hasher = users.hasher_for(settings)
        users.create_user(session, "admin", DEMO_PASSWORD, Role.ADMIN, None, now, hasher)
        users.create_user(session, "manager", DEMO_PASSWORD, Role.MANAGER, HALL_ID, now, hasher)
        users.create_user(
            session, "supervisor", DEMO_PASSWORD, Role.SUPERVISOR, HALL_ID, now, hasher
        )
        users.create_user(session, "auditor", DEMO_PASSWORD, Role.AUDITOR, None, now, hasher)
        users.create_user(session, "inspector", DEMO_PASSWORD, Role.INSPECTOR, None, now, hasher)
        # The supervisors' duty phone, on the SMS driver the settings choose (the logging one
        # unless a gateway is set up): the Notifications page has deliveries to show.
        notify.add_channel(
            session,
            url="sms://13800000000",
            role="supervisor",
            hall_id=HALL_ID,
            label="值班手机 duty phone",
            quiet=None,
            digest=False,
            now=now,
        )

    total = 0
    total_sessions = 0
    local_now = now.astimezone(zone)
    standards = {code: minutes for code, _, minutes in MATTERS}
    for counter_id, _name, mean in COUNTERS:
        ratings: list[dict[str, object]] = []
        sessions: list[dict[str, object]] = []
        participation = rng.uniform(0.8, 0.9)
        for back in range(days - 1, -1, -1):
            day = (local_now - timedelta(days=back)).date()
            if day.weekday() == 6:  # halls close on Sundays
                continue
            opening = datetime(day.year, day.month, day.day, 9, tzinfo=zone)
            closing = opening + timedelta(hours=8)
            # One citizen at a time, called by the queue system after the last one left.
            at = opening
            for number in range(1, 200):
                at += timedelta(seconds=rng.randint(20, 420))
                staff_id = f"{counter_id}-s{1 if at.hour < 14 or day.day % 3 else 2}"
                if rng.random() < 0.06:
                    # A citizen who walked up to the kiosk on their own: no session.
                    if at <= local_now:
                        ratings.append(_rating(rng, counter_id, staff_id, at, mean, settings))
                    continue
                matter = rng.choice(COUNTER_MATTERS[counter_id])
                cancelled = rng.random() < 0.02
                handling_min = 1.0 if cancelled else standards[matter] * rng.lognormvariate(0, 0.35)
                ended = at + timedelta(seconds=round(handling_min * 60))
                if ended > min(closing, local_now):
                    break
                outcome = (
                    "cancelled"
                    if cancelled
                    else rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
                )
                session_id = str(uuid.uuid4())
                sessions.append(
                    {
                        "id": session_id,
                        "counter_id": counter_id,
                        "staff_id": staff_id,
                        "ticket": f"{'ABCDEF'[int(counter_id[-1]) - 1]}{number:03d}",
                        "matter_code": matter,
                        "started_at": at.isoformat(),
                        "ended_at": ended.isoformat(),
                        "outcome": outcome,
                        "finished_in_one_visit": None if cancelled else outcome == "one_visit",
                    }
                )
                rated_at = ended + timedelta(seconds=rng.randint(10, 90))
                if not cancelled and rng.random() < participation and rated_at <= local_now:
                    ratings.append(
                        _rating(rng, counter_id, staff_id, rated_at, mean, settings, session_id)
                    )
                at = ended
        ratings.sort(key=lambda r: str(r["created_at"]))
        for seq, rating in enumerate(ratings, 1):
            rating["seq"] = seq
        for start in range(0, max(len(ratings), len(sessions)), 500):
            envelope = SyncRequest(
                protocol=1,
                batch_id=str(uuid.uuid4()),
                device_time=now,
                queue_depth=0,
                app_version="demo",
                ratings=ratings[start : start + 500],
                sessions=sessions[start : start + 500],
            )
            with factory.begin() as session:
                ingest.ingest(session, device_ids[counter_id], envelope, settings, now)
        total += len(ratings)
        total_sessions += len(sessions)
    with factory.begin() as session:
        _work_past_alerts(
            session,
            rng,
            now,
            timedelta(hours=scoring_in_force(session, settings).alert_deadline_hours),
        )
    return DemoSummary(HALL_ID, len(COUNTERS), total, names, total_sessions)


def _rating(
    rng: random.Random,
    counter_id: str,
    staff_id: str,
    at: datetime,
    mean: float,
    settings: Settings,
    session_id: str | None = None,
) -> dict[str, object]:
    scores = {
        k: _stars(rng, mean)
        for k in ("attitude", "efficiency", "process", "environment", "overall")
    }
    low = sum(scores.values()) < 15
    return {
        "id": str(uuid.uuid4()),
        "seq": 0,
        "counter_id": counter_id,
        "staff_id": staff_id,
        "session_id": session_id,
        "created_at": at.isoformat(),
        "scores": scores,
        "reasons": rng.sample(REASONS, rng.randint(1, 2)) if low else [],
        "comment": "",
        "channel": rng.choice(("kiosk", "kiosk", "mobile")),
        "content_version": settings.default_scoring.version,
    }


#: (note, what was said on the call, what was fixed, cause, reply the citizen reads) for
#: the demo's answered low scores.
_HANDLING = (
    (
        "已联系窗口负责人核实情况",
        "已电话回访，群众反映等候时间过长，已致歉",
        "高峰时段增开一个综合窗口，调整叫号顺序",
        AlertCause.WAITING,
        "您反映的等候时间过长问题已整改：高峰时段已增开窗口。感谢您的监督！",
    ),
    (
        "已查看评价内容，转窗口核实",
        "已电话回访，群众对材料要求的解释不满意",
        "窗口人员已重新学习一次性告知制度，材料清单已张贴",
        AlertCause.STAFF,
        "已对窗口人员进行一次性告知培训，材料清单已在窗口公示。感谢您的反馈！",
    ),
    (
        "已受理，安排专人跟进",
        "回访未接通，已发送短信告知处理进展",
        "系统故障已报修恢复，增加了故障时的人工登记",
        AlertCause.SYSTEM,
        "当日系统故障已修复，并增加了故障时的人工登记流程。给您带来不便，深表歉意。",
    ),
)


def _work_past_alerts(
    session: Session, rng: random.Random, now: datetime, deadline: timedelta
) -> None:
    """Give the demo's past a hall that works: the server learned of each rating when it
    was made; low scores whose deadline has passed were answered and closed in time (with
    a cause and a reply), but for two left overdue; of those still within their deadline
    the supervisor has taken on about half."""
    supervisor = users_repository.by_username(session, "supervisor")
    assert supervisor is not None
    low = session.execute(
        select(Alert, Rating.occurred_at)
        .join(Rating, Rating.id == Alert.rating_id)
        .where(Alert.kind == AlertKind.LOW_SCORE.value)
        .order_by(Rating.occurred_at)
    ).all()
    past_due = [(a, at) for a, at in low if at + deadline < now]
    overdue = {id(a) for a, _ in rng.sample(past_due, min(2, len(past_due)))}
    for alert, occurred_at in low:
        alert.created_at = occurred_at
        alert.due_at = occurred_at + deadline
        # One deadline as the demo's story has it, not the profile's stages from today.
        alert.stage_due = None
        alert.learn_delay_s = 0
        if id(alert) in overdue:
            continue
        if occurred_at + deadline >= now:
            if rng.random() < 0.5:
                alerts.act(session, supervisor, alert.id, "acknowledge", "已受理，正在核实", now)
            continue
        note, call, fix, cause, reply = rng.choice(_HANDLING)
        reached = "未接通" not in call
        at = occurred_at + timedelta(minutes=rng.randint(20, 120))
        for step, text, extra in (
            ("acknowledge", note, {}),
            ("call-back", call, {"reached": reached}),
            ("rectify", fix, {}),
            ("close", fix, {"cause": cause}),
        ):
            alerts.act(session, supervisor, alert.id, step, text, at, **extra)
            at += timedelta(minutes=rng.randint(30, 300))
        alerts.publish_reply(session, supervisor, alert.id, reply, at)
    session.flush()
    alerts.escalate_overdue(session, now, DEFAULT_CONFIG)
