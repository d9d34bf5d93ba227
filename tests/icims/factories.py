"""Factories for iCIMS-shaped fixture data (profiles as the API returns them)."""

from __future__ import annotations

import itertools
from typing import Any

CUSTOMER = 4321
_entries = itertools.count(7001)


def list_node(node_id: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "value": value, "formattedvalue": value, **extra}


def link(kind: str, profile_id: int, value: str, customer: int = CUSTOMER) -> dict[str, Any]:
    return {
        "profile": f"https://api.icims.com/customers/{customer}/{kind}/{profile_id}",
        "id": profile_id,
        "value": value,
    }


def address(city: str, state: tuple[str, str] | None, country: tuple[str, str], **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "entry": next(_entries),
        "addresstype": list_node("D84001", "Business"),
        "addressstreet1": f"1 Main Street, {city}",
        "addresscity": city,
        "addresscountry": {"id": "D41001", "value": country[1], "abbrev": country[0]},
        **extra,
    }
    if state is not None:
        row["addressstate"] = {"id": "D41001999", "value": state[1], "abbrev": state[0]}
    return row


def person(first: str, last: str, **extra: Any) -> dict[str, Any]:
    return {
        "firstname": first,
        "lastname": last,
        "email": f"{first.lower()}.{last.lower()}@example.test",
        "folder": list_node("D32006", "Cand:Unreviewed"),
        **extra,
    }


def company(name: str, *addresses: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "folder": list_node("D33001", "Active Location"), "addresses": list(addresses)}


def job(title: str, company_id: int, address_row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "jobid": f"2030-{company_id}",
        "jobtitle": title,
        "folder": list_node("D31001", "Approved"),
        "joblocation": {
            "companyid": company_id,
            "address": f"https://api.icims.com/customers/{CUSTOMER}/companies/{company_id}/fields/addresses/{address_row['entry']}",
            "id": address_row["entry"],
            "value": f"{address_row['addresscity']} office ",
        },
        **extra,
    }


def workflow(job_id: int, person_id: int, status: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "baseprofile": link("jobs", job_id, "a job"),
        "associatedprofile": link("people", person_id, "a person"),
        "status": list_node(*status),
        **extra,
    }


def small_tenant() -> dict[str, Any]:
    """A small, self-consistent tenant: two offices (CA, Ontario), a recruiter, two candidates on two jobs."""
    toronto = address("Toronto", ("ON", "Ontario"), ("CA", "Canada"))
    austin = address("Austin", ("TX", "Texas"), ("US", "United States"))
    return {
        "customerId": CUSTOMER,
        "customer": {"name": "Heron Analytics", "customerType": "test"},
        "statuses": {"C100": "Screening", "C200": "Offer - Ready", "C300": "Offer - Accepted"},
        "people": {
            "10": person("Rita", "Recruiter"),
            "11": person("Ana", "Lima", startdate="2030-03-02", field60001=""),
            "12": person("Ben", "Okoro", phones=[{"entry": next(_entries), "phonenumber": "555-0100"}]),
        },
        "companies": {"50": company("Heron Toronto", toronto), "51": company("Heron Austin", austin)},
        "jobs": {
            "20": job("Data Engineer", 50, toronto, recruiter=link("people", 10, "Rita Recruiter"), field70001=90000),
            "21": job("Analyst", 51, austin, recruiter=link("people", 10, "Rita Recruiter")),
        },
        "applicantworkflows": {
            "30": workflow(
                20,
                11,
                ("C100", "Screening"),
                field80001={"amount": 98000, "amountstring": "98,000.00", "currency": "CAD"},
                field80002="2030-04-01",
                field80003=None,
            ),
            "31": workflow(21, 12, ("C100", "Screening"), field80001=72000),
        },
    }


def bulk_tenant(people: int, start_id: int = 100_000) -> dict[str, Any]:
    """``people`` synthetic person profiles with ids from ``start_id`` (step 3, so ids are not contiguous)."""
    records = {
        str(start_id + 3 * n): {
            "firstname": f"Person{n}",
            "lastname": "Even" if n % 2 == 0 else "Odd",
            "email": f"p{n}@example.test",
            "field90001": n,
            "createddate": f"2030-01-{1 + n % 28:02d} 09:{n % 60:02d} AM",
        }
        for n in range(people)
    }
    return {"customerId": CUSTOMER, "statuses": {}, "people": records}
