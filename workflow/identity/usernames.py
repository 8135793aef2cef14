"""Usernames that differ only in case are one name to a person.

``Wang.Clerk`` beside ``wang.clerk`` invites mistakes at login and impersonation (a warning
meant for one goes, by a slip of the shift key, to the other), so a new account may not take
a name an existing one has, ignoring case: whoever creates it — an administrator's page,
``govflow user add``, the API, the organisation file. Login still matches the name exactly
(one indexed lookup); with no two accounts told apart by case alone, nobody can be confused
with another. Usernames are ASCII (``[A-Za-z0-9_.-]``), so ``lower`` is the fold.
"""

from __future__ import annotations

from govflow.workflow.errors import InvalidInput
from govflow.workflow.identity.ports import Account


def folded(username: str) -> str:
    """The name as compared for likeness (the SQL side folds with ``lower()`` alike)."""
    return username.lower()


def look_alike(username: str, existing: Account) -> InvalidInput:
    """The refusal of ``username`` beside ``existing``, which differs from it only in case."""
    who = f"{existing.username}（{existing.name}）"
    return InvalidInput(
        f"用户名 {username} 与已有用户 {who}只差大小写，登录时容易混淆或被冒用：请换一个用户名",
        {"username": f"与已有用户 {who}只差大小写，请换一个用户名"},
    )
