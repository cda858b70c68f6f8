"""The console's languages: gettext catalogs (Babel .po files under translations/),
compiled in memory when first used, so a fresh clone needs no build step.

Message ids are English; zh_CN is the first language. The user's choice (a cookie set by
the language switch) wins, then the browser's Accept-Language, then Chinese.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Lang = Literal["zh_CN", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh_CN", "en")
DEFAULT_LANG: Lang = "zh_CN"
LANG_COOKIE = "hallrate_lang"
TRANSLATIONS = Path(__file__).parent / "translations"


@functools.cache
def translations(lang: Lang) -> Translations:
    """The catalog of `lang`, compiled from its .po file."""
    po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def parse_lang(value: str | None) -> Lang | None:
    if value == "zh_CN":
        return "zh_CN"
    if value == "en":
        return "en"
    return None


def pick(cookie: str | None, accept_language: str | None) -> Lang:
    """The cookie's language, else the first Chinese or English one the browser asks for."""
    chosen = parse_lang(cookie)
    if chosen is not None:
        return chosen
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANG


def html_lang(lang: Lang) -> str:
    return "zh-CN" if lang == "zh_CN" else "en"
