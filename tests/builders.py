"""BPMN documents built in tests: one process from a body of elements, and its sequence flows."""

from __future__ import annotations

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMESPACES = (
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


def model(body: str, key: str = "p", prefix: str = "bpmn") -> bytes:
    """A one-process BPMN document; `body` uses the `bpmn:` prefix, rewritten to `prefix`."""
    if prefix:
        body = body.replace("bpmn:", f"{prefix}:")
        root = f'<{prefix}:definitions xmlns:{prefix}="{BPMN}" {NAMESPACES} id="d" targetNamespace="t">'
        end = f"</{prefix}:definitions>"
        process = f'<{prefix}:process id="{key}" isExecutable="true">{body}</{prefix}:process>'
    else:
        body = body.replace("bpmn:", "")
        root = f'<definitions xmlns="{BPMN}" {NAMESPACES} id="d" targetNamespace="t">'
        end = "</definitions>"
        process = f'<process id="{key}" isExecutable="true">{body}</process>'
    return f'<?xml version="1.0" encoding="UTF-8"?>{root}{process}{end}'.encode()


def flow(source: str, target: str, condition: str | None = None) -> str:
    inner = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
    )
    return (
        f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">'
        f"{inner if condition else ''}</bpmn:sequenceFlow>"
    )
