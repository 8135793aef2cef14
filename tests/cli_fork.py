"""A ``govflow`` command in a process forked from one that has already imported govflow.

The end-to-end tests start some fifteen hundred ``govflow`` commands a run. A new
interpreter spends about a third of a second of CPU importing govflow, SQLAlchemy,
pydantic and Typer before the command does anything: most of the suite's time, and nothing
the tests look at. So each test worker keeps one *fork server*: a Python process that
imported all that once and waits on a Unix socket. For each command it forks a child which
takes the test's environment, working folder and standard streams (passed as file
descriptors), runs ``govflow``'s own ``main()`` with the test's arguments and exits with its
code. The child is a process of its own, as a user's command is: its own environment,
database connections, caches filled from nothing, exit code, and it can be killed.

What a fork does not show, real interpreters still test: ``tests/e2e/test_install.py``
installs and runs the package, and the tests of servers, workers, start-up and killed
processes start ``python -m govflow`` themselves.

``GOVFLOW_TEST_FRESH_INTERPRETERS=1`` runs every command in a new interpreter instead, as
before, to compare. ``run`` takes the arguments of ``subprocess.run`` that the tests use and returns the same
``CompletedProcess``.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = ("-m", "govflow")


def _send(sock: socket.socket, payload: dict[str, object], fds: Sequence[int] = ()) -> None:
    data = json.dumps(payload).encode()
    socket.send_fds(sock, [struct.pack("!I", len(data)) + data], list(fds))


def _receive(sock: socket.socket, maxfds: int = 0) -> tuple[dict[str, object] | None, list[int]]:
    head, fds, _, _ = socket.recv_fds(sock, 4, maxfds)
    if len(head) < 4:
        return None, fds
    (size,) = struct.unpack("!I", head)
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None, fds
        data += chunk
    return json.loads(data), fds


# --- the server (``python -m tests.cli_fork SOCKET``) ---------------------------------------


def _preload() -> None:
    """What nearly every command imports, so that no child imports it again."""
    import psycopg  # noqa: F401
    import sqlalchemy.dialects.postgresql.psycopg
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401

    import govflow.app
    import govflow.cli
    import govflow.presentation.cases
    import govflow.workflow.services  # noqa: F401


def _child(conn: socket.socket, request: dict[str, object], fds: list[int]) -> None:
    """In the forked child: become the test's command, run it, report its exit code."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "rb", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "wb", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "wb", closefd=False), encoding="utf-8", errors="backslashreplace"
    )
    os.environ.clear()
    os.environ.update(request["env"])  # type: ignore[arg-type]
    time.tzset()  # the test's TZ, if it sets one
    random.seed()  # a process of its own draws its own numbers
    os.chdir(str(request["cwd"]))
    # as ``python -m govflow`` sets it; arguments that were not UTF-8 arrive as the same
    # surrogate escapes a new interpreter would make of them
    sys.argv = [str(ROOT / "govflow" / "__main__.py"), *request["args"]]  # type: ignore[misc]
    _send(conn, {"pid": os.getpid()})
    code = 0
    try:
        from govflow.cli import main

        main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, int | None):
            print(done.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    finally:
        _send(conn, {"code": code})
        os._exit(code)


def serve(path: str) -> None:
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    server.settimeout(2)
    parent = os.getppid()
    print("ready", flush=True)
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the test worker is gone: so is its fork server
                return
            continue
        conn.settimeout(None)
        request, fds = _receive(conn, maxfds=3)
        if request is None:
            conn.close()
            continue
        if os.fork() == 0:
            try:  # whatever happens, the child never returns into this loop
                server.close()
                _child(conn, request, fds)
            finally:
                os._exit(70)
        conn.close()
        for fd in fds:
            os.close(fd)


# --- the client --------------------------------------------------------------------------


class _Server:
    """This test worker's fork server, started on first use and stopped at exit."""

    lock = threading.Lock()
    process: subprocess.Popen[bytes] | None = None
    path = ""

    @classmethod
    def address(cls) -> str:
        with cls.lock:
            if cls.process is None or cls.process.poll() is not None:
                folder = tempfile.mkdtemp(prefix="govflow-fork-")
                cls.path = os.path.join(folder, "socket")
                env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
                env["PYTHONPATH"] = os.pathsep.join(
                    filter(None, [str(ROOT), env.get("PYTHONPATH")])
                )
                cls.process = subprocess.Popen(
                    [sys.executable, "-m", "tests.cli_fork", cls.path],
                    env=env,
                    cwd=ROOT,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                )
                assert cls.process.stdout is not None
                if cls.process.stdout.readline().strip() != b"ready":
                    raise RuntimeError("the govflow fork server did not start")
                atexit.register(cls.process.kill)
            return cls.path


def _decoded(data: bytes, text: bool, encoding: str | None) -> str | bytes:
    """As ``subprocess.run`` hands output back: text with universal newlines, or bytes."""
    if not (text or encoding):
        return data
    return data.decode(encoding or "utf-8").replace("\r\n", "\n").replace("\r", "\n")


def is_govflow(args: Sequence[str]) -> bool:
    return len(args) >= 3 and tuple(args[1:3]) == PREFIX


def run(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    input: str | bytes | None = None,
    timeout: float | None = None,
    text: bool = False,
    encoding: str | None = None,
    capture_output: bool = True,
    check: bool = False,
) -> subprocess.CompletedProcess:
    """``subprocess.run([sys.executable, "-m", "govflow", *argv], capture_output=True, …)``,
    forked from the fork server instead of started afresh."""
    if not is_govflow(args):
        raise ValueError(f"not a govflow command: {args!r}")
    if os.environ.get("GOVFLOW_TEST_FRESH_INTERPRETERS"):
        return subprocess.run(
            args,
            env=env,
            cwd=cwd,
            input=input,
            timeout=timeout,
            text=text,
            encoding=encoding,
            capture_output=capture_output,
            check=check,
        )
    argv = [os.fsdecode(a) for a in args[3:]]
    with (
        tempfile.TemporaryFile() as stdin,
        tempfile.TemporaryFile() as stdout,
        tempfile.TemporaryFile() as stderr,
    ):
        if input is not None:
            stdin.write(input.encode() if isinstance(input, str) else input)
            stdin.seek(0)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(_Server.address())
        with sock:
            request = {
                "args": argv,
                "env": dict(os.environ if env is None else env),
                "cwd": os.fspath(cwd) if cwd is not None else os.getcwd(),
            }
            _send(sock, request, [stdin.fileno(), stdout.fileno(), stderr.fileno()])
            deadline = None if timeout is None else time.monotonic() + timeout
            sock.settimeout(None if deadline is None else max(deadline - time.monotonic(), 1))
            started, _ = _receive(sock)  # at once: the child reports before it runs anything
            assert started is not None, "the fork server's child died before it started"
            pid = int(started["pid"])  # type: ignore[call-overload]
            try:
                if deadline is not None:
                    sock.settimeout(max(deadline - time.monotonic(), 0.001))
                done, _ = _receive(sock)
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired(list(args), timeout or 0) from None
        code = int(done["code"]) if done is not None else -signal.SIGKILL  # type: ignore[call-overload]
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    result: subprocess.CompletedProcess = subprocess.CompletedProcess(
        list(args), code, _decoded(out, text, encoding), _decoded(err, text, encoding)
    )
    if check:
        result.check_returncode()
    return result


if __name__ == "__main__":
    serve(sys.argv[1])
