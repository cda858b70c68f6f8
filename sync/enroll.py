"""Enrollment: a one-time code made by an admin for a counter becomes this device's token."""

from __future__ import annotations

import requests
from pydantic import ValidationError

from sync import protocol


class EnrollmentError(Exception):
    """Enrollment failed; `message` says why in words an admin can act on."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def enroll(
    server_url: str,
    code: str,
    app_version: str,
    *,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = (5.0, 30.0),
) -> protocol.EnrollResponse:
    """Exchange `code` for the device's identity and token (`POST /api/v1/enroll`)."""
    http = session or requests.Session()
    url = server_url.rstrip("/") + "/api/v1/enroll"
    try:
        response = http.post(
            url,
            json={"code": code.strip(), "app_version": app_version},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise EnrollmentError(
            f"cannot reach the server at {server_url}: {type(exc).__name__}"
        ) from exc
    if response.status_code != 200:
        try:
            error = protocol.ErrorBody.model_validate_json(response.content).error
        except ValidationError:
            raise EnrollmentError(
                f"the server answered HTTP {response.status_code}", response.status_code
            ) from None
        raise EnrollmentError(error.message, response.status_code)
    try:
        return protocol.EnrollResponse.model_validate_json(response.content)
    except ValidationError:
        raise EnrollmentError("the server's answer was not an enrollment") from None
