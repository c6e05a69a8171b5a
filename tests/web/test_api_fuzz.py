"""Schemathesis over the whole OpenAPI document, against a live `flowbridge serve`.

Every operation gets generated requests, valid and invalid (its documented examples, the
schema's boundaries and negations, then random fuzzing). Every answer must be documented: its
status code, its content type and its body's schema; no 5xx but the microflow call's documented
502 and 504; a request without the token is refused; a schema-valid request is not refused as
bad input unless its content decides (a model's XML, a microflow's inputs, a form's values).

The server runs the example models of bpmn/, on SQLite and on PostgreSQL. Each operation is
fuzzed twice: with generated path ids (mostly 404s), then with ids that exist (definitions,
instances, tasks, jobs, microflows), so the requests reach past the 404s. The document fuzzed is
the one the live server serves (checked first); it is built at import, for one test per
operation. `FLOWBRIDGE_FUZZ_EXAMPLES=200 pytest tests/web/test_api_fuzz.py` runs a deeper search.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from engine import Engine, Settings
from web import create_app

from ..conftest import postgres_schema
from .test_api_live import EXAMPLES, LiveServer, served

MAX_EXAMPLES = int(os.environ.get("FLOWBRIDGE_FUZZ_EXAMPLES", "25"))
"""Random requests per operation and database, on top of the boundary cases; more for a deeper run."""

MICROFLOW_CALL = "/api/microflows/{name}/call"
CONTENT_DECIDES = {
    "/api/process-definitions",  # whether the XML is a model
    "/api/process-definitions/{key}/start",  # what the model's scripts make of the variables
    MICROFLOW_CALL,  # whether the input has the microflow's names
    "/api/tasks/{task_id}/complete",  # whether the values fit the task's form
    "/api/messages",  # what the started process makes of the variables
    "/api/signals",  # likewise
    # Whether the name is one the accounts take: the schema's pattern says so in JSON Schema's
    # regex dialect, whose `\s` differs from Python's (U+0085 is whitespace only to Python).
    "/api/tasks/{task_id}/assign",
}
"""Operations where a schema-valid request may rightly be refused (400/422) for what it says."""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own (the fuzzer changes what it finds), on SQLite and on PostgreSQL."""
    tmp = tmp_path_factory.mktemp("fuzz")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
        else:
            url = stack.enter_context(postgres_schema())
        yield stack.enter_context(served(url, EXAMPLES, tmp, workers=2))


@pytest.fixture(scope="module")
def real_ids(fuzzed: LiveServer) -> dict[str, list[str]]:
    """Ids that exist on the server, by path parameter name."""
    ids: dict[str, list[str]] = {"key": [], "instance_id": [], "task_id": [], "job_id": [], "name": []}
    status, definitions = fuzzed.get("/api/process-definitions")
    assert status == 200 and definitions, definitions
    ids["key"] = [d["key"] for d in definitions]
    ids["name"] = [m["name"] for m in fuzzed.get("/api/microflows")[1]]
    starts = [
        ("hello_task", {}),
        ("hello_task", {}),
        ("loan_approval", {"customer_id": "C-1", "amount": 9000}),
        ("async_order", {"order_id": "A-1", "sku": "BOLT-M8", "quantity": 40}),
    ]
    for key, variables in starts:
        status, instance = fuzzed.post(f"/api/process-definitions/{key}/start", {"variables": variables})
        assert status == 201, instance
        ids["instance_id"].append(instance["id"])
        ids["task_id"] += [t["id"] for t in instance["tasks"]]
        ids["job_id"] += [j["id"] for j in instance.get("jobs", [])]
    call = {"input": {"customer_id": "C-1", "amount": 100}, "mode": "async"}
    status, accepted = fuzzed.post("/api/microflows/credit_score/call", call)
    assert status == 202, accepted
    ids["job_id"].append(accepted["job_id"])
    assert all(ids.values()), ids
    return ids


def openapi_document() -> dict[str, Any]:
    """The document `create_app` generates (no database needed): what the live server serves."""
    offline = Engine(Settings(database_url="sqlite://", models_path=EXAMPLES / "none"), load_microflows=False)
    document: dict[str, Any] = create_app(offline).test_client().get("/api/openapi.json").get_json()
    offline.close()
    document.pop("servers", None)
    return document


# Built at import so that pytest collects one test per operation; the first test below checks
# that the live server serves this very document.
schema = schemathesis.openapi.from_dict(openapi_document())


def test_the_live_server_serves_the_fuzzed_document(fuzzed: LiveServer) -> None:
    status, served_document = fuzzed.get("/api/openapi.json", token=False)
    assert status == 200
    served_document.pop("servers", None)
    assert served_document == schema.raw_schema


def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """The microflow call's one exception to "no 5xx": its documented 502 (raised) and 504 (timeout)."""
    if response.status_code >= 500 and response.status_code not in (502, 504):
        raise AssertionError(f"{case.operation.label} answered {response.status_code}: {response.text[:500]}")
    return None


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def call_and_check(case: Any, server: LiveServer) -> None:
    """Send the case to the live server and run every check on the answer."""
    path = case.operation.path
    body = case.body
    wait = body.get("wait_seconds") if isinstance(body, dict) else None
    if isinstance(wait, int | float) and 1 < wait <= 300:
        # A valid wait, up to 300 s, that the server would hold the request for: keep it short.
        body["wait_seconds"] = 1.0
    excluded = []
    additional = []
    if path == MICROFLOW_CALL:
        excluded.append(not_a_server_error)
        additional.append(no_server_error)
    if path in CONTENT_DECIDES:
        excluded.append(positive_data_acceptance)
    if any(value in (None, [], {}) for value in (case.query or {}).values()):
        # requests sends nothing for an empty or null query value: an "unknown parameter" made
        # of one reaches the server as the valid request it otherwise is.
        excluded.append(negative_data_rejection)
    case.call_and_validate(
        base_url=server.url,
        headers=server.auth,
        excluded_checks=excluded,
        additional_checks=additional,
        timeout=30,
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_answer_is_documented_and_none_is_a_server_error(case: Any, fuzzed: LiveServer) -> None:
    """The documented examples, the schema's boundary and negated values, then random requests."""
    call_and_check(case, fuzzed)


with_ids = schema.include(path_regex=r"\{")


@with_ids.parametrize()
@with_ids.given(data=st.data())
@FUZZ_SETTINGS
def test_every_answer_on_real_ids_is_documented_and_none_is_a_server_error(
    case: Any, data: Any, fuzzed: LiveServer, real_ids: dict[str, list[str]]
) -> None:
    """Random requests again, with the path's ids drawn from the ones that exist."""
    for name in list(case.path_parameters or {}):
        if real_ids.get(name):
            case.path_parameters[name] = data.draw(st.sampled_from(real_ids[name]), label=name)
    call_and_check(case, fuzzed)


def test_the_server_logged_no_unexpected_error(fuzzed: LiveServer) -> None:
    """After the fuzzing: nothing reached the catch-all handler (it logs "unexpected error")."""
    assert "unexpected error" not in fuzzed.output(), fuzzed.output()[-5000:]
