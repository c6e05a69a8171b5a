"""Errors and escalations are caught by the innermost scope that catches them (BPMN 2.0 §10.5.4).

SpiffWorkflow's Spiff event definitions throw an error or an escalation to the whole instance,
as a signal: every boundary event and event subprocess that catches its code fires, so a nested
subprocess's own handler and its parent's both run (Camunda 7's
EscalationEventTest#testThrowEscalationEventHierarchical) and a boundary event on a subprocess
wins over the event subprocess inside it (ErrorEventSubProcessTest#testEventSubprocessTakesPrecedence).
These throw to the workflow of the throwing task instead and move up, scope by scope, until one
catches it; where several catch it in that scope, those naming the code win over those that catch
every code (ErrorEventSubProcessTest#testErrorCodeTakesPrecedence). An error nothing catches
still reaches the instance's own events (engine.runtime.advance refuses it there).
"""

from __future__ import annotations

import copy
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition, EscalationEventDefinition


class _ThrownToItsScope:
    """Throws to the thrower's workflow (its innermost scope), not to the whole instance."""

    expression: Any
    ORIGINAL: Any = None
    """SpiffWorkflow's class: what the event carries, since a catcher matches by exact class."""

    def throw(self, my_task: Any) -> None:
        """Throw the event, with its payload, from the task's own workflow upwards (SpiffArena's
        models keep SpiffWorkflow's way: their peer is SpiffWorkflow)."""
        if not getattr(my_task.workflow.script_engine, "process_variables", False):
            super().throw(my_task)  # type: ignore[misc]
            return
        payload = None
        if self.expression is not None:
            payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        thrown = copy.copy(self)
        thrown.__class__ = self.ORIGINAL
        event = BpmnEvent(thrown, payload=payload, target=my_task.workflow)
        top = my_task.workflow.top_workflow
        scope = my_task.workflow
        while scope is not None:
            catchers = [
                task
                for task in list(top.event_manager.tasks.values())
                if task.workflow == scope and task.task_spec.event_definition.catches(task, event)
            ]
            if catchers:
                # Camunda: a catcher naming the code wins over one that catches every code.
                coded = [t for t in catchers if getattr(t.task_spec.event_definition, "code", None)]
                for task in coded or catchers:
                    task.task_spec.catch(task, event)
                    task.task_spec._update(task)
                return
            scope = scope.parent_workflow
        event.target = None
        top.catch(event)  # no scope caught it: the instance's own events (SpiffWorkflow's path)


class ScopedErrorEventDefinition(_ThrownToItsScope, ErrorEventDefinition):
    """An error thrown to its scope (see the module)."""

    ORIGINAL = ErrorEventDefinition


class ScopedEscalationEventDefinition(_ThrownToItsScope, EscalationEventDefinition):
    """An escalation thrown to its scope (see the module)."""

    ORIGINAL = EscalationEventDefinition


SCOPED = {
    ErrorEventDefinition: ScopedErrorEventDefinition,
    EscalationEventDefinition: ScopedEscalationEventDefinition,
}
"""SpiffWorkflow's definition → the one that throws to its scope."""


def arm(process_specs: list[Any]) -> None:
    """Make the error and escalation definitions of these specs' throw events scoped."""
    for process in process_specs:
        for task_spec in process.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            scoped = SCOPED.get(type(definition)) if isinstance(task_spec, ThrowingEvent) else None
            if scoped is not None:
                definition.__class__ = scoped
