"""Cases ported from SpiffWorkflow's BPMN tests (sartography/SpiffWorkflow, GNU LGPL 2.1).

Each case's `source` is the Python test under tests/SpiffWorkflow/ (`bpmn/…`, `bpmn/events/…`,
`bpmn/parallel_gateway_tests/…`, `camunda/…`, `spiff/…`) and its method; its models are the
test's files from the `data/` folder beside it, copied unchanged but for the file name: the
`.bpmn20.xml` of `bpmn/data/Test-Workflows/` becomes `.bpmn`, files from `bpmn/data/` subfolders
lose the folder, and files from `spiff/data/` and `camunda/data/` get the prefix `spiff_` and
`camunda_` (those folders reuse `bpmn/data/`'s names).

SpiffWorkflow's tests drive a `BpmnWorkflow` directly: setting a ready task's data and running
it becomes `Complete`, `workflow.catch(BpmnEvent(MessageEventDefinition(...)))` a `Message`, and
sleeping past a timer before `refresh_timers()` a `Wait` (on SpiffWorkflow's clock, so the
model's fractions of a second become a generous wait). Data the test sets on the start task
before the first engine step is the instance's start variables. What a test asserts about task
states becomes `completed` / `not_completed` (COMPLETED, or CANCELLED / never run), the ready
user and manual tasks `open`, and `workflow.data` or `last_task.data` the `variables` (with
`absent` for the keys an exact `assertDictEqual` leaves out).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..harness import Case, Check, Complete, Message, Wait

BPMN = "tests/SpiffWorkflow/bpmn"
EVENTS = f"{BPMN}/events"
PARALLEL = f"{BPMN}/parallel_gateway_tests"
CAMUNDA = "tests/SpiffWorkflow/camunda"
SPIFF = "tests/SpiffWorkflow/spiff"

TEST_WORKFLOWS = (
    "Test-Workflows.bpmn",
    "Action-Management.bpmn",
    "CallActivity-Escalation-Test-Sub.bpmn",
    "CallActivity-Escalation-Test.bpmn",
    "Message-Interrupts-SP.bpmn",
    "Message-Interrupts.bpmn",
    "Message-Non-Interrupt-SP.bpmn",
    "Message-Non-Interrupt.bpmn",
    "Messages.bpmn",
    "Multi-Instance.bpmn",
    "Nested-Sub-level1.bpmn",
    "Nested-Sub-level2.bpmn",
    "Nested-Subprocesses.bpmn",
    "Parallel-Join-Long-Inclusive.bpmn",
    "Parallel-Join-Long.bpmn",
    "Parallel-Looping-After-Join.bpmn",
    "Parallel-Many-Threads-At-Same-Point-Nested.bpmn",
    "Parallel-Many-Threads-At-Same-Point.bpmn",
    "Parallel-Multiple-Splits-And-Joins.bpmn",
    "Parallel-Multiple-Splits.bpmn",
    "Parallel-One-Path-Ends.bpmn",
    "Parallel-Then-Exclusive-No-Inclusive.bpmn",
    "Parallel-Then-Exclusive.bpmn",
    "Parallel-Through-Same-Task.bpmn",
    "Parallel.camunda.bpmn",
    "Scripts.bpmn",
    "Timer-Intermediate.bpmn",
)
"""`Test-Workflows/*.bpmn20.xml`, which several tests load together (the selector process first)."""
CHOICE_BY_FLOW_NAME = "leaves an exclusive gateway without a condition and is not its default flow"
"""Deploy's refusal of SpiffWorkflow's test parser's convention: an exclusive gateway's flow
without a condition is taken when the task data's `choice` equals the flow's name."""
NOT_PYTHON = "condition \"priority = 'Emergency'\" is not supported: not a Python expression"
"""Deploy's refusal of Scripts.bpmn, the first of the Test-Workflows files it refuses."""
PASS_THROUGH = "Flowbridge runs a plain bpmn:task of a non-SpiffArena model straight through"
"""Why the tests that complete plain tasks (manual steps in SpiffWorkflow) differ."""


CALL_ACTIVITY = (
    "call_activity_call_activity.bpmn",
    "call_activity_end_event.bpmn",
    "call_activity_with_error.bpmn",
)
"""`call_activity_*.bpmn` of bpmn/data/."""

# Plain tasks of the Test-Workflows models, by name.
ONE_PATH = {
    "Parallel Task": "sid-57463471-693A-42A2-9EC6-6460BEDECA86",
    "Choice 1": "sid-CA089240-802A-4C32-9130-FB1A33DDCCC3",
    "Yes Task": "sid-34AD79D9-BE0C-4F97-AC23-7A97D238A6E5",
    "No Task": "sid-2A302E91-F89F-4913-8F55-5C3AC5FAE4D3",
    "Done": "sid-F3A979E3-F586-4807-8223-1FAB5A5647B0",
}
SPLITS_AND_JOINS = {
    "1": "sid-57463471-693A-42A2-9EC6-6460BEDECA86",
    "2": "sid-CA089240-802A-4C32-9130-FB1A33DDCCC3",
    "1A": "sid-809B2A5A-4907-4CB6-A398-E93855AD6F20",
    "1B": "sid-3C0AE49A-7BE9-4D61-B409-AC5794825CDE",
    "2A": "sid-ABD788A3-CD57-4280-A22A-260B3AEEE138",
    "2B": "sid-E7B8898A-0D14-4E98-B3D7-736B94EE3FA7",
    "1 Done": "sid-70192697-62E0-4F16-BE86-7945E95AC33A",
    "2 Done": "sid-1946C635-7886-4687-844F-C644FA6222B8",
    "Done": "sid-F3A979E3-F586-4807-8223-1FAB5A5647B0",
}
MANY_THREADS = {
    "1": "sid-57463471-693A-42A2-9EC6-6460BEDECA86",
    "2": "sid-CA089240-802A-4C32-9130-FB1A33DDCCC3",
    "3": "sid-12002433-32F3-4F11-B6FA-02CC3B4FB996",
    "4": "sid-43B2AAEB-B9DA-466C-B7AC-09991607428F",
    "Done": "sid-F3A979E3-F586-4807-8223-1FAB5A5647B0",
}
JOIN_LONG_INCLUSIVE = {
    "Thread 1 - Choose": "sid-69DF31CE-D587-4BA8-8BE6-72786108D8DF",
    "Thread 2 - Choose": "sid-23391B60-C6A7-4C9E-9F95-43EA84ECFB74",
    "Thread 2 - No Task": "sid-B2E34105-96D5-4020-85D9-C569BA42D618",
    "Done": "sid-107A993F-6302-4391-9BE2-068C9C7B693B",
    **{
        f"Thread 1 - Task {i}": task
        for i, task in enumerate(
            (
                "sid-E489DED4-8C38-4841-80BC-E514353C1B8C",
                "sid-B88338F7-5084-4532-9ABB-7387B1E5A664",
                "sid-35745597-A6C0-424B-884C-C5C23B60C942",
                "sid-0BC1E7F7-CBDA-4591-95B9-320FCBEF6114",
                "sid-71AA325A-4D02-46B4-8DC9-00C90BC5337C",
                "sid-54BB293D-91B6-41B5-A5C4-423300D74D14",
                "sid-D8777102-7A64-42E6-A988-D0AE3049ABB0",
                "sid-E6A08072-E35C-4545-9C66-B74B615F34C2",
                "sid-BEC02819-27FE-4484-8FDA-08450F4DE618",
                "sid-6576AA43-43DF-4086-98C8-FD2B22F20EB0",
                "sid-08397892-678C-4706-A05F-8F6DAE9B5423",
                "sid-3500C16F-8037-4987-9022-8E30AB6B0590",
            ),
            start=1,
        )
    },
}
NESTED = {
    "Action1": "sid-FECD237F-6ABD-4A51-BB9C-B0C7D991202B",
    "Action2": "sid-1B59DCD2-83A0-4687-B7BE-83625395572E",
    "Action3": "sid-17C53A94-546D-4099-8A52-AAEE6AC3F6E7",
}
CAMUNDA_PARALLEL = {
    "First Task": "Task_0rpy9wa",
    "Parallel Task A": "Task_0ubymyg",
    "Parallel Task B": "Task_1gd4zvp",
    "Parallel Task C": "Task_0anfkt0",
    "Last Task": "Task_1liod5x",
}
TIMER_DUE = (datetime.now() + timedelta(hours=1)).isoformat()
"""The intermediate timer's `due_time`: an hour ahead (the test: 0.01 s), so that a `Wait`, not
the suite's pace, makes it due."""


def _steps(order: list[str], ids: dict[str, str], choices: dict[str, str] | None = None) -> tuple:
    """BaseParallelTestCase._do_test's order of named steps (a step's choice in `choices`),
    ending with no task left."""
    done = [Complete(ids[s], {"choice": choices[s]} if choices and s in choices else {}) for s in order]
    return (*done, Check(status="completed", open=()))


def _mi(name, source, files, variables, outputs, expected, absent=(), gap=None, construct="", dialect=None):
    """Set_io_and_run_workflow: each instance of `any_task` completed with its output item."""
    return Case(
        name=name,
        source=source,
        construct=construct,
        files=files,
        process="main",
        variables=variables,
        steps=(
            *[Complete("any_task", {"output_item": out}) for out in outputs],
            Check(status="completed", variables=expected, absent=absent),
        ),
        gap=gap,
        dialect=dialect,
    )


PMI = f"{BPMN}/ParallelMultiInstanceTest.py"
SMI = f"{BPMN}/SequentialMultiInstanceTest.py"

CASES = [
    # -- parallel gateways ------------------------------------------------------------------------
    Case(
        name="parallel_gateway_camunda_parallel_tasks_first",
        source=f"{PARALLEL}/ParallelGatewayTest.py#ParallelFromCamunda.testRunThroughParallelTaskFirst",
        construct="parallel gateway",
        files=("Parallel.camunda.bpmn",),
        process="Process_1hb021r",
        steps=(
            Check(status="waiting", open=(CAMUNDA_PARALLEL["First Task"],)),
            Complete(CAMUNDA_PARALLEL["First Task"]),
            Check(
                open=tuple(CAMUNDA_PARALLEL[f"Parallel Task {x}"] for x in "ABC"),
                not_completed=("ExclusiveGateway_0e4eseh",),
            ),
            Complete(CAMUNDA_PARALLEL["Parallel Task A"]),
            Check(not_completed=("ExclusiveGateway_0e4eseh",)),
            Complete(CAMUNDA_PARALLEL["Parallel Task B"]),
            Check(not_completed=("ExclusiveGateway_0e4eseh",)),
            Complete(CAMUNDA_PARALLEL["Parallel Task C"]),
            Check(open=(CAMUNDA_PARALLEL["Last Task"],)),
            Complete(CAMUNDA_PARALLEL["Last Task"]),
            Check(status="completed", open=()),
        ),
    ),
    Case(
        name="parallel_gateway_camunda_all_parallel_data_reaches_the_join",
        source=f"{PARALLEL}/ParallelGatewayTest.py#ParallelFromCamunda.testAllParallelDataMakesItIntoGatewayTask",
        construct="parallel gateway",
        files=("Parallel.camunda.bpmn",),
        process="Process_1hb021r",
        steps=(
            Complete(CAMUNDA_PARALLEL["First Task"]),
            Complete(CAMUNDA_PARALLEL["Parallel Task A"], {"taskA": "taskA"}),
            Complete(CAMUNDA_PARALLEL["Parallel Task B"], {"taskB": "taskB"}),
            Complete(CAMUNDA_PARALLEL["Parallel Task C"], {"taskC": "taskC"}),
            Complete(CAMUNDA_PARALLEL["Last Task"]),
            Check(variables={"taskA": "taskA", "taskB": "taskB", "taskC": "taskC"}),
        ),
    ),
    Case(
        name="parallel_gateway_loop_input",
        source=f"{PARALLEL}/ParallelGatewayLoopInputTest.py#test_loop_input",
        construct="parallel gateway in a loop",
        files=("gateway_loop_input.bpmn",),
        process="main",
        steps=(
            Check(status="waiting", open=("task",)),
            Complete("task"),
            Check(status="completed", variables={"x": 2}),
        ),
        dialect="spiff",
    ),
    Case(
        name="parallel_order_follows_the_diagram",
        source=f"{PARALLEL}/ParallelOrderTest.py#testRunThroughHappy",
        construct="parallel gateway",
        files=("ParallelOrder.bpmn",),
        process="ParallelOrder",
        steps=(
            Check(
                status="waiting",
                open=("Activity_0x0i4s3", "Activity_1spu8el", "Activity_1aj4dg6", "Activity_0wjwnuk"),
            ),
        ),
        dialect="spiff",
    ),
    Case(
        name="parallel_one_path_ends_parallel_task_first",
        source=f"{PARALLEL}/ParallelOnePathEndsTest.py#testRunThroughParallelTaskFirst",
        construct="parallel gateway, one path ending",
        files=("Parallel-One-Path-Ends.bpmn",),
        process="sid-33b2dda8-ca46-47ca-9f08-43de73abde9e",
        steps=(
            Check(status="waiting", open=(ONE_PATH["Parallel Task"], ONE_PATH["Choice 1"])),
            Complete(ONE_PATH["Parallel Task"]),
            Check(open=(ONE_PATH["Choice 1"],)),
            Complete(ONE_PATH["Choice 1"], {"choice": "No"}),
            Check(open=(ONE_PATH["Done"],)),
            Complete(ONE_PATH["Done"]),
            Check(status="completed", open=()),
        ),
        dialect="spiff",
    ),
    Case(
        name="parallel_one_path_ends_choice_yes",
        source=f"{PARALLEL}/ParallelOnePathEndsTest.py#testRunThroughParallelTaskFirstYes",
        construct="parallel gateway, one path ending",
        files=("Parallel-One-Path-Ends.bpmn",),
        process="sid-33b2dda8-ca46-47ca-9f08-43de73abde9e",
        steps=(
            Check(status="waiting", open=(ONE_PATH["Parallel Task"], ONE_PATH["Choice 1"])),
            Complete(ONE_PATH["Parallel Task"]),
            Complete(ONE_PATH["Choice 1"], {"choice": "Yes"}),
            Check(open=(ONE_PATH["Yes Task"],)),
            Complete(ONE_PATH["Yes Task"]),
            Complete(ONE_PATH["Done"]),
            Check(status="completed", open=()),
        ),
        dialect="spiff",
    ),
    *[
        Case(
            name=f"parallel_then_exclusive{suffix}_choice_first",
            source=f"{PARALLEL}/ParallelThenExclusiveTest.py#{cls}.testRunThroughChoiceFirst",
            construct="parallel gateway then exclusive gateway",
            files=(file,),
            process=process,
            steps=(
                Check(status="waiting", open=(ONE_PATH["Parallel Task"], ONE_PATH["Choice 1"])),
                Complete(ONE_PATH["Choice 1"], {"choice": "Yes"}),
                Complete(ONE_PATH["Parallel Task"]),
                Check(open=(ONE_PATH["Yes Task"],)),
                Complete(ONE_PATH["Yes Task"]),
                Complete(ONE_PATH["Done"]),
                Check(status="completed", open=()),
            ),
            dialect="spiff",
        )
        for suffix, cls, file, process in (
            (
                "",
                "ParallelThenExclusiveTest",
                "Parallel-Then-Exclusive.bpmn",
                "sid-bb9ea2d5-58b6-43c7-8e77-6e28f71106f0",
            ),
            (
                "_no_inclusive",
                "ParallelThenExclusiveNoInclusiveTest",
                "Parallel-Then-Exclusive-No-Inclusive.bpmn",
                "sid-900d26c9-beab-47a4-8092-4284bfb39927",
            ),
        )
    ],
    Case(
        name="parallel_multiple_splits_and_joins",
        source=f"{PARALLEL}/ParallelMultipleSplitsAndJoinsTest.py#test2",
        construct="nested parallel splits and joins",
        files=("Parallel-Multiple-Splits-And-Joins.bpmn",),
        process="sid-a90fa1f1-32a9-4a62-8ad4-8820a3fc6cc4",
        steps=_steps(["1", "1A", "1B", "1 Done", "2", "2A", "2B", "2 Done", "Done"], SPLITS_AND_JOINS),
        dialect="spiff",
    ),
    Case(
        name="parallel_many_threads_at_same_point",
        source=f"{PARALLEL}/ParallelManyThreadsAtSamePointTest.py#test2",
        construct="parallel gateway, threads meeting at one task",
        files=("Parallel-Many-Threads-At-Same-Point.bpmn",),
        process="sid-6d1186e0-fc1f-43d5-bdb4-c49df043944d",
        steps=_steps(["1", "Done", "2", "Done", "3", "Done", "4", "Done"], MANY_THREADS),
        dialect="spiff",
    ),
    Case(
        name="parallel_join_long_inclusive_no_first",
        source=f"{PARALLEL}/ParallelJoinLongInclusiveTest.py#testNoFirstThenThread1",
        construct="inclusive join of long threads",
        files=("Parallel-Join-Long-Inclusive.bpmn",),
        process="sid-bae04828-c969-4480-8cfe-09ad1f97d81c",
        steps=(
            Check(
                status="waiting",
                open=(JOIN_LONG_INCLUSIVE["Thread 1 - Choose"], JOIN_LONG_INCLUSIVE["Thread 2 - Choose"]),
            ),
            *_steps(
                [
                    "Thread 2 - Choose",
                    "Thread 1 - Choose",
                    *[f"Thread 1 - Task {i}" for i in range(1, 13)],
                    "Done",
                    "Thread 2 - No Task",
                ],
                JOIN_LONG_INCLUSIVE,
                {"Thread 2 - Choose": "No", "Thread 1 - Choose": "Yes"},
            ),
        ),
        dialect="spiff",
    ),
    Case(
        name="parallel_join_long_refused",
        source=f"{PARALLEL}/ParallelJoinLongTest.py#testRunThroughAlternating",
        construct="exclusive gateway chosen by flow name",
        files=("Parallel-Join-Long.bpmn",),
        refused=CHOICE_BY_FLOW_NAME,
    ),
    Case(
        name="parallel_looping_after_join_refused",
        source=f"{PARALLEL}/ParallelLoopingAfterJoinTest.py#test1",
        construct="exclusive gateway chosen by flow name",
        files=("Parallel-Looping-After-Join.bpmn",),
        refused=CHOICE_BY_FLOW_NAME,
    ),
    Case(
        name="parallel_multiple_splits_refused",
        source=f"{PARALLEL}/ParallelMultipleSplitsTest.py#testRunThroughAlternating",
        construct="exclusive gateway chosen by flow name",
        files=("Parallel-Multiple-Splits.bpmn",),
        refused=CHOICE_BY_FLOW_NAME,
    ),
    Case(
        name="parallel_many_threads_at_same_point_nested_refused",
        source=f"{PARALLEL}/ParallelManyThreadsAtSamePointTestNested.py#test_depth_first",
        construct="call activity without calledElement",
        files=("Parallel-Many-Threads-At-Same-Point-Nested.bpmn",),
        refused="call activity names no process to call (calledElement)",
    ),
    # -- exclusive and inclusive gateways ---------------------------------------------------------
    Case(
        name="exclusive_gateway_no_default_no_path",
        source=f"{BPMN}/ExclusiveGatewayNoDefaultTest.py#testRunThroughHappy",
        construct="exclusive gateway without default",
        files=("exclusive_gateway_no_default.bpmn",),
        process="NoDefaultGateway",
        variables={"x": 1},
        error="Gateway_CheckValue",
    ),
    Case(
        name="inclusive_gateway_default_condition_only",
        source=f"{BPMN}/InclusiveGatewayTest.py#testDefaultConditionOnly",
        construct="inclusive gateway default flow",
        files=("inclusive_gateway.bpmn",),
        process="main",
        steps=(
            Complete("set_data", {"v": -1, "u": -1, "w": -1}),
            Check(status="completed", variables={"v": 0, "u": -1, "w": -1}),
        ),
    ),
    Case(
        name="inclusive_gateway_parallel_condition",
        source=f"{BPMN}/InclusiveGatewayTest.py#testParallelCondition",
        construct="inclusive gateway",
        files=("inclusive_gateway.bpmn",),
        process="main",
        steps=(
            Complete("set_data", {"v": 0, "u": 1, "w": 1}),
            Check(
                status="completed",
                completed=("u_plus_v", "w_plus_v"),
                not_completed=("increment_v",),
                variables={"v": 0, "u": 1, "w": 1},
            ),
        ),
    ),
    Case(
        name="inclusive_gateway_no_path_from_second_gateway",
        source=f"{BPMN}/InclusiveGatewayTest.py#testNoPathFromSecondGateway",
        construct="inclusive gateway without default",
        files=("inclusive_gateway.bpmn",),
        process="main",
        steps=(Complete("set_data", {"v": 0, "u": -1, "w": -1}),),
        error="second",
    ),
    # -- subprocesses and call activities ---------------------------------------------------------
    Case(
        name="call_activity_approvals_run_through_happy",
        dialect="spiff",
        source=f"{BPMN}/ApprovalsTest.py#testRunThroughHappy",
        construct="call activity, terminate end event, parallel gateway",
        files=("Approvals.bpmn",),
        process="Approvals",
        steps=(
            Check(
                status="waiting",
                open=("First_Approval_Wins.Manager_Approval", "First_Approval_Wins.Supervisor_Approval"),
            ),
            Complete("First_Approval_Wins.Manager_Approval"),
            Check(open=("Approvals.First_Approval_Wins_Done",)),
            Complete("Approvals.First_Approval_Wins_Done"),
            Complete("Approvals.Manager_Approval__P_"),
            Complete("Approvals.Supervisor_Approval__P_"),
            Check(open=("Approvals.Parallel_Approvals_Done",)),
            Complete("Approvals.Parallel_Approvals_Done"),
            Complete("Parallel_Approvals_SP.Step1"),
            Complete("Parallel_Approvals_SP.Manager_Approval"),
            Complete("Parallel_Approvals_SP.Supervisor_Approval"),
            Check(open=("Approvals.Parallel_SP_Done",)),
            Complete("Approvals.Parallel_SP_Done"),
            Check(status="completed", open=()),
        ),
    ),
    Case(
        name="call_activity_approvals_other_orders",
        dialect="spiff",
        source=f"{BPMN}/ApprovalsTest.py#testRunThroughHappyOtherOrders",
        construct="call activity, terminate end event, parallel gateway",
        files=("Approvals.bpmn",),
        process="Approvals",
        steps=(
            Complete("First_Approval_Wins.Supervisor_Approval"),
            Check(open=("Approvals.First_Approval_Wins_Done",)),
            Complete("Approvals.First_Approval_Wins_Done"),
            Complete("Approvals.Supervisor_Approval__P_"),
            Complete("Approvals.Manager_Approval__P_"),
            Check(open=("Approvals.Parallel_Approvals_Done",)),
            Complete("Approvals.Parallel_Approvals_Done"),
            Complete("Parallel_Approvals_SP.Manager_Approval"),
            Complete("Parallel_Approvals_SP.Step1"),
            Complete("Parallel_Approvals_SP.Supervisor_Approval"),
            Check(open=("Approvals.Parallel_SP_Done",)),
            Complete("Approvals.Parallel_SP_Done"),
            Check(status="completed", open=()),
        ),
    ),
    Case(
        name="call_activity_nested_processes",
        source=f"{BPMN}/NestedProcessesTest.py#testRunThroughHappy",
        construct="nested call activities",
        files=("Nested-Subprocesses.bpmn", "Nested-Sub-level1.bpmn", "Nested-Sub-level2.bpmn"),
        process="sid-a12cf1e5-86f4-4d69-9790-6a90342f5963",
        steps=(
            Complete(NESTED["Action1"]),
            Check(open=(NESTED["Action2"],)),
            Complete(NESTED["Action2"]),
            Check(open=(NESTED["Action3"],)),
            Complete(NESTED["Action3"]),
            Check(status="completed"),
        ),
    ),
    Case(
        name="call_activity_data_persists",
        source=f"{BPMN}/CallActivityTest.py#test_data_persists_through_call_activity",
        construct="call activity",
        files=CALL_ACTIVITY,
        process="Process_8200379",
        steps=(
            Check(
                status="completed",
                variables={"pre_var": "some string", "my_var": "World", "my_other_var": "Mike"},
                absent=("remove_this_var",),
            ),
        ),
        dialect="spiff",
    ),
    Case(
        name="call_activity_allows_removal_of_data",
        source=f"{BPMN}/CallActivityTest.py#test_call_activity_allows_removal_of_data",
        construct="call activity",
        files=CALL_ACTIVITY,
        process="Process_8200379",
        steps=(Check(status="completed", absent=("remove_this_var",)),),
        dialect="spiff",
    ),
    Case(
        name="call_activity_errors_include_task_trace",
        source=f"{BPMN}/CallActivityTest.py#test_call_activity_errors_include_task_trace",
        construct="call activity, script error",
        files=CALL_ACTIVITY,
        process="ErroringBPMN",
        error="Sub_Bpmn_Task",
    ),
    Case(
        name="subprocess_complex_sub_workflow",
        source=f"{CAMUNDA}/SubWorkflowTest.py#testRunThroughHappy",
        construct="embedded subprocess with parallel gateway",
        files=("camunda_subWorkflowComplex.bpmn",),
        process="SubWorkflow",
        steps=(
            Check(open=("Activity_A",)),
            Complete("Activity_A", {"FieldA": "A"}),
            Complete("Activity_A1", {"FieldA1": "A1"}),
            Complete("Activity_A2", {"FieldA2": "A2"}),
            Check(open=("Activity_B",)),
            Complete("Activity_B", {"FieldB": "B"}),
            Check(
                status="completed",
                variables={"FieldA": "A", "FieldA1": "A1", "FieldA2": "A2", "FieldB": "B"},
            ),
        ),
    ),
    Case(
        name="subprocess_lanes",
        dialect="spiff",
        source=f"{BPMN}/SwimLaneTest.py#testRunThroughHappy",
        construct="lanes, embedded subprocess",
        files=("lanes.bpmn",),
        process="lanes",
        steps=(
            Check(open=("Activity_A1",)),
            Complete("Activity_A1"),
            Check(open=("Activity_B1",)),
            Complete("Activity_B1", {"NeedClarification": False}),
            Check(open=("Implement_Feature",)),
            Complete("Implement_Feature"),
            Check(open=("Activity_1uksrqx",)),
            Complete("Activity_1uksrqx"),
            Check(open=("SubProcessTask",)),
        ),
    ),
    # -- IO specification -------------------------------------------------------------------------
    Case(
        name="io_spec_on_call_activity",
        source=f"{BPMN}/IOSpecTest.py#CallActivityDataTest.testCallActivityWithIOSpec",
        construct="IO specification on a called process",
        files=("io_spec_parent.bpmn", "io_spec.bpmn"),
        process="parent",
        steps=(
            Check(
                status="completed",
                variables={
                    "in_1": 1,
                    "in_2": "hello world",
                    "unused": True,
                    "out_1": 2,
                    "out_2": "HELLO WORLD",
                },
            ),
        ),
    ),
    Case(
        name="io_spec_on_task",
        source=f"{BPMN}/IOSpecTest.py#IOSpecOnTaskTest.testIOSpecOnTask",
        construct="IO specification on a task",
        files=("io_spec_on_task.bpmn",),
        process="main",
        steps=(
            Complete("any_task", {"out_1": 1, "out_2": "bye", "extra": True}),
            Check(
                status="completed",
                variables={"out_1": 1, "out_2": "bye"},
                absent=("in_1", "in_2", "unused", "extra"),
            ),
        ),
        dialect="spiff",
    ),
    Case(
        name="io_spec_on_task_missing_output",
        source=f"{BPMN}/IOSpecTest.py#IOSpecOnTaskTest.testIOSpecOnTaskMissingOutput",
        construct="IO specification on a task",
        files=("io_spec_on_task.bpmn",),
        process="main",
        steps=(Complete("any_task", {"out_1": 1}),),
        error="out_2",
        dialect="spiff",
    ),
    # -- multi-instance ---------------------------------------------------------------------------
    _mi(
        "parallel_multi_instance_list",
        f"{PMI}#ParallelMultiInstanceNewOutputTest.testList",
        ("parallel_multiinstance_loop_input.bpmn",),
        {"input_data": [1, 2, 3]},
        (2, 4, 6),
        {"input_data": [1, 2, 3], "output_data": [2, 4, 6]},
        dialect="spiff",
        construct="parallel multi-instance over a collection",
    ),
    _mi(
        "parallel_multi_instance_dict",
        f"{PMI}#ParallelMultiInstanceNewOutputTest.testDict",
        ("parallel_multiinstance_loop_input.bpmn",),
        {"input_data": {"a": 1, "b": 2, "c": 3}},
        (2, 4, 6),
        {"input_data": {"a": 1, "b": 2, "c": 3}, "output_data": {"a": 2, "b": 4, "c": 6}},
        dialect="spiff",
        construct="parallel multi-instance over a collection",
    ),
    _mi(
        "parallel_multi_instance_empty_collection",
        f"{PMI}#ParallelMultiInstanceNewOutputTest.testEmptyCollection",
        ("parallel_multiinstance_loop_input.bpmn",),
        {"input_data": []},
        (),
        {"input_data": [], "output_data": []},
        construct="parallel multi-instance over a collection",
    ),
    _mi(
        "parallel_multi_instance_cardinality",
        f"{PMI}#ParallelMultiInstanceWithCardinality.testCardinality",
        ("parallel_multiinstance_cardinality.bpmn",),
        {},
        (0, 2, 4),
        {"output_data": [0, 2, 4]},
        dialect="spiff",
        construct="parallel multi-instance with cardinality",
    ),
    Case(
        name="parallel_multi_instance_invalid_refused",
        source=f"{PMI}#ParallelMultiInstanceTaskTest.testInvalidBpmn",
        construct="multi-instance without cardinality or input",
        files=("parallel_multiinstance_invalid.bpmn",),
        refused="must specify exactly one of cardinality or loop input data reference",
    ),
    _mi(
        "sequential_multi_instance_list",
        f"{SMI}#SequentialMultiInstanceNewOutputTest.testList",
        ("sequential_multiinstance_loop_input.bpmn",),
        {"input_data": [1, 2, 3]},
        (2, 4, 6),
        {"input_data": [1, 2, 3], "output_data": [2, 4, 6]},
        dialect="spiff",
        construct="sequential multi-instance over a collection",
    ),
    _mi(
        "sequential_multi_instance_dict",
        f"{SMI}#SequentialMultiInstanceNewOutputTest.testDict",
        ("sequential_multiinstance_loop_input.bpmn",),
        {"input_data": {"a": 1, "b": 2, "c": 3}},
        (2, 4, 6),
        {"input_data": {"a": 1, "b": 2, "c": 3}, "output_data": {"a": 2, "b": 4, "c": 6}},
        dialect="spiff",
        construct="sequential multi-instance over a collection",
    ),
    _mi(
        "sequential_multi_instance_empty_collection",
        f"{SMI}#SequentialMultiInstanceNewOutputTest.testEmptyCollection",
        ("sequential_multiinstance_loop_input.bpmn",),
        {"input_data": []},
        (),
        {"input_data": [], "output_data": []},
        construct="sequential multi-instance over a collection",
    ),
    _mi(
        "sequential_multi_instance_cardinality",
        f"{SMI}#SequentialMultiInstanceWithCardinality.testCardinality",
        ("sequential_multiinstance_cardinality.bpmn",),
        {},
        (0, 2, 4),
        {"output_data": [0, 2, 4]},
        dialect="spiff",
        construct="sequential multi-instance with cardinality",
    ),
    Case(
        name="multi_instance_spiff_prescript_postscript",
        source=f"{SPIFF}/MultiInstanceTaskTest.py#testMultiInstanceTask",
        construct="parallel multi-instance with pre- and postscript",
        files=("spiff_spiff_multiinstance.bpmn",),
        process="Process_1",
        variables={"input_data": [1, 2, 3]},
        steps=(
            Complete("any_task", {"output_item": 4}),
            Complete("any_task", {"output_item": 6}),
            Complete("any_task", {"output_item": 8}),
            Check(status="completed", variables={"input_data": [2, 3, 4], "output_data": [3, 5, 7]}),
        ),
    ),
    Case(
        name="multi_instance_spiff_scripts_on_instances",
        source=f"{SPIFF}/MultiInstanceTaskTest.py#testMultiInstanceTaskWithInstanceScripts",
        construct="parallel multi-instance with scripts on each instance",
        files=("spiff_script_on_mi.bpmn",),
        process="Process_1",
        variables={"input_data": [1, 2, 3]},
        steps=(
            Complete("any_task", {"output_item": 4}),
            Complete("any_task", {"output_item": 6}),
            Complete("any_task", {"output_item": 8}),
            Check(status="completed", variables={"input_data": [1, 2, 3], "output_data": [3, 5, 7]}),
        ),
    ),
    # -- standard loops ---------------------------------------------------------------------------
    Case(
        name="standard_loop_maximum",
        source=f"{BPMN}/StandardLoopTest.py#testLoopMaximum",
        construct="standard loop",
        files=("standard_loop.bpmn",),
        process="main",
        variables={"done": False},
        steps=(
            Check(status="waiting", open=("any_task",)),
            Complete("any_task", {"0": True}),
            Check(open=("any_task",)),
            Complete("any_task", {"1": True}),
            Check(open=("any_task",)),
            Complete("any_task", {"2": True}),
            Check(status="completed"),
        ),
        dialect="spiff",
    ),
    Case(
        name="standard_loop_condition",
        source=f"{BPMN}/StandardLoopTest.py#testLoopCondition",
        construct="standard loop",
        files=("standard_loop.bpmn",),
        process="main",
        variables={"done": False},
        steps=(
            Check(status="waiting", open=("any_task",)),
            Complete("any_task", {"done": True}),
            Check(status="completed"),
        ),
        dialect="spiff",
    ),
    Case(
        name="standard_loop_skipped",
        source=f"{BPMN}/StandardLoopTest.py#testSkipLoop",
        construct="standard loop, test before",
        files=("standard_loop.bpmn",),
        process="main",
        variables={"done": True},
        steps=(Check(status="completed"),),
    ),
    Case(
        name="standard_loop_invalid_refused",
        source=f"{BPMN}/StandardLoopTest.py#ParseStandardLoop.testParseStandardLoop",
        construct="standard loop without maximum or condition",
        files=("standard_loop_invalid.bpmn",),
        refused="A loopMaximum or loopCondition must be specified for Loop Tasks",
    ),
    # -- timers -----------------------------------------------------------------------------------
    Case(
        name="timer_intermediate_date",
        source=f"{EVENTS}/TimerIntermediateTest.py#testRunThroughHappy",
        construct="intermediate timer catch event, date from a variable",
        files=("Timer-Intermediate.bpmn",),
        process="sid-909dfba4-15dd-47b3-b7d4-88330891429a",
        variables={"due_time": TIMER_DUE},
        steps=(
            Check(status="waiting"),
            Wait(7200),
            Check(status="completed", completed=("sid-AB1683F9-F260-499B-A04C-F7ADA9C64817",)),
        ),
    ),
    Case(
        name="timer_intermediate_duration",
        source=f"{EVENTS}/TimerDurationTest.py#testRunThroughHappy",
        construct="intermediate timer catch event, duration",
        files=("timer.bpmn",),
        process="timer",
        steps=(
            Check(status="waiting", not_completed=("Event_0bxivgz",)),
            Wait(1),
            Check(status="completed", completed=("Event_0bxivgz",)),
        ),
    ),
    Case(
        name="timer_intermediate_date_from_script",
        source=f"{EVENTS}/TimerDateTest.py#testRunThroughHappy",
        construct="intermediate timer catch event, date a script computes",
        files=("timer-date-start.bpmn",),
        process="date_timer",
        steps=(
            Check(status="waiting"),
            Wait(1),
            Check(status="completed", completed=("Event_0eb0w95",)),
        ),
        dialect="spiff",
    ),
    Case(
        name="timer_boundary_interrupts_subprocess",
        dialect="spiff",
        source=f"{EVENTS}/TimerDurationBoundaryTest.py#testRunThroughHappy",
        construct="interrupting timer boundary event on a subprocess",
        files=("boundary.bpmn",),
        process="boundary_event",
        steps=(
            Check(open=("Activity_09c27ms",)),
            Complete("Activity_09c27ms"),
            Check(open=("Activity_Pester_Dad",)),
            Wait(1),
            Check(open=("Activity_1ya1db2",), not_completed=("Subworkflow",)),
            Complete("Activity_1ya1db2"),
            Complete("StopCar"),
            Check(status="completed", not_completed=("Subworkflow",)),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_on_task",
        source=f"{EVENTS}/TimerDurationBoundaryOnTaskTest.py#testRunThroughHappy",
        construct="non-interrupting timer boundary event on a user task",
        files=("boundary_timer_on_task.bpmn",),
        process="test_timer",
        steps=(
            Wait(1),
            Check(open=("user_task",), variables={"timer_called": True}),
            Complete("user_task"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_on_subprocess",
        source=f"{EVENTS}/NITimerDurationBoundaryTest.py#testRunThroughHappy",
        construct="non-interrupting timer boundary event on a subprocess",
        files=("timer-non-interrupt-boundary.bpmn",),
        process="NonInterruptTimer",
        steps=(
            Check(open=("Activity_Work",), not_completed=("Event_0jyy8ao",)),
            Wait(1),
            Check(open=("Activity_Work", "GetReason")),
            Complete("GetReason", {"delay_reason": "Just Because"}),
            Complete("Activity_Work", {"work_done": "Yes"}),
            Check(status="completed", variables={"work_done": "Yes", "delay_reason": "Just Because"}),
        ),
    ),
    Case(
        name="timer_cycle_boundary",
        source=f"{EVENTS}/TimerCycleTest.py#testRunThroughHappy",
        construct="non-interrupting cycle timer boundary event",
        files=("timer-cycle.bpmn",),
        process="timer",
        steps=(
            Wait(1),
            Wait(1),
            Wait(1),
            Wait(1),
            Check(open=("Get_Coffee",), completed=("CatchMessage", "Refill_Coffee")),
        ),
        gap=(
            "SpiffWorkflow's test gives its script engine a function custom_function that the "
            "boundary's handler script calls (twice, R2); Flowbridge's script sandbox has no such "
            "function, so the handler fails"
        ),
    ),
    # -- event-based gateways and message start events ----------------------------------------------
    Case(
        name="event_based_gateway_message",
        source=f"{EVENTS}/EventBasedGatewayTest.py#testEventBasedGateway",
        construct="event-based gateway",
        files=("event-gateway.bpmn",),
        process="Process_0pvx19v",
        steps=(
            Check(status="waiting"),
            Message("message_1"),
            Check(
                status="completed",
                completed=("message_1_event",),
                not_completed=("message_2_event", "timer_event"),
            ),
        ),
    ),
    Case(
        name="event_based_gateway_timeout",
        source=f"{EVENTS}/EventBasedGatewayTest.py#testTimeout",
        construct="event-based gateway",
        files=("event-gateway.bpmn",),
        process="Process_0pvx19v",
        steps=(
            Check(status="waiting"),
            Wait(2),
            Check(
                status="completed",
                completed=("timer_event",),
                not_completed=("message_1_event", "message_2_event"),
            ),
        ),
    ),
    Case(
        name="multiple_start_event_message",
        source=f"{EVENTS}/MultipleCatchEventTest.py#MultipleStartEventTest.testMultipleStartEvent",
        construct="multiple start event (messages)",
        files=("multiple-start.bpmn",),
        process="main",
        steps=(
            Check(status="waiting", not_completed=("StartEvent_1",)),
            Message("message_1"),
            Check(open=("any_task",)),
        ),
        gap=(
            "SpiffWorkflow's test catches message_1 at the start event the workflow waits at, and "
            "the plain task becomes ready; the Flowbridge instance waits at its start event, but "
            "message_1 does not reach it"
        ),
    ),
    Case(
        name="parallel_multiple_start_event_messages",
        source=f"{EVENTS}/MultipleCatchEventTest.py#ParallelStartEventTest.testParallelStartEvent",
        construct="parallel multiple start event (messages)",
        files=("multiple-start-parallel.bpmn",),
        process="main",
        steps=(
            Check(status="waiting", not_completed=("StartEvent_1",)),
            Message("message_1"),
            Check(status="waiting", not_completed=("StartEvent_1",)),
            Message("message_2"),
            Check(open=("any_task",)),
        ),
        gap=(
            "SpiffWorkflow's test catches message_1 and message_2 at the start event the workflow "
            "waits at, and the plain task becomes ready; the Flowbridge instance waits at its start "
            "event, but the messages do not reach it"
        ),
    ),
    Case(
        name="start_event_split_message",
        source=f"{EVENTS}/StartEventSplitTest.py#test_start_event_split",
        construct="two message start events",
        files=("start_event_split.bpmn",),
        process="main",
        steps=(
            Check(status="waiting", not_completed=("start_1", "start_2")),
            Message("message_1"),
            Check(open=("any_task",), completed=("start_1",), not_completed=("start_2",)),
            Complete("any_task"),
            Check(status="completed"),
        ),
        gap=(
            "SpiffWorkflow's test starts the workflow waiting at both message start events and "
            "catches message_1 at one; Flowbridge refuses to start by key a process whose start "
            "events all wait for a trigger"
        ),
    ),
    # -- conditional events, event subprocesses ----------------------------------------------------
    Case(
        name="conditional_event_intermediate",
        source=f"{EVENTS}/ConditionalEventTest.py#testIntermediateEvent",
        construct="intermediate conditional catch event",
        files=("conditional_event.bpmn",),
        process="intermediate",
        steps=(
            Complete("task_b"),
            Check(not_completed=("event_1",)),
            Complete("task_a", {"task_a_done": True}),
            Check(status="completed", completed=("event_1",)),
        ),
        dialect="spiff",
    ),
    Case(
        name="conditional_event_boundary",
        source=f"{EVENTS}/ConditionalEventTest.py#testBoundaryEvent",
        construct="conditional boundary event",
        files=("conditional_event.bpmn",),
        process="boundary",
        steps=(
            Check(not_completed=("event_2",)),
            Complete("task_c", {"task_c_done": True}),
            Check(status="completed", completed=("event_2",), not_completed=("task_d",)),
        ),
        dialect="spiff",
    ),
    Case(
        name="event_subprocess_signal",
        source=f"{EVENTS}/EventSubprocessTest.py#testEventSubprocess",
        construct="event subprocess (signal)",
        files=("event-subprocess.bpmn",),
        process="main",
        steps=(
            Complete("set_data", {"v1": True, "v2": False}),
            Check(open=("task",), variables={"v1": True, "v2": False}),
            Complete("task"),
            Check(status="completed"),
        ),
        gap=(
            "SpiffWorkflow's test completes the plain task set_data with v1 and v2, and the signal "
            f"it throws starts the event subprocess, whose plain task waits; {PASS_THROUGH}"
        ),
    ),
    # -- escalation, transactions -------------------------------------------------------------------
    Case(
        name="uncaught_escalation_completes",
        source=f"{EVENTS}/UncaughtEscalationTest.py#test_uncaught_escalation",
        construct="escalation end event, uncaught",
        files=("uncaught_escalation.bpmn",),
        process="top_level",
        steps=(Check(status="completed"),),
    ),
    Case(
        name="transaction_normal_completion",
        source=f"{EVENTS}/TransactionSubprocssTest.py#testNormalCompletion",
        construct="transaction subprocess",
        files=("transaction.bpmn",),
        process="Main_Process",
        steps=(
            Complete("Activity_Get_Data", {"value": "asdf"}),
            Complete("Activity_Get_Quantity", {"quantity": 2}),
            Check(
                status="completed",
                completed=("Subprocess", "Activity_Print_Data"),
                not_completed=("Catch_Cancel_Event", "Catch_Error_1", "Catch_Error_None"),
                variables={"value": "asdf"},
            ),
        ),
    ),
    Case(
        name="transaction_cancel_event",
        source=f"{EVENTS}/TransactionSubprocssTest.py#testSubworkflowCancelEvent",
        construct="transaction subprocess, cancel end event",
        files=("transaction.bpmn",),
        process="Main_Process",
        steps=(
            Complete("Activity_Get_Data", {"value": ""}),
            Check(
                completed=("Cancel_Action",),
                not_completed=("Catch_Error_1", "Catch_Error_None", "Activity_Print_Data"),
                absent=("value",),
            ),
        ),
        dialect="spiff",
    ),
    Case(
        name="transaction_error_without_code",
        source=f"{EVENTS}/TransactionSubprocssTest.py#testSubworkflowErrorCodeNone",
        construct="transaction subprocess, error boundary events",
        files=("transaction.bpmn",),
        process="Main_Process",
        steps=(
            Complete("Activity_Get_Data", {"value": "asdf"}),
            Complete("Activity_Get_Quantity", {"quantity": 0}),
            Check(
                completed=("Catch_Error_None",),
                not_completed=("Catch_Cancel_Event", "Catch_Error_1", "Activity_Print_Data"),
            ),
        ),
    ),
    Case(
        name="transaction_error_with_code",
        gap=(
            "SpiffWorkflow's test has both the catch-all and the code's error boundary events catch; "
            "the model is a Camunda 7 one, and Flowbridge, as Camunda 7 does, lets only the one "
            "naming the code catch"
        ),
        source=f"{EVENTS}/TransactionSubprocssTest.py#testSubworkflowErrorCodeOne",
        construct="transaction subprocess, error boundary events",
        files=("transaction.bpmn",),
        process="Main_Process",
        steps=(
            Complete("Activity_Get_Data", {"value": "asdf"}),
            Complete("Activity_Get_Quantity", {"quantity": -1}),
            Check(
                completed=("Catch_Error_None", "Catch_Error_1"),
                not_completed=("Activity_Print_Data",),
            ),
        ),
    ),
    # -- the Test-Workflows selector ----------------------------------------------------------------
    *[
        Case(
            name=name,
            source=source,
            construct="condition that is not a Python expression",
            files=TEST_WORKFLOWS,
            refused=NOT_PYTHON,
        )
        for name, source in (
            ("messages_intermediate_catch_refused", f"{EVENTS}/MessagesTest.py#testRunThroughHappy"),
            (
                "message_interrupts_boundary_refused",
                f"{EVENTS}/MessageInterruptsTest.py#testRunThroughMessageInterrupt",
            ),
            (
                "message_non_interrupt_boundary_refused",
                f"{EVENTS}/MessageNonInterruptTest.py#testRunThroughMessageInterrupt",
            ),
            (
                "message_interrupts_subprocess_refused",
                f"{EVENTS}/MessageInterruptsSpTest.py#testRunThroughInterruptSaveAndRestore",
            ),
            (
                "message_non_interrupt_subprocess_refused",
                f"{EVENTS}/MessageNonInterruptsSpTest.py#testRunThroughMessageInterruptSaveAndRestore",
            ),
            (
                "call_activity_escalation_refused",
                f"{EVENTS}/CallActivityEscalationTest.py#testShouldEscalate",
            ),
        )
    ],
    Case(
        name="action_management_refused",
        source=f"{EVENTS}/ActionManagementTest.py#testRunThroughHappy",
        construct="exclusive gateway chosen by flow name",
        files=("Action-Management.bpmn",),
        refused=CHOICE_BY_FLOW_NAME,
    ),
    # -- data objects, scripts ------------------------------------------------------------------------
    Case(
        name="data_object_references",
        source=f"{BPMN}/DataObjectTest.py#DataObjectReferenceTest.testDataObjectReferences",
        construct="data objects",
        files=("data_object.bpmn",),
        process="Process",
        steps=(
            Complete("generate_data", {"obj_1": "hello"}),
            Check(variables={"obj_1": "hello"}),
            Complete("task_1", {"obj_1": "hello again"}),
            Check(open=("read_data",), variables={"obj_1": "hello"}),
            Complete("read_data", {"obj_1": "hello again"}),
            Check(open=("placeholder",), variables={"obj_1": "hello"}),
            Complete("placeholder", {"obj_1": "hello again"}),
            Check(variables={"obj_1": "hello again"}),
        ),
        gap=(
            "SpiffWorkflow's test keeps obj_1 in the workflow's data objects, written only through "
            "output associations and read back into the tasks that reference it; Flowbridge drops "
            "data associations outside SpiffArena models and keeps obj_1 as a process variable "
            "every task overwrites"
        ),
    ),
    Case(
        name="data_object_gateway",
        source=f"{BPMN}/DataObjectTest.py#DataObjectGatewayTest.testExpression",
        construct="data object read by a gateway condition",
        files=("data_object_gateway.bpmn",),
        process="main",
        steps=(
            Complete("set_data", {"val": True}),
            Check(status="completed", completed=("yes",), not_completed=("no",), absent=("val",)),
        ),
        dialect="spiff",
    ),
    Case(
        name="script_custom_function",
        source=f"{BPMN}/CustomScriptTest.py#CustomInlineScriptTest.testRunThroughHappy",
        construct="script tasks in a subprocess and a call activity",
        files=("custom_function_test.bpmn", "custom_function_test_call_activity.bpmn"),
        process="top_workflow",
        steps=(Check(status="completed", variables={"c1": "HELLO", "c2": "GOODBYE", "c3": "ARRIVEDERCI"}),),
        gap=(
            "SpiffWorkflow's test gives its script engine a function custom_function the scripts "
            "call; Flowbridge's script sandbox has no such function, so the first script fails"
        ),
    ),
    Case(
        name="script_prescript_postscript_on_task",
        source=f"{SPIFF}/PrescriptPostscriptTest.py#testTask",
        construct="pre- and postscript on a task",
        files=("spiff_prescript_postscript.bpmn",),
        process="Process_1",
        variables={"a": 1, "b": 2},
        steps=(
            Check(open=("Activity_1iqs4li",)),
            Complete("Activity_1iqs4li"),
            Check(variables={"a": 1, "b": 2, "c": 12, "z": 6}, absent=("x", "y")),
        ),
    ),
    Case(
        name="script_prescript_postscript_on_call_activity",
        source=f"{SPIFF}/PrescriptPostscriptTest.py#testCallActivity",
        construct="pre- and postscript on a call activity",
        files=(
            "spiff_prescript_postscript_call_activity.bpmn",
            "spiff_prescript_postscript_data_object.bpmn",
            "spiff_prescript_postscript_parent.bpmn",
        ),
        process="parent",
        variables={"old": "hello"},
        # SpiffArena's pre- and postscripts; the called file, marked for Camunda Platform, would
        # otherwise run its Python script as Camunda 7 does, storing none of its names.
        dialect="spiff",
        steps=(Check(variables={"old": "hello", "new": "HELLO"}),),
    ),
    # -- business rule tasks ----------------------------------------------------------------------------
    Case(
        name="business_rule_task_spiff_dmn",
        source=f"{SPIFF}/BusinessRuleTaskTest.py#testBusinessRule",
        construct="business rule task (DMN)",
        files=("spiff_business_rule_task.bpmn", "spiff_business_rules.dmn"),
        process="Process_bd2e724",
        steps=(Check(status="completed"),),
    ),
    Case(
        name="business_rule_task_camunda_dmn_after_gateway",
        source=f"{CAMUNDA}/BusinessRuleTaskParserTest.py#testDmnHappy",
        construct="business rule task (DMN) on an exclusive gateway's default flow",
        files=("camunda_ExclusiveGatewayIfElseAndDecision.bpmn", "camunda_test_integer_decision.dmn"),
        process="Process_1",
        variables={"x": 3},
        steps=(Check(status="completed", variables={"x": 3, "y": "A"}),),
    ),
]

DIFFERENTIAL_DIFFERS = frozenset(
    {
        ("main", "multiple-start.bpmn"),
        ("main", "multiple-start-parallel.bpmn"),
        ("main", "start_event_split.bpmn"),
    }
)
"""(process, file) whose two differential runs differ today: SpiffWorkflow alone waits at the
message start events (and refuses a message the waiting start event does not take), the engine
refuses to start start_event_split by key and lets the messages pass the others unnoticed."""


DIFFERENTIAL_WALL_CLOCK = frozenset({("date_timer", "timer-date-start.bpmn")})
"""(process, file) left out of the differential test: a script sets a variable from
`datetime.now()`, so the two runs' values differ by the time between them."""


def _differential_models() -> list[tuple[tuple[str, ...], str, dict, str | None]]:
    found: dict[tuple[tuple[str, ...], str, str | None], dict] = {}
    for case in CASES:
        if case.process is None or case.refused is not None:
            continue
        if (case.process, case.files[0]) in DIFFERENTIAL_DIFFERS | DIFFERENTIAL_WALL_CLOCK:
            continue
        found.setdefault((case.files, case.process, case.dialect), dict(case.variables))
    return [
        (files, key, variables, dialect)
        for (files, key, dialect), variables in sorted(found.items(), key=lambda item: str(item[0]))
    ]


DIFFERENTIAL_MODELS = _differential_models()
"""(model files deployed together, process key, start variables, dialect) of every case that
deploys, but DIFFERENTIAL_DIFFERS and DIFFERENTIAL_WALL_CLOCK: for the differential test
(tests/differential.py), which runs each through SpiffWorkflow alone and through the persisted
step path, deployed as its cases deploy it; the start variables are those of the first such case."""
