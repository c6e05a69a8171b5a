"""What a step did to the instance's variables: before → after, bounded, for the history.

The step snapshots the variables as JSON text before its change (`snapshot`) and compares them
with the variables it saves (`changes`). JSON text is cheap to make (C code) and to compare, and
it cannot be altered by a script that changes a list in place. What is recorded is bounded: at
most `MAX_CHANGES` variables a step, each value cut to `MAX_VALUE_TEXT` characters of JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_CHANGES = 50
"""The most variables one step's history event lists; the event says how many more changed."""
MAX_VALUE_TEXT = 200
"""The longest JSON text of a value the history keeps; a longer one is cut and marked."""
HIDDEN = ("_fb_", "__")
"""Name prefixes of the engine's own helper variables, which the history leaves out."""


def snapshot(variables: Mapping[str, Any]) -> dict[str, str]:
    """Each variable's value as JSON text (but the engine's own helpers')."""
    return {name: _text(value) for name, value in variables.items() if not name.startswith(HIDDEN)}


def changes(before: Mapping[str, str], after: Mapping[str, Any]) -> dict[str, Any] | None:
    """The history data of what changed from `before` (a snapshot) to `after`; None for nothing.

    `{"changes": [{"name", "before"?, "after"?, "truncated"?}], "more": N}`: a variable that was
    added has no `before`, one removed no `after`; a value too long to keep is its JSON text cut
    short, ending with "…", and its change says `truncated`.
    """
    now = snapshot(after)
    names = [n for n in now if before.get(n) != now[n]] + [n for n in before if n not in now]
    if not names:
        return None
    listed = [_change(name, before.get(name), now.get(name)) for name in sorted(names)[:MAX_CHANGES]]
    data: dict[str, Any] = {"changes": listed}
    if len(names) > MAX_CHANGES:
        data["more"] = len(names) - MAX_CHANGES
    return data


def _change(name: str, before: str | None, after: str | None) -> dict[str, Any]:
    change: dict[str, Any] = {"name": name}
    for side, text in (("before", before), ("after", after)):
        if text is None:
            continue
        if len(text) > MAX_VALUE_TEXT:
            change[side] = text[: MAX_VALUE_TEXT - 1] + "…"
            change["truncated"] = True
        else:
            change[side] = json.loads(text)
    return change


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
