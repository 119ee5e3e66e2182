#!/bin/bash
# Manual check (not in make test; about 40 s): a real `faqbot serve` over a private PostgreSQL
# that is frozen (SIGSTOP) then thawed. Prints how long /healthz, /readyz, /metrics and six
# signed Slack events took, then the same after the thaw. Usage: frozen_postgres_serve.sh [faqbot]
set -u
here=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$here/../../build/faqbot}
state=$(mktemp -d /tmp/faqbot-freeze.XXXXXX)
"$here/pg_cluster.sh" start $state >/dev/null
url=$(cat $state/url)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export FAQBOT_DATABASE_URL=$url FAQBOT_PORT=$port SLACK_SIGNING_SECRET=qa-secret
$BIN serve > $state/serve.out 2> $state/serve.err &
pid=$!
for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:$port/healthz && break; sleep 0.2; done
t() { local f=$(mktemp); local s=$(date +%s.%N); local code=$(curl -s -m 30 -o $f -w '%{http_code}' "$@"); local e=$(date +%s.%N); printf '%s %s %.2fs %s\n' "${@: -1}" "$code" "$(echo "$e - $s" | bc)" "$(head -c 150 $f | tr '\n' ' ')"; rm -f $f; }
event() {
  local body='{"token":"x","team_id":"T0QA","api_app_id":"A0QA","type":"event_callback","event_id":"Ev'$1'","event_time":1,"event":{"type":"message","channel_type":"im","channel":"D0QA","user":"U0QA","text":"hello","ts":"1.'$1'"}}'
  local ts=$(date +%s)
  local sig="v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac qa-secret | awk '{print $2}')"
  t -X POST -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" -H 'Content-Type: application/json' --data "$body" http://127.0.0.1:$port/slack/events
}
echo "== before"; t http://127.0.0.1:$port/readyz; event 1
"$here/pg_cluster.sh" freeze $state
echo "== frozen: 6 events at once, then the probes"
pids=""
for i in 2 3 4 5 6 7; do event $i & pids="$pids $!"; done
sleep 0.5
echo "healthz:"; t http://127.0.0.1:$port/healthz
echo "readyz:"; t http://127.0.0.1:$port/readyz
echo "metrics:"; t http://127.0.0.1:$port/metrics
wait $pids
"$here/pg_cluster.sh" thaw $state
echo "== thawed"; sleep 1; t http://127.0.0.1:$port/readyz; event 8
kill -TERM $pid; wait $pid; echo "serve exit $?"
echo "== stderr lines: $(wc -l < $state/serve.err)"; head -20 $state/serve.err
"$here/pg_cluster.sh" stop $state
rm -rf "$state"
