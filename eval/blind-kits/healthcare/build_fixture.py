#!/usr/bin/env python3
"""Writes meridian-icims.json, the iCIMS sandbox fixture of the Meridian Mercy Health Network kit."""
import json
from pathlib import Path

CUST = 8830
API = f"https://api.icims.com/customers/{CUST}"
STATUSES = {
    "C41301": "Screening", "C41302": "Unit Interview", "C41303": "Offer - Pending Approval",
    "C41304": "Offer - Ready to Extend", "C41305": "Offer - Extended", "C41306": "Offer - Accepted",
    "C41307": "Offer - Declined", "C41308": "Not Selected", "C41309": "Candidate Withdrew",
    "C41310": "Requisition Closed", "C41311": "Hired - Cleared to Start",
}
STATES = {"TX": ("D41001044", "Texas"), "NY": ("D41001033", "New York")}
LOCATIONS = {  # company id: (name, address entry, street, city, state, zip)
    8801: ("Meridian Mercy Hospital San Antonio", 11, "7700 Floyd Curl Drive", "San Antonio", "TX", "78229"),
    8802: ("Meridian Mercy Hospital Houston Southeast", 12, "4100 Spencer Highway", "Pasadena", "TX", "77504"),
    8803: ("Meridian Mercy Clinic Laredo", 13, "2500 East Saunders Street", "Laredo", "TX", "78041"),
    8804: ("Meridian Mercy Hospital Bronx", 14, "1650 Grand Concourse", "Bronx", "NY", "10457"),
    8805: ("Meridian Mercy Hospital Albany", 15, "315 New Scotland Avenue", "Albany", "NY", "12208"),
}
SHIFTS = {
    "C41041": "Days (7a-7p)", "C41042": "Nights (7p-7a)", "C41043": "Rotating Days/Nights",
    "C41044": "Weekend Option (Fri-Sun 12s)", "C41045": "Clinic Days (8a-5p)",
}
BASIS = {"C41021": "Per Hour", "C41022": "Annual Salary"}
DEPTS = {"C41601": "Nursing", "C41602": "Perioperative Services", "C41603": "Hospital Medicine",
         "C41604": "Respiratory Care", "C41605": "Ambulatory Clinics", "C41606": "Imaging"}
LANG = {"es": {"id": "C41801", "value": "Spanish", "formattedvalue": "Spanish"},
        "en": {"id": "C41800", "value": "English", "formattedvalue": "English"}}

# staff: id -> (first, last)
STAFF = {
    6701: ("Teresa", "Galindo"), 6702: ("Winston", "Achebe"), 6703: ("Carla", "Mendez-Ruiz"),
    6704: ("Howard", "Lindqvist"), 6705: ("Nkechi", "Obi"), 6706: ("Ramon", "Castellano"),
    6751: ("Brianna", "Holloway"), 6752: ("Luis", "Ybarra"), 6753: ("Margaret", "Sullivan-Chu"),
}

JOBS = {  # id: title, dept, location, hm, recruiter, band min, band max, license requirement
    8201: ("Registered Nurse - Intensive Care (Nights)", "C41601", 8801, 6701, 6752, 42.00, 55.00,
           "Active Texas RN license or multistate RN license (Nurse Licensure Compact); BLS and ACLS (American Heart Association)"),
    8202: ("Registered Nurse - Emergency Department", "C41601", 8804, 6702, 6751, 52.00, 68.00,
           "Current New York State RN license and registration; BLS, ACLS and PALS"),
    8203: ("Certified Surgical Technologist", "C41602", 8802, 6703, 6752, 25.00, 34.00,
           "CST certification (NBSTSA) and BLS"),
    8204: ("Registered Nurse - Labor and Delivery", "C41601", 8805, 6704, 6753, 46.00, 60.00,
           "New York State RN license and registration; BLS and NRP; AWHONN fetal monitoring course within 6 months of hire"),
    8205: ("Hospitalist Physician", "C41603", 8804, 6705, 6751, 265000, 320000,
           "Unrestricted New York State medical license, DEA registration, board certified or board eligible in Internal Medicine"),
    8206: ("Nurse Manager - Medical/Surgical", "C41601", 8801, 6706, 6752, 105000, 135000,
           "Texas RN or multistate compact RN license; BSN required"),
    8207: ("Respiratory Therapist", "C41604", 8802, 6703, 6752, 29.00, 40.00,
           "Texas Respiratory Care Practitioner license, RRT credential and BLS"),
    8208: ("Patient Care Technician - Family Medicine Clinic", "C41605", 8803, 6706, 6752, 17.00, 24.00,
           "BLS; Texas CNA or CCMA certification within 90 days of hire"),
    8209: ("Registered Nurse - Medical/Surgical (Nights)", "C41601", 8805, 6704, 6753, 46.00, 60.00,
           "New York State RN license and registration; BLS"),
    8210: ("CT Technologist", "C41606", 8804, 6702, 6751, 40.00, 54.00,
           "New York State Radiologic Technologist license; ARRT registry with CT credential"),
}

# workflow id: person id, first, last, language, job, offer fields
CANDIDATES = {
    4501: (6601, "Ana Lucía", "Treviño", "es", 8201, dict(
        base=46.50, basis="C41021", hours=36, shift="C41042", night=6.00, weekend=10, sign_on=15000,
        repay=24, tuition=5250, start="2027-02-01", unit="ICU - 5 North", expiry="2027-01-15", max=50.75)),
    4502: (6602, "Marcus", "Oyelaran", None, 8202, dict(
        base=58.75, basis="C41021", hours=36, shift="C41043", night=7.50, weekend=12, sign_on=20000,
        repay=24, tuition=6000, relocation=5000, start="2027-02-15", unit="Emergency Department - Adult ED",
        expiry="2027-01-29", max=63.00)),
    4503: (6603, "Guadalupe", "Esparza", "es", 8203, dict(
        base=29.80, basis="C41021", hours=40, shift="C41041", night=3.00, weekend=8, sign_on=5000, repay=12,
        tuition=3000, start="2027-01-25", unit="Main Operating Room", expiry="2027-01-12", max=32.00)),
    4504: (6604, "Hye-jin", "Park", None, 8204, dict(
        base=52.40, basis="C41021", hours=36, shift="C41044", night=6.50, weekend=15, sign_on=12000, repay=18,
        tuition=5250, relocation=7500, start="2027-03-01", unit="Labor and Delivery - Birthing Center",
        expiry="2027-02-10", max=56.00)),
    4505: (6605, "Samuel", "Whitcombe", "en", 8205, dict(
        base=286000, basis="C41022", shift="C41041", quality=10, sign_on=40000, repay=36, relocation=15000,
        start="2027-04-05", unit="Hospital Medicine", expiry="2027-02-19", max=305000)),
    4506: (6606, "Rosa", "Villalobos", "es", 8206, dict(
        base=119600, basis="C41022", hours=40, shift="C41041", quality=7, sign_on=8000, repay=12, tuition=5250,
        start="2027-02-22", unit="Medical/Surgical - 6 East", expiry="2027-02-05", max=128000)),
    4507: (6607, "Kevin", "Tran", None, 8207, dict(  # no sign-on bonus, no repayment period, no tuition
        base=34.25, basis="C41021", hours=36, shift="C41043", night=4.00, weekend=10, start="2027-02-08",
        unit="Respiratory Care", expiry="2027-01-22", max=37.00)),
    4508: (6608, "Yesenia", "Cárdenas", "es", 8208, dict(
        base=19.60, basis="C41021", hours=40, shift="C41045", sign_on=2500, repay=12, tuition=2000,
        start="2027-01-18", unit="Family Medicine Clinic", expiry="2027-01-08", max=21.00,
        license="BLS within 30 days of hire; Texas CNA certification (already held) kept active")),
    4509: (6609, "Daniel", "Kowalczyk", None, 8209, dict(
        base=50.50, basis="C41021", hours=36, shift="C41042", night=6.50, weekend=12, sign_on=10000, repay=24,
        tuition=5250, relocation=3000, start="2027-02-08", unit="Medical/Surgical - 4 West", expiry="2027-01-25",
        max=54.00)),
    4510: (6610, "Fatima", "Haddad", None, 8210, dict(
        base=44.90, basis="C41021", hours=40, shift="C41041", night=5.00, weekend=10, sign_on=7500, repay=12,
        tuition=4000, start="2027-03-15", unit="Imaging - CT", expiry="2027-02-26", max=48.00)),
}


def money(v):
    return {"amount": v, "amountstring": f"{v:,.2f}", "currency": "USD"}


def node(id_, value):
    return {"id": id_, "value": value, "formattedvalue": value}


def state(abbrev):
    sid, name = STATES[abbrev]
    return {"id": sid, "value": name, "abbrev": abbrev}


def main():
    people, jobs, companies, workflows = {}, {}, {}, {}
    for cid, (name, entry, street, city, st, zipc) in LOCATIONS.items():
        companies[str(cid)] = {
            "name": name, "folder": node("D33001", "Active Location"),
            "addresses": [{"entry": entry, "addresstype": node("D84001", "Business"), "addressstreet1": street,
                           "addresscity": city, "addressstate": state(st), "addresszip": zipc,
                           "addresscountry": {**node("D41001", "United States"), "abbrev": "US"}}],
        }
    for pid, (first, last) in STAFF.items():
        people[str(pid)] = {"firstname": first, "lastname": last,
                            "email": f"{first.lower()}.{last.lower().replace('-', '')}@meridianmercy.example",
                            "folder": node("D32014", "Employee:Active")}
    for jid, (title, dept, loc, hm, rec, bmin, bmax, lic) in JOBS.items():
        name, entry, street, city, st, _ = LOCATIONS[loc]
        jobs[str(jid)] = {
            "jobid": f"MMH-2026-{jid - 8000:04d}", "jobtitle": title, "folder": node("D31001", "Approved"),
            "department": node(dept, DEPTS[dept]),
            "joblocation": {"companyid": loc, "address": f"{API}/companies/{loc}/fields/addresses/{entry}",
                            "id": entry, "value": f"{name} - {street} {city} "},
            "hiringmanager": {"profile": f"{API}/people/{hm}", "id": hm, "value": " ".join(STAFF[hm])},
            "recruiter": {"profile": f"{API}/people/{rec}", "id": rec, "value": " ".join(STAFF[rec])},
            "positiontype": node("D36001", "Full-Time"), "numberofpositions": 2,
            "field4160": bmin, "field4161": bmax, "field4162": "USD", "field4166": lic,
        }
    for wid, (pid, first, last, lang, jid, f) in CANDIDATES.items():
        st = LOCATIONS[JOBS[jid][2]][4]
        person = {"firstname": first, "lastname": last,
                  "email": f"{first.split()[0].lower()}.{last.lower()}@mail.example".replace("ñ", "n").replace("á", "a"),
                  "folder": node("D32006", "Cand:Offer"),
                  "addresses": [{"entry": 9000 + pid - 6600, "addresstype": node("D84002", "Home"),
                                 "addresscity": "San Antonio" if st == "TX" else "Yonkers",
                                 "addressstate": state(st),
                                 "addresscountry": {**node("D41001", "United States"), "abbrev": "US"}}]}
        if lang:
            person["field4180"] = LANG[lang]
        people[str(pid)] = person
        w = {
            "baseprofile": {"profile": f"{API}/jobs/{jid}", "id": jid, "value": JOBS[jid][0]},
            "associatedprofile": {"profile": f"{API}/people/{pid}", "id": pid, "value": f"{first} {last}"},
            "status": node("C41304", STATUSES["C41304"]),
            "source": "Careers Site", "sourcename": "careers.meridianmercy.example",
            "field4101": money(f["base"]),
            "field4102": node(f["basis"], BASIS[f["basis"]]),
        }
        if "hours" in f:
            w["field4103"] = f["hours"]
        w["field4104"] = node(f["shift"], SHIFTS[f["shift"]])
        if "night" in f:
            w["field4105"] = money(f["night"])
        if "weekend" in f:
            w["field4106"] = f["weekend"]
        if "sign_on" in f:
            w["field4107"] = money(f["sign_on"])
        if "repay" in f:
            w["field4108"] = f["repay"]
        if "tuition" in f:
            w["field4109"] = money(f["tuition"])
        if "relocation" in f:
            w["field4110"] = money(f["relocation"])
        w["field4111"] = f["start"]
        w["field4112"] = f["unit"]
        if "quality" in f:
            w["field4113"] = f["quality"]
        w["field4114"] = f["expiry"]
        if "license" in f:
            w["field4116"] = f["license"]
        w["field4119"] = money(f["max"])
        workflows[str(wid)] = w
    # one workflow not yet at an offer status (never asked about)
    people["6611"] = {"firstname": "Oscar", "lastname": "Benavides", "email": "oscar.benavides@mail.example",
                      "folder": node("D32006", "Cand:Interview")}
    workflows["4511"] = {
        "baseprofile": {"profile": f"{API}/jobs/8201", "id": 8201, "value": JOBS[8201][0]},
        "associatedprofile": {"profile": f"{API}/people/6611", "id": 6611, "value": "Oscar Benavides"},
        "status": node("C41302", STATUSES["C41302"]), "source": "Employee Referral",
    }
    fixture = {"customerId": CUST, "customer": {"name": "Meridian Mercy Health Network", "customerType": "test"},
               "statuses": STATUSES, "people": people, "jobs": jobs, "companies": companies,
               "applicantworkflows": workflows}
    out = Path(__file__).resolve().parent / "meridian-icims.json"
    out.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out.name}: {len(workflows)} workflows, {len(jobs)} jobs, {len(people)} people")


if __name__ == "__main__":
    main()
