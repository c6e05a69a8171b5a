"""Dialects: what each editor writes, rewritten at deploy time into what SpiffWorkflow runs.

Camunda Modeler (for Camunda 7 and 8), bpmn.io and SpiffArena's modeler write the same BPMN with
different expression languages and extensions. `detect` tells which editor wrote a file;
`normalize` rewrites a copy of it (the stored XML stays as drawn) with the BPMN-wide rewrites of
`rewrite` and each editor family's own: `camunda7` (and Activiti), `camunda8` (Zeebe), `spiff`
(SpiffArena). The editor modules also read their extensions for the task parsers.
"""

from .detect import DIALECTS, PROCESS_VARIABLES, dialect_of
from .normalize import normalize

__all__ = ["DIALECTS", "PROCESS_VARIABLES", "dialect_of", "normalize"]
