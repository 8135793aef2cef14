"""The README's two commands are the ones CI runs (a drifting quick start is a broken one)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = quick_start.split("```bash\n")[1:]
    return [block.split("```", 1)[0].strip() for block in blocks]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "govflow demo" in commands[0] and commands[0].endswith(
        "govflow run --org configs/demo_org.yaml"
    )
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_commands()[1] in ci.splitlines()


def test_every_package_folder_is_installed_under_the_one_govflow_namespace() -> None:
    """The wheel's only top-level package is ``govflow`` (no generic ``models``/``workflow``
    beside other projects' in site-packages), and no folder with code is left out of it."""
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    mapping: dict[str, str] = setup["package-dir"]
    assert {name.split(".")[0] for name in mapping} == {"govflow"}
    found = set()
    for package, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            if ".venv" in init.parts or "__pycache__" in init.parts:
                continue
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join([package, *rel]))
    assert found == set(setup["packages"])


def test_no_module_imports_the_folders_by_their_old_top_level_names() -> None:
    import re

    old = re.compile(r"^\s*(from|import) (workflow|models|workers|configs)\b", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("govflow", "workflow", "models", "workers", "configs", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if old.search(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_project_stands_alone_its_docs_never_send_a_reader_outside_it() -> None:
    docs = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    assert [str(p.relative_to(ROOT)) for p in docs if "../shared" in p.read_text("utf-8")] == []
