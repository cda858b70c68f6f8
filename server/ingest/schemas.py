"""The sync request as documented: protocol v1's envelope with its items typed.

The server parses the envelope and the items separately (so that one bad rating never
sinks its batch); this model exists to describe the body in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sync.protocol import MAX_BATCH_RATINGS, Rating, ServiceSession, SyncRequest


class SyncRequestDocument(SyncRequest):
    ratings: Annotated[  # type: ignore[assignment]
        list[Rating], Field(max_length=MAX_BATCH_RATINGS, default_factory=list)
    ]
    sessions: Annotated[  # type: ignore[assignment]
        list[ServiceSession], Field(max_length=MAX_BATCH_RATINGS, default_factory=list)
    ]
