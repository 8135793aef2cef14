"""The installation's configuration for tests, read once per run (as the composition root
reads it once per process): the catalogue of case types, the calendar, the settings."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from govflow.app import load_calendar, load_config, shipped_data
from govflow.workflow.calendar import WorkingCalendar
from govflow.workflow.cases import Case
from govflow.workflow.config import Config
from govflow.workflow.contract import Workflow
from govflow.workflow.notices.catalog import Catalog as NoticeCatalog
from govflow.workflow.registry import Sources

if TYPE_CHECKING:
    from govflow.workflow.services import Services


@cache
def config() -> Config:
    return load_config({})


@cache
def calendar() -> WorkingCalendar:
    return load_calendar(env={})


def workflow(name: str) -> Workflow:
    """A shipped case type's contract."""
    return config().case_types.find(name)


def new_case(ref: str, case_type: str, agency_code: str = "county") -> Case:
    """A case about to be created, in memory (the unit tests' desks)."""
    return Case.opened(workflow(case_type), agency_code, ref)


def outcomes():
    return config().outcomes


def current_policies():
    return config().policies


def editions():
    """The editions of the regulations (SPEC L-1), as the disclosure type read them."""
    return workflow("disclosure_request").editions  # type: ignore[attr-defined]


def formats():
    """The annual report's formats, by year, as the disclosure type read them."""
    return workflow("disclosure_request").report_formats  # type: ignore[attr-defined]


def grade_table():
    return workflow("incident").grades  # type: ignore[attr-defined]


def sources() -> Sources:
    """What the registry gives a case type while it is built (the shipped configuration)."""
    c = config()
    return Sources(c.settings, c.outcomes, c.policies, shipped_data)


def load_case(svc: Services, ref: str) -> Case:
    """A case rebuilt from its events, whatever its agency (the tests look at everything)."""
    from govflow.workflow.services import load_case as load

    with svc.uow() as uow:
        return load(svc, uow, ref, history=True)


@cache
def notice_catalog() -> NoticeCatalog:
    """The notice catalog as the composition root reads it (SPEC N-1)."""
    from govflow import configs
    from govflow.workflow.notices.catalog import CATALOG_FILE, parse_catalog

    path = configs.shipped(*CATALOG_FILE)
    return parse_catalog(shipped_data(str(Path(*CATALOG_FILE)))[1], path, list(outcomes()))


def notice_templates_dir() -> Path:
    from govflow import configs
    from govflow.workflow.notices.templates import SHIPPED_DIR

    return configs.shipped(*SHIPPED_DIR)
