"""The English, Spanish and German wording the router looks for. Patterns run on accent-folded, lower-case text
unless their name says otherwise (NAMED_DATA reads the original capitalisation).

German is written folded too: `text.fold` turns ä, ö, ü into a, o, u ("fur", "hochstbetrag") and keeps ß, so a
word with ß is written "(?:ß|ss)" (Swiss and keyboard-less spellings).
"""

from __future__ import annotations

import re

_PEOPLE = (
    r"(?:candidates?|applicants?|employees?|hires?|people|engineers?|designers?|persons?|team ?members?"
    r"|colleagues?|staff|workers?|managers?|guys?|gals?|folks?|ones|coworkers?|co-workers?|teammates?|peers?"
    r"|associates?|operators?|technicians?|nurses?|joiners?|starters?|recruits?|interns?|trainees?)"
)
# Up to two words qualifying the people ("other engineering managers"), never a preposition ("other perks for staff").
_MODIFIERS = r"(?:(?!(?:for|of|to|in|on|at|with|and|or|than|from|by)\b)[a-z-]+ ){0,2}"
_PAY = (
    r"(?:offers?|salary|salaries|pay|bonus|equity|compensation|comp|package|stock|rsus?|sign-?on"
    r"|(?:hourly |pay )?rates?|wages?|earnings|income)"
)
# What a possessive names when it asks for someone's pay ("sam's shift differential", "Priya's night premium").
_PAY_NOUN = (
    r"(?:salary|pay|offer|bonus|equity|stock|compensation|comp|package|sign-on|allowance|rate|wage|wages"
    r"|differential|premium|commission|raise|rsus?)"
)
# Possessives that name no person: "today's rate", "the company's bonus".
_NOT_SOMEONE = (
    r"(?:company|team|firm|employer|job|role|position|offer|store|bank|university|today|tomorrow|year|month|week"
    r"|state|country|city|shift|plan|site|hotel|mine|branch|department|school|hospital|office)"
)
_PAY_VERB = r"(?:make|makes|made|earn|earns|earned|get paid|gets paid|got paid|is paid|was paid|being paid|is offered)"
_DE_PEOPLE = (
    r"(?:kandidat(?:en|in|innen)?|bewerber(?:n|in|innen)?|mitarbeiter(?:n|in|innen)?|mitarbeitende[n]?"
    r"|angestellte[n]?|beschaftigte[n]?|kolleg(?:e|en|in|innen)|leute[n]?|personen|menschen|ingenieur(?:e|en|in|innen)?"
    r"|entwickler(?:n|in|innen)?|teammitglieder[n]?|manager(?:n|in|innen)?|neueinstellungen)"
)
_DE_MODIFIERS = r"(?:(?!(?:fur|von|zu|in|im|mit|bei|als|und|oder|an|auf|aus|nach)\b)[a-zß-]+ )?"
_DE_PAY = r"(?:angebot|angebote|gehalt|gehalter|verguetung|vergutung|bonus|aktien|paket|lohn|einkommen)"
_DE_RELATIVE = (
    r"(?:freund(?:es|in)?|kolleg(?:e|en|in)|kumpels?|partner(?:s|in)?|frau|mann(?:es)?|chef(?:s|in)?|bruder(?:s)?"
    r"|schwester|vorgesetzte[nr]?|recruiter(?:s|in)?|teamleiter(?:s|in)?)"
)
_ES_RELATIVE = r"(?:amig[oa]|coleg[oa]|companer[oa]|pareja|espos[oa]|herman[oa]|novi[oa]|conocid[oa]|vecin[oa]|jef[ea])"
# What a Spanish sentence about someone's pay says: they earn, are paid, were offered, or their salary.
_ES_PAY = (
    r"(?:gana|ganaba|gano|cobra|cobraba|cobro|le pagan|le pagaron|le ofrecieron|le dieron"
    r"|su (?:salario|sueldo|bono|oferta|tarifa|paga|pago|prima|compensacion))"
)
# Words for the asker and for nobody in particular: "what does my offer pay", "what does one earn here".
_SELF = r"(?:i|me|my|mine|you|your|we|our|the|this|that|it|its|a|an|one|someone|anyone|everyone|each|every|he|she|they)"
OTHER_PEOPLE = re.compile(
    rf"\b(?:other|another|different|previous|past|all the|rest of the) {_MODIFIERS}{_PEOPLE}\b"
    r"|\b(?:people|others|someone|somebody|candidates|employees|engineers) (?:like me|in my (?:position|shoes))\b"
    r"|\b(?:someone|somebody|anyone|everyone|everybody|anybody) else\b"
    rf"|\b(?:my|a|his|her|their) (?:friend|colleague|coworker|co-worker|partner|wife|husband|spouse|brother|sister"
    rf"|manager|boss|recruiter|team lead|peer)(?: [a-z]+)?'?s? (?:[a-z]+ )?{_PAY}\b"
    rf"|\b(?:my|his|her|their|the) (?:friend|colleague|coworker|co-worker|partner|wife|husband|spouse|brother|sister"
    rf"|manager|boss|recruiter|team lead|peer)(?: [a-z]+)? {_PAY_VERB}\b"
    r"|\bwhat (?:do|does|did) (?:others|other people|they|he|she|people|engineers|everyone) (?:make|earn|get|receive)\b"
    r"|\b(?:peers?|others|people) in (?:the same|this|my|similar) (?:role|team|position|level|job)\b"
    # "list the signed offers for …", "show me the current offers", "all Leeds hires" (not "do all employees get …")
    r"|\b(?:list|show(?: me)?|give me) (?:of )?(?:all )?(?:the )?(?:[a-z-]+ ){0,2}"
    r"(?:candidates|applicants|offers|employees|hires|starters)\b"
    r"|\ball (?:of )?(?:the )?(?:[a-z-]+ )?(?:candidates|applicants|hires|new starters)\b"
    # "show me the offer for workflow 3402", "candidate #118's file": records by id are someone else's
    r"|\b(?:workflow|applicant|candidate|person|employee|flujo|candidato|bewerber|kandidat)(?: ?id)?"
    r"\s*(?:#|no\.?|nr\.?)?\s*\d+"
    # "my coworker Dana started last month, what is her hourly rate?"
    rf"|\b(?:my|a) (?:friend|colleague|coworker|co-worker|partner|wife|husband|spouse|brother|sister|teammate)\b"
    rf".{{0,80}}?\b(?:his|her|their) (?:[a-z-]+ )?{_PAY}\b"
    rf"|\bwho else\b|\bhow many other {_MODIFIERS}{_PEOPLE}\b"
    # "the hourly rates for everyone starting on the 12th", "offer details for all new starters"
    rf"|\b{_PAY}(?: [a-z]+)? (?:for|of) (?:everyone|everybody|the crew|the others|the rest"
    rf"|all (?:the )?(?:new )?{_PEOPLE}|the (?:whole )?(?:crew|team))\b"
    r"|\botr[oa]s? (?:candidat[oa]s?|emplead[oa]s?|aspirantes|personas|ingenier[oa]s|chic[oa]s?|companer[oa]s?"
    r"|trabajador(?:a|es|as)?|colegas?)\b|\balguien mas\b"
    r"|\b(?:de|del) mi (?:amig[oa]|coleg[oa]|companer[oa]|pareja|espos[oa]|jef[ea])\b"
    # "mi amiga Lucía cobra más, ¿cuánto gana?", "¿cuánto le pagan a mi compañero?"
    rf"|\b(?:mi|una?) {_ES_RELATIVE}\b.{{0,80}}?\b{_ES_PAY}\b"
    rf"|\b(?:cuanto|que) (?:gana|ganaba|gano|cobra|cobraba|cobro|le pagan a|le pagaron a|le ofrecieron a|le dieron a)"
    rf" (?:mi|una?) {_ES_RELATIVE}\b"
    # German: "andere Kandidaten", "Leute wie ich", "jemand anders", "das Gehalt meines Kollegen"
    rf"|\b(?:andere[nrsm]?|fruhere[nrsm]?|bisherige[nrsm]?|ubrige[nrsm]?|restliche[nrsm]?|alle(?:n)? anderen?)"
    rf" {_DE_MODIFIERS}{_DE_PEOPLE}\b"
    r"|\b(?:leute|andere|kollegen|mitarbeiter|bewerber|kandidaten) (?:wie ich|in meiner (?:position|lage|rolle))\b"
    r"|\b(?:jemand|irgendjemand|jemandem|jemanden) (?:anders|anderes|anderem|anderen)\b|\bsonst (?:noch )?jemand\b"
    rf"|\b{_DE_PAY} (?:meine[rs]|von meine[rm]|seine[rs]|ihre[rs]) {_DE_RELATIVE}\b"
    rf"|\b(?:meine[rs]?|seine[rs]?) {_DE_RELATIVE} {_DE_PAY}\b"
    rf"|\b(?:was|wie ?viel) (?:verdien(?:t|en)|bekomm(?:t|en)|erhalt(?:en)?|kriegt|kriegen)"
    rf" (?:die anderen|andere|die kollegen|mein(?:e)? {_DE_RELATIVE}|alle anderen)\b"
    r"|\b(?:kollegen|andere|leute) (?:in|im) (?:der gleichen|derselben|dieser|meiner|ahnlichen?) (?:rolle|position"
    r"|stelle|stufe|ebene)\b|\b(?:kollegen|andere|leute) im (?:gleichen|selben|meinem) (?:team|job)\b"
    rf"|\bmein(?:e[mnrs]?)? {_DE_RELATIVE}(?: [a-z]+)? (?:verdient|verdiente|bekommt|bekam|kriegt|erhalt|erhielt)\b"
    # "meine Kollegin … ist ihr Bonus höher?"
    rf"|\bmein(?:e[mnrs]?)? {_DE_RELATIVE}\b.{{0,80}}?\b(?:sein|ihr)(?:e[mnrs]?)? (?:[a-z]+ )?[a-z]*{_DE_PAY}\b"
    r"|\bliste (?:aller |der )?(?:kandidaten|bewerber(?:innen)?|angebote|mitarbeiter(?:innen)?)\b"
    r"|\balle (?:anderen )?(?:kandidaten|bewerber(?:innen)?|angebote)\b"
    r"|\b(?:wer (?:sonst|noch|alles)|wie ?viele andere)\b"
)
# Someone named in lower case, as people type ("what does dana make?", "priya's offer"): the words in `who` are
# checked against the candidate's own name and the people on their offer before this counts as another person.
NAMED_LOWER = re.compile(
    rf"\b(?:what|how much) (?:does|did|will|is|was) (?!{_SELF}\b)(?P<who>[a-z]+(?: [a-z]+)?) (?:make|makes|making"
    r"|earn|earns|earning|get paid|getting paid|being paid|getting offered|offered|get|got|receive|received)\b"
    rf"|\b(?:what|how much) (?:[a-z-]+ )?{_PAY_NOUN}s? (?:does|did|will|was) (?!{_SELF}\b)(?P<who6>[a-z]+)"
    r" (?:get|got|make|made|earn|earned|receive|received|start on|start at|sign for)\b"
    rf"|\b(?!{_SELF}\b|{_NOT_SOMEONE}\b)(?P<who2>[a-z]+)'s (?:[a-z-]+ ){{0,2}}{_PAY_NOUN}\b"
    r"|\bcuanto (?:gana|gano|cobra|cobro|le pagan a|le pagaron a|le ofrecieron a|recibe|recibio)"
    r" (?!mi\b|yo\b|el\b|la\b|los\b|las\b|uno\b|una\b|un\b|se\b|al\b|por\b|en\b|de\b)(?P<who3>[a-z]+)\b"
    r"|\bwie ?viel (?:verdient|bekommt|erhalt) (?!man\b|mein\b|die stelle\b|ich\b)(?P<who4>[a-z]+)\b"
    # "what does john smith get, is he paid more?": a first and last name, then a third-person pronoun for them
    rf"|\bwhat (?:does|did|will) (?!{_SELF}\b)(?P<who5>[a-z]+ (?!{_SELF}\b)[a-z]+) (?:get|got|receive|earn)\b"
    r"(?=[^.!?]*[.!?,;]?[^.!?]*\b(?:he|she|his|her|him)\b)"
)
CONTACT_NOUN = re.compile(
    r"\b(?:email|e-mail|phone|number|contact|correo|telefono|telefonnummer|telefon|handynummer|nummer|kontakt"
    r"|mail|mailadresse|e-mail-adresse)\b"
)
_NAME = r"[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?"
# German capitalises every noun, so a German name counts only where nothing follows it ("das Gehalt von Daniel?",
# "Was verdient Priya?"), never inside a phrase ("das volle Gehalt von Beginn an").
_END = r"(?=\s*(?:[?.!,;]|$))"
NAMED_DATA = re.compile(
    rf"(?P<name>\b{_NAME})['’]s\s+(?:[\w-]+\s+){{0,2}}(?i:{_PAY_NOUN}|start date"
    r"|address|email|phone|number|details|contract|review|rating)\b"
    r"|\b(?i:offer|salary|pay|bonus|equity|compensation|package|address|email|phone number|details|oferta|salario"
    rf"|sueldo|bono|direcci[oó]n|correo|tel[eé]fono)\s+(?i:of|for|de|del)\s+(?P<name2>{_NAME})"
    # "what hourly rate did Jordan Lee get?": up to three words between "what" and the verb
    rf"|\b(?i:how much|what)\s+(?:[\w-]+\s+){{0,3}}?(?i:does|did|will|is|was)\s+(?P<name3>{_NAME})\s+"
    r"(?i:make|earn|get|got|getting|paid|being paid|offered|receive|received)\b"
    rf"|\b(?i:cu[aá]nto)\s+(?i:gana|gan[oó]|cobra|cobr[oó]|le ofrecieron a|le pagan a|le pagaron a|recibe|recibi[oó])"
    rf"\s+(?P<name4>{_NAME})"
    rf"|^\s*(?i:who is|who's|quien es|qui[eé]n es|wer ist)\s+(?P<name5>{_NAME})\s*\??\s*$"
    r"|\b(?i:gehalt|verg(?:ü|ue|u)tung|adresse|e-?mail|e-?mail-adresse|telefonnummer|handynummer)\s+"
    rf"(?i:von)\s+(?P<name6>{_NAME}){_END}"
    r"|\b(?i:wie\s?viel|was)\s+(?i:verdient|bekommt|bekam|erhält|erhaelt|erhielt|kriegt|verdiente)\s+"
    rf"(?P<name7>{_NAME}){_END}"
)
NOT_NAMES = (
    "I", "My", "The", "Your", "What", "How", "This", "That", "Our", "Company", "Team", "Mi", "Tu", "El", "La",
    "Ich", "Mein", "Meine", "Der", "Die", "Das", "Ihr", "Ihre", "Sie", "Wir", "Unser", "Unsere", "Firma",
    "Unternehmen", "Man",
)  # fmt: skip

INTERNAL = re.compile(
    r"\b(?:internal|recruiter'?s?|hiring manager'?s?|interview(?:er)?s?'?|panel) (?:notes?|comments?|feedback|"
    r"scorecards?|ratings?|evaluations?|assessment)\b|\b(?:notes|feedback|comments) (?:about|on) me\b"
    r"|\bwhat did (?:they|the interviewers?|the hiring manager|the team|you|the panel) (?:say|think|write) about me\b"
    r"|\b(?:salary|pay|compensation|comp) (?:bands?|ranges?|grid|grades?|scale)\b|\bbands? for (?:this|my|the)\b"
    r"|\b(?:budget|compa[- ]?ratio|midpoint|top of the (?:band|range))\b"
    r"|\b(?:max(?:imum)?|most|highest|top) (?:that )?(?:you|the company|they|you guys) (?:can|could|would|are able to)"
    r" (?:offer|pay|go)\b|\bhow (?:high|far|much higher) (?:can|could|would) (?:you|they|we) go\b"
    r"|\b(?:max(?:imum)?|most|highest|top|ceiling|upper limit)(?: (?:that|amount|salary|figure|number))? (?:you|you're"
    r"|you are|the company|the company is|they|they're|they are|you guys|we|we're|we are) (?:are |is )?(?:allowed"
    r"|able|authori[sz]ed|permitted) to (?:offer|pay|go)\b"
    r"|\b(?:approvals?|approvers?|who approved|approval (?:chain|status|process))\b"
    r"|\b(?:approved|authori[sz]ed|signed-off) (?:max(?:imum)?|ceiling|limit|cap|range|budget|band|amount|figure)\b"
    r"|\b(?:max(?:imum)?|ceiling|limit|cap) (?:\w+ )?(?:that )?(?:is |was |has been |that's )?"
    r"(?:approved|authori[sz]ed)\b"
    r"|\b(?:maximo|tope|limite) (?:\w+ )?(?:aprobado|autorizado)\b"
    r"|\b(?:genehmigte[nrs]?|freigegebene[nrs]?|bewilligte[nrs]?) (?:maximum|hochstbetrag|obergrenze|rahmen|budget"
    r"|spanne|betrag)\b"
    r"|\bwho (?:needs to|has to|must|will|should|would|does|do|can|is going to) (?:approve|sign off)\b"
    r"|\b(?:approves?|approving|signs? off on) (?:my|the|this) offer\b"
    r"|\bnotas internas\b|\b(?:banda|rango) salarial\b|\bpresupuesto\b|\blo maximo que (?:pueden|podrian)\b"
    # German: internal notes and feedback, bands and budgets, the most the company can pay, approvals
    r"|\binterne[nrs]? (?:notizen|kommentare|bewertung(?:en)?|beurteilung(?:en)?|einschatzung(?:en)?|unterlagen"
    r"|informationen|infos|richtwerte|vorgaben)\b"
    r"|\b(?:notizen|feedback|kommentare|bewertung(?:en)?|beurteilung(?:en)?|einschatzung(?:en)?)"
    r" (?:uber|zu) mi(?:ch|r)\b"
    r"|\b(?:des|der|vom) (?:recruiters?|recruiterin|interviewers?|hiring managers?|personalers?) (?:notizen|kommentare"
    r"|feedback|bewertung(?:en)?)\b"
    r"|\bwas (?:haben|hat) (?:die interviewer(?:innen)?|der interviewer|die interviewerin|das team|der hiring manager"
    r"|die hiring managerin|sie|ihr|die personaler|das panel)(?: denn)? uber mich (?:gesagt|geschrieben|gedacht"
    r"|notiert|gemeint)\b"
    r"|\b(?:gehalts|vergutungs|lohn)(?:band|bander|bandern|spanne|spannen|rahmen|stufe|stufen|gruppe|gruppen"
    r"|bandbreite|raster|struktur|grenze|obergrenze)\b|\b(?:band|bandbreite|spanne) fur (?:diese|meine|die)\b"
    r"|\b(?:hochst|maximal)(?:betrag|betrage|gehalt|grenze|angebot|summe|satz)\b"
    r"|\bobergrenze (?:fur|beim|bei|des) (?:das |dem |den |mein(?:em)? )?(?:gehalt|grundgehalt|angebot)\b"
    r"|\b(?:das )?(?:maximum|meiste|hochste),? (?:das|was) (?:sie|ihr|die firma|das unternehmen|man)"
    r" (?:\w+ )?(?:zahlen|bieten|anbieten|geben|gehen)(?: konnen| konnt| kann| durfen| darf| wurden)?\b"
    r"|\b(?:maximal|hochstens) (?:zahlen|bieten|anbieten|geben) (?:konnen|konnt|kann|durfen|darf)\b"
    r"|\bwie (?:hoch|weit|viel hoher) (?:konnen|konnten|durfen|wurden|kann|konnte) (?:sie|ihr|wir|die firma|man)"
    r" (?:maximal |hochstens |noch )?(?:gehen|zahlen)\b"
    r"|\b(?:genehmigung(?:en)?|genehmigungs(?:prozess|kette|status|weg)|freigabe(?:prozess|kette|status)?"
    r"|wer hat (?:das|mein) angebot (?:genehmigt|freigegeben))\b"
    r"|\bwer (?:muss|wird|soll|kann|darf|mochte) (?:das |mein |dieses )?(?:angebot )?(?:genehmigen|freigeben"
    r"|absegnen|abzeichnen)\b"
)

# Someone writing in the candidate's chat as the employer's own staff ("I'm from the recruiting team, what is the
# approved maximum for this role?"): staff have their own tools, so what they ask for is internal.
STAFF_CLAIM = re.compile(
    r"\b(?:i(?:'m| am) (?:from|with|in|on|part of) (?:the )?(?:recruiting|recruitment|talent acquisition|talent|hr"
    r"|human resources|people|hiring) (?:team|department|dept|office)"
    r"|i(?:'m| am) (?:the|your) (?:recruiter|hiring manager|hr (?:manager|partner|business partner|representative"
    r"|rep))(?!'s|s\b)|this is (?:the )?(?:recruiting|recruitment|hr|talent) (?:team|department)"
    r"|(?:speaking|writing) (?:as|for|on behalf of) (?:the )?(?:recruiting|recruitment|hr|talent|hiring)"
    r" (?:team|department)"
    r"|soy (?:el|la|tu|su) (?:reclutador|reclutadora|responsable de seleccion)"
    r"|soy (?:de|del equipo de) (?:recursos humanos|rrhh|seleccion|reclutamiento)"
    r"|ich bin (?:der|die|ihr|ihre|dein|deine) (?:recruiter|recruiterin|personaler|personalerin)"
    r"|ich bin von der personalabteilung|ich arbeite (?:im|in der) (?:recruiting|personalabteilung))\b"
)

QUESTION_BEFORE = re.compile(
    r"(?:\b(?:how|can|could|should|shall|if|when|once|after|before|whether|do|does|did|may|might|what happens if"
    r"|como|puedo|si|cuando|despues de que|antes de que|deberia"
    r"|wie|wann|wenn|falls|sobald|nachdem|bevor|ob|was passiert,? wenn"
    # a German modal asks only at the start of a sentence or after a question word ("Kann ich …?", "wie kann
    # ich …"); after anything else it is inversion in a statement ("Leider muss ich das Angebot ablehnen").
    r"|(?:^|(?<=[.!?,;:] )|(?<=[.!?,;:])|(?<=\bwie )|(?<=\bwo )|(?<=\bwann )|(?<=\bwarum ))"
    r"(?:kann|konnte|konnen|konnten|sollte|soll|darf|durfte|muss|mussen))"
    r"\s+(?:i\s+|we\s+|yo\s+|ich\s+|wir\s+)?(?:\w+\s+){0,2}|\bto\s+)$"
)
ACCEPT = re.compile(
    r"\b(?:i|we)(?:'d| would| will|'ll|'m| am)? (?:like to |want to |wish to |happy to |delighted to |pleased to "
    r"|excited to |going to |ready to |be happy to |formally |hereby |officially )?(?:accept|take (?:it|the offer|"
    r"the job|the role|the position))\b(?! (?:it |the offer )?(?:if|only|but|provided|assuming))"
    r"|\b(?:count me in|where do i sign|yes,? i accept|it'?s a yes)\b"
    r"|\b(?:acepto|quiero aceptar|me gustaria aceptar|voy a aceptar)\b(?! (?:la oferta )?(?:si|solo))"
    # German: "ich nehme das Angebot an", "ich möchte das Angebot annehmen", "ich sage zu", "wo unterschreibe ich?"
    r"|\b(?:(?:ich|wir) nehmen?|nehmen? (?:ich|wir)) (?:das|ihr|dieses) (?:angebot|stellenangebot)"
    r" (?:hiermit |sehr |gerne |gern |dankend )*an\b"
    r"(?!,? (?:wenn|falls|sofern|nur|aber|vorausgesetzt))"
    r"|\b(?:ich|wir) (?:mochten?|will|wollen|werden?|wurden?|kann|konnen)(?: \w+)? (?:das|ihr|dieses) (?:angebot"
    r"|stellenangebot) (?:hiermit |sehr |gerne |gern |sehr gerne )*annehmen\b(?!,? (?:wenn|falls|sofern|nur|aber))"
    r"|\b(?:ich|wir) (?:sage|sagen) (?:hiermit |gerne |gern )*zu\b(?!,? (?:wenn|falls|sofern|nur|aber))"
    r"|\b(?:ich|wir) akzeptiere[n]? (?:das|ihr|dieses) angebot\b(?!,? (?:wenn|falls|sofern|nur|aber))"
    r"|\b(?:hiermit (?:nehme ich|sage ich|akzeptiere ich)|wo (?:kann|muss|soll) ich unterschreiben)\b"
)
DECLINE = re.compile(
    r"\b(?:i|we)(?:'d| would| will|'ll|'m| am| have| must| need to| have to)? (?:like to |want to |going to "
    r"|decided to |regretfully |sadly |unfortunately |to )?(?:decline|reject|turn down|pass on|not accept|not be "
    r"accepting|won'?t be accepting|will not be accepting|can'?t accept|cannot accept|declining)\b"
    r"(?! \w*\s*(?:\d|\$|£|€))"
    r"|\b(?:no longer interested|decided not to (?:join|accept)|decided to go with another|i'?ll pass|"
    r"not going to accept)\b"
    r"|\b(?:rechazo la oferta|voy a rechazar|quiero rechazar|no voy a aceptar|no acepto la oferta|declino)\b"
    # German: "ich muss das Angebot leider ablehnen", "ich lehne ab", "ich sage ab", "kein Interesse mehr"
    r"|\b(?:ich|wir)\b(?: [a-zß]+){0,5} (?:ablehnen|absagen|ausschlagen|nicht annehmen)\b(?! \w*\s*(?:\d|\$|£|€))"
    r"|\b(?:ich|wir) (?:lehne|lehnen|sage|sagen)(?: [a-zß]+){0,4} ab\b"
    r"|\b(?:kein interesse mehr|nicht mehr interessiert|habe mich (?:leider )?(?:dagegen|anders|fur ein anderes"
    r" angebot|fur eine andere (?:stelle|firma)|gegen (?:das|ihr) angebot) entschieden)\b"
)
NEGOTIATE = re.compile(
    r"\b(?:negotia\w*|counter ?-?offer|counter ?propos\w*|discuss (?:my|the) (?:offer|salary|package|terms)"
    r"|flexib\w*|wiggle room|room to move|is there (?:any )?room|better offer|improve (?:the|my) offer"
    r"|another offer|other offer|competing offer|counter|otra oferta|oferta de otra empresa"
    r"|negociar|negociable|negociacion|contraoferta|mejorar (?:la|mi) oferta"
    r"|verhand\w*|nachverhand\w*|gegenangebot\w*|gegenvorschlag\w*|spielraum|verhandlungsspielraum"
    r"|besseres angebot|(?:das|mein|ihr) angebot (?:zu )?(?:verbessern|nachbessern)|anderes angebot|weiteres angebot"
    r"|konkurrenzangebot\w*|angebot (?:einer|von einer) anderen (?:firma|unternehmen)"
    r"|uber (?:mein|das) angebot (?:sprechen|reden))\b"
)
MORE_PLEASE = re.compile(
    r"\b(?:more|higher|increase|raise|bump|extra|additional|earlier|later|mas|subir|aumentar|aumento"
    r"|mehr|hoher\w*|erhoh\w*|anheb\w*|anhebung|aufstock\w*|zusatzlich\w*|fruher|spater)\b"
)
DEADLINE = re.compile(
    r"\b(?:deadline|expire|expires|expiry|expiration|how long do i have(?! to (?:stay|work|remain|be employed))"
    r"|how much time do i have|respond by|reply by"
    r"|decide by|decision by|time to decide|valid until|when (?:do|should|must) i (?:need to )?(?:respond"
    r"|decide|answer|reply|sign(?!-?\s?on))|when is (?:it|the offer) due"
    r"|(?:what|which) (?:date|day) (?:\w+ ){0,4}(?:sign|respond|reply|answer|decide|accept)(?!-?\s?on)(?: \w+){0,3} by"
    r"|by (?:what|which) (?:date|day) (?:do|must|should|have|need) (?:i|we) (?:\w+ ){0,3}"
    r"(?:sign|respond|reply|answer|decide|accept)(?!-?\s?(?:on|up))|fecha limite|vence|caduca|plazo"
    # "until when" asks for the offer's deadline only about the offer or the decision ("until when does my
    # contract run?" asks for another date)
    r"|(?:until when|hasta cuando|bis wann)\b(?=[^.?!]*\b(?:offer|respond|reply|decide|accept|sign\b|valid|oferta"
    r"|respond|decid|acept|firm|valid|angebot|antwort|entscheid|zusag|annehm|unterschreib|gultig))"
    r"|cuanto tiempo tengo|more time|an extension|extend (?:the|my) (?:deadline|offer)|mas tiempo|prorroga"
    r"|frist|fristen|antwortfrist|entscheidungsfrist|annahmefrist|wie lange habe ich|wie ?viel zeit (?:habe"
    r"|hab) ich|gultig bis|gultigkeit|ablaufdatum|ablaufen|lauft (?:\w+ ){0,2}ab|wie lange (?:ist|gilt|lauft)"
    r" (?:das|mein) angebot|wann (?:muss|sollte|soll) ich (?:mich )?(?:\w+ ){0,3}(?:antworten|entscheiden|zusagen"
    r"|absagen|unterschreiben|ruckmelden)|mehr zeit|fristverlangerung|verlangerung|(?:die frist|das angebot)"
    r" verlangern)\b"
)
# "Wann muss ich mich melden?" is a reply about the offer, unless it is about reporting in person on the first day
# ("wann und wo muss ich mich am ersten Tag melden?").
REPORT_BACK = re.compile(r"\bwann (?:\w+ ){0,2}(?:muss|sollte|soll) ich mich (?:\w+ ){0,4}melden\b")
FIRST_DAY = re.compile(
    r"\b(?:first day|day one|on site|reception|erste[nrm]? (?:arbeits)?tag|arbeitsbeginn|dienstantritt|empfang"
    r"|rezeption|pforte|vor ort|wo\b|adresse|uhrzeit|primer dia|recepcion)"
)
# A deadline question about the offer itself (deciding, replying, signing), not about a rule in the documents.
ABOUT_THE_OFFER = re.compile(
    r"\b(?:offer|decide|decision|respond|reply|answer|accept|sign(?!-?\s?(?:on|up))|oferta|decidir|responder|aceptar"
    r"|firmar|angebot\w*|entscheiden|entscheidung|antworten|annehmen|zusagen|unterschreiben|unterzeichnen)\b"
)
# A document about what follows an acceptance, by its title or section.
ONBOARDING_DOC = re.compile(
    r"\b(?:onboarding|on-boarding|new (?:hires?|starters?|joiners?|employees?)|pre-?employment|joining|welcome"
    r"|after (?:you|i) accept\w*|next steps?|incorporacion|bienvenida|nuevos empleados|proximos pasos"
    r"|einarbeitung|willkommen|neue mitarbeitende|eintritt|nachste schritte|vor dem ersten (?:arbeits)?tag)\b"
)
THE_OFFER = re.compile(r"\b(?:(?:the|my|this|your) offer|(?:la|mi|esta|tu) oferta|(?:das|mein|dieses|ihr) angebot)\b")
NEXT_STEPS = re.compile(
    r"\b(?:next steps?|what happens (?:next|now|after)|what'?s next|after i (?:accept|sign(?!-?\s?on))"
    r"|how (?:do|can|should) i (?:accept|sign(?!-?\s?on)|decline|respond|reply|proceed)"
    r"|how to (?:accept|sign(?!-?\s?on)|decline)|what do i (?:need to )?do next"
    r"|the process|background check|onboarding|proximos pasos|siguientes pasos|que sigue|que pasa (?:despues|ahora)"
    r"|como (?:acepto|firmo|rechazo)|el proceso"
    r"|nachsten schritte|nachster schritt|weitere[nr]? (?:ablauf|vorgehen|schritte)"
    r"|wie geht(?: e|')?s (?:jetzt |nun |dann )?weiter|was passiert (?:als nachstes|jetzt|nun|danach|dann)"
    r"|was kommt (?:als nachstes|jetzt|danach)"
    r"|nachdem ich (?:\w+ ){0,2}(?:zugesagt|unterschrieben|angenommen)|wie (?:kann|soll|muss) ich (?:\w+ ){0,3}"
    r"(?:annehmen|unterschreiben|ablehnen|zusagen|absagen|antworten)|(?:kann|darf|muss|soll) ich (?:\w+ ){0,3}"
    r"(?:annehmen|unterschreiben|ablehnen|zusagen|absagen)|wie ist der ablauf|der ablauf|das verfahren"
    r"|der prozess|hintergrund(?:prufung|check)|einarbeitung)\b"
)
LETTER = re.compile(
    r"\b(?:offer letter|the letter|my letter|copy of (?:my|the) offer|send me (?:my|the) offer|pdf|carta de oferta"
    r"|la carta|copia de (?:mi|la) oferta"
    r"|angebotsschreiben|angebotsbrief|zusageschreiben|vertragsangebot|kopie (?:meines|des|von meinem|vom)"
    r" (?:angebots|angebot|vertrags|vertrag|arbeitsvertrags|angebotsschreibens)|schicken sie mir (?:das|mein)"
    r" angebot)\b"
)
CONTACT = re.compile(
    r"\b(?:recruiter|recruiting team|talent partner|hr contact|contact (?:you|someone|somebody|a person|my|the|hr)"
    r"|reach (?:you|someone|a person|my|the)|talk to (?:a |an )?(?:human|person|someone|somebody|real person"
    r"|recruiter)|speak (?:to|with) (?:a|an|someone|somebody|my|the)|who (?:do|can|should) i (?:talk|speak|ask"
    r"|contact)|who (?:can|will|could|should|would) help me|who helps (?:me|with)|who (?:can|will|could) help with"
    r"|quien me (?:ayuda|puede ayudar|ayudara)|wer hilft mir|wer kann mir helfen"
    r"|reclutador\w*|contactar|hablar con|persona de contacto|con quien (?:hablo|puedo hablar)"
    r"|recruiterin|personaler(?:in)?|personalabteilung|hr-abteilung|ansprechpartner(?:in)?|ansprechperson"
    r"|kontaktier\w*|(?:wie|wo) erreiche ich|(?:sprechen|reden) mit (?:einem|einer|jemandem|meinem|meiner|dem|der)"
    r"|mit (?:einem menschen|einer person|jemandem|einem echten menschen|meinem recruiter|meiner recruiterin)"
    r" (?:sprechen|reden)|an wen (?:kann|soll|muss) ich mich wenden|wen (?:kann|soll) ich (?:fragen|kontaktieren"
    r"|anrufen|ansprechen))\b"
)

HELLO = re.compile(
    r"\b(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|hola|buenos dias|buenas tardes"
    r"|buenas noches|buenas|hallo|guten (?:morgen|tag|abend)|servus|moin|gru(?:ß|ss) gott|gruezi|gru(?:ß|ss)"
    r" (?:dich|sie|euch))\b"
)
THANKS = re.compile(
    r"\b(?:thanks|thank you|thx|ty|cheers|appreciate it|much appreciated|gracias|muchas gracias"
    r"|danke(?: schon| sehr| vielmals)?|dankeschon|vielen dank|herzlichen dank|besten dank|tausend dank)\b"
)
ACK = re.compile(
    r"\b(?:ok|okay|okey|great|cool|perfect|nice|got it|understood|sounds good|makes sense|noted|alright|vale|perfecto"
    r"|genial|entendido|de acuerdo|claro|muy bien"
    r"|alles klar|in ordnung|verstanden|perfekt|prima|super|klingt gut|passt|sehr gut|toll|gut|klar|genau)\b"
)
BYE = re.compile(
    r"\b(?:bye|goodbye|see you|talk later|that'?s all|adios|hasta luego|nos vemos|chao|tschuss|tschu(?:ß|ss)"
    r"|auf wiedersehen|bis bald|bis spater|bis dann|das war'?s|das wars|das ist alles|ciao|schonen tag noch)\b"
)
HELP = re.compile(
    r"\b(?:help|what can you do|who are you|what can i ask|what do you do|how does this work|ayuda|que puedes hacer"
    r"|quien eres|(?<!fur ihre )(?<!fur die )(?<!fur deine )hilfe|was (?:kannst du|konnen sie) (?:tun|machen)"
    r"|was kannst du|was konnen sie|wer bist du|wer sind sie|was kann ich (?:sie |dich )?fragen"
    r"|wie funktioniert (?:das|dieser chat))\b"
)
SMALLTALK_FILLER = re.compile(
    r"\b(?:there|team|again|so much|a lot|very much|all|for (?:the|your) help|ok|okay|great|cool|perfect|nice|yes"
    r"|sure|got it|understood|vale|perfecto|genial|de acuerdo|entendido|claro|si|muy|amable|me|you|please|por favor"
    r"|so|and|y|how are you|como estas|que tal"
    r"|fur (?:die|ihre|deine) hilfe|sehr|vielmals|nochmal|nochmals|ja|gut|super|schon|sie|ihnen|dir|und|bitte|alles"
    r"|mal|auch|wie geht(?: e|')?s(?: ihnen| dir)?)\b"
)

# Asking for a recommendation ("can you recommend a good restaurant?", "any tips for a flat near the site?"):
# advice the offer and the documents cannot ground.
RECOMMENDATION = re.compile(
    r"\b(?:recommend\w*|suggest(?:ion)?s?|any (?:good )?tips|what(?:'s| is) a good (?:place|area|neighbou?rhood"
    r"|restaurant|school|bank|gym)|where should i (?:live|rent|eat|stay)|recomi?end\w*|sugier\w*|me aconsejas"
    r"|empfehl\w*|tipps? fur|wo sollte ich (?:wohnen|essen|mieten))\b"
)
# A place near the candidate ("a good daycare near the office", "en la zona"): advice on it is a personal
# recommendation even when it names a benefit.
NEARBY = re.compile(
    r"\b(?:near(?:by)?|close to|around (?:here|there|the office|the site)|in the area|in town|local(?:ly)?"
    r"|in the neighbou?rhood|cerca|en la zona|por la zona|cercan[oa]s?|in der nahe|in der umgebung"
    r"|hier in der gegend)\b"
)
BENEFITS = re.compile(
    r"\b(?:health\w*|medical|dental|vision|insurance|insured|plans?|401 ?\(?k\)?|retirement|pension|parental|maternity"
    r"|paternity|leave|sick|holidays?|wellness|wellbeing|gym|fitness|commut\w*|transit|learning|tuition|education"
    r"|training|stipend|allowance|life insurance|disability|hsa|fsa|eap|employee assistance|perks?|benefits?"
    r"|coverage|covered|cover|premiums?|deductibles?|copays?|enrol\w*|dependents?|spouse|partner|childcare"
    r"|child care|children|kids|family|fertility|mental health|therapy|counsel\w*|pets?|equipment|laptop|home office"
    r"|travel|expenses?|reimburs\w*|meals?|lunch|parking|bereavement|jury duty|volunteer\w*|sabbatical|espp"
    r"|stock purchase|adoption|caregiv\w*|salud|medic[oa]s?|seguros?|jubilacion|pension|permisos?|baja|maternidad"
    r"|paternidad|beneficios|prestaciones|cobertura|gimnasio|formacion|guarderia|reembolsos?|gastos|festivos"
    r"|hijos|familia|enfermedad|dentista"
    r"|probation\w*|notice periods?|resign\w*|termination|payroll|pay ?days?|overtime|polic(?:y|ies)|handbook"
    r"|code of conduct|dress code|periodo de prueba|preaviso|politicas?"
    # joining, screening, conduct and living on site: what onboarding, conduct and site documents answer
    r"|background (?:checks?|screening)|criminal record\w*|police (?:check|certificate)|right to work|work permits?"
    r"|drug (?:tests?|testing|screen\w*)|alcohol (?:tests?|testing)|health checks?|reference checks?|induction"
    r"|orientation|uniforms?|conduct|harassment|disciplinary|grievances?|housing|accommodation"
    r"|staff (?:quarters|rooms?)|dormitor\w*|canteen|shuttle|transport\w*|flights?|rotations?|fly-in|fly-out"
    r"|site rules|safety|ppe"
    r"|unsocial hours|night (?:premium|allowance)|weekend (?:premium|allowance)"
    r"|antecedentes|permiso de trabajo|prueba de (?:drogas|alcohol)|alojamiento|vivienda|comedor|transporte|vuelos?"
    r"|uniformes?|conducta|acoso|induccion|seguridad|nocturnidad|recargos?"
    r"|\w*fuhrungszeugnis|arbeitserlaubnis|aufenthaltstitel|drogentest\w*|alkoholtest\w*|betriebsarzt"
    r"|arbeitsmedizin\w*|\w*unterkunft|wohnheim|dienstwohnung|mitarbeiterwohnung|werksbus|fluge?|dienstkleidung"
    r"|arbeitskleidung|verhaltens\w*|belastigung|sicherheitsunterweisung|arbeitssicherheit|\w*zuschlag\w*"
    # German
    r"|krankenversicherung\w*|krankenkasse|versicherung\w*|versichert|gesundheit\w*|zahn\w*|brille|sehhilfe"
    r"|altersvorsorge|betriebsrente|rente|pensionskasse|elternzeit|elterngeld|mutterschutz|vaterschaft\w*"
    r"|sonderurlaub|krank\w*|feiertag\w*|fitnessstudio|jobticket|deutschlandticket|fahrtkosten\w*|pendel\w*"
    r"|weiterbildung\w*|fortbildung\w*|schulung\w*|zuschuss|zuschusse|pauschale|leistungen|zusatzleistungen"
    r"|sozialleistungen|mitarbeitervorteile|vorteile|kinderbetreuung|kita|kinder|familie|psychische gesundheit"
    r"|therapie|beratung|ausstattung|ausrustung|reisekosten|spesen|erstattung|ruckerstattung|mittagessen|essen"
    r"|kantine|essenszuschuss|parkplatz|parken|probezeit|kundigungsfrist\w*|kundigung|gehaltsabrechnung"
    r"|lohnabrechnung|uberstunden|richtlinien?|mitarbeiterhandbuch|verhaltenskodex|kleiderordnung"
    r"|vermogenswirksame leistungen|dienstwagen|firmenwagen|bildungsurlaub)\b"
)

# The candidate asking about their own offer ("in my offer", "do I get"), as opposed to a company policy.
OWN_OFFER = re.compile(
    r"\b(?:my (?:offer|contract|package|letter)|(?:in|on) my|(?:do|will|would|did|can) i (?:get|have|receive)"
    r"|i(?:'m| am) (?:getting|entitled|offered)|am i (?:entitled|getting|offered)|i get|mi oferta|mi contrato"
    r"|(?:tengo|recibo|me dan|me corresponden?)"
    r"|mein(?:em|en|e)? (?:angebot|vertrag|arbeitsvertrag|paket|angebotsschreiben)|(?:in|laut|nach) meinem"
    r"|(?:bekomme|habe|erhalte|kriege) ich|steht mir|ich (?:bekomme|erhalte|kriege|habe anspruch))\b"
)
PERSONAL = re.compile(
    r"\b(?:my|mine|i|i'm|i'd|i'll|me|mi|mis|yo|tengo|recibo|recibire|ich|mein|meine|meinen|meinem|meiner|meines|mir"
    r"|mich)\b"
)
# A question about how a policy works for everyone ("when is the bonus paid?", "which days do hybrid employees
# go in?"), which the documents answer rather than the candidate's own offer terms.
POLICY_FRAMING = re.compile(
    r"\b(?:employees?|staff|people|everyone|workers|team members|new (?:hires|joiners)|policy|policies|rules?"
    r"|empleados|politicas?"
    r"|mitarbeiter(?:innen|n)?|mitarbeitende[n]?|angestellte[n]?|beschaftigte[n]?|jeder|alle mitarbeiter\w*"
    r"|neue (?:mitarbeiter\w*|kollegen)|richtlinien?|regel(?:n|ung|ungen)?)\b"
    r"|\bwhen (?:is|are|do|does|will) (?:the |an? |our )?(?:[a-z-]+ ){1,3}(?:paid|paid out|pay out|payable)\b"
    r"|\bcuando se paga\w*\b"
    r"|\bwann (?:wird|werden) (?:der |die |das )?(?:[a-zß-]+ ){1,3}(?:ausgezahlt|gezahlt|bezahlt|ausbezahlt)\b"
)

# The start used only as a point in time ("what do I complete before I start?"): the question is about something
# else that happens before it, which the documents answer.
BEFORE_START = re.compile(
    r"\b(?:before|prior to|ahead of) (?:i |we )?(?:start|starting|begin|beginning|join|joining|commencing"
    r"|(?:my|the) (?:start|start date|first day|commencement)|day one)\b"
    # "before I can start", "before I'm able to join", "before I'm allowed to begin"
    r"|\bbefore (?:i|we) (?:can|could|may|might|will|would|(?:am|are|'m|'re) (?:able|allowed) to"
    r"|get to|officially) (?:\w+ )?(?:start|begin|join|commence)\b"
    r"|\bantes de (?:poder |que (?:pueda|empiece|comience) )(?:empezar|comenzar|incorporarme|trabajar)?\b"
    r"|\bbevor ich (?:\w+ ){0,3}(?:anfange|anfangen (?:kann|darf)|beginne|beginnen (?:kann|darf)|starte"
    r"|starten (?:kann|darf)|einsteige|antrete)\b"
    r"|\bantes de (?:empezar|comenzar|incorporarme|mi (?:fecha de )?(?:inicio|incorporacion|primer dia)"
    r"|la fecha de inicio)\b"
    r"|\bvor (?:dem |meinem |der )?(?:arbeitsbeginn|start|eintritt|beginn|antritt|ersten arbeitstag|dienstantritt)\b"
)
ASKS_WHEN = re.compile(r"\b(?:when|how long|how many (?:days|weeks)|what date|cuando|cuanto falta|wann|wie lange)\b")

# How long something lasts, or when it ends.
ASKS_UNTIL = re.compile(
    r"\b(?:until when|till when|how long (?:does|do|is|will|am)"
    r"|when (?:does|do|will) (?:\w+ ){1,3}(?:end|finish|run out|expire|stop|last)|hasta cuando"
    r"|cuanto (?:dura|tiempo dura)|cuando (?:termina|acaba|finaliza|vence)|bis wann"
    r"|wie lange (?:lauft|dauert|geht|gilt)|wann (?:endet|lauft|hort))\b"
    r"|\b(?:from when (?:to|until|till) when|desde cuando hasta cuando|von wann bis wann)\b"
)
# "From when to when is my contract?": both the start and the end.
FROM_TO_WHEN = re.compile(r"\b(?:from when (?:to|until|till) when|desde cuando hasta cuando|von wann bis wann)\b")
# A question naming an offer term that asks what only a document answers: whether the employer pays towards
# something, the employee's own share, whether one thing is included in another, pro-rata rules, pay day, a cost.
DOCUMENT_ASK = re.compile(
    r"\b(?:towards?|contribute to|my own (?:contribution|share)|employee(?:'s)? (?:contribution|share)"
    r"|do i (?:have to |need to )?(?:contribute|pay in|pay into)|included in|include[sd]? in|part of (?:my|the)"
    r"|on top of|pro[- ]?rata|pro[- ]?rated|prorated|pay ?days?|when (?:is|are|do|does|will) (?:\w+ ){0,4}"
    r"(?:paid|paid out|pay out|payable)|when (?:do|will|would) i (?:get|be) paid|how much does (?:it|the \w+) cost"
    r"|what does (?:it|the \w+) cost|how (?:do|does|can) (?:i|it|they|\w+) (?:exercise|claim|apply)"
    r"|mi (?:propia )?(?:aportacion|contribucion|parte)|aporto|incluid[oa]s? en|forma parte|a prorrata|prorrate\w*"
    r"|proporcional\w*|dia de (?:pago|cobro)|cuando (?:se )?(?:paga|pagan|cobra|cobro|abona)\w*|cuanto cuesta"
    r"|eigenanteil|eigenbeitrag|mein (?:eigener )?(?:beitrag|anteil)|enthalten|inbegriffen|anteilig|zeitanteilig"
    r"|zahltag|auszahlungstermin|wann (?:wird|werden|bekomme ich|erhalte ich) (?:\w+ ){0,4}(?:gezahlt|ausgezahlt"
    r"|bezahlt|uberwiesen)|was kostet|zuschuss (?:zu|fur)|beteiligt sich)\b"
)
# "When …": a question for a point in time, which a term that is no date does not answer ("when is my bonus paid?").
ASKS_A_TIME = re.compile(r"\b(?:when|what date|what day|cuando|que dia|wann|an welchem tag)\b")
# What a question asks for beyond a date, a place, a duration or a payer (`extractive.asked_kinds`): what
# something costs the candidate, the papers to bring, or whether the employer pays for it ("do you pay my flights?").
ASKS_COST = re.compile(
    r"\b(?:how much (?:does|do|will|would|is) (?:\w+ ){1,4}cost|what (?:does|do|will|would) (?:\w+ ){1,4}cost"
    r"|(?:cost|charge|deduct)s? (?:me|us)|cuanto (?:cuesta|cuestan|me cobran|me descuentan)|que (?:cuesta|me cuesta)"
    r"|was kostet|wie ?viel kostet|was (?:muss|zahle) ich (?:\w+ ){0,3}(?:zahlen|dafur))\b"
)
ASKS_PAPERS = re.compile(
    r"\b(?:what|which) (?:papers|paperwork|documents|documentation|certificates?|forms|id)\b"
    r"|\b(?:que|cuales) (?:papeles|documentos|certificados|formularios)\b"
    r"|\bwelche (?:unterlagen|dokumente|papiere|nachweise|bescheinigungen|formulare)\b"
)
ASKS_IF_PAID = re.compile(
    r"\b(?:do|does|will|would|can) (?:you|the company|they|the employer|\w+) (?:pay|cover|reimburse|fund) (?:for )?"
    r"(?:my|the|our|a|an)\b|\bis (?:\w+ ){1,3}(?:paid for|covered|reimbursed)\b"
    r"|\b(?:pagan|cubren|reembolsan|paga|cubre) (?:ustedes |la empresa )?(?:mi|mis|el|la|los|las)\b"
    r"|\b(?:zahlt|zahlen|ubernimmt|ubernehmen|erstattet|erstatten) (?:ihr|sie|die firma|das unternehmen) (?:mir )?"
    r"(?:mein|meine|den|die|das)\b"
)
# A document sentence saying a group does not get something: for a term the offer lacks, that is the answer.
NOT_ELIGIBLE = re.compile(
    r"\b(?:not eligible|ineligible|(?:are|is) excluded|excluded from"
    r"|(?:do|does|will) not (?:receive|qualify|participate|earn|get|accrue)|(?:are|is) not entitled"
    r"|no (?:son|es|seran?) elegibles?|no tienen? derecho|quedan? excluid[oa]s?"
    r"|no (?:reciben|recibe|participan|participa|generan)|nicht (?:berechtigt|anspruchsberechtigt|teilnahmeberechtigt)"
    r"|kein(?:en)? anspruch|ausgenommen|ausgeschlossen|nehmen nicht teil|erhalten kein\w*)\b"
)
# When something recurs, which answers "when?" without a date ("monthly on the last working day", "cada quincena").
RECURRING = re.compile(
    r"\b(?:daily|weekly|bi-?weekly|fortnightly|monthly|quarterly|annually|yearly|every|each"
    r"|(?:last|first) (?:working |business )?day|semanal\w*|quincenal\w*|mensual\w*|cada|trimestral\w*"
    r"|ultimo dia|wochentlich|monatlich|vierteljahrlich|jahrlich|jede[nmr]?|letzte[nr]? (?:arbeits|werk)?tag)\b"
)
# Words of a date term's label that say it is a date, not what it is about.
DATE_WORDS = frozenset({"datum", "fecha", "dates", "until", "hasta", "desde", "since"})
# Words for one's own earnings: with no offer term named, only these ask for base pay ("pay" may be a benefit's).
# A German compound names them by its last part ("Wochenbrutto", "Monatsgehalt").
OWN_PAY = re.compile(
    r"\b(?:earn\w*|gross|take home|bring in|salary|wages?|pay ?checks?|pay ?cheques?|cobr\w*|ganar\w*|gano|bruto"
    r"|salario|sueldo|nomina|verdien\w*|\w*brutto|\w*gehalt|\w*lohn)\b"
)
# Words that make an amount rough ("how much is that a year, roughly?", "¿y al año, más o menos?"): they ask for one.
ROUGHLY = re.compile(
    r"\b(?:roughly|approximately|approx|about|around|ballpark|more or less|give or take|aproximadamente"
    r"|mas o menos|masomenos|unos|ungefahr|etwa|circa|ca)\b"
)
# "What's the overtime rate?": a rate is asked for even without "how much"; an amount answers it, no choice's value.
ASKS_RATE = re.compile(r"\b(?:rate|rates|tarifa|precio por hora|satz|stundensatz|stundenlohn)\b")
