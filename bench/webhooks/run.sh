#!/usr/bin/env bash
# Webhook burst: N events (connections imported through the admin API, each one a connection.created event, each its own
# connection so nothing is ordered behind anything) delivered to an nginx receiver, while wrk measures the data plane.
# Prints and writes (bench/results/webhooks.md): how long the burst took to create and to deliver, the delivery rate,
# and the data plane's req/s, p50 and p99 before and during the burst.
#
# Prerequisites (Debian): apt-get install -y nginx-light wrk curl python3; the .NET 10 SDK.
# Knobs (environment): EVENTS=10000 WRITERS=8 (parallel importers) THREADS=1 CONNECTIONS=16 (wrk) BASELINE=10 (seconds)
#   TOKENPROXY_DLL=/path/to/TokenProxy.dll (skip the Release publish) RESULT=bench/results/webhooks.md.
# Everything listens on 127.0.0.1 only; every wait is bounded; every process it starts is stopped by pid.
set -euo pipefail

EVENTS=${EVENTS:-10000}
WRITERS=${WRITERS:-8}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-16}
BASELINE=${BASELINE:-10}

repo=$(cd "$(dirname "$0")/../.." && pwd)
RESULT=${RESULT:-$repo/bench/results/webhooks.md}
cd "$repo"
for tool in wrk curl python3; do command -v $tool >/dev/null 2>&1 || { echo "bench/webhooks/run.sh needs $tool" >&2; exit 1; }; done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/webhooks/run.sh needs nginx-light" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# shellcheck source=../common.sh
source "$repo/bench/common.sh"
start_work webhooks

if [ -z "${TOKENPROXY_DLL:-}" ]; then
  log "building Release"
  dotnet publish src/TokenProxy -c Release -o "$work/pub" --nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
  TOKENPROXY_DLL=$work/pub/TokenProxy.dll
fi

UP=$(free_port); RCV=$(free_port); TP=$(free_port)
mkdir -p "$work/nginx"
# The API the data plane calls, and the webhook receiver (one access log line per delivery, 204).
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
$(nginx_http_basics "$work/nginx")
  log_format delivered '\$msec \$status \$http_tokenproxy_event_type';
  server {
    listen 127.0.0.1:$UP;
    default_type application/json;
    location / { return 200 '{"id":42,"ok":true}'; }
  }
  server {
    listen 127.0.0.1:$RCV;
    location = /ready { return 200; }
    location /hook { access_log $work/nginx/deliveries.log delivered; return 204; }
  }
}
NGINX
"$NGINX" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" &
pids+=($!)
wait_for "http://127.0.0.1:$UP/ready" "$work/nginx/error.log"
wait_for "http://127.0.0.1:$RCV/ready" "$work/nginx/error.log"

TOKENPROXY_VAULT_KEY="$(head -c 32 /dev/urandom | base64)" dotnet "$TOKENPROXY_DLL" --contentRoot "$(dirname "$TOKENPROXY_DLL")" \
  --urls "http://127.0.0.1:$TP" --TokenProxy:DataDirectory="$work/data" \
  --TokenProxy:Providers:bench:ApiBaseUrl="http://127.0.0.1:$UP/" \
  --TokenProxy:Webhooks:hook:Url="http://127.0.0.1:$RCV/hook" \
  --TokenProxy:Webhooks:hook:Secret="bench-secret-0123456789abcdef" \
  --TokenProxy:Webhooks:hook:Events:0=connection.created >"$work/tokenproxy.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$TP/readyz" "$work/tokenproxy.log"
import_token "$TP" bench "bench-token" "$work/tokenproxy.log"
wait_for "http://127.0.0.1:$TP/bench/ready" "$work/tokenproxy.log"

delivered() { [ -f "$work/nginx/deliveries.log" ] && wc -l <"$work/nginx/deliveries.log" || echo 0; }
for _ in $(seq 1 100); do [ "$(delivered)" -ge 1 ] && break; sleep 0.1; done

log "data plane alone, ${BASELINE} s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${BASELINE}s" --latency "http://127.0.0.1:$TP/bench/items" >"$work/wrk-baseline.txt"

log "burst of $EVENTS events, data plane measured meanwhile"
before=$(delivered)
# wrk runs for a generous bound and is stopped once every event arrived, so it measures the burst only.
wrk -t"$THREADS" -c"$CONNECTIONS" -d600s --latency "http://127.0.0.1:$TP/bench/items" >"$work/wrk-burst.txt" &
wrk_pid=$!
pids+=($wrk_pid)
start=$(date +%s.%N)
python3 - "$TP" "$EVENTS" "$WRITERS" <<'PY'
import http.client, json, sys, threading
port, events, writers = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def write(first):
    c = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(first, events, writers):
        c.request("POST", "/admin/api/connections", json.dumps({"provider": "bench", "label": f"w{i}", "accessToken": f"t{i}"}),
                  {"Content-Type": "application/json", "TokenProxy-Csrf": "1"})
        r = c.getresponse(); r.read()
        if r.status != 201: raise SystemExit(f"import answered {r.status}")
threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
[t.start() for t in threads]; [t.join() for t in threads]
PY
created=$(date +%s.%N)
for _ in $(seq 1 6000); do
  [ "$(delivered)" -ge $((before + EVENTS)) ] && break
  sleep 0.1
done
done_at=$(date +%s.%N)
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true
got=$(( $(delivered) - before ))
[ "$got" -ge "$EVENTS" ] || log "only $got of $EVENTS events arrived within 10 minutes"

statuses=$(awk '{print $2}' "$work/nginx/deliveries.log" | sort | uniq -c | tr '\n' ' ')
pick() { awk -v k="$2" '$1 == k {print $2}' "$1" | head -1; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
create_s=$(python3 -c "print(f'{$created - $start:.1f}')")
deliver_s=$(python3 -c "print(f'{$done_at - $start:.1f}')")
rate=$(python3 -c "print(f'{$got / ($done_at - $start):.0f}')")
rss=$(ps -o rss= -p "$(pgrep -f "urls http://127.0.0.1:$TP" | head -1)" 2>/dev/null | awk '{printf "%.0f", $1/1024}' || echo "?")

cat >"$RESULT" <<MD
# Webhook burst

\`bench/webhooks/run.sh\` (EVENTS=$EVENTS WRITERS=$WRITERS, wrk -t$THREADS -c$CONNECTIONS), $(date -u +%Y-%m-%d), $(nproc) cores shared with other
work, SQLite store, $( [[ $TOKENPROXY_DLL == "$work/pub/TokenProxy.dll" || $TOKENPROXY_DLL == *Release* || $TOKENPROXY_DLL == *release* ]] && echo "Release build" || echo "build $TOKENPROXY_DLL" ).
Each event is a connection imported through the admin API (its own connection, so no delivery waits behind another);
the receiver is nginx answering 204.

| measure | value |
|---|---|
| events created (burst writers) | $EVENTS in $create_s s |
| all delivered, from the first import | $got in $deliver_s s |
| delivery rate | $rate events/s |
| receiver statuses | $statuses |
| TokenProxy RSS after the burst | $rss MB |

| data plane (\`GET /bench/items\`) | req/s | p50 | p99 |
|---|---|---|---|
| alone (${BASELINE} s) | $(rps "$work/wrk-baseline.txt") | $(pick "$work/wrk-baseline.txt" 50%) | $(pick "$work/wrk-baseline.txt" 99%) |
| during the burst | $(rps "$work/wrk-burst.txt") | $(pick "$work/wrk-burst.txt" 50%) | $(pick "$work/wrk-burst.txt" 99%) |

The burst's own writes (imports, each an fsync'd SQLite commit with its event) share the store and the two cores with
the data plane and the deliveries; the data plane itself reads no row on a cache hit, so what it loses during the
burst is CPU.
MD
cat "$RESULT"
