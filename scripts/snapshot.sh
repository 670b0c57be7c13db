#!/usr/bin/env bash
# scripts/snapshot.sh BIN OUT: run, plan and report every scenario in scenarios/, check every file of
# tests/bad_scenarios, print schema and datasets, all with BIN into OUT; then strip what is not a
# result (wall-clock timing, the build id, absolute paths) and sort runs.jsonl (appended in
# completion order). A refactor that keeps behaviour gives `diff -r OLD NEW` empty between the
# snapshots of the old and the new binary.
set -u
BIN=$(readlink -f "$1"); OUT=$2
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
rm -rf "$OUT"; mkdir -p "$OUT/runs" "$OUT/check" "$OUT/plan" "$OUT/report"
cd "$REPO"
for f in scenarios/*.toml; do
  n=$(basename "$f" .toml)
  "$BIN" run "$f" --out "$OUT/runs/$n" --quiet --threads 2 > "$OUT/runs/$n.stdout" 2> "$OUT/runs/$n.stderr"; echo "rc=$?" >> "$OUT/runs/$n.stdout"
  "$BIN" plan "$f" > "$OUT/plan/$n.txt" 2>&1
  # report must reproduce run's files
  cp -r "$OUT/runs/$n" "$OUT/report/$n"
  "$BIN" report "$OUT/report/$n" > "$OUT/report/$n.stdout" 2>&1
  rm -f "$OUT/report/$n/runs.jsonl"; rm -rf "$OUT/report/$n/noise"
done
for f in tests/bad_scenarios/*.toml; do
  n=$(basename "$f" .toml)
  "$BIN" check "$f" > "$OUT/check/$n.txt" 2>&1; echo "rc=$?" >> "$OUT/check/$n.txt"
done
"$BIN" schema > "$OUT/schema.txt" 2>&1
"$BIN" datasets > "$OUT/datasets.txt" 2>&1
# timing and the absolute output folder are not results
find "$OUT" -name runs.jsonl -exec sed -i -E 's/"timing":\{[^}]*\}//' {} +
find "$OUT" -name runs.jsonl -exec sed -i -E 's/"build":"[^"]*",?//' {} +
find "$OUT" -name scenario.json -exec sed -i -E '/^  "build": /d' {} +
for j in $(find "$OUT" -name runs.jsonl); do sort -o "$j" "$j"; done  # runs are appended in completion order
find "$OUT" -name '*.lock' -delete
grep -rl "$OUT" "$OUT" 2>/dev/null | xargs -r sed -i "s#$OUT#OUT#g"
grep -rl "$REPO" "$OUT" 2>/dev/null | xargs -r sed -i "s#$REPO#REPO#g"
echo "snapshot in $OUT"
