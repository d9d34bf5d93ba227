#!/usr/bin/env python3
"""Self-check of the Meridian Mercy Health Network kit (Python 3.11+ stdlib; PDFs read with `pdftotext`).

For every question it checks that each expected figure, date and text is in what that candidate may see:
their own offer (the terms the configuration maps, without internal ones; the pay range only in New York, where
the letter discloses it), figures worked out from their own offer (rate x hours, rate + differential, 1.5 x rate,
a percent of base, salary / 26, a pro-rata sign-on repayment), and the documents of their state or company-wide
ones. A `forbid` value must be in none of these. Counters: the workflow is offer-ready, the term is a declared,
candidate-visible, negotiable term, and the currency is the offer's. Prints the counts; exits 1 on any error.
usage: python3 selfcheck.py
"""
import html
import json
import re
import subprocess
import sys
import tomllib
from datetime import date
from itertools import combinations
from pathlib import Path

KIT = Path(__file__).resolve().parent
errors: list[str] = []

NUM = re.compile(r"(?<![\w.])[$£€]?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?([kKmM])?(?![\w])")


def figures(text: str) -> set[float]:
    out = set()
    for m in NUM.finditer(text):
        v = float(m.group(1).replace(",", ""))
        v *= {"k": 1000, "m": 1_000_000}.get((m.group(2) or "").lower(), 1)
        out.add(round(v, 2))
    return out


def date_forms(iso: str) -> list[str]:
    d = date.fromisoformat(iso)
    return [iso, f"{d.strftime('%B')} {d.day}", f"{d.month}/{d.day}/{d.year}"]


# ---------------------------------------------------------------- configuration and fixture
cfg = tomllib.loads((KIT / "offer-assistant.toml").read_text())
fixture = json.loads((KIT / cfg["sandbox"]["fixture"]).read_text())
tenant = cfg["tenant"]
NOT_TERMS = {"jurisdiction_country", "jurisdiction_region", "currency", "pay_period", "preferred_language"}
BUILTIN = {"base_salary", "bonus_target_percent", "sign_on_bonus", "equity_units", "vesting_schedule", "start_date",
           "work_arrangement", "relocation", "pto_days", "title", "department", "location", "reports_to",
           "expiry_date", "special_terms", "recruiter"}
terms: dict[str, dict] = {}
for key, spec in tenant["terms"].items():
    spec = spec if isinstance(spec, dict) else {"source": spec}
    src = spec.get("source", [])
    terms[key] = {**spec, "source": [src] if isinstance(src, str) else src}
    if key not in BUILTIN and key not in NOT_TERMS and "type" not in spec:
        errors.append(f"config: tenant term {key} has no type")


def plain(v):
    if isinstance(v, dict):
        return v.get("amount", v.get("value"))
    return v


def read(ref: str, wf: dict, job: dict, person: dict, loc: dict):
    profile, field = ref.split(".", 1)
    src = {"applicantworkflow": wf, "job": job, "person": person, "joblocation": loc}[profile]
    return plain(src.get(field))


ready = set(tenant["offer_ready_statuses"])
candidates = {}
for wid, wf in fixture["applicantworkflows"].items():
    if wf["status"]["id"] not in ready:
        continue
    job = fixture["jobs"][str(wf["baseprofile"]["id"])]
    person = fixture["people"][str(wf["associatedprofile"]["id"])]
    company = fixture["companies"][str(job["joblocation"]["companyid"])]
    loc = next(a for a in company["addresses"] if a["entry"] == job["joblocation"]["id"])
    loc = {**loc, "addressstate": loc["addressstate"]["abbrev"], "addresscountry": loc["addresscountry"]["abbrev"]}
    values, internal = {}, {}
    for key, spec in terms.items():
        for ref in spec["source"]:
            v = read(ref, wf, job, person, loc)
            if v is not None:
                (internal if spec.get("internal") else values)[key] = v
                break
    state = loc["addressstate"]
    juris = f"{loc['addresscountry']}-{state}"
    band = (job.get("field4160"), job.get("field4161"))
    visible_band = band if state == "NY" else ()
    for need in ("base_salary", "start_date", "title"):
        if need not in values:
            errors.append(f"workflow {wid}: no {need}")
    candidates[wid] = dict(values=values, internal=internal, juris=juris, band=band, visible_band=visible_band,
                           name=wf["associatedprofile"]["value"])


def derived(v: dict) -> set[float]:
    """Figures a candidate's own offer gives by one step of arithmetic."""
    out = set()
    base = v.get("base_salary")
    hours = v.get("weekly_hours")
    hourly = base is not None and base < 1000
    nums = [float(x) for k, x in v.items() if isinstance(x, (int, float)) and not isinstance(x, bool)]
    for a, b in combinations(nums, 2):
        out |= {round(a * b, 2), round(a + b, 2)}
    if base:
        out |= {round(base * 1.5, 2), round(base / 26, 2), round(base / 12, 2)}
        for pct_key in ("weekend_premium", "bonus_target_percent"):
            if v.get(pct_key):
                out.add(round(base * v[pct_key] / 100, 2))
        if hourly and hours:
            out |= {round(base * hours * n, 2) for n in (1, 2, 52)}
    bonus, months = v.get("sign_on_bonus"), v.get("sign_on_repayment_months")
    if bonus and months:
        out |= {round(bonus * (months - m) / months, 2) for m in range(0, months + 1)}
    return out


# ---------------------------------------------------------------- documents
def doc_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    text = path.read_text()
    if path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def jurisdiction(path: Path, text: str) -> str:
    m = re.search(r"^jurisdiction:\s*(\S+)", text, re.M) if path.suffix == ".md" else None
    if m:
        return m.group(1)
    m = re.search(r'<meta name="jurisdiction" content="([^"]+)"', path.read_text()) if path.suffix == ".html" else None
    if m:
        return m.group(1)
    for folder in [path.parent, *path.parent.parents]:
        idx = folder / "_index.toml"
        if idx.exists():
            data = tomllib.loads(idx.read_text())
            return data.get("files", {}).get(path.name, {}).get("jurisdiction", data.get("jurisdiction", "ALL"))
        if folder == KIT / cfg["benefits_dir"]:
            break
    return "ALL"


docs = []
for path in sorted((KIT / cfg["benefits_dir"]).rglob("*")):
    if path.is_file() and path.name != "_index.toml":
        raw = doc_text(path)
        lang = "es" if re.search(r"\b(usted|su primer|política|según|horas trabajadas)\b", raw, re.I) else "en"
        docs.append(dict(path=path, text=raw, juris=jurisdiction(path, raw), fmt=path.suffix[1:], lang=lang))


def seen_by(c) -> tuple[str, set[float]]:
    parts = [d["text"] for d in docs if d["juris"] in ("ALL", "US", c["juris"])]
    parts += [str(x) for x in c["values"].values()] + [str(x) for x in c["visible_band"]]
    text = "\n".join(parts)
    nums = figures(text) | derived(c["values"])
    nums |= {round(float(x), 2) for x in c["values"].values() if isinstance(x, (int, float))}
    nums |= {round(float(x), 2) for x in c["visible_band"]}
    return text, nums


# ---------------------------------------------------------------- questions
questions = [json.loads(l) for l in (KIT / "questions.jsonl").read_text().splitlines() if l.strip()]
ids = set()
n_checks = 0
for q in questions:
    where = q["id"]
    if where in ids:
        errors.append(f"{where}: duplicate id")
    ids.add(where)
    c = candidates.get(q["workflow"])
    if c is None:
        errors.append(f"{where}: workflow {q['workflow']} is not an offer-ready workflow")
        continue
    text, nums = seen_by(c)
    low = text.lower()
    for f in q.get("facts", []):
        n_checks += 1
        if float(f) >= 1000 and float(f) != int(f):
            errors.append(f"{where}: fact {f} has cents above 1,000: grade.py reads '$1,803.60' as 1803, never as 1803.6")
        if round(float(f), 2) not in nums:
            errors.append(f"{where}: fact {f} is not in what {c['name']} may see")
    for d in q.get("dates", []):
        n_checks += 1
        if d not in [str(v) for v in c["values"].values()] and not any(f.lower() in low for f in date_forms(d)):
            errors.append(f"{where}: date {d} is not in what {c['name']} may see")
    for t in q.get("text", []):
        n_checks += 1
        if t.lower() not in low:
            errors.append(f"{where}: text {t!r} is not in what {c['name']} may see")
    for group in q.get("text_any", []):
        n_checks += 1
        if not any(t.lower() in low for t in group):
            errors.append(f"{where}: none of {group} is in what {c['name']} may see")
    for f in q.get("forbid", []):
        n_checks += 1
        if isinstance(f, str):
            if f.lower() in low:
                errors.append(f"{where}: forbidden text {f!r} is in what {c['name']} may see")
        elif round(float(f), 2) in nums:
            errors.append(f"{where}: forbidden figure {f} is in what {c['name']} may see")
    internal_figs = {round(float(x), 2) for x in c["internal"].values()}
    if q.get("refuse"):
        n_checks += 1
        if not internal_figs & {round(float(f), 2) for f in q.get("forbid", []) if not isinstance(f, str)} \
                and not any(not isinstance(f, str) for f in q.get("forbid", [])):
            errors.append(f"{where}: a refusal question should forbid the figure it protects")
    if not any(k in q for k in ("facts", "dates", "text", "text_any", "forbid", "refuse", "no_numbers")):
        errors.append(f"{where}: no check")
    for f in internal_figs:
        if f in {round(float(x), 2) for x in q.get("facts", [])}:
            errors.append(f"{where}: expects the internal figure {f}")

# ---------------------------------------------------------------- counters
counters = [json.loads(l) for l in (KIT / "counters.jsonl").read_text().splitlines() if l.strip()]
for q in counters:
    where = q["id"]
    if where in ids:
        errors.append(f"{where}: duplicate id")
    ids.add(where)
    c = candidates.get(q["workflow"])
    if c is None:
        errors.append(f"{where}: workflow {q['workflow']} is not offer-ready")
        continue
    if not q.get("items"):
        errors.append(f"{where}: no expected item")
    for it in q["items"]:
        spec = terms.get(it["term"])
        if spec is None or it["term"] in NOT_TERMS:
            errors.append(f"{where}: {it['term']} is not a term of this tenant")
        elif spec.get("internal") or spec.get("negotiable") is False or spec.get("type") == "text":
            errors.append(f"{where}: {it['term']} is not negotiable")
        if it.get("currency") and it["currency"] != "USD":
            errors.append(f"{where}: currency {it['currency']} is not the offer's")

# ---------------------------------------------------------------- counts
fmt = {}
for d in docs:
    fmt[d["fmt"]] = fmt.get(d["fmt"], 0) + 1
optional = ("sign_on_bonus", "sign_on_repayment_months", "tuition_reimbursement", "relocation",
            "night_differential", "weekend_premium", "weekly_hours", "bonus_target_percent")
missing = {w: [k for k in optional if k not in c["values"]] for w, c in candidates.items()}
print(f"candidates (offer-ready workflows): {len(candidates)} "
      f"(TX {sum(c['juris'] == 'US-TX' for c in candidates.values())}, "
      f"NY {sum(c['juris'] == 'US-NY' for c in candidates.values())}; "
      f"hourly {sum(c['values']['base_salary'] < 1000 for c in candidates.values())}, "
      f"salaried {sum(c['values']['base_salary'] >= 1000 for c in candidates.values())})")
print(f"documents: {len(docs)} ({', '.join(f'{k} {v}' for k, v in sorted(fmt.items()))}; "
      f"Spanish {sum(d['lang'] == 'es' for d in docs)}; "
      f"by jurisdiction {', '.join(sorted({d['juris'] for d in docs}))})")
print(f"questions: {len(questions)} (refusals {sum(bool(q.get('refuse')) for q in questions)}, "
      f"out of scope {sum(bool(q.get('no_numbers')) for q in questions)}, "
      f"with forbid {sum(bool(q.get('forbid')) for q in questions)}, "
      f"Spanish {sum(bool(re.search(r'[¿ñáéíóú]|cuanto|cuánto|necesito|tengo', q['q'])) for q in questions)}); "
      f"checks verified: {n_checks}")
print(f"counters: {len(counters)} ({sum(len(c['items']) for c in counters)} expected items)")
print("offers missing optional fields: " + "; ".join(f"{w} {m}" for w, m in missing.items() if m))
if errors:
    print(f"\nselfcheck: {len(errors)} error(s)")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("selfcheck: OK")
