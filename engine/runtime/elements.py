"""An instance's elements: the marks its diagram shows, and what one element did and waits for.

`diagram_marks` reads an instance view and its history (both already read for the page) and
says which elements were passed, which sequence flows were taken (as source and target ids,
from the history's `from`: see paths.py), where the instance waits, how many open incidents
each element has, and, for a terminated instance, where it stopped and why. `ElementService`
answers "what happened here?" for one element of one instance, for the diagram's click.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..accounts import Principal
from ..definitions.repository import RepositoryService
from ..definitions.safe_xml import parse_xml
from ..errors import InvalidInput, NotFound
from ..namespaces import BPMN_NS
from .history import HistoryService
from .paths import FROM
from .service import RuntimeService

PASSED_EVENTS = frozenset({"activity_completed", "user_task_completed"})
"""History events that mark their element as passed."""
TAKEN_EVENTS = frozenset({"activity_completed", "activity_cancelled"})
"""History events whose `from` names a sequence flow taken (a join's absorbed branch is cancelled)."""
FAILED_WAITS = frozenset({"incident", "error"})
"""Waits that are incidents."""
MAX_ELEMENT_ID = 255
"""The longest element id looked up."""


def diagram_marks(instance: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    """The diagram's marks: `passed` (in the order they last completed), `flows` ([source,
    target] pairs), `waiting`, `incident` (element ids), `incidents` (open incidents per element
    id), and for a terminated instance `stopped` (where it stood) and `reason`."""
    waits = instance.get("waiting") or []
    waiting = [w.get("element_id") for w in waits if w.get("kind") not in FAILED_WAITS]
    waiting += [t.get("element_id") for t in instance.get("tasks") or []]
    counts = Counter(i.get("element_id") for i in instance.get("incidents") or [] if i.get("element_id"))
    failed = [w.get("element_id") for w in waits if w.get("kind") in FAILED_WAITS] + list(counts)
    flows = {
        (e["data"][FROM], e["element_id"]): None
        for e in history
        if e["kind"] in TAKEN_EVENTS and isinstance(e.get("data"), dict) and e["data"].get(FROM)
    }
    terminated = [e for e in history if e["kind"] == "instance_terminated"]
    stop = (terminated[-1].get("data") or {}) if terminated else {}
    return {
        "passed": _last_first(e["element_id"] for e in history if e["kind"] in PASSED_EVENTS),
        "flows": [list(pair) for pair in flows],
        "waiting": _ids(waiting),
        "incident": _ids(failed),
        "incidents": {str(k): n for k, n in counts.items()},
        "stopped": _ids(stop.get("stopped_at") or []) if terminated else [],
        "reason": stop.get("reason") if terminated else None,
    }


class ElementService:
    """What one element of an instance did and waits for (the diagram's click)."""

    def __init__(
        self, runtime: RuntimeService, history: HistoryService, repository: RepositoryService
    ) -> None:
        self.runtime = runtime
        self.history = history
        self.repository = repository

    def element(self, instance_id: str, element_id: str, viewer: Principal | None = None) -> dict[str, Any]:
        """The element's name and type as the model has them, its history events (oldest first),
        its waits, open user tasks, unfinished jobs and open incidents. NotFound for an instance
        the viewer may not see, or an element its process does not have."""
        if not isinstance(element_id, str) or not element_id or len(element_id) > MAX_ELEMENT_ID:
            raise InvalidInput(f"an element id is 1 to {MAX_ELEMENT_ID} characters")
        instance = self.runtime.get(instance_id, viewer=viewer)
        xml = self.repository.xml(instance["key"], instance["version"])
        found = _model_element(xml, element_id)
        if found is None:
            raise NotFound(
                f"process '{instance['key']}' has no element '{element_id}'",
                instance_id=instance_id,
                element_id=element_id,
            )
        events = self.history.events(instance_id, viewer=viewer)

        def here(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [item for item in items if item.get("element_id") == element_id]

        return {
            "instance_id": instance_id,
            "element_id": element_id,
            "name": found["name"],
            "type": found["type"],
            "history": here(events),
            "waiting": here(instance.get("waiting") or []),
            "tasks": here(instance.get("tasks") or []),
            "jobs": here(instance.get("jobs") or []),
            "incidents": here(instance.get("incidents") or []),
        }


def _model_element(xml: str, element_id: str) -> dict[str, Any] | None:
    """The name and BPMN type (`userTask`) of the model's element `element_id`, or None (its
    diagram's shapes, of the DI namespaces, are not elements)."""
    root = parse_xml(xml.encode(), "model").getroot()
    for node in root.iter(f"{{{BPMN_NS}}}*"):
        if node.get("id") == element_id:
            return {"name": node.get("name"), "type": node.tag.rsplit("}", 1)[-1]}
    return None


def _last_first(values: Any) -> list[str]:
    """The ids in the order of their last occurrence (the diagram picks the latest source)."""
    return _ids(reversed(list(values)))[::-1]


def _ids(values: Any) -> list[str]:
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))
