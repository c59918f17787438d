"""search_model_versions: filters, ordering and pagination."""

import pytest
from compat_helpers import fake_run_id, raises_mlflow, search_versions_all_pages, tick


def keys(versions):
    return [(mv.name, mv.version) for mv in versions]


@pytest.fixture
def catalog(client, unique_prefix):
    """Two models with versions spread over three runs.

    a: v1 (run r1, s3://bucket/a1, tag flavor=sklearn), v2 (r2), v3 (r1, tag flavor=torch),
       v4 (no run), v5 (r2, deleted)
    b: v1 (r3, s3://bucket/b1, tag flavor=sklearn)
    """
    p = unique_prefix
    a, b = p + "a", p + "b"
    r1, r2, r3 = sorted(fake_run_id() for _ in range(3))
    client.create_registered_model(a)
    client.create_registered_model(b)
    client.create_model_version(a, "s3://bucket/a1", run_id=r1, tags={"flavor": "sklearn"})
    client.create_model_version(a, "s3://bucket/a2", run_id=r2)
    client.create_model_version(a, "s3://bucket/a3", run_id=r1, tags={"flavor": "torch"})
    client.create_model_version(a, "s3://bucket/a4")
    client.create_model_version(a, "s3://bucket/a5", run_id=r2)
    client.delete_model_version(a, "5")
    client.create_model_version(b, "s3://bucket/b1", run_id=r3, tags={"flavor": "sklearn"})
    return {"p": p, "a": a, "b": b, "r1": r1, "r2": r2, "r3": r3}


def found(client, filter_string, order_by=None):
    versions, _ = search_versions_all_pages(client, filter_string, order_by=order_by)
    return sorted(keys(versions))


def test_filter_by_name(client, catalog):
    a, b = catalog["a"], catalog["b"]
    assert found(client, f"name = '{a}'") == [(a, "1"), (a, "2"), (a, "3"), (a, "4")]
    assert found(client, f"name = '{b}'") == [(b, "1")]
    assert found(client, f"name LIKE '{catalog['p']}%'") == [(a, "1"), (a, "2"), (a, "3"), (a, "4"), (b, "1")]
    assert found(client, f"name = '{a}-missing'") == []


def test_filter_by_run_id(client, catalog):
    a, b, r1, r2, r3 = (catalog[k] for k in ("a", "b", "r1", "r2", "r3"))
    assert found(client, f"run_id = '{r1}'") == [(a, "1"), (a, "3")]
    assert found(client, f"run_id = '{r2}'") == [(a, "2")]  # v5 is deleted
    assert found(client, f"run_id IN ('{r1}', '{r3}')") == [(a, "1"), (a, "3"), (b, "1")]
    assert found(client, f"run_id IN ('{r2}')") == [(a, "2")]
    assert found(client, f"name = '{a}' AND run_id IN ('{r1}','{r2}')") == [(a, "1"), (a, "2"), (a, "3")]


def test_filter_by_source_path(client, catalog):
    a, b = catalog["a"], catalog["b"]
    assert found(client, "source_path = 's3://bucket/a1'" + f" AND name = '{a}'") == [(a, "1")]
    assert found(client, f"name LIKE '{catalog['p']}%' AND source_path LIKE 's3://bucket/b%'") == [
        (b, "1")
    ]


@pytest.mark.parametrize(
    "comparison, expected",
    [
        ("> 2", ["3", "4"]),
        (">= 2", ["2", "3", "4"]),
        ("< 2", ["1"]),
        ("<= 2", ["1", "2"]),
        ("= 3", ["3"]),
        ("!= 3", ["1", "2", "4"]),
        ("> 4", []),
    ],
)
def test_filter_by_version_number(client, catalog, comparison, expected):
    a = catalog["a"]
    got = found(client, f"name = '{a}' AND version_number {comparison}")
    assert got == [(a, v) for v in expected]


def test_filter_by_tags(client, catalog):
    a, b, p = catalog["a"], catalog["b"], catalog["p"]
    scope = f"name LIKE '{p}%'"
    assert found(client, f"{scope} AND tags.flavor = 'sklearn'") == [(a, "1"), (b, "1")]
    assert found(client, f"{scope} AND tag.flavor != 'sklearn'") == [(a, "3")]
    assert found(client, f"{scope} AND tags.flavor LIKE 'tor%'") == [(a, "3")]
    assert found(client, f"{scope} AND tags.flavor ILIKE 'SK%'") == [(a, "1"), (b, "1")]
    assert found(client, f"name = '{a}' AND tags.flavor = 'sklearn'") == [(a, "1")]


# `name IN (...)` is accepted by 3.x servers (2.22 allows IN only for run_id).
@pytest.mark.server3
def test_filter_by_name_in_list(client, catalog):
    a, b = catalog["a"], catalog["b"]
    assert found(client, f"name IN ('{a}', '{b}') AND version_number <= 1") == [(a, "1"), (b, "1")]
    assert found(client, f"name IN ('{b}')") == [(b, "1")]


def test_invalid_filters_are_rejected(client):
    for bad in (
        "nope = 'x'",
        "run_id = 'a' OR name = 'b'",
        "source_path IN ('s3://bucket/a1')",
        "version_number IN (1, 2)",
        "tags.x IN ('a')",
    ):
        with raises_mlflow("INVALID_PARAMETER_VALUE"):
            client.search_model_versions(bad)


# The 2.22 server silently accepts a non-numeric version_number and matches nothing.
@pytest.mark.server3
def test_non_numeric_version_number_is_rejected(client):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_model_versions("version_number > 'abc'")


def test_order_by(client, catalog):
    a, b, p = catalog["a"], catalog["b"], catalog["p"]
    scope = f"name LIKE '{p}%'"

    got = client.search_model_versions(scope, order_by=["name ASC", "version_number DESC"])
    assert keys(got) == [(a, "4"), (a, "3"), (a, "2"), (a, "1"), (b, "1")]
    got = client.search_model_versions(scope, order_by=["name DESC", "version_number ASC"])
    assert keys(got) == [(b, "1"), (a, "1"), (a, "2"), (a, "3"), (a, "4")]
    # Tie-breakers: name ASC, then version DESC.
    got = client.search_model_versions(scope, order_by=["version_number ASC"])
    assert keys(got) == [(a, "1"), (b, "1"), (a, "2"), (a, "3"), (a, "4")]
    got = client.search_model_versions(f"name = '{a}'", order_by=["creation_timestamp DESC"])
    assert [mv.creation_timestamp for mv in got] == sorted(
        (mv.creation_timestamp for mv in got), reverse=True
    )
    assert len(got) == 4


def test_default_order_is_last_updated_descending(client, unique_name):
    client.create_registered_model(unique_name)
    for i in range(3):
        client.create_model_version(unique_name, f"s3://b/{i}")
    for v in ("2", "1", "3"):
        tick()
        client.update_model_version(unique_name, v, description="touched")
    got = client.search_model_versions(f"name = '{unique_name}'")
    assert [mv.version for mv in got] == ["3", "1", "2"]
    got = client.search_model_versions(
        f"name = '{unique_name}'", order_by=["last_updated_timestamp ASC"]
    )
    assert [mv.version for mv in got] == ["2", "1", "3"]


def test_pagination(client, unique_name):
    client.create_registered_model(unique_name)
    for i in range(11):
        client.create_model_version(unique_name, f"s3://b/{i}")
    expected = [str(v) for v in range(1, 12)]

    versions, pages = search_versions_all_pages(
        client, f"name = '{unique_name}'", order_by=["version_number ASC"], page_size=3
    )
    assert [mv.version for mv in versions] == expected
    assert pages == 4

    first = client.search_model_versions(
        f"name = '{unique_name}'", max_results=3, order_by=["version_number DESC"]
    )
    assert [mv.version for mv in first] == ["11", "10", "9"]
    assert first.token
    second = client.search_model_versions(
        f"name = '{unique_name}'",
        max_results=3,
        order_by=["version_number DESC"],
        page_token=first.token,
    )
    assert [mv.version for mv in second] == ["8", "7", "6"]

    # The default page size returns everything at once.
    everything = client.search_model_versions(f"name = '{unique_name}'")
    assert sorted(int(mv.version) for mv in everything) == list(range(1, 12))
    assert not everything.token


def test_invalid_max_results_and_page_token(client, unique_name):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_model_versions(f"name = '{unique_name}'", max_results=0)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_model_versions(f"name = '{unique_name}'", page_token="garbage!")
