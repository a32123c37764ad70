#!/usr/bin/env bash
# The projection benchmark: a full rebuild of every read model over the data of
# `waymark generate --years $BENCH_YEARS` (events/s, peak RSS), and `waymark timeline` latency
# for random children, process start included (median and p99). Medians of $BENCH_RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
YEARS=${BENCH_YEARS:-5}
RUNS=${BENCH_RUNS:-3}
LOOKUPS=${BENCH_LOOKUPS:-300}
WORK=${BENCH_DIR:-bench-data}
BIN=.build/release/waymark
GEN="$WORK/gen-y$YEARS"; LOG="$WORK/log-y$YEARS"; OUT="$WORK/models-y$YEARS"
mkdir -p "$WORK"
if [ ! -f "$LOG/.complete" ]; then
  rm -rf "$GEN" "$LOG"
  echo "bench: generating $YEARS year(s) of feeds and ingesting them (once; cached in $WORK)" >&2
  "$BIN" generate --out "$GEN" --years "$YEARS" --seed 11 > /dev/null
  "$BIN" ingest --manifest "$GEN/manifest.json" --log "$LOG" > /dev/null 2>&1 || [ $? -eq 2 ]
  touch "$LOG/.complete"
fi
EVENTS=$("$BIN" stats --log "$LOG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs=(); rss=()
for run in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$BIN" project all --log "$LOG" --out "$OUT" --rebuild > /dev/null
  read -r s k < "$WORK/time.out"
  secs+=("$s"); rss+=("$k")
done
S=$(median "${secs[@]}"); K=$(median "${rss[@]}")

# Timeline lookups: random children, each a fresh process.
python3 - "$BIN" "$OUT" "$LOOKUPS" > "$WORK/timeline.out" <<'PY'
import csv, random, subprocess, sys, time
binary, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
children = [row["child"] for row in csv.DictReader(open(out + "/children.csv"))]
random.seed(7)
times = []
for child in random.sample(children, min(n, len(children))):
    t0 = time.perf_counter()
    r = subprocess.run([binary, "timeline", "--out", out, "--child", child], stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - t0) * 1000)
    assert r.returncode == 0, child
times.sort()
print("%.2f %.2f %d %d" % (times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))], len(times), len(children)))
PY
read -r MED P99 N CHILDREN < "$WORK/timeline.out"
RATE=$(awk -v n="$EVENTS" -v t="$S" 'BEGIN {printf "%.0f", n / t}')
MIB=$(awk -v k="$K" 'BEGIN {printf "%.1f", k / 1024}')
echo
echo "Projection benchmark: $YEARS year(s) generated, $EVENTS events, $CHILDREN children; median of $RUNS rebuilds"
printf '%-44s %12s %14s %14s\n' "measure" "seconds" "events/s" "peak RSS MiB"
printf '%-44s %12s %14s %14s\n' "waymark project all --rebuild" "$S" "$RATE" "$MIB"
printf '%-44s %12s\n' "waymark timeline, median of $N (ms)" "$MED"
printf '%-44s %12s\n' "waymark timeline, p99 of $N (ms)" "$P99"
echo "{\"years\":$YEARS,\"events\":$EVENTS,\"children\":$CHILDREN,\"rebuildSeconds\":$S,\"rebuildEventsPerSec\":$RATE,\"rebuildPeakRssMiB\":$MIB,\"timelineMedianMs\":$MED,\"timelineP99Ms\":$P99}"
