"""User-task assignment and input-mapping cases ported from Camunda 7's engine tests
(camunda/camunda-bpm-platform, Apache License 2.0): who a task is assigned and offered to
(bpmn/usertask: TaskAssigneeTest, TaskCandidateTest, TaskAssignmentExtensionsTest), its due date
(TaskDueDateExtensionsTest), and `camunda:inputParameter`s, the variables local to an activity
(bpmn/iomapping/InputOutputTest). The multi-instance tasks' assignees (MultiInstanceTest) and the
initiator (InitiatorTest) are checked in cases_activities.py, beside the rest of their tests.

Each case's `source` is the Java test under engine/src/test/java/org/camunda/bpm/engine/test/ and
its method; its model is the test's resource from engine/src/test/resources/, copied unchanged
but for the file name (README.md of the folder above).

How a test's queries are translated: `taskAssignee(u)` is the task's assignee; a candidate query,
`taskCandidateUser(u)` or `taskCandidateGroup(g)`, finds a task offered to the user, to one of the
groups the test's identity service makes them a member of, or to the group: the case checks the
task's candidate users and groups are exactly those the model declares, which answers each such
query as the test expects. `taskService.claim(id, u)` is `Claim(element, u, groups)`, with the
user's groups from the test's setUp. A variable instance the test finds on an activity's
execution is one of the open task's own variables (`OpenTask.variables`), or of the receive task
waiting there (`Check.local_variables`), and is not among the process's.
"""

from __future__ import annotations

from datetime import timedelta

from ..harness import Case, Check, Claim, Complete, OpenTask

ASSIGNEE = "bpmn/usertask/TaskAssigneeTest.java"
CANDIDATE = "bpmn/usertask/TaskCandidateTest.java"
ASSIGNMENT = "bpmn/usertask/TaskAssignmentExtensionsTest.java"
DUE_DATE = "bpmn/usertask/TaskDueDateExtensionsTest.java"
IO = "bpmn/iomapping/InputOutputTest.java"

GROOVY_REFUSED = "is a groovy script; only Python scripts run"


def _candidates(
    name: str,
    source: str,
    construct: str,
    process: str,
    users: tuple[str, ...],
    groups: tuple[str, ...],
    gap: str | None = None,
) -> Case:
    """A test that starts the process and finds its one task `theTask` through candidate queries:
    unassigned, offered to exactly `users` and `groups`."""
    test, method = source.rsplit("/", 1)[1].split("#")
    return Case(
        name=name,
        source=source,
        construct=construct,
        files=(f"{test.removesuffix('.java')}.{method}.bpmn",),
        process=process,
        gap=gap,
        steps=(
            Check(
                open=("theTask",),
                tasks=(OpenTask("theTask", assignee=None, candidate_users=users, candidate_groups=groups),),
            ),
        ),
    )


def _receive_task_input(
    name: str, method: str, expected: dict[str, object], variables: dict[str, object] | None = None
) -> Case:
    """An input parameter of the receive task 'wait': the test finds the one variable of its name on
    wait's execution, where the instance waits (its receive task names no message)."""
    return Case(
        name=name,
        source=f"{IO}#{method}",
        construct="camunda:inputOutput input parameter on a receive task",
        files=(f"InputOutputTest.{method}.bpmn",),
        process="testProcess",
        variables=variables or {},
        steps=(
            Check(
                status="waiting",
                not_completed=("wait",),
                waits={"trigger": 1},
                local_variables={"wait": expected},
                absent=tuple(expected),
            ),
        ),
    )


def _groovy_input(method: str, model: str | None = None) -> Case:
    """An input parameter whose value is a Groovy script (inline, a resource, a bean or a variable)."""
    return Case(
        name="io_mapping_" + "_".join(_words(method.removeprefix("test"))) + "_refused",
        source=f"{IO}#{method}",
        construct="camunda:inputOutput input parameter, Groovy script",
        files=(f"InputOutputTest.{model or method}.bpmn",),
        refused=GROOVY_REFUSED,
    )


def _words(camel: str) -> list[str]:
    words, word = [], ""
    for char in camel:
        if char.isupper() and word:
            words.append(word)
            word = ""
        word += char.lower()
    return [*words, word]


CASES = [
    # -- assignee (bpmn/usertask) -----------------------------------------------------------------
    Case(
        name="task_assignee_human_performer",
        source=f"{ASSIGNEE}#testTaskAssignee",
        construct="user task humanPerformer",
        files=("TaskAssigneeTest.testTaskAssignee.bpmn",),
        process="taskAssigneeExampleProcess",
        steps=(
            Check(open=("theTask",), tasks=(OpenTask("theTask", assignee="kermit"),)),
            Complete("theTask"),
            Check(status="completed", open=()),
        ),
    ),
    Case(
        name="task_assignment_assignee_extension",
        source=f"{ASSIGNMENT}#testAssigneeExtension",
        construct="user task camunda:assignee",
        files=("TaskAssignmentExtensionsTest.testAssigneeExtension.bpmn",),
        process="assigneeExtension",
        steps=(Check(open=("theTask",), tasks=(OpenTask("theTask", assignee="kermit"),)),),
    ),
    # -- candidates (bpmn/usertask) ---------------------------------------------------------------
    _candidates(
        "task_assignment_candidate_users_extension",
        f"{ASSIGNMENT}#testCandidateUsersExtension",
        "user task camunda:candidateUsers",
        "candidateUsersExtension",
        users=("kermit", "gonzo"),
        groups=(),
    ),
    _candidates(
        "task_assignment_candidate_groups_extension",
        f"{ASSIGNMENT}#testCandidateGroupsExtension",
        "user task camunda:candidateGroups",
        "candidateGroupsExtension",
        users=(),
        groups=("management", "accountancy"),
    ),
    _candidates(
        "task_assignment_mixed_candidate_user_definition",
        f"{ASSIGNMENT}#testMixedCandidateUserDefinition",
        "user task camunda:candidateUsers and potentialOwner",
        "mixedCandidateUser",
        users=("kermit", "fozzie", "gonzo"),
        groups=(),
    ),
    _candidates(
        "task_candidate_multiple_candidate_users",
        f"{CANDIDATE}#testMultipleCandidateUsers",
        "user task potentialOwner",
        "multipleCandidateUsersExample",
        users=("gonzo", "kermit"),
        groups=(),
    ),
    _candidates(
        "task_candidate_mixed_candidate_user_and_group",
        f"{CANDIDATE}#testMixedCandidateUserAndGroup",
        "user task potentialOwner",
        "mixedCandidateUserAndGroupExample",
        users=("kermit",),
        groups=("sales",),
    ),
    Case(
        name="task_candidate_single_candidate_group_claimed",
        source=f"{CANDIDATE}#testSingleCandidateGroup",
        construct="user task potentialOwner",
        files=("TaskCandidateTest.testSingleCandidateGroup.bpmn",),
        process="singleCandidateGroup",
        steps=(
            Check(
                open=("theTask",),
                tasks=(
                    OpenTask("theTask", assignee=None, candidate_users=(), candidate_groups=("accountancy",)),
                ),
            ),
            Claim("theTask", "kermit", ("accountancy",)),
            Check(open=("theTask",), tasks=(OpenTask("theTask", assignee="kermit"),)),
            Complete("theTask"),
            Check(status="completed", open=()),
        ),
    ),
    Case(
        name="task_candidate_multiple_candidate_groups_claimed",
        source=f"{CANDIDATE}#testMultipleCandidateGroups",
        construct="user task potentialOwner",
        files=("TaskCandidateTest.testMultipleCandidateGroups.bpmn",),
        process="multipleCandidatesGroup",
        steps=(
            Check(
                open=("theTask",),
                tasks=(
                    OpenTask(
                        "theTask",
                        assignee=None,
                        candidate_users=(),
                        candidate_groups=("accountancy", "management"),
                    ),
                ),
            ),
            Claim("theTask", "gonzo", ("management", "accountancy", "sales")),
            Check(open=("theTask",), tasks=(OpenTask("theTask", assignee="gonzo"),)),
            Complete("theTask"),
            Check(status="completed", open=()),
        ),
    ),
    # -- due date (bpmn/usertask) -----------------------------------------------------------------
    Case(
        name="task_due_date_extension_date_variable",
        source=f"{DUE_DATE}#testDueDateExtension",
        construct="user task camunda:dueDate",
        files=("TaskDueDateExtensionsTest.testDueDateExtension.bpmn",),
        process="dueDateExtension",
        # The test's java.util.Date, parsed from "06-07-1986 12:10:00" with the pattern
        # "dd-MM-yyyy hh:mm:ss" (hh: the hour 1-12, 12 without a marker is 00 AM), is 1986-07-06 00:10;
        # variables are JSON here, so the case passes that moment as ISO 8601 text.
        variables={"dateVariable": "1986-07-06T00:10:00"},
        steps=(Check(tasks=(OpenTask("theTask", due="1986-07-06T00:10:00"),)),),
    ),
    Case(
        name="task_due_date_extension_string",
        source=f"{DUE_DATE}#testDueDateStringExtension",
        construct="user task camunda:dueDate",
        files=("TaskDueDateExtensionsTest.testDueDateStringExtension.bpmn",),
        process="dueDateExtension",
        variables={"dateVariable": "1986-07-06T12:10:00"},
        steps=(Check(tasks=(OpenTask("theTask", due="1986-07-06T12:10:00"),)),),
    ),
    Case(
        name="task_due_date_relative_duration",
        source=f"{DUE_DATE}#testRelativeDueDate",
        construct="user task camunda:dueDate",
        files=("TaskDueDateExtensionsTest.testRelativeDueDate.bpmn",),
        process="dueDateExtension",
        variables={"dateVariable": "P2DT2H30M"},
        steps=(
            Check(tasks=(OpenTask("theTask", due_after_created=timedelta(days=2, hours=2, minutes=30)),)),
        ),
    ),
    # -- input parameters, local to their activity (bpmn/iomapping) -------------------------------
    Case(
        name="io_mapping_input_local_to_user_task",
        source=f"{IO}#testScopeActivityInstanceId",
        construct="camunda:inputOutput input parameter on a user task",
        files=("InputOutputTest.testScopeActivityInstanceId.bpmn",),
        process="process",
        steps=(
            Check(
                open=("theTask",),
                tasks=(OpenTask("theTask", variables={"inputVariable": "Hello World!"}),),
                absent=("inputVariable",),
            ),
        ),
    ),
    _receive_task_input("io_mapping_input_null_value", "testInputNullValue", {"var1": None}),
    _receive_task_input(
        "io_mapping_input_string_constant_value", "testInputStringConstantValue", {"var1": "stringValue"}
    ),
    _receive_task_input("io_mapping_input_el_value", "testInputElValue", {"var1": 2}),
    _receive_task_input("io_mapping_input_list_el_values", "testInputListElValues", {"var1": [2, 3, 4]}),
    _receive_task_input(
        "io_mapping_input_map_el_values", "testInputMapElValues", {"var1": {"a": 2, "b": 3, "c": 4}}
    ),
    _receive_task_input(
        "io_mapping_input_multiple_el_value", "testInputMultipleElValue", {"var1": 2, "var2": 3}
    ),
    _receive_task_input(
        "io_mapping_input_multiple_mixed_value",
        "testInputMultipleMixedValue",
        {"var1": 2, "var2": "stringConstantValue"},
    ),
    _receive_task_input(
        "io_mapping_input_nested",
        "testInputNested",
        {
            "var1": {"a": ["stringInListNestedInMap", "b"], "b": "stringValueWithExprKey"},
            "var2": "stringConstantValue",
        },
        {"exprKey": "b"},
    ),
    _receive_task_input(
        "io_mapping_input_map_el_key",
        "testInputMapElKey",
        {"var1": {"a": "potato", "b": "tomato"}},
        {"varExpr1": "a", "varExpr2": "b"},
    ),
    _receive_task_input(
        "io_mapping_input_map_el_mixed_key",
        "testInputMapElMixedKey",
        {"var1": {"a": "potato", "b": "tomato"}},
        {"varExpr1": "a", "varExpr2": "b", "varExprMapValue": "avocado"},
    ),
    Case(
        name="io_mapping_input_map_el_undefined_key",
        source=f"{IO}#testInputMapElUndefinedKey",
        construct="camunda:inputOutput input parameter on a receive task",
        files=("InputOutputTest.testInputMapElKey.bpmn",),
        process="testProcess",
        error="varExpr1",
    ),
    *[
        _groovy_input(method)
        for method in (
            "testInputScriptValue",
            "testInputScriptValueAsVariable",
            "testInputScriptValueAsBean",
            "testInputExternalScriptValue",
            "testInputExternalScriptValueAsVariable",
            "testInputExternalScriptValueAsBean",
            "testInputExternalClasspathScriptValue",
            "testInputExternalClasspathScriptValueAsVariable",
            "testInputExternalClasspathScriptValueAsBean",
            "testInputExternalDeploymentScriptValue",
            "testInputExternalDeploymentScriptValueAsVariable",
            "testInputExternalDeploymentScriptValueAsBean",
            "testInputListMixedValues",
            "testInputNestedListValues",
        )
    ],
    Case(
        name="io_mapping_on_interrupting_event_subprocess_refused",
        source=f"{IO}#testInterruptingEventSubprocessIoSupport",
        construct="camunda:inputOutput on an event subprocess",
        files=("InputOutputTest.testInterruptingEventSubprocessIoSupport.bpmn",),
        refused="subProcess 'SubProcess_1': camunda:inputOutput is not supported on an event subprocess",
    ),
]
