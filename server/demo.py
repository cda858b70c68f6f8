"""A demo hall: several counters with their devices, staff, users and 30 days of plausible
ratings, stored through the real ingest so that rollups and alerts are what they would be."""

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


class DemoError(ValueError):
    pass


@dataclass(frozen=True)
class DemoSummary:
    hall_id: str
    counters: int
    ratings: int
    users: tuple[str, ...]


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
            issued = enrollment.make_code(session, counter_id, settings, now)
            answer = enrollment.enroll(
                session, EnrollRequest(code=issued.code, app_version="demo"), settings, now
            )
            device_ids[counter_id] = answer.device_id
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
    local_now = now.astimezone(zone)
    for counter_id, _name, mean in COUNTERS:
        ratings = []
        seq = 0
        for back in range(days - 1, -1, -1):
            day = (local_now - timedelta(days=back)).date()
            if day.weekday() == 6:  # halls close on Sundays
                continue
            for _ in range(rng.randint(8, 30)):
                at = datetime(day.year, day.month, day.day, 9, tzinfo=zone) + timedelta(
                    minutes=rng.randint(0, 8 * 60)
                )
                if at > local_now:
                    continue
                seq += 1
                scores = {
                    k: _stars(rng, mean)
                    for k in ("attitude", "efficiency", "process", "environment", "overall")
                }
                low = sum(scores.values()) < 15
                ratings.append(
                    {
                        "id": str(uuid.uuid4()),
                        "seq": seq,
                        "counter_id": counter_id,
                        "staff_id": f"{counter_id}-s1",
                        "created_at": at.isoformat(),
                        "scores": scores,
                        "reasons": rng.sample(REASONS, rng.randint(1, 2)) if low else [],
                        "comment": "",
                        "channel": rng.choice(("kiosk", "kiosk", "mobile")),
                        "content_version": settings.default_scoring.version,
                    }
                )
        for start in range(0, len(ratings), 500):
            envelope = SyncRequest(
                protocol=1,
                batch_id=str(uuid.uuid4()),
                device_time=now,
                queue_depth=0,
                app_version="demo",
                ratings=ratings[start : start + 500],
            )
            with factory.begin() as session:
                ingest.ingest(session, device_ids[counter_id], envelope, settings, now)
        total += len(ratings)
    with factory.begin() as session:
        _work_past_alerts(
            session,
            rng,
            now,
            timedelta(hours=scoring_in_force(session, settings).alert_deadline_hours),
        )
    return DemoSummary(HALL_ID, len(COUNTERS), total, names)


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
