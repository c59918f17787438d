"""Authentication and permissions with the real clients: ``mlflow.server.get_app_client("basic-auth")``
(AuthServiceClient) manages users and grants, and ``MlflowClient`` calls as different users, with
MLFLOW_TRACKING_USERNAME/PASSWORD (Basic) and MLFLOW_TRACKING_TOKEN (Bearer).
"""

import contextlib
import uuid

import mlflow
import mlflow.server
import pytest
import requests
from conftest import TARGET, ServerProcess, serve
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException, RestException

ADMIN_PASSWORD = "compat-admin-password-1234"
PASSWORD = "compat-user-password-1234"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp(f"{TARGET}-auth"))
    srv.command += ["--app-name", "basic-auth"]
    # The reference server's Flask app needs a secret key; flowreg ignores it.
    yield from serve(srv, {"MLFLOW_AUTH_ADMIN_PASSWORD": ADMIN_PASSWORD, "MLFLOW_FLASK_SERVER_SECRET_KEY": uuid.uuid4().hex})


def _as(monkeypatch, username=None, password=None, token=None):
    for k in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    if username is not None:
        monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", username)
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", password)
    if token is not None:
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)


@pytest.fixture
def admin(auth_server, monkeypatch):
    _as(monkeypatch, "admin", ADMIN_PASSWORD)
    return mlflow.server.get_app_client("basic-auth", tracking_uri=auth_server.url)


@pytest.fixture
def registry(auth_server):
    return MlflowClient(tracking_uri=auth_server.url, registry_uri=auth_server.url)


def _name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def denied():
    """A refused call. flowreg answers 403 in MLflow's JSON error shape (PERMISSION_DENIED, a
    RestException in the client); MLflow's auth app answers 403 with a plain-text body, which the
    client reports as an MlflowException naming the status."""
    if TARGET == "mlflow":
        with pytest.raises(MlflowException, match="403"):
            yield
        return
    with pytest.raises(RestException) as excinfo:
        yield
    assert excinfo.value.error_code == "PERMISSION_DENIED"


def test_no_credentials_is_401_with_the_basic_challenge(auth_server):
    r = requests.get(f"{auth_server.url}/api/2.0/mlflow/registered-models/search", timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="mlflow"'
    assert requests.get(f"{auth_server.url}/health", timeout=10).status_code == 200


def test_user_lifecycle(admin, auth_server, monkeypatch):
    name = _name("user")
    created = admin.create_user(name, PASSWORD)
    assert created.username == name and not created.is_admin
    assert admin.get_user(name).username == name
    admin.update_user_admin(name, True)
    assert admin.get_user(name).is_admin
    admin.update_user_password(name, PASSWORD + "-2")
    _as(monkeypatch, name, PASSWORD + "-2")
    assert MlflowClient(tracking_uri=auth_server.url).search_experiments() is not None
    _as(monkeypatch, "admin", ADMIN_PASSWORD)
    admin.delete_user(name)
    with pytest.raises(RestException) as excinfo:
        admin.get_user(name)
    assert excinfo.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_a_user_cannot_administer(admin, auth_server, monkeypatch):
    name = _name("plain")
    admin.create_user(name, PASSWORD)
    _as(monkeypatch, name, PASSWORD)
    client = mlflow.server.get_app_client("basic-auth", tracking_uri=auth_server.url)
    with denied():
        client.create_user(_name("other"), PASSWORD)


def test_registered_model_grants_between_users(admin, registry, monkeypatch):
    owner, reader = _name("owner"), _name("reader")
    admin.create_user(owner, PASSWORD)
    admin.create_user(reader, PASSWORD)
    model = _name("model")

    _as(monkeypatch, owner, PASSWORD)
    registry.create_registered_model(model)

    # default_permission READ: the reader reads and may not write.
    _as(monkeypatch, reader, PASSWORD)
    assert registry.get_registered_model(model).name == model
    with denied():
        registry.update_registered_model(model, description="not mine")

    _as(monkeypatch, "admin", ADMIN_PASSWORD)
    if hasattr(admin, "create_registered_model_permission"):
        admin.create_registered_model_permission(model, reader, "EDIT")
        assert admin.get_registered_model_permission(model, reader).permission == "EDIT"
    else:
        admin.grant_user_permission(reader, "registered_model", model, "EDIT")
        assert admin.get_user_permission(reader, "registered_model", model).permission == "EDIT"

    _as(monkeypatch, reader, PASSWORD)
    registry.update_registered_model(model, description="edited")
    with denied():
        registry.delete_registered_model(model)


def test_experiment_grants(admin, registry, monkeypatch):
    owner, other = _name("expowner"), _name("expother")
    admin.create_user(owner, PASSWORD)
    admin.create_user(other, PASSWORD)
    _as(monkeypatch, owner, PASSWORD)
    experiment_id = registry.create_experiment(_name("exp"))
    _as(monkeypatch, other, PASSWORD)
    with denied():
        registry.set_experiment_tag(experiment_id, "k", "v")
    _as(monkeypatch, "admin", ADMIN_PASSWORD)
    if hasattr(admin, "create_experiment_permission"):
        admin.create_experiment_permission(experiment_id, other, "EDIT")
        assert admin.get_experiment_permission(experiment_id, other).permission == "EDIT"
        admin.update_experiment_permission(experiment_id, other, "MANAGE")
    else:
        admin.grant_user_permission(other, "experiment", experiment_id, "MANAGE")
    _as(monkeypatch, other, PASSWORD)
    registry.set_experiment_tag(experiment_id, "k", "v")
    _as(monkeypatch, "admin", ADMIN_PASSWORD)
    if hasattr(admin, "delete_experiment_permission"):
        admin.delete_experiment_permission(experiment_id, other)
    else:
        admin.revoke_user_permission(other, "experiment", experiment_id)
    _as(monkeypatch, other, PASSWORD)
    with denied():
        registry.set_experiment_tag(experiment_id, "k", "v2")


@pytest.mark.deviation  # API tokens are flowreg's own; MLflow does not validate bearer tokens.
def test_an_api_token_signs_in_as_its_user(admin, auth_server, registry, monkeypatch):
    name = _name("tokenuser")
    admin.create_user(name, PASSWORD)
    created = requests.post(
        f"{auth_server.url}/api/flowreg/v1/tokens", json={"name": "ci"}, auth=(name, PASSWORD), timeout=10
    )
    assert created.status_code == 200, created.text
    _as(monkeypatch, token=created.json()["secret"])
    model = _name("tokenmodel")
    registry.create_registered_model(model)
    _as(monkeypatch, token="flowreg_" + "A" * 43)
    with pytest.raises(Exception):
        registry.get_registered_model(model)


@pytest.mark.mlflow3
def test_roles_grant_what_they_hold(admin, registry, monkeypatch):
    if not hasattr(admin, "create_role"):
        pytest.skip("this client has no role API")
    member = _name("member")
    admin.create_user(member, PASSWORD)
    model = _name("rolemodel")
    _as(monkeypatch, "admin", ADMIN_PASSWORD)
    registry.create_registered_model(model)
    role = admin.create_role("default", _name("editors"))
    permission = admin.add_role_permission(role.id, "registered_model", "*", "EDIT")
    assert permission.permission == "EDIT"
    assert [p.permission for p in admin.list_role_permissions(role.id)] == ["EDIT"]
    admin.assign_role(member, role.id)
    assert [r.id for r in admin.list_user_roles(member)] == [role.id]
    _as(monkeypatch, member, PASSWORD)
    registry.update_registered_model(model, description="through the role")
    _as(monkeypatch, "admin", ADMIN_PASSWORD)
    admin.unassign_role(member, role.id)
    _as(monkeypatch, member, PASSWORD)
    with denied():
        registry.update_registered_model(model, description="no longer")
