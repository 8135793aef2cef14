"""``govflow demo``: a disclosure office's autumn, played on a fresh SQLite database.

A front end of its own: it drives the service layer with a fake clock, runs the sweeper and
the delivery code between steps, and narrates with the shared writers.

May import: ``govflow.app``, ``govflow.workflow.services`` (and the domain's types),
``govflow.workers``, ``govflow.presentation``; never ``govflow.cli`` or ``govflow.models``.
"""

from govflow.demo.script import run_demo

__all__ = ["run_demo"]
