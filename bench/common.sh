# Shell helpers the bench scripts share; sourced, not run. Loopback only; every wait is bounded.
# The sourcing script keeps the pids of what it starts in the array `pids`.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Makes the work directory `work` (/tmp/tokenproxy-NAME.XXXXXX) and, on exit, stops every process in `pids` and
# removes the directory (KEEP=1 keeps it and says where). A script with more to undo defines its own trap.
start_work() {
  work=$(mktemp -d "/tmp/tokenproxy-$1.XXXXXX")
  pids=()
  trap cleanup_work EXIT
}

cleanup_work() {
  stop_started
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}

# Stops every process in `pids`: TERM, up to 5 s each to exit, then KILL.
stop_started() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

# A port nothing answers on right now (loopback only).
used_ports=" "
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    [[ $used_ports == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      used_ports+="$port "
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}

# Waits (bounded, 60 s) until the URL answers 200; on timeout prints the log given.
wait_for() {
  local url=$1 logfile=${2:-} code
  for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $url (last status $code)" >&2
  [ -n "$logfile" ] && tail -20 "$logfile" >&2
  exit 1
}

# The http-block lines every nginx of these scripts shares: no access log, long keep-alive, temp paths under DIR.
nginx_http_basics() {
  local dir=$1
  printf '  access_log off;\n  keepalive_requests 1000000;\n'
  for kind in client_body proxy fastcgi uwsgi scgi; do
    printf '  %s_temp_path %s/%s;\n' "$kind" "$dir" "${kind#client_}"
  done
}

# Imports TOKEN for PROVIDER into the TokenProxy on PORT through the admin API; on failure prints LOGFILE and exits.
import_token() {
  local port=$1 provider=$2 token=$3 logfile=$4 status
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/admin/api/connections" \
    -H 'TokenProxy-Csrf: 1' -H 'Content-Type: application/json' \
    -d "{\"provider\":\"$provider\",\"accessToken\":\"$token\"}")
  [ "$status" = 201 ] || { echo "importing the token on port $port answered $status" >&2; cat "$logfile" >&2; exit 1; }
}
