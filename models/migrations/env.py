"""Alembic environment: the engine comes from ``govflow.models.db.migrate`` (config.attributes)."""

from __future__ import annotations

from alembic import context

from govflow.models.db import make_engine
from govflow.models.schema import METADATA

config = context.config
engine = config.attributes.get("engine") or make_engine()

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
