#!/bin/sh
# Converts every figure of a results folder (DIR/plots/*.svg) to a PNG at 300 dpi beside it, for
# a paper or a person to look at. Plotters' bitmap backend would need system fonts; rsvg-convert
# (librsvg, `apt-get install librsvg2-bin`) renders the SVG text with the machine's fonts instead.
# A figure panel is 400 px for 3.3 in of print, so 300 dpi scales it by 300 / (400 / 3.3) ≈ 2.5.
# Usage: scripts/figures-png.sh DIR
set -eu
dir=${1:?usage: scripts/figures-png.sh RESULTS_DIR}
command -v rsvg-convert >/dev/null || { echo "rsvg-convert not found: apt-get install librsvg2-bin" >&2; exit 1; }
found=0
for svg in "$dir"/plots/*.svg; do
    [ -e "$svg" ] || continue
    found=1
    png=${svg%.svg}.png
    rsvg-convert --zoom=2.475 --dpi-x=300 --dpi-y=300 --background-color=white "$svg" -o "$png"
    echo "$png"
done
[ "$found" = 1 ] || { echo "no figures in $dir/plots" >&2; exit 1; }
