"""The API's request and response shapes (DESIGN §5), from which APIFlask writes the OpenAPI document.

Input schemas validate and refuse (400, naming the field); output schemas document what the
engine's views return — the views themselves are built in `engine.views`, not here.
"""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Date, Dict, File, Float, Integer, List, Nested, Raw, String
from apiflask.validators import Length, OneOf, Range, Regexp
from marshmallow import ValidationError

from engine.definitions.dialects import DIALECTS
from engine.tasks import SCOPES, SORTS

INSTANCE_STATUSES = ("running", "waiting", "completed", "terminated", "suspended", "incident")
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled", "suspended")
MAX_WAIT_SECONDS = 300.0
"""The longest a request may wait for a flow or a microflow."""


NO_NUL = Regexp(r"^[^\x00]*$", error="must not contain NUL characters")
"""Text the databases can store: PostgreSQL refuses NUL in text (documented as a `pattern`)."""


def _unicode(value: str) -> None:
    """Refuse lone surrogates (`"\\ud800"` in JSON): text that cannot be encoded as UTF-8 to be stored."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("must be valid Unicode text (no lone surrogates)") from None


def _storable(min_length: int | None = None, max_length: int | None = 255, **kwargs: Any) -> String:
    """A string input that is stored or looked up: bounded, without NUL, valid Unicode."""
    bounds = [Length(min_length, max_length)] if min_length or max_length else []
    return String(validate=[*bounds, NO_NUL, _unicode], **kwargs)


def _names() -> String:
    """A variable's (or a correlation value's) name: the engine refuses empty ones."""
    return _storable(min_length=1, max_length=None)


def _variables(description: str) -> Dict:
    return Dict(
        keys=_names(), values=Raw(allow_none=True), load_default=dict, metadata={"description": description}
    )


def _json(description: str) -> Raw:
    return Raw(allow_none=True, metadata={"description": description})


# -- errors ---------------------------------------------------------------------------------------


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
"""`{"error": {"code", "message", "details"}}`: every error the API returns, as an OpenAPI schema."""


# -- paging ---------------------------------------------------------------------------------------


class PageQuery(Schema):
    """`limit`/`offset` paging."""

    limit = Integer(load_default=50, validate=Range(1, 1000))
    offset = Integer(load_default=0, validate=Range(0, 10_000_000))


# -- definitions ----------------------------------------------------------------------------------


class DeployIn(Schema):
    """A deployment: BPMN, DMN and form files, several at once."""

    files = List(
        File(),
        required=True,
        validate=Length(min=1),
        metadata={"description": "BPMN, DMN, .form and .json files"},
    )
    dialect = String(
        load_default=None,
        validate=OneOf(DIALECTS),
        metadata={
            "description": "Run the BPMN files as this editor's engine does (`spiff`: as SpiffArena, with "
            "task data and waiting plain and manual tasks), whatever their namespaces suggest; "
            "by default each file's dialect is detected"
        },
    )


class DeployedOut(Schema):
    """One process of a deployment."""

    id = Integer()
    key = String()
    version = Integer()
    name = String(allow_none=True)
    created = Boolean(metadata={"description": "false when the XML was unchanged: the existing version"})
    warnings = List(String(), metadata={"description": "what deploys but may not run as drawn"})


class DefinitionOut(Schema):
    """A deployed process definition, with its start form."""

    id = Integer()
    key = String()
    version = Integer()
    name = String(allow_none=True)
    source_name = String(allow_none=True)
    dialect = String(allow_none=True)
    start_form = _json("the start event's form description, or null")
    starters = _json("who may start it, {users, groups}, when the model restricts it; else null")
    deployed_at = String()
    documentation = String(
        allow_none=True, metadata={"description": "the process's BPMN documentation (plain text), if any"}
    )
    start_documentation = String(
        allow_none=True,
        metadata={"description": "the BPMN documentation of the start event whose form starts it, if any"},
    )


class VersionQuery(Schema):
    """Which version of a definition (the latest when absent)."""

    version = Integer(validate=Range(1, 2**31 - 1))


class StartIn(Schema):
    """Start an instance."""

    variables = _variables("the start variables (a JSON object)")
    business_key = _storable(allow_none=True)
    wait_seconds = Float(
        load_default=0.0,
        validate=Range(0, MAX_WAIT_SECONDS),
        metadata={"description": "wait up to this long for the instance to end or to wait on people"},
    )


# -- instances ------------------------------------------------------------------------------------


class TaskOut(Schema):
    """An open or closed user task."""

    id = String()
    name = String(allow_none=True)
    element_id = String()
    instance_id = String()
    status = String()
    assignee = String(allow_none=True)
    candidate_users = List(String())
    candidate_groups = List(String())
    lane = String(allow_none=True)
    form = _json("the task's form description, or null")
    variables = _variables("the instance's variables the task sees")
    due_at = String(allow_none=True, metadata={"description": "when the model says it is due"})
    follow_up_at = String(allow_none=True, metadata={"description": "when the model says to follow it up"})
    priority = Integer(metadata={"description": "the model's priority (Camunda's default: 50)"})
    created_at = String(allow_none=True)
    completed_at = String(allow_none=True)
    completed_by = String(allow_none=True)
    instructions = String(
        allow_none=True,
        metadata={
            "description": "SpiffArena's instructionsForEndUser rendered with the task's data (plain text; "
            "only in one task's view)"
        },
    )
    instructions_error = String(
        allow_none=True, metadata={"description": "why the instructions could not be rendered, if so"}
    )
    documentation = String(
        allow_none=True,
        metadata={"description": "the task's BPMN documentation (plain text; only in one task's view)"},
    )
    business_key = String(allow_none=True, metadata={"description": "its instance's business key"})
    instance_revision = Integer(
        allow_none=True,
        metadata={
            "description": "bumped by every step of the task's instance: a new value says it moved (only "
            "in one task's view)"
        },
    )


class JobOut(Schema):
    """A job: an async microflow, a timer, a message or a microflow called alone."""

    id = String()
    kind = String()
    status = String(metadata={"enum": list(JOB_STATUSES)})
    instance_id = String(allow_none=True)
    task_id = String(allow_none=True)
    element_id = String(allow_none=True)
    microflow = String(allow_none=True)
    attempts = Integer()
    max_attempts = Integer()
    due_at = String(allow_none=True)
    result = _json("what the microflow returned")
    error = String(allow_none=True)
    created_at = String(allow_none=True)
    finished_at = String(allow_none=True)


class IncidentOut(Schema):
    """A job that failed after its last retry."""

    id = String()
    instance_id = String(allow_none=True)
    job_id = String(allow_none=True)
    task_id = String(allow_none=True)
    element_id = String(allow_none=True)
    error = String(allow_none=True)
    status = String()
    created_at = String(allow_none=True)
    resolved_at = String(allow_none=True)


class RetriedIncidentOut(IncidentOut):
    """An incident just retried: resolved, with the job that runs the work again."""

    retry_job_id = String(allow_none=True)


class InstanceOut(Schema):
    """A process instance, with everything it waits on."""

    id = String()
    key = String()
    version = Integer()
    business_key = String(allow_none=True)
    status = String(metadata={"enum": list(INSTANCE_STATUSES)})
    variables = _variables("the instance's variables")
    tasks = List(Nested(TaskOut), metadata={"description": "open user tasks (not in lists)"})
    waiting = List(Dict(), metadata={"description": "every wait: user tasks, jobs, timers, messages"})
    incidents = List(Nested(IncidentOut))
    jobs = List(Nested(JobOut), metadata={"description": "unfinished jobs (not in lists)"})
    started_at = String(allow_none=True)
    ended_at = String(allow_none=True)


class InstanceListQuery(PageQuery):
    """Filters for the instance list."""

    key = _storable()
    status = String(validate=OneOf(INSTANCE_STATUSES))
    business_key = _storable()


class InstanceListOut(Schema):
    """A page of instances."""

    items = List(Nested(InstanceOut))
    total = Integer()


class HistoryEventOut(Schema):
    """One append-only history event."""

    id = Integer()
    at = String()
    kind = String()
    element_id = String(allow_none=True)
    element_name = String(allow_none=True)
    element_type = String(allow_none=True)
    task_id = String(allow_none=True)
    user = String(allow_none=True)
    data = _json("what the event carries")


class ElementOut(Schema):
    """One element of an instance: what happened there and what it waits for (the diagram's click)."""

    instance_id = String()
    element_id = String()
    name = String(allow_none=True, metadata={"description": "the element's name in the model"})
    type = String(metadata={"description": "its BPMN type, e.g. userTask"})
    history = List(Nested(HistoryEventOut), metadata={"description": "its history events, oldest first"})
    waiting = List(Dict(), metadata={"description": "its waits, as the instance lists them"})
    tasks = List(Nested(TaskOut), metadata={"description": "its open user tasks"})
    jobs = List(Nested(JobOut), metadata={"description": "its unfinished jobs"})
    incidents = List(Nested(IncidentOut), metadata={"description": "its open incidents"})


class TerminateIn(Schema):
    """Why an instance is terminated (optional)."""

    reason = _storable(max_length=1000, allow_none=True)


class TriggerIn(Schema):
    """Where an instance is moved on (a receive task waiting there), and with which variables."""

    element_id = _storable(min_length=1, required=True, metadata={"description": "the receive task's id"})
    variables = _variables("variables set as the task moves on, as a completion's are")
    task_id = _storable(
        min_length=1,
        allow_none=True,
        metadata={"description": "which of the tasks waiting there (the wait's task_id); default: the first"},
    )


# -- tasks ----------------------------------------------------------------------------------------


class TaskListQuery(PageQuery):
    """Filters for the task list."""

    assignee = _storable()
    candidate_group = _storable()
    instance_id = _storable()
    mine = Boolean(load_default=False, metadata={"description": "only tasks I may do"})
    scope = String(
        load_default="all",
        validate=OneOf(SCOPES),
        metadata={
            "description": "which of my tasks: `all` I may do, `assigned` to me, the unassigned ones "
            "offered to one of my `groups`, or all `unassigned` ones (`assigned` and `groups` imply mine)"
        },
    )
    process_key = _storable(metadata={"description": "only tasks of this process (its key)"})
    due_before = Date(metadata={"description": "only tasks due before this date (its midnight, UTC)"})
    q = _storable(
        metadata={
            "description": "search text: in the task's name, its process's name or key, or its "
            "instance's business key, ignoring case"
        }
    )
    sort = String(
        load_default="created",
        validate=OneOf([*SORTS, *(f"-{s}" for s in SORTS)]),
        metadata={
            "description": "`created` (oldest first), `due` (soonest first, undated last), `name` or "
            "`process` (its name, A to Z); a leading `-` reverses (`-created`: newest first)"
        },
    )


class ListVariableOut(Schema):
    """A variable a task list's row shows."""

    name = String()
    label = String(metadata={"description": "the form field's label, else the name"})
    value = Raw(allow_none=True)


class TaskListItemOut(TaskOut):
    """An open task in a list, with what tells it apart from others of its kind."""

    process_key = String()
    process_name = String(allow_none=True)
    list_variables = List(
        Nested(ListVariableOut),
        metadata={
            "description": "the variables its model's `listVariables` property names, else the first "
            "fields of its form that have a value"
        },
    )


class TaskListOut(Schema):
    """A page of open tasks."""

    items = List(Nested(TaskListItemOut))
    total = Integer()


class TaskCountOut(Schema):
    """How many open tasks the caller may do."""

    open = Integer(metadata={"description": "the total of `GET /api/tasks?mine=true`"})


class CompleteIn(Schema):
    """The values of a task's form."""

    variables = _variables("the form's values")


USER_NAME = r"^[^\s,\x00-\x1f\x7f]+$"
"""What `engine.accounts.check_name` takes for a user's name."""


class AssignIn(Schema):
    """Who a task goes to."""

    assignee = String(
        required=True,
        validate=[
            Length(1, 255),
            Regexp(r"^[^\s,\x00-\x1f\x7f]+$", error="a user name: no spaces or commas"),
        ],
        metadata={"description": "the user who gets the task"},
    )


# -- messages -------------------------------------------------------------------------------------


class MessageIn(Schema):
    """A message to correlate."""

    name = _storable(min_length=1, required=True)
    correlation = Dict(keys=_names(), values=Raw(allow_none=True), load_default=dict)
    variables = _variables("variables the message carries")
    message_id = _storable(min_length=1, allow_none=True, metadata={"description": "dedupes"})


class SignalIn(Schema):
    """A signal to broadcast."""

    name = _storable(min_length=1, required=True)
    variables = _variables("variables each receiver (and each instance it starts) gets")


class MessageOut(Schema):
    """Where a message or a signal went."""

    delivered_to = List(String())
    started = List(String())


# -- microflows and jobs --------------------------------------------------------------------------


class MicroflowOut(Schema):
    """A registered microflow."""

    name = String()
    mode = String(metadata={"enum": ["sync", "async"]})
    inputs = List(String())
    timeout_seconds = Float(allow_none=True)
    retries = Integer(allow_none=True)
    description = String(allow_none=True)


class CallIn(Schema):
    """Call a microflow alone."""

    input = _variables("the microflow's inputs by name")
    mode = String(load_default="blocking", validate=OneOf(["blocking", "async"]))
    task_id = _storable(
        min_length=1,
        metadata={"description": "the task whose form names the microflow (what lets a user call it)"},
    )
    process_key = _storable(
        min_length=1, metadata={"description": "the process whose start form names the microflow"}
    )
    timeout_seconds = Float(
        validate=Range(min=0, max=MAX_WAIT_SECONDS, min_inclusive=False),
        metadata={"description": "blocking calls: give up after this long (504)"},
    )


class CallOut(Schema):
    """A blocking call's result."""

    result = _json("what the microflow returned")


class CallAcceptedOut(Schema):
    """An async call's job."""

    job_id = String()


class IncidentListQuery(Schema):
    """Filters for the incident list."""

    status = String(load_default="open", validate=OneOf(["open", "resolved", "all"]))
    instance_id = _storable()
