#!/usr/bin/env bash
# A PostgreSQL restart under traffic, measured from outside: two TokenProxy instances on one throwaway PostgreSQL
# cluster, wrk on the cache-hit path of both for 10 s with the database up, 10 s with it stopped (pg_ctl stop -m fast),
# 10 s after it started again. Prints, per phase and instance, requests, successes and the success rate, and the bytes
# each instance logged during the 10 s stop; writes bench/results/outage.md.
#
# Prerequisites (Debian): apt-get install -y postgresql nginx-light wrk curl; the .NET 10 SDK. Run as root (initdb and
# pg_ctl then run as the postgres user) or as a user who may run them.
# Knobs (environment): PHASE=10 (seconds per phase) CONNECTIONS=4 (wrk connections per instance)
#   COMPARE_DIR=/path/to/published/older/build (a directory with TokenProxy.dll) adds a "before" run of that build.
#   RESULT=bench/results/outage.md  KEEP_LOGS=/some/dir (copies each instance's log there)
# Loopback only; every wait is bounded; every process it starts is stopped by pid.
set -euo pipefail

PHASE=${PHASE:-10}
CONNECTIONS=${CONNECTIONS:-4}
repo=$(cd "$(dirname "$0")/../.." && pwd)
RESULT=${RESULT:-$repo/bench/results/outage.md}
cd "$repo"

for tool in wrk curl; do command -v $tool >/dev/null || { echo "bench/outage/run.sh needs $tool" >&2; exit 1; }; done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/outage/run.sh needs nginx-light" >&2; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/pg_ctl" ] || { echo "bench/outage/run.sh needs postgresql (initdb, pg_ctl)" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d /tmp/tokenproxy-outage.XXXXXX)
chmod 755 "$work"
pids=()
# shellcheck source=../common.sh
source "$repo/bench/common.sh"
pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  stop_started
  [ -d "$work/pg" ] && pg "$PGBIN/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- builds
log "publishing this tree (Release)"
dotnet publish src/TokenProxy -c Release -o "$work/pub/after" --nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
builds=()
if [ -n "${COMPARE_DIR:-}" ]; then
  [ -f "$COMPARE_DIR/TokenProxy.dll" ] || { echo "COMPARE_DIR=$COMPARE_DIR has no TokenProxy.dll" >&2; exit 1; }
  builds+=("before|$COMPARE_DIR")
fi
builds+=("after|$work/pub/after")

# ---------------------------------------------------------------- PostgreSQL, upstream
PGPORT=$(free_port); UP=$(free_port)
mkdir -p "$work/pg" && chown postgres "$work/pg" 2>/dev/null || true
pg "$PGBIN/initdb" -D "$work/pg/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >/dev/null
PGOPTS="-p $PGPORT -c listen_addresses=127.0.0.1 -k $work/pg -c fsync=off -c max_connections=200"
pg_start() { pg "$PGBIN/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 -o "$PGOPTS" start >/dev/null; }
pg_stop() { pg "$PGBIN/pg_ctl" -D "$work/pg/data" -m fast -w -t 60 stop >/dev/null; }
pg_start
psql_() { pg "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qAt -c "$1"; }
[ -x "$PGBIN/psql" ] || psql_() { pg psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -qAt -c "$1"; }

mkdir -p "$work/upstream"
cat >"$work/upstream/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $work/upstream/nginx.pid;
error_log $work/upstream/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/upstream/body; proxy_temp_path $work/upstream/proxy; fastcgi_temp_path $work/upstream/fastcgi;
  uwsgi_temp_path $work/upstream/uwsgi; scgi_temp_path $work/upstream/scgi;
  server { listen 127.0.0.1:$UP; default_type application/json; location / { return 200 '{"ok":true}'; } }
}
NGINX
"$NGINX" -c "$work/upstream/nginx.conf" -p "$work/upstream" &
pids+=($!)
wait_for "http://127.0.0.1:$UP/"

TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KEY=$(head -c 32 /dev/urandom | base64)

# wrk_phase NAME PORT... : wrk on every instance at once for PHASE seconds; prints "requests non2xx errors" per instance.
wrk_phase() {
  local name=$1; shift
  local i=0 wpids=()
  for port in "$@"; do
    timeout $((PHASE + 20)) wrk -t1 -c"$CONNECTIONS" -d"${PHASE}s" "http://127.0.0.1:$port/bench/items/1" >"$work/wrk-$name-$i.txt" 2>&1 &
    wpids+=($!); i=$((i + 1))
  done
  wait "${wpids[@]}" || true
}

# parse FILE -> "requests successes"
parse() {
  local total non2xx errors
  total=$(awk '/requests in/ {print $1}' "$1")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$1"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$1"); errors=${errors:-0}
  echo "${total:-0} $(( ${total:-0} - non2xx ))"
}

rows=()
notes=()
for build in "${builds[@]}"; do
  label=${build%%|*}; dir=${build#*|}
  db="outage_$label"
  psql_ "CREATE DATABASE $db;"
  ports=()
  for n in a b; do
    port=$(free_port); ports+=("$port")
    mkdir -p "$work/$label-$n"
    # From the build's directory, so its appsettings.json applies as it does for `dotnet run`; YARP's per-request
    # lines at Warning, so the log measures the outage and not the proxied requests (they log the same up or down).
    (cd "$dir" && TOKENPROXY_VAULT_KEY="$KEY" exec dotnet TokenProxy.dll --urls "http://127.0.0.1:$port" --Logging:LogLevel:Yarp=Warning \
      --TokenProxy:DataDirectory="$work/$label-$n" --TokenProxy:PublicBaseUrl="http://127.0.0.1:$port" \
      --TokenProxy:Store:Kind=Postgres --TokenProxy:Store:ConnectionString="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$db" \
      --TokenProxy:Providers:bench:ApiBaseUrl="http://127.0.0.1:$UP/") >"$work/$label-$n.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/healthz" "$work/$label-$n.log"
  done
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:${ports[0]}/admin/api/connections" \
    -H 'TokenProxy-Csrf: 1' -H 'Content-Type: application/json' -d "{\"provider\":\"bench\",\"accessToken\":\"$TOKEN\",\"expiresIn\":3600}")
  [ "$status" = 201 ] || { echo "import answered $status" >&2; cat "$work/$label-a.log" >&2; exit 1; }
  for port in "${ports[@]}"; do curl -s -o /dev/null "http://127.0.0.1:$port/bench/warm"; done

  log "$label: ${PHASE} s with the database up"
  sizes_at_up=($(stat -c %s "$work/$label-a.log" "$work/$label-b.log"))
  wrk_phase "$label-up" "${ports[@]}"
  log "$label: stopping PostgreSQL for ${PHASE} s"
  pg_stop
  sizes_at_stop=($(stat -c %s "$work/$label-a.log" "$work/$label-b.log"))
  wrk_phase "$label-down" "${ports[@]}"
  sizes_at_start=($(stat -c %s "$work/$label-a.log" "$work/$label-b.log"))
  ready_down=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[0]}/readyz")
  uncached_down=$(curl -s -D - -o /dev/null -H 'TokenProxy-Connection: spare' "http://127.0.0.1:${ports[1]}/bench/x" | tr -d '\r' | awk 'NR==1 {s=$2} tolower($1)=="tokenproxy-error:" {e=$2} END {print s" "e}')
  log "$label: starting PostgreSQL again"
  pg_start
  wrk_phase "$label-again" "${ports[@]}"
  ready_after=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[0]}/readyz")
  for phase in up down again; do
    for i in 0 1; do
      read -r total ok < <(parse "$work/wrk-$label-$phase-$i.txt")
      rate=$(awk -v t="$total" -v o="$ok" 'BEGIN { printf "%.1f", t ? 100 * o / t : 0 }')
      rows+=("| $label | $phase | $([ $i = 0 ] && echo a || echo b) | $total | $ok | $rate % |")
    done
  done
  bytes_a=$(( sizes_at_start[0] - sizes_at_stop[0] )); bytes_b=$(( sizes_at_start[1] - sizes_at_stop[1] ))
  up_a=$(( sizes_at_stop[0] - sizes_at_up[0] ))
  unavailable=$(grep -c "Store unavailable" "$work/$label-a.log" || true)
  available=$(grep -c "Store available again" "$work/$label-a.log" || true)
  traces=$(grep -c '^ *at ' "$work/$label-a.log" || true)
  notes+=("| $label | $up_a | $bytes_a | $bytes_b | $ready_down → $ready_after | $uncached_down | $unavailable / $available | $traces |")
  [ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$work/$label-a.log" "$work/$label-b.log" "$KEEP_LOGS/"
  for pid in "${pids[@]: -2}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
done

{
  echo "# PostgreSQL stopped for ${PHASE} s under traffic: cached requests and logs"
  echo
  echo "Measured $(date -u +%Y-%m-%d) by \`bench/outage/run.sh\` on $(nproc) cores (shared machine; other builds ran"
  echo "meanwhile), loopback only, Release builds. Two instances on one PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') cluster,"
  echo "the shipped \`appsettings.json\` (run from the build's directory) with YARP's per-request lines at Warning, one imported token that does not expire during the run, cached by"
  echo "both instances before the run. \`wrk -t1 -c$CONNECTIONS -d${PHASE}s\` per instance and phase; the database is stopped"
  echo "with \`pg_ctl stop -m fast\` between the first two phases and started again between the last two."
  echo
  echo "| build | phase | instance | requests | 2xx | success rate |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| build | log bytes, ${PHASE} s up (a) | log bytes during the stop, a | log bytes during the stop, b | /readyz down → after | uncached request while down (status, TokenProxy-Error) | \"Store unavailable\" / \"available again\" lines (a) | stack-trace lines (a) |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${notes[@]}"
} >"$RESULT"
cat "$RESULT"
