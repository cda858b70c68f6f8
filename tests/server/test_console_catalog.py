"""Every message the console can show has its Chinese translation: the templates' words
and the refusals the services raise (server/problems.py), as `make console-messages`
extracts them."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from server.console import i18n

ROOT = Path(__file__).resolve().parents[2]
#: As in the Makefile's console-messages target.
KEYWORDS = [
    "_",
    "N_",
    "phrase",
    "Problem",
    "HallError",
    "PhotoError",
    "UserError",
    "ContentError",
    "ChannelError",
    "ProfileError",
    "_Unreadable",
    "gettext",
    "ngettext",
]
SOURCES = ("console", "halls", "users", "content", "notify", "alerts")
#: The same in both languages.
SAME = {"ID", "%(n)s", "HTTP", "UTC", "; "}


def _messages() -> list[tuple[str, str]]:
    found = []
    for folder in SOURCES:
        method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
        for path, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "server" / folder),
            method_map=method_map,
            options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords=dict.fromkeys(KEYWORDS),
        ):
            text = message if isinstance(message, str) else message[0]
            found.append((f"{folder}/{path}", text))
    return found


def test_every_message_of_the_console_has_a_chinese_translation() -> None:
    chinese = i18n.translations("zh_CN")
    messages = _messages()
    missing = sorted(
        {
            (where, text)
            for where, text in messages
            if text not in SAME and chinese.gettext(text) == text
        }
    )
    assert len(messages) > 500
    assert missing == []
