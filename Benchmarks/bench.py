#!/usr/bin/env python3
"""`make bench`: Waymark beside a SQLite event store, a Python fold and the machine's limits,
all measured in one run on the same data (`waymark generate --years $BENCH_YEARS`, fixed seed).

Each figure is the median of $BENCH_RUNS runs ($BENCH_INGEST_RUNS for ingest, the slowest;
$BENCH_QUICK_RUNS for the rebuild and the SQL query, a second or two each on a machine whose
speed drifts by a quarter from minute to minute).
The peers must compute the same care-home incident counts as Waymark: the run fails if they
do not. Prints a table, then one JSON object as the last line. Standard library only.
"""
import csv, json, os, random, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(ROOT)
YEARS = int(os.environ.get("BENCH_YEARS", "5"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
QUICK_RUNS = int(os.environ.get("BENCH_QUICK_RUNS", "7"))
INGEST_RUNS = int(os.environ.get("BENCH_INGEST_RUNS", "1"))
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "1000"))
WORK = os.environ.get("BENCH_DIR", "bench-data") + "/y%d" % YEARS
BIN = "./.build/release/waymark"
os.makedirs(WORK, exist_ok=True)
say = lambda *a: print(*a, file=sys.stderr, flush=True)

def run(cmd, stdin=None, stdout=subprocess.DEVNULL, ok=(0,)):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    t = time.perf_counter() - t0
    if p.returncode not in ok:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.decode()[-500:]))
    return t

def timed_rss(cmd):
    out = WORK + "/time.out"
    t = run(["/usr/bin/time", "-f", "%M", "-o", out] + cmd)
    return t, int(open(out).read().split()[-1]) / 1024

def median(xs): return statistics.median(xs)

if shutil.which("sqlite3") is None:
    say("bench: installing sqlite3 from Debian")
    subprocess.run(["apt-get", "install", "-y", "sqlite3"], stdout=subprocess.DEVNULL) if os.geteuid() == 0 else None
    if shutil.which("sqlite3") is None:
        subprocess.run(["sh", "-c", "apt-get update >/dev/null && apt-get install -y sqlite3 >/dev/null"])
if shutil.which("sqlite3") is None: sys.exit("bench: sqlite3 is needed (apt-get install sqlite3)")

gen, manifest = WORK + "/feeds", WORK + "/feeds/manifest.json"
if not os.path.exists(manifest):
    say("bench: generating %d year(s) of feeds" % YEARS)
    run([BIN, "generate", "--out", gen, "--years", str(YEARS), "--seed", "11"])

# Ingest (durable) into a fresh log; the last run's log is the one measured below.
log = WORK + "/log"
ingest = []
for i in range(INGEST_RUNS):
    shutil.rmtree(log, ignore_errors=True)
    say("bench: ingest %d/%d" % (i + 1, INGEST_RUNS))
    ingest.append(run([BIN, "ingest", "--manifest", manifest, "--log", log], ok=(0, 2)))
events = json.loads(subprocess.check_output([BIN, "stats", "--log", log]))["events"]
ndjson = WORK + "/events.ndjson"
with open(ndjson, "wb") as f: run([BIN, "read", "--log", log], stdout=f)
segment_bytes = sum(os.path.getsize(os.path.join(log, n)) for n in os.listdir(log) if n.endswith(".log"))

# append of the same events as NDJSON, durable, each run paired with dd writing as many bytes
# durably (the disk's limit) just after it: this disk's durable write speed drifts by 3x within
# a run, so a limit measured minutes away is no limit for the append beside it.
# dd with oflag=direct (no page cache) is printed beside it: on this virtual machine fresh page
# cache costs more than the disk, and append, which lets go of its pages after each fsync and
# reuses them, can pass plain dd.
append, dd, dd_direct = [], [], []
for i in range(RUNS):
    shutil.rmtree(WORK + "/append-log", ignore_errors=True)
    append.append(run([BIN, "append", "--log", WORK + "/append-log", "--recorded-at", "2030-01-01T00:00:00Z", ndjson]))
    # The segments' own bytes (zeros can be elided by thin-provisioned storage).
    dd.append(run(["sh", "-c", "cat %s/*.log | dd of=%s/dd.out bs=1M iflag=fullblock conv=fsync status=none" % (log, WORK)]))
    os.remove(WORK + "/dd.out")
    dd_direct.append(run(["sh", "-c", "cat %s/*.log | dd of=%s/dd.out bs=1M iflag=fullblock oflag=direct conv=fsync status=none" % (log, WORK)]))
    os.remove(WORK + "/dd.out")

# SQLite peer: the same events inserted in one transaction, then the counts in SQL.
load = WORK + "/load.sql"
run(["python3", "Benchmarks/sqlite-load.py", ndjson], stdout=open(load, "wb"))
insert = []
for i in range(RUNS):
    db = WORK + "/peer.db"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix): os.remove(db + suffix)
    insert.append(run(["sqlite3", db], stdin=open(load, "rb")))

# Python peer.
fold = [run(["python3", "Benchmarks/python_fold.py", ndjson], stdout=open(WORK + "/python.csv", "wb")) for _ in range(RUNS)]

# Waymark rebuild and the SQL query, by turns (as append and dd are): this machine's speed
# drifts from minute to minute, and a ratio of two figures measured minutes apart measures
# the drift as much as the work.
models = WORK + "/models"
rebuild, query = [], []
for i in range(QUICK_RUNS):
    query.append(run(["sqlite3", WORK + "/peer.db"], stdin=open("Benchmarks/sqlite-care-homes.sql", "rb"), stdout=open(WORK + "/sqlite.csv", "wb")))
    rebuild.append(timed_rss([BIN, "project", "all", "--log", log, "--out", models, "--rebuild"]))

# The peers must have done the same work.
def counts(path): return {(r["homeUrn"], r["period"]): r["incidents"] for r in csv.DictReader(open(path))}
mine = counts(models + "/care-homes.csv")
for peer in ("sqlite", "python"):
    theirs = counts(WORK + "/%s.csv" % peer)
    if theirs != mine:
        bad = [k for k in sorted(set(mine) | set(theirs)) if mine.get(k) != theirs.get(k)]
        sys.exit("bench: the %s peer's care-home counts differ from Waymark's on %d home-years, e.g. %s" % (peer, len(bad), bad[:3]))
say("bench: peers agree on %d home-years, %d incidents" % (len(mine), sum(int(v) for v in mine.values())))

# Limit: reading the segment files (writing them durably was measured beside append).
cat = [run(["sh", "-c", "cat %s/*.log > /dev/null" % log]) for _ in range(RUNS)]

# Timeline: random children, each call a fresh process.
children = [r["child"] for r in csv.DictReader(open(models + "/children.csv"))]
random.seed(7)
lookups = []
for child in random.sample(children, min(LOOKUPS, len(children))):
    lookups.append(run([BIN, "timeline", "--out", models, "--child", child]) * 1000)
lookups.sort()

rate = lambda ts: round(events / median(ts))
r = {
    "events": events,
    "ingestEventsPerSec": rate(ingest), "appendEventsPerSec": rate(append), "sqliteInsertEventsPerSec": rate(insert),
    "rebuildEventsPerSec": rate([t for t, _ in rebuild]), "sqliteQueryEventsPerSec": rate(query), "pythonFoldEventsPerSec": rate(fold),
    "catEventsPerSec": rate(cat), "ddEventsPerSec": rate(dd),
    "timelineMedianMs": round(median(lookups), 2), "timelineP99Ms": round(lookups[min(len(lookups) - 1, int(len(lookups) * 0.99))], 2),
    "rebuildPeakRssMiB": round(median([m for _, m in rebuild]), 1),
}
rows = [
    ("waymark ingest (feeds, durable)", median(ingest), r["ingestEventsPerSec"], ""),
    ("waymark append (NDJSON, durable)", median(append), r["appendEventsPerSec"], "%.2fx sqlite insert, %.2f of dd" % (r["appendEventsPerSec"] / r["sqliteInsertEventsPerSec"], r["appendEventsPerSec"] / r["ddEventsPerSec"])),
    ("sqlite3 insert, one transaction (peer)", median(insert), r["sqliteInsertEventsPerSec"], ""),
    ("dd conv=fsync, same bytes (limit)", median(dd), r["ddEventsPerSec"], ""),
    ("dd oflag=direct conv=fsync (the device)", median(dd_direct), rate(dd_direct), "no page cache"),
    ("waymark project all --rebuild", median([t for t, _ in rebuild]), r["rebuildEventsPerSec"], "%.2fx sqlite query, %.2fx python, %.3f of cat; peak RSS %.0f MiB" % (
        r["rebuildEventsPerSec"] / r["sqliteQueryEventsPerSec"], r["rebuildEventsPerSec"] / r["pythonFoldEventsPerSec"], r["rebuildEventsPerSec"] / r["catEventsPerSec"], r["rebuildPeakRssMiB"])),
    ("sqlite3 care-home counts in SQL (peer)", median(query), r["sqliteQueryEventsPerSec"], ""),
    ("python fold, care-home counts (peer)", median(fold), r["pythonFoldEventsPerSec"], ""),
    ("cat segment files (limit)", median(cat), r["catEventsPerSec"], ""),
]
print("\nBenchmark: %d events (%d year(s) generated, %.0f MiB of segments), %d children; medians of %d runs (ingest %d, rebuild and SQL query %d)" % (
    events, YEARS, segment_bytes / 2**20, len(children), RUNS, INGEST_RUNS, QUICK_RUNS))
print("machine: %d cores, %s" % (os.cpu_count(), " ".join(os.uname()[0:3:2])))
print("%-42s %10s %14s   %s" % ("measure", "seconds", "events/s", "ratio"))
for name, t, ev, note in rows: print("%-42s %10.3f %14d   %s" % (name, t, ev, note))
print("%-42s %10s %14s   p99 %.2f ms (%d calls, process start included)" % ("waymark timeline --child, median ms", r["timelineMedianMs"], "", r["timelineP99Ms"], len(lookups)))
print(json.dumps(r, separators=(",", ":")))
