"""Schemathesis over /openapi.json, in process: no generated request gets a server error.

Requests carry a real device token (sync) or an admin's login (everything else), so that
the generated bodies reach the code behind authentication.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from server.app import create_app
from server.settings import Settings
from tests.server.conftest import SECRET, Hall, login

# `make test` only, not the quick lane: schemathesis over every operation.
pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 60


def operations() -> list[tuple[str, str]]:
    # Only the document is needed here: the engine never connects.
    app = create_app(
        Settings(environment="test", secret_key=SECRET, database_url="sqlite:///never-opened.db"),
        run_escalation=False,
    )
    return [
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    ]


@pytest.mark.parametrize(("method", "path"), operations(), ids=lambda v: v)
def test_no_generated_request_gets_a_server_error(
    app: FastAPI, client: TestClient, hall: Hall, method: str, path: str
) -> None:
    headers = hall.auth if path == "/api/v1/sync" else login(client, "admin")
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    check()
