"""Typed SQLAlchemy 2 models: the engine's tables. Only the unit of work writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored timestamp, timezone-aware (SQLite hands back naive ones; all are stored in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """A stored timestamp as ISO 8601 in UTC."""
    return None if value is None else as_utc(value).isoformat()


def parse_moment(value: object) -> datetime | None:
    """An ISO 8601 date or date and time as an aware datetime in UTC (a date: its midnight; no zone:
    UTC), a datetime or date as one, or None for anything else."""
    if isinstance(value, datetime):
        return as_utc(value).astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return as_utc(datetime.fromisoformat(value.strip())).astimezone(UTC)
    except ValueError:
        return None


DEFAULT_PRIORITY = 50
"""A user task's priority when the model gives none (Camunda's default)."""


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints predictably."""

    from sqlalchemy import MetaData

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ProcessDefinition(Base):
    """One version of one deployed process, keyed by its BPMN process id."""

    __tablename__ = "process_definitions"
    __table_args__ = (
        UniqueConstraint("key", "version"),
        Index(None, "key", "checksum"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    source_name: Mapped[str] = mapped_column(String(255))
    source_xml: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    spec: Mapped[str] = mapped_column(Text)
    """The serialized SpiffWorkflow spec and its subprocess specs, stored once per version."""
    dialect: Mapped[str] = mapped_column(String(16), default="bpmn", server_default="bpmn")
    """The editor dialect the model was drawn in: camunda7, camunda8, spiff or bpmn."""
    start_form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The form of the plain start event (engine.forms' description), shown to whoever starts it."""
    starters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Who may start it ({"users", "groups"}) when the model restricts starting; None: anyone."""
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProcessInstance(Base):
    """One run of one definition version; `state` is the live workflow without its spec."""

    __tablename__ = "process_instances"
    # The instance list pages newest first, of all instances or of those with one status.
    __table_args__ = (
        Index(None, "key", "status"),
        Index(None, "started_at", "id"),
        Index(None, "status", "started_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    key: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    business_key: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    """Bumped by every step; a cached workflow is reused only at the same revision."""
    state: Mapped[str] = mapped_column(Text)
    state_size: Mapped[int] = mapped_column(Integer)
    variables: Mapped[dict[str, Any]] = mapped_column(JSON)
    waiting: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """What the instance waits for (user tasks, events), so queries need not restore it."""
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserTask(Base):
    """Projection of a user task: open ones are the task lists; closed ones stay for 409s and audit."""

    __tablename__ = "user_tasks"
    __table_args__ = (
        Index(None, "status", "assignee"),
        # "My tasks" (engine.tasks): the tasks open to all, and the check of a candidate row's
        # task, answered from the index alone.
        Index(None, "open_to_all", "status", "assignee", "created_at", "id"),
        Index(None, "id", "status", "assignee", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instances.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255))
    assignee: Mapped[str | None] = mapped_column(String(255))
    candidate_users: Mapped[list[str]] = mapped_column(JSON)
    candidate_groups: Mapped[list[str]] = mapped_column(JSON)
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Offered to nobody in particular (no candidate users or groups): unassigned, anyone may do it."""
    form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    variables: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(String(255))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    follow_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    priority: Mapped[int] = mapped_column(Integer, default=DEFAULT_PRIORITY, server_default="50")
    """When the task should be done (the model's camunda:dueDate / zeebe:taskSchedule), if it says."""


class TaskCandidate(Base):
    """One candidate user or group of an open user task, indexed for "my tasks" queries.

    Rows exist for open tasks only (closing a task deletes them) and copy what "my tasks" needs
    of their task, its age and whether someone holds it, so that query reads this index alone.
    """

    __tablename__ = "task_candidates"
    __table_args__ = (Index(None, "kind", "name", "assigned", "created_at", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("user_tasks.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    """`user` or `group`."""
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    assigned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The task has an assignee (a claim or the model's), so it is no longer offered to candidates."""
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The task's `created_at`."""


class InstanceParticipant(Base):
    """Someone who takes part in an instance (DESIGN §6a), so a non-administrator's instance list
    is one indexed query: its starter, and every user and group that has or had a task in it
    (assignee, claimant, completer, candidate user, candidate group or lane).

    Rows are only added, never removed: who once had a task in an instance keeps seeing it.
    """

    __tablename__ = "instance_participants"
    # A user's instance list, newest first, read from this index alone.
    __table_args__ = (Index(None, "kind", "name", "started_at", "instance_id"),)

    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    """`user` or `group`."""
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """The instance's `started_at`, so a participant's list pages newest first without reading
    the instances it skips."""


class HistoryEvent(Base):
    """Append-only history: who did what, when, with which variables."""

    __tablename__ = "history_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    element_id: Mapped[str | None] = mapped_column(String(255))
    element_name: Mapped[str | None] = mapped_column(String(255))
    element_type: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(36))
    user: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Job(Base):
    """A durable "do this later" row: written in the step that needs it (the outbox), run by a worker.

    Kinds: `microflow` (an async service task's call), `timer` (fire an instance's due timers),
    `message` (deliver a message an instance threw), `call` (a microflow called alone).
    """

    __tablename__ = "jobs"
    __table_args__ = (Index(None, "status", "due_at"), Index(None, "instance_id", "status"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """Also the idempotency key a microflow receives."""
    kind: Mapped[str] = mapped_column(String(16))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    task_id: Mapped[str | None] = mapped_column(String(36))
    """The SpiffWorkflow task the job belongs to (the service task, or the waiting timer)."""
    element_id: Mapped[str | None] = mapped_column(String(255))
    microflow: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    """What the job needs: the microflow's input, or the message to deliver."""
    status: Mapped[str] = mapped_column(String(16))
    """queued, running, done, failed (retries exhausted) or cancelled (its task no longer waits)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    backoff_seconds: Mapped[float] = mapped_column(default=1.0)
    timeout_seconds: Mapped[float | None] = mapped_column()
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The lease: a running job whose lease ran out (its worker died) is claimed again."""
    result: Mapped[Any | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Incident(Base):
    """Work that failed (a job after its last retry, or a call to a process not deployed); the
    instance waits, visibly, until someone retries it."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    job_id: Mapped[str | None] = mapped_column(String(36))
    """The job that failed; None for an incident a step raised itself (a call activity's missing process)."""
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    """open, or resolved once a retry was asked for."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MessageSubscription(Base):
    """A message an instance waits for, with the correlation values it waits on (a projection)."""

    __tablename__ = "message_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(255))
    correlation: Mapped[dict[str, Any]] = mapped_column(JSON)


class SignalSubscription(Base):
    """A signal an instance waits for (a projection): a broadcast of that name reaches it."""

    __tablename__ = "signal_subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(255))


class DeliveredMessage(Base):
    """A message delivered with an id: delivering the same id again changes nothing."""

    __tablename__ = "delivered_messages"

    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class User(Base):
    """Someone who signs in (password) or calls the API (tokens); no user exists until one is created."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """`scrypt$n$r$p$salt$hash` (engine.accounts); None for a user who signs in with tokens only."""
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sessions_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Only page sessions that logged in at or after this time are the user's: logging out,
    changing the password and disabling move it to now, in every process at once."""


class UserGroup(Base):
    """A user's membership of a group (the names BPMN candidateGroups use)."""

    __tablename__ = "user_groups"

    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)


class ApiToken(Base):
    """An API token of a user: only the SHA-256 of the secret is stored, never the secret."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
