#!/usr/bin/env python3
"""Self-check for the Rheinau Privatbank tenant kit (stdlib only; PDFs through `pdftotext` if present).

Checks that
- every question's workflow exists and is at an offer-ready status, every counter's workflow exists;
- every offer-ready candidate has a complete offer (title, country, currency, base salary, start date);
- every expected figure / date / text is in what that candidate may see: the offer terms mapped in
  offer-assistant.toml (internal terms excluded), or a document of their country or a company-wide one.
  A derived figure (a `calc` entry: figure -> arithmetic expression) must evaluate to the figure, and its
  operands must be visible figures or figures from the question itself;
- every `forbid` is NOT in the candidate's own data, nor in a document of their own country;
- refusal forbids are really other people's or internal figures;
- counters name a known, candidate-visible, negotiable term, in the candidate's currency.

usage: python3 selfcheck.py   (exit 0 when everything holds)
"""
import ast
import html.parser
import json
import operator
import os
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import date

KIT = os.path.dirname(os.path.abspath(__file__))
errors: list[str] = []
warnings: list[str] = []


def err(msg):
    errors.append(msg)


# ---- figures, as the grader reads them (copied from shared/eval/grade.py) ----
NUM = re.compile(r"(?<![\w.])[$£€]?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?([kKmM])?(?![\w])")
DOT_THOUSANDS = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+)(?:,\d+)?(?![\w.])")
APOS_THOUSANDS = re.compile(r"(?<![\w.'])(\d{1,3}(?:'\d{3})+)(?:\.\d+)?(?![\w'])")   # Swiss 22'680


def numbers(text: str) -> set[float]:
    out = {float(m.group(1).replace(".", "")) for m in DOT_THOUSANDS.finditer(text)}
    out |= {float(m.group(1).replace("'", "")) for m in APOS_THOUSANDS.finditer(text)}
    for m in NUM.finditer(text):
        v = float(m.group(1).replace(",", ""))
        suf = (m.group(2) or "").lower()
        if suf == "k":
            v *= 1000
        elif suf == "m":
            v *= 1_000_000
        out.add(round(v, 2))
    return out


def date_forms(iso: str) -> list[str]:
    d = date.fromisoformat(iso)
    mon, mon3 = d.strftime("%B"), d.strftime("%b")
    return [iso, f"{mon} {d.day}", f"{mon3} {d.day}", f"{d.day} {mon}", f"{d.day} {mon3}",
            f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}", f"{d.day:02d}/{d.month:02d}/{d.year}"]


# ---- configuration and fixture ----
cfg = tomllib.load(open(os.path.join(KIT, "offer-assistant.toml"), "rb"))
fx = json.load(open(os.path.join(KIT, cfg["sandbox"]["fixture"]), encoding="utf-8"))
tenant = cfg["tenant"]
ready = set(tenant["offer_ready_statuses"])
terms_cfg = tenant["terms"]

BUILTIN = {"title", "department", "location", "jurisdiction_country", "jurisdiction_region", "currency",
           "base_salary", "pay_period", "bonus_target_percent", "sign_on_bonus", "equity_units",
           "vesting_schedule", "start_date", "work_arrangement", "relocation", "pto_days", "reports_to",
           "expiry_date", "special_terms", "recruiter", "preferred_language"}
NEGOTIABLE_BUILTIN = {"base_salary", "bonus_target_percent", "sign_on_bonus", "equity_units", "start_date",
                      "work_arrangement", "relocation", "pto_days", "title"}


def sources(spec):
    if isinstance(spec, dict):
        spec = spec.get("source", [])
    return [spec] if isinstance(spec, str) else list(spec)


internal_sources = {s for t, spec in terms_cfg.items() if isinstance(spec, dict) and spec.get("internal")
                    for s in sources(spec)}
visible_terms = {t: spec for t, spec in terms_cfg.items() if not (isinstance(spec, dict) and spec.get("internal"))}
for t, spec in terms_cfg.items():
    if t not in BUILTIN and not (isinstance(spec, dict) and "source" in spec and "type" in spec):
        err(f"config: tenant term {t} needs a table with source and type")


def scalar(v):
    """A field value as the candidate would see it: money -> amount + currency, list node -> value."""
    if isinstance(v, dict):
        if "amount" in v:
            return [v["amount"], v.get("currency", "")]
        if "abbrev" in v:
            return [v.get("value", ""), v["abbrev"]]
        if "value" in v:
            return [v["value"]]
        return []
    if isinstance(v, list):
        return [x for i in v for x in scalar(i)]
    return [v]


def profiles(wid):
    w = fx["applicantworkflows"][wid]
    job = fx["jobs"][str(w["baseprofile"]["id"])]
    person = fx["people"][str(w["associatedprofile"]["id"])]
    comp = fx["companies"][str(job["joblocation"]["companyid"])]
    loc = next((a for a in comp["addresses"] if a["entry"] == job["joblocation"]["id"]), comp["addresses"][0])
    return {"applicantworkflow": w, "job": job, "person": person, "joblocation": loc}


def resolve(wid, ref):
    prof, field = ref.split(".", 1)
    return profiles(wid)[prof].get(field)


def term_value(wid, t):
    for ref in sources(terms_cfg.get(t, [])):
        v = resolve(wid, ref)
        if v not in (None, "", []):
            return v
    return None


def visible(wid):
    """(figures, texts) the candidate may see from their own offer."""
    vals = []
    for t in visible_terms:
        v = term_value(wid, t)
        if v is not None:
            vals += scalar(v)
    for k in ("band_min", "band_max", "band_currency"):
        if k in tenant:
            vals += scalar(resolve(wid, tenant[k]))
    p = profiles(wid)
    vals += [p["person"]["firstname"], p["person"]["lastname"], p["joblocation"].get("addressstreet1", "")]
    nums, texts = set(), []
    for v in vals:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            nums.add(round(float(v), 2))
        else:
            texts.append(str(v))
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v)):   # a date is not a figure
                nums |= numbers(str(v))
    return nums, "\n".join(texts)


def internal_figures(wid):
    out = set()
    for ref in internal_sources:
        for v in scalar(resolve(wid, ref)):
            if isinstance(v, (int, float)):
                out.add(round(float(v), 2))
    return out


def jurisdiction(wid):
    c = scalar(term_value(wid, "jurisdiction_country"))
    r = scalar(term_value(wid, "jurisdiction_region"))
    country = c[-1] if c else None
    region = r[-1] if r else None
    return country, region


def currency(wid):
    v = term_value(wid, "currency")
    if isinstance(v, dict):
        return v.get("currency")
    return v


# ---- documents ----
class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.meta, self._skip = [], {}, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def index_for(path):
    """jurisdiction from the nearest _index.toml (a [files] entry wins over the folder default)."""
    d = os.path.dirname(path)
    name = os.path.basename(path)
    while True:
        idx = os.path.join(d, "_index.toml")
        if os.path.exists(idx):
            t = tomllib.load(open(idx, "rb"))
            f = t.get("files", {}).get(name, {})
            if "jurisdiction" in f:
                return f["jurisdiction"]
            if "jurisdiction" in t:
                return t["jurisdiction"]
        if os.path.abspath(d) == os.path.abspath(bdir):
            return "ALL"
        d = os.path.dirname(d)


bdir = os.path.join(KIT, cfg["benefits_dir"])
docs = []   # (relpath, jurisdictions set, text)
pdftotext = shutil.which("pdftotext")
for root, _, files in os.walk(bdir):
    for fn in sorted(files):
        if fn == "_index.toml":
            continue
        p = os.path.join(root, fn)
        rel = os.path.relpath(p, bdir)
        jur = None
        if fn.endswith((".md", ".txt")):
            text = open(p, encoding="utf-8").read()
            m = re.match(r"---\n(.*?)\n---\n", text, re.S)
            if m:
                fm = dict(l.split(":", 1) for l in m.group(1).splitlines() if ":" in l)
                if "jurisdiction" in fm:
                    jur = fm["jurisdiction"].strip()
        elif fn.endswith((".html", ".htm")):
            parser = _Text()
            parser.feed(open(p, encoding="utf-8").read())
            text = " ".join(parser.parts)
            jur = parser.meta.get("jurisdiction")
        elif fn.endswith(".pdf"):
            if not pdftotext:
                warnings.append(f"{rel}: pdftotext not found, PDF skipped")
                continue
            text = subprocess.run([pdftotext, "-layout", p, "-"], capture_output=True, text=True).stdout
        else:
            err(f"{rel}: unexpected document type")
            continue
        if jur is None:
            jur = index_for(p)
        jurs = {jur} if isinstance(jur, str) else set(jur)
        text = re.sub(r"[ \t]+", " ", text)
        docs.append((rel, jurs, text))


def docs_for(country, region, own_only=False):
    ok = {country, f"{country}-{region}"} if region else {country}
    if not own_only:
        ok = ok | {"ALL", "*"}
    return [d for d in docs if d[1] & ok]


# ---- arithmetic for derived figures ----
OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def evaluate(expr):
    operands = []

    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.BinOp) and type(n.op) in OPS:
            return OPS[type(n.op)](ev(n.left), ev(n.right))
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)):
            operands.append(float(n.value))
            return float(n.value)
        raise ValueError(f"unsupported expression {expr!r}")

    return ev(ast.parse(expr, mode="eval")), operands


# ---- questions ----
qs = [json.loads(l) for l in open(os.path.join(KIT, "questions.jsonl"), encoding="utf-8") if l.strip()]
cs = [json.loads(l) for l in open(os.path.join(KIT, "counters.jsonl"), encoding="utf-8") if l.strip()]
ids = [x["id"] for x in qs + cs]
if len(ids) != len(set(ids)):
    err("duplicate ids")

wfs = fx["applicantworkflows"]
offer_ready = [w for w, v in wfs.items() if v["status"]["id"] in ready]

for w in offer_ready:
    for t in ("title", "jurisdiction_country", "currency", "base_salary", "start_date"):
        if term_value(w, t) in (None, ""):
            err(f"workflow {w}: offer incomplete, no {t}")
    sd = term_value(w, "start_date")
    try:
        date.fromisoformat(sd)
    except Exception:
        err(f"workflow {w}: start date {sd!r} is not ISO")

all_other_figs = {w: visible(w)[0] for w in wfs}

for q in qs:
    qid, w = q["id"], q["workflow"]
    if w not in wfs:
        err(f"{qid}: workflow {w} does not exist")
        continue
    if wfs[w]["status"]["id"] not in ready:
        err(f"{qid}: workflow {w} is not offer-ready")
    nums, text = visible(w)
    country, region = jurisdiction(w)
    vdocs = docs_for(country, region)
    own_docs = docs_for(country, region, own_only=True)
    doc_nums = set().union(*(numbers(d[2]) for d in vdocs)) if vdocs else set()
    doc_text = "\n".join(d[2] for d in vdocs)
    all_nums = nums | doc_nums
    all_text = (text + "\n" + doc_text).lower()
    qnums = numbers(q["q"])
    calc = q.get("calc", {})
    for f in q.get("facts", []):
        f = round(float(f), 2)
        if f in all_nums:
            continue
        expr = calc.get(str(int(f)) if f == int(f) else str(f))
        if not expr:
            err(f"{qid}: fact {f} is neither in {w}'s data nor in their documents, and has no calc")
            continue
        val, ops = evaluate(expr)
        if abs(val - f) > 0.01:
            err(f"{qid}: calc {expr} = {val}, not {f}")
        for o in ops:
            if round(o, 2) not in all_nums | qnums | {12.0, 100.0}:
                err(f"{qid}: calc operand {o} not visible to {w}")
    for d in q.get("dates", []):
        if not (d in text or any(any(form.lower() in dt[2].lower() for form in date_forms(d)) for dt in vdocs)):
            err(f"{qid}: date {d} not in {w}'s data or documents")
    for t in q.get("text", []):
        if t.lower() not in all_text:
            err(f"{qid}: text '{t}' not visible to {w}")
    for group in q.get("text_any", []):
        if not any(t.lower() in all_text for t in group):
            err(f"{qid}: none of {group} visible to {w}")
    own_doc_text = "\n".join(d[2] for d in own_docs).lower()
    own_doc_nums = set().union(*(numbers(d[2]) for d in own_docs)) if own_docs else set()
    for f in q.get("forbid", []):
        if isinstance(f, (int, float)):
            if round(float(f), 2) in nums:
                err(f"{qid}: forbidden {f} is in {w}'s own data")
            if round(float(f), 2) in own_doc_nums:
                err(f"{qid}: forbidden {f} is in a {country} document {w} may see")
            if q.get("refuse") and not any(round(float(f), 2) in all_other_figs[o] | internal_figures(o) for o in wfs if o != w) \
                    and round(float(f), 2) not in internal_figures(w):
                err(f"{qid}: refusal forbid {f} is neither another candidate's nor an internal figure")
        else:
            if f.lower() in text.lower():
                err(f"{qid}: forbidden '{f}' is in {w}'s own data")
            if f.lower() in own_doc_text:
                err(f"{qid}: forbidden '{f}' is in a {country} document {w} may see")
    for key in q:
        if key not in {"id", "workflow", "q", "facts", "dates", "text", "text_any", "forbid", "refuse",
                       "no_numbers", "calc"}:
            err(f"{qid}: unknown key {key}")
    if not any(k in q for k in ("facts", "dates", "text", "text_any", "forbid", "refuse", "no_numbers")):
        err(f"{qid}: no check")

# ---- counters ----
for c in cs:
    cid, w = c["id"], c["workflow"]
    if w not in wfs:
        err(f"{cid}: workflow {w} does not exist")
        continue
    if wfs[w]["status"]["id"] not in ready:
        err(f"{cid}: workflow {w} is not offer-ready")
    if not c.get("items"):
        err(f"{cid}: no items")
    for it in c.get("items", []):
        t = it["term"]
        spec = terms_cfg.get(t)
        if t in BUILTIN:
            if t not in NEGOTIABLE_BUILTIN:
                err(f"{cid}: {t} is not a negotiable term")
        elif not isinstance(spec, dict):
            err(f"{cid}: unknown term {t}")
        elif spec.get("internal") or spec.get("negotiable") is False:
            err(f"{cid}: term {t} is internal or not negotiable")
        if t != "work_arrangement" and t not in BUILTIN - NEGOTIABLE_BUILTIN and term_value(w, t) is None and t in terms_cfg:
            err(f"{cid}: {w} has no {t} in the offer to negotiate")
        if t == "start_date":
            date.fromisoformat(it["requested"])
        elif t in ("work_arrangement", "title"):
            if not isinstance(it["requested"], str):
                err(f"{cid}: {t} requested must be text")
        elif not isinstance(it["requested"], (int, float)):
            err(f"{cid}: {t} requested must be a number")
        if it.get("currency") and it["currency"] != currency(w):
            err(f"{cid}: currency {it['currency']} is not {w}'s {currency(w)}")

# ---- counts ----
if len(qs) < 55:
    err(f"only {len(qs)} questions")
if len(cs) < 14:
    err(f"only {len(cs)} counters")
if not 8 <= len(offer_ready) <= 12:
    err(f"{len(offer_ready)} offer-ready candidates")
if not 6 <= len(docs) <= 10:
    err(f"{len(docs)} documents")
for w in offer_ready:
    if not any(q["workflow"] == w for q in qs):
        warnings.append(f"no question for {w}")

for wmsg in warnings:
    print("warning:", wmsg)
for e in errors:
    print("ERROR:", e)
if "-v" in sys.argv:
    for d in docs:
        print("doc", d[0], sorted(d[1]), len(d[2]), "chars")
    for w in offer_ready:
        print(w, jurisdiction(w), currency(w), sorted(visible(w)[0]))
print(f"{len(qs)} questions, {len(cs)} counters, {len(offer_ready)} offer-ready candidates, "
      f"{len(wfs)} workflows, {len(docs)} documents: " + ("OK" if not errors else f"{len(errors)} errors"))
sys.exit(1 if errors else 0)
