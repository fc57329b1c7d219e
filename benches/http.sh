#!/usr/bin/env bash
# The whole country on one machine, over real HTTP (see BENCHMARKS.md):
#   1. import of a bench-data country (wall clock, peak resident memory);
#   2. one cached product page: Meent against nginx serving the same bytes as a static file
#      with the same compression (gzip, pre-compressed for both), requests/s and p99, in
#      alternating rounds (ROUNDS, default 3; the ratio is their median);
#   3. the same page with Meent's page cache off (every request folds and renders);
#   4. peak resident memory of Meent while wrk walks every product page of every site
#      (WALK_DURATION, default 90 s);
#   5. a central edit until every site serves it and finds it in search (propagation.py).
# Server (Meent or nginx) on core 0, the load generator (wrk) on core 1.
#
#   benches/http.sh COUNTRY_DIR     (made by: meent bench-data --sites 342 --products 500
#                                     --pages 50 --news 50 COUNTRY_DIR)
# Needs: wrk, nginx (Debian packages wrk, nginx-light), python3, a release build.
set -euo pipefail
country=$(realpath "${1:?usage: benches/http.sh COUNTRY_DIR}")
cd "$(dirname "$0")/.."
bin=$(realpath "${MEENT_BIN:-${CARGO_TARGET_DIR:-target}/release/meent}")
duration=${DURATION:-15}
# The memory walk runs longer: the page cache fills over minutes, not seconds.
walk_duration=${WALK_DURATION:-90}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-32}
work=$(mktemp -d)
port=18080
nginx_port=18090
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# Benchmarks send thousands of searches from one address: rate limits off (a setting).
export MEENT_DATA_DIR="$work/data" RUST_LOG=warn MEENT_RATE_LIMITS=off

echo "== machine"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr)"
nginx -v 2>&1; wrk --version 2>&1 | head -1 || true

echo "== import"
/usr/bin/time -f "import: %e s wall clock, %M KiB peak resident" "$bin" import "$country" 2>&1 | tail -2
/usr/bin/time -f "reindex: %e s wall clock, %M KiB peak resident" "$bin" reindex 2>&1 | tail -2

# The first site, its first offered product.
host=$(sed -n 's/^hosts = \["\([^"]*\)".*/\1/p' "$(ls -d "$country"/sites/*/ | head -1)site.toml")
start_meent() {
  taskset -c 0 "$bin" serve --addr "127.0.0.1:$port" --workers 1 "$@" & server=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "meent did not start" >&2; exit 1
}
stop_meent() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
start_meent
slug=""
for f in "$country"/catalogue/*.md; do
  s=$(basename "$f" .md)
  if curl -sf -o /dev/null -H "Host: $host" "http://127.0.0.1:$port/producten/$s"; then slug=$s; break; fi
done
page="/producten/$slug"
echo "page: http://$host$page"

# nginx serves what Meent serves: the same HTML, and the same gzip bytes.
mkdir -p "$work/www/producten"
curl -sf -H "Host: $host" "http://127.0.0.1:$port$page" > "$work/www$page.html"
curl -sf -H "Host: $host" -H "Accept-Encoding: gzip" "http://127.0.0.1:$port$page" > "$work/www$page.html.gz"
chmod 755 "$work"; chmod -R a+rX "$work/www"  # nginx's workers do not run as root
echo "bytes: $(wc -c < "$work/www$page.html") HTML, $(wc -c < "$work/www$page.html.gz") gzip"
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type "text/html; charset=utf-8";
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    gzip_static on;
    gzip_vary on;
    add_header Cache-Control "public, max-age=0, must-revalidate";
  }
}
EOF

load() { # name url [extra wrk args]
  local name=$1 url=$2; shift 2
  taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" --latency -H "Host: $host" -H "Accept-Encoding: gzip" "$@" "$url" > "$work/wrk.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  grep -q "Non-2xx" "$work/wrk.txt" && { echo "$name: non-2xx responses" >&2; cat "$work/wrk.txt" >&2; exit 1; }
  printf '%-32s %12s req/s   p99 %s\n' "$name" "$rps" "$p99"
  echo "$rps"  > "$work/$name.rps"
}

# The machine is shared (a virtual machine): its speed drifts over minutes. nginx and Meent
# take turns, and each round gives a ratio; the median of the rounds is the result.
echo "== one product page, gzip, $connections connections, ${duration} s, server on core 0, wrk on core 1, $rounds rounds"
for round in $(seq 1 "$rounds"); do
  taskset -c 0 nginx -c "$work/nginx.conf"
  sleep 0.5
  load nginx "http://127.0.0.1:$nginx_port$page.html"
  kill "$(cat "$work/nginx.pid")"; rm -f "$work/nginx.pid"
  load meent-cached "http://127.0.0.1:$port$page"
  python3 -c "print(round($(cat "$work/meent-cached.rps")/$(cat "$work/nginx.rps"), 3))" >> "$work/ratios"
  echo "round $round: ratio meent/nginx $(tail -1 "$work/ratios")"
done
echo "ratio meent/nginx, median of $rounds rounds: $(sort -n "$work/ratios" | awk '{r[NR]=$1} END {print (NR % 2) ? r[(NR+1)/2] : (r[NR/2]+r[NR/2+1])/2}')"
stop_meent

start_meent --no-page-cache
load meent-cache-off "http://127.0.0.1:$port$page"
stop_meent

echo "== peak resident memory while wrk walks every product page of every site for ${walk_duration} s"
start_meent
for dir in "$country"/sites/*/; do
  h=$(sed -n 's/^hosts = \["\([^"]*\)".*/\1/p' "$dir/site.toml")
  for f in "$country"/catalogue/*.md; do echo "$h /producten/$(basename "$f" .md)"; done
done > "$work/targets.txt"
echo "at start: $(awk '/VmRSS/ {print $2, $3}' /proc/$server/status)"
TARGETS="$work/targets.txt" taskset -c 1 wrk -t1 -c"$connections" -d"${walk_duration}s" --latency -s benches/walk.lua "http://127.0.0.1:$port/" > "$work/walk.txt"
awk '/Requests\/sec/ {print "walk: " $2 " req/s"}' "$work/walk.txt"
echo "peak resident (VmHWM): $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status); now (VmRSS): $(awk '/VmRSS/ {print $2, $3}' /proc/$server/status)"

echo "== a central edit until every site serves it and finds it in search"
token=$("$bin" user create --email bench@example.org --role admin --scope national)
taskset -c 1 python3 benches/propagation.py --base "http://127.0.0.1:$port" --token "$token" --country "$country" --slug "$slug"
echo "peak resident after all: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
stop_meent
