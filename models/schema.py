"""Every table of govflow on one ``MetaData``: what the migrations must build.

The tables live in several modules (``tables``, ``disclosure_tables``, ``identity_tables``,
``integrity_tables``, ``notice_templates``); each registers its classes on ``Base.metadata``
when it is imported. A process imports only the modules it uses, so whatever compares the
whole schema (Alembic's environment, the test that the migrations match the tables)
imports this module instead. A new table module is added here.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from govflow.models import (  # noqa: F401
    disclosure_tables,
    identity_tables,
    integrity_tables,
    notice_templates,
)
from govflow.models.tables import Base

METADATA: MetaData = Base.metadata
