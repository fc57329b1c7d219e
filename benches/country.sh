#!/usr/bin/env bash
# Every resolved page of a bench-data country: Meent (benches/country.rs, page cache off, the
# real request path) against Hugo rendering the same resolved Markdown with an equivalent
# layout, in the same run, both on all cores. See BENCHMARKS.md.
#   benches/country.sh COUNTRY_DIR      (needs: hugo, the Debian package)
set -euo pipefail
country=$(realpath "${1:?usage: benches/country.sh COUNTRY_DIR}")
cd "$(dirname "$0")/.."
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
cargo bench --bench country -- --content "$country" --hugo "$site"
hugo version
pages=$(find "$site/content" -name '*.md' | wc -l)
start=$(date +%s.%N)
hugo --quiet --renderToMemory -s "$site"
end=$(date +%s.%N)
python3 -c "s=$end-$start; print(f'hugo: $pages pages in {s:.2f} s: {$pages/s:.0f} pages/s')"
