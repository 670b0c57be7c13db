#!/usr/bin/env bash
# scripts/studies.sh [OUT]: run every study of scenarios/studies/ into OUT (default results/studies),
# time each one, and write docs/studies.md with each study's question, scenario file, run count,
# wall time and machine, key table (copied from its summary.md) and figures (copied to
# docs/studies/<study>/). The interpretation of each study is hand-written in
# docs/studies/<study>/notes.md and included as it is: numbers are regenerated here, words are not.
#
# Environment: LABELNOISE (binary, default target/release/labelnoise, built if missing),
# THREADS (default 2).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-results/studies}
THREADS=${THREADS:-2}
BIN=${LABELNOISE:-$REPO/target/release/labelnoise}
DOC=$REPO/docs/studies.md
DOCDIR=$REPO/docs/studies
cd "$REPO"
if [ ! -x "$BIN" ]; then cargo build --release; fi

# Studies in reading order; any other file of scenarios/studies/ follows in name order.
ORDER="smoothing_fixed_l2 smoothing_tuned_noisy smoothing_tuned_clean smoothing_tuned_nll calibration all_methods all_methods_pairflip"
studies() {
  for s in $ORDER; do [ -f "scenarios/studies/$s.toml" ] && echo "$s"; done
  for f in scenarios/studies/*.toml; do
    s=$(basename "$f" .toml)
    case " $ORDER " in *" $s "*) ;; *) echo "$s" ;; esac
  done
}

# What each study's page shows: the summary.md section holding its key table ("" = the main table),
# that table's columns (comma-separated; "" = all), the main table's columns for a folded full table
# ("" = none), and its figures (plots/<name>.svg).
configure() {
  SECTION=""; COLUMNS=""; FULL=""; FIGURES="accuracy delta_accuracy"
  case "$1" in
    smoothing_fixed_l2)
      COLUMNS="source,binarize_threshold,rate,method,n,acc,Δacc,nll,ece"
      FIGURES="accuracy delta_accuracy" ;;
    smoothing_tuned_*)
      SECTION="Selected on"   # the main table (every l2 × ε) is in results/studies/<study>/summary.md
      FIGURES="selected" ;;
    calibration)
      COLUMNS="source,rate,l2,method,n,acc,Δacc,nll,ece"
      FIGURES="ece reliability norm_gap accuracy" ;;
    all_methods)
      SECTION="Selected on"
      FULL="source,binarize_threshold,rate_neg,rate_pos,l2,method,n,acc,Δacc,nll,ece"
      FIGURES="selected" ;;   # the per-l2 figures draw 100+ series in one panel: unreadable
    all_methods_pairflip)
      SECTION="Selected on"
      FULL="source,rate,l2,method,n,acc,Δacc,nll,ece"
      FIGURES="selected" ;;
  esac
}

# md_section FILE SECTION COLUMNS: the lines of one section of a summary.md ("" = the main table and
# its legend, before the first "## "), its heading in bold, tables cut to COLUMNS (a column that is
# not there is left out with a warning: summary.md's column names changed).
md_section() {
  awk -v sec="$2" -v cols="$3" '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    BEGIN { nwant = split(cols, want, ","); inside = (sec == "") }
    NR == 1 && /^# / { next }
    /^## / {
      if (inside) exit
      if (sec != "" && index(substr($0, 4), sec) == 1) { inside = 1; found = 1; print "**" substr($0, 4) "**"; }
      next
    }
    !inside { next }
    /^\|/ {
      line = $0; gsub(/\\\|/, "\001", line)
      m = split(line, cell, "|")
      if (!have_header) {
        k = 0
        for (j = 1; j <= nwant; j++) {
          hit = 0
          for (i = 2; i < m; i++) if (trim(cell[i]) == want[j]) { idx[++k] = i; hit = 1 }
          if (!hit) print "warning: no column \"" want[j] "\" in " FILENAME > "/dev/stderr"
        }
        if (nwant == 0) for (i = 2; i < m; i++) idx[++k] = i
        kept = k; have_header = 1
      }
      out = "|"
      for (j = 1; j <= kept; j++) out = out " " trim(cell[idx[j]]) " |"
      gsub(/\001/, "\\|", out); print out; next
    }
    { have_header = 0; print }
    END { if (sec != "" && !found) { print "no section \"" sec "\" in " FILENAME > "/dev/stderr"; exit 3 } }
  ' "$1"
}

# The leading comment block of a scenario file, as one paragraph.
question() { awk '/^#/ { sub(/^# ?/, ""); printf "%s ", $0; next } { exit }' "$1"; }

mkdir -p "$OUT" "$DOCDIR"
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
CORES=$(nproc)
COMMIT=$(git describe --always --dirty 2>/dev/null || echo unknown)
BODY=$(mktemp); ROWS=$(mktemp); trap 'rm -f "$BODY" "$ROWS"' EXIT
TOTAL_START=$(date +%s.%N)

for s in $(studies); do
  f=scenarios/studies/$s.toml
  configure "$s"
  plan=$("$BIN" plan "$f" | grep -m1 '^runs: ')
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "== $s: ${plan#runs: }" >&2
  # A folder of an earlier run would be resumed (nothing trained, nothing timed): start afresh, but
  # delete only a folder labelnoise wrote (labelnoise itself refuses to write into any other).
  if [ -f "$OUT/$s/scenario.json" ]; then rm -rf "${OUT:?}/$s"; fi
  start=$(date +%s.%N)
  "$BIN" run "$f" --out "$OUT/$s" --quiet --threads "$THREADS" > /dev/null
  wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  echo "   $wall s" >&2
  runs=${plan#runs: }; runs=${runs%% *}
  echo "| [$s](#$s) | $runs | $wall | $load |" >> "$ROWS"

  rm -f "$DOCDIR/$s"/*.svg; mkdir -p "$DOCDIR/$s"
  {
    echo "## $s"
    echo
    echo "**What it asks.** $(question "$f")"
    echo
    echo "- scenario: [\`$f\`](../$f)"
    echo "- runs (labelnoise plan): ${plan#runs: }"
    echo "- wall time: $wall s with \`--threads $THREADS\` on $CPU, $CORES cores (1-minute load average $load when it started)"
    echo "- results: \`$OUT/$s/\` (summary.md, summary.csv, report.html, selected.csv when tuned)"
    echo
    echo "### Key table"
    echo
    md_section "$OUT/$s/summary.md" "$SECTION" "$COLUMNS"
    if [ -n "$FULL" ]; then
      echo
      echo "<details><summary>Every compared cell (summary.md's main table, selected columns)</summary>"
      echo
      md_section "$OUT/$s/summary.md" "" "$FULL"
      echo
      echo "</details>"
    fi
    echo
    echo "### Figures"
    echo
    for fig in $FIGURES; do
      cp "$OUT/$s/plots/$fig.svg" "$DOCDIR/$s/$fig.svg"
      echo "![$s: $fig](studies/$s/$fig.svg)"
      echo
    done
    echo "### What it shows, what it doesn't"
    echo
    if [ -f "$DOCDIR/$s/notes.md" ]; then
      cat "$DOCDIR/$s/notes.md"
    else
      echo "_No notes yet: write docs/studies/$s/notes.md._"
      echo "warning: docs/studies/$s/notes.md is missing" >&2
    fi
    echo
  } >> "$BODY"
done

TOTAL=$(awk -v a="$TOTAL_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
{
  echo "# Studies"
  echo
  echo "<!-- Generated by scripts/studies.sh: edit docs/studies/<study>/notes.md or the script, not this file. -->"
  echo
  echo "A gallery of small studies that answer the questions labelnoise was built for, each a scenario"
  echo "in \`scenarios/studies/\`. Every number, table and figure below is regenerated by one command:"
  echo
  echo "    scripts/studies.sh            # runs every study into results/studies, rewrites this page"
  echo
  echo "The paragraphs under \"What it shows, what it doesn't\" are hand-written"
  echo "(\`docs/studies/<study>/notes.md\`) from the results of the commit they were written at; each"
  echo "names the numbers it relied on, so a reader can check them against the regenerated tables."
  echo
  echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') from commit \`$COMMIT\` on $CPU, $CORES cores,"
  echo "\`--threads $THREADS\`; all studies together took $TOTAL s (wall; the machine may have been shared:"
  echo "the load average is given per study)."
  echo
  echo "| study | runs | wall s | load average at start |"
  echo "| --- | ---: | ---: | ---: |"
  cat "$ROWS"
  echo
  cat "$BODY"
} > "$DOC"
echo "wrote $DOC ($TOTAL s)" >&2
