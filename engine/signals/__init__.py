"""Signals: broadcast to every instance that waits for one, and to the processes it starts.

`waits` reads which signals a workflow waits for and which start a process; the step effect in
`effect` keeps the `signal_subscriptions` rows in step with every instance and turns the signals
an instance throws into broadcast jobs; `service` broadcasts.
"""

from .effect import JOB_KIND as SIGNAL_JOB_KIND
from .effect import SignalEffect
from .service import SignalService

__all__ = ["SIGNAL_JOB_KIND", "SignalEffect", "SignalService"]
