"""Search over HTTP: paging past the 1,000 cap, operators, groups, and refused queries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from icims.errors import BadRequest
from icims.search import SearchFilter, SearchGroup, where
from tests.icims.factories import bulk_tenant
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

PEOPLE = 2_345
START = 100_000


@pytest.fixture(scope="module")
def bulk() -> Iterator[SandboxHandle]:
    with running_sandbox(bulk_tenant(PEOPLE, START)) as handle:
        yield handle


def _expected(predicate: object = None) -> list[int]:
    return [START + 3 * n for n in range(PEOPLE) if predicate is None or predicate(n)]  # type: ignore[operator]


def test_paging_past_the_cap_returns_every_id_once_in_order(bulk: SandboxHandle) -> None:
    client = bulk.client()
    before = len(bulk.requests("/search/people"))
    ids = list(client.search_ids("people", [where("person.id", 0, operator=">")]))
    assert ids == _expected()
    assert len(bulk.requests("/search/people")) - before == 3  # 1000 + 1000 + 345


def test_a_single_page_is_capped_at_1000(bulk: SandboxHandle) -> None:
    page = bulk.client().search_page("people", SearchGroup(filters=(where("person.lastname", "Even"),)))
    assert len(page) == 1000
    assert page == sorted(page)


def test_paging_an_or_group_keeps_its_meaning(bulk: SandboxHandle) -> None:
    query = SearchGroup(
        filters=(
            where("person.customfield90001.number", 1500, operator=">="),
            where("person.lastname", "Odd", operator="=="),
        ),
        operator="|",
    )
    ids = list(bulk.client().search_ids("people", query))
    assert ids == _expected(lambda n: n >= 1500 or n % 2 == 1)


@pytest.mark.parametrize(
    ("flt", "predicate"),
    [
        (where("person.customfield90001", 10, operator="<"), lambda n: n < 10),
        (where("person.customfield90001", 2340, operator=">"), lambda n: n > 2340),
        (where("person.customfield90001", 7, operator="<="), lambda n: n <= 7),
        (where("person.customfield90001", 5, 9), lambda n: n in (5, 9)),
        (where("person.customfield90001", 0, operator="!="), lambda n: n != 0),
        (where("person.firstname", "Person123", operator="=="), lambda n: n == 123),
        (where("person.firstname", "person123"), lambda n: "person123" in f"person{n}"),
        (where("person.createddate", "2030-01-28", operator=">="), lambda n: 1 + n % 28 >= 28),
    ],
)
def test_operators(bulk: SandboxHandle, flt: SearchFilter, predicate: object) -> None:
    assert list(bulk.client().search_ids("people", [flt])) == _expected(predicate)


def test_nested_groups(bulk: SandboxHandle) -> None:
    child = SearchGroup(
        filters=(where("person.customfield90001", 3), where("person.customfield90001", 4)), operator="|"
    )
    query = SearchGroup(filters=(where("person.lastname", "Odd", operator="=="),), children=(child,))
    assert list(bulk.client().search_ids("people", query)) == [START + 9]


def test_unparseable_date_bound_is_ignored(bulk: SandboxHandle) -> None:
    flt = where("person.createddate", "next tuesday", operator=">=")
    assert len(list(bulk.client().search_ids("people", [flt]))) == PEOPLE


def test_workflow_search_by_status_and_joined_person(icims: SandboxHandle) -> None:
    client = icims.client()
    assert list(client.search_ids("applicantworkflows", [where("applicantworkflow.status", "C100")])) == [30, 31]
    assert list(client.search_ids("applicantworkflows", [where("applicantworkflow.person.id", 12)])) == [31]
    assert list(client.search_ids("applicantworkflows", [where("applicantworkflow.status", "C1")])) == []  # ids exact
    client.set_workflow_status(30, "C200")
    assert list(client.search_ids("applicantworkflows", [where("applicantworkflow.status", "C200")])) == [30]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"filters": [{"name": "person.nosuchfield", "value": ["x"]}]},
            "either not valid or hidden: person.nosuchfield",
        ),
        ({"filters": [{"name": "job.jobtitle", "value": ["x"]}]}, "either not valid or hidden: job.jobtitle"),
        ({"filters": [{"name": "person.id", "value": ["1"], "operator": "~"}]}, "filter operator is not valid"),
        ({"filters": [{"name": "person.id", "value": ["1"]}], "operator": "^"}, "group operator is not valid"),
        ({"filters": [{"name": "person.id", "value": ["1"], "name1": "x"}]}, "filter attribute is unrecognized: name1"),
        ({"filters": [], "sort": "id"}, "group attribute is unrecognized: sort"),
        ({"filters": []}, "At least one filter must be specified"),
    ],
)
def test_invalid_queries_are_rejected_with_icims_messages(icims: SandboxHandle, body: dict, message: str) -> None:
    import httpx

    response = httpx.post(
        f"{icims.base_url}/customers/{icims.customer_id}/search/people",
        json=body,
        headers={"Authorization": icims.authorization()},
    )
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["errorMessage"]


def test_invalid_filter_through_the_client_is_bad_request(icims: SandboxHandle) -> None:
    with pytest.raises(BadRequest, match=r"person\.shoesize") as raised:
        list(icims.client().search_ids("people", [where("person.shoesize", 42)]))
    assert raised.value.status == 400


def test_hidden_fields_cannot_be_searched(tenant: dict) -> None:
    with running_sandbox(tenant, hidden_fields={"people": ["email"]}) as icims, pytest.raises(BadRequest):
        list(icims.client().search_ids("people", [where("person.email", "ana")]))
