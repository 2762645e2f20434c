"""Real servers on loopback for the integration tests: a private nats-server (JetStream) from
.tools/bin and, where its binaries are installed, a private PostgreSQL cluster. Started once per
run, on free ports, in temporary directories, and stopped at the end."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, check: Callable[[], bool], timeout_s: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if process.poll() is not None:
            raise RuntimeError(f"{what}: exited with {process.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready after {timeout_s} s")
        time.sleep(0.05)


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes], sig: int = 15) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    server = REPO / ".tools" / "bin" / "nats-server"
    if not server.exists():
        pytest.fail(f"{server} is missing: run bash scripts/setup.sh")
    directory = tempfile.mkdtemp(prefix="marketing-nats-")
    port = free_port()
    with open(os.path.join(directory, "nats.log"), "wb") as log:
        process = subprocess.Popen(
            [str(server), "-js", "-sd", directory, "-a", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
        )
    try:
        wait_until("nats-server", lambda: accepts(port), 20, process)
        yield f"nats://127.0.0.1:{port}"
    finally:
        stop(process)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    binary = os.environ.get("PG_BIN") or (bins[-1] if bins else "")
    if not binary or not os.path.exists(os.path.join(binary, "postgres")):
        pytest.skip("PostgreSQL server binaries are not installed (bash scripts/setup.sh with SETUP_POSTGRES=1)")
    user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    directory = tempfile.mkdtemp(prefix="marketing-pg-")
    os.chmod(directory, 0o755)
    data = os.path.join(directory, "data")
    os.mkdir(data)
    as_user: dict[str, object] = {}
    if user is not None:
        os.chown(data, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid}
    port = free_port()
    log = open(os.path.join(directory, "postgres.log"), "wb")  # noqa: SIM115 (kept open while the server runs)
    subprocess.run(
        [os.path.join(binary, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"],
        stdout=log,
        stderr=log,
        check=True,
        cwd=data,
        **as_user,  # type: ignore[arg-type]
    )
    process = subprocess.Popen(
        [os.path.join(binary, "postgres"), "-D", data, "-p", str(port), "-h", "127.0.0.1", "-k", data],
        stdout=log,
        stderr=log,
        cwd=data,
        **as_user,  # type: ignore[arg-type]
    )
    ready = [os.path.join(binary, "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-t", "1"]
    try:
        wait_until("PostgreSQL", lambda: subprocess.run(ready, capture_output=True).returncode == 0, 60, process)
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        stop(process, 2)  # SIGINT: fast shutdown
        log.close()
        shutil.rmtree(directory, ignore_errors=True)
