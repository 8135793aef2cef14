"""An event's data column, written as the canonical JSON text its hash covers.

``new_event`` hashes the data's canonical text (sorted keys, no spaces, UTF-8 as is);
SQLAlchemy's ``JSON`` would store ``json.dumps(data)`` instead (spaces, ``\\uXXXX``
escapes), so verify had to decode every payload and encode it again to check its hash.
Written canonically, the stored text is the hashed text byte for byte: PostgreSQL's
``json`` type keeps its input text exactly, SQLite keeps the string. Verify reads that
text (``CAST(data AS TEXT)``) and hashes it as it is; a row written before (or edited by
hand) fails that check and is checked by decoding it (``CaseEvent.hash_matches``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Dialect, TypeDecorator

from govflow.workflow.events import canonical_json


class CanonicalJSON(TypeDecorator[Any]):
    """``JSON`` whose written text is ``canonical_json(value)``; read back decoded as usual."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], str | None]:
        # Replaces the JSON type's own processor (json.dumps, or psycopg's Json wrapper):
        # the driver gets the text itself, which PostgreSQL casts to json unchanged.
        def process(value: Any) -> str | None:
            return None if value is None else canonical_json(value)

        return process
