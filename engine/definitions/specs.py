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
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import (
    ServiceTaskConverter,
    SpiffBpmnTaskConverter,
    SubWorkflowTaskConverter,
)
from SpiffWorkflow.spiff.specs.defaults import (
    NoneTask,
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
    ServiceTask,
)
from SpiffWorkflow.util.task import TaskState

from ..decisions import DecisionTask
from . import compensation, cron, io_mappings, listeners, scoped_events, thrown_signals, timer_jobs
from .call_activity import CallActivity, CalledWorkflowConverter, outputs_on_error
from .compensation import CompensationEndEvent, CompensationHandlerTask, CompensationIntermediateThrow
from .local_variables import LOOP_COUNTER_BASE, LOOP_VARIABLES
from .receive_tasks import TriggerEventDefinition


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
        outputs_on_error(my_task, event)  # before the catch: the called process is still there
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
    config[BpmnSubWorkflow] = CalledWorkflowConverter
    config[SequentialInstances] = config[SequentialMultiInstanceTask]
    config[ParallelInstances] = config[ParallelMultiInstanceTask]
    config[CompensationHandlerTask] = SubWorkflowTaskConverter
    config[CompensationIntermediateThrow] = config[IntermediateThrowEvent]
    config[CompensationEndEvent] = config[EndEvent]
    config[cron.CronTimerEventDefinition] = config[CycleTimerEventDefinition]
    config[cron.FirstOccurrenceTimerEventDefinition] = config[CycleTimerEventDefinition]
    config[cron.RepeatingTimerEventDefinition] = config[CycleTimerEventDefinition]
    config[DecisionTask] = SpiffBpmnTaskConverter
    for spiff_timer, job_timer in timer_jobs.JOB_TIMERS.items():
        config[job_timer] = config[spiff_timer]
    config[TriggerEventDefinition] = config[NoneEventDefinition]
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
