#!/usr/bin/env python3
"""The DfE's SSDA903 validator (csc-validator-be-903, module lac_validator) as an oracle.

Usage: dfe903.py RULESET LA_GSS COLLECTION_YEAR FILE...
       dfe903.py RULESET LA_GSS COLLECTION_YEAR --list   (the rule codes it runs)
       dfe903.py RULESET LA_GSS COLLECTION_YEAR --cases DIR...  (each DIR holds header.csv,
       episodes.csv, missing.csv; lines are printed with "case": DIR)
  RULESET          lac2023_24, lac2024_25, ...
  LA_GSS           the LA's GSS code (E09000014 for Haringey)
  COLLECTION_YEAR  the year the collection ends (2024 for 2023-24)
  FILE             header.csv, episodes.csv, missing.csv (CSV, exact DfE columns) or one XML file

Runs every rule of the ruleset whose tables are only Header, Episodes and Missing, each on
its own copy of the data (the validator's rules mutate shared tables), and prints one JSON
line per flagged row: {"table":"Episodes","line":N,"rule":"574"} where N is the row's
1-based line in its CSV (the header is line 1). Rules that need tables not given are
skipped by the validator itself; a rule that crashes is printed as {"crashed":"CODE"}.
"""
import importlib, json, logging, sys, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import copy
from lac_validator.datastore import create_datastore
from lac_validator.ingress import read_from_text

TABLES = {"Header", "Episodes", "Missing"}

def deep_copy(store):
    # The validator's own copy is shallow, and rules assign to the tables' columns: each rule
    # gets tables of its own, or one rule's conversions leak into the next.
    return {k: (v.copy(deep=True) if hasattr(v, "copy") and k != "metadata" else copy.deepcopy(v)) for k, v in store.items()}

def main():
    ruleset, la, year, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    if args and args[0] == "--list":
        # The codes of the rules this oracle runs (tables only Header, Episodes, Missing).
        for code, rule in registry.items():
            if {str(t) for t in (rule.tables or [])} and {str(t) for t in (rule.tables or [])} <= TABLES:
                print(code)
        return
    if args and args[0] == "--cases":
        # Cases in two processes (the machine's two cores): each case is independent.
        import multiprocessing
        def run(d):
            return [{"case": d, **o} for o in validate(registry, la, year, [f"{d}/header.csv", f"{d}/episodes.csv", f"{d}/missing.csv"])]
        global _run
        _run = run
        with multiprocessing.get_context("fork").Pool(2) as pool:
            for lines in pool.map(_call, args[1:], chunksize=1):
                for o in lines:
                    print(json.dumps(o))
    else:
        for o in validate(registry, la, year, args):
            print(json.dumps(o))

_run = None
def _call(d):
    return _run(d)

def validate(registry, la, year, files):
    raw = [{"name": f.split("/")[-1], "file_content": open(f, "rb").read(), "description": "This year"} for f in files]
    dfs, extras = read_from_text(raw)
    metadata = {"collectionYear": year, "localAuthority": la}
    metadata.update(extras)
    store = create_datastore(dfs, metadata)
    out = []
    for code, rule in registry.items():
        tables = {str(t) for t in (rule.tables or [])}
        if not tables or not tables <= TABLES:
            continue
        try:
            result = rule.func(deep_copy(store))
        except Exception:
            out.append({"crashed": str(code)})
            continue
        for table, rows in (result or {}).items():
            for r in rows:
                if r == r:  # not NaN
                    out.append({"table": table, "line": int(r) + 2, "rule": str(code)})
    return sorted(out, key=lambda o: (o.get("table", ""), o.get("line", 0), o.get("rule", o.get("crashed"))))

if __name__ == "__main__":
    main()
