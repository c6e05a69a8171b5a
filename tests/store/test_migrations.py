"""The migrations produce exactly the models' schema, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine.store.models import Base

from ..conftest import make_engine


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        engine.upgrade()  # a second upgrade is a no-op
        with engine.db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        engine.close()


def test_the_participants_migration_fills_in_who_took_part_from_history_and_tasks(
    database_url: str,
) -> None:
    """Upgrading a database whose instances predate `instance_participants` (0012) gives their
    starters and every user and group of their tasks the rows the step path writes today."""
    from alembic import command
    from sqlalchemy import select

    from engine.store.models import InstanceParticipant
    from engine.store.schema import alembic_config

    engine = make_engine(database_url)
    try:
        engine.repository.deploy({"loan.bpmn": _REVIEW_MODEL})
        first = engine.runtime.start("loan", {}, user="bob")
        [review] = first["tasks"]
        engine.tasks.claim(review["id"], "cora", groups=["credit"])
        engine.tasks.complete(review["id"], {}, user="cora", groups=["credit"])
        engine.runtime.start("loan", {})  # started by the engine itself: only its group's row

        def rows() -> set[tuple[str, str, str]]:
            with engine.db.engine.connect() as conn:
                found = conn.execute(
                    select(
                        InstanceParticipant.instance_id, InstanceParticipant.kind, InstanceParticipant.name
                    )
                )
                return {tuple(r) for r in found}  # type: ignore[misc]

        written = rows()
        assert (first["id"], "user", "bob") in written and (first["id"], "user", "cora") in written
        assert (first["id"], "user", "dora") in written  # offered the signing
        config = alembic_config(engine.db)
        command.downgrade(config, "0011")
        command.upgrade(config, "head")
        assert rows() == written
    finally:
        engine.close()


_REVIEW_MODEL = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    b'<bpmn:process id="loan" isExecutable="true"><bpmn:startEvent id="s"/>'
    b'<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>'
    b'<bpmn:userTask id="review" camunda:candidateGroups="credit"/>'
    b'<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="sign"/>'
    b'<bpmn:userTask id="sign" camunda:candidateUsers="dora"/>'
    b'<bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="e"/><bpmn:endEvent id="e"/>'
    b"</bpmn:process></bpmn:definitions>"
)
