"""Helpers shared by the workflow journeys: version differences of the fluent API, a tiny model,
and running the ``mlflow`` CLI or a fresh Python process against the server."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
import sys
import time
from pathlib import Path

import mlflow
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])
MLFLOW3 = MLFLOW_MAJOR >= 3

# 3.x names the model (`name=`); 2.x places it under the run's artifacts (`artifact_path=`).
_MODEL_LOCATION_ARG = "name" if MLFLOW3 else "artifact_path"
# 3.x only accepts `code_paths`; 2.x also has the older `code_path`.
CODE_PATHS_ARG = "code_paths" if MLFLOW3 else "code_path"

MLFLOW_CLI = Path(sys.executable).parent / "mlflow"


def model_location(path: str = "model") -> dict:
    """Keyword argument placing a logged model at `path` (or naming it `path` on 3.x)."""
    return {_MODEL_LOCATION_ARG: path}


# Explicit requirements spare log_model its requirement inference (a subprocess that imports the
# model, several seconds per call); the requests the client sends to the server are the same.
SKLEARN_REQUIREMENTS = [f"scikit-learn=={sklearn.__version__}"]


def training_data(seed: int = 7, rows: int = 40):
    """A small, linearly separable-ish binary classification problem."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 4))
    y = (X[:, 0] - 0.5 * X[:, 2] + 0.1 * X[:, 3] > 0).astype(np.int64)
    return X, y


def fit_classifier(X, y) -> LogisticRegression:
    return LogisticRegression(max_iter=500).fit(X, y)


def wait_until_ready(client, name: str, version: str, timeout: float = 30.0):
    """The model version once its status is READY (fails on FAILED_REGISTRATION or timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        mv = client.get_model_version(name, version)
        if mv.status == "READY":
            return mv
        assert mv.status == "PENDING_REGISTRATION", f"{name} v{version}: status {mv.status}"
        assert time.monotonic() < deadline, f"{name} v{version} still {mv.status}"
        time.sleep(0.2)


def child_env(server_url: str, *, inherit: bool = True) -> dict:
    """Environment for a child process talking to `server_url`.

    With inherit=False the child sees only the tracking URI (plus the telemetry opt-outs and the
    no-retry setting the suite uses everywhere): nothing of the test process's experiment, run,
    registry URI or PYTHONPATH leaks into it.
    """
    if inherit:
        env = dict(os.environ)
        for var in ("MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_RUN_ID",
                    "MLFLOW_REGISTRY_URI"):  # fmt: skip
            env.pop(var, None)
    else:
        env = {}
        for var in ("MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK", "MLFLOW_HTTP_REQUEST_MAX_RETRIES"):
            if var in os.environ:
                env[var] = os.environ[var]
    env["MLFLOW_TRACKING_URI"] = server_url
    return env


def run_cli(server_url: str, *args: str, cwd: Path, timeout: float = 120.0) -> str:
    """Run `mlflow <args>` from the client's virtualenv; return its stdout (fails on exit != 0)."""
    proc = subprocess.run(
        [str(MLFLOW_CLI), *args],
        cwd=cwd,
        env=child_env(server_url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, (
        f"`mlflow {' '.join(args)}` exited with {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
    )
    return proc.stdout


def run_cli_concurrently(server_url: str, *commands: tuple[str, ...], cwd: Path) -> list[str]:
    """Run independent `mlflow` commands side by side (each spends seconds importing mlflow)."""
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = [pool.submit(run_cli, server_url, *args, cwd=cwd) for args in commands]
        return [f.result() for f in futures]
