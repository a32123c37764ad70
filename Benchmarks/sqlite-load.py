#!/usr/bin/env python3
"""Writes the SQL that loads NDJSON events into the SQLite peer's table, in one transaction:
events(seq INTEGER PRIMARY KEY, id TEXT UNIQUE, type TEXT, child TEXT, data TEXT), data the
whole envelope. Usage: sqlite-load.py EVENTS.ndjson > load.sql (not part of the timed work)."""
import json, sys
out = sys.stdout
out.write("PRAGMA journal_mode=WAL;\nCREATE TABLE events(seq INTEGER PRIMARY KEY, id TEXT UNIQUE, type TEXT, child TEXT, data TEXT);\nBEGIN;\n")
def q(s): return "NULL" if s is None else "'" + s.replace("'", "''") + "'"
for line in open(sys.argv[1]):
    e = json.loads(line)
    e.pop("offset", None); e.pop("recordedAt", None)
    out.write("INSERT INTO events(id, type, child, data) VALUES(%s,%s,%s,%s);\n" % (q(e["id"]), q(e["type"]), q(e.get("child")), q(json.dumps(e, separators=(",", ":")))))
out.write("COMMIT;\n")
