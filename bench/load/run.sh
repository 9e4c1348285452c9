#!/usr/bin/env bash
# Load comparison, in one run, interleaved: the upstream alone, nginx adding a static Authorization
# header, bare YARP adding one (bench/BareYarp), and TokenProxy on its cache-hit path (without and with
# OTLP export). Prints req/s, p50 and p99 per target (medians over the rounds), the ratios to bare YARP
# and to nginx, TokenProxy's RSS under load, and writes bench/results/load.md.
#
# Prerequisites (Debian): apt-get install -y nginx-light wrk curl; the .NET 10 SDK.
# Knobs (environment): ROUNDS=5 DURATION=8 WARMUP=20 SHAPES="1x32 2x64" FULL_SAMPLING=1 (also sampling 1.0 and 0) EXTRA=0
#   RESULT=bench/results/load.md. SHAPES lists the wrk load shapes (threads x connections) measured one after the
#   other against the same running targets, each with its own warm-up, rounds and table; THREADS=… CONNECTIONS=…
#   (both) measure that one shape instead. EXTRA=1 adds TokenProxy with workstation GC and with TieredPGO off.
#   COMPARE_DLL=/path/to/TokenProxy.dll adds another build of TokenProxy (e.g. `dotnet publish -c Release` of an
#   older commit) as one more target, to measure a change before/after in the same run; with COMPARE_OTLP=1 that build
#   exports as "TokenProxy + OTLP export, sampling 0.1" does, to measure a change to the cost of export.
# Everything listens on 127.0.0.1 only; every wait is bounded; every process it starts is stopped by pid.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-8}
# 20 s of load per target before the first shape's rounds: tiered compilation and PGO are still compiling after 10 s
# (with OTLP export on, 1.7 % of the proxy's CPU was the JIT 8 s into load, 0.01 % after 50 s); a bigger app takes
# longer, so a short warm-up measures its start-up rather than its steady state.
WARMUP=${WARMUP:-20}
if [ -n "${THREADS:-}" ] || [ -n "${CONNECTIONS:-}" ]; then
  SHAPES="${THREADS:-2}x${CONNECTIONS:-64}"
fi
SHAPES=${SHAPES:-1x32 2x64}
for shape in $SHAPES; do
  [[ $shape =~ ^[0-9]+x[0-9]+$ ]] || { echo "SHAPES: '$shape' is not THREADSxCONNECTIONS (e.g. 2x64)" >&2; exit 1; }
done
FULL_SAMPLING=${FULL_SAMPLING:-1}
EXTRA=${EXTRA:-0}

repo=$(cd "$(dirname "$0")/../.." && pwd)
RESULT=${RESULT:-$repo/bench/results/load.md}
cd "$repo"

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if ((${#missing[@]})); then
  echo "bench/load/run.sh needs: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
command -v dotnet >/dev/null 2>&1 || { echo "bench/load/run.sh needs the .NET 10 SDK (dotnet)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# shellcheck source=../common.sh
source "$repo/bench/common.sh"
start_work load

# ---------------------------------------------------------------- build
log "building Release (TokenProxy, BareYarp)"
dotnet publish src/TokenProxy -c Release -o "$work/pub/tokenproxy" --nologo -v quiet >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }
dotnet publish bench/BareYarp -c Release -o "$work/pub/bareyarp" --nologo -v quiet >>"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }

# ---------------------------------------------------------------- upstream, sink, nginx proxy
UP=$(free_port); SINK=$(free_port); NGX=$(free_port)
TOKEN="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$work/upstream" "$work/nginxproxy"

# The upstream: one worker answering a small JSON body; /whoami echoes the Authorization header so the
# script can check each proxy really attaches the token. The sink accepts OTLP posts and answers 200.
cat >"$work/upstream/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/upstream/nginx.pid;
events { worker_connections 4096; }
http {
$(nginx_http_basics "$work/upstream")
  server {
    listen 127.0.0.1:$UP;
    default_type application/json;
    location = /whoami { return 200 "\$http_authorization"; }
    location / { return 200 '{"id":42,"name":"bench","ok":true,"tags":["a","b","c"]}'; }
  }
  server {
    listen 127.0.0.1:$SINK;
    client_max_body_size 64m;
    access_log $work/upstream/sink.log;
    location / { return 200; }
  }
}
EOF

# nginx as the reverse proxy: two workers (one per core, as the .NET proxies get), pooled upstream
# connections, and a static Authorization header.
cat >"$work/nginxproxy/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $work/nginxproxy/nginx.pid;
events { worker_connections 4096; }
http {
$(nginx_http_basics "$work/nginxproxy")
  upstream api { server 127.0.0.1:$UP; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGX;
    location /bench/ {
      proxy_pass http://api/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer $TOKEN";
    }
  }
}
EOF

"$NGINX" -p "$work/upstream" -e "$work/upstream/error.log" -c "$work/upstream/nginx.conf" &
pids+=($!)
"$NGINX" -p "$work/nginxproxy" -e "$work/nginxproxy/error.log" -c "$work/nginxproxy/nginx.conf" &
pids+=($!)
wait_for "http://127.0.0.1:$UP/ready" "$work/upstream/error.log"
wait_for "http://127.0.0.1:$NGX/bench/ready" "$work/nginxproxy/error.log"

# ---------------------------------------------------------------- the .NET proxies
declare -A PID_OF=()

start_bare() {
  local port=$1
  dotnet "$work/pub/bareyarp/BareYarp.dll" --contentRoot "$work/pub/bareyarp" --urls "http://127.0.0.1:$port" \
    --Upstream "http://127.0.0.1:$UP/" --Token "$TOKEN" "$QUIET_FORWARDER" >"$work/bare.log" 2>&1 &
  pids+=($!); PID_OF[bare]=$!
  wait_for "http://127.0.0.1:$port/bench/ready" "$work/bare.log"
}

# Each .NET proxy runs with its publish directory as content root, so it reads its own appsettings.json (as it
# does when started from there): started from the repository root it would not, and would log two Information lines
# per request ("Executing endpoint …") under the defaults. YARP's forwarder logs two more ("Proxying to {url}",
# "Received … response"); TokenProxy keeps that category at Warning (the URL can carry an API key), so both proxies
# run with it at Warning: given explicitly, so that older builds (COMPARE_DLL) and the baseline measure the same
# thing. The lines each proxy logged are counted in the results: they must not grow with the requests.
QUIET_FORWARDER=--Logging:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder=Warning

# start_tokenproxy NAME PORT [extra args...] ; env DOTNET_* may be given through ENVS.
start_tokenproxy() {
  local name=$1 port=$2 dll=${TOKENPROXY_DLL:-$work/pub/tokenproxy/TokenProxy.dll}; shift 2
  mkdir -p "$work/$name"
  env ${ENVS:-} TOKENPROXY_VAULT_KEY="$(head -c 32 /dev/urandom | base64)" \
    dotnet "$dll" --contentRoot "$(dirname "$dll")" --urls "http://127.0.0.1:$port" \
    --TokenProxy:DataDirectory="$work/$name" --TokenProxy:PublicBaseUrl="http://127.0.0.1:$port" \
    --TokenProxy:Providers:bench:ApiBaseUrl="http://127.0.0.1:$UP/" "$QUIET_FORWARDER" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!); PID_OF[$name]=$!
  wait_for "http://127.0.0.1:$port/healthz" "$work/$name.log"
  import_token "$port" bench "$TOKEN" "$work/$name.log"
}

# Export is turned on with the standard variable (as configuration), which every TokenProxy build reads.
BARE=$(free_port); TP=$(free_port); TPO=$(free_port)
start_bare "$BARE"
start_tokenproxy tokenproxy "$TP"
start_tokenproxy tokenproxy-otel "$TPO" --OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK"

# name | url | label | pid key (RSS and CPU are read for these)
targets=(
  "direct|http://127.0.0.1:$UP/items/42?fields=all|upstream directly (nginx)|"
  "nginx|http://127.0.0.1:$NGX/bench/items/42?fields=all|nginx reverse proxy, static header|"
  "bare|http://127.0.0.1:$BARE/bench/items/42?fields=all|bare YARP, static header|bare"
  "tokenproxy|http://127.0.0.1:$TP/bench/items/42?fields=all|TokenProxy, stored token (cache hit)|tokenproxy"
  "tokenproxy-otel|http://127.0.0.1:$TPO/bench/items/42?fields=all|TokenProxy + OTLP export, sampling 0.1|tokenproxy-otel"
)
if [ "$FULL_SAMPLING" = 1 ]; then
  TPF=$(free_port)
  start_tokenproxy tokenproxy-otel-full "$TPF" --OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK" --TokenProxy:Telemetry:SamplingRatio=1.0
  targets+=("tokenproxy-otel-full|http://127.0.0.1:$TPF/bench/items/42?fields=all|TokenProxy + OTLP export, sampling 1.0|tokenproxy-otel-full")
  # Sampling 0: every instrument listened to and metrics exported, no span recorded; with the two above it splits
  # the cost of telemetry into listening + metrics, and recording + exporting spans.
  TPZ=$(free_port)
  start_tokenproxy tokenproxy-otel-none "$TPZ" --OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK" --TokenProxy:Telemetry:SamplingRatio=0
  targets+=("tokenproxy-otel-none|http://127.0.0.1:$TPZ/bench/items/42?fields=all|TokenProxy + OTLP export, sampling 0 (metrics only)|tokenproxy-otel-none")
fi
if [ -n "${COMPARE_DLL:-}" ]; then
  [ -f "$COMPARE_DLL" ] || { echo "COMPARE_DLL=$COMPARE_DLL is not a file (give the path of TokenProxy.dll)" >&2; exit 1; }
  TPC=$(free_port)
  if [ "${COMPARE_OTLP:-0}" = 1 ]; then
    TOKENPROXY_DLL=$COMPARE_DLL start_tokenproxy tokenproxy-compare "$TPC" --OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK"
    targets+=("tokenproxy-compare|http://127.0.0.1:$TPC/bench/items/42?fields=all|TokenProxy + OTLP export, sampling 0.1, COMPARE_DLL build|tokenproxy-compare")
  else
    TOKENPROXY_DLL=$COMPARE_DLL start_tokenproxy tokenproxy-compare "$TPC"
    targets+=("tokenproxy-compare|http://127.0.0.1:$TPC/bench/items/42?fields=all|TokenProxy, COMPARE_DLL build|tokenproxy-compare")
  fi
fi
if [ "$EXTRA" = 1 ]; then
  TPW=$(free_port); TPP=$(free_port)
  ENVS="DOTNET_gcServer=0" start_tokenproxy tokenproxy-wksgc "$TPW"
  ENVS="DOTNET_TieredPGO=0" start_tokenproxy tokenproxy-nopgo "$TPP"
  targets+=("tokenproxy-wksgc|http://127.0.0.1:$TPW/bench/items/42?fields=all|TokenProxy, DOTNET_gcServer=0 (workstation GC)|tokenproxy-wksgc")
  targets+=("tokenproxy-nopgo|http://127.0.0.1:$TPP/bench/items/42?fields=all|TokenProxy, DOTNET_TieredPGO=0|tokenproxy-nopgo")
fi

# Every proxy must have attached the token before anything is measured.
for t in "${targets[@]}"; do
  IFS='|' read -r name url _ _ <<<"$t"
  [ "$name" = direct ] && continue
  seen=$(curl -s "${url%%/bench/*}/bench/whoami")
  [ "$seen" = "Bearer $TOKEN" ] || { echo "$name did not attach the token (upstream saw '${seen:0:20}…')" >&2; exit 1; }
done
log "all targets up; each proxy attaches the token"

declare -A IDLE_RSS=()
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# utime + stime of a process and its direct children, in clock ticks.
cpu_ticks() {
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
  done
  echo "$total"
}
TCK=$(getconf CLK_TCK)
nginx_workers() { pgrep -P "$1" | tr '\n' ' '; }
NGX_MASTER=${pids[1]}

# to_ms VALUE-WITH-UNIT -> milliseconds
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# run_wrk NAME URL SECONDS PIDKEY -> appends "name rps p50 p99 maxrss cpu_us_per_req" to $work/rounds
run_wrk() {
  local name=$1 url=$2 seconds=$3 key=$4 out="$work/wrk-$1.txt" sampler="" rssfile="$work/rss-$1" cpu_pids=""
  if [ -n "$key" ]; then cpu_pids=${PID_OF[$key]}; fi
  if [ "$name" = nginx ]; then cpu_pids=$(nginx_workers "$NGX_MASTER"); fi
  : >"$rssfile"
  if [ -n "$key" ]; then
    ( for _ in $(seq 1 $((seconds * 4 + 20))); do rss_kb "${PID_OF[$key]}" >>"$rssfile"; sleep 0.25; done ) &
    sampler=$!
  fi
  local before after
  before=$(cpu_ticks $cpu_pids)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency "$url" >"$out" 2>&1
  after=$(cpu_ticks $cpu_pids)
  if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
  local rps p50 p99 requests non2xx errors maxrss cpu
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  requests=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {print}' "$out")
  if [ "$non2xx" != 0 ] || [ -n "$errors" ]; then
    log "WARNING $name: non-2xx=$non2xx ${errors}"
  fi
  maxrss=$(sort -n "$rssfile" | tail -1); maxrss=${maxrss:-0}
  if [ -n "$cpu_pids" ] && [ "${requests:-0}" -gt 0 ]; then
    cpu=$(awk -v t=$((after - before)) -v hz="$TCK" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  else
    cpu=-
  fi
  echo "$name $rps $p50 $p99 $maxrss $cpu $non2xx"
}

for t in "${targets[@]}"; do
  IFS='|' read -r name url _ key <<<"$t"
  [ -n "$key" ] && IDLE_RSS[$name]=$(rss_kb "${PID_OF[$key]}")
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.3f", a / b }'; }

# measure_shape THREADS CONNECTIONS -> warm-up, interleaved rounds, and the shape's section in $work/sections.
measure_shape() {
  THREADS=$1 CONNECTIONS=$2
  local rounds="$work/rounds-${THREADS}x${CONNECTIONS}" count=${#targets[@]} t name url label key line round i
  log "shape -t$THREADS -c$CONNECTIONS: warm-up ${WARMUP}s per target"
  for t in "${targets[@]}"; do
    IFS='|' read -r name url _ key <<<"$t"
    run_wrk "$name" "$url" "$WARMUP" "$key" >/dev/null
  done

  local load_before load_after
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  : >"$rounds"
  for round in $(seq 1 "$ROUNDS"); do
    # Interleaved, and each round starts one target later, so no target always follows the same one.
    for i in $(seq 0 $((count - 1))); do
      t=${targets[$(((i + round - 1) % count))]}
      IFS='|' read -r name url _ key <<<"$t"
      line=$(run_wrk "$name" "$url" "$DURATION" "$key")
      log "-t$THREADS -c$CONNECTIONS round $round/$ROUNDS  $line"
      echo "$round $line" >>"$rounds"
    done
  done
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)

  col() { awk -v n="$1" -v c="$2" '$2 == n { print $c }' "$rounds"; }
  local -A RPS P50 P99 RSS CPU
  for t in "${targets[@]}"; do
    IFS='|' read -r name _ _ _ <<<"$t"
    RPS[$name]=$(col "$name" 3 | median)
    P50[$name]=$(col "$name" 4 | median)
    P99[$name]=$(col "$name" 5 | median)
    RSS[$name]=$(col "$name" 6 | sort -n | tail -1)
    CPU[$name]=$(col "$name" 7 | grep -v -- - | median || true)
  done

  {
    echo "## wrk -t$THREADS -c$CONNECTIONS"
    echo
    echo "${DURATION} s per round, $ROUNDS interleaved rounds (each round starts one target later) after a ${WARMUP} s warm-up per target."
    echo "Load average (1/5/15 min) before the rounds: $load_before; after: $load_after."
    echo
    echo "| target | req/s | p50 ms | p99 ms | req/s vs bare YARP | p99 vs bare YARP | req/s vs nginx | proxy CPU µs/req | max RSS under load |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for t in "${targets[@]}"; do
      IFS='|' read -r name _ label key <<<"$t"
      local rss="-" cpu
      [ -n "$key" ] && rss="$(awk -v k="${RSS[$name]}" 'BEGIN { printf "%.0f MiB", k / 1024 }')"
      cpu=${CPU[$name]:--}; [ -z "$cpu" ] && cpu="-"
      printf '| %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" \
        "$(ratio "${RPS[$name]}" "${RPS[bare]}")" "$(ratio "${P99[$name]}" "${P99[bare]}")" "$(ratio "${RPS[$name]}" "${RPS[nginx]}")" "$cpu" "$rss"
    done
    echo
    echo "Targets, cache-hit path: TokenProxy req/s ≥ 1.0 × bare YARP → **$(ratio "${RPS[tokenproxy]}" "${RPS[bare]}")**;" \
      "p99 ≤ 1.1 × bare YARP → **$(ratio "${P99[tokenproxy]}" "${P99[bare]}")**;" \
      "with OTLP export (sampling 0.1) req/s ≥ 0.95 × bare YARP → **$(ratio "${RPS[tokenproxy-otel]}" "${RPS[bare]}")**."
    echo
    echo "RSS (VmRSS, sampled every 250 ms during the measured rounds; idle = after start-up and the token import, before any load):"
    for t in "${targets[@]}"; do
      IFS='|' read -r name _ label key <<<"$t"
      [ -z "$key" ] && continue
      printf -- '- %s: idle %.0f MiB, max under load %.0f MiB\n' "$label" "$(awk -v k="${IDLE_RSS[$name]}" 'BEGIN { print k / 1024 }')" "$(awk -v k="${RSS[$name]}" 'BEGIN { print k / 1024 }')"
    done
    echo
    echo "### Every round (-t$THREADS -c$CONNECTIONS)"
    echo
    echo "| round | target | req/s | p50 ms | p99 ms | max RSS KiB | proxy CPU µs/req | non-2xx |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|"
    awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, ($6 == 0 ? "-" : $6), $7, $8 }' "$rounds"
    echo
  } >>"$work/sections"
}

: >"$work/sections"
for shape in $SHAPES; do
  measure_shape "${shape%x*}" "${shape#*x}"
done

# ---------------------------------------------------------------- summary
dotnet_version=$(dotnet --version)
nginx_version=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
wrk_version=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $2}')
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem_total=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
kernel=$(uname -r)
when=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
sink_posts=$(grep -c 'POST' "$work/upstream/sink.log" 2>/dev/null || true)

mkdir -p "$(dirname "$RESULT")"
{
  echo "# Load comparison: TokenProxy vs bare YARP vs nginx"
  echo
  echo "Produced by \`bench/load/run.sh\` on $when at commit \`$commit\`, load shapes (wrk threads x connections): $SHAPES."
  echo "\`GET /bench/items/42?fields=all\` (upstream: \`/items/42\`), a 57-byte JSON body. Values are medians over the rounds."
  echo "Proxy CPU µs/req: user + system CPU time of the proxy process (nginx: its workers) during a round, divided by the requests wrk completed."
  echo "OTLP sink received $sink_posts export POSTs during the run (traces every 5 s, metrics every 60 s, from the exporting instances)."
  printf 'Log lines each proxy wrote during the whole run (start-up included; they must not grow with the requests):'
  for t in "${targets[@]}"; do
    IFS='|' read -r name _ _ key <<<"$t"
    [ -n "$key" ] && printf ' %s %s;' "$name" "$(wc -l <"$work/$name.log")"
  done
  echo
  echo
  cat "$work/sections"
  echo "## Machine"
  echo
  echo "- CPU: $cpu_model, \`nproc\` = $(nproc)"
  echo "- memory: $mem_total; kernel $kernel"
  echo "- .NET SDK $dotnet_version (Release builds; Sdk.Web defaults: server GC, tiered PGO); nginx $nginx_version; wrk $wrk_version"
  echo "- wrk, the upstream, and the proxy under test all share the same $(nproc) cores, so absolute numbers are"
  echo "  bounded by the load generator; the ratios between targets measured in the same run are what this shows."
} >"$RESULT"

echo
cat "$RESULT"
log "wrote ${RESULT#$repo/}"
