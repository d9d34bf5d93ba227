"""The English and Spanish wording the router looks for. Patterns run on accent-folded, lower-case text unless
their name says otherwise (NAMED_DATA reads the original capitalisation)."""

from __future__ import annotations

import re

_PEOPLE = (
    r"(?:candidates?|applicants?|employees?|hires?|people|engineers?|designers?|persons?|team ?members?"
    r"|colleagues?|staff|workers?|managers?)"
)
# Up to two words qualifying the people ("other engineering managers"), never a preposition ("other perks for staff").
_MODIFIERS = r"(?:(?!(?:for|of|to|in|on|at|with|and|or|than|from|by)\b)[a-z-]+ ){0,2}"
_PAY = r"(?:offers?|salary|salaries|pay|bonus|equity|compensation|comp|package|stock|rsus?|sign-?on)"
OTHER_PEOPLE = re.compile(
    rf"\b(?:other|another|different|previous|past|all the|rest of the) {_MODIFIERS}{_PEOPLE}\b"
    r"|\b(?:people|others|someone|somebody|candidates|employees|engineers) (?:like me|in my (?:position|shoes))\b"
    r"|\b(?:someone|somebody|anyone|everyone|everybody|anybody) else\b"
    rf"|\b(?:my|a|his|her|their) (?:friend|colleague|coworker|co-worker|partner|wife|husband|spouse|brother|sister"
    rf"|manager|boss|recruiter|team lead|peer)'?s? {_PAY}\b"
    r"|\bwhat (?:do|does|did) (?:others|other people|they|he|she|people|engineers|everyone) (?:make|earn|get|receive)\b"
    r"|\b(?:peers?|others|people) in (?:the same|this|my|similar) (?:role|team|position|level|job)\b"
    r"|\b(?:list|all) (?:of )?(?:the )?(?:candidates|applicants|offers|employees)\b"
    r"|\b(?:who else|how many other)\b"
    r"|\botr[oa]s? (?:candidat[oa]s?|emplead[oa]s?|aspirantes|personas|ingenier[oa]s)\b|\balguien mas\b"
    r"|\b(?:de|del) mi (?:amig[oa]|coleg[oa]|companer[oa]|pareja|espos[oa]|jef[ea])\b"
)
CONTACT_NOUN = re.compile(r"\b(?:email|e-mail|phone|number|contact|correo|telefono)\b")
_NAME = r"[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?"
NAMED_DATA = re.compile(
    rf"(?P<name>\b{_NAME})['’]s\s+(?:\w+\s+)?(?i:offer|salary|pay|bonus|equity|compensation|package|start date"
    r"|address|email|phone|number|details|sign-on|stock|contract|review|rating)\b"
    r"|\b(?i:offer|salary|pay|bonus|equity|compensation|package|address|email|phone number|details|oferta|salario"
    rf"|sueldo|bono|direcci[oó]n|correo|tel[eé]fono)\s+(?i:of|for|de|del)\s+(?P<name2>{_NAME})"
    rf"|\b(?i:how much|what)\s+(?i:does|did|will|is|was)\s+(?P<name3>{_NAME})\s+"
    r"(?i:make|earn|get|getting|paid|being paid|offered)\b"
    rf"|\b(?i:cu[aá]nto)\s+(?i:gana|cobra|le ofrecieron a)\s+(?P<name4>{_NAME})"
    rf"|^\s*(?i:who is|who's|quien es|qui[eé]n es)\s+(?P<name5>{_NAME})\s*\??\s*$"
)
NOT_NAMES = ("I", "My", "The", "Your", "What", "How", "This", "That", "Our", "Company", "Team", "Mi", "Tu", "El", "La")

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
    r"|\bwho (?:needs to|has to|must|will|should|would|does|do|can|is going to) (?:approve|sign off)\b"
    r"|\b(?:approves?|approving|signs? off on) (?:my|the|this) offer\b"
    r"|\bnotas internas\b|\b(?:banda|rango) salarial\b|\bpresupuesto\b|\blo maximo que (?:pueden|podrian)\b"
)

QUESTION_BEFORE = re.compile(
    r"(?:\b(?:how|can|could|should|shall|if|when|once|after|before|whether|do|does|did|may|might|what happens if"
    r"|como|puedo|si|cuando|despues de que|antes de que|deberia)\s+(?:i\s+|we\s+|yo\s+)?(?:\w+\s+){0,2}|\bto\s+)$"
)
ACCEPT = re.compile(
    r"\b(?:i|we)(?:'d| would| will|'ll|'m| am)? (?:like to |want to |wish to |happy to |delighted to |pleased to "
    r"|excited to |going to |ready to |be happy to |formally |hereby |officially )?(?:accept|take (?:it|the offer|"
    r"the job|the role|the position))\b(?! (?:it |the offer )?(?:if|only|but|provided|assuming))"
    r"|\b(?:count me in|where do i sign|yes,? i accept|it'?s a yes)\b"
    r"|\b(?:acepto|quiero aceptar|me gustaria aceptar|voy a aceptar)\b(?! (?:la oferta )?(?:si|solo))"
)
DECLINE = re.compile(
    r"\b(?:i|we)(?:'d| would| will|'ll|'m| am| have| must| need to| have to)? (?:like to |want to |going to "
    r"|decided to |regretfully |sadly |unfortunately |to )?(?:decline|reject|turn down|pass on|not accept|not be "
    r"accepting|won'?t be accepting|will not be accepting|can'?t accept|cannot accept|declining)\b"
    r"(?! \w*\s*(?:\d|\$|£|€))"
    r"|\b(?:no longer interested|decided not to (?:join|accept)|decided to go with another|i'?ll pass|"
    r"not going to accept)\b"
    r"|\b(?:rechazo la oferta|voy a rechazar|quiero rechazar|no voy a aceptar|no acepto la oferta|declino)\b"
)
NEGOTIATE = re.compile(
    r"\b(?:negotia\w*|counter ?-?offer|counter ?propos\w*|discuss (?:my|the) (?:offer|salary|package|terms)"
    r"|flexib\w*|wiggle room|room to move|is there (?:any )?room|better offer|improve (?:the|my) offer"
    r"|another offer|other offer|competing offer|counter|otra oferta|oferta de otra empresa"
    r"|negociar|negociable|negociacion|contraoferta|mejorar (?:la|mi) oferta)\b"
)
MORE_PLEASE = re.compile(
    r"\b(?:more|higher|increase|raise|bump|extra|additional|earlier|later|mas|subir|aumentar|aumento)\b"
)
DEADLINE = re.compile(
    r"\b(?:deadline|expire|expires|expiry|expiration|how long do i have|how much time do i have|respond by|reply by"
    r"|decide by|decision by|until when|time to decide|valid until|when (?:do|should|must) i (?:need to )?(?:respond"
    r"|decide|answer|reply|sign)|when is (?:it|the offer) due|fecha limite|vence|caduca|plazo|hasta cuando"
    r"|cuanto tiempo tengo|more time|an extension|extend (?:the|my) (?:deadline|offer)|mas tiempo|prorroga)\b"
)
NEXT_STEPS = re.compile(
    r"\b(?:next steps?|what happens (?:next|now|after)|what'?s next|after i (?:accept|sign)|how (?:do|can|should) i"
    r" (?:accept|sign|decline|respond|reply|proceed)|how to (?:accept|sign|decline)|what do i (?:need to )?do next"
    r"|the process|background check|onboarding|proximos pasos|siguientes pasos|que sigue|que pasa (?:despues|ahora)"
    r"|como (?:acepto|firmo|rechazo)|el proceso)\b"
)
LETTER = re.compile(
    r"\b(?:offer letter|the letter|my letter|copy of (?:my|the) offer|send me (?:my|the) offer|pdf|carta de oferta"
    r"|la carta|copia de (?:mi|la) oferta)\b"
)
CONTACT = re.compile(
    r"\b(?:recruiter|recruiting team|talent partner|hr contact|contact (?:you|someone|somebody|a person|my|the|hr)"
    r"|reach (?:you|someone|a person|my|the)|talk to (?:a |an )?(?:human|person|someone|somebody|real person"
    r"|recruiter)|speak (?:to|with) (?:a|an|someone|somebody|my|the)|who (?:do|can|should) i (?:talk|speak|ask"
    r"|contact)|reclutador\w*|contactar|hablar con|persona de contacto|con quien (?:hablo|puedo hablar))\b"
)

HELLO = re.compile(
    r"\b(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|hola|buenos dias|buenas tardes"
    r"|buenas noches|buenas)\b"
)
THANKS = re.compile(r"\b(?:thanks|thank you|thx|ty|cheers|appreciate it|much appreciated|gracias|muchas gracias)\b")
ACK = re.compile(
    r"\b(?:ok|okay|okey|great|cool|perfect|nice|got it|understood|sounds good|makes sense|noted|alright|vale|perfecto"
    r"|genial|entendido|de acuerdo|claro|muy bien)\b"
)
BYE = re.compile(r"\b(?:bye|goodbye|see you|talk later|that'?s all|adios|hasta luego|nos vemos|chao)\b")
HELP = re.compile(
    r"\b(?:help|what can you do|who are you|what can i ask|what do you do|how does this work|ayuda|que puedes hacer"
    r"|quien eres)\b"
)
SMALLTALK_FILLER = re.compile(
    r"\b(?:there|team|again|so much|a lot|very much|all|for (?:the|your) help|ok|okay|great|cool|perfect|nice|yes"
    r"|sure|got it|understood|vale|perfecto|genial|de acuerdo|entendido|claro|si|muy|amable|me|you|please|por favor"
    r"|so|and|y|how are you|como estas|que tal)\b"
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
    r"|code of conduct|dress code|periodo de prueba|preaviso|politicas?)\b"
)

# The candidate asking about their own offer ("in my offer", "do I get"), as opposed to a company policy.
OWN_OFFER = re.compile(
    r"\b(?:my (?:offer|contract|package|letter)|(?:in|on) my|(?:do|will|would|did|can) i (?:get|have|receive)"
    r"|i(?:'m| am) (?:getting|entitled|offered)|am i (?:entitled|getting|offered)|i get|mi oferta|mi contrato"
    r"|(?:tengo|recibo|me dan|me corresponden?))\b"
)
PERSONAL = re.compile(r"\b(?:my|mine|i|i'm|i'd|i'll|me|mi|mis|yo|tengo|recibo|recibire)\b")
# A question about how a policy works for everyone ("when is the bonus paid?", "which days do hybrid employees
# go in?"), which the documents answer rather than the candidate's own offer terms.
POLICY_FRAMING = re.compile(
    r"\b(?:employees?|staff|people|everyone|workers|team members|new (?:hires|joiners)|policy|policies|rules?"
    r"|empleados|politicas?)\b"
    r"|\bwhen (?:is|are|do|does|will) (?:the |an? |our )?(?:[a-z-]+ ){1,3}(?:paid|paid out|pay out|payable)\b"
    r"|\bcuando se paga\w*\b"
)
