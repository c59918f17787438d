"""Governance with the real MLflow client: on a protected alias or stage, MLflow's own calls
(``set_registered_model_alias``, ``delete_registered_model_alias``, ``transition_model_version_stage``)
are refused with PERMISSION_DENIED and a message naming flowreg's request API; after a request is
approved by a second user, the client sees the alias (``get_model_version_by_alias``) and the stage.
The flowreg API is called with ``requests``. flowreg only: ``mlflow server`` has no governance.
"""

import uuid

import mlflow
import mlflow.server
import pytest
import requests
from conftest import TARGET, ServerProcess, serve
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

pytestmark = pytest.mark.skipif(TARGET == "mlflow", reason="governance is flowreg's own API")

ADMIN_PASSWORD = "compat-admin-password-1234"
PASSWORD = "compat-user-password-1234"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp(f"{TARGET}-governance"))
    # Production is protected on every model by the server's configuration.
    srv.command += ["--app-name", "basic-auth", "--protected-stages", "Production"]
    yield from serve(srv, {"MLFLOW_AUTH_ADMIN_PASSWORD": ADMIN_PASSWORD})


def _as(monkeypatch, username, password):
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", username)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", password)


def _name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def users(server):
    """alice owns the models she creates (MANAGE); bob is given MANAGE on each to approve."""
    admin = ("admin", ADMIN_PASSWORD)
    names = {"alice": _name("alice"), "bob": _name("bob")}
    for username in names.values():
        r = requests.post(f"{server.url}/api/2.0/mlflow/users/create", json={"username": username, "password": PASSWORD}, auth=admin, timeout=10)
        assert r.status_code == 200, r.text
    return names


def _api(server, method, path, user, body=None):
    r = requests.request(method, f"{server.url}/api/flowreg/v1{path}", json=body if body is not None else {}, auth=(user, PASSWORD), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def _model(server, users, monkeypatch):
    _as(monkeypatch, users["alice"], PASSWORD)
    client = MlflowClient(tracking_uri=server.url, registry_uri=server.url)
    name = _name("governed")
    client.create_registered_model(name)
    for i in (1, 2):
        client.create_model_version(name, f"s3://bucket/{name}/{i}")
    r = requests.post(
        f"{server.url}/api/2.0/mlflow/registered-models/permissions/create",
        json={"name": name, "username": users["bob"], "permission": "MANAGE"},
        auth=("admin", ADMIN_PASSWORD),
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return client, name


def _refused(call, needle):
    with pytest.raises(MlflowException) as excinfo:
        call()
    assert excinfo.value.error_code == "PERMISSION_DENIED"
    assert needle in excinfo.value.message
    return excinfo.value


def test_protected_alias_refuses_the_client_until_a_request_is_approved(server, users, monkeypatch):
    client, name = _model(server, users, monkeypatch)
    alice, bob = users["alice"], users["bob"]
    client.set_registered_model_alias(name, "champion", "1")
    _api(server, "PUT", f"/models/{name}/aliases/champion/protection", alice, {"approvals_required": 1})

    requests_api = f"POST /api/flowreg/v1/models/{name}/aliases/champion/requests"
    _refused(lambda: client.set_registered_model_alias(name, "champion", "2"), requests_api)
    _refused(lambda: client.delete_registered_model_alias(name, "champion"), requests_api)
    assert client.get_model_version_by_alias(name, "champion").version == "1"

    request = _api(server, "POST", f"/models/{name}/aliases/champion/requests", alice, {"version": "2", "comment": "better"})["request"]
    assert request["status"] == "pending"
    # Four eyes: alice cannot approve her own request.
    r = requests.post(f"{server.url}/api/flowreg/v1/requests/{request['id']}/approve", json={}, auth=(alice, PASSWORD), timeout=10)
    assert r.status_code == 403 and r.json()["error_code"] == "PERMISSION_DENIED"
    assert _api(server, "POST", f"/requests/{request['id']}/approve", bob)["request"]["status"] == "applied"

    assert client.get_model_version_by_alias(name, "champion").version == "2"
    history = _api(server, "GET", f"/models/{name}/aliases/champion/history", alice)["history"]
    assert [(h["kind"], h.get("version")) for h in history] == [("approval", "2"), ("set", "1")]


def test_protected_stage_refuses_the_client_until_a_request_is_approved(server, users, monkeypatch):
    client, name = _model(server, users, monkeypatch)
    alice, bob = users["alice"], users["bob"]
    _refused(
        lambda: client.transition_model_version_stage(name, "2", "Production"),
        f"POST /api/flowreg/v1/models/{name}/stages/Production/requests",
    )
    assert client.get_model_version(name, "2").current_stage == "None"
    client.transition_model_version_stage(name, "2", "Staging")

    request = _api(server, "POST", f"/models/{name}/stages/Production/requests", alice, {"version": "2"})["request"]
    assert _api(server, "POST", f"/requests/{request['id']}/approve", bob)["request"]["status"] == "applied"
    assert client.get_model_version(name, "2").current_stage == "Production"
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["2"]
