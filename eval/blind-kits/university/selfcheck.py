#!/usr/bin/env python3
"""Self-check of the Northmoor University tenant kit (stdlib only; PDFs through `pdftotext` when present).

Checks that
- every offer-ready candidate has a complete offer (title, country, currency, base salary, start date);
- every question's workflow exists and is at an offer-ready status;
- every expected figure / date / text of a question is in that candidate's own data (fixture: workflow, job,
  person, job location; the tenant's monthly pay basis; the annual salary derived from the monthly salary and
  the number of payments a year) or in a document of the candidate's jurisdiction (country, region, company-wide);
- every `forbid` is NOT in what that candidate may see (own data and own documents; the job's grade range is
  internal and not counted as seen), and IS somewhere else (another candidate's data, another jurisdiction's
  document, or the internal grade range), so that it really is a leak;
- every counter's workflow exists and is offer-ready, its terms are built-in or declared tenant terms, its
  currency is the candidate's, and a requested date is an ISO date.

usage: python3 selfcheck.py        (exit 0 when everything holds)
"""
from __future__ import annotations

import html.parser
import json
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

KIT = Path(__file__).resolve().parent
BUILTIN = {"title", "department", "location", "jurisdiction_country", "jurisdiction_region", "currency",
           "base_salary", "pay_period", "bonus_target_percent", "sign_on_bonus", "equity_units",
           "vesting_schedule", "start_date", "work_arrangement", "relocation", "pto_days", "reports_to",
           "expiry_date", "special_terms", "recruiter", "preferred_language"}
PDF_SKIPPED: list[str] = []

# ---- figures, the same way grade.py reads them
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


MESES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
         "noviembre", "diciembre"]


def date_forms(iso: str) -> list[str]:
    d = date.fromisoformat(iso)
    mon, mon3 = d.strftime("%B"), d.strftime("%b")
    return [iso, f"{mon} {d.day}", f"{mon3} {d.day}", f"{d.day} {mon}", f"{d.day} {mon3}",
            f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}",
            f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day} de {MESES[d.month - 1]}"]


# ---- documents
class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.meta[a["name"].lower()] = a.get("content") or ""
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in ("p", "td", "th", "li", "tr", "h1", "h2", "h3", "div"):
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def front_matter(text: str) -> dict[str, str]:
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    out = {}
    if m:
        for line in m.group(1).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip().lower()] = v.strip().strip('"')
    return out


def index_jurisdiction(path: Path, root: Path) -> str:
    """The nearest _index.toml's per-file entry, else its folder default."""
    folder = path.parent
    while True:
        idx = folder / "_index.toml"
        if idx.exists():
            data = tomllib.loads(idx.read_text())
            f = data.get("files", {}).get(path.name, {})
            if "jurisdiction" in f:
                return f["jurisdiction"]
            if "jurisdiction" in data:
                return data["jurisdiction"]
        if folder == root:
            return "ALL"
        folder = folder.parent


def load_documents(root: Path) -> list[dict]:
    docs = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name == "_index.toml":
            continue
        juris = None
        if p.suffix in (".md", ".txt"):
            text = p.read_text(encoding="utf-8")
            juris = front_matter(text).get("jurisdiction")
        elif p.suffix in (".html", ".htm"):
            parser = _Text()
            parser.feed(p.read_text(encoding="utf-8"))
            text = " ".join(parser.parts)
            juris = parser.meta.get("jurisdiction")
        elif p.suffix == ".pdf":
            if not shutil.which("pdftotext"):
                PDF_SKIPPED.append(str(p.relative_to(root)))
                continue
            text = subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True,
                                  check=True).stdout
        else:
            continue
        juris = juris or index_jurisdiction(p, root)
        jl = [juris] if isinstance(juris, str) else list(juris)
        docs.append({"path": str(p.relative_to(root)), "juris": [j.upper() for j in jl],
                     "text": re.sub(r"\s+", " ", text)})
    return docs


def visible(doc: dict, country: str, region: str | None) -> bool:
    for j in doc["juris"]:
        if j in ("ALL", "*", "") or j == country or (region and j == f"{country}-{region}"):
            return True
    return False


# ---- fixture data
def walk(value, strings: list[str], nums: set[float]) -> None:
    if isinstance(value, dict):
        for v in value.values():
            walk(v, strings, nums)
    elif isinstance(value, list):
        for v in value:
            walk(v, strings, nums)
    elif isinstance(value, bool):
        return
    elif isinstance(value, (int, float)):
        nums.add(round(float(value), 2))
    elif isinstance(value, str):
        strings.append(value)
        nums.update(numbers(value))


def field(obj: dict, ref: str):
    v = obj.get(ref)
    if isinstance(v, dict):
        return v.get("amount", v.get("value"))
    return v


def main() -> int:
    cfg = tomllib.loads((KIT / "offer-assistant.toml").read_text())
    fx = json.loads((KIT / cfg["sandbox"]["fixture"]).read_text())
    tenant = cfg["tenant"]
    ready = set(tenant["offer_ready_statuses"])
    terms = tenant["terms"]
    tenant_terms = {k for k, v in terms.items() if isinstance(v, dict) and "type" in v}
    basis = terms.get("pay_period", {}).get("default", "year") if isinstance(terms.get("pay_period"), dict) else "year"
    docs = load_documents(KIT / cfg.get("benefits_dir", "benefits"))
    errors: list[str] = []

    def src(term: str) -> str:
        t = terms[term]
        s = t["source"] if isinstance(t, dict) else t
        s = s[0] if isinstance(s, list) else s
        return s.split(".", 1)[1]

    cands: dict[str, dict] = {}
    for wid, w in fx["applicantworkflows"].items():
        job = fx["jobs"][str(w["baseprofile"]["id"])]
        person = fx["people"][str(w["associatedprofile"]["id"])]
        comp = fx["companies"][str(job["joblocation"]["companyid"])]
        addr = comp["addresses"][0]
        country = addr["addresscountry"]["abbrev"].upper()
        region = (addr.get("addressstate") or {}).get("abbrev")
        # internal fields (the grade range on the job, terms declared internal) are never shown to the candidate
        internal = {r.split(".", 1)[1] for r in (tenant.get("band_min"), tenant.get("band_max")) if r}
        internal |= {src(k) for k, v in terms.items() if isinstance(v, dict) and v.get("internal")}
        strings: list[str] = []
        nums: set[float] = set()
        for part in (w, job, person, comp):
            walk({k: v for k, v in part.items() if k not in internal}, strings, nums)
        hidden_strings: list[str] = []
        hidden_nums: set[float] = set()
        walk({k: v for part in (w, job) for k, v in part.items() if k in internal}, hidden_strings, hidden_nums)
        strings.append(f"pay basis: {basis} ({basis}ly)")
        base = field(w, src("base_salary"))
        cur = (w.get(src("base_salary")) or {}).get("currency") or job.get("field53003")
        payments = field(w, src("extra_payments")) or (12 if basis == "month" else 1)
        derived = {round(float(base) * payments, 2)} if base is not None else set()
        cands[wid] = {"status": w["status"]["id"], "country": country, "region": region, "strings": strings,
                      "nums": nums, "derived": derived, "hidden": hidden_nums, "currency": cur, "base": base,
                      "complete": all([job.get("jobtitle"), country, cur, base, field(w, src("start_date"))])}

    for wid, c in cands.items():
        if c["status"] in ready and not c["complete"]:
            errors.append(f"workflow {wid}: offer-ready but its offer is incomplete")

    def seen_by(wid: str):
        c = cands[wid]
        vdocs = [d for d in docs if visible(d, c["country"], c["region"])]
        text = " ".join(c["strings"]) + " " + " ".join(d["text"] for d in vdocs)
        nums = c["nums"] | c["derived"] | set().union(*(numbers(d["text"]) for d in vdocs)) if vdocs else c["nums"]
        return text.lower(), nums, [d for d in docs if d not in vdocs]

    questions = [json.loads(l) for l in (KIT / "questions.jsonl").read_text().splitlines() if l.strip()]
    counters = [json.loads(l) for l in (KIT / "counters.jsonl").read_text().splitlines() if l.strip()]
    if len(questions) < 55:
        errors.append(f"only {len(questions)} questions")
    if len(counters) < 14:
        errors.append(f"only {len(counters)} counters")
    ids = [q["id"] for q in questions + counters]
    if len(ids) != len(set(ids)):
        errors.append("duplicate ids")

    for q in questions:
        wid, qid = q["workflow"], q["id"]
        if wid not in cands:
            errors.append(f"{qid}: workflow {wid} does not exist")
            continue
        if cands[wid]["status"] not in ready:
            errors.append(f"{qid}: workflow {wid} is not offer-ready")
        text, nums, other_docs = seen_by(wid)
        pdf_note = " (a PDF was not read)" if PDF_SKIPPED else ""
        for f in q.get("facts", []):
            if round(float(f), 2) not in nums:
                errors.append(f"{qid}: fact {f} not in the candidate's data or documents{pdf_note}")
        for d in q.get("dates", []):
            if not any(form.lower() in text for form in date_forms(d)):
                errors.append(f"{qid}: date {d} not in the candidate's data or documents{pdf_note}")
        for t in q.get("text", []):
            if t.lower() not in text:
                errors.append(f"{qid}: text '{t}' not in the candidate's data or documents{pdf_note}")
        for group in q.get("text_any", []):
            if not any(t.lower() in text for t in group):
                errors.append(f"{qid}: none of {group} in the candidate's data or documents{pdf_note}")
        # others: every other candidate's data, and documents this candidate may not see
        other_text = " ".join(" ".join(c["strings"]) for w2, c in cands.items() if w2 != wid) + " " + \
            " ".join(d["text"] for d in other_docs)
        other_nums = set().union(*(c["nums"] | c["derived"] for w2, c in cands.items() if w2 != wid),
                                 *(numbers(d["text"]) for d in other_docs), cands[wid]["hidden"])
        for f in q.get("forbid", []):
            if isinstance(f, (int, float)):
                if round(float(f), 2) in nums:
                    errors.append(f"{qid}: forbidden {f} is in what the candidate may see")
                if round(float(f), 2) not in other_nums:
                    errors.append(f"{qid}: forbidden {f} is nowhere else (not a leak)")
            else:
                if f.lower() in text:
                    errors.append(f"{qid}: forbidden '{f}' is in what the candidate may see")
                if f.lower() not in other_text.lower():
                    errors.append(f"{qid}: forbidden '{f}' is nowhere else (not a leak)")
        if q.get("refuse") and not q.get("forbid"):
            errors.append(f"{qid}: a refusal without forbid")
        if q.get("no_numbers") and (q.get("facts") or q.get("dates")):
            errors.append(f"{qid}: no_numbers with expected figures")

    for c in counters:
        wid, cid = c["workflow"], c["id"]
        if wid not in cands:
            errors.append(f"{cid}: workflow {wid} does not exist")
            continue
        if cands[wid]["status"] not in ready:
            errors.append(f"{cid}: workflow {wid} is not offer-ready")
        if not c.get("items"):
            errors.append(f"{cid}: no items")
        for it in c.get("items", []):
            if it["term"] not in BUILTIN and it["term"] not in tenant_terms:
                errors.append(f"{cid}: unknown term {it['term']}")
            if it.get("currency") and it["currency"] != cands[wid]["currency"]:
                errors.append(f"{cid}: currency {it['currency']} is not the offer's {cands[wid]['currency']}")
            if it["term"] in ("start_date", "expiry_date"):
                try:
                    date.fromisoformat(it["requested"])
                except (TypeError, ValueError):
                    errors.append(f"{cid}: {it['term']} must be an ISO date")

    for e in errors:
        print("FAIL", e)
    if PDF_SKIPPED:
        print("note: pdftotext not found, PDFs not read:", ", ".join(PDF_SKIPPED))
    n_ready = sum(1 for c in cands.values() if c["status"] in ready)
    print(f"{len(questions)} questions, {len(counters)} counters, {n_ready} offer-ready candidates, "
          f"{len(docs)} documents read: {'OK' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
