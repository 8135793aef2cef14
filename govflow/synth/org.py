"""A synthetic county's organisation: agencies and users, from a seed (SPEC section 1).

The tree is what a county has: the county government office (县人民政府办公室) at the top,
its departments (教育局, 住房和城乡建设局, 自然资源局 …) and towns (XX镇人民政府) below it,
two departments for every town while both lists last, then numbered sub-districts
(第N街道办事处) for any volume. Every agency has a clerk (登记员), two to four handlers
(经办人) and an office head (公开办负责人); the county office also has the supervisor
(督查) who reads everything below it.

Codes are the county's pinyin with a suffix (``qingshan``, ``qingshan-edu``,
``qingshan-t03``) and reference prefixes start with the county's first character
(青政办, 青教, 青城关), so two synthetic counties, or the demo organisation, can share a
database. Names and users are deterministic from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from govflow.models.org import AgencyIn, OrgFile, UserIn
from govflow.synth import names
from govflow.synth.seeds import derive_seed
from govflow.synth.topics import DEPARTMENTS, TOWNS
from govflow.workflow.actors import Role

COUNTY_FIRST = {
    "青": "qing", "临": "lin", "安": "an", "永": "yong", "云": "yun", "宁": "ning",
    "长": "chang", "丰": "feng", "清": "qing", "平": "ping", "泰": "tai", "嘉": "jia",
}  # fmt: skip
COUNTY_SECOND = {
    "山": "shan", "河": "he", "川": "chuan", "溪": "xi", "阳": "yang", "源": "yuan",
    "乐": "le", "水": "shui", "林": "lin", "江": "jiang",
}  # fmt: skip


def county_name(seed: int) -> tuple[str, str]:
    """The county's name without 县 (e.g. 青山) and its pinyin slug (``qingshan``)."""
    rng = random.Random(derive_seed(seed, "county"))
    first = rng.choice(sorted(COUNTY_FIRST))
    second = rng.choice(sorted(COUNTY_SECOND))
    return first + second, COUNTY_FIRST[first] + COUNTY_SECOND[second]


def _below(rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """(code suffix, name after the county, prefix stem) of the agencies below the top."""
    towns = list(TOWNS)
    rng.shuffle(towns)
    depts = list(DEPARTMENTS)
    t = 0
    while depts or t < len(towns):
        for _ in range(2):
            if depts:
                d = depts.pop(0)
                yield d.key, d.name, d.short
        if t < len(towns):
            town = towns[t]
            t += 1
            yield f"t{t:02d}", f"{town}镇人民政府", town[:2]
    n = 0
    while True:
        n += 1
        yield f"x{n:03d}", f"第{n}街道办事处", f"街{n}"


def _unique(prefix: str, taken: set[str]) -> str:
    candidate, n = prefix, 1
    while candidate in taken:
        n += 1
        candidate = f"{prefix}{n}"
    taken.add(candidate)
    return candidate


def synthetic_org(seed: int, agencies: int) -> OrgFile:
    """``agencies`` agencies in all (the county office and ``agencies - 1`` below it)."""
    if agencies < 1:
        raise ValueError("agencies must be at least 1")
    county, slug = county_name(seed)
    c = county[0]
    rng = random.Random(derive_seed(seed, "org"))
    prefixes: set[str] = set()
    rows = [
        AgencyIn(
            code=slug, name=f"{county}县人民政府办公室", ref_prefix=_unique(f"{c}政办", prefixes)
        )
    ]
    below = _below(rng)
    while len(rows) < agencies:
        suffix, name, stem = next(below)
        rows.append(
            AgencyIn(
                code=f"{slug}-{suffix}",
                name=f"{county}县{name}",
                ref_prefix=_unique(c + stem, prefixes),
                parent=slug,
            )
        )
    users: list[UserIn] = []
    people: set[str] = set()

    def user(username: str, role: Role, agency: str) -> None:
        name = names.person_name(rng)
        while name in people:  # one person, one name: easier to read in the timelines
            name = names.person_name(rng)
        people.add(name)
        email = f"{username}@{slug}.gov.cn"
        users.append(UserIn(username=username, name=name, role=role, agency=agency, email=email))

    for agency in rows:
        user(f"{agency.code}.clerk", Role.CLERK, agency.code)
        for i in range(rng.randint(2, 4)):
            user(f"{agency.code}.handler{i + 1}", Role.HANDLER, agency.code)
        user(f"{agency.code}.head", Role.OFFICE_HEAD, agency.code)
    user(f"{slug}.supervisor", Role.SUPERVISOR, slug)
    return OrgFile(agencies=rows, users=users)
