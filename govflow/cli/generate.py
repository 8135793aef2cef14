"""``govflow generate``: a synthetic county and years of its cases, for demos, tests and benchmarks."""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Annotated

import typer

from govflow.cli.common import JsonFlag, echo_json, os_user, user_errors
from govflow.workflow.errors import InvalidInput


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)


# The planner writes today's rules (the 2019 regulations, and fees under 国办函〔2020〕109号 from
# 2021-01-01); govflow applies the rules of each request's date, so earlier cases would not
# follow the plan.
SYNTH_FIRST_DAY = date(2021, 1, 1)


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} 不是有效日期（YYYY-MM-DD）：{text!r}") from None


def generate(
    seed: Annotated[int, typer.Option(help="随机种子：同一种子生成完全相同的数据")] = 1,
    agencies: Annotated[int, typer.Option(help="机关数（县政府办公室及其下属部门、乡镇）")] = 12,
    cases: Annotated[int, typer.Option("--cases-per-agency", help="每个机关的案件数")] = 100,
    from_: Annotated[str, typer.Option("--from", help="首件案件不早于此日")] = "2023-01-01",
    to: Annotated[
        str, typer.Option("--to", help="末件案件不晚于此日；之后仍在办的案件留待办理")
    ] = ("2025-12-31"),
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk/--service",
            help="批量写入（快，须无他人同时写入）或经服务层逐个事务写入；两者结果完全相同",
        ),
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """生成模拟数据：机关、用户与多年的依申请公开、舆情、网民留言案件，覆盖所有办理路径与结果。"""
    from govflow.synth.generate import database, load_synthetic_org, write_cases
    from govflow.synth.org import synthetic_org
    from govflow.synth.plan import plan
    from govflow.workflow.identity.principal import cli_channel

    with user_errors():
        start, end = _day("--from", from_), _day("--to", to)
        if start > end:
            raise InvalidInput(f"--from {start} 晚于 --to {end}")
        if start < SYNTH_FIRST_DAY:
            raise InvalidInput(
                f"--from {start} 早于 {SYNTH_FIRST_DAY}：模拟数据按现行规则（2019 年修订的《条例》、"
                "国办函〔2020〕109号收费办法）生成，不能早于该日"
            )
        if not 1 <= agencies <= 1000:
            raise InvalidInput(f"--agencies 须在 1–1000 之间，实为 {agencies}")
        if cases < 0:
            raise InvalidInput(f"--cases-per-agency 不能为负数，实为 {cases}")
        org = synthetic_org(seed, agencies)
        engine = database()
        load_synthetic_org(engine, org)
        top = org.agencies[0]
        typer.echo(
            f"机关：{top.name}（{top.code}）及下属 {len(org.agencies) - 1} 个机关，"
            f"用户 {len(org.users)} 名",
            err=True,
        )
        total = cases * len(org.agencies)
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            note = f"已写入 {done}/{total} 件案件（{rate:.0f} 件/秒）"
            typer.echo("\r" + note if tty else note, err=True, nl=not tty)

        written = write_cases(
            engine,
            plan(seed, org, start, end, cases),
            bulk=bulk,
            progress=progress,
            channel=cli_channel(os_user()),
        )
        if tty:
            typer.echo("", err=True)
        engine.dispose()
        if as_json:
            echo_json(
                {
                    "cases": written,
                    "seed": seed,
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "bulk": bulk,
                    "agency": top.code,
                    "agencies": len(org.agencies),
                    "users": len(org.users),
                    "seconds": round(time.monotonic() - started, 1),
                }
            )
            return
        how = "批量写入" if bulk else "经服务层逐个事务写入"
        typer.echo(
            f"已生成 {written} 件案件（种子 {seed}，{start} 至 {end}，{how}），"
            f"用时 {time.monotonic() - started:.1f} 秒。"
        )
        typer.echo(
            f"例如：govflow report annual --agency {top.code} --year {end.year} --include-children"
        )
