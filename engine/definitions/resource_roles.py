"""BPMN resource roles of a user task: who performs it (`humanPerformer`) and who may
(`potentialOwner`), each given by a `resourceAssignmentExpression`'s `formalExpression`.

Read as Camunda 7 reads them (BpmnParse, "User Task" → "Assignment using BPMN resource
assignments"): humanPerformer's expression is the assignee; potentialOwner's is a comma-separated
list in which `user(x)` is a candidate user, `group(x)` a candidate group and a bare name a
candidate group. An entry may be an expression (`${manager}`, `user(${reviewer})`), evaluated when
the task is created as the camunda: attributes are. A resource role that names a `resourceRef`
only (what analysts' tools write) assigns nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ..namespaces import BPMN_NS

USER_PREFIX = "user("
GROUP_PREFIX = "group("


class ResourceRoleProblem(Exception):
    """A resource role Flowbridge cannot read, said in a sentence."""


@dataclass
class ResourceRoles:
    """What a user task's resource roles say, as written (literals or expressions)."""

    assignee: str | None = None
    candidate_users: list[str] = field(default_factory=list)
    candidate_groups: list[str] = field(default_factory=list)


def read(node: etree._Element) -> ResourceRoles:
    """The assignee and candidates `node`'s humanPerformer and potentialOwner elements name."""
    roles = ResourceRoles()
    performers = node.findall(f"{{{BPMN_NS}}}humanPerformer")
    if len(performers) > 1:
        raise ResourceRoleProblem("a user task may have one humanPerformer, not several")
    for performer in performers:
        roles.assignee = _formal_expression(performer)
    for owner in node.findall(f"{{{BPMN_NS}}}potentialOwner"):
        for entry in comma_separated(_formal_expression(owner) or ""):
            kind, name = _entry(entry)
            (roles.candidate_users if kind == "user" else roles.candidate_groups).append(name)
    return roles


def _formal_expression(role: etree._Element) -> str | None:
    found = role.find(f"{{{BPMN_NS}}}resourceAssignmentExpression/{{{BPMN_NS}}}formalExpression")
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _entry(entry: str) -> tuple[str, str]:
    """('user' or 'group', the name) of one potentialOwner entry; a bare name is a group."""
    for kind, prefix in (("user", USER_PREFIX), ("group", GROUP_PREFIX)):
        if entry.startswith(prefix):
            if not entry.endswith(")"):
                raise ResourceRoleProblem(f"potentialOwner entry '{entry}' lacks its closing parenthesis")
            name = entry[len(prefix) : -1].strip()
            if not name:
                raise ResourceRoleProblem(f"potentialOwner entry '{entry}' names nobody")
            return kind, name
    return "group", entry


def comma_separated(text: str) -> list[str]:
    """The entries of a comma-separated list, trimmed; a comma inside `${…}` or `#{…}` does not
    split (Camunda's parseCommaSeparatedList)."""
    entries: list[str] = []
    current: list[str] = []
    inside = False
    for char in text:
        if char in "{$":
            inside = True
        elif char == "}":
            inside = False
        elif char == "," and not inside:
            entries.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    entries.append("".join(current).strip())
    return [entry for entry in entries if entry]
