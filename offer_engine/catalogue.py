"""The term catalogue: every offer term described once — the built-in ones and any a tenant declares.

A term has a key, a type, where it lives in iCIMS, labels and synonyms per language, and three flags: whether
a candidate may see it (`internal`), whether it can be negotiated, and whether the approved value is written
back to iCIMS. Intake, chat facts, counter-offers, letters and review screens read their labels and types here.

A tenant declares its own terms (and relabels built-in ones) in ``[tenant.terms]`` of its configuration; see
``icims.mapping.TermConfig`` for the shape and ``build_catalogue`` for the checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from icims.mapping import FieldRef, TenantMapping, TermConfig
from offer_engine.terms import PayPeriod, WorkArrangement

# How a pay basis and a unit are written after a figure, per language (English for any other).
BASIS_WORDS: dict[str, dict[PayPeriod, str]] = {
    "en": {PayPeriod.YEAR: "per year", PayPeriod.MONTH: "per month", PayPeriod.WEEK: "per week",
           PayPeriod.HOUR: "per hour"},
    "es": {PayPeriod.YEAR: "al año", PayPeriod.MONTH: "al mes", PayPeriod.WEEK: "a la semana",
           PayPeriod.HOUR: "por hora"},
    "de": {PayPeriod.YEAR: "pro Jahr", PayPeriod.MONTH: "pro Monat", PayPeriod.WEEK: "pro Woche",
           PayPeriod.HOUR: "pro Stunde"},
}  # fmt: skip
UNIT_WORDS: dict[str, dict[str, str]] = {
    "en": {"days": "days", "weeks": "weeks", "months": "months", "years": "years", "hours": "hours"},
    "es": {"days": "días", "weeks": "semanas", "months": "meses", "years": "años", "hours": "horas"},
    "de": {"days": "Tage", "weeks": "Wochen", "months": "Monate", "years": "Jahre", "hours": "Stunden"},
}


class TermType(StrEnum):
    MONEY = "money"  # an amount in the offer's currency
    MONEY_RATE = "money_rate"  # an amount per `basis` (hour, week, month, year)
    PERCENT = "percent"
    COUNT = "count"  # a number not below 0 (37.5 hours), optionally of a `unit`
    DATE = "date"
    DURATION = "duration"  # a number of `unit`s (days, weeks, months, years)
    TEXT = "text"
    CHOICE = "choice"  # a list value, optionally mapped to a meaning by `values`


NEGOTIABLE_BY_DEFAULT = frozenset(TermType) - {TermType.TEXT}
DURATION_UNITS = ("days", "weeks", "months", "years")


class CatalogueError(ValueError):
    """A term declaration that cannot be used; the message names the key and the reason."""


class TermDefinition(BaseModel):
    """One offer term as every part of the product sees it."""

    model_config = ConfigDict(frozen=True)

    key: str
    type: TermType
    builtin: bool = False
    sources: list[FieldRef] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)  # language -> label
    synonyms: dict[str, list[str]] = Field(default_factory=dict)  # language -> phrases that name the term
    weak: list[str] = Field(default_factory=list)  # phrases that also occur in benefits questions ("pay", "leave")
    negotiable: bool = False
    internal: bool = False
    write_back: bool = False
    basis: PayPeriod | None = None  # money_rate
    unit: str | None = None  # count, duration
    values: dict[str, str] = Field(default_factory=dict)  # iCIMS list value (id or text) -> meaning
    default: str | None = None
    # base_salary: how many payments a year and hours a week (a number, or the key of a count term that holds it),
    # and whether an annual equivalent of an hourly or weekly rate may be shown.
    payments_per_year: str | None = None
    hours_per_week: str | None = None
    annual_equivalent: bool = False
    percent_of: str | None = None  # percent terms: "month" (of one monthly salary) or "year"; None: not known

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.key.replace("_", " ").capitalize()

    @property
    def phrases(self) -> list[str]:
        """Every label and synonym in every language: how a candidate may name the term."""
        found = [*self.labels.values(), *(s for group in self.synonyms.values() for s in group)]
        return list(dict.fromkeys(p for p in found if p.strip()))

    def meaning_of(self, raw: str) -> str | None:
        """The configured meaning of a list value (by id or text, case-insensitively), or None."""
        wanted = raw.strip().lower()
        return next((meaning for value, meaning in self.values.items() if value.strip().lower() == wanted), None)


def _builtin(
    key: str,
    type_: TermType,
    labels: tuple[str, str, str],
    synonyms: Iterable[str] = (),
    weak: Iterable[str] = (),
    *,
    negotiable: bool = False,
    unit: str | None = None,
) -> TermDefinition:
    en, es, de = labels
    return TermDefinition(
        key=key, type=type_, builtin=True, labels={"en": en, "es": es, "de": de},
        synonyms={"any": list(synonyms)}, weak=list(weak), negotiable=negotiable, unit=unit,
    )  # fmt: skip


# Synonyms are folded text (lower case, no accents): the chat matches them against folded messages.
BUILTIN_TERMS: tuple[TermDefinition, ...] = (
    _builtin(
        "sign_on_bonus", TermType.MONEY, ("Sign-on bonus", "Bono de incorporación", "Antrittsprämie"),
        ("sign-on", "sign on", "signon", "signing bonus", "sign-on bonus", "joining bonus", "welcome bonus",
         "hiring bonus", "bono de firma", "bono de incorporacion", "prima de incorporacion", "prima de fichaje",
         "bono de bienvenida", "bono por firma", "antrittspramie", "antrittsbonus", "unterschriftsbonus",
         "signing-bonus", "einstiegsbonus", "willkommensbonus", "bono de contratacion", "bono por contratacion",
         "bono de enganche", "bono de ingreso", "bono de reclutamiento", "bono de atraccion", "bono de fichaje",
         "prima de contratacion", "prima de firma", "prima de ingreso", "gratificacion de ingreso",
         "einstiegspramie", "willkommenspramie", "unterschriftspramie", "anwerbepramie", "wechselpramie",
         "startpramie", "startbonus", "antrittsgeld"),
        negotiable=True,
    ),
    _builtin(
        "bonus_target_percent", TermType.PERCENT, ("Bonus target", "Bono objetivo", "Zielbonus"),
        ("bonus", "bonus target", "target bonus", "annual bonus", "performance bonus", "bono", "bonificacion",
         "bono anual", "bono objetivo", "incentive", "zielbonus", "bonusziel", "jahresbonus", "variable verguetung",
         "variable vergutung", "variabler bonus", "bonuszahlung", "variable pay", "variabler anteil", "variable",
         "variabel", "variablen anteil", "variable portion", "parte variable", "retribucion variable"),
        negotiable=True,
    ),
    _builtin(
        "vesting_schedule", TermType.TEXT, ("Vesting schedule", "Calendario de consolidación", "Vesting-Plan"),
        ("vest", "vesting", "vests", "vested", "cliff", "consolidacion", "consolidan", "se consolida", "unverfallbar"),
    ),
    _builtin(
        "equity_units", TermType.COUNT, ("Equity", "Acciones", "Aktienbeteiligung"),
        ("equity", "stock", "rsu", "rsus", "shares", "stock options", "options", "equity grant", "acciones",
         "participaciones", "opciones sobre acciones", "aktien", "aktienoptionen", "optionen", "beteiligung"),
        negotiable=True,
    ),
    _builtin(
        "base_salary", TermType.MONEY, ("Base salary", "Salario base", "Grundgehalt"),
        ("salary", "base salary", "base", "base pay", "annual salary", "compensation", "comp", "wage", "wages",
         "hourly rate", "hourly pay", "pay rate", "rate of pay", "how much will i make", "how much will i earn",
         "how much will i be paid", "sueldo", "salario", "salario base", "remuneracion", "compensacion",
         "cuanto voy a ganar", "cuanto gano", "cuanto ganare", "salaire", "gehalt", "grundgehalt", "jahresgehalt",
         "monatsgehalt", "stundenlohn", "lohn", "wie viel verdiene ich", "stipendio", "remuneracao", "me pagan",
         "me van a pagar", "cuanto cobro", "cuanto cobrare", "sueldo por hora", "pago por hora", "tarifa por hora",
         "salario por hora", "stundensatz", "bruttogehalt", "jahresbrutto", "what do i make", "what will i make",
         "jahreslohn", "monatslohn", "bruttolohn", "jahresgrundgehalt", "fixgehalt", "fixum", "pagas",
         "numero de pagas", "monatsgehalter", "payments a year", "how many payments"),
        ("pay", "paid", "earn", "paga", "verdiene", "verdienen"),
        negotiable=True,
    ),
    _builtin(
        "start_date", TermType.DATE, ("Start date", "Fecha de inicio", "Eintrittsdatum"),
        ("start date", "starting date", "first day", "when do i start", "when will i start", "join date",
         "joining date", "start", "fecha de inicio", "fecha de incorporacion", "primer dia", "cuando empiezo",
         "cuando comienzo", "empiezo", "empezar", "comienzo", "incorporacion", "eintrittsdatum", "startdatum",
         "erster arbeitstag", "arbeitsbeginn", "wann fange ich an", "beginn"),
        negotiable=True,
    ),
    _builtin(
        "work_arrangement", TermType.CHOICE, ("Work arrangement", "Modalidad de trabajo", "Arbeitsmodell"),
        ("remote", "remotely", "hybrid", "onsite", "on-site", "on site", "in office", "in the office", "work from home",
         "wfh", "work arrangement", "teletrabajo", "remoto", "hibrido", "presencial", "trabajo desde casa",
         "modalidad", "homeoffice", "home-office", "mobiles arbeiten", "arbeitsmodell", "vor ort"),
        ("office",),
        negotiable=True,
    ),
    _builtin(
        "relocation", TermType.MONEY, ("Relocation", "Reubicación", "Umzugskostenzuschuss"),
        ("relocation", "relo", "relocate", "relocating", "relocation package", "relocation bonus",
         "relocation allowance", "relocation assistance", "moving costs", "moving expenses", "reubicacion",
         "mudanza", "traslado", "relocalizacion", "umzug", "umzugskosten", "umzugspauschale", "umzugskostenzuschuss"),
        ("moving", "move"),
        negotiable=True,
    ),
    _builtin(
        "pto_days", TermType.COUNT, ("Paid time off", "Vacaciones", "Urlaubstage"),
        ("pto", "vacation", "vacation days", "paid time off", "days off", "annual leave", "holiday allowance",
         "holiday entitlement", "vacaciones", "dias libres", "dias de vacaciones", "urlaub", "urlaubstage",
         "urlaubsanspruch", "jahresurlaub", "ferien", "ferientage", "ferienanspruch", "vacation days"),
        ("time off",),
        negotiable=True,
        unit="days",
    ),
    _builtin(
        "title", TermType.TEXT, ("Job title", "Puesto", "Position"),
        ("title", "job title", "position", "my role", "what role", "puesto", "cargo", "titulo", "stellenbezeichnung",
         "jobtitel", "meine position", "meine rolle"),
        ("role",),
        negotiable=True,
    ),
    _builtin(
        "reports_to", TermType.TEXT, ("Manager", "Responsable", "Vorgesetzte/r"),
        ("manager", "report to", "reports to", "reporting to", "boss", "hiring manager", "supervisor",
         "who will i report", "jefe", "jefa", "responsable", "gerente", "a quien reporto", "vorgesetzter",
         "vorgesetzte", "chef", "chefin", "fuhrungskraft", "wem berichte ich"),
    ),
    _builtin(
        "location", TermType.TEXT, ("Location", "Ubicación", "Arbeitsort"),
        ("location", "where will i work", "office location", "where is the office", "based", "ubicacion",
         "donde trabajare", "sede", "arbeitsort", "standort", "wo arbeite ich"),
    ),
    _builtin(
        "expiry_date", TermType.DATE, ("Offer expiry", "Vencimiento de la oferta", "Gültigkeit des Angebots"),
        ("expiry date", "expiration date", "offer expiry", "fecha de vencimiento", "vencimiento", "gultig bis",
         "ablaufdatum", "sign by", "sign it by", "signed by", "deadline to sign", "firmar antes", "firmarla antes",
         "unterschreiben bis", "unterzeichnen bis"),
    ),
    _builtin(
        "department", TermType.TEXT, ("Department", "Departamento", "Abteilung"),
        ("department", "departamento", "which team", "abteilung"), ("team",),
    ),
    _builtin(
        "special_terms", TermType.TEXT, ("Special terms", "Condiciones especiales", "Sondervereinbarungen"),
        ("special terms", "visa", "sponsorship", "special conditions", "condiciones especiales",
         "terminos especiales", "patrocinio", "sondervereinbarungen", "besondere bedingungen"),
    ),
)  # fmt: skip

BUILTIN_BY_KEY = {term.key: term for term in BUILTIN_TERMS}
# Keys of [tenant.terms] that say where something is read but are not offer terms of their own.
MAPPING_KEYS = frozenset(
    {
        "jurisdiction_country",
        "jurisdiction_region",
        "currency",
        "pay_period",
        "recruiter",
        "preferred_language",
        "signer_name",
        "signer_title",
    }
)
PAY_PERIOD_WORDS = {
    "hour": PayPeriod.HOUR, "hourly": PayPeriod.HOUR, "per hour": PayPeriod.HOUR, "hr": PayPeriod.HOUR,
    "week": PayPeriod.WEEK, "weekly": PayPeriod.WEEK, "per week": PayPeriod.WEEK,
    "month": PayPeriod.MONTH, "monthly": PayPeriod.MONTH, "per month": PayPeriod.MONTH,
    "year": PayPeriod.YEAR, "yearly": PayPeriod.YEAR, "annual": PayPeriod.YEAR, "annually": PayPeriod.YEAR,
    "per year": PayPeriod.YEAR, "salaried": PayPeriod.YEAR, "salary": PayPeriod.YEAR, "exempt": PayPeriod.YEAR,
    "stundenlohn": PayPeriod.HOUR, "monatlich": PayPeriod.MONTH, "jahrlich": PayPeriod.YEAR,
    "por hora": PayPeriod.HOUR, "mensual": PayPeriod.MONTH, "anual": PayPeriod.YEAR, "semanal": PayPeriod.WEEK,
}  # fmt: skip
WORK_ARRANGEMENT_WORDS = {
    "onsite": WorkArrangement.ONSITE, "inoffice": WorkArrangement.ONSITE, "office": WorkArrangement.ONSITE,
    "hybrid": WorkArrangement.HYBRID, "remote": WorkArrangement.REMOTE, "fullyremote": WorkArrangement.REMOTE,
}  # fmt: skip


class Catalogue(BaseModel):
    """The terms of one tenant: the built-in ones (relabelled as configured) and the tenant's own."""

    model_config = ConfigDict(frozen=True)

    terms: dict[str, TermDefinition]
    pay_period: TermDefinition  # how the pay basis of base_salary is read: values and default
    # The names a tenant gave built-in terms beyond the built-in ones (labels and synonyms), by key.
    added_names: dict[str, list[str]] = Field(default_factory=dict)

    def get(self, key: str) -> TermDefinition | None:
        return self.terms.get(key)

    @property
    def tenant_terms(self) -> list[TermDefinition]:
        """The terms this tenant declared beyond the built-in ones."""
        return [term for term in self.terms.values() if not term.builtin]

    def label(self, key: str, language: str) -> str:
        term = self.terms.get(key)
        return term.label(language) if term else key.replace("_", " ").capitalize()


_UNIT_SUFFIX = {"equity_units": " (units)", "pto_days": " (days)"}


def staff_label(key: str, catalogue: Catalogue | None = None) -> str:
    """A term's English label in running text: the tenant's own label where it declared one."""
    if key == "other":
        return "other terms"
    term = (catalogue.get(key) if catalogue else None) or BUILTIN_BY_KEY.get(key)
    if term is None:
        return key.replace("_", " ")
    label = term.label("en")
    text = label if label.isupper() else label[:1].lower() + label[1:]
    return text + _UNIT_SUFFIX.get(key, "")


DEFAULT_PAY_PERIOD = TermDefinition(key="pay_period", type=TermType.CHOICE, builtin=True, default="year")


def build_catalogue(mapping: TenantMapping) -> Catalogue:
    """The tenant's catalogue; CatalogueError naming the key for a declaration that cannot be used."""
    terms = dict(BUILTIN_BY_KEY)
    for key in mapping.terms:
        if key not in BUILTIN_BY_KEY and key not in MAPPING_KEYS and key not in mapping.term_configs:
            raise CatalogueError(
                f"tenant.terms.{key}: {key!r} is not a built-in term; declare it as a table with `source` and "
                f"`type` (one of {', '.join(t.value for t in TermType)})"
            )
    for key, config in mapping.term_configs.items():
        if key == "pay_period":
            continue
        terms[key] = _declared(key, config, terms.get(key))
    pay_period = _pay_period(mapping.term_configs.get("pay_period"))
    _check_unique_labels(terms.values())
    _check_pay_references(terms)
    added = {
        key: [p for p in term.phrases if p not in set(BUILTIN_BY_KEY[key].phrases)]
        for key, term in terms.items()
        if key in BUILTIN_BY_KEY
    }
    return Catalogue(terms=terms, pay_period=pay_period, added_names={k: v for k, v in added.items() if v})


def _declared(key: str, config: TermConfig, builtin: TermDefinition | None) -> TermDefinition:
    where = f"tenant.terms.{key}"
    if builtin is None and key in MAPPING_KEYS:
        if config.type is not None:
            raise CatalogueError(f"{where}: the type of {key} is fixed; give only its source")
        return TermDefinition(key=key, type=TermType.TEXT, builtin=True, sources=config.source, internal=True)
    if builtin is None and config.type is None:
        raise CatalogueError(
            f"{where}: {key!r} is not a built-in term; declare it as a table with `source` and `type` "
            f"(one of {', '.join(t.value for t in TermType)})"
        )
    if builtin is not None and config.type is not None and config.type != builtin.type.value:
        raise CatalogueError(f"{where}: {key} is a built-in term of type {builtin.type.value}, not {config.type}")
    if builtin is None and not config.source:
        raise CatalogueError(f"{where}: give `source`, the iCIMS field(s) the term is read from")
    type_ = builtin.type if builtin else TermType(config.type or "text")
    _check_shape(where, type_, config)
    base = builtin or TermDefinition(key=key, type=type_, negotiable=type_ in NEGOTIABLE_BY_DEFAULT)
    return base.model_copy(
        update={
            "sources": config.source,
            "labels": {**base.labels, **config.labels},
            "synonyms": {**base.synonyms, **config.synonyms},
            "negotiable": base.negotiable if config.negotiable is None else config.negotiable,
            "internal": config.internal,
            "write_back": config.write_back,
            "basis": PayPeriod(config.basis) if config.basis else None,
            "unit": config.unit or base.unit,
            "values": config.values,
            "payments_per_year": _plain(config.payments_per_year),
            "hours_per_week": _plain(config.hours_per_week),
            "annual_equivalent": config.annual_equivalent,
            "percent_of": config.percent_of,
        }
    )


def _plain(value: int | float | str | None) -> str | None:
    return None if value is None else str(value)


def _check_shape(where: str, type_: TermType, config: TermConfig) -> None:
    if type_ is TermType.MONEY_RATE and config.basis is None:
        raise CatalogueError(f"{where}: a money_rate term needs `basis` (hour, week, month or year)")
    if config.basis is not None and type_ is not TermType.MONEY_RATE:
        raise CatalogueError(f"{where}: `basis` is only for money_rate terms")
    if type_ is TermType.DURATION and config.unit not in DURATION_UNITS:
        raise CatalogueError(f"{where}: a duration term needs `unit`, one of {', '.join(DURATION_UNITS)}")
    pay_keys = config.payments_per_year is not None or config.hours_per_week is not None or config.annual_equivalent
    if pay_keys and not where.endswith(".base_salary"):
        raise CatalogueError(f"{where}: payments_per_year, hours_per_week and annual_equivalent are for base_salary")
    if config.percent_of is not None and type_ is not TermType.PERCENT:
        raise CatalogueError(f"{where}: `percent_of` is only for percent terms")
    if config.values and type_ is not TermType.CHOICE:
        raise CatalogueError(f"{where}: `values` is only for choice terms")
    if where.endswith(".work_arrangement"):
        meanings = {m.value for m in WorkArrangement}
        wrong = [v for v in config.values.values() if v not in meanings]
        if wrong:
            raise CatalogueError(f"{where}: values may only mean {', '.join(sorted(meanings))}, not {wrong[0]!r}")


def _pay_period(config: TermConfig | None) -> TermDefinition:
    if config is None:
        return DEFAULT_PAY_PERIOD
    where = "tenant.terms.pay_period"
    periods = {p.value for p in PayPeriod}
    wrong = [v for v in [*config.values.values(), config.default or "year"] if v not in periods]
    if wrong:
        raise CatalogueError(f"{where}: {wrong[0]!r} is not a pay basis (one of {', '.join(sorted(periods))})")
    return DEFAULT_PAY_PERIOD.model_copy(
        update={"sources": config.source, "values": config.values, "default": config.default or "year"}
    )


def _check_pay_references(terms: dict[str, TermDefinition]) -> None:
    base = terms["base_salary"]
    for name, ref in (("payments_per_year", base.payments_per_year), ("hours_per_week", base.hours_per_week)):
        if ref is None or _is_number(ref):
            continue
        term = terms.get(ref)
        if term is None or term.builtin or term.type not in (TermType.COUNT, TermType.DURATION):
            raise CatalogueError(
                f"tenant.terms.base_salary.{name}: {ref!r} is neither a number nor a count term declared here"
            )


def _is_number(text: str) -> bool:
    try:
        return Decimal(text) > 0
    except ArithmeticError:
        return False


def _check_unique_labels(terms: Iterable[TermDefinition]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for term in terms:
        for language, label in term.labels.items():
            key = (language, label.strip().lower())
            if key in seen and seen[key] != term.key:
                raise CatalogueError(
                    f"tenant.terms.{term.key}: the {language} label {label!r} is already the label of {seen[key]}"
                )
            seen[key] = term.key


class ValueFormats:
    """How one reader's figures are written: the chat (by language) and letters (by locale) pass their own."""

    def __init__(
        self,
        language: str,
        money: Callable[[Decimal], str],
        number: Callable[[Decimal], str],
        percent: Callable[[Decimal], str],
        day: Callable[[date], str],
    ) -> None:
        self.language = language if language in BASIS_WORDS else "en"
        self.money, self.number, self.percent, self.day = money, number, percent, day


def format_value(term: TermDefinition, raw: str, formats: ValueFormats) -> str:
    """A tenant term's kept value as people read it, by its type ("$2.50 per hour", "6 months", "RSU")."""
    if term.type is TermType.DATE:
        try:
            return formats.day(date.fromisoformat(raw))
        except ValueError:
            return raw
    if term.type in (TermType.TEXT, TermType.CHOICE):
        return raw
    try:
        number = Decimal(raw)
    except ArithmeticError:
        return raw
    match term.type:
        case TermType.MONEY:
            return formats.money(number)
        case TermType.MONEY_RATE:
            return f"{formats.money(number)} {BASIS_WORDS[formats.language][term.basis or PayPeriod.YEAR]}"
        case TermType.PERCENT:
            return formats.percent(number)
        case _:
            unit = UNIT_WORDS[formats.language].get(term.unit or "", term.unit or "")
            return f"{formats.number(number)} {unit}".strip()


def pay_quantity(reference: str | None, custom: dict[str, str]) -> Decimal | None:
    """payments_per_year / hours_per_week for one offer: the configured number, or the offer's value of the term."""
    if reference is None:
        return None
    raw = reference if _is_number(reference) else custom.get(reference)
    try:
        value = Decimal(raw) if raw is not None else None
    except ArithmeticError:
        return None
    return value if value is not None and value > 0 else None
