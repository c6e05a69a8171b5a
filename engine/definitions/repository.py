"""Repository service: deploy BPMN and DMN, keep versions, serve specs from an in-memory cache."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import func, select

from .. import jobs
from ..accounts import visibility
from ..accounts.service import Principal
from ..errors import ConcurrentChange, InvalidInput, NotFound
from ..jobs.signal import JobSignal
from ..microflows import REGISTRY, MicroflowRegistry
from ..store.database import Database
from ..store.models import ProcessDefinition, ProcessInstance, iso, utcnow
from ..store.unit_of_work import UnitOfWork
from . import documentation
from .dialects import PROCESS_VARIABLES
from .parsing import ParsedProcess, parse_files
from .state_codec import StateCodec


@dataclass(frozen=True)
class Deployed:
    """One process of a deployment: its key and version, and whether this deployment created it."""

    id: int
    key: str
    version: int
    name: str | None
    created: bool
    warnings: tuple[str, ...] = ()
    """What deploys but may not run as drawn (a called process not deployed with it, a microflow no
    registered module provides)."""

    def as_dict(self) -> dict[str, Any]:
        """The API's shape of a deployed definition."""
        return {
            "id": self.id,
            "key": self.key,
            "version": self.version,
            "name": self.name,
            "created": self.created,
            "warnings": list(self.warnings),
        }


def _checksum(process: ParsedProcess, file_sums: dict[str, str]) -> str:
    """What makes a deployment of the process new: its files, and a dialect chosen over the one
    detected (detected ones are left out, so existing deployments keep their checksums)."""
    lines = [f"{n}:{file_sums[n]}" for n in process.files]
    if process.dialect_chosen:
        lines.append(f"dialect:{process.dialect}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


DEPLOY_ATTEMPTS = 3
"""How often a deployment is tried when concurrent deployments take the same version number."""


class RepositoryService:
    """Deployed process definitions: versions by key, specs cached per version."""

    def __init__(
        self,
        db: Database,
        codec: StateCodec,
        signal: JobSignal | None = None,
        registry: MicroflowRegistry | None = None,
    ) -> None:
        self.db = db
        self.codec = codec
        self._specs: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._dialects: dict[int, str] = {}
        self._documentation: dict[int, dict[str, str | None]] = {}
        self._lock = threading.Lock()
        self.signal = signal
        """The engine's job signal, so a deployment's start jobs wake this process's workers."""
        self.registry = registry if registry is not None else REGISTRY
        """The microflows (the process-wide registry unless given), to warn of a task calling one
        no registered module provides."""

    def deploy(self, files: dict[str, bytes], dialect: str | None = None) -> list[Deployed]:
        """Parse and store the files' executable processes; unchanged ones keep their version.

        `dialect` runs the BPMN files as that editor's engine does (`camunda7`, `camunda8`,
        `spiff`, `bpmn`) whatever their namespaces suggest; None detects it per file.

        Raises one InvalidModel naming every problem of the files (`details["problems"]`). What
        may still work later is a warning beside the deployment: a called process not deployed
        yet, a microflow no registered module provides (yet: modules may load after the models).
        """
        if not files:
            raise InvalidInput("nothing to deploy: no files given")
        processes = parse_files(files, dialect)
        if not processes:
            raise InvalidInput(f"no executable process in {', '.join(sorted(files))}")
        for process in processes:
            process.warnings.extend(unregistered_microflows(process, self.registry))
        for attempt in range(DEPLOY_ATTEMPTS):
            try:
                return self._store(files, processes)
            except ConcurrentChange:
                # Another deployment took the same new version number first: read again, and
                # find either its (identical) version or the next number free.
                if attempt == DEPLOY_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _store(self, files: dict[str, bytes], processes: list[Any]) -> list[Deployed]:
        file_sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        results = []
        started_jobs = False
        with UnitOfWork(self.db, write=True) as uow:
            for process in processes:
                checksum = _checksum(process, file_sums)
                latest = uow.session.scalars(
                    select(ProcessDefinition)
                    .where(ProcessDefinition.key == process.key)
                    .order_by(ProcessDefinition.version.desc())
                    .limit(1)
                ).first()
                if latest is not None and latest.checksum == checksum:
                    results.append(
                        Deployed(
                            latest.id, latest.key, latest.version, latest.name, False, tuple(process.warnings)
                        )
                    )
                    continue
                row = ProcessDefinition(
                    key=process.key,
                    version=(latest.version + 1) if latest else 1,
                    name=process.name,
                    source_name=process.source_name,
                    source_xml=process.source_xml,
                    checksum=checksum,
                    spec=self.codec.dump_spec(process.spec, process.subprocess_specs),
                    dialect=process.dialect,
                    start_form=process.start_form,
                    starters=process.starters,
                    deployed_at=utcnow(),
                )
                uow.session.add(row)
                uow.session.flush()
                results.append(
                    Deployed(row.id, row.key, row.version, row.name, True, tuple(process.warnings))
                )
                if has_timer_start(process.spec):
                    # A process with a timer start event starts by itself: one instance, now,
                    # which waits for its start timer (a cycle fires it again and again).
                    now = utcnow()
                    payload = {"key": row.key, "version": row.version}
                    jobs.save(
                        uow, jobs.JobPlan(insert=[jobs.new_job("start", payload, now, max_attempts=3)]), now
                    )
                    started_jobs = True
            uow.commit()
        if started_jobs and self.signal is not None:
            self.signal.notify()
        return results

    def definition(self, uow: UnitOfWork, key: str, version: int | None = None) -> ProcessDefinition:
        """The definition row for `key` (latest version unless one is asked for)."""
        query = select(ProcessDefinition).where(ProcessDefinition.key == key)
        if version is not None:
            query = query.where(ProcessDefinition.version == version)
        row = uow.session.scalars(query.order_by(ProcessDefinition.version.desc()).limit(1)).first()
        if row is None:
            which = f" version {version}" if version is not None else ""
            raise NotFound(f"no process definition '{key}'{which} is deployed", key=key)
        return row

    def get(self, key: str, version: int | None = None) -> dict[str, Any]:
        """One definition as the API shows it."""
        with UnitOfWork(self.db) as uow:
            return self._dict(self.definition(uow, key, version))

    def xml(self, key: str, version: int | None = None, viewer: Principal | None = None) -> str:
        """The deployed BPMN XML of a definition; with `viewer`, only for one who may start the
        process or see an instance of that version (NotFound otherwise, as if not deployed)."""
        with UnitOfWork(self.db) as uow:
            row = self.definition(uow, key, version)
            if not visibility.may_see_definition(uow, row.id, row.starters, viewer):
                which = f" version {version}" if version is not None else ""
                raise NotFound(f"no process definition '{key}'{which} is deployed", key=key)
            return row.source_xml

    def list_latest(self) -> list[dict[str, Any]]:
        """The latest version of every key."""
        latest = (
            select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
            .group_by(ProcessDefinition.key)
            .subquery()
        )
        with UnitOfWork(self.db) as uow:
            rows = uow.session.scalars(
                select(ProcessDefinition)
                .join(
                    latest,
                    (ProcessDefinition.key == latest.c.key) & (ProcessDefinition.version == latest.c.version),
                )
                .order_by(ProcessDefinition.key)
            ).all()
            return [self._dict(r) for r in rows]

    def _dict(self, row: ProcessDefinition) -> dict[str, Any]:
        """A definition as the API shows it, with the model's documentation (read once per version)."""
        found = self._documentation.get(row.id)
        if found is None:
            found = self._documentation.setdefault(row.id, documentation.of_process(row.source_xml, row.key))
        return {**_definition_dict(row), **found}

    def for_instances(self, instance_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The definition each of the instances runs: id → {"key", "version", "name", "status"}
        (`status`: the instance's; unknown ids left out).

        For lists that name instances (the task list) and want to show their process, and whether
        it is suspended.
        """
        wanted = sorted(set(instance_ids))
        if not wanted:
            return {}
        d = ProcessDefinition
        with UnitOfWork(self.db) as uow:
            rows = uow.session.execute(
                select(ProcessInstance.id, ProcessInstance.status, d.key, d.version, d.name)
                .join(d, d.id == ProcessInstance.definition_id)
                .where(ProcessInstance.id.in_(wanted))
            ).all()
        return {
            row.id: {"key": row.key, "version": row.version, "name": row.name, "status": row.status}
            for row in rows
        }

    def spec(self, uow: UnitOfWork, definition_id: int) -> tuple[Any, dict[str, Any]]:
        """The spec objects of a definition version, restored once and then served from memory."""
        cached = self._specs.get(definition_id)
        if cached is not None:
            return cached
        d = ProcessDefinition
        row = uow.session.execute(select(d.spec, d.dialect).where(d.id == definition_id)).first()
        if row is None:
            raise NotFound(f"process definition {definition_id} does not exist")
        loaded = self.codec.load_spec(row.spec)
        with self._lock:
            self._dialects.setdefault(definition_id, row.dialect or "bpmn")
            return self._specs.setdefault(definition_id, loaded)

    def keeps_process_variables(self, uow: UnitOfWork, definition_id: int) -> bool:
        """Whether instances of the definition keep process variables (DESIGN §2a)."""
        if definition_id not in self._dialects:
            self.spec(uow, definition_id)
        return self._dialects[definition_id] in PROCESS_VARIABLES


def unregistered_microflows(process: ParsedProcess, registry: MicroflowRegistry) -> list[str]:
    """A warning for each task of the process calling a microflow the registry does not have."""
    warnings = []
    for use in process.microflows:
        if use.name in registry or (use.fallback and use.fallback in registry):
            continue
        named = f"'{use.name}'" + (f" (or '{use.fallback}')" if use.fallback else "")
        warnings.append(f"{use.where} microflow {named}, which no registered module provides")
    return warnings


def has_timer_start(spec: Any) -> bool:
    """Whether a process spec starts at a timer start event."""
    return any(
        isinstance(getattr(task_spec, "event_definition", None), TimerEventDefinition)
        and type(task_spec).__name__ == "StartEvent"
        for task_spec in spec.task_specs.values()
    )


def _definition_dict(row: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "version": row.version,
        "name": row.name,
        "source_name": row.source_name,
        "dialect": row.dialect,
        "start_form": row.start_form,
        "starters": row.starters,
        "deployed_at": iso(row.deployed_at),
    }
