#!/usr/bin/env bash
# Reproduce docs/decisions/0001-sqlite-driver.md:
#   cd docs/decisions/sqlite-driver-bench && ./run.sh [REPS] [OUT]
# Builds one binary per driver (CGO_ENABLED=0), then runs every measurement
# REPS times (default 3), drivers alternating, on real files under $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")"
REPS=${1:-3}
OUT=${2:-/tmp/sqlbench/results.jsonl}
DUR=${DUR:-3s}
ROWS=${ROWS:-1000000}
BIN=$(mktemp -d /tmp/sqlbench-bin.XXXX)
WORK=${TMPDIR:-/tmp}
mkdir -p "$(dirname "$OUT")"; : > "$OUT"

{
  echo "# $(date -u +%FT%TZ) nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) $(go version)"
  for t in none ncruces modernc; do
    if [ "${COLD:-0}" = 1 ]; then   # cold build: empty private build cache (module cache stays)
      c=$(mktemp -d /tmp/sqlbench-gocache.XXXX); s=$(date +%s.%N)
      CGO_ENABLED=0 GOCACHE=$c go build -tags "$t" -o "$BIN/bench-$t" .
      echo "# cold build $t: $(echo "$(date +%s.%N) - $s" | bc) s"; rm -rf "$c"
    else
      CGO_ENABLED=0 go build -tags "$t" -o "$BIN/bench-$t" .
    fi
    echo "# binary $t: $(stat -c %s "$BIN/bench-$t") bytes"
  done
} | tee "$OUT.meta"

order() { if (( $1 % 2 )); then echo "modernc ncruces"; else echo "ncruces modernc"; fi; }
for r in $(seq 1 "$REPS"); do
  echo "== rep $r" >&2
  "$BIN/bench-none" -mode gen -rows "$ROWS" >> "$OUT"
  for sync in FULL NORMAL; do
    for b in 1 16 64 256; do
      for d in $(order "$r"); do
        "$BIN/bench-$d" -mode commit -sync $sync -batch $b -dur "$DUR" -dir "$WORK" >> "$OUT"
      done
    done
  done
  for d in $(order "$r"); do
    "$BIN/bench-$d" -mode reads -writer=false -dur "$DUR" -dir "$WORK" >> "$OUT"
    "$BIN/bench-$d" -mode reads -writer=true -batch 64 -sync FULL -dur "$DUR" -dir "$WORK" >> "$OUT"
    "$BIN/bench-$d" -mode scan -rows "$ROWS" -dir "$WORK" >> "$OUT"
  done
done
rm -rf "$BIN"
"$(command -v go)" run . -summarize < "$OUT" | tee "$OUT.summary"
