"""What an error page says: a refusal or a failure in words — what happened, what to do, the way on.

The engine's messages name ids and speak its own language ("task 5f0c… is not offered to carol or
their groups"); a person needs the task's name, whom to ask and where to go next. `explain` turns
an engine error, or an HTTP status with its message, into an `Explanation`: a heading, what
happened, what to do, links onward, and whether sending the same input again may work. The
engine's own message stays on the page, folded away as technical details, for whoever helps.

Names come from the engine as the viewer may see them: an instance the viewer takes no part in is
never named (it does not exist for them, DESIGN §6a).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request, url_for

from engine import errors
from engine.accounts import Principal

Link = tuple[str, str]
"""A way on: its words and its address."""


@dataclass(frozen=True)
class Explanation:
    """What an error page says."""

    title: str
    what: str
    todo: str = ""
    links: list[Link] = field(default_factory=list)
    retry: bool = False
    """Whether sending the same input again may work (the page then offers to)."""


DOING = {
    "pages.task_page": "completed",
    "pages.claim": "claimed",
    "pages.unclaim": "given back",
    "pages.suspend": "suspended",
    "pages.resume": "resumed",
    "pages.terminate": "terminated",
    "pages.terminate_page": "terminated",
    "pages.retry": "retried",
    "pages.start": "started",
}
"""What the request tried to do to its task or instance, by endpoint (for "cannot be …")."""
ADMIN_ACTS = {
    "pages.deploy": "deploy models",
    "pages.suspend": "suspend instances",
    "pages.resume": "resume instances",
    "pages.terminate": "terminate instances",
    "pages.terminate_page": "terminate instances",
    "pages.retry": "retry incidents",
    "pages.cockpit_bulk": "act on many instances at once",
    "pages.cockpit_run": "act on many instances at once",
}
"""What only administrators may do, by endpoint."""


def explain(status: int, message: str, exc: Exception | None, viewer: Principal | None) -> Explanation:
    """The error page's words for `exc` (an engine error, else an HTTP error of `status`)."""
    if isinstance(exc, errors.EngineError):
        for kind, explainer in ENGINE_CASES:
            if isinstance(exc, kind):
                return explainer(exc, viewer)
    return by_status(status, message, viewer)


def in_words(exc: errors.EngineError, viewer: Principal | None) -> str:
    """What happened and what to do, in one line (for a form shown again with the refusal)."""
    from ..errors import status_of

    words = explain(status_of(exc), exc.message, exc, viewer)
    return f"{words.what} {words.todo}".strip()


def admin_act() -> str:
    """What the current request does that only administrators may ("deploy models")."""
    return ADMIN_ACTS.get(request.endpoint or "", "do this")


# -- the way on ------------------------------------------------------------------------------


def home(viewer: Principal | None) -> list[Link]:
    """Where anyone may go next: their tasks, or the login page."""
    if viewer is None:
        return [("Log in", url_for("pages.login_page"))]
    return [("Your tasks", url_for("pages.task_list")), ("Instances", url_for("pages.instance_list"))]


def _instance(instance_id: Any, viewer: Principal | None) -> dict[str, Any] | None:
    """The instance as the viewer may see it, with its `label` ("“Loan application” LA-7"), or None."""
    if viewer is None or not isinstance(instance_id, str) or not instance_id:
        return None
    engine = _engine()
    try:
        instance: dict[str, Any] = engine.runtime.get(instance_id, viewer=viewer)
    except errors.EngineError:
        return None
    process = engine.repository.for_instances([instance_id]).get(instance_id) or {}
    label = f"“{process.get('name') or instance['key']}”"
    if instance.get("business_key"):
        label += f" {instance['business_key']}"
    return {**instance, "label": label}


def _link_to(instance: dict[str, Any] | None) -> list[Link]:
    if instance is None:
        return []
    return [(f"The {instance['label']} instance", url_for("pages.instance_page", instance_id=instance["id"]))]


def _task(task_id: Any) -> dict[str, Any] | None:
    """The task view (for its name, assignee and candidates), or None."""
    if not isinstance(task_id, str):
        return None
    try:
        return _engine().tasks.get(task_id)
    except errors.EngineError:
        return None


def _task_name(task: dict[str, Any] | None) -> str:
    return f"“{task['name'] or task['element_id']}”" if task else "this task"


def _capital(text: str) -> str:
    """`text` with a capital first letter (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def _doing(default: str = "changed") -> str:
    return DOING.get(request.endpoint or "", default)


# -- engine errors ---------------------------------------------------------------------------


def _suspended(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    instance = _instance(exc.details.get("instance_id"), viewer)
    what = f"The {instance['label']} instance" if instance else "The instance"
    if viewer is not None and viewer.admin:
        todo = "Resume it on its page (the Resume button), then try again."
    else:
        todo = "An administrator must resume it first: ask one, then try again."
    return Explanation(
        "The instance is suspended",
        f"{what} is suspended: nothing changes it until it is resumed, so this could not be {_doing()}.",
        todo,
        _link_to(instance) + home(viewer),
    )


def _not_in_state(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    instance = _instance(exc.details.get("instance_id"), viewer)
    status = instance["status"] if instance else exc.details.get("status")
    now = f" is {status} now" if isinstance(status, str) else " has changed"
    what = f"The {instance['label']} instance" if instance else "The instance"
    return Explanation(
        "Not possible now",
        f"{what}{now}, so it cannot be {_doing()}.",
        "Its page shows where it stands." if instance else "",
        _link_to(instance) + home(viewer),
    )


def _concurrent(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    instance = _instance(exc.details.get("instance_id"), viewer)
    return Explanation(
        "Changed at the same moment",
        "Someone (or the engine) changed this instance at the same moment, so your change was not made.",
        "Nothing of it was saved. Send it again.",
        _link_to(instance) + home(viewer),
        retry=True,
    )


def _task_closed(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    task = _task(exc.details.get("task_id"))
    by = f" by {task['completed_by']}" if task and task.get("completed_by") else ""
    state = task["status"] if task else "closed"
    instance = _instance(task["instance_id"] if task else None, viewer)
    return Explanation(
        "The task is already done",
        f"{_capital(_task_name(task))} was already {state}{by}, so it cannot be {_doing()} any more.",
        "Nothing you sent was saved. Your open tasks are in the task list.",
        _link_to(instance) + home(viewer),
    )


def _task_claimed(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    task = _task(exc.details.get("task_id"))
    who = task["assignee"] if task and task.get("assignee") else "another user"
    return Explanation(
        "Claimed by someone else",
        f"{_capital(_task_name(task))} was claimed by {who} first.",
        f"Ask {who} to give it back (Unclaim), or pick another task.",
        home(viewer),
    )


def _not_allowed(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    if "task_id" in exc.details:
        return _task_refused(_task(exc.details["task_id"]), viewer)
    if "key" in exc.details:
        return _start_refused(str(exc.details["key"]), viewer)
    return Explanation(
        "Not allowed",
        "You may not do this.",
        "Ask an administrator if you need it done.",
        home(viewer),
    )


def _task_refused(task: dict[str, Any] | None, viewer: Principal | None) -> Explanation:
    you = f"you ({viewer.name})" if viewer is not None else "you"
    name = _capital(_task_name(task))
    if task and task.get("assignee"):
        what = f"{name} is assigned to {task['assignee']}, not to {you}."
        todo = f"Ask {task['assignee']} to give it back (Unclaim), or an administrator to assign it to you."
    else:
        known = task or {}
        offered = [*(known.get("candidate_users") or []), *(known.get("candidate_groups") or [])]
        to = f"to {', '.join(offered)}" if offered else "to other people"
        what = f"{name} is offered {to}; {you} and your groups are not among them."
        todo = "Ask one of them or an administrator to do it, or to have it assigned to you."
    return Explanation("Not your task", what, todo, home(viewer))


def _start_refused(key: str, viewer: Principal | None) -> Explanation:
    starters: dict[str, Any] = {}
    name = key
    try:
        definition = _engine().repository.get(key)
        starters, name = definition.get("starters") or {}, definition.get("name") or key
    except errors.EngineError:
        pass
    who = [*starters.get("users", []), *(f"the group {g}" for g in starters.get("groups", []))]
    by = f": it is started by {', '.join(who)}" if who else ""
    return Explanation(
        "Not yours to start",
        f"You may not start “{name}”{by}.",
        "Ask an administrator to add you to one of them. “Start a process” lists what you may start.",
        [("Start a process", url_for("pages.process_list")), *home(viewer)],
    )


def _not_found(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    details = exc.details
    if "instance_id" in details:
        return Explanation(
            "No such instance",
            "There is no such instance, or you take no part in it.",
            "“Instances” lists every instance you may see. If you need this one, ask an administrator.",
            home(viewer),
        )
    if "task_id" in details:
        return Explanation(
            "No such task",
            "There is no such task: the link may be mistyped or from another server.",
            "Your open tasks are in the task list.",
            home(viewer),
        )
    if "key" in details:
        return Explanation(
            "No such process",
            "No process is deployed under that name.",
            "“Start a process” lists the processes you may start.",
            [("Start a process", url_for("pages.process_list")), *home(viewer)],
        )
    if "incident_id" in details:
        return Explanation(
            "No such incident",
            "There is no such incident, or it is not yours to see.",
            "“Incidents” lists the ones you may see.",
            [("Incidents", url_for("pages.incident_list")), *home(viewer)],
        )
    return by_status(404, exc.message, viewer)


def _database(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    return Explanation(
        "The database does not answer",
        "The server cannot reach its database just now, so nothing was done.",
        "Wait a moment, then send it again; the server recovers by itself when the database is back.",
        home(viewer),
        retry=True,
    )


def _busy(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    return Explanation(
        "The server is busy",
        "Every thread for microflow calls is taken just now, so nothing was done.",
        "Wait a moment, then send it again.",
        home(viewer),
        retry=True,
    )


def _step_failed(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    return Explanation(
        "The flow could not go on",
        f"The process could not move on from here: {exc.message}",
        "Nothing of it was saved. Correct your input and try again, or tell an administrator.",
        home(viewer),
    )


def _invalid(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    return Explanation(
        "Something in the input is wrong",
        _capital(exc.message),
        "Nothing was saved. Go back, correct it and send it again.",
        home(viewer),
    )


def _conflict(exc: errors.EngineError, viewer: Principal | None) -> Explanation:
    instance = _instance(exc.details.get("instance_id"), viewer)
    return Explanation(
        "Not possible now",
        f"This cannot be {_doing('done')} now: what it is about has changed since the page was shown.",
        "Reload the page to see where things stand.",
        _link_to(instance) + home(viewer),
    )


ENGINE_CASES: list[tuple[type[errors.EngineError], Callable[[Any, Principal | None], Explanation]]] = [
    (errors.InstanceSuspended, _suspended),
    (errors.InstanceNotInState, _not_in_state),
    (errors.InstanceEnded, _not_in_state),
    (errors.ConcurrentChange, _concurrent),
    (errors.TaskAlreadyCompleted, _task_closed),
    (errors.TaskClaimed, _task_claimed),
    (errors.NotAllowed, _not_allowed),
    (errors.NotFound, _not_found),
    (errors.DatabaseUnavailable, _database),
    (errors.CallsBusy, _busy),
    (errors.StepFailed, _step_failed),
    (errors.InvalidInput, _invalid),
    (errors.Conflict, _conflict),
]
"""Which words an engine error gets: the first class it is an instance of (subclasses first)."""


# -- HTTP errors -----------------------------------------------------------------------------


def by_status(status: int, message: str, viewer: Principal | None) -> Explanation:
    """The words for an HTTP error that no engine error explains."""
    if status == 404:
        return Explanation(
            "Page not found",
            "There is no page at this address.",
            "The link may be old or mistyped. Go on from here:",
            [*home(viewer), *_more(viewer)],
        )
    if status == 403:
        return Explanation(
            "Not allowed",
            message or "You may not do this.",
            "Ask an administrator to do it for you, or to give you the right.",
            home(viewer),
        )
    if status == 400 and "CSRF" in message:
        return Explanation(
            "The form had expired",
            "The form was sent from a page of an earlier session (you logged out or in since), "
            "so it was refused and nothing was done.",
            "What you entered is kept below: send it again.",
            home(viewer),
            retry=True,
        )
    if status == 405:
        return Explanation(
            "Not an address for that",
            f"This address does not take a {request.method} request.",
            "Go on from here:",
            home(viewer),
        )
    if status == 413:
        return Explanation(
            "Too large",
            "What you sent is larger than the server takes (20 MB).",
            "Send smaller files, or fewer at once.",
            home(viewer),
        )
    if status >= 500:
        return Explanation(
            "Something went wrong",
            "The server failed to do this; the failure is logged for the administrators.",
            "Nothing was saved. Try again; if it fails again, tell an administrator.",
            home(viewer),
            retry=True,
        )
    return Explanation("Could not be done", message or "The request could not be done.", "", home(viewer))


def _more(viewer: Principal | None) -> list[Link]:
    if viewer is None:
        return []
    return [("Start a process", url_for("pages.process_list")), ("Incidents", url_for("pages.incident_list"))]


def _engine() -> Any:
    from .. import engine_of  # the app package imports the pages

    return engine_of(current_app)
