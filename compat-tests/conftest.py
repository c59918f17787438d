"""Fixtures for the MLflow-client compatibility suite.

Each test module gets its own freshly spawned server (SQLite backend, local artifact root in a
temporary directory). By default that server is flowreg; with ``FLOWREG_COMPAT_TARGET=mlflow`` it is
the reference ``mlflow server`` from the same virtualenv as the client, which is how the tests
themselves are validated.

Environment:
  FLOWREG_COMPAT_TARGET   flowreg (default) | mlflow
  FLOWREG_BIN             flowreg entry point (default <repo>/bin/flowreg.js, run with node)
  FLOWREG_COMPAT_KEEP_LOGS=1   print the server log location even when everything passed
"""

from __future__ import annotations

import os

# Must be in place before the client creates its HTTP session: a 5xx has to fail the test at
# once instead of being retried with exponential back-off for minutes.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import mlflow  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET = os.environ.get("FLOWREG_COMPAT_TARGET", "flowreg").strip().lower() or "flowreg"
MLFLOW_VERSION = mlflow.__version__
MLFLOW_MAJOR = int(MLFLOW_VERSION.split(".")[0])

FLOWREG_START_TIMEOUT = 20.0
MLFLOW_START_TIMEOUT = 60.0
STOP_GRACE_SECONDS = 5.0

# A Node.js stack frame ("    at fn (file:///x.js:1:2)") or a Python traceback header.
_STACK_TRACE_RE = re.compile(
    r"^\s+at .+(?::\d+:\d+\)?|\(native\)|\(<anonymous>\))\s*$|^Traceback \(most recent call last\):",
    re.MULTILINE,
)

# Problems found while stopping servers; reported again in the terminal summary.
_SERVER_PROBLEMS: list[str] = []


def pytest_configure(config):
    if TARGET not in ("flowreg", "mlflow"):
        raise pytest.UsageError(
            f"FLOWREG_COMPAT_TARGET must be 'flowreg' or 'mlflow', got {TARGET!r}"
        )


def pytest_report_header(config):
    return [
        f"mlflow client {MLFLOW_VERSION} ({sys.executable})",
        f"server under test: {TARGET}"
        + (f" ({' '.join(_flowreg_base_command())})" if TARGET == "flowreg" else ""),
    ]


def pytest_collection_modifyitems(config, items):
    if TARGET == "mlflow":
        skip_deviation = pytest.mark.skip(reason="flowreg deliberately differs from mlflow here")
        for item in items:
            if "deviation" in item.keywords:
                item.add_marker(skip_deviation)
    if MLFLOW_MAJOR >= 3:
        return
    skip_client = pytest.mark.skip(reason=f"needs an MLflow 3.x client (running {MLFLOW_VERSION})")
    skip_server = pytest.mark.skip(
        reason=f"behaviour of the 3.x server; the {MLFLOW_VERSION} reference server differs"
    )
    for item in items:
        if "mlflow3" in item.keywords:
            item.add_marker(skip_client)
        elif "server3" in item.keywords and TARGET == "mlflow":
            item.add_marker(skip_server)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _SERVER_PROBLEMS:
        terminalreporter.section("server problems", sep="!", red=True, bold=True)
        for problem in _SERVER_PROBLEMS:
            terminalreporter.line(problem, red=True)


def pytest_sessionfinish(session, exitstatus):
    if _SERVER_PROBLEMS and session.exitstatus == 0:
        session.exitstatus = 1


# --------------------------------------------------------------------------------------------
# Server process management
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flowreg_base_command() -> list[str]:
    binary = os.environ.get("FLOWREG_BIN") or str(REPO_ROOT / "bin" / "flowreg.js")
    if binary.endswith((".js", ".mjs", ".cjs")):
        return ["node", binary]
    return [binary]


# FLOWREG_COMPAT_BACKEND selects the stores a spawned flowreg uses:
#   sqlite       (default) a fresh SQLite file and a local artifact directory per server;
#   postgres-s3  a fresh PostgreSQL database on FLOWREG_TEST_PG_URL and a fresh bucket on the S3
#                endpoint FLOWREG_TEST_S3_ENDPOINT (moto in CI) per server.
BACKEND = os.environ.get("FLOWREG_COMPAT_BACKEND", "sqlite")


def _flowreg_backend(workdir: Path) -> tuple[str, str]:
    if BACKEND == "sqlite":
        return f"sqlite:///{workdir}/flowreg.db", str(workdir / "mlartifacts")
    if BACKEND != "postgres-s3":
        raise RuntimeError(f"unknown FLOWREG_COMPAT_BACKEND {BACKEND!r}")
    import urllib.parse
    import uuid

    pg_url = os.environ["FLOWREG_TEST_PG_URL"]
    endpoint = os.environ["FLOWREG_TEST_S3_ENDPOINT"]
    name = f"compat_{uuid.uuid4().hex[:12]}"
    # CREATE DATABASE through the psql client of the PostgreSQL the test script started.
    subprocess.run(["psql", pg_url, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    parsed = urllib.parse.urlsplit(pg_url)
    db_url = urllib.parse.urlunsplit(parsed._replace(path=f"/{name}"))
    bucket = name.replace("_", "-")
    requests.put(f"{endpoint}/{bucket}", timeout=10).raise_for_status()
    os.environ.setdefault("MLFLOW_S3_ENDPOINT_URL", endpoint)
    return db_url, f"s3://{bucket}/mlartifacts"


def serve(srv: "ServerProcess", extra_env: dict[str, str] | None = None):
    """A module fixture's body: start `srv`, yield it, stop it, and fail on anything it did wrong."""
    srv.start(extra_env)
    yield srv
    problems = srv.stop()
    if problems:
        pytest.fail("; ".join(problems) + "\n" + srv.logs(), pytrace=False)


class ServerProcess:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout_path = workdir / "server.stdout.log"
        self.stderr_path = workdir / "server.stderr.log"
        self.proc: subprocess.Popen | None = None
        if TARGET == "mlflow":
            mlflow_cli = Path(sys.executable).parent / "mlflow"
            self.command = [
                str(mlflow_cli), "server",
                "--backend-store-uri", f"sqlite:///{workdir}/mlflow.db",
                "--artifacts-destination", str(workdir / "mlartifacts"),
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--workers", "1",
            ]  # fmt: skip
            self.start_timeout = MLFLOW_START_TIMEOUT
        else:
            backend_uri, destination = _flowreg_backend(workdir)
            self.command = _flowreg_base_command() + [
                "server",
                "--backend-store-uri", backend_uri,
                "--artifacts-destination", destination,
                "--host", "127.0.0.1",
                "--port", str(self.port),
            ]  # fmt: skip
            self.start_timeout = FLOWREG_START_TIMEOUT

    def logs(self) -> str:
        parts = []
        for label, path in (("stderr", self.stderr_path), ("stdout", self.stdout_path)):
            try:
                text = path.read_text(errors="replace")
            except FileNotFoundError:
                text = ""
            if text.strip():
                tail = text[-8000:]
                parts.append(f"--- server {label} ({path}) ---\n{tail}")
        return "\n".join(parts) or "(server printed nothing)"

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start the server, with `extra_env` added to this process's environment for it alone."""
        env = dict(os.environ)
        env.pop("MLFLOW_TRACKING_URI", None)
        env.update(extra_env or {})
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                self.command,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                # Own process group: `mlflow server` runs uvicorn as a child process.
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                raise RuntimeError(
                    f"{TARGET} server exited with code {code} during start-up.\n"
                    f"command: {' '.join(self.command)}\n{self.logs()}"
                )
            try:
                r = requests.get(f"{self.url}/health", timeout=2)
                if r.status_code == 200 and r.text.strip() == "OK":
                    return
                last_error = f"/health answered {r.status_code} {r.text[:200]!r}"
            except requests.RequestException as exc:
                last_error = f"{type(exc).__name__}"
            time.sleep(0.1)
        self._kill_group(signal.SIGKILL)
        raise RuntimeError(
            f"{TARGET} server did not become healthy within {self.start_timeout:.0f} s "
            f"({last_error}).\ncommand: {' '.join(self.command)}\n{self.logs()}"
        )

    def _kill_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> list[str]:
        """Stop the server; return a list of problems (empty when it behaved).

        Only flowreg is held to these rules: the reference server is merely stopped.
        """
        problems: list[str] = []
        if self.proc is None:
            return problems
        if TARGET == "mlflow":
            self._kill_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            self._kill_group(signal.SIGKILL)
            self.proc.wait(timeout=10)
            return problems

        if self.proc.poll() is not None:
            problems.append(f"flowreg server died during the tests (exit code {self.proc.returncode})")
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                problems.append(
                    f"flowreg server did not exit within {STOP_GRACE_SECONDS:.0f} s of SIGTERM; killed"
                )
                self._kill_group(signal.SIGKILL)
                self.proc.wait(timeout=10)
            else:
                if self.proc.returncode != 0:
                    problems.append(
                        f"flowreg server exited with code {self.proc.returncode} after SIGTERM"
                    )
        # Make sure nothing of the group survives.
        self._kill_group(signal.SIGKILL)
        output = ""
        for path in (self.stderr_path, self.stdout_path):
            try:
                output += path.read_text(errors="replace")
            except FileNotFoundError:
                pass
        if _STACK_TRACE_RE.search(output):
            problems.append("flowreg server printed a stack trace")
        return problems


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """A freshly started server, shared by the tests of one module."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    srv = ServerProcess(tmp_path_factory.mktemp(f"{TARGET}-{module}"))
    error = None
    try:
        srv.start()
    except RuntimeError as exc:
        error = str(exc)
    if error is not None:
        # Nothing can pass without a server: stop the whole session with the reason, once.
        pytest.exit(f"[{module}] {error}", returncode=3)
    yield srv
    problems = srv.stop()
    if problems:
        message = f"[{module}] " + "; ".join(problems) + "\n" + srv.logs()
        _SERVER_PROBLEMS.append(message)
        pytest.fail(message, pytrace=False)
    elif os.environ.get("FLOWREG_COMPAT_KEEP_LOGS"):
        print(f"\n[{module}] server logs in {srv.workdir}")


@pytest.fixture(scope="module")
def server_url(server) -> str:
    return server.url


@pytest.fixture
def client(server_url, monkeypatch) -> MlflowClient:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server_url)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    return MlflowClient(tracking_uri=server_url, registry_uri=server_url)


class Rest:
    """Thin `requests` wrapper for wire-level checks; paths are relative to /api/2.0/mlflow/."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def url(self, path: str, prefix: str = "/api/2.0/mlflow/") -> str:
        if path.startswith("/"):
            return self.base_url + path
        return self.base_url + prefix + path

    def get(self, path, params=None, **kw):
        return self.session.get(self.url(path), params=params, timeout=30, **kw)

    def post(self, path, json=None, **kw):
        return self.session.post(self.url(path), json=json, timeout=30, **kw)

    def patch(self, path, json=None, **kw):
        return self.session.patch(self.url(path), json=json, timeout=30, **kw)

    def delete(self, path, json=None, **kw):
        return self.session.delete(self.url(path), json=json, timeout=30, **kw)


@pytest.fixture
def rest(server_url) -> Rest:
    r = Rest(server_url)
    yield r
    r.session.close()


@pytest.fixture
def unique_prefix() -> str:
    """A prefix no other test uses (hex only: no LIKE wildcards in it)."""
    return f"t{uuid.uuid4().hex[:12]}-"


@pytest.fixture
def unique_name(unique_prefix) -> str:
    return unique_prefix + "model"


@pytest.fixture
def make_name(unique_prefix):
    """Factory for further names under this test's unique prefix."""

    def make(suffix: str = "") -> str:
        return unique_prefix + (suffix or uuid.uuid4().hex[:8])

    return make
