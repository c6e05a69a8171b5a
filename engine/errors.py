"""Engine errors: one small class each, mapped to HTTP statuses or exit codes only by clients."""

from __future__ import annotations

import re
from typing import Any


class EngineError(Exception):
    """Something the engine refused to do; the message says what and why."""

    code = "engine_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(EngineError):
    """The caller sent input the engine cannot use."""

    code = "invalid_input"


class InvalidModel(InvalidInput):
    """A BPMN or DMN file cannot be deployed; the message names the file, line and reason.

    `details["problems"]` lists every problem found, each `{"file", "line", "element", "reason",
    "message"}` (`message` is the problem's one line: `file:line: serviceTask 'id': reason`), as
    Camunda 7's ParseException lists its problems. A refusal of one problem has that problem's
    message; `InvalidModel.of` makes one refusal of several. Given no `problems`, the refusal is
    one problem: the `file`, `line`, `element` and `reason` details, else read from the message.
    """

    code = "invalid_model"

    def __init__(self, message: str, **details: object) -> None:
        if "problems" not in details:
            details["problems"] = [_problem(message, details)]
        for key in ("file", "reason"):
            details.pop(key, None)  # said by the problem
        super().__init__(message, **details)

    @property
    def problems(self) -> list[dict[str, Any]]:
        """Every problem of the refusal, in the order found."""
        problems: list[dict[str, Any]] = self.details["problems"]  # type: ignore[assignment]
        return problems

    @classmethod
    def of(cls, problems: list[dict[str, Any]]) -> InvalidModel:
        """One refusal for all of `problems` (at least one): the message of the only one, or
        "3 problems in a.bpmn, b.bpmn: " and each problem's line, separated by "; "."""
        if len(problems) == 1:
            [only] = problems
            return cls(only["message"], line=only["line"], element=only["element"], problems=problems)
        files = ", ".join(dict.fromkeys(str(p["file"]) for p in problems if p["file"]))
        listed = "; ".join(p["message"] for p in problems)
        return cls(f"{len(problems)} problems in {files or 'the deployment'}: {listed}", problems=problems)


_WHERE = re.compile(
    r"^(?P<file>[^\s:][^:\n]*?)(?::(?P<line>\d+|\?))?: "
    r"(?:(?P<kind>[A-Za-z]+(?: [a-z]+)?) '(?P<element>[^'\n]*)': )?(?P<reason>.+)$",
    re.DOTALL,
)
"""`file:line: kind 'id': reason`, the shape of every refusal's message (line and element optional)."""


def _problem(message: str, details: dict[str, object]) -> dict[str, Any]:
    """The one problem a refusal without `problems` says: its details, else what its message says."""
    found = _WHERE.match(message)
    parts = found.groupdict() if found is not None else {}
    line = details.get("line") or parts.get("line")
    return {
        "file": details.get("file") or parts.get("file"),
        "line": int(line) if isinstance(line, int | str) and str(line).isdigit() else None,
        "element": details.get("element") or parts.get("element") or None,
        "reason": details.get("reason") or parts.get("reason") or message,
        "message": message,
    }


class FormInvalid(InvalidInput):
    """Values for a form break its fields' rules; `details["fields"]` maps field id to the problem."""

    code = "form_invalid"


class VariablesNotJson(InvalidInput):
    """A variable's value cannot be stored as JSON."""

    code = "variables_not_json"


class NotFound(EngineError):
    """No definition, instance or task with that id."""

    code = "not_found"


class Conflict(EngineError):
    """The change does not fit the current state (already completed, changed concurrently)."""

    code = "conflict"


class TaskAlreadyCompleted(Conflict):
    """The user task was completed before this request reached it."""

    code = "task_already_completed"


class ConcurrentChange(Conflict):
    """Another step changed the instance first."""

    code = "concurrent_change"


class InstanceEnded(Conflict):
    """The instance has completed or was terminated; nothing more can change it."""

    code = "instance_ended"


class InstanceNotInState(Conflict):
    """The instance's status does not allow this (suspend a completed one, resume a running one)."""

    code = "instance_not_in_state"


class InstanceSuspended(InstanceNotInState):
    """The instance is suspended: nothing changes it until it is resumed."""

    code = "instance_suspended"


class NotWaiting(Conflict):
    """The instance does not wait at that element (now): a trigger there has nothing to move on."""

    code = "not_waiting"


class TaskClaimed(Conflict):
    """Another user holds the user task."""

    code = "task_claimed"


class TaskNotClaimed(Conflict):
    """The user task has no claim to undo (its model assigned it)."""

    code = "task_not_claimed"


class NotAllowed(EngineError):
    """The user may not do this (the task is not assigned or offered to them)."""

    code = "not_allowed"


class StepFailed(EngineError):
    """A step could not run to its next wait state; nothing of it was saved."""

    code = "step_failed"


class MicroflowFailed(StepFailed):
    """A microflow raised a technical error inside a step; the step was rolled back."""

    code = "microflow_failed"


class DatabaseUnavailable(EngineError):
    """The database did not answer."""

    code = "database_unavailable"


class CallsBusy(EngineError):
    """Every thread microflow calls may use is taken (hanging microflows hold theirs): try again."""

    code = "calls_busy"


class MicroflowTimeout(EngineError):
    """A microflow ran longer than its timeout; it was abandoned and its result will be dropped."""

    code = "microflow_timeout"
