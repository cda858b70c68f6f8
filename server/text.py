"""Text a request may carry into the database: PostgreSQL stores neither NUL characters
nor lone UTF-16 surrogates (which Python's JSON parser lets through), so they are refused
at the edge with a 422 instead of failing at the INSERT."""

from __future__ import annotations

from pydantic import AfterValidator


def storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


#: Use as `Annotated[StrictStr, Field(max_length=...), Storable]`.
Storable = AfterValidator(storable)
