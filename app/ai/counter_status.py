"""Status questions about a counter-offer the candidate submitted ("did you get my request?"), answered from the
queue: when it was sent, where it stands, and what happens next. Only the candidate's own counters are in the
request (the pipeline reads them for the offer of the signed session), so no other person's can be told."""

from __future__ import annotations

import re

from app.ai.dates import format_long_date
from app.ai.facts import fact_value
from app.ai.models import AnswerRequest, CounterStatus

_OWN_EN = r"(?:my|the) (?:counter(?:[- ]?offer|[- ]?proposal)?|counteroffer|request|proposal|ask|negotiation)"
_OWN_ES = r"(?:mi|la) (?:contraoferta|contrapropuesta|solicitud|propuesta|peticion|negociacion)"
_OWN_DE = (
    r"(?:mein(?:e|em|er|es)?|das|die|dem|der|des) (?:gegenangebot(?:s|es)?|gegenvorschlag(?:s|es)?|anfrage"
    r"|vorschlag(?:s|es)?|forderung|verhandlung)"
)
# Folded text (lower case, no accents): see app.ai.text.fold.
STATUS_QUESTION = re.compile(
    rf"\b(?:status (?:of|on) {_OWN_EN}|(?:did|have|has) (?:you|anyone|the team) (?:get|got|receive|received|see"
    rf"|seen|look at|looked at) {_OWN_EN}|(?:news|update|updates|word) (?:on|about|regarding) {_OWN_EN}"
    rf"|heard (?:back )?(?:about|on|regarding) {_OWN_EN}|what(?:'s| is|'s been)? happen(?:ed|ing) (?:to|with)"
    rf" {_OWN_EN}|where (?:is|are|does) {_OWN_EN}|(?:has|was|is) {_OWN_EN} (?:been )?(?:received|reviewed"
    rf"|approved|looked at|seen|arrived|still)|{_OWN_EN} (?:status|come through|go through|went through)"
    rf"|estado de {_OWN_ES}|(?:recibieron|recibiste|recibio|recibio usted|han recibido|ha recibido|llego)"
    rf" {_OWN_ES}|novedades (?:sobre|de|con) {_OWN_ES}|(?:que|como) (?:paso|va|esta) (?:con )?{_OWN_ES}"
    rf"|en que (?:va|esta|quedo) {_OWN_ES}|{_OWN_ES} (?:llego|fue recibida|fue revisada)"
    rf"|(?:status|stand) (?:von )?{_OWN_DE}|(?:haben sie|hast du|habt ihr) {_OWN_DE} (?:erhalten|bekommen"
    rf"|gesehen|gelesen)|{_OWN_DE} (?:angekommen|erhalten|eingegangen)|neuigkeiten (?:zu|uber|bezuglich) {_OWN_DE}"
    rf"|was ist (?:mit|aus) {_OWN_DE}|wie steht es um {_OWN_DE})"
)


def asks_counter_status(folded: str) -> bool:
    return STATUS_QUESTION.search(folded) is not None


def counter_asked_about(counters: list[CounterStatus]) -> CounterStatus | None:
    """The latest open counter, else the latest one."""
    open_ones = [c for c in counters if c.is_open]
    chosen = open_ones or counters
    return max(chosen, key=lambda c: c.number) if chosen else None


def status_variables(request: AnswerRequest, language: str) -> dict[str, object]:
    """What the `counter_status` template says about the candidate's latest counter-offer."""
    counter = counter_asked_about(request.counters)
    if counter is None:
        return {"found": False}
    country = request.terms.country
    labels = [fact_value(request, key, language).label for key in counter.terms]
    return {
        "found": True,
        "items": labels,
        "submitted": format_long_date(counter.submitted_at.date(), language, country),
        "due": format_long_date(counter.due_at.date(), language, country),
        "overdue": counter.due_at.date() < request.today,
        "state": counter.state,
        "resolution": counter.resolution,
        "revision": counter.revision,
    }
