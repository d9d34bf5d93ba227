"""A tenant that is not the demo: its own iCIMS fixture, field mapping, statuses and benefits documents.

Used to show that `ask`, `link` and the pipeline take everything from the configuration file.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.config import DEMO_DIR

COMPANY = "Halden Robotics Ltd"
CUSTOMER_ID = 7777
WORKFLOW = 801
NOT_READY = 802
NEEDS_DATA = 803  # offer-ready, but its salary field holds text
SALARY, SALARY_TEXT = 172000, "172,000"
BAND = ("150,000", "195,000")
START_TEXT = "March 8, 2027"

_ADDRESS = {
    "entry": 5,
    "addresstype": {"id": "T1", "value": "Business"},
    "addressstreet1": "221 Riverside Drive",
    "addresscity": "Austin",
    "addressstate": {"id": "T2", "value": "Texas", "abbrev": "TX"},
    "addresszip": "78704",
    "addresscountry": {"id": "T3", "value": "United States", "abbrev": "US"},
}


def fixture() -> dict[str, object]:
    def person(first: str, last: str, email: str, phone: str) -> dict[str, object]:
        return {
            "firstname": first,
            "lastname": last,
            "email": email,
            "phones": [{"entry": 1, "phonetype": {"id": "P1", "value": "Mobile"}, "phonenumber": phone}],
        }

    def link(kind: str, pid: int, value: str) -> dict[str, object]:
        return {"profile": f"https://api.icims.com/customers/{CUSTOMER_ID}/{kind}/{pid}", "id": pid, "value": value}

    workflow = {
        "baseprofile": link("jobs", 601, "Staff Firmware Engineer"),
        "associatedprofile": link("people", 501, "Ingrid Solberg"),
        "status": {"id": "S100", "value": "Ready for offer", "formattedvalue": "Ready for offer"},
        "field8001": {"amount": SALARY, "amountstring": SALARY_TEXT + ".00", "currency": "USD"},
        "field8002": 12,
        "field8003": 20000,
        "field8004": 3200,
        "field8005": "2027-03-08",
        "field8006": {"id": "H2", "value": "Hybrid", "formattedvalue": "Hybrid"},
        "field8007": "2026-12-14",
        "field8008": 22,
    }
    return {
        "customerId": CUSTOMER_ID,
        "customer": {"name": COMPANY, "customerType": "test"},
        "statuses": {"S100": "Ready for offer", "S050": "Interview"},
        "people": {
            "501": person("Ingrid", "Solberg", "ingrid@mailbox.example", "512-555-0193"),
            "502": person("Okonkwo", "Adebayo", "o.adebayo@halden.example", "512-555-0110"),
            "503": person("Tomasz", "Wierzbicki", "t.w@halden.example", "512-555-0111"),
            "504": person("Lena", "Park", "lena@mailbox.example", "512-555-0194"),
        },
        "jobs": {
            "601": {
                "jobtitle": "Staff Firmware Engineer",
                "department": {"id": "D1", "value": "Embedded Systems"},
                "joblocation": {"companyid": 701, "id": 5, "value": "Halden Austin"},
                "hiringmanager": link("people", 503, "Tomasz Wierzbicki"),
                "recruiter": link("people", 502, "Okonkwo Adebayo"),
                "field7001": 150000,
                "field7002": 195000,
                "field7003": "USD",
            }
        },
        "companies": {"701": {"name": "Halden Austin", "addresses": [_ADDRESS]}},
        "applicantworkflows": {
            str(WORKFLOW): workflow,
            str(NOT_READY): {
                **workflow,
                "associatedprofile": link("people", 504, "Lena Park"),
                "status": {"id": "S050", "value": "Interview"},
            },
            str(NEEDS_DATA): {
                **workflow,
                "associatedprofile": link("people", 504, "Lena Park"),
                "field8001": "see comp team",
            },
        },
    }


BENEFITS = {
    "us/_index.toml": 'jurisdiction = "US"\n',
    "us/time-away.md": (
        "# Halden time away\n\n## Parental leave\n\nEvery Halden parent in the US receives 14 weeks of parental leave "
        "at full base pay.\n\n## Volunteering\n\nYou get 3 paid volunteering days a year.\n"
    ),
    "gb/_index.toml": 'jurisdiction = "GB"\n',
    "gb/family.md": (
        "# Halden UK family leave\n\n## Maternity\n\nUK employees receive 30 weeks of maternity pay at full salary.\n"
    ),
    "all/remote.md": (
        "# Working from home at Halden\n\n## Home office\n\nEvery employee gets a one-time home office budget of "
        "$750 for a desk and chair.\n"
    ),
}

TERMS = {
    "title": "job.jobtitle",
    "department": "job.department",
    "location": "joblocation.addresscity",
    "jurisdiction_country": "joblocation.addresscountry",
    "jurisdiction_region": "joblocation.addressstate",
    "currency": "applicantworkflow.field8001",
    "base_salary": "applicantworkflow.field8001",
    "bonus_target_percent": "applicantworkflow.field8002",
    "sign_on_bonus": "applicantworkflow.field8003",
    "equity_units": "applicantworkflow.field8004",
    "start_date": "applicantworkflow.field8005",
    "work_arrangement": "applicantworkflow.field8006",
    "expiry_date": "applicantworkflow.field8007",
    "pto_days": "applicantworkflow.field8008",
    "reports_to": "job.hiringmanager",
    "recruiter": "job.recruiter",
}


def write(folder: Path, *, public_url: str = "http://127.0.0.1:8799", sandbox_port: int = 8798) -> Path:
    """Fixture, benefits folder and config file in `folder`; returns the config file."""
    (folder / "fixture.json").write_text(json.dumps(fixture(), indent=1), encoding="utf-8")
    for name, text in BENEFITS.items():
        path = folder / "benefits" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    terms = "\n".join(f'{name} = "{ref}"' for name, ref in TERMS.items())
    config = f"""company_name = "{COMPANY}"
public_url = "{public_url}"
data_dir = "data"
benefits_dir = "benefits"
policy_file = "{DEMO_DIR / "policy.toml"}"

[icims]
base_url = "sandbox"
customer_id = {CUSTOMER_ID}
auth = "oauth"
client_id = "halden-assistant"

[icims.webhook]
mode = "basic"
username = "halden-events"

[sandbox]
fixture = "fixture.json"
port = {sandbox_port}

[tenant]
offer_ready_statuses = ["S100"]
band_min = "job.field7001"
band_max = "job.field7002"
band_currency = "job.field7003"

[tenant.terms]
{terms}

[vector_store]
collection = "halden-benefits"
"""
    path = folder / "halden.toml"
    path.write_text(config, encoding="utf-8")
    return path
