"""What the server's last `config` says about the rating content and the hall, for the
screens: the scoring rules in force, the low-score reasons an admin set on the console, and
the hall's staff (kept in the store as setting `server.config`, docs/protocol.md §6.4)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.config import ConfigError, reasons_from
from kiosk.store import Store
from sync.client import SERVER_CONFIG
from sync.reasons import Reason
from sync.scoring import ScoringConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffMember:
    """One of the hall's active staff, as the server lists them."""

    id: str
    name: str
    counter_id: str | None


class ServerContent:
    """`HallContent` over the kiosk's store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _block(self) -> Mapping[str, Any]:
        block = self._store.get_setting(SERVER_CONFIG)
        return block if isinstance(block, Mapping) else {}

    def scoring(self) -> ScoringConfig:
        return self._store.config

    def reasons(self) -> tuple[Reason, ...] | None:
        """The server's reasons, or None when it sent none (an older server, or never)."""
        value = self._block().get("reasons")
        if value is None:
            return None
        try:
            reasons = reasons_from(value, "server config")
        except ConfigError as exc:
            log.error("the server's low-score reasons are not usable: %s", exc)
            return None
        return reasons or None

    def staff(self) -> list[StaffMember]:
        """The hall's active staff, this kiosk's counter's first (empty when never synced)."""
        value = self._block().get("staff")
        if not isinstance(value, list):
            return []
        members = [
            StaffMember(str(item["id"]), str(item["name"]), item.get("counter_id"))
            for item in value
            if isinstance(item, Mapping) and item.get("id") and item.get("name")
        ]
        return members
