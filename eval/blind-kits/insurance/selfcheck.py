#!/usr/bin/env python3
"""Self-check of the Harbourline Mutual kit (Python 3.11+ stdlib; the PDF is read with poppler's `pdftotext`).

For every question, each expected figure, date and text must be in what that candidate may see: their own offer
(the terms the configuration maps, internal ones left out), figures one step of arithmetic away from it (the ones a
candidate expects worked out: per month, per quincena, per week, per year, bonus and pension amounts, aguinaldo,
prima vacacional, fondo de ahorro, pro-rata sign-on and relocation repayments), and the documents of their country
plus the company-wide ones. A `forbid` value must be in none of that. Refusals must forbid a figure. Counters: the
workflow is offer-ready, the term is declared, visible and negotiable, the currency is the offer's.
usage: python3 selfcheck.py        (prints the counts; exits 1 on any error)
"""
import html
import json
import re
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

KIT = Path(__file__).resolve().parent
NUM = re.compile(r"(?<![\w.])[$£€]?\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?([kKmM])?(?![\w])")
errors: list[str] = []


def figures(text: str) -> set[float]:
    out = set()
    for m in NUM.finditer(text):
        v = float(m.group(1).replace(",", "")) * {"k": 1000, "m": 1_000_000}.get((m.group(2) or "").lower(), 1)
        out.add(round(v, 2))
    return out


def date_forms(iso: str) -> list[str]:
    d = date.fromisoformat(iso)
    return [iso, f"{d.strftime('%B')} {d.day}", f"{d.day} {d.strftime('%B')}", f"{d.day:02d}/{d.month:02d}/{d.year}"]


cfg = tomllib.loads((KIT / "offer-assistant.toml").read_text())
fixture = json.loads((KIT / cfg["sandbox"]["fixture"]).read_text())
tenant = cfg["tenant"]
NOT_TERMS = {"jurisdiction_country", "jurisdiction_region", "currency", "pay_period", "preferred_language"}
BUILTIN = {"base_salary", "bonus_target_percent", "sign_on_bonus", "equity_units", "vesting_schedule", "start_date",
           "work_arrangement", "relocation", "pto_days", "title", "department", "location", "reports_to",
           "expiry_date", "special_terms", "recruiter"}
terms = {}
for key, spec in tenant["terms"].items():
    spec = dict(spec) if isinstance(spec, dict) else {"source": spec}
    src = spec.get("source", [])
    spec["source"] = [src] if isinstance(src, str) else src
    terms[key] = spec
    if key not in BUILTIN | NOT_TERMS and "type" not in spec:
        errors.append(f"config: {key} has no type")
ids_in_range = re.findall(r"field(\d+)", json.dumps({k: v["source"] for k, v in terms.items()}))
for n in ids_in_range:
    if not 6201 <= int(n) <= 6299:
        errors.append(f"config: field{n} is outside 6201-6299")


def plain(v):
    if isinstance(v, dict):
        return v.get("amount", v.get("value"))
    return v


ready = set(tenant["offer_ready_statuses"])
candidates = {}
not_ready = []
for wid, wf in fixture["applicantworkflows"].items():
    if wf["status"]["id"] not in ready:
        not_ready.append(wid)
        continue
    job = fixture["jobs"][str(wf["baseprofile"]["id"])]
    person = fixture["people"][str(wf["associatedprofile"]["id"])]
    company = fixture["companies"][str(job["joblocation"]["companyid"])]
    addr = next(a for a in company["addresses"] if a["entry"] == job["joblocation"]["id"])
    loc = {**addr, "addresscountry": addr["addresscountry"]["abbrev"], "addressstate": addr["addressstate"]["abbrev"]}
    profiles = {"applicantworkflow": wf, "job": job, "person": person, "joblocation": loc}
    values, internal = {}, {}
    for key, spec in terms.items():
        for ref in spec["source"]:
            prof, field = ref.split(".", 1)
            v = plain(profiles[prof].get(field))
            if v is not None:
                (internal if spec.get("internal") else values)[key] = v
                break
    cur = wf["field6201"]["currency"]
    candidates[wid] = dict(values=values, internal=internal, country=loc["addresscountry"], currency=cur,
                           basis=wf["field6202"]["id"], name=wf["associatedprofile"]["value"])
    if cur != {"GB": "GBP", "IE": "EUR", "MX": "MXN"}[loc["addresscountry"]]:
        errors.append(f"workflow {wid}: currency {cur} does not fit {loc['addresscountry']}")


def derived(c: dict) -> set[float]:
    v = c["values"]
    base = float(v["base_salary"])
    out = set()
    pct = lambda p, of: round(of * p / 100, 2)
    if c["basis"] == "C62023":                       # hourly
        hours = float(v.get("weekly_hours") or cfg["tenant"]["terms"]["base_salary"]["hours_per_week"])
        week = round(base * hours, 2)
        out |= {week, round(week * 52, 2), round(base * 1.5, 2), round(base * 2, 2)}
        annual = round(week * 52, 2)
    elif c["basis"] == "C62022":                     # monthly (Mexico)
        annual = base * 12
        day = base / 30
        out |= {round(base / 2, 2), annual, round(day * v.get("aguinaldo_days", 0), 2)}
        if v.get("vacation_premium_percent"):
            out.add(round(day * v["pto_days"] * v["vacation_premium_percent"] / 100, 2))
        if v.get("savings_fund_percent"):
            out.add(pct(v["savings_fund_percent"], base))
    else:                                            # annual
        annual = base
        out |= {round(base / 12, 2)}
    if v.get("bonus_target_percent"):
        out.add(pct(v["bonus_target_percent"], annual))
    if v.get("pension_employer_percent"):
        out.add(pct(v["pension_employer_percent"], annual))
    for k in ("car_allowance", "study_support"):
        if v.get(k):
            out.add(round(v[k] / 12, 2))
    so = v.get("sign_on_bonus")
    if so:
        out.add(round(so / 2, 2))
        n = v.get("sign_on_clawback_months")
        if n:
            out |= {round(so * (n - m) / n, 2) for m in range(n + 1)}
    if v.get("relocation"):
        out |= {float(v["relocation"]), round(v["relocation"] / 2, 2)}
    return out


def doc_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    text = path.read_text()
    return html.unescape(re.sub(r"<[^>]+>", " ", text)) if path.suffix == ".html" else text


def juris_of(path: Path, raw: str) -> str:
    if path.suffix == ".md" and (m := re.search(r"^jurisdiction:\s*(\S+)", raw, re.M)):
        return m.group(1)
    if path.suffix == ".html" and (m := re.search(r'<meta name="jurisdiction" content="([^"]+)"', raw)):
        return m.group(1)
    for folder in [path.parent, *path.parents]:
        idx = folder / "_index.toml"
        if idx.exists():
            data = tomllib.loads(idx.read_text())
            return data.get("files", {}).get(path.name, {}).get("jurisdiction", data.get("jurisdiction", "ALL"))
    return "ALL"


docs = []
for path in sorted((KIT / cfg["benefits_dir"]).rglob("*")):
    if path.is_file() and path.name != "_index.toml":
        raw = path.read_text() if path.suffix != ".pdf" else ""
        text = doc_text(path)
        lang = "es" if re.search(r"\b(tu|sueldo|según|días)\b", text) and not re.search(r"\bthe\b", text) else "en"
        docs.append(dict(path=path, text=text, juris=juris_of(path, raw), fmt=path.suffix[1:], lang=lang))


def seen_by(c):
    parts = [d["text"] for d in docs if d["juris"] in ("ALL", c["country"])]
    parts += [str(x) for x in c["values"].values()]
    text = "\n".join(parts)
    nums = figures(text) | derived(c)
    nums |= {round(float(x), 2) for x in c["values"].values() if isinstance(x, (int, float))}
    return text, nums


questions = [json.loads(l) for l in (KIT / "questions.jsonl").read_text().splitlines() if l.strip()]
seen_ids = set()
n_checks = 0
for q in questions:
    where = q["id"]
    if where in seen_ids:
        errors.append(f"{where}: duplicate id")
    seen_ids.add(where)
    c = candidates.get(q["workflow"])
    if c is None:
        errors.append(f"{where}: workflow {q['workflow']} is not offer-ready")
        continue
    text, nums = seen_by(c)
    low = text.lower()
    for f in q.get("facts", []):
        n_checks += 1
        if float(f) >= 1000 and float(f) != int(f):
            errors.append(f"{where}: fact {f} has cents above 1,000 (grade.py reads '1,803.60' as 1803)")
        if round(float(f), 2) not in nums:
            errors.append(f"{where}: fact {f} is not in what {c['name']} may see")
    for d in q.get("dates", []):
        n_checks += 1
        if d not in [str(x) for x in c["values"].values()] and not any(x.lower() in low for x in date_forms(d)):
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
    if q.get("refuse"):
        n_checks += 1
        if not any(not isinstance(f, str) for f in q.get("forbid", [])):
            errors.append(f"{where}: a refusal should forbid the figure it protects")
    internal = {round(float(x), 2) for x in c["internal"].values()}
    if internal & {round(float(f), 2) for f in q.get("facts", [])}:
        errors.append(f"{where}: expects an internal figure")
    if not any(k in q for k in ("facts", "dates", "text", "text_any", "forbid", "refuse", "no_numbers")):
        errors.append(f"{where}: no check")

counters = [json.loads(l) for l in (KIT / "counters.jsonl").read_text().splitlines() if l.strip()]
for q in counters:
    where = q["id"]
    if where in seen_ids:
        errors.append(f"{where}: duplicate id")
    seen_ids.add(where)
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
        if it.get("currency") and it["currency"] != c["currency"]:
            errors.append(f"{where}: currency {it['currency']} is not the offer's ({c['currency']})")

fmt = {}
for d in docs:
    fmt[d["fmt"]] = fmt.get(d["fmt"], 0) + 1
by = lambda k: sum(c["country"] == k for c in candidates.values())
print(f"candidates (offer-ready): {len(candidates)} (GB {by('GB')}, IE {by('IE')}, MX {by('MX')}; "
      f"hourly {sum(c['basis'] == 'C62023' for c in candidates.values())}, "
      f"monthly {sum(c['basis'] == 'C62022' for c in candidates.values())}, "
      f"annual {sum(c['basis'] == 'C62021' for c in candidates.values())}); not at an offer status: {not_ready}")
print(f"documents: {len(docs)} ({', '.join(f'{k} {v}' for k, v in sorted(fmt.items()))}; "
      f"Spanish only: {[d['path'].name for d in docs if d['lang'] == 'es']}; "
      f"jurisdictions {sorted({d['juris'] for d in docs})})")
print(f"questions: {len(questions)} (refusals {sum(bool(q.get('refuse')) for q in questions)}, "
      f"out of scope {sum(bool(q.get('no_numbers')) for q in questions)}, "
      f"with forbid {sum(bool(q.get('forbid')) for q in questions)}); checks verified: {n_checks}")
print(f"counters: {len(counters)} ({sum(len(c['items']) for c in counters)} expected items)")
for w, c in candidates.items():
    lacking = [k for k in ("sign_on_bonus", "car_allowance", "relocation", "study_support") if k not in c["values"]]
    if lacking:
        print(f"  {w} {c['name']}: no {', '.join(lacking)}")
if errors:
    print(f"\nselfcheck: {len(errors)} error(s)")
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("selfcheck: OK")
