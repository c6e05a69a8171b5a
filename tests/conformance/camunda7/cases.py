"""Cases ported from Camunda 7's engine tests (camunda/camunda-bpm-platform, Apache License 2.0).

Each case's `source` is the Java test under engine/src/test/java/org/camunda/bpm/engine/test/ and
its method; its model is the test's resource from engine/src/test/resources/, copied unchanged
but for the file name (README.md of the folder above).
"""

from __future__ import annotations

from ..harness import Case, Check, Complete

GATEWAY = "bpmn/gateway/ExclusiveGatewayTest.java"

CASES = [
    *[
        Case(
            name=f"exclusive_gateway_diverging_input_{i}",
            source=f"{GATEWAY}#testDivergingExclusiveGateway",
            construct="exclusive gateway",
            files=("ExclusiveGatewayTest.testDivergingExclusiveGateway.bpmn",),
            process="exclusiveGwDiverging",
            variables={"input": i},
            steps=(
                Check(status="waiting", open=(f"theTask{i}",)),
                Complete(f"theTask{i}"),
                Check(status="completed"),
            ),
        )
        for i in (1, 2, 3)
    ],
    Case(
        name="exclusive_gateway_default_flow_not_taken",
        source=f"{GATEWAY}#testDefaultSequenceFlow",
        construct="exclusive gateway default flow",
        files=("ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn",),
        process="exclusiveGwDefaultSequenceFlow",
        variables={"input": 1},
        steps=(Check(open=("theTask1",)),),
    ),
    Case(
        name="exclusive_gateway_default_flow_taken",
        source=f"{GATEWAY}#testDefaultSequenceFlow",
        construct="exclusive gateway default flow",
        files=("ExclusiveGatewayTest.testDefaultSequenceFlow.bpmn",),
        process="exclusiveGwDefaultSequenceFlow",
        variables={"input": 5},
        steps=(Check(open=("theTask2",)),),
    ),
]
