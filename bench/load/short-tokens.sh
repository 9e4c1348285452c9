#!/usr/bin/env bash
# Token-endpoint calls under load when the provider's tokens live shorter than Refresh:Skew (default 1 min):
# the real authorization server of the tests (tests/oauth-server, oidc-provider) issues ACCESS_TOKEN_TTL-second
# tokens, TokenProxy holds one connection to it (tokens obtained with the code flow + PKCE, then imported), and wrk
# drives GET /oidc/me (the provider's userinfo, which checks every token) through the proxy for DURATION seconds.
# Prints requests, non-2xx answers and refresh_token grants counted by the server, and the grants per minute.
#
# Usage: bench/load/short-tokens.sh [path/to/TokenProxy.dll]   (default: a fresh `dotnet publish -c Release`)
# Knobs (environment): ACCESS_TOKEN_TTL=30 DURATION=90 THREADS=2 CONNECTIONS=16
# Prerequisites: wrk, curl, openssl, node + npm (tests/oauth-server), the .NET 10 SDK. Loopback only; every wait is
# bounded; every process it starts is stopped by pid.
set -euo pipefail

ACCESS_TOKEN_TTL=${ACCESS_TOKEN_TTL:-30}
DURATION=${DURATION:-90}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}

repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../common.sh
source "$repo/bench/common.sh"
start_work short

dll=${1:-}
if [ -z "$dll" ]; then
  log "publishing TokenProxy (Release)"
  dotnet publish "$repo/src/TokenProxy" -c Release -o "$work/publish" >/dev/null
  dll=$work/publish/TokenProxy.dll
fi

(cd "$repo/tests/oauth-server" && [ -d node_modules/oidc-provider ] || npm ci --no-audit --no-fund --loglevel=error >&2)
proxy_port=$(free_port)
proxy=http://127.0.0.1:$proxy_port
client_id=tokenproxy-bench
client_secret=bench-secret-0123456789
redirect=$proxy/admin/callback/oidc

log "starting oidc-provider with ${ACCESS_TOKEN_TTL}-second access tokens"
mkfifo "$work/ready"
(cd "$repo/tests/oauth-server" && PORT=0 CLIENT_ID=$client_id CLIENT_SECRET=$client_secret REDIRECT_URIS=$redirect \
  ACCESS_TOKEN_TTL=$ACCESS_TOKEN_TTL exec node server.mjs >"$work/ready" 2>"$work/oidc.log") &
pids+=($!)
read -r -t 30 ready issuer <"$work/ready" || { echo "oidc-provider did not start" >&2; cat "$work/oidc.log" >&2; exit 1; }
[ "$ready" = READY ] || { echo "unexpected: $ready $issuer" >&2; exit 1; }

log "starting TokenProxy ($dll) on $proxy"
TOKENPROXY_VAULT_KEY=$(openssl rand -base64 32) dotnet "$dll" --urls "$proxy" \
  --TokenProxy:PublicBaseUrl="$proxy" --TokenProxy:DataDirectory="$work/data" \
  --TokenProxy:Providers:oidc:Issuer="$issuer" --TokenProxy:Providers:oidc:ApiBaseUrl="$issuer" \
  --TokenProxy:Providers:oidc:ClientId=$client_id --TokenProxy:Providers:oidc:ClientSecret=$client_secret \
  --TokenProxy:Providers:oidc:Scopes:0=openid --Logging:LogLevel:Default=Warning >"$work/proxy.log" 2>&1 &
pids+=($!)
wait_for "$proxy/healthz" "$work/proxy.log"

# Code flow + PKCE against the provider (tests/oauth-server/README.md), the code exchanged here, the tokens imported.
jar=$work/jar
loc() { grep -i '^location:' | tr -d '\r' | cut -d' ' -f2-; }
abs() { case "$1" in http*) echo "$1" ;; *) echo "$issuer$1" ;; esac; }
verifier=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')
l=$(curl -s -o /dev/null -D - -c "$jar" -b "$jar" -G "$issuer/auth" -d response_type=code -d client_id=$client_id \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode "scope=openid" -d state=bench \
  -d code_challenge="$challenge" -d code_challenge_method=S256 | loc)
l=$(abs "$l"); curl -s -o /dev/null -c "$jar" -b "$jar" "$l"
l=$(curl -s -o /dev/null -D - -c "$jar" -b "$jar" -d prompt=login -d login=bench -d password=x "$l" | loc)
l=$(abs "$(curl -s -o /dev/null -D - -c "$jar" -b "$jar" "$l" | loc)")
curl -s -o /dev/null -c "$jar" -b "$jar" "$l"
l=$(curl -s -o /dev/null -D - -c "$jar" -b "$jar" -d prompt=consent "$l" | loc)
callback=$(curl -s -o /dev/null -D - -c "$jar" -b "$jar" "$l" | loc)
code=$(sed -E 's/.*[?&]code=([^&]*).*/\1/' <<<"$callback")
curl -s -u "$client_id:$client_secret" -d grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode "code_verifier=$verifier" "$issuer/token" >"$work/tokens.json"
python3 - "$work/tokens.json" >"$work/import.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
print(json.dumps({"provider": "oidc", "label": "default", "accessToken": t["access_token"],
                  "refreshToken": t["refresh_token"], "expiresIn": t["expires_in"]}))
EOF
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'TokenProxy-Csrf: 1' \
  --data @"$work/import.json" "$proxy/admin/api/connections")
[ "$status" = 201 ] || { echo "import failed: $status" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$proxy/oidc/me")" = 200 ] || { echo "the proxy does not reach /me" >&2; exit 1; }

curl -s -X DELETE "$issuer/test/stats" >/dev/null
log "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s $proxy/oidc/me"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$proxy/oidc/me" >"$work/wrk.txt"
stats=$(curl -s "$issuer/test/stats")
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
grants=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["refresh_token"])' "$stats")
echo "access token lifetime ${ACCESS_TOKEN_TTL}s, ${DURATION}s of load: requests=$requests non2xx=${non2xx:-0}" \
  "refresh_token_grants=$grants per_minute=$(python3 -c "print(round($grants * 60 / $DURATION, 1))")"
