"""The OpenAPI document and the docs page: every operation authenticated and documenting every
error with a schema, coded fields listing their codes, lengths matching the models, and a docs
page whose scripts load under the site's Content-Security-Policy."""

import re

import pytest
from django.test import Client

from tandem.people.codes import Ethnicity, EventKind, RelationshipKind, Sex
from tandem.people.models import Event, Household, Person
from tandem.referrals.codes import Decision, FamilyAware, Reason, Source
from tandem.referrals.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi():
    return Client().get("/api/openapi.json").json()


def _schema(openapi, name: str) -> dict:
    return openapi["components"]["schemas"][name]


def _referenced(openapi, prop: dict) -> dict:
    """The schema a property points to (directly, or wrapped in allOf beside a default)."""
    ref = prop.get("$ref") or prop["allOf"][0]["$ref"]
    return _schema(openapi, ref.rsplit("/", 1)[1])


def test_served_as_openapi_3_1():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Tandem API"


def test_every_operation_needs_credentials_and_documents_every_error(openapi):
    operations = [op for ops in openapi["paths"].values() for op in ops.values()]
    from tests.test_routes import API

    assert len(operations) == len(API)  # every operation classified there is documented here
    for op in operations:
        assert {name for s in op["security"] for name in s} == {"TokenAuth", "SessionAuth"}
        for status in ("400", "401", "403", "404", "422"):
            content = op["responses"][status]["content"]["application/json"]
            assert content["schema"]["$ref"], (op["operationId"], status)
        assert any(s.startswith("2") for s in op["responses"])
    assert openapi["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_validation_error_schema_names_the_field(openapi):
    item = _schema(openapi, "FieldErrorOut")
    assert set(item["required"]) == {"loc", "msg", "type"}


@pytest.mark.parametrize(
    ("schema", "field", "codes"),
    [
        ("ChildIn", "sex", Sex),
        ("ChildIn", "ethnicity", Ethnicity),
        ("RelationshipIn", "kind", RelationshipKind),
        ("EventIn", "kind", EventKind),
        ("ReferralIn", "source", Source),
        ("ReferralIn", "family_aware", FamilyAware),
        ("DecisionIn", "decision", Decision),
    ],
)
def test_coded_fields_list_their_codes(openapi, schema, field, codes):
    prop = _schema(openapi, schema)["properties"][field]
    assert _referenced(openapi, prop)["enum"] == codes.values


def test_reasons_list_their_codes_once_each(openapi):
    reasons = _schema(openapi, "ReferralIn")["properties"]["reasons"]
    assert reasons["uniqueItems"] is True
    assert reasons["minItems"] == 1
    assert _referenced(openapi, reasons["items"])["enum"] == Reason.values


@pytest.mark.parametrize(
    ("schema", "field", "model", "model_field"),
    [
        ("ChildIn", "given_name", Person, "given_name"),
        ("ChildIn", "family_name", Person, "family_name"),
        ("ChildIn", "known_as", Person, "known_as"),
        ("ChildIn", "address", Person, "address"),
        ("ChildIn", "postcode", Person, "postcode"),
        ("HouseholdIn", "name", Household, "name"),
        ("EventIn", "summary", Event, "summary"),
        ("ReferralIn", "concerns", Referral, "concerns"),
        ("ReferralIn", "referrer_name", Referral, "referrer_name"),
    ],
)
def test_lengths_match_the_models(openapi, schema, field, model, model_field):
    prop = _schema(openapi, schema)["properties"][field]
    assert prop["maxLength"] == model._meta.get_field(model_field).max_length


def test_input_schemas_refuse_unknown_fields(openapi):
    inputs = [name for name in openapi["components"]["schemas"] if name.endswith("In")]
    assert len(inputs) >= 9
    for name in inputs:
        assert _schema(openapi, name)["additionalProperties"] is False, name


def test_dates_are_iso_strings(openapi):
    child = _schema(openapi, "ChildIn")["properties"]
    assert [(s["type"], s.get("format")) for s in child["date_of_birth"]["anyOf"]] == [
        ("string", "date"),
        ("null", None),
    ]
    event = _schema(openapi, "EventIn")["properties"]["occurred_at"]
    assert (event["type"], event["format"]) == ("string", "date-time")


def test_docs_page_loads_its_own_scripts_under_the_csp():
    client = Client()
    response = client.get("/api/docs")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'self'" in script_src
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    sources = []
    for attributes in scripts:
        src = re.search(r'src="([^"]+)"', attributes)
        if src:
            sources.append(src.group(1))
        else:
            # An inline block is allowed only as inert data, which the CSP does not run.
            assert 'type="application/json"' in attributes
    # Served from here (whitenoise), not from a CDN: the page works offline.
    assert sources == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    for src in sources:
        script = client.get(src)
        assert script.status_code == 200
        assert b"".join(script.streaming_content if script.streaming else [script.content])
    stylesheet = re.search(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html)
    assert stylesheet.group(1).startswith("/static/")
    assert "/api/openapi.json" in html
