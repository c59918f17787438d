"""The client journey, timed with the real MLflow client: log a small scikit-learn model with
`registered_model_name=`, point an alias at the new version, and load it back with
`models:/<name>@<alias>`.

Usage: python journey.py '<json: [{"name": ..., "uri": ...}, ...]>' <repetitions> [--local-warmup]

Before the timed journeys, one untimed journey per server (the first journey of a process pays the
client's own one-time costs); with --local-warmup, one `save_model` to a local directory instead
(cheaper, for the quick run).

One process for every server, so that the interpreter and the imports are paid once and the same
for all; the servers alternate within each repetition. Prints one JSON line:
{"<name>": [{"log_register_s": .., "alias_s": .., "load_s": .., "total_s": ..}, ...], ...}
"""

import json
import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
import mlflow.pyfunc  # noqa: E402,F401  (imported up front: no journey pays the client's imports)
import mlflow.sklearn  # noqa: E402,F401
import numpy as np  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

MODEL = "journey"
ALIAS = "champion"


def journey(uri, X):
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    mlflow.set_experiment("bench-journey")
    model = LogisticRegression(max_iter=200).fit(X, (X[:, 0] > 0.5).astype(int))

    t0 = time.perf_counter()
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL)
    t1 = time.perf_counter()
    MlflowClient().set_registered_model_alias(MODEL, ALIAS, info.registered_model_version)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as dst:
        loaded = mlflow.pyfunc.load_model(f"models:/{MODEL}@{ALIAS}", dst_path=dst)
        prediction = loaded.predict(X[:5])
    t3 = time.perf_counter()
    assert len(prediction) == 5
    return {
        "version": int(info.registered_model_version),
        "log_register_s": t1 - t0,
        "alias_s": t2 - t1,
        "load_s": t3 - t2,
        "total_s": t3 - t0,
    }


def main():
    targets = json.loads(sys.argv[1])
    reps = int(sys.argv[2])
    warmup = "--local-warmup" not in sys.argv
    X = np.random.RandomState(0).rand(200, 4)
    results = {t["name"]: [] for t in targets}
    if not warmup:
        model = LogisticRegression(max_iter=200).fit(X, (X[:, 0] > 0.5).astype(int))
        with tempfile.TemporaryDirectory() as d:
            mlflow.sklearn.save_model(model, os.path.join(d, "model"))
            mlflow.pyfunc.load_model(os.path.join(d, "model")).predict(X[:5])
    for rep in range(reps + (1 if warmup else 0)):
        order = targets if rep % 2 == 0 else list(reversed(targets))
        for t in order:
            r = journey(t["uri"], X)
            if warmup and rep == 0:
                continue
            results[t["name"]].append(r)
    print(json.dumps(results))


if __name__ == "__main__":
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    main()
