"""What a failed step says: SpiffWorkflow's exceptions in one line that names the element."""

from __future__ import annotations

from SpiffWorkflow.exceptions import SpiffWorkflowException


def describe_failure(exc: SpiffWorkflowException) -> str:
    """A step's failure in one line: the element that failed, and SpiffWorkflow's message."""
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    message = str(exc).split("\n")[0]
    # SpiffWorkflow's WorkflowDataException keeps the missing input or output beside its message.
    data = getattr(exc, "data_output", None) or getattr(exc, "data_input", None)
    if data is not None and getattr(data, "bpmn_id", None):
        message = f"{message.rstrip('.').replace('ouput', 'output')} '{data.bpmn_id}'"
    return f"task '{element}': {message}" if element else message
