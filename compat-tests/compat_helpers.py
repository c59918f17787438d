"""Small helpers shared by the compatibility tests."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import contextmanager

import pytest
from mlflow.exceptions import MlflowException


@contextmanager
def raises_mlflow(error_code: str, match: str | None = None):
    """Expect an MlflowException carrying `error_code` (and a message matching `match`)."""
    with pytest.raises(MlflowException) as info:
        yield info
    exc = info.value
    assert exc.error_code == error_code, f"expected {error_code}, got {exc.error_code}: {exc}"
    if match is not None:
        assert re.search(match, str(exc)), f"{match!r} not found in {str(exc)!r}"


def fake_run_id() -> str:
    """A well-formed run id (32 lowercase hex digits) that no server knows."""
    return uuid.uuid4().hex


def search_models_all_pages(client, filter_string=None, order_by=None, page_size=None):
    """Page through search_registered_models; return (models, number_of_pages)."""
    models, pages, token = [], 0, None
    while True:
        kwargs = {"filter_string": filter_string, "order_by": order_by, "page_token": token}
        if page_size is not None:
            kwargs["max_results"] = page_size
        page = client.search_registered_models(**kwargs)
        pages += 1
        if page_size is not None:
            assert len(page) <= page_size
        models.extend(page)
        token = page.token
        if not token:
            return models, pages
        assert pages < 10_000, "pagination does not terminate"


def search_versions_all_pages(client, filter_string=None, order_by=None, page_size=None):
    versions, pages, token = [], 0, None
    while True:
        kwargs = {"filter_string": filter_string, "order_by": order_by, "page_token": token}
        if page_size is not None:
            kwargs["max_results"] = page_size
        page = client.search_model_versions(**kwargs)
        pages += 1
        if page_size is not None:
            assert len(page) <= page_size
        versions.extend(page)
        token = page.token
        if not token:
            return versions, pages
        assert pages < 10_000, "pagination does not terminate"


def tick():
    """Sleep long enough for the server's millisecond clock to move on."""
    time.sleep(0.005)
