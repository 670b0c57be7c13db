#!/usr/bin/env bash
# scripts/render.sh DIR [OUT]: renders a results folder for a person to look at, as PNG files in OUT
# (default DIR/png): report.png (the whole report.html at 1280 px, by headless Chromium, with the
# checks of scripts/browser-check.sh printed) and plots/NAME.png for each plots/NAME.svg (by
# rsvg-convert at 2× when installed, else by Chromium). Needs chromium (apt-get install -y chromium
# librsvg2-bin).
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: scripts/render.sh RESULTS_DIR [OUT]" >&2; exit 2; }
DIR=$1; OUT=${2:-$DIR/png}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/plots"
bash "$here/browser-check.sh" "$DIR" "$OUT" || echo "render: the page has the problems above; rendering it anyway" >&2
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
n=0
for svg in "$DIR"/plots/*.svg; do
  [ -e "$svg" ] || continue
  png="$OUT/plots/$(basename "$svg" .svg).png"
  if command -v rsvg-convert > /dev/null; then
    rsvg-convert -z 2 -b white -o "$png" "$svg"
  else
    # The SVG's own size (width="W" height="H" on the root element) as the window.
    w=$(grep -o 'width="[0-9.]*"' "$svg" | head -1 | grep -o '[0-9.]*'); h=$(grep -o 'height="[0-9.]*"' "$svg" | head -1 | grep -o '[0-9.]*')
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${w%.*},${h%.*}" --screenshot="$png" "file://$(readlink -f "$svg")" 2> /dev/null
  fi
  [ -s "$png" ] && n=$((n + 1))
done
echo "render: $OUT/report.png and $n figure(s) in $OUT/plots/"
