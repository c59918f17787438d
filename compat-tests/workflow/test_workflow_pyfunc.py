"""A custom pyfunc model with artifacts and code paths, registered and then served from a fresh
Python process that has nothing but the tracking URI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import uuid

import cloudpickle
import mlflow
import mlflow.pyfunc
import pandas as pd
import pytest
from workflow_helpers import CODE_PATHS_ARG, child_env, model_location, wait_until_ready

# The model class lives in the code-path module, so unpickling it needs the module shipped with
# the model. Its prediction mixes the artifact's coefficients with a constant of the module.
_MODULE_SOURCE = '''\
"""Code shipped with the model through its code paths."""
import json

import mlflow.pyfunc

MODULE_SALT = {salt!r}


def combine(values, scale, offset):
    return [v * scale + offset + MODULE_SALT for v in values]


class AffineModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["coefficients"]) as f:
            self.coefficients = json.load(f)

    def predict(self, context, model_input, params=None):
        values = [float(v) for v in model_input["x"]]
        return combine(values, self.coefficients["scale"], self.coefficients["offset"])
'''

# Run with `python -c` in an empty directory: sys.path[0] is that directory, so the module can
# only come from the downloaded model.
_FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys
    import mlflow.pyfunc
    import pandas as pd

    module_name = sys.argv[1]
    inputs = json.loads(sys.argv[2])
    result = {"module_importable_before_load": True}
    try:
        __import__(module_name)
    except ImportError:
        result["module_importable_before_load"] = False
    result["predictions"] = {}
    for uri in sys.argv[3:]:
        model = mlflow.pyfunc.load_model(uri)
        out = model.predict(pd.DataFrame({"x": inputs}))
        result["predictions"][uri] = [float(v) for v in list(out)]
    result["module_file"] = sys.modules[module_name].__file__
    print("RESULT " + json.dumps(result))
    """
)


@pytest.fixture
def code_module(tmp_path):
    """A uniquely named module file with the model class; importable by this process only."""
    name = f"flowreg_wf_model_{uuid.uuid4().hex[:10]}"
    salt = random.randint(1000, 9999)
    src_dir = tmp_path / "src"
    src_dir.mkdir()
    path = src_dir / f"{name}.py"
    path.write_text(_MODULE_SOURCE.format(salt=salt))
    sys.path.insert(0, str(src_dir))
    try:
        module = __import__(name)
        yield module, path, salt
    finally:
        sys.path.remove(str(src_dir))
        sys.modules.pop(name, None)


def test_custom_pyfunc_with_artifacts_and_code_paths_in_fresh_process(
    tracking, server_url, make_name, tmp_path, code_module
):
    module, module_path, salt = code_module
    model_name = make_name("pyfunc")
    scale, offset = round(random.uniform(2, 5), 3), round(random.uniform(-50, 50), 3)
    coefficients = tmp_path / "coefficients.json"
    coefficients.write_text(json.dumps({"scale": scale, "offset": offset}))
    inputs = [0.0, 1.0, 2.5, -4.0]
    expected = [v * scale + offset + salt for v in inputs]

    mlflow.set_experiment(make_name("exp"))
    with mlflow.start_run() as run:
        info = mlflow.pyfunc.log_model(
            python_model=module.AffineModel(),
            artifacts={"coefficients": str(coefficients)},
            registered_model_name=model_name,
            input_example=pd.DataFrame({"x": [1.0, 2.0]}),
            pip_requirements=[
                f"mlflow=={mlflow.__version__}",
                f"cloudpickle=={cloudpickle.__version__}",
            ],
            **{CODE_PATHS_ARG: [str(module_path)]},
            **model_location("model"),
        )
    mv = wait_until_ready(tracking, model_name, "1")
    assert mv.run_id == run.info.run_id
    tracking.set_registered_model_alias(model_name, "champion", "1")

    # Same process first: the model round-trips through the server.
    in_process = mlflow.pyfunc.load_model(info.model_uri).predict(pd.DataFrame({"x": inputs}))
    assert [float(v) for v in list(in_process)] == pytest.approx(expected)

    # Nothing local must be needed any more.
    coefficients.unlink()
    module_path.unlink()

    workdir = tmp_path / "fresh"
    workdir.mkdir()
    uris = [f"models:/{model_name}@champion", f"models:/{model_name}/1"]
    proc = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, module.__name__, json.dumps(inputs), *uris],
        cwd=workdir,
        env=child_env(server_url, inherit=False),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"no result line:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    result = json.loads(lines[-1][len("RESULT ") :])

    assert result["module_importable_before_load"] is False
    for uri in uris:
        assert result["predictions"][uri] == pytest.approx(expected), uri
    # The code-path module came with the model, not from the test's files.
    assert result["module_file"] != str(module_path)
    assert result["module_file"].endswith(f"{module.__name__}.py")
