"""Benchmark: filling one notice three ways, side by side in one run: docxtpl on the whole
template; docxtpl on the prepared light copy (``workflow/notices/rendering.py``); the
compiled template (``workflow/notices/compiled.py``), which is what an action uses.

All fill the same shipped template with the same values and give the same document part
for part (``tests/unit/test_notice_rendering.py`` holds them to that). Reported:
milliseconds per notice (median of ``--repeat`` rounds of ``--count`` notices) and the
ratios to the first.

Run: ``python bench/bench_notice_rendering.py [--kind extension] [--count 30] [--repeat 5]``.
What a notice adds to its action as a whole: ``bench_notices.py``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from govflow.app import load_config
from govflow.models.filestore import DirectoryStore
from govflow.notice_wiring import load_notices
from govflow.workflow.disclosure.notice_fill import allowed_fields
from govflow.workflow.notices.rendering import CompilingSandbox, Prepared
from govflow.workflow.notices.zipparts import assemble


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", default="extension")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    notices = load_notices(load_config(), DirectoryStore(Path(tempfile.mkdtemp())), uploads=False)
    assert notices is not None
    templates = notices.templates
    values = {name: f"<{name}>" for name in allowed_fields(args.kind)}
    path = templates.templates[args.kind].path
    assert path is not None

    def whole() -> bytes:
        document = DocxTemplate(str(path))
        document.render(dict(values), SandboxedEnvironment(autoescape=True), autoescape=True)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    light = Prepared(path.read_bytes())

    def light_copy() -> bytes:
        return assemble(light._docxtpl(dict(values), env))

    def compiled() -> bytes:
        return templates.render(args.kind, values)

    env = CompilingSandbox()
    contenders = (("docxtpl, whole template", whole), ("docxtpl, light copy", light_copy),
                  ("compiled", compiled))  # fmt: skip
    results = {name: timed(fill, args.count, args.repeat) for name, fill in contenders}
    first = results["docxtpl, whole template"]
    for name, ms in results.items():
        print(f"{name:<24} {ms:6.2f} ms per notice  ({first / ms:.1f}x)")


def timed(fill: Callable[[], bytes], count: int, repeat: int) -> float:
    fill()  # the first fill checks and prepares the template: not what an action pays
    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(count):
            fill()
        rounds.append(1000 * (time.perf_counter() - started) / count)
    return statistics.median(rounds)


if __name__ == "__main__":
    main()
