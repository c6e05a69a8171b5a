"""Definitions: what the editors draw becomes a deployed, versioned process definition.

`safe_xml` reads uploaded files without entities or network; `dialects` rewrites a copy of each
editor's BPMN into what SpiffWorkflow runs; `parsing` reads it with SpiffWorkflow's parser taught
the editors' extensions (`specs` are the task specs Flowbridge adds, `compensation` those that
run compensation, `thrown_signals` notes the signals an instance throws, `local_variables` says
which names are local to a task, `receive_tasks` which receive tasks wait for a trigger);
`state_codec` serializes specs and instance state;
`repository` deploys and versions definitions and serves their specs.
"""

from .dialects import dialect_of, normalize
from .parsing import ParsedProcess, parse_files
from .repository import Deployed, RepositoryService
from .safe_xml import parse_xml
from .specs import quiet_spiff_debug_logging
from .state_codec import StateCodec

__all__ = [
    "Deployed",
    "ParsedProcess",
    "RepositoryService",
    "StateCodec",
    "dialect_of",
    "normalize",
    "parse_files",
    "parse_xml",
    "quiet_spiff_debug_logging",
]
