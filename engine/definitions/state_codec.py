"""Workflow state codec: the spec is stored once per version; an instance stores only its tasks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from .specs import arm, make_serializer

STATE_FORMAT = 1
"""Bumped when the stored instance state changes shape; older states are migrated on load."""


class _InstanceStateConverter(BpmnWorkflowConverter):
    """SpiffWorkflow's workflow converter without the spec, which the definition row holds."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> Any:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class StateCodec:
    """Turns specs and workflows into JSON text and back."""

    def __init__(self) -> None:
        self.serializer = make_serializer()
        self.registry = self.serializer.registry
        _InstanceStateConverter(BpmnWorkflow, self.registry)

    def dump_spec(self, spec: Any, subprocess_specs: dict[str, Any]) -> str:
        """JSON of a process spec and the specs of its subprocesses and called processes."""
        return json.dumps(
            {
                "format": STATE_FORMAT,
                "spec": self.registry.convert(spec),
                "subprocess_specs": {k: self.registry.convert(v) for k, v in subprocess_specs.items()},
            },
            separators=(",", ":"),
        )

    def load_spec(self, text: str) -> tuple[Any, dict[str, Any]]:
        """The spec objects stored by `dump_spec`."""
        dct = json.loads(text)
        subprocess_specs = {k: self.registry.restore(v) for k, v in dct["subprocess_specs"].items()}
        spec = self.registry.restore(dct["spec"])
        arm([spec, *subprocess_specs.values()])
        return spec, subprocess_specs

    def dump_state(self, workflow: Any) -> str:
        """JSON of a workflow's live state, without its spec; with the definitions its call
        activities called (`called_definitions`, key → definition id), found when they ran, and
        what completed that a compensation throw may still undo (`compensation`)."""
        dct = self.registry.convert(workflow)
        dct["format"] = STATE_FORMAT
        called = getattr(workflow, "called_definitions", None)
        if called:
            dct["called"] = called
        held = getattr(workflow, "compensation", None)
        if held and held["scopes"]:
            dct["compensation"] = held
        return json.dumps(dct, separators=(",", ":"))

    def load_state(
        self,
        text: str,
        spec: Any,
        subprocess_specs: dict[str, Any],
        load_called: Callable[[int], tuple[Any, dict[str, Any]]] | None = None,
    ) -> Any:
        """A workflow restored from `dump_state` with the (cached) spec objects; `load_called`
        gives the specs of a called definition by id."""
        dct = json.loads(text)
        dct.pop("format", None)
        called = dct.pop("called", None) or {}
        held = dct.pop("compensation", None)
        if load_called is not None:
            for key, definition_id in called.items():
                subprocess_specs = with_called(subprocess_specs, key, load_called(definition_id))
        workflow = self.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        if called:
            workflow.called_definitions = dict(called)
        if held:
            workflow.compensation = held
        return workflow


def with_called(
    subprocess_specs: dict[str, Any], key: str, called: tuple[Any, dict[str, Any]]
) -> dict[str, Any]:
    """A copy of a workflow's subprocess specs with a called definition's spec under `key` (and its
    own subprocesses), as a call activity found it (the definition's own dict is shared)."""
    called_spec, called_subprocesses = called
    specs = {**called_subprocesses, **subprocess_specs}
    specs[key] = called_spec
    return specs
