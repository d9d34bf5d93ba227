"""Which language a candidate wrote in: "en", "es", "de" or "other" (simple word evidence, robust on short text)."""

from __future__ import annotations

import re

from app.ai.text import fold, word_set, words

_EN = word_set(
    """
    the is are my what when how do does did i you can a of to and in for on with will be have has get got salary
    start offer hi hello hey thanks thank please could would should much many which who where it this that me about
    there any need want like bonus vacation benefits health plan pay date stock equity when's what's i'm i'd don't
    it's yes no okay ok your our we they their if or but so just
    """
)
_ES = word_set(
    """
    el los las es esta está qué que cuál cual cuándo cuando cuánto cuanto cómo como mi mis por para con una y del al
    puedo tengo quiero sería seria podrían podrian podría podria hola gracias sí también tambien pero muy hay este
    son ser soy me lo le su sus nos dónde donde oferta sueldo salario empresa trabajo vacaciones días dias fecha
    inicio bono acciones seguro médico medico pregunta necesito gustaría gustaria buenos buenas tardes noches
    empiezo cuándo sobre otra otro ofrecieron ofreció ofrecio acepto rechazo plan planes salud beneficios ustedes
    usted
    """
)
# German, as written with umlauts and ß; the same words without them ("fur", "mochte") and with the usual
# ASCII spellings ("fuer", "moechte") count too. Words that are also common English ("was", "will", "also",
# "war", "so", "in", "an") or French ("des") are left out: they are no evidence either way.
_DE = word_set(
    """
    der die das den dem ist sind bin bist mein meine meinen meinem meiner meines ich mich mir sie ihnen ihr ihre
    ihren ihrem wir uns unser unsere du dich dir dein deine gehalt grundgehalt jahresgehalt hallo danke dank vielen
    wann wie wieviel viel viele welche welcher welches welchen wer wen wem wo warum wieso nicht kein keine und oder
    aber mit für über ein eine einen einem einer urlaub urlaubstage guten bitte habe hast hat haben hatte hätte
    hätten wird werde werden wurde würde würden kann kannst können könnte könnten möchte möchten muss müssen soll
    sollte darf gibt geht gehts geht's gibt's auch noch schon sehr gut ja nein bis zu zum zur von vom auf aus bei
    nach mehr wenn dass ob weil denn jetzt heute morgen abend tschüss wiedersehen frage fragen hilfe angebot
    angebots vertrag arbeitsvertrag stelle firma unternehmen arbeit arbeitgeber bekomme bekommen erhalte erhalten
    brauche benötige passiert wäre wären weiß aktien zusage absage annehmen ablehnen unterschreiben verhandeln
    gegenangebot erhöhen anheben startdatum eintrittsdatum anfangen beginnen fange beginne tage woche wochen monate
    jahr jahre mitarbeiter kollegen vergütung gerne gern leider vielleicht eventuell mindestens ungefähr
    krankenversicherung altersvorsorge elternzeit leistungen zahlen verdienen verdiene verdient bekommt erhält
    fuer ueber moechte moechten koennen koennte koennten muessen wuerde wuerden haette haetten waere tschuess
    """
)
_DE_PLAIN = frozenset(fold(w) for w in _DE) - {"uber"}  # "Uber" is a company more often than "über"
_SHARED_LATIN = word_set("de la en que")  # Spanish, French, Portuguese, Italian alike
_OTHER = word_set(  # French, Portuguese, Italian
    """
    le les est quel quelle mon ma mes je vous nous salaire bonjour merci oui pas avec pour une des du au combien
    quand où ça c'est suis mon não você meu minha é obrigado obrigada olá qual quando salário férias ações
    com um do da dos das ao isso posso tenho quero bom il gli mio stipendio ciao grazie sono della per non che
    """
)
_SPANISH_MARKS = re.compile(r"[ñ¿¡]", re.IGNORECASE)
_GERMAN_MARKS = re.compile(r"ß")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
_ANY_LETTER = re.compile(r"[^\W\d_]")
_REPLIED = ("es", "de")  # languages answered in their own language; everything else is answered in English
_LANGUAGE_NAMES = {
    "english": "en", "spanish": "es", "español": "es", "espanol": "es", "castellano": "es", "german": "de",
    "deutsch": "de",
}  # fmt: skip


def _code(language: str | None) -> str:
    """ "es-MX" → "es", "de_AT" → "de", "German" → "de"; anything else lower-cased as given."""
    text = (language or "").strip().lower()
    return _LANGUAGE_NAMES.get(text, text.split("-")[0].split("_")[0])


def _german_evidence(raw_tokens: list[str], message: str) -> int:
    count = sum(1 for t in raw_tokens if (t in _DE or fold(t) in _DE_PLAIN) and t not in _EN and t not in _ES)
    return count + 2 * len(_GERMAN_MARKS.findall(message))


def detect_language(message: str, hint: str | None = None) -> str:
    """ "en", "es", "de" or "other"; a short message with no evidence follows the hint, else English.

    Mixed messages go to the language with the most evidence; a tie between English and Spanish or German
    follows the hint, else English.
    """
    letters = _ANY_LETTER.findall(message)
    if letters and sum(1 for ch in letters if not _LATIN_LETTER.match(ch)) / len(letters) > 0.3:
        return "other"
    raw_tokens = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", message.lower())
    folded_tokens = words(message)
    en = sum(1 for t in raw_tokens if t in _EN)
    es = sum(1 for t in raw_tokens if t in _ES) + sum(1 for t in folded_tokens if t in _ES and t not in raw_tokens)
    es += 2 * len(_SPANISH_MARKS.findall(message))
    de = _german_evidence(raw_tokens, message)
    shared = sum(1 for t in raw_tokens if t in _SHARED_LATIN)
    other = sum(1 for t in raw_tokens if t in _OTHER and t not in _ES and t not in _EN)
    hinted = _code(hint)
    if en == es == de == other == 0:
        if shared:
            return "es" if hinted == "es" else "other"
        return hinted if hinted in ("en", *_REPLIED) else "en"
    if other > max(en, es + shared / 2, de):
        return "other"
    if de > max(en, es + shared / 2):
        return "de"
    if es + shared / 2 > en:
        return "es"
    if es and es == en and hinted == "es":
        return "es"
    if de and de >= en and hinted == "de":
        return "de"
    return "en"


def reply_language(detected: str) -> str:
    """Spanish and German are answered in their own language ("es-MX" → "es"); every other in English (with a
    short note)."""
    code = _code(detected)
    return code if code in _REPLIED else "en"
