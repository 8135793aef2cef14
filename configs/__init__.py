"""Data shipped with govflow: calendars, limits, outcomes, case types, ladders, the demo org.

Installed as ``govflow.configs`` and read through ``importlib.resources``, so the files are
found the same way in a checkout, an editable install and a wheel. Nothing here is code
but this accessor; the domain never opens these files itself (the composition root does).

May import: nothing of govflow (only the standard library's ``importlib.resources``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped(*parts: str) -> Path:
    """A shipped file or folder, e.g. ``shipped("case_types")`` or ``shipped("settings.yaml")``."""
    return Path(str(files(__name__).joinpath(*parts)))
