"""Fixtures for the end-to-end workflow journeys (tracking + registry + artifacts + CLI).

These tests drive the client the way a user script does: through the fluent API
(``mlflow.set_experiment``, ``mlflow.start_run``, ``mlflow.<flavor>.log_model``,
``mlflow.pyfunc.load_model``) and the ``mlflow`` command line, with the tracking URI taken from
``MLFLOW_TRACKING_URI``. The server is the module-scoped one of the parent conftest.

Environment:
  FLOWREG_COMPAT_BIG=0        skip the tests marked ``big`` (multi-gigabyte artifact transfers);
                              they run by default (``-m "not big"`` deselects them too).
  FLOWREG_COMPAT_BIG_MIB=N    size of the big artifact in MiB (default 2048).

The throughput and server memory figures of the big transfers are printed in a terminal summary
section of their own ("big artifact transfers") and recorded as test properties (JUnit XML).
"""

from __future__ import annotations

import os

import mlflow
import mlflow.tracking.fluent as fluent
import pytest
from mlflow.tracking import MlflowClient

# Environment variables through which the fluent API picks its experiment, run or registry.
# A test must neither inherit them nor leak them (set_experiment exports MLFLOW_EXPERIMENT_ID).
_FLUENT_ENV = (
    "MLFLOW_EXPERIMENT_NAME",
    "MLFLOW_EXPERIMENT_ID",
    "MLFLOW_RUN_ID",
    "MLFLOW_REGISTRY_URI",
)


# One line per big transfer (throughput, server peak RSS), repeated in the terminal summary.
_BIG_TRANSFER_LINES: list[str] = []


def _big_enabled() -> bool:
    value = os.environ.get("FLOWREG_COMPAT_BIG", "1").strip().lower()
    return value not in ("0", "false", "no", "off", "")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "big: transfers multi-gigabyte artifacts (deselect with FLOWREG_COMPAT_BIG=0)",
    )


def pytest_collection_modifyitems(config, items):
    if _big_enabled():
        return
    skip_big = pytest.mark.skip(reason="FLOWREG_COMPAT_BIG=0: big artifact transfers disabled")
    for item in items:
        if "big" in item.keywords:
            item.add_marker(skip_big)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _BIG_TRANSFER_LINES:
        terminalreporter.section("big artifact transfers")
        for line in _BIG_TRANSFER_LINES:
            terminalreporter.line(line)


@pytest.fixture
def big_transfer_report() -> list[str]:
    """Append a line here to have it printed in the terminal summary."""
    return _BIG_TRANSFER_LINES


def _end_all_runs(status: str = "FINISHED") -> None:
    for _ in range(10):
        if mlflow.active_run() is None:
            return
        try:
            mlflow.end_run(status)
        except Exception:  # the server may be the reason the test failed
            fluent._active_run_stack.get().clear()


@pytest.fixture
def tracking(server_url, monkeypatch) -> MlflowClient:
    """Point the fluent API at the module's server, with no active experiment or run.

    Returns a client for the same server, for assertions.
    """
    for var in _FLUENT_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server_url)
    monkeypatch.setattr(fluent, "_active_experiment_id", None)
    _end_all_runs()
    yield MlflowClient(tracking_uri=server_url, registry_uri=server_url)
    _end_all_runs("FAILED")
    for var in _FLUENT_ENV:
        os.environ.pop(var, None)
