"""job_event_dispatch, plus each event encoded to JSON once per process, not per subscriber."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from bench.variants.job_event_dispatch import application
from jobs.consumers import SEEN_LIMIT, JobEventsConsumer

__all__ = ["application"]

_encoded: OrderedDict[int, str] = OrderedDict()


async def _deliver(self: Any, message: dict[str, Any]) -> None:
    event_id = message.get("eventId") or 0
    text = None
    if event_id:
        if event_id in self.seen:
            return
        self.seen[event_id] = None
        if len(self.seen) > SEEN_LIMIT:
            self.seen.pop(next(iter(self.seen)))
        text = _encoded.get(event_id)
    if text is None:
        text = json.dumps(message)
        if event_id:
            _encoded[event_id] = text
            if len(_encoded) > 256:
                _encoded.popitem(last=False)
    await self.send(text_data=text)


JobEventsConsumer._deliver = _deliver  # type: ignore[method-assign]
