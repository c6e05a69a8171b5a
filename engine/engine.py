"""The Engine: the facade web/ and the CLI use, with Camunda-like services built from settings.

Services are built bottom-up, each given what it uses in its constructor: the job signal and the
message and signal subscriptions' step effects first, then the repository and the runtime, then the services
that drive the runtime (tasks, incidents, messages, signals, microflow calls).
"""

from __future__ import annotations

from .accounts import AccountService
from .definitions import RepositoryService, StateCodec, quiet_spiff_debug_logging
from .jobs import JobSignal, JobStore, MicroflowService, continuation
from .messages import MESSAGE_JOB_KIND, MessageService, SubscriptionEffect
from .microflows import REGISTRY, MicroflowRegistry, load_modules
from .runtime import (
    BulkService,
    ElementService,
    HistoryService,
    IncidentService,
    RuntimeService,
    StatisticsService,
    TriggerService,
    WaitService,
)
from .settings import Settings
from .signals import SIGNAL_JOB_KIND, SignalEffect, SignalService
from .store import Database
from .tasks import TaskService


class Engine:
    """Owns the database and the caches; exposes `repository`, `runtime`, `tasks`, `history`, `jobs`,
    `incidents`, `elements`, `statistics`, `bulk`, `messages`, `signals`, `triggers`, `waits` and
    `microflows`. `Worker(engine)` (engine.workers) runs the jobs."""

    def __init__(
        self, settings: Settings, registry: MicroflowRegistry | None = None, load_microflows: bool = True
    ) -> None:
        self.settings = settings
        quiet_spiff_debug_logging()
        self.registry = registry if registry is not None else REGISTRY
        continuation.register(self.registry)  # camunda:asyncAfter's job
        if load_microflows:
            load_modules(settings.microflow_modules, settings.models_path)
        self.db = Database(settings.database_url, settings.sqlite_synchronous)
        self.codec = StateCodec()
        self.signal = JobSignal()
        """Wakes this process's idle workers when a step or a deployment commits new jobs."""
        self.repository = RepositoryService(self.db, self.codec, self.signal, self.registry)
        self.runtime = RuntimeService(
            self.db,
            self.repository,
            self.registry,
            self.codec,
            settings.instance_cache_size,
            self.signal,
            effects=[SubscriptionEffect(), SignalEffect()],
            sandboxed=settings.sandbox_scripts,
        )
        self.tasks = TaskService(self.db, self.runtime)
        self.history = HistoryService(self.db)
        self.elements = ElementService(self.runtime, self.history, self.repository)
        """One element of an instance: its history, waits, jobs and incidents (the diagram's click)."""
        self.accounts = AccountService(self.db, settings.token_cache_seconds)
        self.incidents = IncidentService(self.runtime)
        self.statistics = StatisticsService(self.db)
        """The cockpit's figures: instances and incidents per definition and per element."""
        self.bulk = BulkService(self.runtime, self.incidents)
        """Retry, suspend or terminate many selected instances, each on its own."""
        self.jobs = JobStore(self.db, self.signal, retry_incident=self.incidents.retry)
        self.microflows = MicroflowService(
            self.db, self.registry, self.jobs, self.signal, max_call_seconds=settings.max_call_seconds
        )
        self.messages = MessageService(self.runtime, settings.integrations_group)
        self.signals = SignalService(self.runtime, settings.integrations_group)
        """Broadcasts BPMN signals (not to be confused with `signal`, which wakes job workers)."""
        self.triggers = TriggerService(self.runtime, settings.integrations_group)
        self.waits = WaitService(self.db, self.repository)
        """An instance's waits in words: element names, and what reaches a message wait."""
        """Moves instances on at their waiting receive tasks (Camunda 7's `runtimeService.signal`)."""
        self.job_kinds = {MESSAGE_JOB_KIND: self.messages.run_job, SIGNAL_JOB_KIND: self.signals.run_job}
        """Job kinds the engine's services run, beside the runner's own (workers run them)."""

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        from .store.schema import upgrade

        upgrade(self.db)

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()
