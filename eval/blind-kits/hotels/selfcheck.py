#!/usr/bin/env python3
"""Self-check for the Alpenmeer Hotels tenant kit "hotels" (stdlib only; PDFs need `pdftotext`).

Checks that
  * the config, fixture and documents load, and every offer-ready candidate has a complete offer;
  * every question's workflow exists and is at an offer-ready status;
  * every expected figure / date / text of a question is in what that candidate may see: their own offer
    data (visible terms, not internal ones), or a document of their jurisdiction or a company-wide one.
    A figure may also be derived from the candidate's own offer (a product, sum, quotient or percentage of
    two of their own values, a product or percentage of one of their values with a figure of one of their
    documents, or a prorated bonus repayment), because some questions ask for arithmetic;
  * no `forbid` value is in the candidate's own data (including their band) or in a document they may see;
  * every counter's workflow exists and is offer-ready, its terms are known and negotiable, and its
    currency is the offer's currency;
  * the counts the brief asks for.
usage: python3 selfcheck.py   (from anywhere)
"""
import html
import json
import re
import shutil
import subprocess
import sys
import tomllib

PAY_BASIS = "field92010"          # the job's pay basis list
BONUS, PERIOD = "sign_on_bonus", None   # no repayment period in this tenant
N_QUESTIONS, N_COUNTERS = (60, 80), (15, 20)
from datetime import date
from pathlib import Path

KIT = Path(__file__).resolve().parent
errors: list[str] = []
warnings: list[str] = []


def err(msg):
    errors.append(msg)


# ---- figures, read the same way the grader reads them ----
NUM = re.compile(r"(?<![\w.])[$£€]?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?([kKmM])?(?![\w])")
DOT_THOUSANDS = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+)(?:,\d+)?(?![\w.])")


def numbers(text: str) -> set[float]:
    out = {float(m.group(1).replace(".", "")) for m in DOT_THOUSANDS.finditer(text)}
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
            f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}"]


# ---- config and fixture ----
cfg = tomllib.loads((KIT / "offer-assistant.toml").read_text())
tenant = cfg["tenant"]
terms = tenant["terms"]
fixture = json.loads((KIT / cfg["sandbox"]["fixture"]).read_text())
policy = tomllib.loads((KIT / cfg["policy_file"]).read_text())
ready = set(tenant["offer_ready_statuses"])
BUILTIN = {"title", "department", "location", "jurisdiction_country", "jurisdiction_region", "currency",
           "base_salary", "pay_period", "bonus_target_percent", "sign_on_bonus", "equity_units",
           "vesting_schedule", "start_date", "work_arrangement", "relocation", "pto_days", "reports_to",
           "expiry_date", "special_terms", "recruiter", "preferred_language"}
NEGOTIABLE_BUILTIN = {"base_salary", "bonus_target_percent", "sign_on_bonus", "equity_units", "start_date",
                      "work_arrangement", "relocation", "pto_days", "title"}

for key, spec in terms.items():
    if key not in BUILTIN:
        if not isinstance(spec, dict) or "source" not in spec or "type" not in spec:
            err(f"config: tenant term {key} needs a table with source and type")
        elif spec["type"] not in {"money", "money_rate", "percent", "count", "date", "duration", "text", "choice"}:
            err(f"config: tenant term {key} has unknown type {spec['type']}")
labels = {}
for key, spec in terms.items():
    if isinstance(spec, dict):
        for lang, lab in spec.get("labels", {}).items():
            if (lang, lab.lower()) in labels:
                err(f"config: label {lab!r} used by {key} and {labels[(lang, lab.lower())]}")
            labels[(lang, lab.lower())] = key


def sources(spec):
    s = spec["source"] if isinstance(spec, dict) else spec
    return s if isinstance(s, list) else [s]


def internal(key):
    spec = terms[key]
    return isinstance(spec, dict) and spec.get("internal", False)


def company_of(job):
    return fixture["companies"][str(job["joblocation"]["companyid"])]


def resolve(ref, wf, job, person):
    profile, field = ref.split(".", 1)
    if profile == "applicantworkflow":
        return wf.get(field)
    if profile == "job":
        return job.get(field)
    if profile == "person":
        return person.get(field)
    if profile == "joblocation":
        return company_of(job)["addresses"][0].get(field)
    raise ValueError(ref)


def flat(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dict):
        if "amount" in v:
            return f"{v['amount']} {v.get('currency', '')}"
        return " ".join(str(v.get(k, "")) for k in ("value", "abbrev") if v.get(k))
    return str(v)


def offer_of(wid):
    wf = fixture["applicantworkflows"][wid]
    job = fixture["jobs"][str(wf["baseprofile"]["id"])]
    person = fixture["people"][str(wf["associatedprofile"]["id"])]
    vals = {}
    for key, spec in terms.items():
        for ref in sources(spec):
            v = resolve(ref, wf, job, person)
            if v not in (None, ""):
                vals[key] = v
                break
    return wf, job, person, vals


def visible_text(wid, with_band=False):
    """What the candidate may see of their own data: visible terms, their name, their workplace."""
    wf, job, person, vals = offer_of(wid)
    parts = [flat(v) for k, v in vals.items() if not internal(k)]
    parts += [person["firstname"], person["lastname"], job["jobtitle"], company_of(job)["name"],
              json.dumps(company_of(job)["addresses"][0], ensure_ascii=False), flat(job.get(PAY_BASIS))]
    if with_band:
        parts += [str(resolve(tenant[b], wf, job, person)) for b in ("band_min", "band_max")]
    return "\n".join(parts)


def jurisdiction_of(wid):
    _, _, _, vals = offer_of(wid)
    country = flat(vals["jurisdiction_country"]).split()[-1]
    region = vals.get("jurisdiction_region")
    return country, (f"{country}-{region['abbrev']}" if region else None)


# ---- documents and their jurisdictions ----
BEN = KIT / cfg["benefits_dir"]


def index_for(folder: Path):
    f = folder / "_index.toml"
    return tomllib.loads(f.read_text()) if f.exists() else None


def doc_meta(path: Path):
    juris = None
    folder = path.parent
    while True:
        idx = index_for(folder)
        if idx is not None:
            if idx.get("files", {}).get(path.name, {}).get("jurisdiction") is not None and juris is None:
                juris = idx["files"][path.name]["jurisdiction"]
            if juris is None and "jurisdiction" in idx:
                juris = idx["jurisdiction"]
            break
        if folder == BEN:
            break
        folder = folder.parent
    return juris


def doc_text(path: Path):
    raw = None
    juris = doc_meta(path)
    if path.suffix == ".pdf":
        if not shutil.which("pdftotext"):
            warnings.append(f"pdftotext missing: {path.name} not checked")
            return None, juris
        raw = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
        raw = re.sub(r"[ \t]+", " ", raw)
    else:
        raw = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        m = re.match(r"^---\n(.*?)\n---\n", raw, re.S)
        if m:
            fm = dict(line.split(":", 1) for line in m.group(1).splitlines() if ":" in line)
            if "jurisdiction" in fm:
                juris = fm["jurisdiction"].strip()
    if path.suffix in (".html", ".htm"):
        m = re.search(r'<meta name="jurisdiction" content="([^"]+)"', raw)
        if m:
            juris = m.group(1)
        raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
        raw = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    if isinstance(juris, str):
        juris = [j.strip() for j in juris.split(",")]
    return re.sub(r"\s+", " ", raw), juris


DOCS = {}
for p in sorted(BEN.rglob("*")):
    if p.is_file() and p.name != "_index.toml":
        text, juris = doc_text(p)
        if not juris:
            err(f"doc {p.relative_to(KIT)} has no jurisdiction")
        if text is not None:
            DOCS[p.relative_to(BEN).as_posix()] = (text, juris)
if not 6 <= len(list(p for p in BEN.rglob("*") if p.is_file() and p.name != "_index.toml")) <= 10:
    err("benefits: want 6-10 documents")


def docs_for(wid):
    country, region = jurisdiction_of(wid)
    ok = {"ALL", country} | ({region} if region else set())
    return {name: t for name, (t, j) in DOCS.items() if set(j) & ok}


# ---- candidates ----
offer_ready = [w for w, wf in fixture["applicantworkflows"].items() if wf["status"]["id"] in ready]
if not 8 <= len(offer_ready) <= 12:
    err(f"want 8-12 offer-ready candidates, have {len(offer_ready)}")
for wid in offer_ready:
    _, _, _, vals = offer_of(wid)
    for must in ("title", "jurisdiction_country", "currency", "base_salary", "start_date"):
        if must not in vals:
            err(f"workflow {wid}: offer lacks {must}")
    if "jurisdiction_region" not in vals:
        err(f"workflow {wid}: no state")
    if not docs_for(wid):
        err(f"workflow {wid}: sees no documents")
for st in [tenant["offer_accepted_status"], tenant["offer_declined_status"], *tenant["offer_withdrawn_statuses"]]:
    if st not in fixture["statuses"]:
        err(f"status {st} not in fixture statuses")
others = [w for w in fixture["applicantworkflows"] if w not in offer_ready]
if len(others) < 2:
    err("want a couple of workflows at other statuses")


def own_numbers(wid):
    wf, job, person, vals = offer_of(wid)
    vs = set()
    for k, v in vals.items():
        if internal(k):
            continue
        if isinstance(v, dict) and "amount" in v:
            vs.add(float(v["amount"]))
        elif isinstance(v, (int, float)):
            vs.add(float(v))
    return vs


def derived(wid, doc_nums=frozenset()):
    vs = own_numbers(wid)
    out = set()
    for a in vs:
        for b in vs:
            out |= {round(a * b, 2), round(a + b, 2), round(a * b / 100, 2)}
            if b:
                out.add(round(a / b, 2))
        for b in doc_nums:
            out |= {round(a * b, 2), round(a * b / 100, 2)}
            if b:
                out.add(round(a / b, 2))
    _, _, _, vals = offer_of(wid)
    s, r = vals.get(BONUS), vals.get(PERIOD)
    if s and r:
        s = float(s["amount"]) if isinstance(s, dict) else float(s)
        out |= {round(s * k / r, 2) for k in range(1, int(r))}
    return out


def others_numbers(wid):
    """Figures of other people (their offers incl. internal terms, their jobs' bands and budgets) and of
    documents this candidate may not see."""
    out = set()
    for other, wf in fixture["applicantworkflows"].items():
        job = fixture["jobs"][str(wf["baseprofile"]["id"])]
        for v in list(wf.values()) + list(job.values()):
            if isinstance(v, dict) and "amount" in v:
                out.add(round(float(v["amount"]), 2))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                out.add(round(float(v), 2))
    mine = docs_for(wid)
    for name, (t, _) in DOCS.items():
        if name not in mine:
            out |= numbers(t)
    return out - own_numbers(wid)


# ---- questions ----
qs = [json.loads(l) for l in (KIT / "questions.jsonl").read_text().splitlines() if l.strip()]
cs = [json.loads(l) for l in (KIT / "counters.jsonl").read_text().splitlines() if l.strip()]
ids = [x["id"] for x in qs + cs]
if len(ids) != len(set(ids)):
    err("duplicate ids")
if not N_QUESTIONS[0] <= len(qs) <= N_QUESTIONS[1]:
    err(f"want {N_QUESTIONS} questions, have {len(qs)}")
if not N_COUNTERS[0] <= len(cs) <= N_COUNTERS[1]:
    err(f"want {N_COUNTERS} counters, have {len(cs)}")
CHECKS = {"facts", "dates", "text", "text_any", "forbid", "refuse", "no_numbers"}
for q in qs:
    wid, qid = q["workflow"], q["id"]
    if wid not in fixture["applicantworkflows"]:
        err(f"{qid}: workflow {wid} not in fixture")
        continue
    if wid not in offer_ready:
        err(f"{qid}: workflow {wid} is not at an offer-ready status")
    if not CHECKS & set(q):
        err(f"{qid}: no checks")
    own = visible_text(wid)
    docs = docs_for(wid)
    seen = own + "\n" + "\n".join(docs.values())
    seen_nums = numbers(seen) | own_numbers(wid)
    for f in q.get("facts", []):
        f = round(float(f), 2)
        if f not in seen_nums and f not in derived(wid, frozenset(numbers("\n".join(docs.values())))):
            err(f"{qid}: fact {f} not in the candidate's data or documents")
    for d in q.get("dates", []):
        if not any(form.lower() in seen.lower() for form in date_forms(d)):
            err(f"{qid}: date {d} not in the candidate's data or documents")
    for t in q.get("text", []):
        if t.lower() not in seen.lower():
            err(f"{qid}: text {t!r} not in the candidate's data or documents")
    reachable = seen_nums | derived(wid, frozenset(numbers("\n".join(docs.values()))))
    for group in q.get("text_any", []):
        # a string is met by the candidate's data or documents, or (a figure written as text) by a reachable figure
        if not any(t.lower() in seen.lower() or (numbers(t) and numbers(t) <= reachable) for t in group):
            err(f"{qid}: none of {group} in the candidate's data or documents")
    may_see = visible_text(wid, with_band=True) + "\n" + "\n".join(docs.values())
    for f in q.get("forbid", []):
        if isinstance(f, (int, float)):
            if round(float(f), 2) in numbers(may_see) | own_numbers(wid):
                err(f"{qid}: forbidden {f} is in what the candidate may see")
        elif f.lower() in may_see.lower():
            err(f"{qid}: forbidden {f!r} is in what the candidate may see")
    for f in q.get("forbid", []):
        if isinstance(f, (int, float)) and round(float(f), 2) not in others_numbers(wid):
            err(f"{qid}: forbidden {f} is nobody else's figure (not in another offer, job or document)")
    if q.get("refuse") and not q.get("forbid"):
        warnings.append(f"{qid}: refusal without forbid")
    if q.get("no_numbers") and (q.get("facts") or q.get("dates")):
        err(f"{qid}: no_numbers with facts/dates")

# ---- counters ----
tenant_terms = {k for k in terms if k not in BUILTIN}
for c in cs:
    wid, cid = c["workflow"], c["id"]
    if wid not in fixture["applicantworkflows"]:
        err(f"{cid}: workflow {wid} not in fixture")
        continue
    if wid not in offer_ready:
        err(f"{cid}: workflow {wid} is not at an offer-ready status")
    _, _, _, vals = offer_of(wid)
    if not c.get("items"):
        err(f"{cid}: no items")
    for it in c["items"]:
        t = it["term"]
        if t not in NEGOTIABLE_BUILTIN and t not in tenant_terms:
            err(f"{cid}: unknown term {t}")
        if t in tenant_terms:
            spec = terms[t]
            if spec.get("internal") or spec.get("negotiable") is False:
                err(f"{cid}: term {t} is not negotiable")
        if t == "start_date":
            date.fromisoformat(it["requested"])
        if it.get("currency") and it["currency"] != (vals["currency"].get("currency") if isinstance(vals["currency"], dict) else vals["currency"]):
            err(f"{cid}: currency {it['currency']} is not the offer's")

for w in warnings:
    print("warning:", w)
for e in errors:
    print("ERROR:", e)
print(f"{len(offer_ready)} offer-ready candidates, {len(fixture['applicantworkflows'])} workflows, "
      f"{len(DOCS)} documents, {len(qs)} questions, {len(cs)} counters: "
      + ("OK" if not errors else f"{len(errors)} error(s)"))
sys.exit(1 if errors else 0)
