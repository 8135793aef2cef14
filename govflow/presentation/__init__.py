"""Presentation: the writers every front end shares (CLI now; the HTTP API and web next).

Each function takes the plain data a use case returned (``govflow.workflow.services``) and
writes it as people read it — zh-CN text lines, CSV with a BOM for spreadsheets, Markdown,
.xlsx — or as JSON-ready dicts for machines; and reads the one file format people hand in,
the import sheet (.xlsx or .csv bytes into a ``Sheet``). No rule, query or I/O beyond the
bytes it is given or asked to write: what to show was decided by the service layer (scope,
masking, labels).

May import: ``govflow.workflow`` (the data types it renders) and libraries that read and
write formats (openpyxl); never the persistence, the workers or a front end.
"""
