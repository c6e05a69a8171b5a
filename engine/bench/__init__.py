"""The benchmark behind `flowbridge bench` (DESIGN §8), out of the engine proper.

`scenarios` holds SpiffWorkflow alone and the raw, auto, human and loop scenarios and the run;
`asynchronous` the async round trip; `api` the HTTP scenarios; `common` sizes, figures and the
models in `models/`; `databases` a fresh database per scenario.
"""

from .scenarios import SCENARIOS, run

__all__ = ["SCENARIOS", "run"]
