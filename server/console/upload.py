"""File uploads on the console (multipart forms): the same CSRF rule as every other
console form (`web.checked_form` reads url-encoded forms only)."""

from __future__ import annotations

import secrets

from fastapi import Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from server.console import session
from server.console.web import PageError

#: A photo and a few fields; the server's body limit (2 MiB) holds before this.
MAX_PARTS = 10


async def checked_upload(request: Request, signed_in: session.ConsoleSession | None) -> FormData:
    """The posted multipart form, once its CSRF token (field `csrf` or X-CSRF-Token)
    matches the signed-in session's; a PageError otherwise. The caller closes the form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise PageError(415, "The form could not be read.")
    try:
        form = await request.form(max_files=1, max_fields=MAX_PARTS)
    except (HTTPException, MultiPartException) as exc:  # a malformed multipart body
        raise PageError(400, "The form could not be read.") from exc
    field = form.get(session.CSRF_FIELD)
    sent = request.headers.get(session.CSRF_HEADER) or (field if isinstance(field, str) else "")
    if signed_in is None or not sent or not secrets.compare_digest(sent, signed_in.csrf):
        await form.close()
        raise PageError(
            403,
            "This form is out of date or did not come from this console. "
            "Reload the page and try again.",
        )
    return form
