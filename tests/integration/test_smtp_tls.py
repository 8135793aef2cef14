"""E-mail through an authenticating, encrypting mail server (issue 16 item 6): STARTTLS and
SMTPS with a login, the server's certificate checked against the office's own CA, and a
wrong password reported without the password. A real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from govflow.workers.channels import ChannelError, EmailChannel, Notification

PASSWORD = "s3cret-PLANTED-smtp"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the office's private CA, in effect)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[str, bytes]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((envelope.mail_from, envelope.content))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = auth_data.login == b"govflow" and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok)


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture(params=["starttls", "ssl"])
def mail_server(
    request: pytest.FixtureRequest, certificate: tuple[Path, Path]
) -> Iterator[tuple[str, int, Inbox]]:
    from tests.backing import free_port

    inbox, port, tls = Inbox(), free_port(), server_context(certificate)
    common = {"hostname": "127.0.0.1", "port": port, "authenticator": inbox.authenticate}
    if request.param == "starttls":
        controller = Controller(inbox, tls_context=tls, require_starttls=True,
                                auth_require_tls=True, **common)  # fmt: skip
    else:
        controller = Controller(inbox, ssl_context=tls, auth_require_tls=False, **common)
    controller.start()
    yield request.param, port, inbox
    controller.stop()


def note() -> Notification:
    return Notification(
        key="1:reply:warn_5:0:0:email:li.handler", case_ref="示政办依申〔2025〕0001号",
        level="warning", subject="答复期限还剩 5 个工作日", body="请及时办理",
        recipient="li.handler", recipient_name="李经办", address="li@example.gov.cn",
        recipients=("li.handler",),
    )  # fmt: skip


def channel(
    security: str, port: int, cert: Path, password: str, timeout: float = 10
) -> EmailChannel:
    return EmailChannel("127.0.0.1", port, "govflow@example.gov.cn", timeout, security,  # type: ignore[arg-type]
                        "govflow", password, cert)  # fmt: skip


def test_sends_over_tls_with_a_login(
    mail_server: tuple[str, int, Inbox], certificate: tuple[Path, Path]
) -> None:
    security, port, inbox = mail_server
    channel(security, port, certificate[0], PASSWORD).send(note())
    assert len(inbox.mails) == 1 and inbox.logins
    assert inbox.mails[0][0] == "govflow@example.gov.cn"


def test_a_wrong_password_or_an_untrusted_server_fails_without_showing_the_password(
    mail_server: tuple[str, int, Inbox], certificate: tuple[Path, Path]
) -> None:
    security, port, inbox = mail_server
    wrong = PASSWORD + "-wrong"
    # The test server holds its answer to a refused AUTH until the client gives up: the
    # client's timeout ends the attempt (2 s here, not the 10 s of the other calls).
    with pytest.raises(ChannelError) as refused:
        channel(security, port, certificate[0], wrong, timeout=2).send(note())
    assert wrong not in str(refused.value) and PASSWORD not in str(refused.value)
    with pytest.raises(ChannelError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        channel(security, port, None, PASSWORD).send(note())  # type: ignore[arg-type]
    assert inbox.mails == []
