"""Streaming a model's answer through the grounding guard, a sentence at a time.

The model's tokens arrive masked and with citation markers. A sentence is let out only once it is complete
(its end and the space after it have arrived), restored, stripped of markers and passed by the same guard as a
whole answer. The first sentence the guard refuses closes the gate: nothing after it is shown, and the final
judgement of the whole reply decides what the candidate keeps (the embedded answer replaces what was shown
when the reply as a whole is refused).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.ai.guard import check
from app.ai.llm_calls import LLMCall, is_handoff, looks_like_prose, strip_markers

# The end of a sentence: a stop (optionally closed by quotes or brackets) and the white space after it, or a line
# break. A stop inside a figure ("1.5", "$1,000.50") has no space after it and is not an end.
_SENTENCE_END = re.compile(r"(?<=[.!?…。])[\"'”’)\]]*\s+|\n+")


def sentence_pieces(text: str) -> Iterator[str]:
    """`text` in sentences, each with the white space that followed it (joined again they give `text`)."""
    start = 0
    for end in _SENTENCE_END.finditer(text):
        yield text[start : end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


def _last_sentence_end(text: str, start: int) -> int | None:
    ends = [match.end() for match in _SENTENCE_END.finditer(text, start)]
    return ends[-1] if ends else None


@dataclass
class SentenceGate:
    """Takes the model's raw stream; gives back each complete sentence the guard supports, ready to show."""

    call: LLMCall
    dollar_currency: str
    max_chars: int
    raw: str = ""
    _released_to: int = 0  # how much of `raw` has been judged and let out
    _shown_chars: int = 0
    closed: bool = False

    def feed(self, chunk: str) -> str:
        """Add `chunk`; return the newly verified text to show ("" while a sentence is incomplete or refused)."""
        self.raw += chunk
        if self.closed:
            return ""
        end = _last_sentence_end(self.raw, self._released_to)
        if end is None:
            return ""
        shown = "".join(self._judged(piece) for piece in sentence_pieces(self.raw[self._released_to : end]))
        if not self.closed:
            self._released_to = end
        return shown

    def _judged(self, piece: str) -> str:
        if self.closed:
            return ""
        restored = self.call.masker.unmask(piece)
        if not restored.strip():  # white space between sentences; none before the first
            return piece if self._shown_chars else ""
        text, _markers = strip_markers(restored)
        if not self._acceptable(restored, text):
            self.closed = True
            return ""
        trailing = piece[len(piece.rstrip()) :]
        self._shown_chars += len(text) + len(trailing)
        return text + trailing

    def _acceptable(self, restored: str, text: str) -> bool:
        first = self._shown_chars == 0
        if first and (is_handoff(restored) or not looks_like_prose(restored, self.max_chars)):
            return False
        if self._shown_chars + len(text) > self.max_chars:
            return False
        verdict = check(
            text,
            self.call.grounding,
            dollar_currency=self.dollar_currency,
            masker=self.call.masker,
            secrets=self.call.secrets,
            boundary=self.call.boundary,
        )
        return verdict.status == "passed"
