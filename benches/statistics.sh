#!/usr/bin/env bash
# The cost of counting page views (statistics) on the cached-page rate: one cached product
# page served by Meent with MEENT_STATISTICS on and off, in alternating rounds of the same run
# (ROUNDS, default 5; the ratio is the median of the rounds' ratios). wrk sends a phone's
# User-Agent, so every request is counted (robots are not). Server on core 0, wrk on core 1.
#
#   benches/statistics.sh [CONTENT_DIR]        (default: content/, the demo)
# Needs: wrk (Debian package wrk), a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
content=$(realpath "${1:-content}")
bin=$(realpath "${MEENT_BIN:-${CARGO_TARGET_DIR:-target}/release/meent}")
duration=${DURATION:-10}
rounds=${ROUNDS:-5}
connections=${CONNECTIONS:-32}
work=$(mktemp -d)
port=18081
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export MEENT_DATA_DIR="$work/data" RUST_LOG=warn MEENT_RATE_LIMITS=off
agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"

echo "== machine"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr)"
"$bin" import "$content" > /dev/null
host=$(sed -n 's/^hosts = \["\([^"]*\)".*/\1/p' "$(ls -d "$content"/sites/*/ | head -1)site.toml")
slug=$(basename "$(ls "$content"/catalogue/*.md | grep -v '\.en\.md$' | head -1)" .md)
page="/producten/$slug"
echo "page: http://$host$page"

start() {
  MEENT_STATISTICS=$1 taskset -c 0 "$bin" serve --addr "127.0.0.1:$port" --workers 1 & server=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf -o /dev/null -H "Host: $host" "http://127.0.0.1:$port$page"
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
rate() {
  taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" -H "Host: $host" -H "User-Agent: $agent" -H "Accept-Encoding: gzip" \
    "http://127.0.0.1:$port$page" | awk '/Requests\/sec/ {print $2}'
}

ratios=()
for round in $(seq 1 "$rounds"); do
  start off; off=$(rate); stop
  start on; on=$(rate); stop
  ratio=$(python3 -c "print(f'{$on / $off:.3f}')")
  ratios+=("$ratio")
  echo "round $round: statistics off $off req/s, on $on req/s, on/off $ratio"
done
echo "median on/off: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")"
