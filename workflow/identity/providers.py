"""The login step as an interface: a provider turns a proof into an account.

``login.login`` does what every provider shares (refuse locked and deactivated accounts,
count failures, log the attempt, open the session); a provider only answers three
questions: which account does this proof name (``identify``), is the proof good for
that account (``verify``), and what to tell someone no account answers to
(``unknown_account``). Local passwords answer the first from the username typed, the
second with argon2, the third as a wrong password; OpenID Connect answers the first by
validating a signed id_token, the second with yes, the third by naming the missing link
(the provider has proved who it is). CAS would be a third provider, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from govflow.workflow.errors import NotAuthenticated
from govflow.workflow.identity.passwords import PasswordHasher, Verdict
from govflow.workflow.identity.ports import Account

ProofT = TypeVar("ProofT", contravariant=True)

BAD_CREDENTIALS = "用户名或密码错误"


class LoginRefused(NotAuthenticated):
    """A refused login; ``outcome`` is what the login log records (see login.OUTCOMES)."""

    def __init__(self, outcome: str, message: str = BAD_CREDENTIALS) -> None:
        super().__init__(message)
        self.outcome = outcome


@dataclass(frozen=True)
class AccountKey:
    """How a proof names an account: by one of its unique fields."""

    field: Literal["username", "oidc_subject", "email"]
    value: str


class LoginProvider(Protocol[ProofT]):
    name: str
    counts_failures: bool  # failed proofs count towards the lockout (guessable secrets)

    def identify(self, proof: ProofT) -> AccountKey:
        """Which account the proof names; may validate the proof and raise ``LoginRefused``."""
        ...

    def verify(self, proof: ProofT, account: Account | None) -> Verdict:
        """Whether the proof is good for ``account`` (``None``: no such account; spend the
        same time anyway)."""
        ...

    def unknown_account(self, key: AccountKey) -> LoginRefused:
        """The refusal when no account answers to ``key``. A provider whose proof can be
        made up (a typed username) must say no more than for a wrong password; one that
        has already proved who the person is may tell them what is missing."""
        ...


PROVIDER_LABELS = {"local": "本地密码", "oidc": "统一身份认证"}
"""How the login log names each provider (its ``name``, stored with every attempt)."""


@dataclass(frozen=True)
class PasswordProof:
    username: str
    password: str = field(repr=False)


class LocalPasswords:
    """Usernames and argon2id password hashes stored in govflow's own database."""

    name = "local"
    counts_failures = True

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher

    def identify(self, proof: PasswordProof) -> AccountKey:
        username = proof.username.strip()
        if not username or not proof.password:
            raise LoginRefused("malformed", "请输入用户名和密码")
        return AccountKey("username", username)

    def verify(self, proof: PasswordProof, account: Account | None) -> Verdict:
        if account is None:
            self.hasher.burn(proof.password)
            return Verdict(False)
        return self.hasher.verify(account.password_hash, proof.password)

    def unknown_account(self, key: AccountKey) -> LoginRefused:
        return LoginRefused("unknown_account")  # as a wrong password: no account enumeration
