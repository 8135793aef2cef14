"""``govflow.models``: persistence — SQLAlchemy tables, the repositories and the unit of work
that implement the service layer's ports (``govflow.workflow.ports``), each case type's own
tables (``disclosure_tables``, mapped by ``disclosure_register``), the bulk writer that plays
the same use cases against memory (``bulk``, its store ``bulk_store``), the organisation
file, and the Alembic migrations.

May import: ``govflow.workflow`` (the domain's types and ports) and ``govflow.models``;
never ``govflow.workers``, ``govflow.app``, ``govflow.configs`` or a front end.

Importing the package imports nothing: ``govflow deadline`` reads the calendar through
``calendar_direct`` without SQLAlchemy. The whole schema, every table
module imported, is ``schema.METADATA``.
"""
