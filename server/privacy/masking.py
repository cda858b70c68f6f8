"""Masking of phone and ID numbers: the one function every page and answer that shows a
citizen's comment goes through (`mask_personal_numbers`)."""

from __future__ import annotations

import re

#: A mainland mobile number, alone or written 138 1234 5678 / 138-1234-5678.
_MOBILE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")
#: Eighteen characters that may be a resident ID number (checked by its check digit).
_ID = re.compile(r"(?<![\dXx])(\d{17}[\dXx])(?![\dXx])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The check character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_id_number(text: str) -> bool:
    return bool(_ID.fullmatch(text)) and id_check_digit(text[:17]) == text[17].upper()


def mask_phone(number: str) -> str:
    """138****5678 for 13812345678 (digits only)."""
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_personal_numbers(text: str) -> str:
    """`text` with mainland mobile numbers shown as 138****5678 and 18-digit ID numbers
    whose check digit is right as 110***********123X. An 18-digit run with a wrong check
    digit (an order number, say) is left alone."""

    def _id(match: re.Match[str]) -> str:
        value = match.group(1)
        if id_check_digit(value[:17]) != value[17].upper():
            return value
        return f"{value[:3]}{'*' * 11}{value[-4:]}"

    text = _ID.sub(_id, text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
