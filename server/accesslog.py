"""The access log without secrets: a phone-rating token (`/m/<token>`) or a receipt code
(`/r/<code>`) in a request path is a bearer credential, and must not sit in a log file
next to the client's address. uvicorn's access log is given this filter."""

from __future__ import annotations

import logging
import re

#: The citizen pages whose one path segment is a credential.
_SECRET_PATH = re.compile(r"^(/[mr]/)[^/?#]+")


def redact_path(path: str) -> str:
    """`path` with the token or code of a citizen page replaced by `…`."""
    return _SECRET_PATH.sub(r"\1…", path)


class RedactSecrets(logging.Filter):
    """Rewrites uvicorn.access records: (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True
