#!/usr/bin/env bash
# A seconds-long run of every benchmark program against a fresh iamd, so the
# suite cannot rot between full runs (a ctest; its numbers mean nothing).
#   tools/bench/smoke.sh BUILD_DIR
set -euo pipefail
bin=$(cd "$1" && pwd)
scratch=$(mktemp -d -t iamd-bench-smoke.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

check() {  # runs a program and fails unless every JSON line it printed measured something
  local output status=0
  output=$("$@") || status=$?
  echo "$output"
  if [ "$status" -ne 0 ]; then
    echo "$* exited with $status" >&2
    return "$status"
  fi
  python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin if l.startswith("{")]
assert lines, "no measurement printed"
for item in lines:
    count = item.get("requests", item.get("operations", 0))
    assert count > 0, "nothing measured: %s" % item
' <<<"$output"
}

check "$bin/bench_appends" --seconds 1 --work-dir "$scratch"
check "$bin/bench_hashing" --seconds 1
# The cluster's appends on one nats-server (the suite runs three).
nats_server="$bin/nats-server/usr/sbin/nats-server"
if [ -x "$nats_server" ]; then
  nats_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$nats_server" -a 127.0.0.1 -p "$nats_port" -js -sd "$scratch/nats" -l "$scratch/nats.log" &
  server=$!
  check "$bin/bench_cluster_appends" --nats "nats://127.0.0.1:$nats_port" --replicas 1 --seconds 1 --work-dir "$scratch"
  kill "$server" && wait "$server" 2>/dev/null || true
  server=""
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/iamd" --data-dir "$scratch/iamd" --listen "127.0.0.1:$port" --rate-limits off --log-level warn \
  >"$scratch/iamd.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  [ -f "$scratch/iamd/.edgerc" ] && curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break
  sleep 0.1
done
load=("$bin/iamload" --port "$port" --edgerc "$scratch/iamd/.edgerc" --connections 2 --seconds 1
      --warmup-ms 0 --max-requests 20)
for scenario in get-user group-tree audit-page create-user lock-unlock grant-role set-password sign-in jwt-account; do
  check "${load[@]}" --scenario "$scenario"
done
check "${load[@]}" --scenario get --path /healthz --label unsigned

# The log-scale measurements on logs of a few thousand events; it fails by
# itself when anything it measures fails.
python3 "$(dirname "$0")/log_scale.py" --bin "$bin" --smoke --work-dir "$scratch/log-scale"
