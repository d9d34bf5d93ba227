"""Typed views of iCIMS JSON: profiles, workflows, their field shapes and event payloads.

iCIMS adds keys at any time and omits empty or hidden fields, so every model ignores nothing and requires
nothing: unknown keys are kept (``model_extra``), absent ones are ``None`` or empty. The JSON exactly as
received stays available through :meth:`ICIMSModel.get`, so a tenant mapping can read any field, including
custom ``field{N}`` ones (also listed by :attr:`ICIMSModel.custom`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

CUSTOM_FIELD = re.compile(r"field\d+")


class ICIMSModel(BaseModel):
    """Base of every iCIMS shape: tolerant of extra and missing keys, keeps the raw JSON."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        model = handler(data)
        if isinstance(data, dict) and isinstance(model, ICIMSModel):
            model._raw = dict(data)
        return model

    def get(self, name: str) -> Any:
        """The field's JSON value exactly as iCIMS sent it, or None when absent."""
        return self._raw.get(name)

    @property
    def raw(self) -> dict[str, Any]:
        return dict(self._raw)

    @property
    def custom(self) -> dict[str, Any]:
        """Custom fields (``field{N}``) as sent."""
        return {k: v for k, v in self._raw.items() if CUSTOM_FIELD.fullmatch(k)}


class ListNode(ICIMSModel):
    """A dropdown value: ``{"id": "D31001", "value": "Approved", "formattedvalue": "Approved"}``.

    Country and state nodes carry ``abbrev`` (``"US"``, ``"CA"``). A bare string is read as a node with
    that value and no id (some tenants keep list-like data in text fields).
    """

    id: str | None = None
    value: str | None = None
    formattedvalue: str | None = None
    abbrev: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        return {"value": data} if isinstance(data, str) else data

    @property
    def label(self) -> str | None:
        return self.formattedvalue or self.value


class ProfileLink(ICIMSModel):
    """A link to another profile (recruiter, hiring manager, workflow base/associated profile)."""

    profile: str | None = None
    id: int | None = None
    value: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_bare_id(cls, data: Any) -> Any:
        # Workflow create bodies use bare integer ids for baseprofile/associatedprofile.
        return {"id": data} if isinstance(data, int | str) and not isinstance(data, bool) else data


class AddressLink(ICIMSModel):
    """A job's ``joblocation``: points at address entry ``id`` of company ``companyid``."""

    companyid: int | None = None
    address: str | None = None
    id: int | None = None
    value: str | None = None


class Address(ICIMSModel):
    """One row of an ``addresses`` collection (person or company)."""

    entry: int | None = None
    addresstype: ListNode | None = None
    addressstreet1: str | None = None
    addressstreet2: str | None = None
    addresscity: str | None = None
    addresscounty: str | None = None
    addressstate: ListNode | None = None
    addresszip: str | None = None
    addresscountry: ListNode | None = None
    primary: bool | None = None


class Phone(ICIMSModel):
    """One row of a person's ``phones`` collection."""

    entry: int | None = None
    phonetype: ListNode | None = None
    phonenumber: str | None = None
    phoneextension: str | None = None


class CurrencyValue(ICIMSModel):
    """A currency field: ``{"amount": 185000, "amountstring": "185,000.00", "currency": "USD"}``."""

    amount: Decimal | None = None
    amountstring: str | None = None
    currency: str | None = None


class Link(ICIMSModel):
    """An entry of ``links[]`` (profile GETs and event payloads)."""

    rel: str | None = None
    title: str | None = None
    url: str | None = None


class FileRef(ICIMSModel):
    """How a file field appears in profile JSON: the URL of its ``/binary`` endpoint."""

    file: str | None = None
    filename: str | None = None


class Profile(ICIMSModel):
    """Fields common to every profile GET."""

    links: list[Link] = Field(default_factory=list)
    folder: ListNode | None = None
    externalid: str | None = None
    createddate: str | None = None
    updateddate: str | None = None


class Person(Profile):
    firstname: str | None = None
    middlename: str | None = None
    lastname: str | None = None
    email: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    startdate: str | None = None
    hiredate: str | None = None

    @property
    def full_name(self) -> str | None:
        parts = [p.strip() for p in (self.firstname, self.middlename, self.lastname) if p and p.strip()]
        return " ".join(parts) or None


class Job(Profile):
    jobid: str | None = None
    jobtitle: str | None = None
    joblocation: AddressLink | None = None
    hiringmanager: ProfileLink | None = None
    recruiter: ProfileLink | None = None
    secondaryrecruiter: ProfileLink | None = None
    department: ListNode | None = None
    positiontype: ListNode | None = None
    numberofpositions: int | None = None
    startdate: str | None = None


class Company(Profile):
    name: str | None = None
    email: str | None = None
    addresses: list[Address] = Field(default_factory=list)

    def address(self, entry: int) -> Address | None:
        return next((a for a in self.addresses if a.entry == entry), None)


class ApplicantWorkflow(Profile):
    """A recruiting workflow: a person (``associatedprofile``) on a job (``baseprofile``)."""

    baseprofile: ProfileLink | None = None
    associatedprofile: ProfileLink | None = None
    status: ListNode | None = None
    source: str | None = None
    sourcename: str | None = None

    @property
    def job_id(self) -> int | None:
        return self.baseprofile.id if self.baseprofile else None

    @property
    def person_id(self) -> int | None:
        return self.associatedprofile.id if self.associatedprofile else None

    @property
    def status_id(self) -> str | None:
        return self.status.id if self.status else None


class ICIMSEvent(BaseModel):
    """Any event notification iCIMS POSTs: routed on ``customerId`` + ``eventType``; ids come as strings."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    customer_id: int = Field(alias="customerId")
    event_type: str = Field(alias="eventType", min_length=1)
    system_id: int = Field(alias="systemId")
    user_id: int | None = Field(None, alias="userId")
    links: tuple[Link, ...] = ()

    @field_validator("customer_id", "system_id", "user_id", mode="before")
    @classmethod
    def _digits_only(cls, value: Any) -> Any:
        return _strict_id(value)

    def link(self, rel: str) -> Link | None:
        return next((lk for lk in self.links if (lk.rel or "").lower() == rel.lower()), None)


class WorkflowStatusChangeEvent(ICIMSEvent):
    """``WorkFlowStatusChangeEvent``: a user set a workflow (``systemId``) to ``newStatus``.

    Statuses are whatever the tenant's notification sends (real payloads carry numeric strings such as
    ``"20786"``, not the ``C…`` ids of the REST API), so they are kept as text.
    """

    job_id: int | None = Field(None, alias="jobId")
    person_id: int | None = Field(None, alias="personId")
    old_status: str | None = Field(None, alias="oldStatus")
    new_status: str = Field(alias="newStatus", min_length=1)

    @field_validator("job_id", "person_id", mode="before")
    @classmethod
    def _digits(cls, value: Any) -> Any:
        return _strict_id(value)

    @field_validator("old_status", "new_status", mode="before")
    @classmethod
    def _status_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value.strip() if isinstance(value, str) else value


def _strict_id(value: Any) -> Any:
    """Ids arrive as digit strings; accept those and ints, refuse anything else (no float or bool guessing)."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    if isinstance(value, str) and not value.strip():
        return None
    raise ValueError(f"expected a numeric id, got {value!r}")
