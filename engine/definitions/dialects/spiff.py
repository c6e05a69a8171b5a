"""SpiffArena: what SpiffArena's modeler writes, read with SpiffWorkflow's own Spiff parser.

SpiffWorkflow already runs SpiffArena's extensions; Flowbridge reads the service task operator
as a microflow binding. (SpiffArena's data objects stay variables: `rewrite` keeps their data
associations, which it drops everywhere else.)
"""

from __future__ import annotations

from typing import Any


def service_binding(extensions: dict[str, Any]) -> dict[str, Any] | None:
    """The microflow `spiffworkflow:serviceTaskOperator` names, with its parameters as inputs."""
    operator = extensions.get("serviceTaskOperator")
    if operator is None:
        return None
    params = operator["parameters"]
    return {
        "name": operator["name"],
        "dialect": "spiff",
        "inputs": [[k, v["value"]] for k, v in params.items()] if params else None,
        "outputs": None,
        "result_variable": operator.get("resultVariable") or None,
    }
