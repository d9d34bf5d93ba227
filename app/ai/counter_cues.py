"""The wording that turns figures into a counter-offer: request cues, competing offers, context, arrangements.

Every pattern runs on accent-folded, lower-case text (`text.fold_aligned`), English and Spanish.
"""

from __future__ import annotations

import re

from offer_engine.terms import WorkArrangement

_NOT_A_REQUEST = (
    r"(?!\s+(?:to\s+)?(?:know|understand|ask|confirm|check|clarify|learn|see|discuss|hear|find out|get more))"
)
_REQUEST_VERBS = (
    r"do|make it|go|offer|increase|raise|bump|push|move|add|include|give|match|get|consider|meet|improve|up|"
    r"change|adjust|shift|bring"
)
REQUEST_CUE = re.compile(
    rf"\b(?:could|can|would|will) (?:you|we|they)(?: (?:please|possibly|maybe))? (?:{_REQUEST_VERBS})\b"
    r"|\bwould you (?:consider|be able|be willing|agree|accept)\b"
    r"|\bwould (?:it be|that be) possible\b|\bis it possible\b|\bpossible\b|\bwould\b.{1,40}\bwork\b"
    r"|\bdoes\b.{1,30}\bwork for you\b|\bopen to\b"
    r"|\b(?:could|can|would) (?:the|my) (?:title|role|position|base|salary|sign-on|bonus|start date|equity)\b"
    r"|\b(?:could|can|may) i (?:start|begin|join)\b|\bwould (?:help|be great|be ideal|be fair|make (?:it|this) work)\b"
    rf"|\bi(?:'d| would| will)? (?:need|want|require)\b{_NOT_A_REQUEST}"
    rf"|\bi(?:'d| would) (?:like|prefer|expect)\b{_NOT_A_REQUEST}"
    r"|\bi(?:'m| am) (?:looking for|hoping for|aiming for|expecting|targeting)\b|\bi was (?:hoping|looking) for\b"
    r"|\bi(?:'d| would) be (?:happy|comfortable|willing|able to (?:accept|sign))\b"
    r"|\bi(?:'d| would) (?:accept|sign|take it|join)\b"
    r"|\b(?:ask|asking|request|requesting|propose|proposing|counter|countering|suggest|suggesting)(?: for| with)?\b"
    r"|\bhow about\b|\bwhat about\b|\binstead of\b|\brather than\b|\bbump\b|\braise (?:it|the|my)\b"
    r"|\bmatch (?:it|that|this|their|the|what|them)\b"
    r"|\bincrease (?:it|the|my)\b|\bpush (?:back|out|the|my)\b|\bmove (?:the|my) start\b|\blet'?s (?:do|say|make)\b"
    r"|\bmake it\b|\bmeet (?:me )?(?:at|in the middle)\b|\bany (?:chance|way|room)\b"
    r"|\bpodri(?:an|as|a|amos)\b|\bpueden\b|\bpuedes\b|\bpodemos\b|\bseria posible\b|\bes posible\b|\bquisiera\b"
    r"|\bme gustaria\b(?!\s+(?:saber|entender|preguntar|confirmar))|\bnecesit(?:o|aria)\b(?!\s+saber)"
    r"|\bpido\b|\bsolicito\b|\bpropongo\b|\bque tal\b|\bsubir\b|\baumentar\b|\bigualar\b|\bprefer(?:iria|iero)\b"
    r"|\bquiero\b(?!\s+saber)"
)
HYPOTHETICAL = re.compile(r"\b(?:what (?:happens|would happen)|what if|if i (?:ask|asked|request|counter))\b")
QUESTION_START = re.compile(
    r"^\s*(?:what|what's|whats|when|how|is|are|does|do|did|which|who|where|why|will|can you (?:confirm|tell|"
    r"explain|clarify|check)|que|cual|cuando|como|cuanto|donde|quien|es|esta|hay)\b"
)
STATEMENT_VERB = re.compile(r"\b(?:is|are|was|were|es|son|will be|sera)\b")

COMPETING = re.compile(
    r"\b(?:another|other|different) (?:company|firm|employer|offer|place|team)\b|\bcompeting (?:offer|bid)\b"
    r"|\bcompetitor\b|\boffer from\b|\b(?:have|got|received|holding) (?:an|another|a competing) offer\b"
    r"|\b(?!you\b)[a-z]+ (?:offered|is offering|are offering) me\b|\belsewhere\b"
    r"|\botra (?:empresa|oferta|compania)\b|\boferta de otra\b"
    r"|\bme (?:han )?ofrec(?:ieron|ido|e)\b"
)
CURRENT_CONTEXT = re.compile(
    r"\bcurrently (?:make|earn|get|have|on|at)\b|\bmy current (?:salary|base|comp|compensation|job|employer|role)\b"
    r"|\bright now i (?:make|earn|get)\b|\bi (?:currently )?(?:make|earn)\b|\bat my current\b"
    r"|\bactualmente (?:gano|cobro|tengo)\b|\bmi (?:salario|sueldo) actual\b"
)
RATIONALE_CUE = re.compile(
    r"\b(?:because|since|as i|given|due to|considering|the market|market rate|cost of living|my experience"
    r"|porque|ya que|dado que|debido a|teniendo en cuenta)\b"
)
RELATIVE_BEFORE = re.compile(
    r"(?:\b(?:extra|additional|another|plus|further)|\b(?:increase|raise|bump|up|push|delay|move)\b[a-z ]{0,20}\bby"
    r"|\bun(?:os)? extra)\s*$"
)
RELATIVE_AFTER = re.compile(r"^\s*(?:more|extra|higher|additional|on top|increase|raise|bump|later|mas)\b")
EARLIER_AFTER = re.compile(r"^\s*(?:earlier|sooner|antes)\b")
START_CONTEXT = re.compile(
    r"\b(?:start|starting|begin|join|first day|push|delay|postpone|move|later|earlier|empezar|empiezo|comenzar"
    r"|incorporarme|inicio|retrasar|aplazar)\b"
)
CLAUSE_BREAK = re.compile(
    r"[.;!?](?=\s|$)|\n|,\s|\s(?:but|so|pero)\s|\s(?:and|y)\s(?=(?:could|can|would|i|also|podrian)\b)"
)
CONJUNCTION = re.compile(r",|\b(?:and|y|plus|as well as|also)\b")
FROM_BEFORE = re.compile(r"\b(?:from|de)\s*$")

ARRANGEMENTS: tuple[tuple[re.Pattern[str], WorkArrangement], ...] = (
    (re.compile(r"\b(?:fully|100 ?%|completely|full[- ]time|totally|all) ?(?:remote|remotely)\b"),
     WorkArrangement.REMOTE),
    (re.compile(r"\b(?:work(?:ing)? (?:from home|remotely)|wfh|remote(?: work| role| position)?|teletrabajo"
                r"|(?:en )?remoto|100 ?% remoto)\b"), WorkArrangement.REMOTE),
    (re.compile(r"\b(?:\d|one|two|three|four) days? (?:a week )?(?:in|at) (?:the )?office\b|\bhybrid\b|\bhibrido\b"),
     WorkArrangement.HYBRID),
    (re.compile(r"\b(?:on-?site|on site|in[- ]office|fully in (?:the )?office|presencial)\b"), WorkArrangement.ONSITE),
)  # fmt: skip

TITLE_REQUEST = re.compile(
    r"\b(?:title|job title|role|position|puesto|cargo)\b\s+(?:of|to|as|be|to be|could be|changed to|como|de|a)\s+"
    r"(?:an?\s+|un\s+|una\s+)?[\"“']?(?P<title>[A-Z][A-Za-z&/+-]*(?:\s+(?:[A-Z][A-Za-z&/+-]*|of|de|I{1,3}|IV)){0,5})"
)


def request_cue(folded: str) -> bool:
    return REQUEST_CUE.search(folded) is not None and HYPOTHETICAL.search(folded) is None


def looks_like_fragment(folded: str) -> bool:
    """A terse statement of terms ("175 base", "fully remote", "15% bonus target"): no question, no verb."""
    tokens = folded.split()
    return (
        0 < len(tokens) <= 8
        and "?" not in folded
        and QUESTION_START.search(folded) is None
        and STATEMENT_VERB.search(folded) is None
    )
