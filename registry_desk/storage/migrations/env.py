"""Alembic environment: runs on the connection handed over by storage.migrate (no alembic.ini needed)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.types import TypeDecorator

from registry_desk.storage.schema import full_metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs alembic by hand
    raise RuntimeError("run migrations through registry_desk.storage.migrate")


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations name plain SQL types only, so old migrations never depend on today's Python classes.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.load_dialect_impl(autogen_context.dialect)
        return f"sa.{impl!r}"
    return False


context.configure(
    connection=connection,
    render_item=_render_item,
    target_metadata=full_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
