#!/usr/bin/env bash
# Lighthouse scores of the main resident page types, with Debian's Chromium:
#   benches/lighthouse.sh [PORT]   (a `meent serve` with the demo content must run on PORT)
# Needs Node.js; installs lighthouse into ~/.cache/meent/lighthouse on first use.
set -euo pipefail
port=${1:-8080}
tool="$HOME/.cache/meent/lighthouse"
[ -x "$tool/node_modules/.bin/lighthouse" ] || npm install --prefix "$tool" --no-audit --no-fund lighthouse@13 >/dev/null
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
printf '| page | performance | accessibility | best practices | SEO |\n|---|---:|---:|---:|---:|\n'
for page in "home /" "product list /producten" "product /producten/paspoort-aanvragen" "local page /afval" \
            "news list /nieuws" "news item /nieuws/gft-actie" "search /zoeken?q=paspoort"; do
  name=${page% *}; path=${page##* }
  report=$(mktemp --suffix=.json)
  # Lighthouse sometimes fails to record the trace (NO_NAVSTART); try again.
  for attempt in 1 2 3; do
    "$tool/node_modules/.bin/lighthouse" "http://diemen.localhost:$port$path" --quiet --output=json --output-path="$report" \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
      2>/dev/null && break
  done
  node -e '
    const c = require(process.argv[1]).categories, p = k => Math.round(c[k].score * 100);
    console.log(`| ${process.argv[2]} | ${p("performance")} | ${p("accessibility")} | ${p("best-practices")} | ${p("seo")} |`);' "$report" "$name"
  rm -f "$report"
done
