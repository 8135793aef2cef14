"""``govflow.workflow``: the domain — cases, deadlines, the calendar, the law — and its service
layer, the one door every front end goes through.

What lives here: the case aggregate and its events (``cases``, ``events``), deadlines and
the working calendar (``deadlines``, ``calendar``), who acts and who may read what
(``actors``, ``access``), the contract every case type fulfils (``contract``) and the types
themselves (``disclosure``, ``incident``, the generic engine ``declared``, the
``registry``), escalation ladders, audit timelines, tamper evidence, reports, the ports
storage implements (``ports``) and the use cases (``services``).

No I/O: no database, no files, no environment, no clock but the one injected. The
configuration arrives as ``config.Config`` from the composition root (``govflow.app``).

May import: ``govflow.workflow`` and plain libraries (pydantic, transitions, PyYAML for
parsing declarations, structlog); never ``govflow.models``, ``govflow.workers``,
``govflow.configs``, ``govflow.app`` or a front end.
"""
