"""Webhooks through the real MLflow 3.x client: ``MlflowClient.create_webhook``, ``list_webhooks``,
``get_webhook``, ``update_webhook``, ``delete_webhook`` and ``test_webhook`` against a receiver in
this process. Signatures are checked with MLflow's own signing function
(``mlflow.webhooks.delivery._generate_hmac_signature``). The 2.x client has no webhook API: skipped.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import TARGET, ServerProcess, serve
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

pytestmark = pytest.mark.skipif(
    not hasattr(MlflowClient, "create_webhook"), reason="this MLflow client has no webhook API"
)

SECRET = "compat-webhook-secret"
SERVER_ENV = {
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": "ZmxvdXJlZy13ZWJob29rLXRlc3Qta2V5LTMyYnl0ZXM=",
    "MLFLOW_WEBHOOK_CACHE_TTL": "0",
}


class Receiver:
    """Records each POST (path, headers, raw body); answers from a per-path script, then 200."""

    def __init__(self):
        self.received = []
        self.scripts = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                with receiver.lock:
                    receiver.received.append((self.path, dict(self.headers), body))
                    script = receiver.scripts.get(self.path) or []
                    status = script.pop(0) if script else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 400 else b"unavailable")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path):
        with self.lock:
            return [r for r in self.received if r[0] == path]

    def wait(self, path, count, timeout=20.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.at(path)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{path}: expected {count} deliveries, got {len(self.at(path))}")

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def hook_server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp(f"{TARGET}-webhooks"))
    yield from serve(srv, SERVER_ENV)


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooks(hook_server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", hook_server.url)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    return MlflowClient(tracking_uri=hook_server.url, registry_uri=hook_server.url)


def _path():
    return f"/{uuid.uuid4().hex[:12]}"


def _name(prefix="hook"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _verify(headers, body):
    from mlflow.webhooks.delivery import _generate_hmac_signature

    expected = _generate_hmac_signature(
        SECRET, headers["X-MLflow-Delivery-Id"], headers["X-MLflow-Timestamp"], body
    )
    assert headers["X-MLflow-Signature"] == expected


def test_crud_through_the_client(hooks, receiver):
    name = _name()
    created = hooks.create_webhook(
        name=name,
        url=receiver.url("/crud"),
        events=["model_version.created", "model_version_alias.created"],
        description="deploys",
        secret=SECRET,
    )
    assert created.name == name
    assert created.url == receiver.url("/crud")
    assert [str(e) for e in created.events] == ["model_version.created", "model_version_alias.created"]
    assert str(created.status) == "ACTIVE"
    assert created.description == "deploys"
    assert created.secret is None
    assert created.creation_timestamp == created.last_updated_timestamp > 0

    got = hooks.get_webhook(created.webhook_id)
    assert (got.webhook_id, got.name, got.url, got.description) == (created.webhook_id, name, created.url, "deploys")

    updated = hooks.update_webhook(created.webhook_id, name=f"{name}-2", status="DISABLED", events=["registered_model.created"])
    assert updated.name == f"{name}-2"
    assert str(updated.status) == "DISABLED"
    assert [str(e) for e in updated.events] == ["registered_model.created"]
    assert updated.url == created.url

    hooks.delete_webhook(created.webhook_id)
    with pytest.raises(MlflowException) as err:
        hooks.get_webhook(created.webhook_id)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert f"Webhook with ID {created.webhook_id} not found." in err.value.message


def test_list_pages(hooks, receiver):
    ids = [
        hooks.create_webhook(name=_name(), url=receiver.url("/list"), events=["registered_model.created"], status="DISABLED").webhook_id
        for _ in range(3)
    ]
    first = hooks.list_webhooks(max_results=2)
    assert len(first) == 2
    assert first.token
    rest = hooks.list_webhooks(max_results=1000, page_token=first.token)
    listed = [w.webhook_id for w in first] + [w.webhook_id for w in rest]
    assert set(ids) <= set(listed)
    assert len(listed) == len(set(listed))
    for i in ids:
        hooks.delete_webhook(i)


def test_validation_errors(hooks, receiver):
    with pytest.raises(MlflowException) as err:
        hooks.create_webhook(name="-bad-", url=receiver.url("/x"), events=["registered_model.created"])
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Webhook name '-bad-' is invalid" in err.value.message
    with pytest.raises(MlflowException) as err:
        hooks.create_webhook(name=_name(), url="ftp://example.com/x", events=["registered_model.created"])
    assert "Invalid webhook URL scheme: 'ftp'. Allowed schemes are: http, https." in err.value.message
    with pytest.raises(MlflowException):
        hooks.list_webhooks(max_results=5000)


def test_events_are_delivered_signed_and_retried_after_503(hooks, receiver):
    path = _path()
    hook = hooks.create_webhook(
        name=_name(),
        url=receiver.url(path),
        events=["registered_model.created", "model_version.created", "model_version_alias.created"],
        secret=SECRET,
    )
    receiver.scripts[path] = [503]
    model = _name("model")
    hooks.create_registered_model(model)
    hooks.create_model_version(model, "s3://bucket/model")
    hooks.set_registered_model_alias(model, "champion", "1")
    got = receiver.wait(path, 4)
    # The first request got the 503; it was retried with the same delivery id and body.
    first = got[0]
    retries = [r for r in got[1:] if r[1]["X-MLflow-Delivery-Id"] == first[1]["X-MLflow-Delivery-Id"]]
    assert len(retries) == 1
    assert retries[0][2] == first[2]
    assert len({r[1]["X-MLflow-Delivery-Id"] for r in got}) == 3
    bodies = {}
    for _, headers, body in got:
        _verify(headers, body)
        payload = json.loads(body)
        bodies[f"{payload['entity']}.{payload['action']}"] = payload
    assert bodies["registered_model.created"]["data"] == {"name": model, "tags": {}, "description": ""}
    assert bodies["model_version.created"]["data"]["version"] == "1"
    assert bodies["model_version.created"]["data"]["source"] == "s3://bucket/model"
    assert bodies["model_version_alias.created"]["data"] == {"name": model, "alias": "champion", "version": "1"}
    hooks.delete_webhook(hook.webhook_id)


def test_disabled_webhook_is_silent(hooks, receiver):
    quiet, loud = _path(), _path()
    a = hooks.create_webhook(name=_name(), url=receiver.url(quiet), events=["registered_model.created"], status="DISABLED")
    b = hooks.create_webhook(name=_name(), url=receiver.url(loud), events=["registered_model.created"])
    hooks.create_registered_model(_name("model"))
    receiver.wait(loud, 1)
    time.sleep(0.5)
    assert receiver.at(quiet) == []
    hooks.delete_webhook(a.webhook_id)
    hooks.delete_webhook(b.webhook_id)


def test_test_webhook(hooks, receiver):
    path = _path()
    hook = hooks.create_webhook(name=_name(), url=receiver.url(path), events=["model_version_tag.set"], secret=SECRET)
    result = hooks.test_webhook(hook.webhook_id)
    assert result.success is True
    assert result.response_status == 200
    assert result.response_body == "ok"
    _, headers, body = receiver.wait(path, 1)[0]
    _verify(headers, body)
    payload = json.loads(body)
    assert (payload["entity"], payload["action"]) == ("model_version_tag", "set")
    assert payload["data"] == {"name": "example_model", "version": "1", "key": "example_key", "value": "example_value"}

    receiver.scripts[path] = [404]
    from mlflow.entities.webhook import WebhookEvent

    failed = hooks.test_webhook(hook.webhook_id, event=WebhookEvent.from_str("model_version.created"))
    assert failed.success is False
    assert failed.response_status == 404
    hooks.delete_webhook(hook.webhook_id)
