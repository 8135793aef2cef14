"""Composition of the written notices (SPEC N-1): the catalog, the templates and where they
come from, wired once per process.

A notice is filled from the first of: the template uploaded for its agency, the one
uploaded for every agency (both in the database, seen by every process: ``UploadCache``),
``<notices.template_dir>/<agency code>/<file>``, ``<notices.template_dir>/<file>``, the
shipped one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from govflow import configs
from govflow.workflow.errors import InvalidInput
from govflow.workflow.validation import load_yaml

if TYPE_CHECKING:
    from govflow.workflow.config import Config
    from govflow.workflow.documents.store import FileStore
    from govflow.workflow.notices.issue import Notices


def _catalog_raw(path: Path) -> object:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path}: 无法读取：{exc}") from None


def load_notices(config: Config, files: FileStore, *, uploads: bool = True) -> Notices | None:
    """The notice catalog and templates, the catalog checked against the outcome list now;
    each template is checked before its first use, and all of them by ``govflow notices
    check``, ``init`` and ``run``. The catalog is that of the case type whose actions issue
    notices (None: no type issues any). ``uploads``: look for uploaded templates in the
    database (off only where there is no database to ask)."""
    from govflow.workflow.notices.catalog import CATALOG_FILE, parse_catalog
    from govflow.workflow.notices.issue import Notices
    from govflow.workflow.notices.templates import SHIPPED_DIR, NoticeTemplates
    from govflow.workflow.notices.uploads import UploadCache

    plans = [wf.notice_plan for wf in config.case_types.values() if wf.notice_plan is not None]
    if not plans:
        return None
    path = configs.shipped(*CATALOG_FILE)
    catalog = parse_catalog(_catalog_raw(path), path, list(config.outcomes))
    settings = config.settings.notices
    override = Path(settings.template_dir) if settings.template_dir else None
    templates = NoticeTemplates(
        catalog, plans[0].allowed_fields, configs.shipped(*SHIPPED_DIR), override
    )
    return Notices(templates, files, settings, UploadCache() if uploads else None)


def check_template_files(config: Config, files: FileStore) -> tuple[int, int]:
    """Check every notice template file now (an office's directory and its agencies'
    directories first): how many, and how many of them are the office's own. A bad one
    raises naming its file and place. Uploads were checked when they were uploaded."""
    from govflow.workflow.notices.templates import SHIPPED_DIR

    notices = load_notices(config, files, uploads=False)
    if notices is None:
        return 0, 0
    templates = notices.templates
    count = templates.check_all()
    shipped = configs.shipped(*SHIPPED_DIR)
    installation = sum(1 for t in templates.templates.values() if t.path.parent != shipped)
    return count, installation + len(templates.agency_templates())
