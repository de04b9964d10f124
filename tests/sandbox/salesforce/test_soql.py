"""SOQL: the grammar's subset, its evaluation over an org, and Salesforce's error bodies (reference §3)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from handoff.clock import ManualClock
from sandbox.salesforce import ApiError, SalesforceState
from sandbox.salesforce.soql import parse
from sandbox.salesforce.soql.ast import BoolOp, Comparison, Not


@pytest.fixture
def state(clock: ManualClock) -> SalesforceState:
    state = SalesforceState(clock=clock, time_zone="UTC")
    user_tz = state.add_user("Integration", first_name="Api", time_zone="UTC")
    state.set_integration_user(user_tz)
    ann = state.add_user("Rep", first_name="Ann", email="ann@sandbox.example")
    queue = state.add_queue("EMEA Inbound")
    rows = [
        ("Alpha", "DE", 50, "alpha@acme.example", ann, datetime(2026, 11, 2, 8, 0, tzinfo=UTC)),
        ("Beta", "US", 500, "beta@initech.example", queue, datetime(2026, 10, 30, 12, 0, tzinfo=UTC)),
        ("Gamma", None, None, None, ann, datetime(2026, 9, 1, 12, 0, tzinfo=UTC)),
        ("delta", "de", 5, "delta@acme.example", queue, datetime(2026, 11, 1, 23, 59, tzinfo=UTC)),
    ]
    for name, country, employees, email, owner, created in rows:
        fields = {
            "LastName": name,
            "Company": f"{name} Co",
            "Country": country,
            "NumberOfEmployees": employees,
        }
        fields |= {"Email": email, "OwnerId": owner}
        state.add_lead({k: v for k, v in fields.items() if v is not None}, at=created)
    return state


def names(state: SalesforceState, soql: str) -> list[str]:
    return [record["LastName"] for record in state.query(soql)]


def error_of(state: SalesforceState, soql: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        state.query(soql)
    return caught.value


def test_parser_builds_the_condition_tree() -> None:
    query = parse("SELECT Id FROM Lead WHERE (A = 1 OR B = 2) AND NOT C LIKE 'x%' AND D NOT IN ('a', 'b')")
    assert isinstance(query.where, BoolOp) and query.where.operator == "AND"
    first, negated, not_in = query.where.operands
    assert isinstance(first, BoolOp) and first.operator == "OR"
    assert isinstance(negated, Not) and isinstance(negated.operand, Comparison)
    assert isinstance(not_in, Comparison) and not_in.operator == "NOT IN" and len(not_in.values) == 2


def test_text_comparisons_are_case_insensitive_and_ordering_puts_nulls_first(state: SalesforceState) -> None:
    assert names(state, "SELECT LastName FROM Lead WHERE Country = 'DE' ORDER BY LastName") == [
        "Alpha",
        "delta",
    ]
    assert names(state, "select lastname from lead order by country, lastname") == [
        "Gamma",
        "Alpha",
        "delta",
        "Beta",
    ]
    assert names(state, "SELECT LastName FROM Lead ORDER BY Country DESC NULLS LAST LIMIT 2 OFFSET 1") == [
        "Alpha",
        "delta",
    ]


def test_not_equal_and_not_in_match_nulls_as_soql_does(state: SalesforceState) -> None:
    assert names(state, "SELECT LastName FROM Lead WHERE Country != 'US' ORDER BY LastName") == [
        "Alpha",
        "delta",
        "Gamma",
    ]
    assert names(state, "SELECT LastName FROM Lead WHERE Country NOT IN ('DE') ORDER BY LastName") == [
        "Beta",
        "Gamma",
    ]
    assert names(state, "SELECT LastName FROM Lead WHERE Email = null") == ["Gamma"]


def test_numbers_like_and_boolean_logic(state: SalesforceState) -> None:
    soql = "SELECT LastName FROM Lead WHERE (NumberOfEmployees >= 50 OR Email LIKE '%ACME%') AND IsConverted = false"
    assert sorted(names(state, soql)) == ["Alpha", "Beta", "delta"]
    assert names(state, "SELECT LastName FROM Lead WHERE Email LIKE 'd_lta@%'") == ["delta"]
    assert names(
        state, "SELECT LastName FROM Lead WHERE NOT (NumberOfEmployees < 100) AND Email != null"
    ) == ["Beta"]


def test_datetime_and_relative_date_literals(state: SalesforceState) -> None:
    assert names(state, "SELECT LastName FROM Lead WHERE CreatedDate = TODAY") == ["Alpha"]
    assert names(state, "SELECT LastName FROM Lead WHERE CreatedDate = YESTERDAY") == ["delta"]
    assert sorted(names(state, "SELECT LastName FROM Lead WHERE CreatedDate = LAST_N_DAYS:3")) == [
        "Alpha",
        "Beta",
        "delta",
    ]
    assert names(state, "SELECT LastName FROM Lead WHERE CreatedDate < LAST_N_DAYS:30") == ["Gamma"]
    assert names(
        state, "SELECT LastName FROM Lead WHERE CreatedDate > 2026-11-01T23:00:00Z ORDER BY CreatedDate"
    ) == [
        "delta",
        "Alpha",
    ]
    assert names(state, "SELECT LastName FROM Lead WHERE CreatedDate >= 2026-11-02T09:00:00+01:00") == [
        "Alpha"
    ]


def test_date_fields_compare_with_date_literals(state: SalesforceState, clock: ManualClock) -> None:
    lead_id = state.query("SELECT Id FROM Lead WHERE LastName = 'Alpha'")[0]["Id"]
    state.add_task({"Subject": "Call", "WhoId": lead_id, "ActivityDate": date(2026, 11, 2)})
    state.add_task({"Subject": "Later", "WhoId": lead_id, "ActivityDate": date(2026, 11, 20)})
    subjects = [t["Subject"] for t in state.query("SELECT Subject FROM Task WHERE ActivityDate = TODAY")]
    assert subjects == ["Call"]
    later = state.query(
        "SELECT Subject FROM Task WHERE ActivityDate > 2026-11-02 AND WhoId = '" + lead_id[:15] + "'"
    )
    assert [t["Subject"] for t in later] == ["Later"]


def test_parent_relationships_come_back_nested_and_polymorphic_owners_as_name(state: SalesforceState) -> None:
    records = state.query(
        "SELECT LastName, Owner.Name, Owner.Type, CreatedBy.Name FROM Lead ORDER BY LastName"
    )
    alpha = records[0]
    assert alpha["Owner"]["attributes"]["type"] == "Name"
    assert alpha["Owner"]["attributes"]["url"].startswith("/services/data/v59.0/sobjects/User/005")
    assert (alpha["Owner"]["Name"], alpha["Owner"]["Type"]) == ("Ann Rep", "User")
    assert alpha["CreatedBy"]["attributes"]["type"] == "User"
    beta = records[1]
    assert (beta["Owner"]["Type"], beta["Owner"]["attributes"]["url"][:36]) == (
        "Queue",
        "/services/data/v59.0/sobjects/Group/",
    )
    assert names(state, "SELECT LastName FROM Lead WHERE Owner.Type = 'Queue' ORDER BY LastName") == [
        "Beta",
        "delta",
    ]


def test_an_empty_parent_is_null(state: SalesforceState) -> None:
    [user] = state.query("SELECT Name, Manager.Name FROM User WHERE LastName = 'Rep'")
    assert user["Manager"] is None


def test_count(state: SalesforceState) -> None:
    from sandbox.salesforce.soql import CompiledQuery, QueryContext
    from sandbox.salesforce.soql.dates import zone_of

    compiled = CompiledQuery(parse("SELECT COUNT() FROM Lead WHERE Country = 'DE'"), state.schema)
    result = compiled.run(QueryContext(state.store, state.clock(), zone_of("UTC"), "59.0"))
    assert (result.total_size, result.records) == (2, [])


def test_mixing_and_or_without_parentheses_is_malformed(state: SalesforceState) -> None:
    soql = "SELECT Id FROM Lead WHERE Country = 'DE' AND Email = null OR IsConverted = true"
    column = soql.index(" OR ") + 2
    error = error_of(state, soql)
    assert error.code == "MALFORMED_QUERY"
    assert (
        error.message
        == f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\nunexpected token: 'OR'"
    )


def test_unknown_names_are_invalid_field_and_invalid_type(state: SalesforceState) -> None:
    field_error = error_of(state, "SELECT Id, Foo FROM Lead")
    assert field_error.code == "INVALID_FIELD"
    assert field_error.message.startswith(
        "\nSELECT Id, Foo FROM Lead\n           ^\nERROR at Row:1:Column:12\n"
    )
    assert "No such column 'Foo' on entity 'Lead'." in field_error.message
    assert "Didn't understand relationship 'Ownr'" in error_of(state, "SELECT Ownr.Name FROM Lead").message
    type_error = error_of(state, "SELECT Id FROM Widget__c")
    assert (
        type_error.code == "INVALID_TYPE"
        and "sObject type 'Widget__c' is not supported" in type_error.message
    )


@pytest.mark.parametrize(
    ("soql", "code", "detail"),
    [
        (
            "SELECT Id FROM Lead WHERE CreatedDate > 2026-01-01",
            "INVALID_FIELD",
            "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Lead WHERE NumberOfEmployees = '5'",
            "INVALID_FIELD",
            "value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Lead WHERE Email = 5",
            "INVALID_FIELD",
            "value of filter criterion for field 'Email' must be of type string and should be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Lead WHERE OwnerId = 'nobody'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid ID field: nobody",
        ),
        ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
        ("SELECT Id, Id FROM Lead", "MALFORMED_QUERY", "duplicate field selected: Id"),
    ],
)
def test_bad_filters_get_salesforce_errors(state: SalesforceState, soql: str, code: str, detail: str) -> None:
    error = error_of(state, soql)
    assert error.status == 400 and error.code == code
    assert error.message.endswith("\n" + detail)


def test_offset_is_capped_at_2000(state: SalesforceState) -> None:
    error = error_of(state, "SELECT Id FROM Lead OFFSET 2001")
    assert (error.code, error.message) == (
        "NUMBER_OUTSIDE_VALID_RANGE",
        "Maximum SOQL offset allowed is 2000",
    )
