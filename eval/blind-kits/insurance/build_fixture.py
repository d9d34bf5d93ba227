#!/usr/bin/env python3
"""Writes harbourline-icims.json, the iCIMS sandbox fixture of the Harbourline Mutual kit (stdlib only)."""
import json
from pathlib import Path

CUST = 6250
API = f"https://api.icims.com/customers/{CUST}"
STATUSES = {
    "C62701": "Application Review", "C62702": "Second Interview", "C62703": "Offer - Compensation Check",
    "C62704": "Offer - Ready", "C62705": "Offer - Sent to Candidate", "C62706": "Offer - Signed",
    "C62707": "Offer - Turned Down", "C62708": "Rejected", "C62709": "Candidate Withdrew",
    "C62710": "Vacancy Cancelled", "C62711": "Onboarding - Cleared",
}
COUNTRIES = {"GB": ("D41002", "United Kingdom"), "IE": ("D41003", "Ireland"), "MX": ("D41004", "Mexico")}
OFFICES = {  # company id: name, address entry, street, city, region, postcode, country
    6301: ("Harbourline Mutual - London", 31, "20 Fenchurch Street", "London", "London", "EC3M 3BY", "GB"),
    6302: ("Harbourline Mutual - Leeds Claims Centre", 32, "1 Whitehall Quay", "Leeds", "West Yorkshire", "LS1 4HR", "GB"),
    6303: ("Harbourline Mutual - Dublin", 33, "2 Grand Canal Square", "Dublin", "Dublin", "D02 A342", "IE"),
    6304: ("Harbourline Mutual - Ciudad de México", 34, "Paseo de la Reforma 250, Piso 14", "Ciudad de México", "CDMX", "06600", "MX"),
    6305: ("Harbourline Mutual - Guadalajara", 35, "Av. Patria 1891, Puerta de Hierro", "Zapopan", "Jalisco", "45116", "MX"),
}
BASIS = {"C62021": "Annual Salary", "C62022": "Monthly Salary (Sueldo mensual)", "C62023": "Hourly"}
MEDICAL = {"C62121": "Employee only", "C62122": "Employee + Partner", "C62123": "Employee + Children",
           "C62124": "Family", "C62125": "Executive Family Plus (legacy)"}   # C62125: nobody mapped it
WORK = {"C62221": "Hybrid (3 office days a week)", "C62222": "Office-based", "C62223": "Home-based"}
LANG = {"es": {"id": "C62801", "value": "Spanish", "formattedvalue": "Spanish"},
        "en": {"id": "C62800", "value": "English", "formattedvalue": "English"}}
STAFF = {
    6901: ("Gareth", "Pryce"), 6902: ("Niamh", "Doherty"), 6903: ("Ximena", "Barragán"),
    6904: ("Oliver", "Strand"), 6905: ("Beatriz", "Quintanilla"), 6906: ("Imran", "Siddiqui"),
    6951: ("Laura", "Kettering"), 6952: ("Ciarán", "Moloney"), 6953: ("Paulina", "Esquivel"),
}
JOBS = {  # id: title, department, office, hiring manager, recruiter, band min, band max, currency, exam requirement
    6701: ("Senior Underwriter - Commercial Property", "Commercial Underwriting", 6301, 6901, 6951, 60000, 76000, "GBP",
           "Dip CII held; ACII to be completed within 24 months"),
    6702: ("Customer Service Advisor - Claims Contact Centre", "Claims Contact Centre", 6302, 6904, 6951, 12.60, 15.20, "GBP",
           "Cert CII (Insurance) within 12 months of joining"),
    6703: ("Pricing Analyst", "Pricing and Analytics", 6302, 6906, 6951, 40000, 52000, "GBP",
           "IFoA or CII study encouraged; none required"),
    6704: ("Claims Team Leader - Motor", "Motor Claims", 6302, 6904, 6951, 36000, 46000, "GBP",
           "Cert CII held; Dip CII within 24 months"),
    6705: ("Claims Specialist - Liability", "Liability Claims", 6303, 6902, 6952, 46000, 58000, "EUR",
           "Certified Insurance Practitioner (CIP) or Cert CII within 18 months"),
    6706: ("Head of Reserving", "Actuarial", 6301, 6906, 6951, 105000, 130000, "GBP",
           "Fellow of the Institute and Faculty of Actuaries (FIA)"),
    6707: ("Senior Data Scientist - Pricing", "Pricing and Analytics", 6303, 6902, 6952, 75000, 95000, "EUR",
           "none"),
    6708: ("Analista de Siniestros", "Siniestros Daños", 6304, 6903, 6953, 28000, 36000, "MXN",
           "Cédula de agente no requerida"),
    6709: ("Suscriptor Senior - Riesgos Comerciales", "Suscripción", 6305, 6905, 6953, 52000, 66000, "MXN",
           "Cert CII or equivalent within 24 months"),
    6710: ("Agente de Centro de Contacto", "Centro de Contacto", 6305, 6905, 6953, 13500, 16500, "MXN",
           "none"),
    6711: ("Actuarial Manager - Mexico", "Actuarial", 6304, 6903, 6953, 85000, 105000, "MXN",
           "Actuario titulado; CONAC certification"),
}
# workflow id: person id, first, last, language, job, offer fields
CANDIDATES = {
    6501: (6601, "Priya", "Raghunathan", "en", 6701, dict(
        base=68500, basis="C62021", hours=35, bonus=15, car=5400, sign_on=6000, claw=12, pension=8, medical="C62122",
        probation=6, notice=3, study=1500, pto=27, work="C62221", start="2027-03-01", expiry="2027-01-22",
        max=74000)),
    6502: (6602, "Callum", "Whitaker", None, 6702, dict(
        base=13.85, basis="C62023", hours=37.5, bonus=5, sign_on=750, claw=12, pension=4, medical="C62121",
        probation=6, notice=1, study=600, pto=25, work="C62222", start="2027-02-08", expiry="2027-01-15",
        max=14.60)),
    6503: (6603, "Hannah", "Okafor", "en", 6703, dict(   # no sign-on bonus, no car allowance, no relocation
        base=46000, basis="C62021", hours=35, bonus=10, pension=6, medical="C62121", probation=6, notice=2,
        study=1200, pto=27, work="C62221", start="2027-02-15", expiry="2027-01-29", max=49500)),
    6504: (6604, "Tomasz", "Nowicki", None, 6704, dict(
        base=41500, basis="C62021", hours=35, bonus=8, car=3000, sign_on=2500, claw=12, relocation=4000, reloc_repay=24,
        pension=6, medical="C62124", probation=6, notice=1, study=900, pto=27, work="C62222", start="2027-03-15",
        expiry="2027-02-05", max=44000)),
    6505: (6605, "Aoife", "Brennan", "en", 6705, dict(
        base=52000, basis="C62021", hours=35, bonus=10, sign_on=3000, claw=12, pension=5, medical="C62121",
        probation=6, notice=1, study=1250, pto=23, work="C62221", start="2027-03-08", expiry="2027-02-01",
        max=56000)),
    6506: (6606, "Eleanor", "Fairbanks-Moore", "en", 6706, dict(
        base=118000, basis="C62021", hours=35, bonus=25, car=7200, sign_on=15000, claw=12, relocation=10000,
        reloc_repay=24, pension=8, medical="C62125", probation=6, notice=3, study=2500, pto=28, work="C62221",
        start="2027-04-05", expiry="2027-02-12", max=126000)),
    6507: (6607, "Darragh", "Kelleher", None, 6707, dict(
        base=84500, basis="C62021", hours=35, bonus=15, sign_on=8000, claw=12, relocation=6500, reloc_repay=24,
        pension=5, medical="C62124", probation=6, notice=2, study=2000, pto=25, work="C62223", start="2027-04-12",
        expiry="2027-02-19", max=91000)),
    6508: (6608, "María Fernanda", "Ruiz Olvera", "es", 6708, dict(
        base=32000, basis="C62022", hours=40, bonus=8, aguinaldo=30, prima=25, fondo=13, trial=30, medical="C62122",
        study=18000, pto=12, work="C62221", start="2027-02-01", expiry="2027-01-20", max=34500)),
    6509: (6609, "Jorge Alberto", "Cárdenas Villaseñor", "es", 6709, dict(
        base=58500, basis="C62022", hours=40, bonus=12, sign_on=40000, relocation=45000, reloc_repay=12, aguinaldo=30,
        prima=25, fondo=13, trial=30, medical="C62124", study=24000, pto=12, work="C62222", start="2027-02-15",
        expiry="2027-01-27", max=63000)),
    6510: (6610, "Daniela", "Ortega Landa", "es", 6710, dict(
        base=14800, basis="C62022", hours=48, bonus=5, aguinaldo=30, prima=25, fondo=13, trial=30, medical="C62121",
        pto=12, work="C62222", start="2027-01-25", expiry="2027-01-13", max=15600)),
    6511: (6611, "Kevin", "Mitchell Salas", "en", 6711, dict(
        base=95000, basis="C62022", hours=40, bonus=20, sign_on=60000, aguinaldo=30, prima=25, fondo=13, trial=30,
        medical="C62124", study=36000, pto=12, work="C62221", start="2027-03-01", expiry="2027-02-08", max=101000)),
    6512: (6612, "Sophie", "Lindqvist", None, 6702, dict(
        base=14.20, basis="C62023", hours=37.5, bonus=5, sign_on=500, claw=12, pension=5, medical="C62122",
        probation=6, notice=1, study=600, pto=25, work="C62222", start="2027-02-22", expiry="2027-01-29",
        max=14.90)),
}
CURRENCY = {"GB": "GBP", "IE": "EUR", "MX": "MXN"}


def money(v, cur):
    return {"amount": v, "amountstring": f"{v:,.2f}", "currency": cur}


def node(id_, value):
    return {"id": id_, "value": value, "formattedvalue": value}


def country(abbrev):
    cid, name = COUNTRIES[abbrev]
    return {"id": cid, "value": name, "abbrev": abbrev}


def main():
    people, jobs, companies, workflows = {}, {}, {}, {}
    for cid, (name, entry, street, city, region, pc, ctry) in OFFICES.items():
        companies[str(cid)] = {
            "name": name, "folder": node("D33001", "Active Location"),
            "addresses": [{"entry": entry, "addresstype": node("D84001", "Business"), "addressstreet1": street,
                           "addresscity": city, "addressstate": {"id": f"D6{entry}", "value": region, "abbrev": region},
                           "addresszip": pc, "addresscountry": country(ctry)}],
        }
    for pid, (first, last) in STAFF.items():
        people[str(pid)] = {"firstname": first, "lastname": last,
                            "email": f"{first.lower()}.{last.lower()}@harbourline.example".replace("á", "a").replace("é", "e"),
                            "folder": node("D32014", "Employee:Active")}
    for jid, (title, dept, office, hm, rec, bmin, bmax, cur, exam) in JOBS.items():
        name, entry, street, city, *_ = OFFICES[office]
        jobs[str(jid)] = {
            "jobid": f"HLM-{jid}", "jobtitle": title, "folder": node("D31001", "Approved"),
            "department": node(f"C6{jid}", dept),
            "joblocation": {"companyid": office, "address": f"{API}/companies/{office}/fields/addresses/{entry}",
                            "id": entry, "value": f"{name} - {street} {city}"},
            "hiringmanager": {"profile": f"{API}/people/{hm}", "id": hm, "value": " ".join(STAFF[hm])},
            "recruiter": {"profile": f"{API}/people/{rec}", "id": rec, "value": " ".join(STAFF[rec])},
            "positiontype": node("D36001", "Full-Time"), "numberofpositions": 1,
            "field6260": bmin, "field6261": bmax, "field6262": cur, "field6264": exam,
        }
    for wid, (pid, first, last, lang, jid, f) in CANDIDATES.items():
        ctry = OFFICES[JOBS[jid][2]][6]
        cur = CURRENCY[ctry]
        person = {"firstname": first, "lastname": last,
                  "email": f"{first.split()[0].lower()}.{last.split()[0].lower()}@mail.example".replace("í", "i").replace("á", "a"),
                  "folder": node("D32006", "Cand:Offer"),
                  "addresses": [{"entry": 9100 + pid - 6600, "addresstype": node("D84002", "Home"),
                                 "addresscity": OFFICES[JOBS[jid][2]][3], "addresscountry": country(ctry)}]}
        if lang:
            person["field6280"] = LANG[lang]
        people[str(pid)] = person
        w = {
            "baseprofile": {"profile": f"{API}/jobs/{jid}", "id": jid, "value": JOBS[jid][0]},
            "associatedprofile": {"profile": f"{API}/people/{pid}", "id": pid, "value": f"{first} {last}"},
            "status": node("C62704", STATUSES["C62704"]), "source": "Careers Site",
            "field6201": money(f["base"], cur), "field6202": node(f["basis"], BASIS[f["basis"]]),
            "field6203": f["hours"], "field6204": f["bonus"],
        }
        if "car" in f:
            w["field6205"] = money(f["car"], cur)
        if "sign_on" in f:
            w["field6206"] = money(f["sign_on"], cur)
        if "claw" in f:
            w["field6207"] = f["claw"]
        if "relocation" in f:
            w["field6208"] = money(f["relocation"], cur)
            w["field6224"] = f["reloc_repay"]
        w["field6209"] = f["start"]
        w["field6210"] = f["expiry"]
        if "pension" in f:
            w["field6211"] = f["pension"]
        w["field6212"] = node(f["medical"], MEDICAL[f["medical"]])
        if "probation" in f:
            w["field6213"] = f["probation"]
        if "trial" in f:
            w["field6214"] = f["trial"]
        if "notice" in f:
            w["field6215"] = f["notice"]
        if "study" in f:
            w["field6216"] = money(f["study"], cur)
        if "aguinaldo" in f:
            w["field6217"] = f["aguinaldo"]
            w["field6218"] = f["prima"]
            w["field6220"] = f["fondo"]
        w["field6219"] = f["pto"]
        w["field6222"] = node(f["work"], WORK[f["work"]])
        w["field6229"] = money(f["max"], cur)      # approved maximum: Reward team only
        workflows[str(wid)] = w
    people["6613"] = {"firstname": "Rhys", "lastname": "Pemberton", "email": "rhys.pemberton@mail.example",
                      "folder": node("D32006", "Cand:Interview")}
    workflows["6513"] = {
        "baseprofile": {"profile": f"{API}/jobs/6703", "id": 6703, "value": JOBS[6703][0]},
        "associatedprofile": {"profile": f"{API}/people/6613", "id": 6613, "value": "Rhys Pemberton"},
        "status": node("C62702", STATUSES["C62702"]), "source": "Agency",
    }
    fixture = {"customerId": CUST, "customer": {"name": "Harbourline Mutual", "customerType": "test"},
               "statuses": STATUSES, "people": people, "jobs": jobs, "companies": companies,
               "applicantworkflows": workflows}
    out = Path(__file__).resolve().parent / "harbourline-icims.json"
    out.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out.name}: {len(workflows)} workflows, {len(jobs)} jobs, {len(people)} people")


if __name__ == "__main__":
    main()
