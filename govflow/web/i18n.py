"""Every word of the web pages through one catalogue (issue 12).

The source strings (msgids) are the zh-CN text the pages have always shown, so zh-CN needs
no translation and an untranslated string of another locale falls back to Chinese. The
catalogue is ``locale/messages.pot`` (extracted with ``pybabel extract -F babel.cfg``);
each other locale has ``locale/<locale>/LC_MESSAGES/messages.po``, compiled in memory when
the application is built (about 20 ms: no build step at install time).

The locale in force is a setting (``GOVFLOW_LOCALE``, default ``zh_CN``) read once by the
process's edge (``app_from_environment``) and handed to ``create_app``, which keeps the
loaded catalogue on the application and makes it the one in force for each
request (``InForce``), so the templates' ``_()`` and the page modules' ``_()`` agree, and two
applications of different locales in one process (tests) do not disturb each other.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from gettext import NullTranslations
from importlib.resources import files
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(str(files("govflow.web").joinpath("locale")))
DOMAIN = "messages"
ENV_LOCALE = "GOVFLOW_LOCALE"
SOURCE_LOCALE = "zh_CN"
"""The locale the msgids are written in: it needs no catalogue of its own."""

_CURRENT: ContextVar[NullTranslations] = ContextVar("govflow_translations")
_SOURCE = NullTranslations()

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def locale_from_environment() -> str:
    """The edge's one reading of ``GOVFLOW_LOCALE`` (unset or empty: zh-CN)."""
    return os.environ.get(ENV_LOCALE, "").strip() or SOURCE_LOCALE


def available() -> tuple[str, ...]:
    """The locales this installation can show: the source and every shipped catalogue."""
    shipped = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LOCALE, *shipped)


def load(locale: str) -> NullTranslations:
    """The catalogue of ``locale``, compiled from its ``.po``; refuses an unknown locale at
    start-up rather than silently showing the source text."""
    if locale == SOURCE_LOCALE:
        return _SOURCE
    po = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        raise ValueError(
            f"{ENV_LOCALE}={locale!r}：没有这一语言的界面文字（可选：{'、'.join(available())}）"
        )
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def current() -> NullTranslations:
    """The catalogue in force for this request (outside one: the source text)."""
    return _CURRENT.get(_SOURCE)


def html_lang() -> str:
    """The ``lang`` of the pages' ``<html>``: BCP 47 (``zh-CN``, ``en``)."""
    language = current().info().get("language", "") or SOURCE_LOCALE
    return language.replace("_", "-")


def _(message: str, **params: object) -> str:
    """``message`` in the locale in force; ``%(name)s`` placeholders filled from
    ``params`` after translation, so a translation may move them."""
    text = current().gettext(message)
    return text % params if params else text


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined (a module constant, read
    before any request); it is translated where it is shown, with ``_(CONSTANT)``."""
    return message


def word(text: Any) -> Any:
    """A domain word in the locale in force, as a page shows it (the templates' ``word``
    filter): a label the declarations or a type's contract give (a state, an action, a
    field, a limit, an outcome …), whose msgid is its zh-CN text, put in ``messages.pot``
    by ``catalogue_extract``. Only the page translates it: the domain and the stored events
    keep the zh-CN words. Anything else (None, a number, an empty label) passes unchanged,
    and a word no catalogue lists (a limit named after a party) stays as it is."""
    if not isinstance(text, str) or not text:
        return text  # gettext("") would return the catalogue's header
    return current().gettext(text)


def gettext(message: str) -> str:
    """The templates' ``_``/``gettext`` (Jinja2's newstyle wrapper fills placeholders)."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().ngettext(singular, plural, n)


class InForce:
    """ASGI middleware putting one loaded catalogue in force for each request it serves
    (``app.add_middleware(InForce, translations=load(locale))``)."""

    def __init__(self, app: ASGIApp, translations: NullTranslations) -> None:
        self._app = app
        self._translations = translations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _CURRENT.set(self._translations)
        try:
            await self._app(scope, receive, send)
        finally:
            _CURRENT.reset(token)


# The navigation's and the roles' labels come from the service layer and the domain
# (``services.workbench``, ``actors.ROLE_LABELS``); the templates translate them as they
# show them, and these markers put them in the catalogue.
# tests/unit/test_web_catalogue.py checks every label those return is listed here.
NAVIGATION = (
    N_("我的待办"),
    N_("待审批"),
    N_("案件查询"),
    N_("登记申请"),
    N_("登记案件"),
    N_("待确认收到"),
    N_("舆情事件"),
    N_("通知"),
    N_("督查看板"),
    N_("年度报告"),
    N_("历史校验"),
    N_("系统管理"),
)
ROLES = (
    N_("登记员"),
    N_("经办人"),
    N_("公开办负责人"),
    N_("督查"),
    N_("系统管理员"),
    N_("系统"),
)
# The badges and statuses of a limit come from the presentation and the domain's texts
# (``presentation.urgency``, ``texts.STATUS_LABELS``); the pages show them through ``word``.
# tests/unit/test_web_catalogue.py checks every one of them is listed here.
BADGES = (
    N_("已逾期"),
    N_("今日到期"),
    N_("≤2个工作日"),
    N_("≤5个工作日"),
    N_("暂停计时"),
    N_("已超时"),
    N_("<1小时"),
    N_("<6小时"),
)
STATUSES = (
    N_("计时中"),
    N_("中止计算"),
    N_("已按期完成"),
    N_("已超期"),
    N_("已取消"),
    N_("已届满"),
)
# What each kind of audit finding means (``events.FINDING_KINDS``): the case pages' warning
# and the verification page's list show it through ``word``.
# tests/unit/test_web_catalogue.py checks every one of them is listed here.
FINDING_KINDS = (
    N_("事件内容被修改"),
    N_("插入了事件"),
    N_("事件被删除"),
    N_("事件顺序被调换"),
    N_("哈希链断裂"),
    N_("链头与最后一个事件不符"),
    N_("状态前后不衔接"),
    N_("事件校验码（MAC）不符"),
    N_("事件签名密钥未知"),
    N_("事件没有校验码（MAC）"),
    N_("历史记录损坏"),
    N_("派生数据与事件不符"),
    N_("文件缺失"),
    N_("文件内容被替换"),
    N_("整件案件被删除"),
    N_("末尾事件被删除"),
    N_("事件被改写并重算哈希"),
    N_("链头被回退"),
)
