#!/usr/bin/env python3
"""Loads Waymark read models into pandas the way docs/FORMATS.md says to, from their
datapackage.json, and prints what an analyst would check: the dtype and first non-blank
value of each column named on the command line, one "column dtype value" line each.

  load_models.py MODELS_DIR TABLE COLUMN...
Prints SKIP when pandas is not installed.
"""
import json, sys
try:
    import pandas as pd
except ImportError:
    print("SKIP pandas not installed"); sys.exit(0)

models, table, columns = sys.argv[1], sys.argv[2], sys.argv[3:]
pkg = json.load(open(models + "/datapackage.json"))
resource = next(r for r in pkg["resources"] if r["name"] == table)
fields = resource["schema"]["fields"]
# Text (codes, references) as text, empty as ""; numbers as numbers, empty as NaN;
# booleans from "true"/"false".
dtype = {f["name"]: str for f in fields if f["type"] in ("string", "boolean")}
na = {f["name"]: [""] for f in fields if f["type"] not in ("string", "boolean")}
df = pd.read_csv(models + "/" + resource["path"], dtype=dtype, keep_default_na=False, na_values=na)
for f in fields:
    if f["type"] == "boolean":
        df[f["name"]] = df[f["name"]].map({"true": True, "false": False, "": None})
for c in columns:
    values = [v for v in df[c].tolist() if v != "" and v is not None and v == v]
    print(c, df[c].dtype, repr(values[0]) if values else None)
