"""The HTML of the phone pages: plain forms, no JavaScript, no fetched fonts or scripts, so
that they work on old phone browsers and without the internet. Every value that comes from
a citizen or the database is escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Literal
from zoneinfo import ZoneInfo

from server.mobile.service import Draft, Opened, Place, ReceiptStatus, Refused
from server.privacy.masking import mask_personal_numbers
from sync.protocol import MAX_COMMENT_CHARS
from sync.receipt import grouped
from sync.scoring import DIMENSIONS, Level

Lang = Literal["zh_CN", "en"]

TEXT: dict[str, dict[Lang, str]] = {
    "title": {"zh_CN": "服务评价", "en": "Rate our service"},
    "intro": {
        "zh_CN": "请为刚才的服务打分：1 星最差，5 星最好。",
        "en": "Please rate the service you just received: 1 star is worst, 5 is best.",
    },
    "reasons": {
        "zh_CN": "不满意的原因（给了 1 或 2 星时选择）",
        "en": "Why you were not satisfied (when you gave 1 or 2 stars)",
    },
    "comment": {"zh_CN": "意见或建议（可不填）", "en": "Comment (optional)"},
    "submit": {"zh_CN": "提交评价", "en": "Submit rating"},
    "other_lang": {"zh_CN": "English", "en": "中文"},
    "missing_scores": {
        "zh_CN": "请为全部五项打分后再提交。",
        "en": "Please rate all five before submitting.",
    },
    "comment_too_long": {
        "zh_CN": f"意见最多 {MAX_COMMENT_CHARS} 个字，请删减后再提交。",
        "en": f"A comment has at most {MAX_COMMENT_CHARS} characters; please shorten it.",
    },
    "bad_form": {
        "zh_CN": "表单内容无效，请重新填写。",
        "en": "The form was not valid; please fill it in again.",
    },
    "thanks_title": {"zh_CN": "感谢您的评价！", "en": "Thank you for your rating!"},
    "thanks_body": {"zh_CN": "您的评价已收到。", "en": "Your rating has been received."},
    "your_comment": {"zh_CN": "您的意见：", "en": "Your comment:"},
    "follow": {
        "zh_CN": "查看评价处理进度（请保存此链接）：",
        "en": "Follow what happens to your rating (keep this link):",
    },
    "receipt_code": {"zh_CN": "回执码", "en": "Receipt code"},
    "used_title": {"zh_CN": "此二维码已使用", "en": "This QR code was already used"},
    "used_body": {
        "zh_CN": "每个二维码只能评价一次（一次一评）。窗口评价器会在一分钟内换上新的二维码，"
        "如需评价请扫描新的二维码。",
        "en": "Each QR code gives one rating. The counter's kiosk shows a new one within a "
        "minute: to rate, scan that.",
    },
    "expired_title": {"zh_CN": "此二维码已过期", "en": "This QR code has expired"},
    "expired_body": {
        "zh_CN": "请重新扫描窗口评价器上的二维码。",
        "en": "Please scan the QR code the counter's kiosk shows now.",
    },
    "invalid_title": {"zh_CN": "二维码无效", "en": "This QR code is not valid"},
    "invalid_body": {
        "zh_CN": "无法识别此评价链接。请扫描窗口评价器上的二维码。",
        "en": "This rating link is not one of ours. Please scan the QR code on the kiosk.",
    },
    "unavailable_title": {"zh_CN": "暂时无法评价", "en": "Rating is not available"},
    "unavailable_body": {
        "zh_CN": "此窗口暂不接受手机评价，请在窗口评价器上评价。",
        "en": "This counter does not take phone ratings now; please rate on its kiosk.",
    },
    "cross_site_title": {"zh_CN": "请求被拒绝", "en": "Request refused"},
    "cross_site_body": {
        "zh_CN": "此评价只能在本系统的评价页面提交。",
        "en": "Ratings can only be submitted from this system's own rating page.",
    },
    "receipt_title": {"zh_CN": "评价回执", "en": "Rating receipt"},
    "not_received": {
        "zh_CN": "尚未收到此评价。评价器离线时，评价会在恢复联网后送达，请稍后再查看。",
        "en": "This rating has not reached us yet. A kiosk that is offline sends it when "
        "it reconnects; please look again later.",
    },
    "slow_down": {
        "zh_CN": "查询过于频繁，请一分钟后再试。",
        "en": "Too many look-ups; please try again in a minute.",
    },
    "not_a_code": {
        "zh_CN": "这不是有效的回执码。",
        "en": "This is not a valid receipt code.",
    },
    "received": {"zh_CN": "已收到您的评价", "en": "Your rating was received"},
    "rated_at": {"zh_CN": "评价时间", "en": "Rated at"},
    "counter": {"zh_CN": "窗口", "en": "Counter"},
    "level": {"zh_CN": "评价等级", "en": "Level"},
    "low_intro": {
        "zh_CN": "这是一条差评，大厅负责人须在期限内处理并反馈。处理进度：",
        "en": "This is a low score: the hall supervisor must answer it by the deadline. Progress:",
    },
    "due": {"zh_CN": "处理期限", "en": "Deadline"},
    "reply": {"zh_CN": "整改反馈", "en": "The supervisor's reply"},
    "no_reply": {"zh_CN": "尚未发布整改反馈。", "en": "No reply has been published yet."},
    "step_open": {"zh_CN": "已登记", "en": "Registered"},
    "step_acknowledged": {"zh_CN": "已受理", "en": "Taken on"},
    "step_called_back": {"zh_CN": "已回访", "en": "Called back"},
    "step_rectified": {"zh_CN": "已整改", "en": "Rectified"},
    "step_closed": {"zh_CN": "已办结", "en": "Closed"},
    "thanks_low": {
        "zh_CN": "我们会尽快处理您反映的问题。",
        "en": "We will look into what you told us.",
    },
    "callback_title": {"zh_CN": "是否需要回访？", "en": "May we call you back?"},
    "callback_intro": {
        "zh_CN": "如您愿意，请留下手机号码，大厅负责人会致电了解情况。不留号码也会处理您的评价。",
        "en": "If you wish, leave a mobile number and the hall's supervisor will call you "
        "about it. Your rating is handled either way.",
    },
    "callback_phone": {"zh_CN": "手机号码", "en": "Mobile number"},
    "callback_send": {"zh_CN": "同意并提交", "en": "Agree and send"},
    "callback_title_done": {"zh_CN": "已记录回访电话", "en": "Call-back number recorded"},
    "callback_done": {
        "zh_CN": "谢谢，我们会尽快与您联系。号码已加密保存：",
        "en": "Thank you; we will call you soon. The number is stored encrypted:",
    },
    "contact_no_consent": {
        "zh_CN": "请勾选同意后再提交号码。",
        "en": "Please tick the consent box to send your number.",
    },
    "contact_bad_number": {
        "zh_CN": "请填写 11 位手机号码。",
        "en": "Please enter an 11-digit mainland mobile number.",
    },
    "contact_closed": {
        "zh_CN": "此评价已不能留下回访电话。",
        "en": "A call-back number can no longer be left for this rating.",
    },
    "feedback_question": {
        "zh_CN": "您对处理结果满意吗？（只能选择一次）",
        "en": "Are you satisfied with how this was handled? (You can answer once.)",
    },
    "feedback_yes": {"zh_CN": "满意", "en": "Satisfied"},
    "feedback_no": {"zh_CN": "不满意", "en": "Not satisfied"},
    "feedback_given_yes": {"zh_CN": "您已评价：满意。", "en": "You said: satisfied."},
    "feedback_given_no": {"zh_CN": "您已评价：不满意。", "en": "You said: not satisfied."},
    "feedback_closed": {
        "zh_CN": "此评价暂时不能反馈满意度。",
        "en": "Your view on the handling cannot be given for this rating now.",
    },
}

_STEPS = (
    ("open", "created_at"),
    ("acknowledged", "acknowledged_at"),
    ("called_back", "called_back_at"),
    ("rectified", "rectified_at"),
    ("closed", "closed_at"),
)

_STYLE = """
body{font-family:sans-serif;margin:0;padding:12px;font-size:18px;line-height:1.4;
background:#f4f6f8;color:#1b1f23}
h1{font-size:22px;margin:4px 0 8px}
.top{overflow:hidden}.lang{float:right;font-size:16px}
.place{color:#3a4a5a;margin:0 0 8px}
fieldset{border:1px solid #c8d0d8;background:#fff;margin:0 0 10px;padding:6px 8px}
legend{font-weight:bold;padding:0 4px}
.stars label{display:inline-block;box-sizing:border-box;width:19%;min-height:64px;
margin:2px 0.25%;padding:6px 1px;border:1px solid #c8d0d8;text-align:center;
background:#fafbfc;vertical-align:top}
.stars input{width:22px;height:22px;margin:0;vertical-align:middle}
.stars .n{white-space:nowrap}
.stars .w{display:block;font-size:11px;line-height:1.25;color:#3a4a5a;margin-top:2px;
letter-spacing:-0.3px}
.reasons input{width:22px;height:22px;vertical-align:middle}
.reasons label{display:block;min-height:44px;box-sizing:border-box;padding:10px 0}
textarea{width:96%;font-size:16px;min-height:88px}
button{font-size:20px;padding:12px;min-height:48px;width:100%;background:#b3261e;color:#fff;
border:0}
.lang{display:inline-block;min-height:44px;min-width:64px;line-height:44px;text-align:right}
input[type=tel]{font-size:18px;min-height:44px;box-sizing:border-box;width:12em}
.box label{display:inline-block;min-height:44px;padding:8px 0;box-sizing:border-box}
.problem{background:#fde8e6;border:1px solid #b3261e;padding:8px;margin:0 0 10px}
.box{background:#fff;border:1px solid #c8d0d8;padding:2px 10px;margin:0 0 10px}
a{word-break:break-all}
.code{font-family:monospace;font-size:20px;letter-spacing:1px}
ol li.done{font-weight:bold}ol li{color:#5a6a7a}
.comment{white-space:pre-wrap;word-break:break-all}
"""


def _t(key: str, lang: Lang) -> str:
    return TEXT[key][lang]


def pick_language(query: str | None, accept: str | None) -> Lang:
    """`?lang=` first, then the browser's languages; Chinese unless English comes first."""
    if query in ("zh_CN", "en"):
        return query  # type: ignore[return-value]
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return "zh_CN"


def _page(lang: Lang, title: str, body: str, switch_href: str | None = None) -> str:
    other = "en" if lang == "zh_CN" else "zh_CN"
    switch = ""
    if switch_href is not None:
        switch = (
            f'<a class="lang" href="{escape(switch_href)}?lang={other}" lang="{other}">'
            f"{escape(_t('other_lang', lang))}</a>"
        )
    html_lang = "zh-CN" if lang == "zh_CN" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="same-origin">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<div class="top">{switch}<h1>{escape(title)}</h1></div>{body}</body></html>'
    )


def _place(place: Place) -> str:
    return f'<p class="place">{escape(place.hall_name)} · {escape(place.counter_name)}</p>'


def rating_form(
    lang: Lang, token: str, check: str, opened: Opened, draft: Draft | None = None
) -> str:
    """The rating form, filled in again with `draft` and its problems after a bad post."""
    parts = [_place(opened.place)]
    if draft is not None:
        parts.extend(f'<p class="problem">{escape(_t(p, lang))}</p>' for p in draft.problems)
    parts.append(f"<p>{escape(_t('intro', lang))}</p>")
    action = f"/m/{token}"
    parts.append(f'<form method="post" action="{escape(action)}">')
    parts.append(f'<input type="hidden" name="check" value="{escape(check)}">')
    parts.append(f'<input type="hidden" name="lang" value="{lang}">')
    for dim in DIMENSIONS:
        name = dim.name_zh if lang == "zh_CN" else dim.name_en
        chosen = draft.scores.get(dim.code) if draft else None
        parts.append(f'<fieldset class="stars"><legend>{escape(name)}</legend>')
        for stars in range(1, 6):
            level = Level(stars)
            label = level.name_zh if lang == "zh_CN" else level.name_en
            checked = " checked" if chosen == stars else ""
            # The level word under each choice: what the stars mean, at a glance.
            parts.append(
                f'<label><span class="n"><input type="radio" name="{dim.code}" '
                f'value="{stars}"{checked}> {stars}★</span>'
                f'<span class="w">{escape(label)}</span></label>'
            )
        parts.append("</fieldset>")
    chosen_reasons = set(draft.reasons) if draft else set()
    parts.append(f'<fieldset class="reasons"><legend>{escape(_t("reasons", lang))}</legend>')
    for reason in opened.reasons:
        checked = " checked" if reason.code in chosen_reasons else ""
        parts.append(
            f'<label><input type="checkbox" name="reason" value="{escape(reason.code)}"'
            f"{checked}> {escape(reason.label(lang))}</label>"
        )
    parts.append("</fieldset>")
    comment = draft.comment if draft else ""
    parts.append(
        f"<fieldset><legend>{escape(_t('comment', lang))}</legend>"
        f'<textarea name="comment" rows="3" maxlength="{MAX_COMMENT_CHARS}">'
        f"{escape(comment)}</textarea></fieldset>"
    )
    parts.append(f'<button type="submit">{escape(_t("submit", lang))}</button></form>')
    return _page(lang, _t("title", lang), "".join(parts), action)


def refused(lang: Lang, why: Refused | Literal["cross_site"], href: str | None) -> str:
    body = f'<div class="box"><p>{escape(_t(f"{why}_body", lang))}</p></div>'
    return _page(lang, _t(f"{why}_title", lang), body, href)


def message(lang: Lang, title_key: str, key: str, href: str | None) -> str:
    """A page with one message in a box."""
    body = f'<div class="box"><p>{escape(_t(key, lang))}</p></div>'
    return _page(lang, _t(title_key, lang), body, href)


def callback_form(lang: Lang, code: str, check: str, consent: str, problem: str = "") -> str:
    """The optional call-back offer after a low score: a mobile number and explicit
    consent, posted to /r/<code>/contact."""
    parts = [f'<div class="box" id="callback"><p><b>{escape(_t("callback_title", lang))}</b></p>']
    if problem:
        parts.append(f'<p class="problem">{escape(_t(problem, lang))}</p>')
    parts.append(
        f"<p>{escape(_t('callback_intro', lang))}</p>"
        f'<form method="post" action="/r/{escape(code)}/contact">'
        f'<input type="hidden" name="check" value="{escape(check)}">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f"<p><label>{escape(_t('callback_phone', lang))} "
        '<input type="tel" name="phone" inputmode="numeric" maxlength="20" '
        'autocomplete="tel"></label></p>'
        '<p><label><input type="checkbox" name="consent" value="yes"> '
        f"{escape(consent)}</label></p>"
        f'<button type="submit">{escape(_t("callback_send", lang))}</button></form></div>'
    )
    return "".join(parts)


def callback_done(lang: Lang, masked: str) -> str:
    return (
        f'<div class="box"><p>{escape(_t("callback_done", lang))} <b>{escape(masked)}</b></p></div>'
    )


def callback_page(lang: Lang, body: str) -> str:
    return _page(lang, _t("callback_title", lang), body)


def thanks(
    lang: Lang,
    receipt_href: str,
    code: str,
    comment: str,
    is_low: bool,
    callback: str = "",
) -> str:
    """`comment` is shown as given back by the server's masking; `callback` the optional
    call-back offer (empty when not offered)."""
    parts = [f'<div class="box"><p>{escape(_t("thanks_body", lang))}</p>']
    if is_low:
        parts.append(f"<p>{escape(_t('thanks_low', lang))}</p>")
    if comment:
        parts.append(
            f"<p>{escape(_t('your_comment', lang))}</p>"
            f'<p class="comment">{escape(mask_personal_numbers(comment))}</p>'
        )
    parts.append(
        f'</div><div class="box"><p>{escape(_t("follow", lang))}</p>'
        f'<p><a href="{escape(receipt_href)}">{escape(receipt_href)}</a></p>'
        f"<p>{escape(_t('receipt_code', lang))}: "
        f'<span class="code">{escape(grouped(code))}</span></p></div>'
    )
    parts.append(callback)
    return _page(lang, _t("thanks_title", lang), "".join(parts))


def _when(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def receipt(
    lang: Lang,
    href: str,
    status: ReceiptStatus | None,
    *,
    valid: bool = True,
    feedback_check: str | None = None,
    problem: str = "",
    callback: str = "",
) -> str:
    """The receipt page: not a code, not yet received, or the rating and its alert."""
    title = _t("receipt_title", lang)
    if not valid:
        return _page(
            lang, title, f'<div class="box"><p>{escape(_t("not_a_code", lang))}</p></div>', href
        )
    if status is None:
        return _page(
            lang, title, f'<div class="box"><p>{escape(_t("not_received", lang))}</p></div>', href
        )
    level = Level(status.level)
    zone = status.place.timezone
    rows: Sequence[tuple[str, str]] = (
        (_t("counter", lang), f"{status.place.hall_name} · {status.place.counter_name}"),
        (_t("rated_at", lang), _when(status.occurred_at, zone)),
        (_t("level", lang), level.name_zh if lang == "zh_CN" else level.name_en),
    )
    parts = [f'<div class="box"><p><b>{escape(_t("received", lang))}</b></p>']
    parts.extend(f"<p>{escape(k)}：{escape(v)}</p>" for k, v in rows)
    parts.append("</div>")
    alert = status.alert
    if status.is_low and alert is not None:
        parts.append(f'<div class="box"><p>{escape(_t("low_intro", lang))}</p><ol>')
        for state, stamp in _STEPS:
            at = getattr(alert, stamp)
            done = at is not None
            when = f" · {_when(at, zone)}" if done else ""
            parts.append(
                f'<li class="{"done" if done else "todo"}" data-step="{state}">'
                f"{escape(_t(f'step_{state}', lang))}{escape(when)}</li>"
            )
        parts.append(
            f"</ol><p>{escape(_t('due', lang))}：{escape(_when(alert.due_at, zone))}</p></div>"
        )
        parts.append(f'<div class="box"><p><b>{escape(_t("reply", lang))}</b></p>')
        if alert.public_reply:
            parts.append(f'<p class="comment" id="reply">{escape(alert.public_reply)}</p>')
        else:
            parts.append(f"<p>{escape(_t('no_reply', lang))}</p>")
        parts.append("</div>")
        parts.append(_feedback(lang, href, alert.citizen_satisfied, feedback_check, problem))
    parts.append(callback)
    return _page(lang, title, "".join(parts), href)


def _feedback(
    lang: Lang, href: str, satisfied: bool | None, check: str | None, problem: str
) -> str:
    """The citizen's once-only word on the handling: the form, or what they said."""
    if satisfied is not None:
        key = "feedback_given_yes" if satisfied else "feedback_given_no"
        return f'<div class="box" id="feedback"><p>{escape(_t(key, lang))}</p></div>'
    if check is None:
        return ""
    parts = ['<div class="box" id="feedback">']
    if problem:
        parts.append(f'<p class="problem">{escape(_t(problem, lang))}</p>')
    parts.append(
        f"<p>{escape(_t('feedback_question', lang))}</p>"
        f'<form method="post" action="{escape(href)}/feedback">'
        f'<input type="hidden" name="check" value="{escape(check)}">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<p><button type="submit" name="satisfied" value="yes">'
        f"{escape(_t('feedback_yes', lang))}</button></p>"
        f'<p><button type="submit" name="satisfied" value="no">'
        f"{escape(_t('feedback_no', lang))}</button></p></form></div>"
    )
    return "".join(parts)
