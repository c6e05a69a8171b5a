"""The Engine: the facade web/ and the CLI use, with Camunda-like services built from settings."""

from __future__ import annotations

from .accounts import AccountService
from .calls import MicroflowService
from .db import Database
from .history import HistoryService
from .incidents import IncidentService
from .jobs import JobStore
from .messages import MessageService
from .microflows import REGISTRY, MicroflowRegistry, load_modules
from .repository import RepositoryService
from .runtime import RuntimeService
from .settings import Settings
from .specs import quiet_spiff_debug_logging
from .state import StateCodec
from .tasks import TaskService


class Engine:
    """Owns the database and the caches; exposes `repository`, `runtime`, `tasks`, `history`,
    `jobs`, `incidents`, `messages` and `microflows`. `Worker(engine)` (engine.worker) runs the jobs."""

    def __init__(
        self, settings: Settings, registry: MicroflowRegistry | None = None, load_microflows: bool = True
    ) -> None:
        self.settings = settings
        quiet_spiff_debug_logging()
        self.registry = registry if registry is not None else REGISTRY
        if load_microflows:
            load_modules(settings.microflow_modules, settings.models_path)
        self.db = Database(settings.database_url, settings.sqlite_synchronous)
        self.codec = StateCodec()
        self.repository = RepositoryService(self.db, self.codec)
        self.runtime = RuntimeService(
            self.db, self.repository, self.registry, self.codec, settings.instance_cache_size
        )
        self.repository.signal = self.runtime.signal
        self.tasks = TaskService(self.db, self.runtime)
        self.history = HistoryService(self.db)
        self.accounts = AccountService(self.db)
        self.jobs = JobStore(self.db, self.runtime.signal)
        self.incidents = IncidentService(self.runtime)
        self.jobs.retry_incident = self.incidents.retry
        self.microflows = MicroflowService(self.db, self.registry, self.jobs, self.runtime.signal)
        self.messages = MessageService(self.runtime)
        self.runtime.effects.append(self.messages.effect)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        from .migrate import upgrade

        upgrade(self.db)

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()
