"""Search API queries: filters, groups and id-paging past the 1,000-result cap.

``POST /customers/{cid}/search/{type}`` takes ``{"filters": [...], "operator": "&", "children": [...]}`` and
returns at most 1,000 ids, ascending. The next page repeats the query with ``<type>.id > <last id>``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SEARCH_PAGE_CAP = 1000

FilterOperator = Literal["=", "==", "!=", "!==", "<", ">", "<=", ">="]
GroupOperator = Literal["&", "|"]

# The search path segment and the singular prefix its filter names use.
SEARCH_PREFIXES: dict[str, str] = {
    "people": "person",
    "jobs": "job",
    "companies": "company",
    "applicantworkflows": "applicantworkflow",
    "sourceworkflows": "sourceworkflow",
    "onboardworkflows": "onboardworkflow",
    "talentpools": "talentpool",
}


class SearchFilter(BaseModel):
    """One condition: ``{"name": "person.lastname", "value": ["Smith"], "operator": "="}``."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    name: str
    value: tuple[str, ...] = ()
    operator: FilterOperator = "="
    secondary_value: tuple[str, ...] | None = Field(None, alias="secondaryValue")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "value": list(self.value), "operator": self.operator}
        if self.secondary_value is not None:
            body["secondaryValue"] = list(self.secondary_value)
        return body


class SearchGroup(BaseModel):
    """Filters joined by ``operator``, with nested groups in ``children``."""

    model_config = ConfigDict(frozen=True)

    filters: tuple[SearchFilter, ...] = ()
    operator: GroupOperator = "&"
    children: tuple[SearchGroup, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"filters": [f.to_json() for f in self.filters], "operator": self.operator}
        if self.children:
            body["children"] = [c.to_json() for c in self.children]
        return body

    def after_id(self, profile_type: str, last_id: int) -> SearchGroup:
        """The same query restricted to ids above ``last_id`` (the next page)."""
        paging = SearchFilter(name=f"{search_prefix(profile_type)}.id", value=(str(last_id),), operator=">")
        if self.operator == "&":
            return self.model_copy(update={"filters": (*self.filters, paging)})
        return SearchGroup(filters=(paging,), operator="&", children=(self,))


def where(name: str, *values: object, operator: FilterOperator = "=") -> SearchFilter:
    """A filter; values are sent as strings, as iCIMS requires."""
    return SearchFilter(name=name, value=tuple(str(v) for v in values), operator=operator)


def search_prefix(profile_type: str) -> str:
    try:
        return SEARCH_PREFIXES[profile_type]
    except KeyError:
        raise ValueError(f"{profile_type!r} is not searchable; one of {sorted(SEARCH_PREFIXES)}") from None
