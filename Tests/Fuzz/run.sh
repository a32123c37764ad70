#!/usr/bin/env bash
# make fuzz: builds the fuzz targets with the fuzzer sanitizer and runs each under libFuzzer
# for $1 seconds (default 60). Stops at the first crash, naming the input that caused it.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
swift build --sanitize=fuzzer --scratch-path .build/fuzz --target WaymarkFuzz
B=.build/fuzz/debug
objects=$(ls $B/{WaymarkFuzz,WaymarkStore,WaymarkEvents,WaymarkLog,WaymarkTime,CWaymarkSystem}.build/*.o)
swiftc -sanitize=fuzzer -parse-as-library -I $B/Modules -Xcc -fmodule-map-file=$B/CWaymarkSystem.build/module.modulemap \
    Tests/Fuzz/driver/main.swift $objects -o $B/waymark-fuzz 2>&1 | grep -v -e warning -e '^ *[0-9]* |' -e '^ *|' || true
export WAYMARK_SCHEMAS="$root/Schemas" SWIFT_BACKTRACE=enable=no
for target in csv json envelope segment; do
    corpus=.build/fuzz/corpus/$target findings=.build/fuzz/findings/$target
    mkdir -p "$corpus" "$findings"
    cp Tests/Fuzz/corpus/$target/* "$corpus"/
    find Tests/Fuzz/crashes/$target -type f ! -name '.*' -exec cp {} "$corpus"/ \;
    echo "== fuzz $target for ${seconds}s"
    if ! (cd "$findings" && WAYMARK_FUZZ_TARGET=$target "$root/$B/waymark-fuzz" -max_total_time="$seconds" -max_len=8192 \
            -print_final_stats=1 "$root/$corpus" 2>&1 | grep -E '^(Done|stat::number_of_executed_units|.*Fatal error|==.*ERROR)' ); then
        :
    fi
    if ls "$findings"/crash-* >/dev/null 2>&1; then
        echo "fuzz $target: CRASH, input kept in $findings/ (copy it to Tests/Fuzz/crashes/$target/)"
        exit 1
    fi
done
echo "fuzz: no crashes"
