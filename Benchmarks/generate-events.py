#!/usr/bin/env python3
"""Writes N event envelopes as NDJSON to stdout, deterministically (fixed seed).

Shapes follow DOMAIN.md section 4: mostly MissingReported / ChildFound / RiskAssessed /
ReturnInterviewRecorded with realistic references, so record sizes resemble real traffic.
Standard library only.  Usage: generate-events.py N [SEED]
"""
import json, random, sys

n = int(sys.argv[1])
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
forces = ["MPS", "KENT", "GMP", "BTP"]
las = ["309", "206", "886", "356"]
out = sys.stdout
for i in range(n):
    force = rng.choice(forces)
    person = "P%07d" % rng.randrange(400000)
    incident = "M-2023-%06d" % (i // 4)
    day = 1 + rng.randrange(28)
    hour = rng.randrange(24)
    t = "2023-%02d-%02dT%02d:%02d:00Z" % (1 + rng.randrange(12), day, hour, rng.randrange(60))
    kind = i % 4
    if kind == 0:
        etype = "MissingReported"
        data = {"reportedAt": t, "reportedBy": rng.choice(["parent", "carer", "careHomeStaff", "police"]),
                "missingFrom": rng.choice(["home", "carePlacement"]), "la": rng.choice(las), "force": force,
                "category": "missing", "riskLevel": rng.choice(["high", "medium", "low"]),
                "riskFactors": rng.sample(["cse", "cce", "countyLines", "mentalHealth", "gangs"], rng.randrange(3))}
    elif kind == 1:
        etype = "RiskAssessed"
        data = {"assessedAt": t, "riskLevel": rng.choice(["high", "medium", "low"]), "riskFactors": [], "by": force}
    elif kind == 2:
        etype = "ChildFound"
        data = {"foundAt": t, "foundBy": rng.choice(["police", "selfReturned", "parentCarer"]),
                "foundLA": rng.choice(las), "foundForce": rng.choice(forces)}
    else:
        etype = "ReturnInterviewRecorded"
        data = {"responsibleLA": rng.choice(las), "provider": "CATCH22", "heldAt": t,
                "outcome": rng.choice(["completed", "declined", "noContact"]), "independent": True,
                "disclosures": [], "referrals": []}
    event = {"id": "bench-%09d" % i, "type": etype, "schemaVersion": 1, "occurredAt": t,
             "source": {"agency": force, "system": "police-missing-export", "recordId": incident},
             "child": "police:%s:%s" % (force, person), "episode": "police:%s:%s" % (force, incident),
             "supersedes": None, "data": data}
    out.write(json.dumps(event, separators=(",", ":")))
    out.write("\n")
