#!/usr/bin/env bash
# scripts/browser-check.sh [DIR [OUT]]: opens DIR/report.html in headless Chromium at 1280 px and
# checks what a reader would see: no script or console errors, every figure of DIR/plots drawn with
# a size, no horizontal overflow, a table of contents whose links all lead somewhere, and a
# screenshot of the whole page (OUT/report.png, OUT defaults to DIR/browser).
# Without DIR it first runs scenarios/real_datasets.toml (datasets × noise rates × ε) with
# target/release/labelnoise into a temporary folder, screenshot in target/browser-check/. Exit 1 with the reason when a check fails.
#
# How: a copy of the page gets a probe script at the top of <head> that records errors
# (window 'error' events, console.error) and, on load, measures the page and writes the results as
# JSON into <pre id="browser-check">; `--dump-dom` prints the DOM, from which the JSON is read.
# The page itself has no scripts; the probe exists only in the temporary copy.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROMIUM" ] || { echo "browser-check: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
WIDTH=1280
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  DIR=$1
  OUT=${2:-$DIR/browser}
else
  DIR=$work/results
  OUT=target/browser-check
  target/release/labelnoise run scenarios/real_datasets.toml --out "$DIR" --quiet
fi
[ -f "$DIR/report.html" ] || { echo "browser-check: $DIR/report.html not found" >&2; exit 1; }
mkdir -p "$OUT"

cat > "$work/probe.html" <<'PROBE'
<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push('error: ' + e.message));
const __consoleError = console.error;
console.error = (...a) => { window.__errors.push('console.error: ' + a.join(' ')); __consoleError(...a); };
window.addEventListener('load', () => {
  const svgs = [...document.querySelectorAll('figure > svg')];
  const drawn = svgs.filter(s => { const b = s.getBoundingClientRect(); return b.width >= 100 && b.height >= 50 && s.querySelector('path, line, rect, circle, polyline, text') !== null; });
  const images = [...document.images];
  const r = {
    figures: document.querySelectorAll('figure').length,
    svgs: svgs.length,
    drawn: drawn.length,
    images: images.length,
    broken_images: images.filter(i => !i.complete || i.naturalWidth === 0).length,
    scroll_width: document.documentElement.scrollWidth,
    inner_width: window.innerWidth,
    scroll_height: document.documentElement.scrollHeight,
    contents_links: document.querySelectorAll('nav#contents a').length,
    dead_links: [...document.querySelectorAll('a[href^="#"]')].filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length,
    errors: window.__errors,
  };
  const pre = document.createElement('pre');
  pre.id = 'browser-check';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
</script>
PROBE
# The copy sits beside the original so any relative path would resolve the same.
probed=$DIR/.browser-check.html
trap 'rm -rf "$work" "$probed"' EXIT
awk -v probe="$work/probe.html" '{ print } /<head>/ && !done { while ((getline l < probe) > 0) print l; done = 1 }' "$DIR/report.html" > "$probed"

chrome() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 "$@"; }
chrome --window-size=$WIDTH,900 --virtual-time-budget=5000 --dump-dom "file://$(readlink -f "$probed")" > "$work/dom.html" 2> "$work/chromium.log" || true
json=$(sed -n 's:.*<pre id="browser-check">\(.*\)</pre>.*:\1:p' "$work/dom.html" | head -1)
[ -n "$json" ] || { echo "browser-check: the probe wrote no result (page did not load?); chromium said:" >&2; tail -20 "$work/chromium.log" >&2; exit 1; }
echo "browser-check: $json"
field() { echo "$json" | grep -o "\"$1\":[0-9]*" | cut -d: -f2; }

fail=0
no() { echo "browser-check FAILED: $*" >&2; fail=1; }
plots=$(find "$DIR/plots" -maxdepth 1 -name '*.svg' 2>/dev/null | wc -l)
[ "$(field svgs)" -eq "$plots" ] || no "the page inlines $(field svgs) figures, plots/ holds $plots"
[ "$(field drawn)" -eq "$(field svgs)" ] || no "$(( $(field svgs) - $(field drawn) )) figure(s) not drawn with a size"
[ "$(field broken_images)" -eq 0 ] || no "$(field broken_images) image(s) did not load"
[ "$(field scroll_width)" -le "$WIDTH" ] || no "horizontal overflow: the page is $(field scroll_width) px wide at $WIDTH px"
[ "$(field contents_links)" -ge 3 ] || no "no table of contents"
[ "$(field dead_links)" -eq 0 ] || no "$(field dead_links) link(s) of the contents lead nowhere"
echo "$json" | grep -q '"errors":\[\]' || no "errors in the page: $(echo "$json" | sed 's/.*"errors":\(.*\)}/\1/')"
if grep -E 'Uncaught|CONSOLE.*(ERROR|error)' "$work/chromium.log" >&2; then no "console errors (above)"; fi

# A screenshot of the whole page (without the probe), for a person to look at.
height=$(field scroll_height); height=$(( height > 16000 ? 16000 : height ))
chrome --window-size=$WIDTH,$height --screenshot="$OUT/report.png" "file://$(readlink -f "$DIR/report.html")" 2>> "$work/chromium.log" || true
[ -s "$OUT/report.png" ] || no "no screenshot produced"
[ $fail -eq 0 ] && echo "browser-check: ok ($plots figures, ${height} px tall page, screenshot $OUT/report.png)"
exit $fail
