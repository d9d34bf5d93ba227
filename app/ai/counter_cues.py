"""The wording that turns figures into a counter-offer: request cues, competing offers, context, arrangements.

Every pattern runs on accent-folded, lower-case text (`text.fold_aligned`), English, Spanish and German
(German folded: "hatte gerne" for "hätte gerne", "erhohen" for "erhöhen"; ß is kept and written "(?:ß|ss)").
"""

from __future__ import annotations

import re

from app.ai.cue_words import INTERNAL
from offer_engine.terms import WorkArrangement

_NOT_A_REQUEST = (
    r"(?!\s+(?:to\s+)?(?:know|understand|ask|confirm|check|clarify|learn|see|discuss|hear|find out|get more))"
)
_REQUEST_VERBS = (
    r"do|make it|go|offer|increase|raise|bump|push|move|add|include|give|match|get|consider|meet|improve|up|"
    r"change|adjust|shift|bring|double|sweeten|top up|boost|lift|stretch|nudge"
)
# German "ich möchte wissen / fragen …" asks something, it does not ask for something.
_DE_NOT_A_REQUEST = (
    r"(?![^.?!]{0,40}\b(?:wissen|fragen|verstehen|erfahren|nachfragen|bestatigen|klaren|informieren|nachlesen))"
)
_DE_REQUEST_VERBS = (
    r"erhohen|anheben|aufstocken|aufrunden|anpassen|andern|verschieben|verlegen|vorziehen|machen|geben|bieten"
    r"|anbieten|zahlen|gehen|hinzufugen|dazugeben|drauflegen|angleichen|mitgehen|nachbessern|verbessern|gewahren"
    r"|ermoglichen|berucksichtigen|ubernehmen|einraumen|setzen|bringen|entgegenkommen|verkurzen|reduzieren"
    r"|senken|verringern|kurzen|verlangern"
)
# A bare German verb of asking for more counts in a statement ("Bitte erhöhen Sie …"), not in a question about
# how things are ("Wird das Gehalt jährlich erhöht?").
_DE_NOT_A_QUESTION = r"(?!(?:[^.!?]|(?<=\d)\.)*\?)"
# Within one German sentence; a dot after a digit ("185.000", "am 3. Mai") does not end it.
_DE_SPAN = r"(?:[^.?!]|(?<=\d)\.)"
REQUEST_CUE = re.compile(
    rf"\b(?:could|can|would|will) (?:you|we|they)(?: (?:please|possibly|maybe))? (?:{_REQUEST_VERBS})\b"
    r"|\bwould you (?:consider|be able|be willing|agree|accept)\b"
    r"|\bwould (?:it be|that be) possible\b|\bis it possible\b|\bpossible\b|\bwould\b.{1,40}\bwork\b"
    r"|\bdoes\b.{1,30}\bwork for you\b|\bopen to\b"
    r"|\b(?:could|can|would) (?:the|my) (?:title|role|position|base|salary|sign-on|bonus|start date|equity)\b"
    # "could I work hybrid / remotely two days a week?", "can I get more PTO, like 28 days?"
    r"|\b(?:could|can|may) i (?:work|do|go)\b"
    r"(?=[^.?!]{0,30}\b(?:remote|remotely|from home|hybrid|on-?site|in (?:the )?office|\d days?)\b)"
    r"(?![^.?!]{0,40}\b(?:sometimes|occasionally|now and then|when|if|during|on \w+days)\b)"
    r"|\b(?:could|can|would) (?!(?:i|you|we|they|he|she|there)\b)(?:[a-z-]+ ){1,2}be [$€£]?\d"
    r"|\b(?:could|can|may) i (?:get|have) (?:a (?:bit|little|few) )?more\b"
    r"|\b(?:could|can|may) i (?:get|have) (?:an? |some )?(?:extra|additional|bigger|higher|larger)\b"
    # "$1.50/hr more on the night differential", "2 an hour extra on the weekend rate": a raise stated bare
    r"|\d[\d.,]*k? ?(?:/ ?|an |a |per )(?:hour|hr|h|week|wk|month|year)\b ?(?:more|extra)\b"
    r"|\b(?:could|can|may) i (?:get|have) (?:[$€£]\d|\d[\d.,]*k\b|\d[\d.,]* (?:an|per|a) (?:hour|hr|week|month|year)\b)"
    r"|\bwould be (?:lovely|amazing|awesome|perfect|nice|fantastic|brilliant|wonderful|appreciated)\b"
    r"|\bi(?:'d| would) love\b(?!\s+to\s+(?:know|understand|hear|learn|see))"
    r"|\bseria (?:genial|ideal|estupendo|perfecto|fantastico|justo|bueno|un detalle)\b|\bme vendria (?:bien|genial)\b"
    r"|\b(?:asi|entonces|y ya) (?:firmo|acepto)\b|\bfirmo (?:ya|hoy|enseguida|encantad[oa])\b"
    rf"|\b(?:wurde|ware) mich (?:sehr |riesig )?freuen\b{_DE_NOT_A_QUESTION}|\bdann bin ich dabei\b"
    r"|\b(?:it'?s|that'?s|we(?:'ve| have)(?: got)?) a deal\b|\bgets? me over the line\b"
    r"|\b(?:and|then) i'?m in\b|\bi'?d be in\b"
    # a figure asked as a question about the term: "would 1 month work too?", "is 30 hours OK as well?",
    # "wären 2 Monate auch in Ordnung?", "¿valdría un preaviso de 1 mes?"
    r"|\b(?:would|could|is|are|will)\b[^.?!]{1,50}\b(?:ok|okay|fine|acceptable|alright|an option|work)"
    r" (?:too|as well|also|instead)\b"
    r"|\b(?:could|can|may) i (?:get|have) \d[\d.,]* (?:more|extra|additional)\b"
    r"|\b(?:valdria|serviria|funcionaria|seria aceptable|estaria bien)\b"
    rf"|\b(?:ware|waren|ist|sind|ginge|geht|reicht|reichen|wurde|wurden)\b{_DE_SPAN}{{0,50}}\bauch\b{_DE_SPAN}{{0,40}}"
    r"\b(?:ok|okay|in ordnung|akzeptabel|moglich|machbar|denkbar|reichen|gehen|passen)\b"
    r"|\breich(?:t|en) (?:auch|ebenfalls)\b"
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
    # Conditions and approximations name what the candidate wants: "I'd sign if the base were 190",
    # "provided the sign-on is 20k", "go up to", "something like", "si el salario fuera", "wenn das Gehalt … wäre".
    r"|\bif (?:the |my |you |it |we )?[^.?!]{0,40}\b(?:were|came (?:to|up)|could (?:go|be|come)|went up|got bumped)\b"
    r"|\bprovided (?:that )?\b|\bas long as\b|\bon (?:the )?condition that\b|\bgo (?:up )?to\b|\bnearer (?:to )?\b"
    r"|\bcloser to\b|\bsomething (?:like|around|closer)\b|\bsomewhere (?:around|near)\b|\bin the range of\b"
    r"|\bi'?ll (?:sign|accept|take it|say yes)\b|\bwould (?:do it|seal (?:it|the deal)|get me (?:there|to yes))\b"
    r"|\b(?:could|can|would) (?:it|this|that|the \w+|my \w+)(?: \w+)? (?:be|go|become|change|come)\b"
    # an informal raise verb with the figure asked for: "could the weekend premium creep up to 30%?"
    r"|\b(?:could|can|would) (?:it|this|that|the [\w-]+|my [\w-]+)(?: [\w-]+){0,2} (?:get|rise|climb|jump|move|inch"
    r"|creep|stretch|reach|increase|land|edge|nudge|bump|tick)\b(?=[^.?!]{0,30}\d)"
    r"|\bmy (?:target|number|ask|expectation|minimum|floor|bottom line) (?:is|would be|was)\b"
    r"|\b(?:another|an(?: extra| additional)?) [$€£]?\d[\d.,]*k? (?:an|per|a|/) ?(?:hour|hr|week|month|year)\b"
    r"|\d[\d.,]*k? more (?:an|per|a|/) ?(?:hour|hr|week|month|year)\b"
    r"|\bmi (?:objetivo|expectativa|minimo|cifra) (?:es|seria|sería)\b|\b(?:otros?|otras?) [$€£]?\d[\d.,]*"
    r" (?:mas )?(?:la|por|al) (?:hora|semana|mes|ano)\b"
    r"|\bmein(?:e)? (?:ziel|zielgehalt|vorstellung|gehaltsvorstellung|wunschgehalt|erwartung|untergrenze)\b"
    r"|\b(?:ziel|vorstellung) (?:ware|liegt|ist)\b"
    r"|\bsi (?:el|la|mi|me|mis|los|las|ustedes|pudieran)\b[^.?!]{0,50}\b(?:fuera|fueran|subiera|subieran|pudiera"
    r"|pudieran|llegara|llegaran|dieran|diera|pagaran|pagara|quedara|quedaran|suben|sube|suban|dan|pagan|ofrecen"
    r"|aumentan)\b|\bsiempre (?:y cuando|que)\b"
    r"|\bcon tal de que\b|\b(?:acepto|aceptaria|firmo|firmaria) (?:\w+ ){0,3}si\b|\balgo (?:como|asi como|cercano a)\b"
    rf"|\bwenn\b{_DE_SPAN}{{0,50}}\b(?:ware|waren|kame|kamen|lage|lagen|ginge|gingen|wurde|wurden)\b|\bsofern\b"
    r"|\bvorausgesetzt\b|\bunter der bedingung\b"
    r"|\b(?:unterschreibe|unterzeichne|nehme) (?:ich )?(?:\w+ ){0,3},? ?wenn\b"
    r"|\bpodri(?:an|as|a|amos|ais)\b|\bpueden\b|\bpuedes\b|\bpodeis\b|\bpodemos\b|\bseria posible\b|\bes posible\b"
    r"|\bquisiera\b"
    r"|\bme gustaria\b(?!\s+(?:saber|entender|preguntar|confirmar))|\bnecesit(?:o|aria)\b(?!\s+saber)"
    r"|\bpido\b|\bsolicito\b|\bpropongo\b|\bque tal\b|\bsubir\b|\baumentar\b|\bigualar\b|\bprefer(?:iria|iero)\b"
    r"|\bquiero\b(?!\s+saber)"
    # "subidme el sueldo hasta 20 y firmo", "¿me lo dejáis en 18,70 la hora?"
    r"|\bsub(?:irme|idme|eme|anme|ame|irnos|idnos|irlo|idlo|anlo|amelo|idmelo|irmelo|irmela)\b"
    r"|\b(?:y|e) (?:firmo|acepto|firmamos|cerramos)\b"
    # German: "könnten Sie … erhöhen", "ich hätte gerne", "ich würde unterschreiben, wenn", "mindestens",
    # "auf … anheben", "Gegenangebot", "wäre es möglich"
    rf"|\b(?:konnten|konnen|wurden|konnte|wurde|kannst|konntest) (?:sie|wir|ihr|du)\b"
    rf"(?={_DE_SPAN}{{0,80}}\b(?:{_DE_REQUEST_VERBS})\b)"
    rf"|\b(?:kann|konnte|konnen|konnten) (?:das|mein|meine|der|die|ich|wir)\b{_DE_SPAN}{{0,60}}\b(?:angehoben|erhoht"
    r"|verschoben|geandert|angepasst|aufgestockt|vorgezogen|anfangen|beginnen|starten|einsteigen|steigen|gehen"
    r"|hochgehen|erhohen|anheben|aufstocken|verkurzen|reduzieren|verkurzt|reduziert)\b"
    rf"|\b(?:ware|waren|ist) (?:es|das) (?:\w+ )?moglich\b|\bmoglich\b"
    rf"|\b(?:wurde|wurden|ware|waren)\b{_DE_SPAN}{{1,40}}\b(?:passen"
    rf"|funktionieren|gehen)\b|\b(?:passt|passen|ginge|geht)\b{_DE_SPAN}{{0,30}}\bfur sie\b"
    rf"|\bich (?:hatte|hatten|mochte|mochten|wurde) (?:sehr )?(?:gerne|gern|lieber)\b{_DE_NOT_A_REQUEST}"
    rf"|\bich (?:mochte|will|brauche|benotige|erwarte|fordere|verlange|wunsche mir)\b{_DE_NOT_A_REQUEST}"
    rf"|\bich (?:suche|hoffe|ziele|rechne) (?:auf|nach|mit)\b|\bich (?:hatte|habe) {_DE_SPAN}{{1,40}}\b(?:gehofft"
    rf"|gerechnet|erwartet)\b|\bich (?:strebe|peile) {_DE_SPAN}{{1,40}}\ban\b"
    r"|\bich wurde (?:\w+ ){0,4}(?:unterschreiben|unterzeichnen|annehmen|zusagen|einsteigen|kommen)\b"
    r"|\bich ware (?:\w+ )?(?:bereit|einverstanden|zufrieden|froh|glucklich|dabei)\b"
    r"|\bes ware (?:\w+ )?(?:toll|schon|super|gut|fair|ideal|hilfreich|klasse|prima)\b"
    # A wish with what follows it: "ein Zuschuss von 50 Euro wäre toll, dann unterschreibe ich", "geht auch 3.500?"
    rf"|\bwaren? (?:\w+ )?(?:toll|schon|super|gut|fair|ideal|hilfreich|klasse|prima|wunderbar|gro(?:ß|ss)artig)\b"
    rf"{_DE_NOT_A_QUESTION}"
    r"|\b(?:dann|und) (?:unterschreibe|unterzeichne|nehme|sage) ich\b"
    r"|\bund ich (?:unterschreibe|unterzeichne|bin dabei)\b"
    rf"|\b(?:geht|ginge)(?: es| das)? auch\b{_DE_SPAN}{{0,40}}\d"
    rf"|\bmindestens\b{_DE_NOT_A_QUESTION}"
    rf"|\bauf\b{_DE_SPAN}{{1,40}}\b(?:anheben|erhohen|aufstocken|aufrunden|setzen|bringen|anpassen|verschieben"
    r"|verkurzen|reduzieren|senken|kurzen|verlangern|herabsetzen)\b"
    rf"|\b(?:erhohen|erhoht|erhohung|anheben|anhebung|aufstocken|aufstockung|nachbessern|drauflegen|verkurzen"
    rf"|verkurzung|reduzieren|reduzierung|kurzen|verlangern|verlangerung)\b"
    rf"{_DE_NOT_A_QUESTION}"
    r"|\b(?:ich )?(?:bitte|bitten) um\b|\b(?:ich )?schlage\b|\bvorschlag\b|\bgegenangebot\w*|\bgegenvorschlag\w*"
    r"|\bwie ware es mit\b|\bwas halten sie von\b|\b(?:an)?statt\b(?!\s*(?:[.?!,]|$))|\banstelle von\b"
    r"|\b(?:in der mitte|auf halbem weg) treffen\b|\bentgegenkommen\b|\bangleichen\b|\bmitgehen\b"
)
# "sign-on bumped to 30k?", "could relocation be topped up to £3,600?": a wish in a statement or a request, not in a
# question about how things are ("is the relocation topped up to £3,600 for families?").
# Likewise "¿me lo dejáis en 18,70?" asks for a figure, "¿cuándo me lo dejan en 20?" asks when.
RAISED_TO = re.compile(
    r"\b(?:bumped|topped up|upped|raised|increased|lifted|pushed up|brought up) (?:up )?to\b"
    r"|\b(?:me )?(?:lo |la )?(?:dejais|dejan|dejas|deja|dejarlo|dejarmelo|dejadmelo|dejamelo|ponemelo|ponedmelo) en\b"
)
HYPOTHETICAL = re.compile(
    r"\b(?:what (?:happens|would happen)|what if|if i (?:ask|asked|request|counter)"
    r"|was (?:passiert|wurde passieren|ware),? wenn|wenn ich (?:\w+ ){0,3}(?:frage|verhandle|fordere|bitte)"
    r"|would have been|moglich gewesen)\b"
    # a figure worked out at an assumed value ("what would the bonus come to at 120%?") is a question about it
    r"|\b(?:what|how much) (?:would|will|does|do) (?:the |my |that |it |this )?[^.?!]{0,30}\b(?:come to|amount to"
    r"|add up to|work out(?: to| at)?|be worth|look like|pay out|give me)\b"
    r"|\b(?:what|how much) (?:would|will) (?:the |my |that |it |this )?[^.?!]{0,30}\bbe (?:at|with) [$€£]?\d"
    r"|\b(?:a )?cuanto (?:seria|serian|ascenderia|asciende|saldria|daria|vendria a ser)\b"
    r"|\bwie ?viel (?:ware|waren|wurde|macht|ergibt|betragt|betruge)\b"
)
QUESTION_START = re.compile(
    r"^\s*(?:what|what's|whats|when|how|is|are|does|do|did|which|who|where|why|will|can you (?:confirm|tell|"
    r"explain|clarify|check)|que|cual|cuando|como|cuanto|donde|quien|es|esta|hay"
    r"|was|wann|wie|wo|welche[rsnm]?|wer|warum|ist|sind|gibt es|habe|hat|bekomme|wird|werde"
    r"|konnen sie (?:mir )?(?:bestatigen|sagen|erklaren|erlautern|prufen))\b"
)
STATEMENT_VERB = re.compile(r"\b(?:is|are|was|were|es|son|will be|sera|ist|sind|war|waren|wird|werden)\b")

# Who offered: not this employer ("Sie haben mir … angeboten", "Ihr Unternehmen bietet mir …").
_NOT_US = r"(?!(?:sie|ihr|ihre|unternehmen|firma|man|es|recruiter\w*|wir)\b)"
COMPETING = re.compile(
    r"\b(?:another|other|different) (?:company|firm|employer|offer|place|team)\b|\bcompeting (?:offer|bid)\b"
    r"|\bcompetitor\b|\boffer from\b|\b(?:have|got|received|holding) (?:an|another|a competing) offer\b"
    r"|\b(?!you\b)[a-z]+ (?:offered|is offering|are offering) me\b|\belsewhere\b"
    r"|\botra (?:empresa|oferta|compania)\b|\boferta de otra\b"
    r"|\bme (?:han )?ofrec(?:ieron|ido|e)\b"
    r"|\b(?:andere[nrsm]?|weitere[nrsm]?) (?:unternehmen|firma|arbeitgeber|angebot|angebote|stelle)\b"
    r"|\bkonkurrenz\w*|\bwettbewerber\w*|\bangebot von (?!ihnen\b|euch\b|uns\b|\d)[a-z]"
    r"|\b(?:habe|hab|bekam|erhielt|bekommen|erhalten) (?:ein|noch ein)"
    r" (?:anderes |weiteres |konkurrierendes )?angebot\b"
    rf"|\b{_NOT_US}[a-z]+ (?:hat|haben|hatte|hatten) mir\b{_DE_SPAN}{{0,40}}\bangeboten\b"
    rf"|\b{_NOT_US}[a-z]+ (?:bietet|bieten) mir\b|\b(?:woanders|anderswo)\b"
)
CURRENT_CONTEXT = re.compile(
    r"\bcurrently (?:make|earn|get|have|on|at)\b|\bmy current (?:salary|base|comp|compensation|job|employer|role)\b"
    r"|\bright now i (?:make|earn|get)\b|\bi (?:currently )?(?:make|earn)\b|\bat my current\b"
    r"|\bactualmente (?:gano|cobro|tengo)\b|\bmi (?:salario|sueldo) actual\b"
    r"|\b(?:aktuell|derzeit|momentan|zurzeit|gerade|im moment) (?:verdiene|bekomme|erhalte|habe) ich\b"
    r"|\bich (?:verdiene|bekomme|erhalte) (?:aktuell|derzeit|momentan|zurzeit|gerade|im moment)\b"
    r"|\bmein (?:aktuelles|jetziges|derzeitiges|bisheriges) (?:gehalt|grundgehalt|einkommen|jahresgehalt)\b"
    r"|\b(?:bei|in) meine[mr] (?:aktuellen|jetzigen|derzeitigen) (?:arbeitgeber|job|stelle|firma)\b"
)
RATIONALE_CUE = re.compile(
    r"\b(?:because|since|as i|given|due to|considering|the market|market rate|cost of living|my experience"
    r"|porque|ya que|dado que|debido a|teniendo en cuenta"
    r"|weil|da ich|da es|da das|denn|aufgrund|angesichts|wegen|der markt|marktublich\w*|marktwert|marktniveau"
    r"|lebenshaltungskosten|meine erfahrung|meiner erfahrung|in anbetracht)\b"
)
RELATIVE_BEFORE = re.compile(
    r"(?:\b(?:extra|additional|another|plus|further)|\b(?:increase|raise|bump|up|push|delay|move)\b[a-z ]{0,20}\bby"
    r"|\b(?:sub\w*|aument\w*|increment\w*|mejor\w*)\b[a-z ]{0,40}\ben(?: una?)?"
    r"|\badd(?:ing)?|\bun(?:os)? extra|\botr[oa]s?|\bsub(?:e|en|an|a|ieran|iera|irme|irle)(?: me)?"
    r"|\b(?:zusatzlich\w*|weitere|weiteren|plus)"
    r"|(?<!bitte )(?<!bitten )(?<!bat )(?<!wurde )(?<!mochte )(?<!ich )(?<!sie )\bum)\s*$"
)
RELATIVE_AFTER = re.compile(
    r"^\s*(?:(?:/ ?|an |a |per |la |por |pro |die )?"
    r"(?:hour|hr|h|week|wk|month|mo|hora|semana|mes|stunde|std|monat)\s+)?"
    r"(?:more|extra|higher|additional|on top|increase|raise|bump|later|mas|mehr|zusatzlich\w*|obendrauf|spater)\b"
)
PER_YEAR = re.compile(
    r"^\s*(?:[a-z]{3}\s+)?(?:a year|per year|/ ?y(?:ea)?r|yearly|annual(?:ly)?|p\.?a\.?|gross a year|al ano|por ano"
    r"|anuales?|brutos? al ano|im jahr|pro jahr|jahrlich|brutto (?:im|pro) jahr|jahresbrutto)\b"
)
# "… an hour", "… más la hora", "… pro Stunde" right after a figure (past "more"/"más"/"mehr"): the period the
# figure is paid by, to match against the base pay's own period.
_PERIOD_WORDS = {
    "hour": r"hours?|hrs?|h|hora|stunde|std",
    "week": r"weeks?|wk|semana|woche",
    "month": r"months?|mo|mes|monat",
    "year": r"years?|yr|ano|jahr",
}
PER_PERIOD_AFTER = {
    period: re.compile(
        r"^\s*(?:[a-z]{3}\s+)?(?:(?:more|extra|mas|mehr)\s+)?(?:(?:dollars?|bucks|euros?|pounds?|dolares?|libras?)\s+)?"
        r"(?:an|a|per|the|/|la|el|por|al|pro|je|die|der|im|in der)"
        rf"\s*(?:{words})\b"
    )
    for period, words in _PERIOD_WORDS.items()
}
# "twice that", "double the sign-on", "el doble", "das Doppelte": the current value times two.
TWICE = re.compile(
    r"\b(?:twice|double|doubled|doubling|el doble|duplicar\w*|duplique\w*|das doppelte|verdoppel\w*"
    r"|doppelt so (?:viel|hoch))\b(?! (?:time|shift|pay|overtime|rate)\b)"
)
EARLIER_AFTER = re.compile(r"^\s*(?:earlier|sooner|antes|fruher|eher)\b")
START_CONTEXT = re.compile(
    r"\b(?:start|starting|begin|join|first day|push|delay|postpone|move|later|earlier|empezar|empiezo|comenzar"
    r"|incorporarme|inicio|retrasar|aplazar"
    r"|anfang\w*|fange|beginn\w*|starten|starte|startdatum|einsteigen|einstieg|eintritt\w*|arbeitsbeginn"
    r"|erste[nr]? arbeitstag|verschieb\w*|spater|fruher)\b"
)
CLAUSE_BREAK = re.compile(
    r"[.;!?](?=\s|$)|\n|,\s|\s(?:but|so|pero|aber|sondern)\s"
    r"|\s(?:and|y|und)\s(?=(?:could|can|would|i|also|podrian|konnten|konnen|ich|auch|wurden)\b)"
)
CONJUNCTION = re.compile(r",|\b(?:and|y|plus|as well as|also|und|sowie)\b")
# "from 172k", "más de 3.000" start a range or a floor; Spanish "de" alone is "of" ("un bono de 2.000") unless a
# second figure follows ("de 3.200 a 3.500"), see FROM_TO_AFTER.
# "can I get more PTO, like 5 days?": asked for more, a figure below the current value is the increase.
MORE_BEFORE = re.compile(r"\b(?:more|mas|mehr)\b(?![^.?!]*\bthan\b)")
THAN_BEFORE = re.compile(r"\b(?:more|less|fewer) than\s*[$€£]?$|\b(?:mehr|weniger) als\s*$")
FROM_BEFORE = re.compile(r"\bfrom\s*$|\b(?:mas|menos) de\s*$")
DE_BEFORE = re.compile(r"\bde\s*$")
FROM_TO_AFTER = re.compile(r"^\s*(?:[a-z]{1,7}\s+)?(?:a|hasta)\s+[$€£]?\d")
# A small bare number before a plural noun counts things, it is no amount: "a move with two kids".
COUNTED_AFTER = re.compile(
    r"^\s+(?!(?:bucks|dollars|euros|pounds|libras|pesos|dolares|plus|less|tops|mas|mes|is|was|as|this|grand)\b)"
    r"[a-z]{2,}s\b"
)
COUNTED_MAX = 12
# "Could I take 2 days off in my first month?", "¿puedo tomarme 3 días libres?", "2 Tage frei nehmen": days of leave
# used, not the entitlement asked to change ("5 more days off a year" stays a request: it says more).
TAKE_BEFORE = re.compile(r"\b(?:take|taking|took|tomar\w*|coger\w*|pedir\w*|nehmen|nehme)\b[a-z ]{0,12}$")
DAYS_OFF_AFTER = re.compile(
    r"^\s*(?:(?:days?|weeks?|dias?|semanas?|tagen?|wochen?)\s+)?(?:off|libres?|de descanso|frei\w*|urlaub)\b"
)
# A clause with a figure and no term that points back to one named just before: "relo seems low, could it be
# 9,500?", "a bigger moving budget, say 6,500", "more PTO, like 28 days".
POINTS_BACK = re.compile(
    r"\b(?:it|that|this|lo|eso|esto|das|dies|too|also|instead|as well|auch|stattdessen|tambien|en su lugar)\b"
    r"|\b(?:say|like|e\.g\.|digamos|como|etwa|sagen wir)\s*[$€£]?$"
)
# A tenant count term that holds how many salary payments a year there are ("14 Monatsgehälter", "pagas").
PAYMENTS_TERM = re.compile(
    r"\b(?:payments?|salaries|pagas?|pagos|mensualidades|sueldos|zahlungen|gehalter|monatsgehalter|gehaltszahlungen)\b"
)

ARRANGEMENTS: tuple[tuple[re.Pattern[str], WorkArrangement], ...] = (
    # first, so "zwei Tage Homeoffice" is hybrid before "Homeoffice" alone reads as remote
    (re.compile(r"\b(?:\d|ein|einen|zwei|drei|vier) tage? (?:pro woche |die woche |in der woche |wochentlich )?"
                r"(?:im )?(?:homeoffice|home-office|home office|remote|mobil)\b"), WorkArrangement.HYBRID),
    # some days a week away from the office is hybrid: "remotely two days a week", "2 días a la semana en remoto"
    (re.compile(r"\b(?:work(?:ing)? )?(?:remote|remotely|from home|wfh|en remoto|desde casa|teletrabajo|teletrabajar)"
                r" (?:\d|one|two|three|four) (?:days?|dias?)\b"
                r"|\b(?:\d|one|two|three|four) (?:days?|dias?) (?:a |per |each |every |a la |por |cada )?"
                r"(?:week|semana) "
                r"(?:remote|remotely|from home|wfh|en remoto|desde casa|de teletrabajo)\b"), WorkArrangement.HYBRID),
    (re.compile(r"\b(?:fully|100 ?%|completely|full[- ]time|totally|all) ?(?:remote|remotely)\b"),
     WorkArrangement.REMOTE),
    (re.compile(r"\b(?:work(?:ing)? (?:from home|remotely)|wfh|remote(?: work| role| position)?|teletrabajo"
                r"|(?:en )?remoto|100 ?% remoto|homeoffice|home-office|von zu hause(?: aus)?|mobiles arbeiten"
                r"|fernarbeit|telearbeit)\b"), WorkArrangement.REMOTE),
    (re.compile(r"\b(?:\d|one|two|three|four) days? (?:a week )?(?:in|at) (?:the )?office\b|\bhybrid\b|\bhibrido\b"
                r"|\b(?:\d|ein|einen|zwei|drei|vier) tage? (?:pro woche |die woche |in der woche )?im buro\b"),
     WorkArrangement.HYBRID),
    (re.compile(r"\b(?:on-?site|on site|in[- ]office|fully in (?:the )?office|presencial"
                r"|(?:komplett|vollstandig|ganz|nur|ausschlie(?:ß|ss)lich) (?:vor ort|im buro)"
                r"|vor-ort-(?:tatigkeit|arbeit)|prasenz(?:arbeit|pflicht|tatigkeit)?)\b"), WorkArrangement.ONSITE),
)  # fmt: skip

TITLE_REQUEST = re.compile(
    r"\b(?:(?:title|job title|role|position|puesto|cargo)\b\s+(?:of|to|as|be|to be|could be|changed to|como|de|a)"
    r"|(?:(?:[Tt]itel|[Jj]obtitel|[Bb]erufsbezeichnung|[Ss]tellenbezeichnung)\b(?:\s+(?:als|zu))?"
    r"|(?:[Pp]osition|[Rr]olle)\s+als)(?=\s+(?!(?:Ich|Ihr\w*|In|Im|Ist|I|Der|Die|Das|Den|Dem|Mein\w*)\b)))\s+"
    r"(?:an?\s+|un\s+|una\s+|eine[nr]?\s+)?[\"“„']?"
    r"(?P<title>[A-Z][A-Za-zÀ-ÖØ-öø-ÿ&/+-]*(?:\s+(?:[A-Z][A-Za-zÀ-ÖØ-öø-ÿ&/+-]*|of|de|I{1,3}|IV)){0,5})"
)


# A message that is only a question about what a figure would be ("If I hit 120%, what would my bonus be?", "How
# much would the bonus pay at 150%?"): it asks for a worked figure, it asks for no change.
WHAT_WOULD_QUESTION = re.compile(
    r"^\W*(?:(?:and|so|ok|okay) )?(?:if [^.?!]{1,60}?,\s*)?(?:what|how much|how big|how high|cuanto|cuanta|wie ?viel"
    r"|wie hoch|was)\b[^.?!]{0,15}\b(?:would|will|seria|serian|ware|waren|wurde)"
    r" (?:the|my|that|it|this|el|la|mi|der|die|das|mein\w*)\b[^.!?]*\?\s*$"
)


def request_cue(folded: str) -> bool:
    raised_to = RAISED_TO.search(folded) is not None and QUESTION_START.search(folded.lstrip("¿¡ ")) is None
    if WHAT_WOULD_QUESTION.search(folded.lstrip("¿¡ ")):
        return False
    return (REQUEST_CUE.search(folded) is not None or raised_to) and HYPOTHETICAL.search(folded) is None


# The candidate's own allowance called a budget: "a bigger moving budget", "el presupuesto de mudanza".
_ALLOWANCE_BUDGET = re.compile(
    r"\b(?:relocation|relo|moving|move|umzugs?|mudanza|traslado|reubicacion)(?: \w+)? (?:budget|presupuesto)\b"
    r"|\b(?:budget|presupuesto) (?:for (?:the |my )?(?:relocation|move|moving)|(?:de|para) (?:la )?(?:mudanza|traslado"
    r"|reubicacion))\b|\bumzugsbudget\b"
)


def asks_for_own_allowance(folded: str) -> bool:
    """A request for more of the candidate's own moving allowance, named a "budget" ("I'd need a bigger moving
    budget, say 6,500"): no internal information is asked, whatever the word. Every internal cue must be that."""
    rest = _ALLOWANCE_BUDGET.sub(" ", folded)
    return rest != folded and INTERNAL.search(rest) is None and request_cue(folded)


def looks_like_fragment(folded: str) -> bool:
    """A terse statement of terms ("175 base", "fully remote", "15% bonus target"): no question, no verb."""
    tokens = folded.split()
    return (
        0 < len(tokens) <= 8
        and "?" not in folded
        and QUESTION_START.search(folded) is None
        and STATEMENT_VERB.search(folded) is None
        and _ABOUT_A_QUESTION.search(folded) is None
    )


# "a couple of questions about the 25k sign-on" announces questions, it states no terms.
_ABOUT_A_QUESTION = re.compile(r"\b(?:questions?|query|queries|preguntas?|dudas?|fragen?)\b")
