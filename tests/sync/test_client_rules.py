"""The sync client's retry rules, decided in one place."""

from __future__ import annotations

from typing import get_args

import pytest

from sync.client import (
    BACKOFF_CAP_S,
    RESULT_STATES,
    backoff_delay,
    classify,
    parse_retry_after,
    sort_results,
)
from sync.protocol import Result


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (None, "retry"),  # network error or timeout
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (502, "retry"),
        (503, "retry"),
        (200, "retry"),  # a 200 that was not our answer: a captive portal
        (413, "split"),
        (401, "unauthorized"),
        (400, "refused"),
        (404, "refused"),
        (422, "refused"),
    ],
)
def test_every_answer_has_one_verdict(status: int | None, verdict: str) -> None:
    assert classify(status) == verdict


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    assert backoff_delay(0, None, lambda: 1.0) == 2.0
    assert backoff_delay(3, None, lambda: 1.0) == 16.0
    assert backoff_delay(3, None, lambda: 0.25) == 4.0
    assert backoff_delay(0, None, lambda: 0.0) == 0.0
    assert backoff_delay(40, None, lambda: 1.0) == BACKOFF_CAP_S


def test_retry_after_is_a_floor() -> None:
    assert backoff_delay(0, 30.0, lambda: 0.5) == 30.0
    assert backoff_delay(10, 30.0, lambda: 0.5) == 300.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("soon", None),
        (None, None),
        ("", None),
    ],
)
def test_retry_after_in_seconds_or_as_a_date(header: str | None, seconds: float | None) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after(header, now) == seconds


def test_every_result_of_the_protocol_has_an_outbox_state() -> None:
    assert set(RESULT_STATES) == set(get_args(Result))


def test_results_sort_into_delivered_dead_letters_and_items_to_send_again() -> None:
    verdicts = sort_results(
        ["a", "b", "c", "d", "e"],
        {"a": "accepted", "b": "duplicate", "c": "conflict", "d": "rejected"},
        {"d": "scores.attitude: must be 1-5"},
    )
    assert verdicts.delivered == ["a", "b"]
    assert verdicts.dead == [("c", "conflict"), ("d", "rejected: scores.attitude: must be 1-5")]
    assert verdicts.absent == ["e"]
    assert verdicts.moves()[:2] == [(["a", "b"], "delivered", None), (["e"], "pending", None)]
