#!/usr/bin/env bash
# Runs the whole benchmark suite on this machine and writes the report.
#
#   tools/bench/run.sh [--smoke] [--seconds N] [--out FILE] [--build-dir DIR]
#                      [--log-scale] [--log-scale-dir DIR] [--audit-events N]
#
# Builds a Release tree in build-release/, starts everything it measures on
# 127.0.0.1 (iamd, an nginx baseline, a throwaway PostgreSQL cluster) in a
# scratch directory that is removed afterwards, and writes a Markdown report
# (default docs/benchmarks.md, with its plots beside it) from the JSON lines
# each program prints. --smoke runs every measurement for one second on tiny
# data: it checks the suite works, its numbers mean nothing. --build-dir
# measures an existing build instead (the report names its build type).
# --log-scale adds the measurements on long seeded logs (tools/bench/log_scale.py:
# a 1M-event log, a 10M-event log and 1M users; seeding them takes most of an
# hour, tiny ones with --smoke); --log-scale-dir keeps those logs there and
# reuses them on the next run; --audit-events sets the long log's length
# (default 10M events, about two hours of seeding on two cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

seconds=10
smoke=0
out=docs/benchmarks.md
build_dir=build-release
log_scale=0
log_scale_dir=""
audit_events=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; seconds=1; shift ;;
    --seconds) seconds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --log-scale) log_scale=1; shift ;;
    --log-scale-dir) log_scale=1; log_scale_dir="$2"; shift 2 ;;
    --audit-events) log_scale=1; audit_events="$2"; shift 2 ;;
    *) echo "usage: $0 [--smoke] [--seconds N] [--out FILE] [--build-dir DIR] [--log-scale] [--log-scale-dir DIR] [--audit-events N]" >&2
       exit 2 ;;
  esac
done

tools/setup.sh --bench
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target iamd iamctl iamload bench_appends bench_hashing \
  seed_log bench_replay bench_cluster_appends
bin=$(cd "$build_dir" && pwd)
tools/fetch_nats_server.sh "$build_dir" >/dev/null

scratch=$(mktemp -d -t iamd-bench.XXXXXX)
results=$scratch/results.ndjson
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -f "$scratch/pg/postmaster.pid" ]; then
    runuser -u postgres -- /usr/lib/postgresql/*/bin/pg_ctl -D "$scratch/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Tags every JSON line a program prints with the part of the report it belongs to.
record() {
  local group=$1; shift
  echo "+ $*" >>"$scratch/commands.txt"
  "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        item = json.loads(line); item["group"] = sys.argv[1]; print(json.dumps(item))
' "$group" | tee -a "$results"
}
wait_http() {  # URL: waits up to 60 s for any HTTP answer
  for _ in $(seq 1 600); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}

threads=2         # iamd's I/O threads, nginx's workers
connections=64
# A one-second smoke run cannot finish 64 argon2id-bound requests at once.
[ "$smoke" = 1 ] && connections=4
load=(--seconds "$seconds" --connections "$connections")
[ "$smoke" = 1 ] && load+=(--warmup-ms 200)

echo "== appends and hashing"
record appends "$bin/bench_appends" --seconds "$seconds" --work-dir "$scratch"
record hashing "$bin/bench_hashing" --seconds "$seconds"

echo "== cluster appends (three nats-server nodes on loopback)"
nats_urls=""
nats_routes=""
declare -a nats_ports nats_cluster_ports
mkdir -p "$scratch/nats"
for i in 1 2 3; do
  nats_ports[$i]=$(free_port)
  nats_cluster_ports[$i]=$(free_port)
  nats_routes+="${nats_routes:+,}nats://127.0.0.1:${nats_cluster_ports[$i]}"
  nats_urls+="${nats_urls:+,}nats://127.0.0.1:${nats_ports[$i]}"
done
for i in 1 2 3; do
  "$bin/nats-server/usr/sbin/nats-server" -a 127.0.0.1 -p "${nats_ports[$i]}" -n "n$i" -js -sd "$scratch/nats/n$i" \
    -l "$scratch/nats/n$i.log" --cluster_name bench --cluster "nats://127.0.0.1:${nats_cluster_ports[$i]}" \
    --routes "$nats_routes" &
  pids+=($!)
done
record cluster "$bin/bench_cluster_appends" --nats "$nats_urls" --seconds "$seconds" --work-dir "$scratch"
for pid in "${pids[@]: -3}"; do kill "$pid" 2>/dev/null || true; done

echo "== iamd over HTTP"
iamd_port=$(free_port)
"$bin/iamd" --data-dir "$scratch/iamd" --listen "127.0.0.1:$iamd_port" --threads "$threads" \
  --rate-limits off --log-level warn >"$scratch/iamd.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$iamd_port/readyz"
edgerc=$scratch/iamd/.edgerc
iamload=("$bin/iamload" --port "$iamd_port" --edgerc "$edgerc" "${load[@]}")
mkdir -p "$scratch/static"
for scenario in get-user group-tree audit-page jwt-account; do
  record reads "${iamload[@]}" --scenario "$scenario" --body-out "$scratch/static/$scenario.json"
done
for scenario in create-user lock-unlock grant-role set-password sign-in; do
  record writes "${iamload[@]}" --scenario "$scenario"
done

echo "== nginx baseline (same body sizes, $threads workers, same load settings)"
nginx_port=$(free_port)
mkdir -p "$scratch/nginx"
# nginx's workers drop root for an unprivileged user, which must reach the files.
chmod 755 "$scratch" "$scratch/static"
cat >"$scratch/nginx/nginx.conf" <<EOF
worker_processes $threads;
daemon off;
pid $scratch/nginx/nginx.pid;
error_log $scratch/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $scratch/static;
  }
}
EOF
nginx -c "$scratch/nginx/nginx.conf" -p "$scratch/nginx" &
pids+=($!)
wait_http "http://127.0.0.1:$nginx_port/"
for scenario in get-user group-tree audit-page jwt-account; do
  record nginx "$bin/iamload" --port "$nginx_port" "${load[@]}" --scenario get \
    --path "/$scenario.json" --label "nginx-$scenario"
done
# wrk on the same file and settings: how close the signing load generator
# comes to a well-known one on the same server.
wrk_out=$(wrk -t 1 -c "$connections" -d "${seconds}s" --latency "http://127.0.0.1:$nginx_port/get-user.json")
echo "+ wrk -t 1 -c $connections -d ${seconds}s --latency http://127.0.0.1:PORT/get-user.json" >>"$scratch/commands.txt"
python3 - "$wrk_out" <<'PY' | tee -a "$results"
import json, re, sys
text = sys.argv[1]
rate = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
def ms(label):
    m = re.search(label + r"\s+([\d.]+)(us|ms|s)", text)
    if not m: return 0.0
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
print(json.dumps({"group": "nginx", "label": "wrk-get-user", "requests_per_second": rate,
                  "p50_ms": ms("50%"), "p99_ms": ms("99%")}))
PY

echo "== PostgreSQL, events stored as ZITADEL stores them"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_port=$(free_port)
install -d -o postgres -g postgres "$scratch/pg" "$scratch/pgsock"
runuser -u postgres -- "$pg_bin/initdb" -D "$scratch/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$scratch/pg" -l "$scratch/pgsock/log" -w \
  -o "-p $pg_port -k $scratch/pgsock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
psql=(runuser -u postgres -- psql -q -h 127.0.0.1 -p "$pg_port" -U postgres)
"${psql[@]}" -f tools/bench/zitadel_events.sql >/dev/null
pg_clients=$connections
pg_out=$(runuser -u postgres -- pgbench -n -h 127.0.0.1 -p "$pg_port" -U postgres -c "$pg_clients" -j "$threads" \
  -T "$seconds" -f "$root/tools/bench/zitadel_push.pgbench" postgres 2>&1)
echo "+ pgbench -n -c $pg_clients -j $threads -T $seconds -f tools/bench/zitadel_push.pgbench" >>"$scratch/commands.txt"
python3 - "$pg_out" "$pg_clients" <<'PY' | tee -a "$results"
import json, re, sys
text = sys.argv[1]
m = re.search(r"tps = ([\d.]+)", text)
latency = re.search(r"latency average = ([\d.]+) ms", text)
print(json.dumps({"group": "postgres", "label": "postgres-event-per-transaction", "threads": int(sys.argv[2]),
                  "per_second": float(m.group(1)) if m else 0.0,
                  "mean_ms": float(latency.group(1)) if latency else 0.0}))
PY

if [ "$log_scale" = 1 ]; then
  echo "== log scale: replay, start-up, memory, audit and time travel on long seeded logs"
  log_scale_args=(--bin "$bin" --seconds "$seconds")
  [ "$smoke" = 1 ] && log_scale_args+=(--smoke)
  [ -n "$log_scale_dir" ] && log_scale_args+=(--work-dir "$log_scale_dir")
  [ -n "$audit_events" ] && log_scale_args+=(--audit-events "$audit_events")
  record log-scale python3 tools/bench/log_scale.py "${log_scale_args[@]}"
fi

echo "== report"
mkdir -p "$(dirname "$out")"
# The raw lines stay beside the report, so it can be rendered again or
# compared with a later run.
cp "$results" "${out%.md}.ndjson"
python3 tools/bench/report.py --results "$results" --commands "$scratch/commands.txt" --out "$out" \
  --build-dir "$build_dir" --seconds "$seconds" $([ "$smoke" = 1 ] && echo --smoke)
echo "report: $out"
