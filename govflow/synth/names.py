"""Pools of realistic Chinese names and identifiers for the synthetic data (no I/O).

Identity numbers are built the way the standards build them, so anything that checks
them (or a person reading them) sees real-looking data:
- 居民身份证号码 (GB 11643-1999): region (6) + birth date (8) + sequence (3) + ISO 7064
  MOD 11-2 check character;
- 统一社会信用代码 (GB 32100-2015): registration authority and organisation type (2) +
  region (6) + organisation code with its own GB 11714 check (9) + MOD 31 check character.
  The first two characters follow the applicant's subkind (91 企业, 12 事业单位 for
  research institutes, 52/53 社会服务机构/基金会, 31 律师事务所, 93/54 合作社/村委会).

Every function takes the ``random.Random`` it draws from: same generator state, same output.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The most common surnames first: drawn with weights falling along the list.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS = tuple(1.0 / (i + 8) for i in range(len(SURNAMES)))
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志海燕红梅玉兰英秀云飞鹏辉波斌宇浩"
    "凯健俊峰文博晨阳欣怡佳琪雪婷子涵思远嘉鑫宏亮晓东丹凤金龙春生秋菊德福永庆淑珍立新"
)

# 行政区划代码 of plausible home places: the first few are weighted as "local" applicants.
REGION_CODES = (
    "610926", "610902", "610921", "610923", "610924", "610925", "610927", "610928",
    "610102", "610113", "330102", "330106", "320102", "320583", "440106", "440305",
    "510104", "420102", "430102", "370102", "410105", "110105", "110108", "310104",
    "310115", "500103", "350102", "360102", "340104", "620102", "130102", "210102",
)  # fmt: skip
_REGION_WEIGHTS = tuple(6.0 if i < 8 else 1.0 for i in range(len(REGION_CODES)))

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

SUBKIND_PREFIXES = {
    "commercial": ("91",),
    "research": ("12",),
    "public_interest": ("52", "53"),
    "legal_services": ("31",),
    "other": ("93", "54", "59"),
}

_PLACES = "青云安平永宁长丰清河东阳新华金城瑞祥兴隆福源泰和嘉禾广益恒通鑫达宏远"
_PLACE_NAMES = tuple(_PLACES[i : i + 2] for i in range(0, len(_PLACES), 2))
_INDUSTRIES = (
    "建材", "房地产开发", "建筑工程", "物业管理", "农业科技", "食品", "商贸", "矿业",
    "化工", "环保科技", "交通运输", "医药", "信息技术", "劳务", "餐饮管理", "旅游开发",
)  # fmt: skip
_PROVINCES = ("陕西", "浙江", "江苏", "广东", "四川", "湖北", "湖南", "山东", "北京", "上海")
_UNIVERSITIES = ("西北", "东南", "华中", "西南", "华东", "中南")
_RESEARCH = (
    "{p}大学公共管理学院",
    "{p}大学法学院政府信息公开研究中心",
    "{prov}省社会科学院",
    "{prov}省环境科学研究院",
    "{prov}省城乡规划设计研究院",
    "{prov}省农业科学院农业经济研究所",
)
_PUBLIC_INTEREST = (
    "{prov}省{q}环保公益服务中心",
    "{prov}省{q}公益基金会",
    "{q}社会工作服务中心",
    "{q}志愿者协会",
    "{prov}省{q}消费者权益保护服务中心",
)
_LAW_FIRMS = ("{prov}{q}律师事务所", "{prov}{q}{r}律师事务所", "{q}法律服务所")
_OTHER_ORGS = ("{q}农民专业合作社", "{q}村民委员会", "{q}花园小区业主委员会", "{q}养殖专业合作社")

STREETS = ("人民路", "解放路", "建设路", "中山路", "新华街", "文化路", "滨河路", "胜利街", "北大街")
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com")
_PINYIN_SURNAMES = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang",
    "黄": "huang", "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun",
    "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo", "何": "he", "高": "gao",
}  # fmt: skip


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(length))


def mailbox(rng: random.Random, name: str) -> str:
    """A private e-mail address (the surname romanised when it is a common one)."""
    stem = _PINYIN_SURNAMES.get(name[0], "user")
    return f"{stem}{rng.randrange(100, 99999)}@{rng.choice(EMAIL_DOMAINS)}"


def id_check(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999)."""
    total = sum(int(ch) * w for ch, w in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number(rng: random.Random) -> str:
    region = rng.choices(REGION_CODES, weights=_REGION_WEIGHTS)[0]
    year = rng.randint(1950, 2005)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    body = f"{region}{year:04d}{month:02d}{day:02d}{rng.randrange(1000):03d}"
    return body + id_check(body)


def valid_id_number(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and id_check(number[:17]) == number[17]


def _org_code_check(body: str) -> str:
    """GB 11714: the check character of an 8-character organisation code."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_check(body: str) -> str:
    """The MOD 31 check character of a unified social credit code (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc(rng: random.Random, subkind: str) -> str:
    prefix = rng.choice(SUBKIND_PREFIXES[subkind])
    region = rng.choices(REGION_CODES, weights=_REGION_WEIGHTS)[0]
    org = "".join(rng.choice("0123456789") for _ in range(8))
    org += _org_code_check(org)
    body = prefix + region + org
    return body + uscc_check(body)


def valid_uscc(code: str) -> bool:
    return (
        len(code) == 18
        and all(ch in USCC_ALPHABET for ch in code)
        and uscc_check(code[:17]) == code[17]
    )


def phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + f"{rng.randrange(10**9):09d}"


def address(rng: random.Random) -> str:
    return f"{rng.choice(_PLACE_NAMES)}镇{rng.choice(STREETS)}{rng.randint(1, 300)}号"


def organisation_name(rng: random.Random, subkind: str) -> str:
    fill = {
        "p": rng.choice(_UNIVERSITIES),
        "prov": rng.choice(_PROVINCES),
        "q": rng.choice(_PLACE_NAMES),
        "r": rng.choice(_PLACE_NAMES),
    }
    if subkind == "commercial":
        return (
            f"{rng.choice(_PLACE_NAMES)}{rng.choice(_PLACE_NAMES)}{rng.choice(_INDUSTRIES)}有限公司"
        )
    templates = {
        "research": _RESEARCH,
        "public_interest": _PUBLIC_INTEREST,
        "legal_services": _LAW_FIRMS,
        "other": _OTHER_ORGS,
    }[subkind]
    return rng.choice(templates).format(**fill)


def company_name(rng: random.Random) -> str:
    return organisation_name(rng, "commercial")


def place_name(rng: random.Random) -> str:
    return rng.choice(_PLACE_NAMES)


@dataclass(frozen=True)
class ApplicantProfile:
    """One applicant of an agency's pool, as the intake's ``applicant`` field wants it."""

    kind: str
    subkind: str | None
    name: str
    id_number: str
    phone: str | None
    address: str | None
    email: str | None

    def intake(self) -> dict[str, str]:
        data = {"kind": self.kind, "name": self.name, "id_number": self.id_number}
        for key in ("subkind", "phone", "address", "email"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


SUBKIND_WEIGHTS = {
    "commercial": 45,
    "legal_services": 20,
    "research": 10,
    "public_interest": 10,
    "other": 15,
}


def applicant(
    rng: random.Random, subkind: str | None = None, legal: bool | None = None
) -> ApplicantProfile:
    """A new applicant: 80 % natural persons; legal persons by ``SUBKIND_WEIGHTS``.

    Everyone gives a phone number or an address or an e-mail (the intake needs one).
    """
    if legal is None:
        legal = subkind is not None or rng.random() < 0.2
    if not legal:
        name = person_name(rng)
        return ApplicantProfile(
            "natural_person",
            None,
            name,
            id_number(rng),
            phone(rng),
            address(rng) if rng.random() < 0.5 else None,
            mailbox(rng, name) if rng.random() < 0.3 else None,
        )
    if subkind is None:
        subkind = rng.choices(list(SUBKIND_WEIGHTS), weights=list(SUBKIND_WEIGHTS.values()))[0]
    return ApplicantProfile(
        "legal_person",
        subkind,
        organisation_name(rng, subkind),
        uscc(rng, subkind),
        phone(rng),
        address(rng),
        f"office{rng.randrange(100, 9999)}@{rng.choice(EMAIL_DOMAINS)}"
        if rng.random() < 0.5
        else None,
    )
