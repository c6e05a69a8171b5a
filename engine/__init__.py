"""Flowbridge's engine: run BPMN Process Flows with Python microflows. No web framework in here."""

from .engine import Engine
from .errors import (
    ConcurrentChange,
    Conflict,
    DatabaseUnavailable,
    EngineError,
    InvalidInput,
    InvalidModel,
    MicroflowFailed,
    NotAllowed,
    NotFound,
    StepFailed,
    TaskAlreadyCompleted,
    VariablesNotJson,
)
from .microflows import REGISTRY, BpmnError, CallContext, call_context, microflow
from .settings import Settings

__all__ = [
    "REGISTRY",
    "BpmnError",
    "CallContext",
    "ConcurrentChange",
    "Conflict",
    "DatabaseUnavailable",
    "Engine",
    "EngineError",
    "InvalidInput",
    "InvalidModel",
    "MicroflowFailed",
    "NotAllowed",
    "NotFound",
    "Settings",
    "StepFailed",
    "TaskAlreadyCompleted",
    "VariablesNotJson",
    "call_context",
    "microflow",
]
