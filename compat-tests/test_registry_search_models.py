"""search_registered_models: filters, ordering, pagination, prompt exclusion."""

import pytest
from compat_helpers import raises_mlflow, search_models_all_pages, tick


def names(models):
    return [m.name for m in models]


def search_names(client, filter_string, order_by=None):
    models, _ = search_models_all_pages(client, filter_string, order_by=order_by or ["name ASC"])
    return names(models)


# --------------------------------------------------------------------------------------------
# Filters on the name
# --------------------------------------------------------------------------------------------


def test_name_equality_and_inequality(client, unique_prefix):
    p = unique_prefix
    for suffix in ("alpha", "beta", "gamma"):
        client.create_registered_model(p + suffix)

    assert search_names(client, f"name = '{p}beta'") == [p + "beta"]
    assert search_names(client, f'name = "{p}beta"') == [p + "beta"]
    assert search_names(client, f"name = '{p}BETA'") == []
    assert search_names(client, f"name != '{p}beta' AND name LIKE '{p}%'") == [p + "alpha", p + "gamma"]


def test_like_is_case_sensitive_and_ilike_is_not(client, unique_prefix):
    p = unique_prefix
    for suffix in ("abc-1", "abc-2", "ABC-3", "xabc-4", "ab-5"):
        client.create_registered_model(p + suffix)

    assert search_names(client, f"name LIKE '{p}abc%'") == [p + "abc-1", p + "abc-2"]
    assert search_names(client, f"name like '{p}abc%'") == [p + "abc-1", p + "abc-2"]
    assert search_names(client, f"name ILIKE '{p}abc%'") == [p + "ABC-3", p + "abc-1", p + "abc-2"]
    assert search_names(client, f"name ilike '{p}ABC%'") == [p + "ABC-3", p + "abc-1", p + "abc-2"]
    # % matches any run of characters, _ exactly one.
    assert search_names(client, f"name LIKE '{p}%abc%'") == [p + "abc-1", p + "abc-2", p + "xabc-4"]
    assert search_names(client, f"name LIKE '{p}abc-_'") == [p + "abc-1", p + "abc-2"]
    assert search_names(client, f"name LIKE '{p}__-5'") == [p + "ab-5"]
    # LIKE without wildcards is an exact, case-sensitive match.
    assert search_names(client, f"name LIKE '{p}ab-5'") == [p + "ab-5"]
    assert search_names(client, f"name LIKE '{p}AB-5'") == []


# --------------------------------------------------------------------------------------------
# Filters on tags
# --------------------------------------------------------------------------------------------


@pytest.fixture
def tagged(client, unique_prefix):
    p = unique_prefix
    client.create_registered_model(p + "a", tags={"env": "prod", "team.owner": "alice"})
    client.create_registered_model(p + "b", tags={"env": "dev", "team.owner": "bob"})
    client.create_registered_model(p + "c", tags={"env": "Prod-2", "team.owner": "alice"})
    client.create_registered_model(p + "d", tags={"other": "x"})
    client.create_registered_model(p + "e", tags={"env": ""})
    return p


def test_tag_equality(client, tagged):
    p = tagged
    scope = f"name LIKE '{p}%'"
    assert search_names(client, f"{scope} AND tags.env = 'prod'") == [p + "a"]
    assert search_names(client, f"{scope} AND tag.env = 'prod'") == [p + "a"]
    assert search_names(client, f"{scope} AND tags.`env` = 'dev'") == [p + "b"]
    assert search_names(client, f"{scope} AND tags.env = ''") == [p + "e"]
    assert search_names(client, f"{scope} AND tags.env = 'PROD'") == []


def test_tag_inequality_requires_the_tag(client, tagged):
    p = tagged
    scope = f"name LIKE '{p}%'"
    # A model without the tag does not match `!=` either.
    assert search_names(client, f"{scope} AND tags.env != 'prod'") == [p + "b", p + "c", p + "e"]


def test_tag_like_and_ilike(client, tagged):
    p = tagged
    scope = f"name LIKE '{p}%'"
    assert search_names(client, f"{scope} AND tags.env LIKE 'pro%'") == [p + "a"]
    assert search_names(client, f"{scope} AND tags.env LIKE 'Pro%'") == [p + "c"]
    assert search_names(client, f"{scope} AND tags.env ILIKE 'pro%'") == [p + "a", p + "c"]
    assert search_names(client, f"{scope} AND tags.env LIKE '%'") == [p + "a", p + "b", p + "c", p + "e"]


def test_dotted_tag_keys_with_backticks(client, tagged):
    p = tagged
    scope = f"name LIKE '{p}%'"
    assert search_names(client, f"{scope} AND tags.`team.owner` = 'alice'") == [p + "a", p + "c"]
    assert search_names(client, f"{scope} AND tags.`team.owner` != 'alice'") == [p + "b"]
    assert search_names(client, f"{scope} AND tags.`team.owner` LIKE 'b%'") == [p + "b"]
    assert search_names(client, f"{scope} AND tags.`team.owner` ILIKE 'ALI%'") == [p + "a", p + "c"]


def test_several_clauses_are_anded(client, tagged):
    p = tagged
    scope = f"name LIKE '{p}%'"
    assert search_names(
        client, f"{scope} AND tags.env ILIKE 'prod%' AND tags.`team.owner` = 'alice'"
    ) == [p + "a", p + "c"]
    assert search_names(client, f"{scope} AND tags.env = 'prod' AND tags.`team.owner` = 'bob'") == []
    assert search_names(client, f"name = '{p}b' AND tags.env = 'dev'") == [p + "b"]
    assert search_names(client, f"name = '{p}b' and tags.env = 'prod'") == []
    # Two clauses on the same tag key must both hold.
    assert search_names(client, f"{scope} AND tags.env LIKE 'pro%' AND tags.env != 'prod'") == []
    assert search_names(client, f"{scope} AND tags.env ILIKE 'pro%' AND tags.env != 'prod'") == [p + "c"]


# `name IN (...)` is accepted by 3.x servers (2.22 rejects it).
@pytest.mark.server3
def test_name_in_list(client, unique_prefix):
    p = unique_prefix
    for suffix in ("alpha", "beta", "gamma"):
        client.create_registered_model(p + suffix)
    assert search_names(client, f"name IN ('{p}alpha', '{p}gamma', '{p}zeta')") == [
        p + "alpha",
        p + "gamma",
    ]


def test_invalid_filters_are_rejected(client, unique_prefix):
    for bad in (
        "name = unquoted",
        "description = 'x'",
        "name = 'a' OR name = 'b'",
        "foo.bar = 'x'",
        "tags.k IN ('a')",
    ):
        with raises_mlflow("INVALID_PARAMETER_VALUE"):
            client.search_registered_models(bad)


# --------------------------------------------------------------------------------------------
# Ordering
# --------------------------------------------------------------------------------------------


def test_order_by_name(client, unique_prefix):
    p = unique_prefix
    for suffix in ("b", "a", "d", "c"):
        client.create_registered_model(p + suffix)
    scope = f"name LIKE '{p}%'"
    assert names(client.search_registered_models(scope)) == [p + s for s in "abcd"]
    assert names(client.search_registered_models(scope, order_by=["name"])) == [p + s for s in "abcd"]
    assert names(client.search_registered_models(scope, order_by=["name ASC"])) == [p + s for s in "abcd"]
    assert names(client.search_registered_models(scope, order_by=["name DESC"])) == [p + s for s in "dcba"]
    assert names(client.search_registered_models(scope, order_by=["name desc"])) == [p + s for s in "dcba"]


def test_order_by_last_updated_timestamp(client, unique_prefix):
    p = unique_prefix
    for suffix in ("a", "b", "c", "d"):
        client.create_registered_model(p + suffix)
    # Touch them in a known order so that their last-updated times differ.
    for suffix in ("c", "a", "d", "b"):
        tick()
        client.update_registered_model(p + suffix, description="touched")
    scope = f"name LIKE '{p}%'"
    expected = [p + s for s in "cadb"]
    assert names(client.search_registered_models(scope, order_by=["last_updated_timestamp"])) == expected
    assert (
        names(client.search_registered_models(scope, order_by=["last_updated_timestamp ASC"]))
        == expected
    )
    assert names(
        client.search_registered_models(scope, order_by=["last_updated_timestamp DESC"])
    ) == list(reversed(expected))
    assert names(client.search_registered_models(scope, order_by=["timestamp DESC"])) == list(
        reversed(expected)
    )
    assert names(client.search_registered_models(scope, order_by=["timestamp asc"])) == expected


def test_order_by_timestamp_breaks_ties_by_name(client, unique_prefix):
    p = unique_prefix
    # Created back to back: several share a millisecond, and ties must come out by name.
    for i in reversed(range(30)):
        client.create_registered_model(f"{p}{i:02d}")
    scope = f"name LIKE '{p}%'"
    for direction, sign in (("ASC", 1), ("DESC", -1)):
        got = client.search_registered_models(
            scope, order_by=[f"last_updated_timestamp {direction}"], max_results=100
        )
        assert len(got) == 30
        keys = [(sign * m.last_updated_timestamp, m.name) for m in got]
        assert keys == sorted(keys), f"not ordered by (timestamp {direction}, name ASC)"
    # Explicit secondary key.
    got = client.search_registered_models(scope, order_by=["timestamp DESC", "name DESC"])
    keys = [(-m.last_updated_timestamp, [-ord(c) for c in m.name]) for m in got]
    assert keys == sorted(keys)


def test_invalid_order_by_is_rejected(client):
    for bad in (["creation_timestamp DESC"], ["nope"], ["name SIDEWAYS"]):
        with raises_mlflow("INVALID_PARAMETER_VALUE"):
            client.search_registered_models(order_by=bad)


# Deliberate deviation: the reference server answers a duplicated order_by key with a 500
# (which clients retry); flowreg rejects it as a client error.
@pytest.mark.deviation
def test_duplicate_order_by_key_is_a_client_error(client):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_registered_models(order_by=["name DESC", "name ASC"])


# --------------------------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------------------------

MANY = 300
SMALL = 25


@pytest.fixture(scope="module")
def many_models(server_url):
    """MANY models under one prefix; the first SMALL of them (by name) also carry tag small=yes."""
    import uuid

    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=server_url, registry_uri=server_url)
    prefix = f"t{uuid.uuid4().hex[:12]}-page-"
    all_names = [f"{prefix}{i:04d}" for i in range(MANY)]
    for i, name in enumerate(all_names):
        client.create_registered_model(name, tags={"small": "yes"} if i < SMALL else None)
    return prefix, all_names


def test_default_max_results_is_100(client, many_models):
    prefix, all_names = many_models
    first = client.search_registered_models(f"name LIKE '{prefix}%'")
    assert names(first) == all_names[:100]
    assert first.token
    second = client.search_registered_models(f"name LIKE '{prefix}%'", page_token=first.token)
    assert names(second) == all_names[100:200]
    assert second.token


@pytest.mark.parametrize("page_size", [7, 100])
def test_pagination_visits_every_model_once_in_order(client, many_models, page_size):
    prefix, all_names = many_models
    models, pages = search_models_all_pages(client, f"name LIKE '{prefix}%'", page_size=page_size)
    assert names(models) == all_names
    assert pages == -(-MANY // page_size)  # no empty trailing page


def test_pagination_descending(client, many_models):
    prefix, all_names = many_models
    models, pages = search_models_all_pages(
        client, f"name LIKE '{prefix}%'", order_by=["name DESC"], page_size=7
    )
    assert names(models) == list(reversed(all_names))


def test_pagination_with_page_size_one(client, many_models):
    prefix, all_names = many_models
    models, pages = search_models_all_pages(
        client, f"name LIKE '{prefix}%' AND tags.small = 'yes'", page_size=1
    )
    assert names(models) == all_names[:SMALL]
    assert pages == SMALL


def test_exact_last_page_has_no_token(client, many_models):
    prefix, all_names = many_models
    page = client.search_registered_models(
        f"name LIKE '{prefix}%' AND tags.small = 'yes'", max_results=SMALL
    )
    assert names(page) == all_names[:SMALL]
    assert not page.token


def test_max_results_limits(client, many_models):
    prefix, _ = many_models
    assert len(client.search_registered_models(f"name LIKE '{prefix}%'", max_results=1000)) == MANY
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_registered_models(f"name LIKE '{prefix}%'", max_results=1001)


def test_invalid_page_token_is_rejected(client):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_registered_models(page_token="not-a-real-token")


# --------------------------------------------------------------------------------------------
# Prompts are registered models too, but the registry API hides them
# --------------------------------------------------------------------------------------------


def test_prompts_are_not_listed(client, rest, unique_prefix):
    p = unique_prefix
    r = rest.post(
        "registered-models/create",
        {
            "name": p + "prompt",
            "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}],
            "description": "a prompt",
        },
    )
    assert r.status_code == 200, r.text
    client.create_registered_model(p + "model")
    # The client refuses to create models carrying the prompt tag at all, so use the REST API.
    r = rest.post(
        "registered-models/create",
        {"name": p + "not-prompt", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "false"}]},
    )
    assert r.status_code == 200, r.text

    assert search_names(client, f"name LIKE '{p}%'") == [p + "model", p + "not-prompt"]
    every, _ = search_models_all_pages(client, page_size=1000)
    assert p + "prompt" not in names(every)
    assert {p + "model", p + "not-prompt"} <= set(names(every))

    # Without the clause the client appends, the server still leaves prompts out ...
    r = rest.get("registered-models/search", {"filter": f"name LIKE '{p}%'"})
    assert r.status_code == 200, r.text
    assert sorted(m["name"] for m in r.json()["registered_models"]) == [p + "model", p + "not-prompt"]
    # ... unless they are asked for.
    r = rest.get(
        "registered-models/search",
        {"filter": f"name LIKE '{p}%' AND tags.`mlflow.prompt.is_prompt` = 'true'"},
    )
    assert r.status_code == 200, r.text
    assert [m["name"] for m in r.json()["registered_models"]] == [p + "prompt"]


@pytest.mark.mlflow3
def test_prompts_registered_by_the_client_are_hidden_from_the_model_registry(client, unique_prefix):
    import mlflow.genai

    p = unique_prefix
    name = p + "prompt"
    first = mlflow.genai.register_prompt(name=name, template="Hello {{name}}", commit_message="one")
    second = mlflow.genai.register_prompt(name=name, template="Hi {{name}}!")
    assert (first.version, second.version) == (1, 2)
    assert mlflow.genai.load_prompt(f"prompts:/{name}/1").template == "Hello {{name}}"
    assert mlflow.genai.load_prompt(f"prompts:/{name}/2").template == "Hi {{name}}!"
    assert [x.name for x in mlflow.genai.search_prompts(f"name LIKE '{p}%'")] == [name]

    client.create_registered_model(p + "model")
    assert search_names(client, f"name LIKE '{p}%'") == [p + "model"]
    # A prompt is not a registered model as far as the registry API is concerned ...
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(name)
    # ... but the name is taken.
    with raises_mlflow("RESOURCE_ALREADY_EXISTS"):
        client.create_registered_model(name)
