"""definition starters: who may start a process, when its model restricts it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 21:30:00.000000

`camunda:candidateStarterGroups` / `candidateStarterUsers` (or properties of those names) on a
process; null lets anyone start it. Definitions deployed before are read again from their stored
XML, so a restriction their models already drew holds from the upgrade on.
"""

from alembic import op
from lxml import etree
import sqlalchemy as sa

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
PROPERTY_NAMESPACES = (
    CAMUNDA,
    "http://camunda.org/schema/zeebe/1.0",
    "http://spiffworkflow.org/bpmn/schema/1.0/core",
)
KINDS = {"candidateStarterUsers": "users", "candidateStarterGroups": "groups"}


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_definitions") as batch:
        batch.add_column(sa.Column("starters", sa.JSON(), nullable=True))
    table = sa.table(
        "process_definitions",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("source_xml", sa.Text),
        sa.column("starters", sa.JSON),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(table.c.id, table.c.key, table.c.source_xml)).all():
        starters = _starters(row.source_xml, row.key)
        if starters is not None:
            connection.execute(table.update().where(table.c.id == row.id).values(starters=starters))


def _starters(source_xml: str, key: str) -> dict | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(source_xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None
    found: dict = {"users": [], "groups": []}
    for process in root.iter("{*}process"):
        if process.get("id") != key:
            continue
        for name, kind in KINDS.items():
            values = [process.get(f"{{{CAMUNDA}}}{name}") or ""]
            values += [
                prop.get("value") or ""
                for ns in PROPERTY_NAMESPACES
                for prop in process.iterfind(f"{{*}}extensionElements//{{{ns}}}property")
                if prop.get("name") == name
            ]
            found[kind] = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return found if found["users"] or found["groups"] else None


def downgrade() -> None:
    with op.batch_alter_table("process_definitions") as batch:
        batch.drop_column("starters")
