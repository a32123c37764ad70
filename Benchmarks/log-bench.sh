#!/usr/bin/env bash
# The log benchmark: append 1,000,000 generated events (durable) and read them back, beside
# the machine's limits measured in the same run on the same bytes: `cat` of the segment
# files (read) and `dd ... conv=fsync` of as many bytes (durable write).
# Each figure is the median of $BENCH_RUNS runs. Prints a table, then one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${BENCH_EVENTS:-1000000}
RUNS=${BENCH_RUNS:-3}
WORK=${BENCH_DIR:-bench-data}
BIN=.build/release/waymark
mkdir -p "$WORK"
INPUT="$WORK/events-$EVENTS.ndjson"
if [ ! -s "$INPUT" ]; then
  echo "bench: generating $EVENTS events into $INPUT" >&2
  python3 Benchmarks/generate-events.py "$EVENTS" 42 > "$INPUT.tmp" && mv "$INPUT.tmp" "$INPUT"
fi
INPUT_BYTES=$(stat -c %s "$INPUT")

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", b - a}'; }

append_t=(); read_t=(); cat_t=(); dd_t=(); direct_t=()
for run in $(seq "$RUNS"); do
  LOG="$WORK/log"
  rm -rf "$LOG"
  t0=$(now); "$BIN" append --log "$LOG" --recorded-at 2026-01-01T00:00:00Z "$INPUT" > "$WORK/append.out"; t1=$(now)
  append_t+=("$(elapsed "$t0" "$t1")")
  grep -q "\"appended\":$EVENTS," "$WORK/append.out" || { echo "bench: append did not take every event: $(cat "$WORK/append.out")" >&2; exit 1; }
  # Append lets go of its pages once they are durable: read them in once, so read and cat are
  # both measured from the page cache.
  LOG_BYTES=$(cat "$LOG"/*.log | wc -c)
  t0=$(now); "$BIN" read --log "$LOG" > /dev/null; t1=$(now)
  read_t+=("$(elapsed "$t0" "$t1")")
  t0=$(now); cat "$LOG"/*.log > /dev/null; t1=$(now)
  cat_t+=("$(elapsed "$t0" "$t1")")
  rm -f "$WORK/dd.out"
  # The segments' own bytes (zeros can be elided by thin-provisioned storage).
  t0=$(now); cat "$LOG"/*.log | dd of="$WORK/dd.out" bs=1M iflag=fullblock conv=fsync status=none; t1=$(now)
  dd_t+=("$(elapsed "$t0" "$t1")")
  rm -f "$WORK/dd.out"
  # The device without the page cache (on this virtual machine fresh page cache costs more
  # than the disk, so append, which reuses its few pages, can pass plain dd).
  t0=$(now); cat "$LOG"/*.log | dd of="$WORK/dd.out" bs=1M iflag=fullblock oflag=direct conv=fsync status=none; t1=$(now)
  direct_t+=("$(elapsed "$t0" "$t1")")
  rm -f "$WORK/dd.out"
done
# verify (every CRC and the SHA-256 hash chain) beside sha256sum of the same segment files.
verify_t=(); sha_t=()
for run in $(seq "$RUNS"); do
  t0=$(now); "$BIN" verify --log "$LOG" > /dev/null; t1=$(now)
  verify_t+=("$(elapsed "$t0" "$t1")")
  t0=$(now); cat "$LOG"/*.log | sha256sum > /dev/null; t1=$(now)
  sha_t+=("$(elapsed "$t0" "$t1")")
done
V=$(median "${verify_t[@]}"); S=$(median "${sha_t[@]}")
# One line holding an object of 100,000 members (rejected: its members are not the schema's),
# beside Python's json.loads of the same line: duplicate-name detection must stay linear.
WIDE="$WORK/wide-object.ndjson"
python3 -c 'import json; print(json.dumps({"id":"wide-1","type":"MissingReported","occurredAt":"2023-03-01T21:15:00Z","child":"police:MPS:P1","episode":"police:MPS:M-1","data":{"k%d" % i: i for i in range(100000)}}))' > "$WIDE"
rm -rf "$WORK/wide-log"
t0=$(now); "$BIN" append --log "$WORK/wide-log" "$WIDE" > /dev/null 2>&1 || true; t1=$(now); W=$(elapsed "$t0" "$t1")
t0=$(now); python3 -c 'import json,sys; json.loads(open(sys.argv[1]).read())' "$WIDE"; t1=$(now); PW=$(elapsed "$t0" "$t1")
A=$(median "${append_t[@]}"); R=$(median "${read_t[@]}"); C=$(median "${cat_t[@]}"); D=$(median "${dd_t[@]}"); DD=$(median "${direct_t[@]}")
rate() { awk -v n="$1" -v t="$2" 'BEGIN {printf "%.0f", n / t}'; }
mbs() { awk -v n="$1" -v t="$2" 'BEGIN {printf "%.1f", n / t / 1048576}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo
echo "Log benchmark: $EVENTS events, $(mbs "$INPUT_BYTES" 1) MiB of NDJSON in, $(mbs "$LOG_BYTES" 1) MiB of segments; median of $RUNS runs"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
printf '%-34s %10s %14s %10s %14s\n' "measure" "seconds" "events/s" "MiB/s" "vs limit"
printf '%-34s %10s %14s %10s %14s\n' "waymark append (fsynced)" "$A" "$(rate "$EVENTS" "$A")" "$(mbs "$LOG_BYTES" "$A")" "$(ratio "$D" "$A") of dd"
printf '%-34s %10s %14s %10s %14s\n' "dd conv=fsync, same bytes (limit)" "$D" "$(rate "$EVENTS" "$D")" "$(mbs "$LOG_BYTES" "$D")" "1.00"
printf '%-34s %10s %14s %10s %14s\n' "dd oflag=direct (the device)" "$DD" "$(rate "$EVENTS" "$DD")" "$(mbs "$LOG_BYTES" "$DD")" "$(ratio "$D" "$DD") of dd"
printf '%-34s %10s %14s %10s %14s\n' "waymark read (to /dev/null)" "$R" "$(rate "$EVENTS" "$R")" "$(mbs "$LOG_BYTES" "$R")" "$(ratio "$C" "$R") of cat"
printf '%-34s %10s %14s %10s %14s\n' "cat segment files (limit)" "$C" "$(rate "$EVENTS" "$C")" "$(mbs "$LOG_BYTES" "$C")" "1.00"
printf '%-34s %10s %14s %10s %14s\n' "waymark verify (CRCs + hash chain)" "$V" "$(rate "$EVENTS" "$V")" "$(mbs "$LOG_BYTES" "$V")" "$(ratio "$S" "$V") of sha256sum"
printf '%-34s %10s %14s %10s %14s\n' "sha256sum of the segments (limit)" "$S" "$(rate "$EVENTS" "$S")" "$(mbs "$LOG_BYTES" "$S")" "1.00"
printf '%-34s %10s %14s %10s %14s\n' "append: 1 line, 100,000 members" "$W" "" "" "$(ratio "$PW" "$W") of python"
printf '%-34s %10s %14s %10s %14s\n' "python json.loads, same line" "$PW" "" "" "1.00"
echo "{\"events\":$EVENTS,\"verifyEventsPerSec\":$(rate "$EVENTS" "$V"),\"sha256sumMiBPerSec\":$(mbs "$LOG_BYTES" "$S"),\"wideObjectSeconds\":$W,\"pythonWideObjectSeconds\":$PW,\"appendEventsPerSec\":$(rate "$EVENTS" "$A"),\"appendMiBPerSec\":$(mbs "$LOG_BYTES" "$A"),\"ddEventsPerSec\":$(rate "$EVENTS" "$D"),\"ddMiBPerSec\":$(mbs "$LOG_BYTES" "$D"),\"readEventsPerSec\":$(rate "$EVENTS" "$R"),\"readMiBPerSec\":$(mbs "$LOG_BYTES" "$R"),\"catEventsPerSec\":$(rate "$EVENTS" "$C"),\"catMiBPerSec\":$(mbs "$LOG_BYTES" "$C")}"
