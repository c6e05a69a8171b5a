"""Cases ported from Camunda 7's engine tests of events and gateways (camunda/camunda-bpm-platform,
Apache License 2.0).

Each case's `source` is the Java test under engine/src/test/java/org/camunda/bpm/engine/test/ and
its method; its model is the test's resource from engine/src/test/resources/, copied unchanged
but for the file name (README.md of the folder above). Camunda's tests find tasks by name; the
cases name them by the element id the model gives that name. Java delegates the models call are
microflows here that do what the Java class does.
"""

from __future__ import annotations

from engine import BpmnError

from ..harness import Case, Check, Complete, Message, RunJobs, Signal, Wait

PARALLEL = "bpmn/gateway/ParallelGatewayTest.java"


def _parallel_ends(method: str, process: str, gap: str | None = None) -> Case:
    """A ParallelGatewayTest that only asserts the instance ended at once."""
    return Case(
        name=f"parallel_gateway_{method}",
        source=f"{PARALLEL}#test{''.join(w.capitalize() for w in method.split('_'))}",
        construct="parallel gateway",
        files=(f"ParallelGatewayTest.test{''.join(w.capitalize() for w in method.split('_'))}.bpmn",),
        process=process,
        steps=(Check(status="completed"),),
        gap=gap,
    )


NESTED_ESCALATION_GAP = (
    "Camunda 7 lets only the innermost escalation boundary event catch the escalation; Flowbridge's "
    "inner and outer boundary events both catch it"
)


CASES = [
    # --- parallel gateway -------------------------------------------------------------------
    _parallel_ends("split_merge_no_waitstates", "forkJoinNoWaitStates"),
    _parallel_ends("unstructured_concurrency_two_forks", "unstructuredConcurrencyTwoForks"),
    _parallel_ends("unstructured_concurrency_two_joins", "unstructuredConcurrencyTwoJoins"),
    _parallel_ends("fork_followed_by_only_end_events", "forkFollowedByEndEvents"),
    _parallel_ends("nested_forks_followed_by_end_events", "nestedForksFollowedByEndEvents"),
    Case(
        name="parallel_gateway_nested_fork_join",
        source=f"{PARALLEL}#testNestedForkJoin",
        construct="parallel gateway",
        files=("ParallelGatewayTest.testNestedForkJoin.bpmn",),
        process="nestedForkJoin",
        steps=(
            Check(open=("Task_0",)),
            Complete("Task_0"),
            Check(open=("Task_A", "Task_B")),
            Complete("Task_A"),
            Check(open=("Task_B",)),
            Complete("Task_B"),
            Check(open=("Task_B1", "Task_B2")),
            Complete("Task_B1"),
            Complete("Task_B2"),
            Check(open=("Task_C",)),
        ),
    ),
    Case(
        name="parallel_gateway_fork_join",
        source=f"{PARALLEL}#testForkJoin",
        construct="parallel gateway",
        files=("ParallelGatewayTest.testForkJoin.bpmn",),
        process="forkJoin",
        steps=(
            Check(open=("receivePayment", "shipOrder")),
            Complete("receivePayment"),
            Complete("shipOrder"),
            Check(open=("archiveOrder",)),
        ),
    ),
    Case(
        name="parallel_gateway_unbalanced_fork_join",
        source=f"{PARALLEL}#testUnbalancedForkJoin",
        construct="parallel gateway",
        files=("ParallelGatewayTest.testUnbalancedForkJoin.bpmn",),
        process="UnbalancedForkJoin",
        steps=(
            Check(open=("task1", "task2", "task3")),
            Complete("task1"),
            Complete("task2"),
            Check(open=("task3", "task4")),
            Complete("task3"),
            Complete("task4"),
            Check(status="completed"),
        ),
    ),
]

# --- exclusive gateway ----------------------------------------------------------------------
EXCLUSIVE = "bpmn/gateway/ExclusiveGatewayTest.java"

CASES += [
    Case(
        name="xor_gateway_merging",
        source=f"{EXCLUSIVE}#testMergingExclusiveGateway",
        construct="exclusive gateway",
        files=("ExclusiveGatewayTest.testMergingExclusiveGateway.bpmn",),
        process="exclusiveGwMerging",
        steps=(Check(open=("theTask", "theTask", "theTask")),),
    ),
    Case(
        name="xor_gateway_multiple_valid_conditions_first_wins",
        source=f"{EXCLUSIVE}#testMultipleValidConditions",
        construct="exclusive gateway",
        files=("ExclusiveGatewayTest.testMultipleValidConditions.bpmn",),
        process="exclusiveGwMultipleValidConditions",
        variables={"input": 5},
        steps=(Check(open=("theTask2",)),),
    ),
    Case(
        name="xor_gateway_no_sequence_flow_selected",
        source=f"{EXCLUSIVE}#testNoSequenceFlowSelected",
        construct="exclusive gateway",
        files=("ExclusiveGatewayTest.testNoSequenceFlowSelected.bpmn",),
        process="exclusiveGwNoSeqFlowSelected",
        variables={"input": 4},
        error="exclusiveGw",
    ),
    Case(
        name="xor_gateway_whitespace_in_expression",
        source=f"{EXCLUSIVE}#testWhitespaceInExpression",
        construct="exclusive gateway",
        files=("ExclusiveGatewayTest.testWhitespaceInExpression.bpmn",),
        process="whiteSpaceInExpression",
        variables={"input": 1},
    ),
    Case(
        name="xor_gateway_unknown_variable_in_expression",
        source=f"{EXCLUSIVE}#testUnknownVariableInExpression",
        construct="exclusive gateway",
        files=("ExclusiveGatewayTest.testDivergingExclusiveGateway.bpmn",),
        process="exclusiveGwDiverging",
        variables={"iinput": 1},
        error="input",
    ),
    Case(
        name="xor_gateway_no_id_on_sequence_flow",
        source=f"{EXCLUSIVE}#testNoIdOnSequenceFlow",
        construct="exclusive gateway",
        files=("ExclusiveGatewayTest.testNoIdOnSequenceFlow.bpmn",),
        process="noIdOnSequenceFlow",
        variables={"input": 3},
        steps=(Check(open=("theTask2",)),),
    ),
    Case(
        name="xor_gateway_loop_with_many_iterations",
        source=f"{EXCLUSIVE}#testLoopWithManyIterations",
        construct="exclusive gateway loop",
        files=("ExclusiveGatewayTest.testLoopWithManyIterations.bpmn",),
        process="testProcess",
        variables={"numOfIterations": 1000},
        steps=(Check(status="completed"),),
    ),
    *[
        Case(
            name=f"xor_gateway_decision_input_{i}",
            source=f"{EXCLUSIVE}#testDecisionFunctionality",
            construct="exclusive gateway",
            files=("ExclusiveGatewayTest.testDecisionFunctionality.bpmn",),
            process="exclusiveGateway",
            variables={"input": i},
            steps=(Check(open=(f"theTask{i}",)),),
        )
        for i in (1, 2, 3)
    ],
    Case(
        name="xor_gateway_decision_input_4_no_flow",
        source=f"{EXCLUSIVE}#testDecisionFunctionality",
        construct="exclusive gateway",
        files=("ExclusiveGatewayTest.testDecisionFunctionality.bpmn",),
        process="exclusiveGateway",
        variables={"input": 4},
        error="exclusiveGw",
    ),
]

# --- inclusive gateway ----------------------------------------------------------------------
INCLUSIVE = "bpmn/gateway/InclusiveGatewayTest.java"

CASES += [
    *[
        Case(
            name=f"inclusive_gateway_diverging_input_{i}",
            source=f"{INCLUSIVE}#testDivergingInclusiveGateway",
            construct="inclusive gateway",
            files=("InclusiveGatewayTest.testDivergingInclusiveGateway.bpmn",),
            process="inclusiveGwDiverging",
            variables={"input": i},
            steps=(Check(open=tuple(f"theTask{n}" for n in (1, 2, 3) if n >= i)),),
        )
        for i in (1, 2, 3)
    ],
    Case(
        name="inclusive_gateway_merging",
        source=f"{INCLUSIVE}#testMergingInclusiveGateway",
        construct="inclusive gateway join",
        files=("InclusiveGatewayTest.testMergingInclusiveGateway.bpmn",),
        process="inclusiveGwMerging",
        variables={"input": 2},
        steps=(Check(open=("theTask",)),),
    ),
    Case(
        name="inclusive_gateway_partial_merging",
        source=f"{INCLUSIVE}#testPartialMergingInclusiveGateway",
        construct="inclusive gateway join",
        files=("InclusiveGatewayTest.testPartialMergingInclusiveGateway.bpmn",),
        process="partialInclusiveGwMerging",
        variables={"input": 2},
        steps=(
            Check(open=("partialTask",)),
            Complete("partialTask"),
            Check(open=("theTask",)),
        ),
    ),
    Case(
        name="inclusive_gateway_no_sequence_flow_selected",
        source=f"{INCLUSIVE}#testNoSequenceFlowSelected",
        construct="inclusive gateway",
        files=("InclusiveGatewayTest.testNoSequenceFlowSelected.bpmn",),
        process="inclusiveGwNoSeqFlowSelected",
        variables={"input": 4},
        error="inclusiveGw",
    ),
    Case(
        name="inclusive_gateway_parent_activation_on_non_joining_end",
        source=f"{INCLUSIVE}#testParentActivationOnNonJoiningEnd",
        construct="parallel gateway, ends without join",
        files=("InclusiveGatewayTest.testParentActivationOnNonJoiningEnd.bpmn",),
        process="parentActivationOnNonJoiningEnd",
        steps=(
            Check(open=("first_check", "first_check_2")),
            Complete("first_check"),
            Complete("first_check_2"),
            Check(open=("second_check", "second_check_2")),
            Complete("second_check"),
            Check(open=("second_check_2",)),
            Complete("second_check_2"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="inclusive_gateway_whitespace_in_expression",
        source=f"{INCLUSIVE}#testWhitespaceInExpression",
        construct="inclusive gateway",
        files=("InclusiveGatewayTest.testWhitespaceInExpression.bpmn",),
        process="inclusiveWhiteSpaceInExpression",
        variables={"input": 1},
    ),
    Case(
        name="inclusive_gateway_unknown_variable_in_expression",
        source=f"{INCLUSIVE}#testUnknownVariableInExpression",
        construct="inclusive gateway",
        files=("InclusiveGatewayTest.testDivergingInclusiveGateway.bpmn",),
        process="inclusiveGwDiverging",
        variables={"iinput": 1},
        error="input",
    ),
    *[
        Case(
            name=f"inclusive_gateway_default_flow_input_{i}",
            source=f"{INCLUSIVE}#testDefaultSequenceFlow",
            construct="inclusive gateway default flow",
            files=("InclusiveGatewayTest.testDefaultSequenceFlow.bpmn",),
            process="inclusiveGwDefaultSequenceFlow",
            variables={"input": i},
            steps=(Check(open=tasks),),
        )
        for i, tasks in ((1, ("theTask1", "theTask3")), (3, ("theTask3",)), (5, ("theTask2",)))
    ],
    Case(
        name="inclusive_gateway_split_merge_split",
        source=f"{INCLUSIVE}#testSplitMergeSplit",
        construct="inclusive gateway join with default flow",
        files=("InclusiveGatewayTest.testSplitMergeSplit.bpmn",),
        process="inclusiveGwSplitAndMerge",
        variables={"input": 1},
        steps=(
            Check(open=("theTask1", "theTask2")),
            Complete("theTask1"),
            Complete("theTask2"),
            Check(open=("theTask3",)),
        ),
    ),
    *[
        Case(
            name=f"inclusive_gateway_no_id_on_sequence_flow_input_{i}",
            source=f"{INCLUSIVE}#testNoIdOnSequenceFlow",
            construct="inclusive gateway",
            files=("InclusiveGatewayTest.testNoIdOnSequenceFlow.bpmn",),
            process="inclusiveNoIdOnSequenceFlow",
            variables={"input": i},
            steps=(Check(open=tasks),),
        )
        for i, tasks in ((3, ("theTask2",)), (1, ("theTask1", "theTask2")))
    ],
    Case(
        name="inclusive_gateway_join_after_subprocesses_both",
        source=f"{INCLUSIVE}#testJoinAfterSubprocesses",
        construct="inclusive gateway join after subprocesses",
        files=("InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn",),
        process="InclusiveGateway",
        variables={"a": 1, "b": 1},
        steps=(
            Check(open=("usertask1", "usertask2")),
            Complete("usertask1"),
            Check(open=("usertask2",)),
            Complete("usertask2"),
            Check(open=("usertask3",)),
            Complete("usertask3"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="inclusive_gateway_join_after_subprocesses_one",
        source=f"{INCLUSIVE}#testJoinAfterSubprocesses",
        construct="inclusive gateway join after subprocesses",
        files=("InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn",),
        process="InclusiveGateway",
        variables={"a": 1, "b": 2},
        steps=(
            Check(open=("usertask1",)),
            Complete("usertask1"),
            Check(open=("usertask3",)),
            Complete("usertask3"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="inclusive_gateway_join_after_subprocesses_none",
        source=f"{INCLUSIVE}#testJoinAfterSubprocesses",
        construct="inclusive gateway join after subprocesses",
        files=("InclusiveGatewayTest.testJoinAfterSubprocesses.bpmn",),
        process="InclusiveGateway",
        variables={"a": 2, "b": 2},
        error="inclusivegateway1",
    ),
    *[
        Case(
            name=f"inclusive_gateway_decision_input_{i}",
            source=f"{INCLUSIVE}#testDecisionFunctionality",
            construct="inclusive gateway",
            files=("InclusiveGatewayTest.testDecisionFunctionality.bpmn",),
            process="inclusiveGateway",
            variables={"input": i},
            steps=(Check(open=tuple(f"theTask{n}" for n in (1, 2, 3) if n >= i)),),
        )
        for i in (1, 2, 3)
    ],
    Case(
        name="inclusive_gateway_decision_input_4_no_flow",
        source=f"{INCLUSIVE}#testDecisionFunctionality",
        construct="inclusive gateway",
        files=("InclusiveGatewayTest.testDecisionFunctionality.bpmn",),
        process="inclusiveGateway",
        variables={"input": 4},
        error="inclusiveGw",
    ),
    *[
        Case(
            name=f"inclusive_gateway_join_after_{what}",
            source=f"{INCLUSIVE}#testJoinAfter{method}",
            construct="inclusive gateway join",
            files=(f"InclusiveGatewayTest.testJoinAfter{method}.bpmn",),
            process="process",
            steps=(
                Complete("task"),
                Check(not_completed=("inclusiveJoin",)),
            ),
        )
        for what, method in (
            ("sequential_multi_instance_subprocess", "SequentialMultiInstanceSubProcess"),
            ("parallel_multi_instance_subprocess", "ParallelMultiInstanceSubProcess"),
            ("nested_scopes", "NestedScopes"),
        )
    ],
    *[
        Case(
            name=f"inclusive_gateway_join_after_{what}",
            source=f"{INCLUSIVE}#testJoinAfter{method}",
            construct="inclusive gateway join after event-based gateway",
            files=(f"InclusiveGatewayTest.testJoinAfter{method}.bpmn",),
            process="process",
            steps=(
                Complete("theTask"),
                Check(open=()),
                Message("foo"),
                Check(open=("taskAfterJoin",)),
            ),
        )
        for what, method in (
            ("event_based_gateway", "EventBasedGateway"),
            ("event_based_gateway_in_subprocess", "EventBasedGatewayInSubProcess"),
            ("event_based_gateway_contained_in_subprocess", "EventBasedGatewayContainedInSubProcess"),
        )
    ],
]

# --- event-based gateway --------------------------------------------------------------------
EVENT_GATEWAY = "bpmn/gateway/EventBasedGatewayTest.java"

CASES += [
    Case(
        # Camunda's test throws the signal from a second process (throwAlertSignal); here the
        # signal is broadcast.
        name="event_based_gateway_signal_cancels_timer",
        source=f"{EVENT_GATEWAY}#testCatchSignalCancelsTimer",
        construct="event-based gateway (signal, timer)",
        files=("EventBasedGatewayTest.testCatchAlertAndTimer.bpmn",),
        process="catchSignal",
        steps=(
            Check(status="waiting", open=()),
            Signal("alert"),
            Check(open=("task2",)),
            Complete("task2"),
        ),
    ),
    Case(
        name="event_based_gateway_timer_cancels_signal",
        source=f"{EVENT_GATEWAY}#testCatchTimerCancelsSignal",
        construct="event-based gateway (signal, timer)",
        files=("EventBasedGatewayTest.testCatchAlertAndTimer.bpmn",),
        process="catchSignal",
        steps=(
            Check(status="waiting", open=()),
            Wait(10),
            Check(open=("task1",)),
            Complete("task1"),
        ),
    ),
    Case(
        name="event_based_gateway_message_wins",
        source=f"{EVENT_GATEWAY}#testCatchSignalAndMessageAndTimer",
        construct="event-based gateway (signal, message, timer)",
        files=("EventBasedGatewayTest.testCatchSignalAndMessageAndTimer.bpmn",),
        process="catchSignal",
        steps=(
            Check(status="waiting", open=()),
            Message("newInvoice"),
            Check(open=("task3",)),
            Complete("task3"),
        ),
    ),
    Case(
        name="event_based_gateway_time_cycle",
        source=f"{EVENT_GATEWAY}#testTimeCycle",
        construct="event-based gateway (signal, cron timer)",
        files=("EventBasedGatewayTest.testTimeCycle.bpmn",),
        process="process",
        steps=(
            Wait(300),
            Check(open=("task1",)),
            Complete("task1"),
            Check(status="completed"),
        ),
    ),
]

# --- timer boundary events ------------------------------------------------------------------
TIMER_BOUNDARY = "bpmn/event/timer/BoundaryTimerEventTest.java"
TIMER_NON_INTERRUPTING = "bpmn/event/timer/BoundaryTimerNonInterruptingEventTest.java"
HOUR = 3600

CASES += [
    Case(
        name="timer_boundary_multiple_timers_on_user_task",
        source=f"{TIMER_BOUNDARY}#testMultipleTimersOnUserTask",
        construct="interrupting timer boundary event",
        files=("BoundaryTimerEventTest.testMultipleTimersOnUserTask.bpmn",),
        process="multipleTimersOnUserTask",
        steps=(
            Check(open=("firstTask",)),
            Wait(HOUR + 5),
            Check(open=("thirdTask",), completed=("escalationTimer2",)),
        ),
    ),
    Case(
        name="timer_boundary_on_nesting_of_subprocesses",
        source=f"{TIMER_BOUNDARY}#testTimerOnNestingOfSubprocesses",
        construct="interrupting timer boundary event on a subprocess",
        files=("BoundaryTimerEventTest.testTimerOnNestingOfSubprocesses.bpmn",),
        process="timerOnNestedSubprocesses",
        steps=(
            Check(open=("innerTask1", "innerTask2")),
            Wait(2 * HOUR),
            Check(open=("taskAfterCatch",)),
        ),
    ),
    Case(
        name="timer_boundary_expression",
        source=f"{TIMER_BOUNDARY}#testExpressionOnTimer",
        construct="interrupting timer boundary event, duration expression",
        files=("BoundaryTimerEventTest.testExpressionOnTimer.bpmn",),
        process="testExpressionOnTimer",
        variables={"duration": "PT1H"},
        steps=(
            Check(status="waiting", open=("task",)),
            Wait(HOUR + 5),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_in_single_transaction_process",
        source=f"{TIMER_BOUNDARY}#testTimerInSingleTransactionProcess",
        construct="interrupting timer boundary event on a subprocess",
        files=("BoundaryTimerEventTest.testTimerInSingleTransactionProcess.bpmn",),
        process="timerOnSubprocesses",
        steps=(Check(status="completed", not_completed=("boundaryTimer",)),),
    ),
    Case(
        name="timer_boundary_repeating_timer_with_cancel_activity",
        source=f"{TIMER_BOUNDARY}#testRepeatingTimerWithCancelActivity",
        construct="interrupting cron cycle timer boundary event looping back",
        files=("BoundaryTimerEventTest.testRepeatingTimerWithCancelActivity.bpmn",),
        process="repeatingTimerAndCallActivity",
        steps=(
            Check(open=("task",)),
            Wait(10),
            Check(open=("task",), completed=("boundarytimer1",)),
        ),
    ),
    Case(
        name="timer_boundary_multiple_outgoing_sequence_flows",
        source=f"{TIMER_BOUNDARY}#testMultipleOutgoingSequenceFlows",
        construct="interrupting timer boundary event with two outgoing flows",
        files=("BoundaryTimerEventTest.testMultipleOutgoingSequenceFlows.bpmn",),
        process="interruptingTimer",
        steps=(
            Wait(10),
            Check(open=("timerFiredTask1", "timerFiredTask2")),
            Complete("timerFiredTask1"),
            Complete("timerFiredTask2"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_multiple_outgoing_sequence_flows_on_subprocess",
        source=f"{TIMER_BOUNDARY}#testMultipleOutgoingSequenceFlowsOnSubprocess",
        construct="interrupting timer boundary event with two outgoing flows on a subprocess",
        files=("BoundaryTimerEventTest.testMultipleOutgoingSequenceFlowsOnSubprocess.bpmn",),
        process="interruptingTimer",
        steps=(
            Wait(10),
            Check(open=("timerFiredTask1", "timerFiredTask2")),
            Complete("timerFiredTask1"),
            Complete("timerFiredTask2"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_interrupting_duration",
        source=f"{TIMER_BOUNDARY}#testInterruptingTimerDuration",
        construct="interrupting timer boundary event",
        files=("BoundaryTimerEventTest.testInterruptingTimerDuration.bpmn",),
        process="escalationExample",
        steps=(
            Check(open=("firstLineSupport",)),
            Wait(5 * 60),
            Check(open=("handleEscalation",)),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_multiple_timers_on_user_task",
        source=f"{TIMER_NON_INTERRUPTING}#testMultipleTimersOnUserTask",
        construct="non-interrupting timer boundary event",
        files=("BoundaryTimerNonInterruptingEventTest.testMultipleTimersOnUserTask.bpmn",),
        process="nonInterruptingTimersOnUserTask",
        steps=(
            Check(open=("firstTask",)),
            Wait(HOUR + 5),
            Check(open=("firstTask", "secondTask")),
            Complete("secondTask"),
            Check(open=("firstTask",)),
            Wait(HOUR),
            Check(open=("firstTask", "thirdTask")),
            Complete("firstTask"),
            Check(open=("thirdTask",)),
            Complete("thirdTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_join",
        source=f"{TIMER_NON_INTERRUPTING}#testJoin",
        construct="non-interrupting timer boundary event joined by a parallel gateway",
        files=("BoundaryTimerNonInterruptingEventTest.testJoin.bpmn",),
        process="testJoin",
        steps=(
            Check(open=("Main_Task",)),
            Wait(HOUR),
            Check(open=("Escalation_Task", "Main_Task")),
            Complete("Main_Task"),
            Check(open=("Escalation_Task",)),
            Complete("Escalation_Task"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_on_concurrent_tasks",
        source=f"{TIMER_NON_INTERRUPTING}#testTimerOnConcurrentTasks",
        construct="non-interrupting timer boundary event",
        files=("BoundaryTimerNonInterruptingEventTest.testTimerOnConcurrentTasks.bpmn",),
        process="nonInterruptingOnConcurrentTasks",
        steps=(
            Check(open=("firstTask", "secondTask")),
            Wait(HOUR),
            Check(open=("firstTask", "secondTask", "timerFiredTask")),
            Complete("timerFiredTask"),
            Check(open=("firstTask", "secondTask")),
            Complete("firstTask"),
            Complete("secondTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_cycle",
        source=f"{TIMER_NON_INTERRUPTING}#testTimerWithCycle",
        construct="non-interrupting cycle timer boundary event",
        files=("BoundaryTimerNonInterruptingEventTest.testTimerWithCycle.bpmn",),
        process="nonInterruptingCycle",
        steps=(
            Check(open=("task",)),
            Wait(HOUR),
            Check(open=("task", "timerFiredTask")),
            Wait(HOUR),
            Check(open=("task", "timerFiredTask", "timerFiredTask")),
            Complete("task"),
            Wait(HOUR),
            Check(open=("timerFiredTask", "timerFiredTask")),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_on_embedded_subprocess",
        source=f"{TIMER_NON_INTERRUPTING}#testTimerOnEmbeddedSubprocess",
        construct="non-interrupting timer boundary event on a subprocess",
        files=("BoundaryTimerNonInterruptingEventTest.testTimerOnEmbeddedSubprocess.bpmn",),
        process="nonInterruptingTimerOnEmbeddedSubprocess",
        steps=(
            Check(open=("UserTask_1",)),
            Wait(3),
            Check(open=("UserTask_1", "UserTask_2")),
            Complete("UserTask_1"),
            Complete("UserTask_2"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_boundary_non_interrupting_multiple_outgoing_sequence_flows",
        source=f"{TIMER_NON_INTERRUPTING}#testMultipleOutgoingSequenceFlows",
        construct="non-interrupting timer boundary event with two outgoing flows",
        files=("BoundaryTimerNonInterruptingEventTest.testMultipleOutgoingSequenceFlows.bpmn",),
        process="nonInterruptingTimer",
        steps=(
            Wait(5),
            Check(open=("task", "timerFiredTask1", "timerFiredTask2")),
            Complete("task"),
            Complete("timerFiredTask1"),
            Complete("timerFiredTask2"),
            Check(status="completed"),
        ),
    ),
]

# --- intermediate timer events and timer event subprocesses ---------------------------------
TIMER_INTERMEDIATE = "bpmn/event/timer/IntermediateTimerEventTest.java"
TIMER_START = "bpmn/event/timer/StartTimerEventTest.java"


def dummy_service_task() -> dict:
    """DummyServiceTask: records that it ran (a static flag in Java; here, its completion)."""
    return {}


DUMMY = {"DummyServiceTask": dummy_service_task}

CASES += [
    Case(
        name="timer_intermediate_catching",
        source=f"{TIMER_INTERMEDIATE}#testCatchingTimerEvent",
        construct="intermediate timer catch event",
        files=("IntermediateTimerEventTest.testCatchingTimerEvent.bpmn",),
        process="intermediateTimerEventExample",
        steps=(
            Check(status="waiting"),
            Wait(50 * 60 + 5),
            Check(status="completed"),
        ),
    ),
    Case(
        # Camunda's test passes the current time (as a Date and as a string) and runs the job it
        # finds; a time in the past is as due, and Flowbridge fires a due timer when it is reached.
        name="timer_intermediate_date_expression",
        source=f"{TIMER_INTERMEDIATE}#testExpression",
        construct="intermediate timer catch event, date expression",
        files=("IntermediateTimerEventTest.testExpression.bpmn",),
        process="intermediateTimerEventExample",
        variables={"dueDate": "2020-01-01T00:00:00"},
        # The timer is due at once, but it is a job: the instance waits until the job runs.
        steps=(Check(status="waiting"), RunJobs(), Check(status="completed")),
    ),
    Case(
        name="timer_intermediate_time_cycle",
        source=f"{TIMER_INTERMEDIATE}#testTimeCycle",
        construct="intermediate timer catch event, cron cycle",
        files=("IntermediateTimerEventTest.testTimeCycle.bpmn",),
        process="process",
        steps=(
            Wait(300),
            Check(open=("task",)),
            Complete("task"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="timer_event_subprocess_interrupting",
        source=f"{TIMER_START}#testStartTimerEventInEventSubProcess",
        construct="interrupting timer event subprocess",
        files=("StartTimerEventTest.testStartTimerEventInEventSubProcess.bpmn",),
        process="startTimerEventInEventSubProcess",
        microflows=DUMMY,
        steps=(
            Check(open=("userTask",)),
            Wait(60),
            Check(status="completed", open=(), completed=("subprocessServiceTask",)),
        ),
    ),
    Case(
        name="timer_event_subprocess_non_interrupting",
        source=f"{TIMER_START}#testNonInterruptingStartTimerEventInEventSubProcess",
        construct="non-interrupting timer event subprocess",
        files=("StartTimerEventTest.testNonInterruptingStartTimerEventInEventSubProcess.bpmn",),
        process="nonInterruptingStartTimerEventInEventSubProcess",
        microflows=DUMMY,
        steps=(
            Check(open=("userTask",)),
            Wait(60),
            Check(status="waiting", open=("userTask",), completed=("subprocessServiceTask",)),
        ),
    ),
    Case(
        name="timer_event_subprocess_interrupting_in_subprocess",
        source=f"{TIMER_START}#testStartTimerEventSubProcessInSubProcess",
        construct="interrupting timer event subprocess in a subprocess",
        files=("StartTimerEventTest.testStartTimerEventSubProcessInSubProcess.bpmn",),
        process="startTimerEventSubProcessInSubProcess",
        microflows=DUMMY,
        steps=(
            Check(open=("userTask",)),
            Wait(60),
            Check(status="completed", open=(), completed=("subprocessServiceTask",)),
        ),
    ),
    Case(
        name="timer_event_subprocess_non_interrupting_in_subprocess",
        source=f"{TIMER_START}#testNonInterruptingStartTimerEventSubProcessInSubProcess",
        construct="non-interrupting timer event subprocess in a subprocess",
        files=("StartTimerEventTest.testNonInterruptingStartTimerEventSubProcessInSubProcess.bpmn",),
        process="nonInterruptingStartTimerEventSubProcessInSubProcess",
        microflows=DUMMY,
        steps=(
            Check(open=("userTask",)),
            Wait(60),
            Check(status="waiting", open=("userTask",), completed=("subprocessServiceTask",)),
        ),
    ),
    Case(
        name="timer_event_subprocess_two_event_subprocesses",
        source=f"{TIMER_START}#testStartTimerEventWithTwoEventSubProcesses",
        construct="two interrupting timer event subprocesses",
        files=("StartTimerEventTest.testStartTimerEventWithTwoEventSubProcesses.bpmn",),
        process="startTimerEventWithTwoEventSubProcesses",
        microflows=DUMMY,
        steps=(
            Check(open=("userTask",)),
            Wait(60),
            Check(
                status="completed",
                open=(),
                completed=("subprocessServiceTask",),
                not_completed=("secondSubprocessServiceTask",),
            ),
        ),
    ),
    Case(
        name="timer_event_subprocess_with_user_task",
        source=f"{TIMER_START}#testStartTimerEventSubProcessWithUserTask",
        construct="two interrupting timer event subprocesses",
        files=("StartTimerEventTest.testStartTimerEventSubProcessWithUserTask.bpmn",),
        process="startTimerEventSubProcessWithUserTask",
        steps=(
            Check(open=("userTask",)),
            Wait(60),
            Check(status="waiting", open=("subprocessUserTask",)),
        ),
    ),
]

# --- message events -------------------------------------------------------------------------
MESSAGE_BOUNDARY = "bpmn/event/message/MessageBoundaryEventTest.java"
MESSAGE_INTERMEDIATE = "bpmn/event/message/MessageIntermediateEventTest.java"
MESSAGE_NON_INTERRUPTING = "bpmn/event/message/MessageNonInterruptingBoundaryEventTest.java"

CASES += [
    Case(
        name="message_boundary_single_message_received",
        source=f"{MESSAGE_BOUNDARY}#testSingleBoundaryMessageEvent",
        construct="interrupting message boundary event",
        files=("MessageBoundaryEventTest.testSingleBoundaryMessageEvent.bpmn",),
        process="process",
        steps=(
            Check(open=("task",)),
            Message("messageName"),
            Check(open=("taskAfterMessage",)),
            Complete("taskAfterMessage"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="message_boundary_single_task_completed",
        source=f"{MESSAGE_BOUNDARY}#testSingleBoundaryMessageEvent",
        construct="interrupting message boundary event",
        files=("MessageBoundaryEventTest.testSingleBoundaryMessageEvent.bpmn",),
        process="process",
        steps=(
            Complete("task"),
            Check(open=("taskAfterTask",)),
            Complete("taskAfterTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="message_boundary_double_first_message_wins",
        source=f"{MESSAGE_BOUNDARY}#testDoubleBoundaryMessageEvent",
        construct="two interrupting message boundary events",
        files=("MessageBoundaryEventTest.testDoubleBoundaryMessageEvent.bpmn",),
        process="process",
        steps=(
            Check(open=("task",)),
            Message("messageName_1"),
            Check(open=("taskAfterMessage_1",)),
            Complete("taskAfterMessage_1"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="message_boundary_inside_subprocess",
        source=f"{MESSAGE_BOUNDARY}#testBoundaryMessageEventInsideSubprocess",
        construct="interrupting message boundary event inside a subprocess",
        files=("MessageBoundaryEventTest.testBoundaryMessageEventInsideSubprocess.bpmn",),
        process="process",
        steps=(
            Check(open=("task",)),
            Message("messageName"),
            Check(open=("taskAfterMessage",)),
            Complete("taskAfterMessage"),
            Check(status="completed"),
        ),
    ),
    *[
        Case(
            name=f"message_boundary_on_subprocess_message_{which}",
            source=f"{MESSAGE_BOUNDARY}#testBoundaryMessageEventOnSubprocess",
            construct="interrupting message boundary events on a subprocess",
            files=("MessageBoundaryEventTest.testBoundaryMessageEventOnSubprocess.bpmn",),
            process="process",
            steps=(
                Check(open=("taskSubProcess",)),
                Message(f"messageName_{which}"),
                Check(open=(f"taskAfterMessage_{which}",)),
                Complete(f"taskAfterMessage_{which}"),
                Check(status="completed"),
            ),
        )
        for which in ("one", "two")
    ],
    Case(
        name="message_boundary_concurrent",
        source=f"{MESSAGE_BOUNDARY}#testBoundaryMessageEventConcurrent",
        construct="interrupting message boundary events on parallel tasks",
        files=("MessageBoundaryEventTest.testBoundaryMessageEventConcurrent.bpmn",),
        process="boundaryEvent",
        steps=(
            Message("task1Message"),
            Check(open=("task1AfterMessage", "task2")),
        ),
    ),
    Case(
        name="message_intermediate_single",
        source=f"{MESSAGE_INTERMEDIATE}#testSingleIntermediateMessageEvent",
        construct="intermediate message catch event",
        files=("MessageIntermediateEventTest.testSingleIntermediateMessageEvent.bpmn",),
        process="process",
        steps=(
            Check(status="waiting", open=()),
            Message("newInvoiceMessage"),
            Check(open=("task",)),
            Complete("task"),
        ),
    ),
    Case(
        name="message_intermediate_concurrent",
        source=f"{MESSAGE_INTERMEDIATE}#testConcurrentIntermediateMessageEvent",
        construct="intermediate message catch events on parallel paths",
        files=("MessageIntermediateEventTest.testConcurrentIntermediateMessageEvent.bpmn",),
        process="process",
        steps=(
            Check(status="waiting", open=()),
            Message("newInvoiceMessage"),
            Check(open=()),
            Message("newInvoiceMessage"),
            Check(open=("task",)),
            Complete("task"),
        ),
    ),
    Case(
        name="message_boundary_non_interrupting_single",
        source=f"{MESSAGE_NON_INTERRUPTING}#testSingleNonInterruptingBoundaryMessageEvent",
        construct="non-interrupting message boundary event",
        files=("MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundaryMessageEvent.bpmn",),
        process="process",
        steps=(
            Check(open=("task",)),
            Message("messageName"),
            Check(open=("task", "taskAfterMessage")),
            Complete("taskAfterMessage"),
            Check(status="waiting"),
            Message("messageName"),
            Check(open=("task", "taskAfterMessage")),
            Complete("taskAfterMessage"),
            Check(status="waiting"),
            Complete("task"),
            Check(open=("taskAfterTask",)),
            Complete("taskAfterTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="message_boundary_non_interrupting_on_subprocess_with_terminate",
        source=f"{MESSAGE_NON_INTERRUPTING}#testNonInterruptingEventInCombinationWithUserTask",
        construct="non-interrupting message boundary event on a subprocess ending in terminate",
        files=(
            "MessageNonInterruptingBoundaryEventTest.testNonInterruptingEventInCombinationWithUserTask.bpmn",
        ),
        process="process",
        steps=(
            Message("firstMessage"),
            Check(open=("innerTask", "task1")),
            Complete("innerTask"),
            Check(open=("task1", "task2")),
            Complete("task1"),
            Complete("task2"),
            Check(status="completed"),
        ),
    ),
]

# --- error events ---------------------------------------------------------------------------
ERROR_BOUNDARY = "bpmn/event/error/BoundaryErrorEventTest.java"
ERROR_EVENT_SUBPROCESS = "bpmn/event/error/ErrorEventSubProcessTest.java"


def throw_bpmn_error(
    executionsBeforeError: int | None = None,
    executions: int | None = None,
    exceptionType: bool | None = None,
) -> dict:
    """ThrowBpmnErrorDelegate: throws BpmnError 23 (or MyBusinessException, which Camunda 7 maps to
    the error whose code is its class name) until it has run `executionsBeforeError` times."""
    executions = (executions or 0) + 1
    if executionsBeforeError is None or executionsBeforeError < executions:
        if exceptionType:
            raise BpmnError("org.camunda.bpm.engine.test.bpmn.event.error.MyBusinessException")
        raise BpmnError("23", "This is a business fault, which can be caught by a BPMN Error Event.")
    return {"executions": executions}


THROW_BPMN_ERROR = {"ThrowBpmnErrorDelegate": throw_bpmn_error}
IMPLICIT_END_GAP = (
    "Camunda 7 ends the instance when the task after the service task's error boundary event, which"
    " has no outgoing flow, completes; Flowbridge leaves the instance 'waiting' with nothing open"
    " and nothing waited for"
)

CASES += [
    Case(
        name="error_boundary_on_embedded_subprocess",
        source=f"{ERROR_BOUNDARY}#testCatchErrorOnEmbeddedSubprocess",
        construct="error end event caught by a catch-all error boundary event on a subprocess",
        files=("BoundaryErrorEventTest.testCatchErrorOnEmbeddedSubprocess.bpmn",),
        process="boundaryErrorOnEmbeddedSubprocess",
        steps=(
            Check(open=("subprocessTask",)),
            Complete("subprocessTask"),
            Check(open=("taskAfterErrorCatch",)),
        ),
    ),
    Case(
        name="error_boundary_inner_error_caught_on_outer_subprocess",
        source=f"{ERROR_BOUNDARY}#testCatchErrorOfInnerSubprocessOnOuterSubprocess",
        construct="error boundary event on the outer of nested subprocesses",
        files=("BoundaryErrorEventTest.testCatchErrorOfInnerSubprocessOnOuterSubprocess.bpmn",),
        process="boundaryErrorTest",
        steps=(
            Check(open=("innerTask1", "innerTask2")),
            Complete("innerTask2"),
            Check(open=("taskAfterErrorCatch",)),
        ),
    ),
    Case(
        name="error_boundary_concurrent_subprocesses_task_a",
        source=f"{ERROR_BOUNDARY}#testCatchErrorInConcurrentEmbeddedSubprocesses",
        construct="error boundary events on concurrent nested subprocesses",
        files=("BoundaryErrorEventTest.testCatchErrorInConcurrentEmbeddedSubprocesses.bpmn",),
        process="boundaryEventTestConcurrentSubprocesses",
        steps=(
            Check(open=("taskA", "taskB")),
            Complete("taskA"),
            Check(open=("taskD",)),
            Complete("taskD"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_boundary_concurrent_subprocesses_task_b",
        source=f"{ERROR_BOUNDARY}#testCatchErrorInConcurrentEmbeddedSubprocesses",
        construct="error boundary events on concurrent nested subprocesses",
        files=("BoundaryErrorEventTest.testCatchErrorInConcurrentEmbeddedSubprocesses.bpmn",),
        process="boundaryEventTestConcurrentSubprocesses",
        steps=(
            Check(open=("taskA", "taskB")),
            Complete("taskB"),
            Check(open=("taskA", "taskC")),
            Complete("taskC"),
            Check(open=("taskA",)),
            Complete("taskA"),
            Check(open=("taskD",)),
        ),
    ),
    Case(
        name="error_boundary_deeply_nested_input_1",
        source=f"{ERROR_BOUNDARY}#testDeeplyNestedErrorThrown",
        construct="error end event caught five subprocesses up",
        files=("BoundaryErrorEventTest.testDeeplyNestedErrorThrown.bpmn",),
        process="deeplyNestedErrorThrown",
        steps=(
            Check(open=("taskInSubprocess",)),
            Complete("taskInSubprocess", {"input": 1}),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_boundary_deeply_nested_input_2",
        source=f"{ERROR_BOUNDARY}#testDeeplyNestedErrorThrown",
        construct="error end event caught five subprocesses up",
        files=("BoundaryErrorEventTest.testDeeplyNestedErrorThrown.bpmn",),
        process="deeplyNestedErrorThrown",
        steps=(
            Check(open=("taskInSubprocess",)),
            Complete("taskInSubprocess", {"input": 2}),
            Check(open=("taskAfterCatch",)),
            Complete("taskAfterCatch"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_boundary_deeply_nested_only_automatic_steps",
        source=f"{ERROR_BOUNDARY}#testDeeplyNestedErrorThrownOnlyAutomaticSteps",
        construct="error end event caught five subprocesses up",
        files=("BoundaryErrorEventTest.testDeeplyNestedErrorThrownOnlyAutomaticSteps.bpmn",),
        process="deeplyNestedErrorThrown",
        variables={"input": 1},
        steps=(Check(status="completed", completed=("processEnd1",), not_completed=("processEnd2",)),),
    ),
    Case(
        name="error_boundary_on_parallel_multi_instance",
        source=f"{ERROR_BOUNDARY}#testCatchErrorOnParallelMultiInstance",
        construct="error boundary event on a parallel multi-instance subprocess",
        files=("BoundaryErrorEventTest.testCatchErrorOnParallelMultiInstance.bpmn",),
        process="catchErrorOnParallelMi",
        steps=(
            Check(open=("subProcessTask",) * 5),
            Complete("subProcessTask", {"throwError": False}),
            Complete("subProcessTask", {"throwError": False}),
            Complete("subProcessTask", {"throwError": True}),
            Check(status="completed", open=()),
        ),
    ),
    Case(
        name="error_boundary_on_sequential_multi_instance",
        source=f"{ERROR_BOUNDARY}#testCatchErrorOnSequentialMultiInstance",
        construct="error boundary event on a sequential multi-instance subprocess",
        files=("BoundaryErrorEventTest.testCatchErrorOnSequentialMultiInstance.bpmn",),
        process="catchErrorOnSequentialMi",
        steps=(
            Complete("subProcessTask", {"throwError": False}),
            Complete("subProcessTask", {"throwError": True}),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_boundary_thrown_by_delegate_on_service_task",
        source=f"{ERROR_BOUNDARY}#testCatchErrorThrownByJavaDelegateOnServiceTask",
        construct="error boundary event on a service task whose delegate throws BpmnError",
        files=("BoundaryErrorEventTest.testCatchErrorThrownByJavaDelegateOnServiceTask.bpmn",),
        process="catchErrorThrownByJavaDelegateOnServiceTask",
        microflows=THROW_BPMN_ERROR,
        steps=(
            Check(open=("escalatedTask",)),
            Complete("escalatedTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_boundary_exception_thrown_by_delegate_on_service_task",
        source=f"{ERROR_BOUNDARY}#testCatchErrorThrownByJavaDelegateOnServiceTask",
        construct="error boundary event whose error code names an exception class",
        files=("BoundaryErrorEventTest.testCatchErrorThrownByJavaDelegateOnServiceTask.bpmn",),
        process="catchErrorThrownByJavaDelegateOnServiceTask",
        variables={"exceptionType": True},
        microflows=THROW_BPMN_ERROR,
        steps=(
            Check(open=("escalatedExceptionTask",)),
            Complete("escalatedExceptionTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_boundary_thrown_by_delegate_with_error_code",
        source=f"{ERROR_BOUNDARY}#testCatchErrorThrownByJavaDelegateOnServiceTaskWithErrorCode",
        construct="error boundary events with different error codes on a service task",
        files=("BoundaryErrorEventTest.testCatchErrorThrownByJavaDelegateOnServiceTaskWithErrorCode.bpmn",),
        process="catchErrorThrownByJavaDelegateOnServiceTaskWithErrorCode",
        microflows=THROW_BPMN_ERROR,
        steps=(
            Check(open=("escalatedTask",)),
            Complete("escalatedTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_event_subprocess_takes_precedence_over_boundary",
        source=f"{ERROR_EVENT_SUBPROCESS}#testEventSubprocessTakesPrecedence",
        construct="error event subprocess and error boundary event on the same subprocess",
        files=("ErrorEventSubProcessTest.testEventSubprocessTakesPrecedence.bpmn",),
        process="CatchErrorInEmbeddedSubProcess",
        steps=(
            Check(open=("taskAfterErrorCatch",)),
            Complete("taskAfterErrorCatch"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_event_subprocess_error_code_takes_precedence",
        source=f"{ERROR_EVENT_SUBPROCESS}#testErrorCodeTakesPrecedence",
        construct="error event subprocesses, one catching all and one the code",
        files=("ErrorEventSubProcessTest.testErrorCodeTakesPrecedence.bpmn",),
        process="CatchErrorInEmbeddedSubProcess",
        steps=(
            Check(open=("taskAfterErrorCatch2",)),
            Complete("taskAfterErrorCatch2"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_event_subprocess_in_embedded_subprocess",
        source=f"{ERROR_EVENT_SUBPROCESS}#testCatchErrorInEmbeddedSubProcess",
        construct="error event subprocess in a subprocess",
        files=("ErrorEventSubProcessTest.testCatchErrorInEmbeddedSubProcess.bpmn",),
        process="CatchErrorInEmbeddedSubProcess",
        steps=(
            Check(open=("taskAfterErrorCatch",)),
            Complete("taskAfterErrorCatch"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="error_thrown_in_timer_event_subprocess_caught_on_subprocess",
        source=f"{ERROR_EVENT_SUBPROCESS}#testThrownAnErrorInEventSubprocessInSubprocess",
        construct="error end event in a non-interrupting timer event subprocess, caught on the subprocess",
        files=("ErrorEventSubProcessTest.testThrownAnErrorInEventSubprocessInSubprocess.bpmn",),
        process="eventSubProcess",
        steps=(
            Check(open=("UserTask_inside",)),
            Wait(10),
            Check(open=("UserTask_afterCatch",)),
        ),
    ),
]

# --- terminate end events -------------------------------------------------------------------
TERMINATE = "bpmn/event/end/TerminateEndEventTest.java"

CASES += [
    Case(
        name="terminate_end_process",
        source=f"{TERMINATE}#testProcessTerminate",
        construct="terminate end event",
        files=("TerminateEndEventTest.testProcessTerminate.bpmn",),
        process="terminateEndEventExample",
        steps=(
            Check(open=("preNormalTerminateTask", "preTerminateTask")),
            Complete("preTerminateTask"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="terminate_end_with_subprocess",
        source=f"{TERMINATE}#testTerminateWithSubProcess",
        construct="terminate end event beside a running subprocess",
        files=("TerminateEndEventTest.testTerminateWithSubProcess.bpmn",),
        process="terminateEndEventExample",
        steps=(
            Check(open=("preNormalEnd", "preTerminateEnd")),
            Complete("preTerminateEnd"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="terminate_end_in_subprocess",
        source=f"{TERMINATE}#testTerminateInSubProcess",
        construct="terminate end event in a subprocess",
        files=("TerminateEndEventTest.testTerminateInSubProcess.bpmn",),
        process="terminateEndEventExample",
        steps=(
            Check(status="waiting", open=("preNormalEnd",)),
            Complete("preNormalEnd"),
            Check(status="completed"),
        ),
    ),
    Case(
        name="terminate_end_in_subprocess_concurrent",
        source=f"{TERMINATE}#testTerminateInSubProcessConcurrent",
        construct="terminate end event in a subprocess, beside a task of the subprocess",
        files=("TerminateEndEventTest.testTerminateInSubProcessConcurrent.bpmn",),
        process="terminateEndEventExample",
        steps=(
            Check(status="waiting", open=("preNormalEnd",)),
            Complete("preNormalEnd"),
            Check(status="completed"),
        ),
    ),
]

# --- escalation events ----------------------------------------------------------------------
ESCALATION = "bpmn/event/escalation/EscalationEventTest.java"

CASES += [
    Case(
        name="escalation_thrown_from_embedded_subprocess",
        source=f"{ESCALATION}#testThrowEscalationEventFromEmbeddedSubprocess",
        construct="escalation throw event caught by a non-interrupting boundary event",
        files=("EscalationEventTest.testThrowEscalationEventFromEmbeddedSubprocess.bpmn",),
        process="escalationProcess",
        steps=(Check(open=("taskAfterCatchedEscalation", "taskInSubprocess")),),
    ),
    Case(
        name="escalation_hierarchical",
        source=f"{ESCALATION}#testThrowEscalationEventHierarchical",
        construct="escalation caught by the innermost boundary event",
        files=("EscalationEventTest.testThrowEscalationEventHierarchical.bpmn",),
        process="escalationProcess",
        steps=(Check(open=("taskAfterCatchedEscalationInsideSubprocess", "taskInSubprocess")),),
    ),
    Case(
        name="escalation_boundary_with_escalation_code",
        source=f"{ESCALATION}#testBoundaryEventWithEscalationCode",
        construct="escalation boundary events with different codes",
        files=("EscalationEventTest.testBoundaryEventWithEscalationCode.bpmn",),
        process="escalationProcess",
        steps=(Check(open=("taskAfterCatchedEscalation1", "taskInSubprocess")),),
    ),
    Case(
        name="escalation_boundary_interrupting",
        source=f"{ESCALATION}#testInterruptingEscalationBoundaryEvent",
        construct="interrupting escalation boundary event",
        files=("EscalationEventTest.testInterruptingEscalationBoundaryEvent.bpmn",),
        process="escalationProcess",
        steps=(Check(open=("taskAfterCatchedEscalation",)),),
    ),
    Case(
        name="escalation_end_event",
        source=f"{ESCALATION}#testEscalationEndEvent",
        construct="escalation end event",
        files=("EscalationEventTest.testEscalationEndEvent.bpmn",),
        process="escalationProcess",
        steps=(Check(open=("taskAfterCatchedEscalation",)),),
    ),
]

# --- signal events --------------------------------------------------------------------------
SIGNAL = "bpmn/event/signal/SignalEventTest.java"

CASES += [
    Case(
        name="signal_boundary_on_subprocess",
        source=f"{SIGNAL}#testSignalBoundaryOnSubProcess",
        construct="interrupting signal boundary event on a subprocess",
        files=("SignalEventTest.testSignalBoundaryOnSubProcess.bpmn",),
        process="signalEventOnSubprocess",
        steps=(
            Signal("stopSignal"),
            Check(status="completed", completed=("waitStopSignal",), not_completed=("timer",)),
        ),
    ),
    Case(
        name="signal_boundary_non_interrupting",
        source=f"{SIGNAL}#testNonInterruptingSignal",
        construct="non-interrupting signal boundary event",
        files=("SignalEventTest.testNonInterruptingSignal.bpmn",),
        process="nonInterruptingSignalEvent",
        steps=(
            Check(open=("theUserTask",)),
            Signal("alert"),
            Check(open=("theUserTask", "theUserTask2")),
            Complete("theUserTask"),
            Check(open=("theUserTask2",)),
        ),
    ),
    Case(
        name="signal_event_subprocess_interrupting",
        source=f"{SIGNAL}#testSignalStartEventInEventSubProcess",
        construct="interrupting signal event subprocess",
        files=("SignalEventTest.testSignalStartEventInEventSubProcess.bpmn",),
        process="signalStartEventInEventSubProcess",
        microflows=DUMMY,
        steps=(
            Check(open=("userTask",)),
            Signal("alert"),
            Check(status="completed", open=(), completed=("subprocessServiceTask",)),
        ),
    ),
    Case(
        name="signal_event_subprocess_non_interrupting",
        source=f"{SIGNAL}#testNonInterruptingSignalStartEventInEventSubProcess",
        construct="non-interrupting signal event subprocess",
        files=("SignalEventTest.testNonInterruptingSignalStartEventInEventSubProcess.bpmn",),
        process="nonInterruptingSignalStartEventInEventSubProcess",
        microflows=DUMMY,
        steps=(
            Check(open=("userTask",)),
            Signal("alert"),
            Check(status="waiting", open=("userTask",), completed=("subprocessServiceTask",)),
        ),
    ),
]

# --- conditional events ---------------------------------------------------------------------
CONDITIONAL = "bpmn/event/conditional/IntermediateConditionalEventTest.java"

CASES += [
    Case(
        name="conditional_intermediate_false_condition_waits",
        source=f"{CONDITIONAL}#testFalseCondition",
        construct="intermediate conditional catch event",
        files=("IntermediateConditionalEventTest.testFalseCondition.bpmn",),
        process="conditionalEventProcess",
        steps=(
            Check(open=("Task_1jt1cm7",)),
            Complete("Task_1jt1cm7"),
            Check(status="waiting", open=(), not_completed=("conditionalEvent",)),
        ),
    ),
    Case(
        name="conditional_intermediate_true_condition_passes",
        source=f"{CONDITIONAL}#testTrueCondition",
        construct="intermediate conditional catch event",
        files=("IntermediateConditionalEventTest.testTrueCondition.bpmn",),
        process="conditionalEventProcess",
        steps=(
            Check(open=("Task_1jt1cm7",)),
            Complete("Task_1jt1cm7"),
            Check(open=("Task_0nt9cn4",), completed=("conditionalEvent",)),
        ),
    ),
]
