"""Task specs Flowbridge adds to SpiffWorkflow's, and the serializer that knows them."""

from __future__ import annotations

import logging
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowDataException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BoundaryEventConverter
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent as SpiffBoundaryEvent
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import (
    ServiceTaskConverter,
    SpiffBpmnTaskConverter,
    SubWorkflowTaskConverter,
)
from SpiffWorkflow.spiff.specs.defaults import CallActivity as SpiffCallActivity
from SpiffWorkflow.spiff.specs.defaults import (
    NoneTask,
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
    ServiceTask,
)
from SpiffWorkflow.util.task import TaskState

from ..decisions import DecisionTask
from . import compensation, cron, io_mappings, listeners, scoped_events, thrown_signals
from .compensation import CompensationEndEvent, CompensationHandlerTask, CompensationIntermediateThrow
from .local_variables import IO_LOCALS, LOOP_COUNTER_BASE, LOOP_VARIABLES


class MicroflowTask(ServiceTask):
    """A service task bound to a registered microflow, in any editor's dialect.

    Its binding lives in `extensions["microflow"]` so SpiffWorkflow's own converter stores it:
    `name`, `dialect`, `inputs` (list of [name, python expression] or None for "all variables"),
    `outputs` (list of [variable, python expression over `result`] or None) and `result_variable`.
    """

    @property
    def microflow(self) -> dict[str, Any]:
        """The microflow binding parsed from the model."""
        binding: dict[str, Any] = self.extensions["microflow"]
        return binding

    def _execute(self, task: Any) -> bool | None:
        # True: done. None: the task waits (STARTED) for its job, or for its BpmnError to be routed.
        done: bool | None = task.workflow.script_engine.run_microflow(task, self)
        return done


class PassThroughTask(NoneTask):
    """A plain `bpmn:task` that runs straight through, as Camunda and most engines run it.

    SpiffArena's models keep SpiffWorkflow's meaning (a manual step a person checks off).
    """

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class BoundaryEvent(SpiffBoundaryEvent):
    """A boundary event; a non-interrupting one listens again each time it catches.

    BPMN lets a non-interrupting boundary event (and so a non-interrupting event subprocess,
    which Flowbridge builds from one) fire again while its activity is active: every message,
    signal, escalation or condition that arrives starts one more handler. SpiffWorkflow's fires
    once, except a cycle timer, which re-arms itself (a duration or a date fires once, as BPMN says).
    """

    def catch(self, my_task: Any, event: Any) -> None:
        super().catch(my_task, event)
        if self.cancel_activity or isinstance(self.event_definition, TimerEventDefinition):
            return
        again = my_task.parent._add_child(self, TaskState.FUTURE)
        self._predict(again, mask=TaskState.NOT_FINISHED_MASK)  # its handler, as a cycle timer's
        self._update(again)  # WAITING, and known to the event manager


class _LocalItems:
    """A multi-instance activity whose element variables stay with its instances.

    SpiffWorkflow merges an instance's data into the activity's when it has no output collection,
    element variable included, so a sequential one refuses its next instance ("input item already
    exists") and the last element leaks into the data after it. The element is local (BPMN, DESIGN
    §2a); everything else an instance wrote is merged as before.
    """

    input_item: Any
    output_item: Any
    task_spec: Any
    condition: Any
    extensions: Any

    def create_child(self, my_task: Any, item: Any, key_or_index: Any = None) -> None:
        self._drop_items(my_task)
        base = self._loop_counter_base
        if base is None:
            super().create_child(my_task, item, key_or_index)  # type: ignore[misc]
            return
        # Camunda's instance variables, set before the instance's spec updates (its input mappings
        # and assignee may read them): SpiffWorkflow's create_child with that one addition.
        task_spec = my_task.workflow.spec.task_specs[self.task_spec]
        if not task_spec.completed_event.is_connected(self.merge_child):
            task_spec.completed_event.connect(self.merge_child)
        index = len(list(self._instances(my_task)))  # type: ignore[attr-defined]
        child = my_task._add_child(task_spec, TaskState.WAITING)
        child.triggered = True
        for kept in (self.input_item, self.output_item):
            if kept is not None and kept.exists(my_task):
                raise WorkflowDataException(f"Multiinstance item {kept.bpmn_id} already exists.", my_task)
        if self.input_item is not None:
            self.input_item.set(child, deepcopy(item))
        if key_or_index is not None:
            child.internal_data["key_or_index"] = key_or_index
        else:
            child.internal_data["item"] = item
        child.data.update(self._instance_variables(my_task, index + base))
        child.task_spec._update(child)

    def check_completion_condition(self, my_task: Any) -> Any:
        """The completion condition, seeing Camunda 7's `nrOfInstances`, `nrOfCompletedInstances`
        and `nrOfActiveInstances` (and the last instance's `loopCounter`)."""
        merged = my_task.internal_data.get("merged", [])
        if not merged or self.condition is None or self._loop_counter_base is None:
            return super().check_completion_condition(my_task)  # type: ignore[misc]
        last = next(c for c in my_task.children if str(c.id) == merged[-1])
        # The counts as they are now (translated JUEL reads variables from the task's data); the
        # instance is merged already, so they stay with it.
        last.data.update(self._instance_variables(my_task, last.data.get("loopCounter")))
        return my_task.workflow.script_engine.evaluate(last, self.condition)

    @property
    def _loop_counter_base(self) -> int | None:
        """0 (Camunda 7, Flowable, plain BPMN) or 1 (Zeebe) for the first instance's `loopCounter`;
        None in SpiffArena models, which have no such variable."""
        extensions = self.extensions if isinstance(getattr(self, "extensions", None), dict) else {}
        base = extensions.get(LOOP_COUNTER_BASE)
        return base if isinstance(base, int) else None

    def _instance_variables(self, my_task: Any, counter: Any) -> dict[str, Any]:
        instances = list(self._instances(my_task))  # type: ignore[attr-defined]
        cardinality = my_task.internal_data.get("cardinality")
        total = (
            cardinality
            if isinstance(cardinality, int)
            else len(instances) + len(my_task.internal_data.get("remaining", []))
        )
        completed = len(my_task.internal_data.get("merged", []))
        active = sum(1 for child in instances if not child.has_state(TaskState.FINISHED_MASK))
        return {
            "loopCounter": counter,
            "nrOfInstances": total,
            "nrOfCompletedInstances": completed,
            "nrOfActiveInstances": active,
        }

    def merge_child(self, workflow: Any, child: Any) -> None:
        io_mappings.complete(child)  # its locals must not be merged into the activity's data
        super().merge_child(workflow, child)  # type: ignore[misc]
        self._drop_items(child.parent)

    def _drop_items(self, my_task: Any) -> None:
        for item in (self.input_item, self.output_item):
            if item is not None:
                my_task.data.pop(item.bpmn_id, None)
        for name in LOOP_VARIABLES:
            my_task.data.pop(name, None)


class SequentialInstances(_LocalItems, SequentialMultiInstanceTask):
    """A sequential multi-instance activity (`_LocalItems`)."""


class ParallelInstances(_LocalItems, ParallelMultiInstanceTask):
    """A parallel multi-instance activity (`_LocalItems`)."""


class CallActivity(SpiffCallActivity):
    """A call activity that finds the process it calls when it is reached, not when it is deployed.

    Camunda's bindings: the latest deployed version (the default), `version` (with
    `calledElementVersion`) or `deployment` (the one deployed with the caller), read from
    `extensions["called_binding"]`. The script engine's `called_process` (the runtime's) puts the
    process to call among the workflow's specs; when none is deployed it marks an incident on the
    task instead, and the task waits there until the incident is retried.
    """

    def start_workflow(self, my_task: Any) -> None:
        resolve = getattr(my_task.workflow.top_workflow.script_engine, "called_process", None)
        if resolve is not None and not resolve(my_task, self):
            return  # an incident on the task: it waits, started, without a subprocess
        super().start_workflow(my_task)

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        """What the called process starts with: as the model's variable mappings say
        (`called_variables`), else everything (SpiffWorkflow)."""
        mapping = self._variables
        if mapping is None:
            super().copy_data(my_task, subworkflow)
            return
        if mapping["dialect"] == "camunda8":
            data = dict(my_task.data) if mapping["parent"] else _locals_of(my_task)
        else:
            data = {}
            for each in mapping["in"]:
                data.update(_mapped(my_task, my_task, each))
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**deepcopy(data))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        """What the caller takes back when the called process ends: as its mappings say, else
        everything. (Output mappings of the call activity then apply: io_mappings.)"""
        mapping = self._variables
        if mapping is None:
            super().update_data(my_task, subworkflow)
            return
        end = subworkflow.last_task
        if mapping["dialect"] == "camunda8":
            # Without propagation only the outputs may take values back; they are evaluated over
            # the child's variables, so the child's variables are seen, then kept local.
            if mapping["child"] or io_mappings.has_outputs(self):
                my_task.data.update(deepcopy(end.data))
            return
        for each in mapping["out"]:
            taken = _mapped(end, my_task, each)
            my_task.data.update(deepcopy(taken))

    @property
    def _variables(self) -> dict[str, Any] | None:
        extensions = self.extensions if isinstance(self.extensions, dict) else {}
        found = extensions.get("called_variables")
        return found if isinstance(found, dict) else None

    @property
    def binding(self) -> dict[str, Any]:
        """How the called process's version is chosen: {"binding": latest|version|deployment, "version"}."""
        extensions = self.extensions if isinstance(self.extensions, dict) else {}
        found = extensions.get("called_binding")
        return found if isinstance(found, dict) else {"binding": "latest", "version": None}


def _mapped(source: Any, owner: Any, mapping: dict[str, Any]) -> dict[str, Any]:
    """The variables one `camunda:in`/`camunda:out` mapping carries from `source`'s data (a task of
    the scope it reads); `owner` is the call activity's task, whose locals `local="true"` means."""
    if mapping["all"]:
        return _locals_of(owner) if mapping["local"] and source is owner else dict(source.data)
    target = mapping["target"] or mapping["source"]
    if not target:
        return {}
    if mapping["expression"] is not None:
        return {target: source.workflow.script_engine.evaluate(source, mapping["expression"])}
    return {target: source.data.get(mapping["source"])}


def _locals_of(task: Any) -> dict[str, Any]:
    """The call activity's own local variables (its input mappings')."""
    names = task.internal_data.get(IO_LOCALS, ())
    return {name: task.data[name] for name in names if name in task.data}


def arm(process_specs: list[Any]) -> None:
    """Connect what a spec's events do at run time (they are not stored with it): completions that
    compensation records, signals an instance throws, cron cycles, listeners, input and output
    mappings. Runs on every spec parsed or loaded."""
    compensation.arm(process_specs)
    thrown_signals.arm(process_specs)
    cron.arm(process_specs)
    scoped_events.arm(process_specs)
    listeners.arm(process_specs)  # before the mappings: its end listeners run before the outputs
    io_mappings.arm(process_specs)


def make_serializer() -> BpmnWorkflowSerializer:
    """SpiffWorkflow's serializer with Flowbridge's task specs registered."""
    config = deepcopy(SPIFF_CONFIG)
    config[MicroflowTask] = ServiceTaskConverter
    config[PassThroughTask] = SpiffBpmnTaskConverter
    config[BoundaryEvent] = BoundaryEventConverter
    config[CallActivity] = SubWorkflowTaskConverter
    config[SequentialInstances] = config[SequentialMultiInstanceTask]
    config[ParallelInstances] = config[ParallelMultiInstanceTask]
    config[CompensationHandlerTask] = SubWorkflowTaskConverter
    config[CompensationIntermediateThrow] = config[IntermediateThrowEvent]
    config[CompensationEndEvent] = config[EndEvent]
    config[cron.CronTimerEventDefinition] = config[CycleTimerEventDefinition]
    config[cron.FirstOccurrenceTimerEventDefinition] = config[CycleTimerEventDefinition]
    config[DecisionTask] = SpiffBpmnTaskConverter
    for spiff_definition, scoped in scoped_events.SCOPED.items():
        config[scoped] = config[spiff_definition]
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SPIFF_LOGGERS = ("spiff.task", "spiff.workflow", "spiff.data", "spiff.dmn")


def quiet_spiff_debug_logging() -> None:
    """Stop SpiffWorkflow building debug details nobody asked for.

    Its loggers build debug extras — every task id of the workflow, and the task's data —
    on each state change whenever their own level is below INFO, and an unset level (0)
    counts. Leaving them at WARNING skips that work; a level the application set is kept.
    """
    for name in SPIFF_LOGGERS:
        spiff_logger = logging.getLogger(name)
        if spiff_logger.level == logging.NOTSET:
            spiff_logger.setLevel(logging.WARNING)
