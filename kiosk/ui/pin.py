"""The admin PIN gate: checks PINs and locks after too many wrong ones in a row."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class PinResult(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class PinAnswer:
    result: PinResult
    #: Wrong PINs left before the pad locks (meaningful after WRONG).
    attempts_left: int
    #: Seconds until the pad unlocks (meaningful after LOCKED).
    locked_for_s: float


class PinGate:
    """Plain logic, no Qt: `check` a PIN against `verify`; after `attempts` wrong PINs in a
    row the gate refuses every PIN, right or wrong, for `lockout_s` seconds.

    The clock is monotonic so that setting the wall clock back does not unlock the pad.
    """

    def __init__(
        self,
        verify: Callable[[str], bool],
        *,
        attempts: int = 5,
        lockout_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._verify = verify
        self._attempts = attempts
        self._lockout_s = lockout_s
        self._clock = clock
        self._wrong = 0
        self._locked_until: float | None = None

    def locked_for(self) -> float:
        """Seconds the gate stays locked; 0 when open."""
        if self._locked_until is None:
            return 0.0
        left = self._locked_until - self._clock()
        if left <= 0:
            self._locked_until = None
            self._wrong = 0
            return 0.0
        return left

    def check(self, pin: str) -> PinAnswer:
        left = self.locked_for()
        if left > 0:
            return PinAnswer(PinResult.LOCKED, 0, left)
        if self._verify(pin):
            self._wrong = 0
            return PinAnswer(PinResult.ACCEPTED, self._attempts, 0.0)
        self._wrong += 1
        if self._wrong >= self._attempts:
            self._locked_until = self._clock() + self._lockout_s
            return PinAnswer(PinResult.LOCKED, 0, self._lockout_s)
        return PinAnswer(PinResult.WRONG, self._attempts - self._wrong, 0.0)
