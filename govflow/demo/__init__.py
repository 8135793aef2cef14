"""``govflow demo``: a disclosure office's autumn, played on a fresh SQLite database."""

from govflow.demo.script import run_demo

__all__ = ["run_demo"]
