#!/usr/bin/env python3
"""The Python peer: reads NDJSON events (as `waymark read` prints them) and computes the
care-home incident counts the way Waymark's read models do under rules/default.json, with the
standard library only. Prints CSV `homeUrn,period,incidents`, sorted.

The rules it follows (see README, "How the events become read models"): superseded and
retracted events are ignored; an episode is one MissingReported; a police incident and an
SSDA903 period of the same child whose starts are at most a day apart are one episode (each
police incident takes the period on its own date, else the closest; a period none takes is an episode of its own); an episode belongs to the home of the
placement its report names, else of the placement in force when it started; periods are
financial years from April. Children are linked by IdentityLinked and by the placement a
police report names; RHIs and other events about an episode link their child to it.
"""
import json, sys
from datetime import datetime

def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()

events, superseded, retracted = [], set(), set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    events.append(e)
    if e.get("supersedes"):
        superseded.add(e["supersedes"])
    if e["type"] == "EventRetracted":
        retracted.add(e["data"]["target"])
live = [e for e in events if e["id"] not in superseded and e["id"] not in retracted]

parent = {}
def find(x):
    while parent.get(x, x) != x:
        x = parent[x]
    return x
def rank(r):
    return (0 if r.startswith("la:") else 1 if r.startswith("police:") else 2, r)
def link(a, b):
    ra, rb = find(a), find(b)
    if ra != rb:
        if rank(ra) < rank(rb): parent[rb] = ra
        else: parent[ra] = rb

owner = {}
for e in live:
    c = e.get("child")
    if e["type"] == "IdentityLinked": link(c, e["data"]["sameAs"])
    if e["type"] == "MissingReported":
        owner.setdefault(e["episode"], c)
        p = e["data"].get("placement")
        if p: link(c, ":".join(p.split(":")[:3]))
for e in live:
    ep, c = e.get("episode"), e.get("child")
    if ep and c and ep in owner and owner[ep] != c: link(c, owner[ep])
    if ep and c and ep.startswith("la:"): link(c, ":".join(ep.split(":")[:3]))

placements = {}
for e in live:
    d = e["data"]
    if e["type"] == "PlacementStarted":
        old = placements.get(d["placement"], {})
        placements[d["placement"]] = {"child": e["child"], "urn": d.get("homeUrn"), "start": ts(d["startDate"] + "T00:00:00Z"), "end": old.get("end")}
    elif e["type"] == "PlacementEnded":
        placements.setdefault(d["placement"], {"child": e["child"], "urn": None, "start": ts(e["occurredAt"])})["end"] = ts(d["endDate"] + "T00:00:00Z")
by_child = {}
for ref, p in placements.items():
    by_child.setdefault(find(p["child"]), []).append((p["start"], ref, p))
for k in by_child: by_child[k].sort(key=lambda x: (x[0], x[1]))

reports = {}
for e in live:
    if e["type"] == "MissingReported":
        reports[e["episode"]] = e
as_of = max(ts(e["occurredAt"]) for e in events)

def in_force(child, t):
    found = None
    for start, ref, p in by_child.get(child, []):
        if start <= t and (p.get("end") is None or p["end"] >= t): found = p
    return found

def fy(t):
    d = datetime.utcfromtimestamp(t)
    first = d.year if d.month >= 4 else d.year - 1
    return "%d-%02d" % (first, (first + 1) % 100)

counts = {}
groups = {}
for ep, e in reports.items():
    groups.setdefault(find(e["child"]), []).append((ts(e["data"].get("reportedAt", e["occurredAt"])), ep, e))
for child, items in groups.items():
    items.sort(key=lambda x: (x[0], x[1]))
    police = [x for x in items if not x[1].startswith("la:")]
    periods = [x for x in items if x[1].startswith("la:")]
    taken = set()
    for t, ep, e in police:
        cands = [p for p in periods if abs(p[0] - t) <= 86400]
        if cands:
            # the period on the incident's own date first, then the closest, then the earlier
            taken.add(min(cands, key=lambda p: (p[0] // 86400 != t // 86400, abs(p[0] - t), p[0], p[1]))[1])
    lonely = [p for p in periods if p[1] not in taken]
    for t, ep, e in police + lonely:
        if t > as_of: continue
        ref = e["data"].get("placement")
        p = placements.get(ref) if ref else None
        if p is None: p = in_force(child, t)
        if p and p.get("urn"):
            key = (p["urn"], fy(t))
            counts[key] = counts.get(key, 0) + 1
print("homeUrn,period,incidents")
for (urn, period), n in sorted(counts.items()):
    print("%s,%s,%d" % (urn, period, n))
