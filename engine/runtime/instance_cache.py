"""A small LRU of live workflows, each tagged with the revision it was saved at."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class WorkflowCache:
    """Instance id → (revision, workflow). A step takes its entry out, and puts it back after commit.

    Taking the entry out while a step runs means no other thread can reuse a workflow that the
    step is changing; a step that fails simply does not put it back.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: str, revision: int) -> Any | None:
        """The cached workflow at exactly `revision`, removed from the cache; else None."""
        with self._lock:
            entry = self._items.pop(instance_id, None)
        if entry is None or entry[0] != revision:
            return None
        return entry[1]

    def put(self, instance_id: str, revision: int, workflow: Any) -> None:
        """Remember a workflow saved at `revision`, evicting the least recently used."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[instance_id] = (revision, workflow)
            self._items.move_to_end(instance_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, instance_id: str) -> None:
        """Forget an instance."""
        with self._lock:
            self._items.pop(instance_id, None)
