"""Which language a candidate wrote in: "en", "es" or "other" (simple word evidence, robust on short text)."""

from __future__ import annotations

import re

from app.ai.text import word_set, words

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
_SHARED_LATIN = word_set("de la en que")  # Spanish, French, Portuguese, Italian alike
_OTHER = word_set(  # French, German, Portuguese, Italian
    """
    le les est quel quelle mon ma mes je vous nous salaire bonjour merci oui pas avec pour une des du au combien
    quand où ça c'est suis mon der die das ist mein meine ich sie wir gehalt hallo danke wann wie was nicht und mit
    für ein eine urlaub guten bitte habe não você meu minha é obrigado obrigada olá qual quando salário férias ações
    com um do da dos das ao isso posso tenho quero bom il gli mio stipendio ciao grazie sono della per non che
    """
)
_SPANISH_MARKS = re.compile(r"[ñ¿¡]", re.IGNORECASE)
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
_ANY_LETTER = re.compile(r"[^\W\d_]")


def detect_language(message: str, hint: str | None = None) -> str:
    """ "en", "es" or "other"; a short message with no evidence follows the hint, else English."""
    letters = _ANY_LETTER.findall(message)
    if letters and sum(1 for ch in letters if not _LATIN_LETTER.match(ch)) / len(letters) > 0.3:
        return "other"
    raw_tokens = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", message.lower())
    folded_tokens = words(message)
    en = sum(1 for t in raw_tokens if t in _EN)
    es = sum(1 for t in raw_tokens if t in _ES) + sum(1 for t in folded_tokens if t in _ES and t not in raw_tokens)
    es += 2 * len(_SPANISH_MARKS.findall(message))
    shared = sum(1 for t in raw_tokens if t in _SHARED_LATIN)
    other = sum(1 for t in raw_tokens if t in _OTHER and t not in _ES and t not in _EN)
    hinted = (hint or "").split("-")[0].split("_")[0].lower()
    if en == es == other == 0:
        if shared:
            return "es" if hinted == "es" else "other"
        return hinted if hinted in ("en", "es") else "en"
    if other > max(en, es + shared / 2):
        return "other"
    if es + shared / 2 > en:
        return "es"
    if es and es == en and hinted == "es":
        return "es"
    return "en"


def reply_language(detected: str) -> str:
    """Spanish is answered in Spanish; every other language in English (with a short note)."""
    return "es" if detected == "es" else "en"
