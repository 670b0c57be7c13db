#!/usr/bin/env bash
# Fuzz scenario parsing/validation and the CSV loader with cargo-fuzz (libFuzzer).
#
# Needs a nightly toolchain (`rustup toolchain install nightly`) and cargo-fuzz
# (`cargo install cargo-fuzz`); stable Rust cannot build libFuzzer targets, so CI runs the bounded
# proptest versions in tests/it/never_panic.rs instead.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     targets: scenario, csv (default: both, 60 s)
#
# Seeds: the shipped scenarios, the bad-scenario corpus and its CSV files. A crash is saved under
# fuzz/artifacts/TARGET/; reproduce it with `cargo +nightly fuzz run TARGET FILE` and turn it into
# a regression test (tests/it/never_panic.rs keeps the ones found so far).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(scenario csv)
mkdir -p fuzz/corpus/scenario fuzz/corpus/csv
cp scenarios/*.toml tests/bad_scenarios/*.toml fuzz/corpus/scenario/
for f in tests/bad_scenarios/data/*.csv; do printf '\0' | cat - "$f" > "fuzz/corpus/csv/$(basename "$f")"; done
for t in "${targets[@]}"; do
    dict=()
    [ -f "fuzz/dict/$t.dict" ] && dict=("-dict=fuzz/dict/$t.dict")
    cargo +nightly fuzz run "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -max_len=4096 -rss_limit_mb=4096 -timeout=10 "${dict[@]}"
done
