"""Written-out numbers in English, Spanish and German ("one hundred and sixty thousand", "ciento sesenta mil",
"hundertsechzigtausend") as digits.

`rewrite_number_words` turns every run of number words into digits so the numeric parsers see one form. A run
that is not one valid number ("two three") is split into the valid numbers it holds. German writes a number as
one word ("fünfundachtzigtausend"), sometimes split at the scale ("achtzig tausend"); a scale after digits
("85 Tausend", "1,5 Millionen") is multiplied out, since the numeric parser reads English and Spanish scales only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from app.ai.text import fold_aligned

Kind = Literal["unit", "teen", "tens", "tens_unit", "hundred", "hundreds", "scale", "and", "a"]

_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_EN_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

_ES_UNITS = {"cero": 0, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6}
_ES_UNITS |= {"siete": 7, "ocho": 8, "nueve": 9}
# "once" (11) is left out: in English text it is almost always the adverb.
_ES_TEENS = {"diez": 10, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16}
_ES_TEENS |= {"diecisiete": 17, "dieciocho": 18, "diecinueve": 19}
_ES_TENS = {"veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70}
_ES_TENS |= {"ochenta": 80, "noventa": 90}
_ES_TENS_UNITS = {"veintiuno": 21, "veintiun": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23}
_ES_TENS_UNITS |= {"veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28}
_ES_TENS_UNITS |= {"veintinueve": 29}
_ES_HUNDREDS = {"cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300}
_ES_HUNDREDS |= {"trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500}
_ES_HUNDREDS |= {"quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700}
_ES_HUNDREDS |= {"setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900, "novecientas": 900}


def _vocabulary() -> dict[str, tuple[Kind, int]]:
    vocab: dict[str, tuple[Kind, int]] = {}
    vocab |= {w: ("unit", i) for i, w in enumerate(_EN_UNITS)}
    vocab |= {w: ("teen", 10 + i) for i, w in enumerate(_EN_TEENS)}
    vocab |= {w: ("tens", 20 + 10 * i) for i, w in enumerate(_EN_TENS)}
    vocab |= {"hundred": ("hundred", 100), "thousand": ("scale", 1_000), "million": ("scale", 1_000_000)}
    vocab |= {"billion": ("scale", 1_000_000_000), "and": ("and", 0), "a": ("a", 1), "y": ("and", 0)}
    vocab |= {w: ("unit", v) for w, v in _ES_UNITS.items()}
    vocab |= {w: ("teen", v) for w, v in _ES_TEENS.items()}
    vocab |= {w: ("tens", v) for w, v in _ES_TENS.items()}
    vocab |= {w: ("tens_unit", v) for w, v in _ES_TENS_UNITS.items()}
    vocab |= {w: ("hundreds", v) for w, v in _ES_HUNDREDS.items()}
    vocab |= {"mil": ("scale", 1_000), "millon": ("scale", 1_000_000), "millones": ("scale", 1_000_000)}
    return vocab


_VOCAB = _vocabulary()
_ACCENTED = {"dieciséis": "dieciseis", "veintiún": "veintiun", "veintidós": "veintidos", "veintitrés": "veintitres"}
_ACCENTED |= {"veintiséis": "veintiseis", "millón": "millon"}
_ALL_WORDS = sorted([*_VOCAB, *_ACCENTED], key=len, reverse=True)
_WORD_ALT = "|".join(_ALL_WORDS)
_RUN = re.compile(rf"\b(?:{_WORD_ALT})\b(?:(?:\s+|-)(?:{_WORD_ALT})\b)*", re.IGNORECASE)
_TOKEN = re.compile(rf"\b(?:{_WORD_ALT})\b", re.IGNORECASE)
_STARTERS = frozenset({"unit", "teen", "tens", "tens_unit", "hundreds", "a", "scale"})


@dataclass
class _Group:
    start: int
    end: int
    total: int = 0
    current: int = 0
    last: Kind | None = None
    last_scale: int = 10**12
    words: int = 0

    @property
    def value(self) -> int:
        return self.total + self.current


# German: a number below a million is one word built from these parts; "eine Million" and "Millionen" stand apart.
_DE_UNITS = {"eins": 1, "ein": 1, "eine": 1, "zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6}
_DE_UNITS |= {"sieben": 7, "acht": 8, "neun": 9}
_DE_TEENS = {"zehn": 10, "elf": 11, "zwolf": 12, "dreizehn": 13, "vierzehn": 14, "funfzehn": 15, "sechzehn": 16}
_DE_TEENS |= {"siebzehn": 17, "achtzehn": 18, "neunzehn": 19}
_DE_TENS = {"zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40, "funfzig": 50, "sechzig": 60}
_DE_TENS |= {"siebzig": 70, "achtzig": 80, "neunzig": 90}
_DE_ASCII = {"fuenf", "zwoelf", "fuenfzehn", "fuenfzig"}  # "ü"/"ö" typed as "ue"/"oe"
_DE_PARTS = sorted(
    {*_DE_UNITS, *_DE_TEENS, *_DE_TENS, *_DE_ASCII, "und", "hundert", "tausend", "null"}, key=len, reverse=True
)
_DE_WORD = rf"(?:{'|'.join(_DE_PARTS)})+"
_DE_MILLION = r"million(?:en)?|milliarde(?:n)?"
_DE_RUN = re.compile(
    rf"(?<![^\W\d_])(?:{_DE_WORD}|{_DE_MILLION})(?:[\s-]+(?:{_DE_WORD}|{_DE_MILLION}))*(?![^\W\d_])",
    re.IGNORECASE,
)
_DE_TOKEN = re.compile(rf"{_DE_WORD}|{_DE_MILLION}", re.IGNORECASE)
_DE_DIGIT_SCALE = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:[.,]\d{1,2})?)\s?(?P<scale>tausend|millionen|mio\b\.?)(?![^\W\d_])",
    re.IGNORECASE,
)
_DE_ALONE = frozenset({"ein", "eine", "eins", "null"})  # alone, an article or a word rather than a quantity


def _de_plain(folded: str) -> str:
    return folded.replace("ue", "u").replace("oe", "o")


def _de_below_100(word: str) -> int | None:
    if word in _DE_UNITS and word not in ("ein", "eine"):
        return _DE_UNITS[word]
    if word in _DE_TEENS:
        return _DE_TEENS[word]
    if word in _DE_TENS:
        return _DE_TENS[word]
    unit, und, tens = word.partition("und")
    if und and unit in _DE_UNITS and unit not in ("eins", "eine") and tens in _DE_TENS:
        return _DE_UNITS[unit] + _DE_TENS[tens]
    return None


def _de_below_1000(word: str) -> int | None:
    if word == "null":
        return 0
    head, hundred, tail = word.partition("hundert")
    if not hundred:
        return _de_below_100(word)
    hundreds = 1 if head in ("", "ein") else _DE_UNITS.get(head) if head not in ("eins", "eine") else None
    if hundreds is None:
        return None
    rest = 0 if not tail else _de_below_100(tail.removeprefix("und"))
    return None if rest is None else hundreds * 100 + rest


def _de_below_million(word: str) -> int | None:
    head, thousand, tail = word.partition("tausend")
    if not thousand:
        return _de_below_1000(word)
    if head.endswith("ein"):  # "hunderteintausend"
        head += "s"
    thousands = 1 if head in ("", "eins", "eine") else _de_below_1000(head)
    rest = 0 if not tail else _de_below_1000(tail.removeprefix("und"))
    if not thousands or rest is None:
        return None
    return thousands * 1000 + rest


def _de_value(tokens: list[str]) -> int | None:
    """The number German words spell: "fünfundachtzigtausend", "achtzig tausend", "eine Million zweihunderttausend"."""
    total, current = 0, ""
    seen_scale = 10**12
    for token in tokens:
        if re.fullmatch(_DE_MILLION, token):
            scale = 1_000_000_000 if token.startswith("milliarde") else 1_000_000
            if current.endswith(("ein", "eine")):  # "eine Million", "hunderteine Millionen"
                current = current.removesuffix("e").removesuffix("ein") + "eins"
            count = _de_below_1000(current) if current else None
            if not count or scale >= seen_scale:
                return None
            total, current, seen_scale = total + count * scale, "", scale
        else:
            current += token
    if not current:
        return total or None
    rest = _de_below_million(current)
    return None if rest is None or (total and rest >= 1_000_000) else total + rest


def _de_groups(run: str, offset: int, *, alone: frozenset[str] = frozenset()) -> list[tuple[int, int, int]]:
    """(start, end, value) for the longest valid numbers in a run of German number words, left to right.

    A lone article-like word ("ein", "eins", "null") is a number only when `alone` allows it."""
    tokens = [(m.start() + offset, m.end() + offset, _de_plain(m.group())) for m in _DE_TOKEN.finditer(run)]
    found: list[tuple[int, int, int]] = []
    index = 0
    while index < len(tokens):
        for stop in range(len(tokens), index, -1):
            words = [t[2] for t in tokens[index:stop]]
            value = _de_value(words)
            if value is not None and not (len(words) == 1 and words[0] in _DE_ALONE - alone):
                found.append((tokens[index][0], tokens[stop - 1][1], value))
                index = stop
                break
        else:
            index += 1
    return found


def _rewrite_german(text: str) -> str:
    def scaled(match: re.Match[str]) -> str:
        scale = 1000 if match.group("scale").lower() == "tausend" else 1_000_000
        value = Decimal(match.group("num").replace(",", ".")) * scale
        return str(int(value)) if value == value.to_integral_value() else match.group(0)

    text = _DE_DIGIT_SCALE.sub(scaled, text)
    folded = fold_aligned(text)  # same offsets, accents off: "fünf" reads as "funf"
    pieces: list[str] = []
    cursor = 0
    for run in _DE_RUN.finditer(folded):
        for start, end, value in _de_groups(run.group(), run.start()):
            pieces += [text[cursor:start], str(value)]
            cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _lookup(word: str) -> tuple[Kind, int]:
    lowered = word.lower()
    return _VOCAB[_ACCENTED.get(lowered, lowered)]


def _accepts(group: _Group, kind: Kind, value: int, next_kind: Kind | None) -> bool:
    last = group.last
    if kind == "unit":
        return last in (None, "tens", "hundred", "hundreds", "scale", "and")
    if kind in ("teen", "tens", "tens_unit"):
        return last in (None, "hundred", "hundreds", "scale", "and")
    if kind == "hundred":
        return last in ("unit", "teen", "a") and group.current < 100
    if kind == "hundreds":
        return last in (None, "scale")
    if kind == "scale":
        starts = last is None and value == 1_000  # Spanish "mil" alone is a thousand
        return (starts or last in ("unit", "teen", "tens", "tens_unit", "hundred", "hundreds", "a")) and (
            value < group.last_scale
        )
    if kind == "and":
        return last in ("hundred", "hundreds", "scale", "tens") and next_kind in ("unit", "teen", "tens", "tens_unit")
    # kind == "a": only "a hundred", "a thousand", "a million"
    return last is None and next_kind in ("hundred", "scale")


def _apply(group: _Group, kind: Kind, value: int) -> None:
    if kind == "hundred":
        group.current *= 100
    elif kind == "scale":
        group.total += max(group.current, 1) * value
        group.current = 0
        group.last_scale = value
    elif kind != "and":
        group.current += value
    group.last = kind
    group.words += 0 if kind == "and" else 1


def _groups(run: str, offset: int) -> list[_Group]:
    tokens = [(m.start() + offset, m.end() + offset, *_lookup(m.group())) for m in _TOKEN.finditer(run)]
    groups: list[_Group] = []
    group: _Group | None = None
    for index, (start, end, kind, value) in enumerate(tokens):
        next_kind = tokens[index + 1][2] if index + 1 < len(tokens) else None
        if group is not None and _accepts(group, kind, value, next_kind):
            _apply(group, kind, value)
            group.end = end
            continue
        if group is not None:
            groups.append(group)
            group = None
        if kind in _STARTERS and _accepts(_Group(start, end), kind, value, next_kind):
            group = _Group(start, end)
            _apply(group, kind, value)
    if group is not None:
        groups.append(group)
    return [g for g in groups if g.last not in ("and", "a") and not (g.words == 1 and g.last == "a")]


_DIGITS_BEFORE = re.compile(r"\d\s?$")


def _keep_as_words(text: str, group: _Group) -> bool:
    """Lone articles ("un", "una") are not quantities; a lone scale after digits ("160 mil", "1.2 million")
    belongs to those digits and is left for the numeric parser."""
    if group.words != 1:
        return False
    word = text[group.start : group.end].lower()
    if word in ("un", "una") or (word in ("ciento", "cien") and re.search(r"\bpor\s?$", text[: group.start], re.I)):
        return True  # articles, and "por ciento" (percent)
    return group.last == "scale" and _DIGITS_BEFORE.search(text[: group.start]) is not None


def rewrite_number_words(text: str) -> str:
    """`text` with every written-out number replaced by its digits ("twelve thousand" → "12000")."""
    text = _rewrite_german(text)
    pieces: list[str] = []
    cursor = 0
    for run in _RUN.finditer(text):
        for group in _groups(run.group(), run.start()):
            if _keep_as_words(text, group):
                continue
            pieces.append(text[cursor : group.start])
            pieces.append(str(group.value))
            cursor = group.end
    pieces.append(text[cursor:])
    rewritten = _ONE_CURRENCY.sub(_one_currency, "".join(pieces))
    rewritten = _A_COUPLE.sub("2", rewritten)
    rewritten = _SPOKEN_CENTS.sub(_with_cents, rewritten)
    return _SPANISH_CENTS.sub(_with_cents, rewritten)


# "nineteen fifty an hour", "nineteen dollars fifty an hour": cents said after the whole part, for an hourly rate.
_SPOKEN_CENTS = re.compile(
    r"(?<![\d.,])(?P<whole>\d{1,3})(?P<currency>\s+(?:dollars?|euros?|bucks|pounds?))?\s+(?P<cents>\d{2})"
    r"(?=\s*(?:an|a|per|/)\s*(?:hour|hr|h)\b)",
    re.IGNORECASE,
)


# An article before a currency word is one of it ("a dollar more an hour", "un euro más", "einen Euro mehr"); a
# couple before "more" or a currency is two. Articles elsewhere stay words.
_ONE_CURRENCY = re.compile(
    r"\b(?:(?P<more>an? extra|an additional|another|otro|einen? (?:weiteren|zusatzlichen|zusätzlichen))|a|one single|un"
    r"|una|ein|einen)\s+(?P<currency>dollar|buck|euro|pound|quid|d[oó]lar|libra|peso)\b",
    re.IGNORECASE,
)


def _one_currency(match: re.Match[str]) -> str:
    """ "a dollar" is 1 dollar; "an extra dollar" keeps saying it is more ("an extra 1 dollar")."""
    more = match.group("more")
    return f"{more + ' ' if more else ''}1 {match.group('currency')}"


_A_COUPLE = re.compile(
    r"\ba couple(?: of)?(?=\s+(?:more|extra|dollars|bucks|euros|pounds|quid)\b)|\bun par de(?=\s+(?:d[oó]lares"
    r"|euros|libras)\b)",
    re.IGNORECASE,
)


# "18 dólares con 70 (céntimos)" or "18 con 50 la hora": Spanish says the cents after "con". Two digits, or a
# word for cents, so that "30 días con 2 semanas" stays two numbers.
_SPANISH_CENTS = re.compile(
    r"(?<![\d.,])(?P<whole>\d{1,6})(?P<currency>\s+(?:d[oó]lares|d[oó]lar|euros?|libras?|pesos?))?\s+con\s+"
    r"(?:(?P<cents>\d{2})(?:\s+(?:c[eé]ntimos|centavos|cents?))?|(?P<few>\d)\s+(?:c[eé]ntimos|centavos))(?![\d.,]\d)\b",
    re.IGNORECASE,
)


def _with_cents(match: re.Match[str]) -> str:
    cents = match.group("cents") or f"0{match.group('few')}"
    return f"{match.group('whole')}.{cents}{match.group('currency') or ''}"


def parse_number_words(phrase: str) -> int | None:
    """The number a phrase of number words spells, or None when it is not exactly one number."""
    stripped = phrase.strip()
    german = _de_groups(fold_aligned(stripped), 0, alone=frozenset({"eins", "null"}))
    if len(german) == 1 and german[0][:2] == (0, len(stripped)):
        return german[0][2]
    groups = _groups(stripped, 0)
    if len(groups) != 1 or groups[0].start != 0 or groups[0].end != len(stripped):
        return None
    return groups[0].value
