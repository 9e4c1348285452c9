#!/usr/bin/env bash
# Log bytes written per N proxied requests at default settings (appsettings.json as shipped, console logging),
# for this tree and, with COMPARE_REF=<git ref>, for another commit of the same repository built the same way.
# Each request carries ?api_key=<canary>; the lines of the log holding the canary are counted too.
#
# Prerequisites (Debian): apt-get install -y nginx-light curl; the .NET 10 SDK.
# Knobs: REQUESTS (default 10000), COMPARE_REF (e.g. main), RESULT (default bench/results/log-volume.md),
# KEEP=1 (keep the work directory with the logs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

REQUESTS=${REQUESTS:-10000}
RESULT=${RESULT:-bench/results/log-volume.md}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/load/log-volume.sh needs nginx (apt-get install -y nginx-light)" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# shellcheck source=../common.sh
source "$repo/bench/common.sh"
start_work logs

log "building Release"
dotnet publish src/TokenProxy -c Release -o "$work/pub/this" --nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
targets=("this|$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes')")
if [ -n "${COMPARE_REF:-}" ]; then
  mkdir -p "$work/base"
  git archive "$COMPARE_REF" | tar -x -C "$work/base"
  dotnet publish "$work/base/src/TokenProxy" -c Release -o "$work/pub/base" --nologo -v quiet >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  targets=("base|$COMPARE_REF ($(git rev-parse --short "$COMPARE_REF"))" "${targets[@]}")
fi

UP=$(free_port)
mkdir -p "$work/upstream"
cat >"$work/upstream/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/upstream/nginx.pid;
events { worker_connections 1024; }
http {
$(nginx_http_basics "$work/upstream")
  server {
    listen 127.0.0.1:$UP;
    default_type application/json;
    location / { return 200 '{"id":42,"name":"bench","ok":true}'; }
  }
}
CONF
"$NGINX" -p "$work/upstream" -e "$work/upstream/error.log" -c "$work/upstream/nginx.conf" &
pids+=($!)
wait_for "http://127.0.0.1:$UP/ready" "$work/upstream/error.log"

CANARY="CANARYapikey$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
rows=()
for target in "${targets[@]}"; do
for where in publish elsewhere; do
  name=${target%%|*}; label="${target#*|}, started from $( [ $where = publish ] && echo 'the publish directory' || echo 'another directory (no appsettings.json)')"
  port=$(free_port)
  mkdir -p "$work/$name-$where"
  # Default settings: Production environment, console logging to a file; appsettings.json as shipped is read only
  # when the current directory (the content root) is the publish directory.
  (cd "$( [ $where = publish ] && echo "$work/pub/$name" || echo "$work/$name-$where")" && exec env TOKENPROXY_VAULT_KEY="$(head -c 32 /dev/urandom | base64)" \
    dotnet "$work/pub/$name/TokenProxy.dll" --urls "http://127.0.0.1:$port" \
    --TokenProxy:DataDirectory="$work/$name-$where" --TokenProxy:PublicBaseUrl="http://127.0.0.1:$port" \
    --TokenProxy:Providers:bench:ApiBaseUrl="http://127.0.0.1:$UP/" >"$work/$name-$where.log" 2>&1) &
  pid=$!; pids+=($pid)
  wait_for "http://127.0.0.1:$port/healthz" "$work/$name-$where.log"
  import_token "$port" bench bench-token "$work/$name-$where.log"
  for _ in $(seq 1 "$REQUESTS"); do
    printf 'url = "http://127.0.0.1:%s/bench/items/42?fields=all&api_key=%s"\noutput = "/dev/null"\n' "$port" "$CANARY"
  done >"$work/curl.conf"
  sleep 1
  before=$(stat -c %s "$work/$name-$where.log")
  log "$name ($where): $REQUESTS requests (one curl, one kept-alive connection)"
  codes=$(curl -s -K "$work/curl.conf" -w '%{http_code}\n' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  # The console logger writes from a queue; let it drain.
  sleep 2
  after=$(stat -c %s "$work/$name-$where.log")
  bytes=$((after - before))
  leaks=$(tail -c "$bytes" "$work/$name-$where.log" | grep -c "$CANARY" || true)
  lines=$(tail -c "$bytes" "$work/$name-$where.log" | wc -l)
  rows+=("| $label | $REQUESTS | $bytes | $lines | $leaks | $codes |")
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
done

{
  echo "# Log volume at default settings"
  echo
  echo "\`bench/load/log-volume.sh\`$( [ -n "${COMPARE_REF:-}" ] && echo " with COMPARE_REF=$COMPARE_REF"), $(date -u +%Y-%m-%d): TokenProxy published Release, default settings (appsettings.json as shipped when started from the publish directory),"
  echo "console logging redirected to a file, $REQUESTS sequential GETs (curl, one kept-alive connection) to an nginx upstream,"
  echo "each with \`?api_key=<canary>\`. Bytes and lines are what the log grew by during the requests."
  echo
  echo "| build | requests | log bytes | log lines | lines with the api_key | statuses (count code;) |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), dotnet $(dotnet --version)."
} | tee "$RESULT"
