"""Cases ported from Zeebe's engine tests (Camunda 8; camunda/zeebe, now camunda/camunda).

Each case's `source` is the Java test under zeebe/engine/src/test/java/io/camunda/zeebe/engine/
processing/ (repository camunda/camunda, commit 288940c9483c93ce3124076dea03bd3aeec49a87) and its
method, with the parameter row for parameterized tests. Every one of those test files says in its
header: "Licensed under the Camunda License 1.0. You may not use this file except in compliance
with the Camunda License 1.0." (Copyright Camunda Services GmbH.)

Zeebe's tests build their models with the Java model builder (`Bpmn.createExecutableProcess`);
each model here is that builder's output written out as BPMN 2.0 XML with the `zeebe:` extension
elements the builder writes and Camunda Modeler's `modeler:executionPlatform="Camunda Cloud"`,
one file per test method (and parameter row), named `<TestClass>.<method>[.<row>].bpmn`.
Element ids the test names are kept; the ids the builder would make up are given readable ones.

How a Zeebe test's actions are translated:

- a job worker is a microflow registered under the job type; "complete the job with variables"
  is the microflow returning them. Where the test looks at a job's variables, the microflow
  compares what it receives with what the test expects and raises when they differ (the harness
  has no check of a job's variables), and sets `worker_saw_variables`, so that a worker never
  called cannot pass unnoticed; an async microflow and `RunJobs()` stand for a job the
  test completes later, after something else happened;
- a Zeebe message is correlated by its correlation key, which Flowbridge keeps under `key`
  (`Message(name, {"key": ...})`). Zeebe buffers a message published before anyone waits for it;
  Flowbridge does not, so where a test publishes first and creates the instance after, the case
  starts the instance first;
- `ENGINE.increaseTime(d)` is `Wait(d)`.

What the harness cannot see is not checked: variables local to an element's scope (only the
process's variables are), the order of element activations, terminated elements (only the
completed ones), and how many times an element completed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine import BpmnError, call_context

from ..harness import Case, Check, Complete, Message, RunJobs, Signal, Wait

BASE = "zeebe/engine/src/test/java/io/camunda/zeebe/engine/processing"
ACTIVITY_OUTPUT = f"{BASE}/variable/mapping/ActivityOutputMappingTest.java"
END_EVENT_OUTPUT = f"{BASE}/variable/mapping/NoneEndEventOutputMappingTest.java"
JOB_INPUT = f"{BASE}/variable/mapping/JobInputMappingTest.java"
JOB_OUTPUT = f"{BASE}/variable/mapping/JobOutputMappingTest.java"
MESSAGE_OUTPUT = f"{BASE}/variable/mapping/MessageCatchElementOutputMappingTest.java"
OUTPUT_MAPPING = f"{BASE}/bpmn/activity/OutputMappingTest.java"
JOB_WORKER = f"{BASE}/bpmn/activity/JobWorkerElementTest.java"
SCRIPT_TASK = f"{BASE}/bpmn/activity/ScriptTaskExpressionTest.java"
INTERRUPTING = f"{BASE}/bpmn/subprocess/InterruptingEventSubprocessTest.java"
NON_INTERRUPTING = f"{BASE}/bpmn/subprocess/NonInterruptingEventSubprocessTest.java"
MULTI_INSTANCE = f"{BASE}/bpmn/multiinstance/MultiInstanceActivityTest.java"
EXCLUSIVE = f"{BASE}/bpmn/gateway/ExclusiveGatewayTest.java"
BOUNDARY = f"{BASE}/bpmn/boundary/BoundaryEventTest.java"

Mapping = tuple[str, str, str]
"""("in" or "out", the FEEL source without its `=`, the target), as `zeebeInputExpression` /
`zeebeOutputExpression` take them."""

# -- the parameter rows, shared with the models (one model file per row) -----------------------

TEMPORAL = [
    ("time", "time(x)", "04:20:00@Europe/Berlin"),
    ("local_time", "time(x)", "04:20"),
    ("date", "date(x)", "2021-02-24"),
    ("local_date_and_time", "date and time(x)", "2021-02-24T04:20"),
    ("date_and_time", "date and time(x)", "2021-02-24T04:20+01:00"),
    ("day_time_duration", "duration(x)", "PT42H56M33S"),
    ("year_month_duration", "duration(x)", "P2Y3M"),
]
"""The temporal rows of the output mapping tests: (name, expression over x, x and the value)."""

ACTIVITY_OUTPUT_ROWS: list[tuple[str, dict[str, Any], tuple[Mapping, ...], dict[str, Any]]] = [
    ("x_to_y", {"x": 1}, (("out", "x", "y"),), {"y": 1}),
    ("underscore", {"_x": 1}, (("out", "_x", "_y"),), {"_y": 1}),
    ("y_to_z", {"x": 1, "y": 2}, (("out", "y", "z"),), {"z": 2}),
    ("input_then_output", {"x": 1}, (("in", "x", "y"), ("out", "y", "z")), {"z": 1}),
    ("input_and_output_of_outer", {"x": 1}, (("in", "x", "y"), ("out", "x", "z")), {"z": 1}),
    ("object", {"x": {"y": 2}}, (("out", "x", "z"),), {"z": {"y": 2}}),
    ("path", {"x": {"y": 2}}, (("out", "x.y", "z"),), {"z": 2}),
    ("into_existing_object", {"z": {"x": 1}, "y": 2}, (("out", "y", "z.y"),), {"z": {"x": 1, "y": 2}}),
    (
        "into_new_object",
        {"x": 1, "y": 2},
        (("out", "x", "z.x"), ("out", "y", "z.y")),
        {"z": {"x": 1, "y": 2}},
    ),
    *[(name, {"x": value}, (("out", expr, "y"),), {"y": value}) for name, expr, value in TEMPORAL],
]
"""ActivityOutputMappingTest's rows: (name, initial variables, the subprocess's mappings, the
process variables expected after the job completed)."""

END_EVENT_OUTPUT_ROWS: list[tuple[str, dict[str, Any], tuple[Mapping, ...], dict[str, Any]]] = [
    ("x_to_y", {"x": 1}, (("out", "x", "y"),), {"y": 1}),
    ("underscore", {"_x": 1}, (("out", "_x", "_y"),), {"_y": 1}),
    ("decimal", {"x": 1}, (("out", "decimal(x / 3, 2)", "y"),), {"y": 0.33}),
    ("y_to_z", {"x": 1, "y": 2}, (("out", "y", "z"),), {"z": 2}),
    ("input_and_output", {"x": 1}, (("in", "x", "y"), ("out", "x", "z")), {"z": 1}),
    ("object", {"x": {"y": 2}}, (("out", "x", "z"),), {"z": {"y": 2}}),
    ("path", {"x": {"y": 2}}, (("out", "x.y", "z"),), {"z": 2}),
    ("into_existing_object", {"z": {"x": 1}, "y": 2}, (("out", "y", "z.y"),), {"z": {"x": 1, "y": 2}}),
    (
        "into_new_object",
        {"x": 1, "y": 2},
        (("out", "x", "z.x"), ("out", "y", "z.y")),
        {"z": {"x": 1, "y": 2}},
    ),
    ("contains", {"x": "foobar"}, (("out", 'contains(x, "of")', "y"),), {"y": False}),
    ("starts_with", {"x": "foobar"}, (("out", 'starts with(x, "fo")', "y"),), {"y": True}),
    ("substring", {"x": "foobar"}, (("out", "substring(x, 4)", "y"),), {"y": "bar"}),
    ("upper_case", {"x": "foobar"}, (("out", "upper case(x)", "y"),), {"y": "FOOBAR"}),
    *[(name, {"x": value}, (("out", expr, "y"),), {"y": value}) for name, expr, value in TEMPORAL],
]
"""NoneEndEventOutputMappingTest's rows: (name, initial variables, the end event's mappings, the
process variables expected)."""

JOB_INPUT_ROWS: list[tuple[str, dict[str, Any], tuple[Mapping, ...], dict[str, Any]]] = [
    ("none", {}, (), {}),
    ("all_variables", {"x": 1, "y": 2}, (), {"x": 1, "y": 2}),
    ("underscore_variables", {"_x": 1, "_y": 2}, (), {"_x": 1, "_y": 2}),
    ("object", {"x": {"y": 2}}, (), {"x": {"y": 2}}),
    ("x_to_y", {"x": 1}, (("in", "x", "y"),), {"x": 1, "y": 1}),
    ("two_inputs", {"x": 1}, (("in", "x", "y"), ("in", "x", "z")), {"x": 1, "y": 1, "z": 1}),
    ("path", {"x": {"y": 2}}, (("in", "x.y", "y"),), {"x": {"y": 2}, "y": 2}),
    ("newline", {}, (("in", '"Hello\\nWorld"', "input"),), {"input": "Hello\nWorld"}),
    ("carriage_return", {}, (("in", '"Hello\\rWorld"', "input"),), {"input": "Hello\rWorld"}),
    ("tab", {}, (("in", '"Hello\\tWorld"', "input"),), {"input": "Hello\tWorld"}),
    ("apostrophe", {}, (("in", '"Hello\\\'World"', "input"),), {"input": "Hello'World"}),
]
"""JobInputMappingTest's rows: (name, initial variables, the task's mappings, the job's variables,
exactly)."""

JOB_OUTPUT_ROWS: list[tuple[str, dict[str, Any], tuple[Mapping, ...], dict[str, Any]]] = [
    ("create", {"x": 1}, (), {"x": 1}),
    ("create_x_to_x", {"x": 1}, (("out", "x", "x"),), {"x": 1}),
    ("create_x_to_y", {"x": 1}, (("out", "x", "y"),), {"y": 1}),
    ("create_underscore", {"_x": 1}, (("out", "_x", "_y"),), {"_y": 1}),
    ("create_y_to_z", {"x": 1, "y": 2}, (("out", "y", "z"),), {"z": 2}),
    ("create_object", {"x": {"y": 2}}, (), {"x": {"y": 2}}),
    ("create_object_x_to_y", {"x": {"y": 2}}, (("out", "x", "y"),), {"y": {"y": 2}}),
    ("create_path", {"x": {"y": 2}}, (("out", "x.y", "y"),), {"y": 2}),
    ("create_nested", {"x": 1, "y": 2}, (("out", "x", "z.x"), ("out", "y", "z.y")), {"z": {"x": 1, "y": 2}}),
    ("update", {"i": 1}, (), {"i": 1}),
    ("update_x_to_i", {"x": 1}, (("out", "x", "i"),), {"i": 1}),
    ("input_output_new_local", {"x": 1}, (("in", "i", "y"), ("out", "y", "z")), {"z": 0}),
    ("input_output_shadowed", {"x": 1}, (("in", "i", "x"), ("out", "x", "y")), {"y": 1}),
    (
        "input_output_two_shadowed",
        {"x": 1, "y": 2},
        (("in", "i", "x"), ("in", "i", "y"), ("out", "y", "z")),
        {"z": 2},
    ),
    ("input_only", {"x": 1}, (("in", "i", "y"),), {"x": 1}),
    ("input_only_shadowed", {"z": 1, "j": 1}, (("in", "i", "z"),), {"j": 1}),
]
"""JobOutputMappingTest's rows: (name, the variables the job completes with, the task's mappings,
the process variables expected). Every instance starts with `i = 0`."""

MESSAGE_ELEMENTS = [
    "intermediate_catch_event",
    "receive_task",
    "event_based_gateway",
    "interrupting_boundary_event",
    "non_interrupting_boundary_event",
    "interrupting_event_subprocess",
    "non_interrupting_event_subprocess",
    "interrupting_boundary_event_on_receive_task",
    "non_interrupting_boundary_event_on_receive_task",
]
"""MessageCatchElementOutputMappingTest's rows (but the message start event: the harness starts
instances by key, not by a message)."""

JOB_WORKER_ELEMENTS = [
    "service_task",
    "business_rule_task",
    "script_task",
    "send_task",
    "message_end_event",
    "message_intermediate_throw_event",
]
"""JobWorkerElementBuilderProvider's elements, each with `zeebe:taskDefinition`."""

EVENT_SUBPROCESS_TRIGGERS = ["timer_duration", "timer_date", "timer_cycle", "message", "error", "signal"]
"""The triggers of the event subprocess tests (the interrupting test has no cycle, the
non-interrupting none of error)."""

# -- job workers ------------------------------------------------------------------------------


def complete(**variables: Any) -> dict[str, Any]:
    """A job worker that completes the job with no variables."""
    return {}


def complete_with(result: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """A job worker that completes the job with `result`."""

    def worker(**variables: Any) -> dict[str, Any]:
        return dict(result)

    return worker


SAW = "worker_saw_variables"
"""The variable `expect_variables` sets, so the case can see that the worker ran at all."""


def expect_variables(expected: dict[str, Any], exactly: bool) -> Callable[..., dict[str, Any]]:
    """A job worker that completes the job only when its variables are `expected` (exactly, or
    at least those), and fails otherwise: the job's variables are what the Zeebe test asserts.
    It completes the job with `worker_saw_variables = true` (which the Zeebe test does not), so
    that a case whose worker is never called fails instead of passing unchecked."""

    def worker(**variables: Any) -> dict[str, Any]:
        if exactly:
            ok = variables == expected
        else:
            ok = all(name in variables and variables[name] == v for name, v in expected.items())
        if not ok:
            raise AssertionError(f"the job's variables are {variables!r}, not {expected!r}")
        return {SAW: True}

    return worker


def throw_error(**variables: Any) -> dict[str, Any]:
    """A job worker that throws the BPMN error `ERROR` (`throwError()` with that code)."""
    raise BpmnError("ERROR", "thrown by the job worker")


INPUT_COLLECTION = [10, 20, 30]
OUTPUT_COLLECTION = [11, 22, 33]


def multi_instance_result(item: int) -> dict[str, Any]:
    """MultiInstanceActivityTest's `completeJobs`: the job for the i-th element completes with
    `result` = OUTPUT_COLLECTION[i]."""
    return {"result": OUTPUT_COLLECTION[INPUT_COLLECTION.index(item)]}


_ONE_JOB: set[str] = set()


def only_one_job(**variables: Any) -> dict[str, Any]:
    """A job worker that completes the first job of an instance and fails on a second: the test
    completes one job and asserts that the body completed, the other instances being terminated
    (parallel) or never activated (sequential), so that no second job can be worked on."""
    context = call_context()
    instance = (context.instance_id if context is not None else None) or ""
    if instance in _ONE_JOB:
        raise AssertionError("a second job was activated")
    _ONE_JOB.add(instance)
    return {"result": OUTPUT_COLLECTION[0]}


# -- the cases --------------------------------------------------------------------------------

KEY = "correlation-key-1"
"""The correlation key of MessageCatchElementOutputMappingTest's instances (a random UUID there)."""

RESERVED = "starts with '_', which Flowbridge reserves"
"""Deploy's refusal of a mapping that reads a variable whose name starts with `_`."""


GAPS: dict[str, str] = {
    "feel_script_task_assert_fails": "Zeebe creates an incident at the script task when "
    "assert(x, x != null) fails; Flowbridge fails the instance's first step, so start raises "
    "StepFailed (AssertionFailed: The condition is not fulfilled).",
}
"""Case name → the sentence saying how Flowbridge differs from Zeebe (a strict xfail)."""

REFUSED: dict[str, str] = {
    "io_mapping_subprocess_output_underscore": RESERVED,
    "io_mapping_end_event_output_underscore": RESERVED,
    "io_mapping_job_output_create_underscore": RESERVED,
    **{f"message_output_variables_{element}": RESERVED for element in MESSAGE_ELEMENTS},
    **{
        f"multi_instance_{kind}_{name}": f"multi-instance {what} must name a variable"
        for kind in ("parallel", "sequential")
        for name, what in (
            ("nested_input_collection", "inputCollection '=nested.items'"),
            (
                "output_element_expression",
                "outputElement '=number(string(loopCounter) + string(loopCounter))'",
            ),
        )
    },
}
"""Case name → the words of the refusal deploy gives."""


def _case(**fields: Any) -> Case:
    name = fields["name"]
    return Case(gap=GAPS.get(name), refused=REFUSED.get(name), **fields)


def _activity_output_cases() -> list[Case]:
    return [
        _case(
            name=f"io_mapping_subprocess_output_{row}",
            source=f"{ACTIVITY_OUTPUT}#shouldApplyOutputMappings[{i}]",
            construct="zeebe:ioMapping on a subprocess",
            files=(f"ActivityOutputMappingTest.shouldApplyOutputMappings.{i}.bpmn",),
            process="process",
            variables=initial,
            microflows={"test": complete},
            steps=(Check(completed=("task",), variables=expected),),
        )
        for i, (row, initial, _mappings, expected) in enumerate(ACTIVITY_OUTPUT_ROWS)
    ]


def _end_event_output_cases() -> list[Case]:
    return [
        _case(
            name=f"io_mapping_end_event_output_{row}",
            source=f"{END_EVENT_OUTPUT}#shouldApplyOutputMappings[{i}]",
            construct="zeebe:ioMapping on a none end event",
            files=(f"NoneEndEventOutputMappingTest.shouldApplyOutputMappings.{i}.bpmn",),
            process="process",
            variables=initial,
            steps=(Check(completed=("end",), variables=expected),),
        )
        for i, (row, initial, _mappings, expected) in enumerate(END_EVENT_OUTPUT_ROWS)
    ]


def _job_input_cases() -> list[Case]:
    return [
        _case(
            name=f"io_mapping_job_input_{row}",
            source=f"{JOB_INPUT}#shouldApplyInputMappings[{i}]",
            construct="zeebe:ioMapping inputs of a service task (the job's variables)",
            files=(f"JobInputMappingTest.shouldApplyInputMappings.{i}.bpmn",),
            process="process",
            variables=initial,
            microflows={"test": expect_variables(expected, exactly=True)},
            steps=(Check(variables={SAW: True}),),
        )
        for i, (row, initial, _mappings, expected) in enumerate(JOB_INPUT_ROWS)
    ]


def _job_output_cases() -> list[Case]:
    return [
        _case(
            name=f"io_mapping_job_output_{row}",
            source=f"{JOB_OUTPUT}#shouldApplyOutputMappings[{i}]",
            construct="zeebe:ioMapping output on a service task",
            files=(f"JobOutputMappingTest.shouldApplyOutputMappings.{i}.bpmn",),
            process="process",
            variables={"i": 0},
            microflows={"test": complete_with(job_variables)},
            steps=(Check(completed=("task",), variables=expected),),
        )
        for i, (row, job_variables, _mappings, expected) in enumerate(JOB_OUTPUT_ROWS)
    ]


def _output_mapping_cases() -> list[Case]:
    rows = [
        ("service_task", "serviceTaskId", {"type": complete}, ()),
        ("intermediate_throw_event", "intermediateThrowEventId", {}, ()),
        ("job_based_user_task", "userTaskId", {}, (Complete("userTaskId"),)),
        ("native_user_task", "nativeUserTaskId", {}, (Complete("nativeUserTaskId"),)),
    ]
    return [
        _case(
            name=f"io_mapping_output_{row}",
            source=f"{OUTPUT_MAPPING}#shouldApplyOutputMapping[{i}]",
            construct=f"zeebe:ioMapping output on a {row.replace('_', ' ')}",
            files=(f"OutputMappingTest.shouldApplyOutputMapping.{i}.bpmn",),
            process="processId",
            variables={"foo": 1},
            microflows=flows,
            steps=(*actions, Check(completed=(element,), variables={"bar": 1})),
        )
        for i, (row, element, flows, actions) in enumerate(rows)
    ]


def _message_output_cases() -> list[Case]:
    found = []
    tests = [
        ("merge", "shouldMergeMessageVariablesByDefault", {"foo": "bar", "_foo": "bar2"}),
        ("output", "shouldMapMessageVariablesIntoInstanceVariables", {"message": "bar", "message2": "bar2"}),
    ]
    for kind, method, expected in tests:
        for i, element in enumerate(MESSAGE_ELEMENTS):
            found.append(
                _case(
                    name=f"message_{kind}_variables_{element}",
                    source=f"{MESSAGE_OUTPUT}#{method}[{i}]",
                    construct=f"message variables at the catching {element.replace('_', ' ')}",
                    files=(f"MessageCatchElementOutputMappingTest.{method}.{i}.bpmn",),
                    process="process",
                    variables={"key": KEY},
                    microflows={"type": complete},
                    async_microflows=("type",),
                    steps=(
                        Message("message", {"key": KEY}, {"foo": "bar", "_foo": "bar2"}),
                        Check(completed=("catch",), variables=expected),
                    ),
                )
            )
    return found


def _job_worker_cases() -> list[Case]:
    found = []
    for i, element in enumerate(JOB_WORKER_ELEMENTS):
        what = element.replace("_", " ")
        found.append(
            _case(
                name=f"job_complete_{element}",
                source=f"{JOB_WORKER}#shouldCompleteTask[{i}]",
                construct=f"job worker of a {what} (zeebe:taskDefinition)",
                files=(f"JobWorkerElementTest.shouldCompleteTask.{i}.bpmn",),
                process="process",
                microflows={"test": complete},
                async_microflows=("test",),
                steps=(
                    Check(status="waiting", not_completed=("task",)),
                    RunJobs(),
                    Check(status="completed", completed=("task",)),
                ),
            )
        )
        found.append(
            _case(
                name=f"job_variables_{element}",
                source=f"{JOB_WORKER}#shouldCreateJobWithVariables[{i}]",
                construct=f"job worker of a {what} with zeebe:ioMapping inputs",
                files=(f"JobWorkerElementTest.shouldCreateJobWithVariables.{i}.bpmn",),
                process="process",
                variables={"x": 1},
                microflows={"taskWithVariables": expect_variables({"x": 1, "y": 1}, exactly=False)},
                async_microflows=("taskWithVariables",),
                steps=(RunJobs(), Check(variables={SAW: True})),
            )
        )
    found.append(
        _case(
            name="job_type_expression",
            source=f"{JOB_WORKER}#shouldCreateJobWithJobTypeExpression[0]",
            construct="job worker of a service task whose type is a FEEL expression",
            files=("JobWorkerElementTest.shouldCreateJobWithJobTypeExpression.0.bpmn",),
            process="process",
            variables={"type": "test"},
            microflows={"test": complete},
            async_microflows=("test",),
            steps=(RunJobs(), Check(status="completed", completed=("task",))),
        )
    )
    return found


def _script_cases() -> list[Case]:
    return [
        _case(
            name="feel_script_task_completes",
            source=f"{SCRIPT_TASK}#shouldCompleteTask",
            construct="zeebe:script FEEL script task",
            files=("ScriptTaskExpressionTest.shouldCompleteTask.bpmn",),
            process="process",
            variables={"x": "foobar"},
            steps=(Check(status="completed", completed=("task",)),),
        ),
        _case(
            name="feel_script_task_result_variable",
            source=f"{SCRIPT_TASK}#shouldWriteResultAsProcessInstanceVariable",
            construct="zeebe:script FEEL script task",
            files=("ScriptTaskExpressionTest.shouldWriteResultAsProcessInstanceVariable.bpmn",),
            process="process",
            variables={"x": "foobar"},
            steps=(Check(variables={"result": "bar"}),),
        ),
        _case(
            name="feel_script_task_result_in_output_mapping",
            source=f"{SCRIPT_TASK}#shouldUseResultInOutputMappings",
            construct="zeebe:script FEEL script task with zeebe:ioMapping output",
            files=("ScriptTaskExpressionTest.shouldUseResultInOutputMappings.bpmn",),
            process="process",
            variables={"x": "foobar"},
            # The result variable is created in the task's scope, the output in the process's.
            steps=(Check(variables={"output": "bar"}, absent=("result",)),),
        ),
        _case(
            name="feel_script_task_assert_fails",
            source=f"{SCRIPT_TASK}#shouldCreateIncidentIfScriptExpressionEvaluationFailed",
            construct="zeebe:script FEEL script task whose expression fails",
            files=("ScriptTaskExpressionTest.shouldCreateIncidentIfScriptExpressionEvaluationFailed.bpmn",),
            process="process",
            steps=(Check(status="incident", not_completed=("task",)),),
        ),
    ]


def _trigger(trigger: str, key: str, interrupting: bool) -> tuple[Any, ...]:
    """The steps that trigger the event subprocess (the test's `triggerEventSubprocess`)."""
    if trigger.startswith("timer"):
        return (Wait(60),)
    if trigger == "message":
        kind = "interrupting" if interrupting else "non_interrupting"
        return (Message(f"message-{kind}", {"key": key}),)
    if trigger == "error":
        return (RunJobs(),)
    kind = "interrupting" if interrupting else "non_interrupting"
    return (Signal(f"signal-{kind}"),)


def _event_subprocess_cases() -> list[Case]:
    found = []
    for trigger in EVENT_SUBPROCESS_TRIGGERS:
        if trigger == "timer_cycle":
            continue
        flows = {"type": throw_error if trigger == "error" else complete}
        found.append(
            _case(
                name=f"event_subprocess_interrupting_{trigger}_completes_parent",
                source=f"{INTERRUPTING}#shouldInterruptAndCompleteParent[{trigger}]",
                construct=f"interrupting {trigger.replace('_', ' ')} event subprocess",
                files=(f"InterruptingEventSubprocessTest.{trigger}.bpmn",),
                process="proc",
                variables={"key": "123"},
                microflows=flows,
                async_microflows=("type",),
                steps=(
                    *_trigger(trigger, "123", True),
                    Check(status="completed", completed=("event_sub_proc",), not_completed=("task",)),
                ),
            )
        )
        found.append(
            _case(
                name=f"event_subprocess_interrupting_{trigger}_lifecycle",
                source=f"{INTERRUPTING}#shouldTriggerEventSubprocess[{trigger}]",
                construct=f"interrupting {trigger.replace('_', ' ')} event subprocess",
                files=(f"InterruptingEventSubprocessTest.{trigger}.bpmn",),
                process="proc",
                variables={"key": "123"},
                microflows=flows,
                async_microflows=("type",),
                steps=(
                    *_trigger(trigger, "123", True),
                    Check(completed=("event_sub_start", "event_sub_end", "event_sub_proc")),
                ),
            )
        )
    for trigger in EVENT_SUBPROCESS_TRIGGERS:
        if trigger == "error":
            continue
        key = f"{trigger}-123"  # the test's correlation key: its row's name, then "-123"
        found.append(
            _case(
                name=f"event_subprocess_non_interrupting_{trigger}_parent_continues",
                source=f"{NON_INTERRUPTING}#shouldNotInterruptParentProcess[{trigger}]",
                construct=f"non-interrupting {trigger.replace('_', ' ')} event subprocess",
                files=(f"NonInterruptingEventSubprocessTest.{trigger}.bpmn",),
                process="proc",
                variables={"key": key},
                microflows={"type": complete},
                async_microflows=("type",),
                steps=(
                    *_trigger(trigger, key, False),
                    Check(
                        status="waiting",
                        completed=("event_sub_start", "event_sub_end", "event_sub_proc"),
                        not_completed=("task",),
                    ),
                    RunJobs(),
                    Check(status="completed", completed=("event_sub_proc", "task", "end_proc")),
                ),
            )
        )
    return found


def _multi_instance_cases() -> list[Case]:
    found = []
    for kind in ("parallel", "sequential"):

        def mi(
            name: str, method: str, file: str, steps: tuple[Any, ...], kind: str = kind, **fields: Any
        ) -> Case:
            fields.setdefault("variables", {"items": INPUT_COLLECTION})
            fields.setdefault("microflows", {"mi": multi_instance_result})
            return _case(
                name=f"multi_instance_{kind}_{name}",
                source=f"{MULTI_INSTANCE}#{method}[{kind}]",
                construct=f"{kind} multi-instance service task (zeebe:loopCharacteristics)",
                files=(f"MultiInstanceActivityTest.{file}.{kind}.bpmn",),
                process="process",
                steps=steps,
                **fields,
            )

        found += [
            mi(
                "completes_body",
                "shouldCompleteBodyWhenAllJobsAreCompleted",
                "process",
                (Check(status="completed", completed=("task",)),),
            ),
            mi(
                "output_collection",
                "shouldSetOutputCollectionVariable",
                "process",
                (Check(variables={"results": OUTPUT_COLLECTION}),),
            ),
            mi(
                "skip_empty_collection",
                "shouldSkipIfCollectionIsEmpty",
                "process",
                (Check(status="completed"),),
                variables={"items": []},
            ),
            mi(
                "empty_output_collection",
                "shouldSetEmptyOutputCollectionIfSkip",
                "process",
                (Check(variables={"results": []}),),
                variables={"items": []},
            ),
            mi(
                "input_element_not_propagated",
                "shouldNotPropagateInputElementVariable",
                "process",
                (Check(status="completed", absent=("item",)),),
            ),
            mi(
                "output_element_not_propagated",
                "shouldNotPropagateOutputElementVariable",
                "process",
                (Check(status="completed", absent=("result",)),),
            ),
            mi(
                "no_output_collection",
                "shouldIgnoreOutputCollectionVariableIfNotDefined",
                "shouldIgnoreOutputCollectionVariableIfNotDefined",
                (Check(status="completed", absent=("results",)),),
            ),
            mi(
                "completion_condition_true",
                "shouldCompleteBodyWhenCompleteConditionEvaluateTrue",
                "shouldCompleteBodyWhenCompleteConditionEvaluateTrue",
                (RunJobs(), Check(status="completed", completed=("task",))),
                variables={"items": INPUT_COLLECTION, "x": True},
                microflows={"mi": only_one_job},
                async_microflows=("mi",),
            ),
            mi(
                "nested_input_collection",
                "shouldIterateOverNestedInputCollection",
                "shouldIterateOverNestedInputCollection",
                (Check(status="completed", variables={"results": OUTPUT_COLLECTION}),),
                variables={"nested": {"items": INPUT_COLLECTION}},
            ),
            mi(
                "output_element_expression",
                "shouldCollectOutputElementsFromExpression",
                "shouldCollectOutputElementsFromExpression",
                (Check(variables={"results": OUTPUT_COLLECTION}),),
            ),
            mi(
                "output_mapping",
                "shouldApplyOutputMapping",
                "shouldApplyOutputMapping",
                (Check(variables={"results": [1, 2, 3], "global": 3}),),
            ),
        ]
    return found


def _gateway_cases() -> list[Case]:
    return [
        _case(
            name=f"gateway_exclusive_split_foo_{foo}",
            source=f"{EXCLUSIVE}#shouldSplitOnExclusiveGateway",
            construct="exclusive gateway with FEEL conditions and a default flow",
            files=("ExclusiveGatewayTest.shouldSplitOnExclusiveGateway.bpmn",),
            process="process",
            variables={"foo": foo},
            steps=(
                Check(
                    status="completed", completed=(end,), not_completed=tuple(sorted({"a", "b", "c"} - {end}))
                ),
            ),
        )
        for foo, end in ((4, "a"), (8, "b"), (12, "c"))
    ]


def _boundary_cases() -> list[Case]:
    return [
        _case(
            name="boundary_timer_takes_all_outgoing_flows",
            source=f"{BOUNDARY}#shouldTakeAllOutgoingSequenceFlowsIfTriggered",
            construct="interrupting timer boundary event (FEEL duration) with two outgoing flows",
            files=("BoundaryEventTest.shouldTakeAllOutgoingSequenceFlowsIfTriggered.bpmn",),
            process="process",
            microflows={"type": complete},
            async_microflows=("type",),
            steps=(Wait(60), Check(completed=("end1", "end2"))),
        ),
        _case(
            name="boundary_message_output_mapping",
            source=f"{BOUNDARY}#shouldApplyOutputMappingOnTriggering",
            construct="message boundary event with zeebe:ioMapping output",
            files=("BoundaryEventTest.shouldApplyOutputMappingOnTriggering.bpmn",),
            process="process",
            variables={"key": "123"},
            microflows={"type": complete},
            async_microflows=("type",),
            steps=(Message("message", {"key": "123"}, {"foo": 3}), Check(variables={"bar": 3})),
        ),
        _case(
            name="boundary_timer_keeps_scope_variables",
            source=f"{BOUNDARY}#shouldUseScopeVariablesWhenApplyingOutputMappings",
            construct="timer boundary event on a service task with zeebe:ioMapping input",
            files=("BoundaryEventTest.shouldUseScopeVariablesWhenApplyingOutputMappings.bpmn",),
            process="process",
            variables={"foo": 1, "oof": 2},
            microflows={"type": complete},
            async_microflows=("type",),
            steps=(Wait(60), Check(completed=("timer",), variables={"foo": 1, "oof": 2})),
        ),
    ]


CASES = [
    *_activity_output_cases(),
    *_end_event_output_cases(),
    *_job_input_cases(),
    *_job_output_cases(),
    *_output_mapping_cases(),
    *_message_output_cases(),
    *_job_worker_cases(),
    *_script_cases(),
    *_event_subprocess_cases(),
    *_multi_instance_cases(),
    *_gateway_cases(),
    *_boundary_cases(),
]
