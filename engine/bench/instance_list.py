"""The benchmark's `instances` scenario (DESIGN §8, §6a): the instance list with 100,000 instances.

A non-administrator's list holds only the instances they take part in, filtered in the query
(`store.participants`); an administrator's holds all. Both are measured through HTTP against
`flowbridge serve`, side by side with the same query made in this process, on the data the
`tasklist` scenario seeds (each instance with its starter and its task's people as participants).
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

from ..accounts.service import Principal
from ..engine import Engine
from ..errors import StepFailed
from .api import (
    TASKLIST_USER,
    TASKLIST_USER_GROUPS,
    Client,
    _token,
    api_sizes,
    seed_open_tasks,
    serve,
)
from .common import Record, Sizes, interleave, timing

INSTANCES_PAGE = "/api/process-instances?limit=50"
"""The request `instances` measures: the first page of the instances the caller may see."""
ADMIN = "bench-admin"
"""The administrator whose list holds every instance."""


def scenario_instances(sizes: Sizes, engine: Engine, cold: Engine, raw: Any) -> list[Record]:
    """The first page of the instance list, as a participant of a few and as an administrator.

    Batches of requests alternate with batches of the same `engine.runtime.list` in this process,
    so each ratio is the API's cost over the query's on the same data.
    """
    api = api_sizes(sizes)
    seconds = seed_open_tasks(engine, api.tasklist_tasks)
    viewers = {
        "participant": Principal(TASKLIST_USER, TASKLIST_USER_GROUPS),
        "administrator": Principal(ADMIN, (), admin=True),
    }
    tokens = {
        "participant": _token(engine, TASKLIST_USER, TASKLIST_USER_GROUPS),
        "administrator": _token(engine, ADMIN, admin=True),
    }
    expected = {who: engine.runtime.list(limit=50, viewer=viewer) for who, viewer in viewers.items()}
    records: list[Record] = []
    with serve(engine.settings.database_url) as served:
        for who, viewer in viewers.items():
            client = Client(served, tokens[who])
            try:
                arms = {
                    "api": (_over_http(client, expected[who]), api.tasklist_requests // _rounds(api)),
                    "engine": (_in_process(engine, viewer), 20),
                }
                samples = interleave(arms, _rounds(api), warmup=10)
            finally:
                client.close()
            notes = {
                "instances": api.tasklist_tasks,
                "visible": expected[who]["total"],
                "seeded_seconds": round(seconds, 1),
                "server": served.note(),
            }
            api_record = timing(
                f"instances via API, {who}", samples["api"]["request"], samples["engine"]["request"], **notes
            )
            api_record.extra["engine_median_ms"] = api_record.extra.pop("raw_median_ms")
            records += [
                api_record,
                timing(f"instances, the query in-process, {who}", samples["engine"]["request"], **notes),
            ]
    return records


def _rounds(api: Any) -> int:
    return max(1, api.tasklist_requests // 20)


def _over_http(client: Client, expected: dict[str, Any]) -> Callable[[int], dict[str, float]]:
    def cycle(_index: int) -> dict[str, float]:
        start = perf_counter()
        page = client.call("GET", INSTANCES_PAGE)
        took = perf_counter() - start
        ids = [i["id"] for i in page["items"]]
        if page["total"] != expected["total"] or ids != [i["id"] for i in expected["items"]]:
            raise StepFailed(
                f"the API's instance list differs from the engine's: total {page['total']} "
                f"instead of {expected['total']}, {len(ids)} items"
            )
        return {"request": took}

    return cycle


def _in_process(engine: Engine, viewer: Principal) -> Callable[[int], dict[str, float]]:
    def cycle(_index: int) -> dict[str, float]:
        start = perf_counter()
        engine.runtime.list(limit=50, viewer=viewer)
        return {"request": perf_counter() - start}

    return cycle
