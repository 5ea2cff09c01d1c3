#!/usr/bin/env bash
# Runs a whole cluster on this machine, on loopback: three nats-server nodes
# (JetStream, one stream replicated three times) and two iamd nodes on them.
#
#   tools/cluster.sh [DIR]     (default DIR: ./cluster)
#
# DIR/nats/n1..n3   the NATS nodes' storage and logs (client ports 4222-4224)
# DIR/iamd-a, -b    the iamd nodes' data directories (127.0.0.1:8080 and :8081)
# DIR/master.key    the key every iamd node is given (made on first run)
#
# The first iamd node to win the writer's lease bootstraps the installation
# and writes its administrator's credential to its data directory's .edgerc;
# the credential works against either node. Stop everything with Ctrl-C.
# Builds first (tools/build.sh); nats-server 2.10 comes from
# tools/fetch_nats_server.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(realpath -m "${1:-cluster}")"
tools/build.sh >/dev/null
tools/fetch_nats_server.sh build >/dev/null
nats_server=build/nats-server/usr/sbin/nats-server
[ -x "$nats_server" ] || { echo "nats-server is missing: run tools/fetch_nats_server.sh" >&2; exit 1; }

mkdir -p "$dir/nats" "$dir/iamd-a" "$dir/iamd-b"
if [ ! -f "$dir/master.key" ]; then
  (umask 077; openssl rand -base64 32 >"$dir/master.key")
fi

children=()
cleanup() {
  trap - INT TERM EXIT
  # iamd first, so that the writer hands its lease over cleanly.
  for pid in "${children[@]:3}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]:3}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${children[@]:0:3}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

routes="nats://127.0.0.1:6222,nats://127.0.0.1:6223,nats://127.0.0.1:6224"
for i in 1 2 3; do
  "$nats_server" -a 127.0.0.1 -p $((4221 + i)) -n "n$i" -js -sd "$dir/nats/n$i" -l "$dir/nats/n$i.log" \
    --cluster_name iamd --cluster "nats://127.0.0.1:$((6221 + i))" --routes "$routes" &
  children+=($!)
done

store="nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224"
port=8080
for node in a b; do
  build/iamd --data-dir "$dir/iamd-$node" --listen "127.0.0.1:$port" --store "$store" --stream IAM \
    --master-key-file "$dir/master.key" --trusted-proxies 127.0.0.1/32 &
  children+=($!)
  port=$((port + 1))
done

echo "cluster: NATS on 127.0.0.1:4222-4224, iamd on 127.0.0.1:8080 and :8081; data in $dir"
echo "the administrator's credential appears in $dir/iamd-a/.edgerc or $dir/iamd-b/.edgerc (the first writer's)"
wait -n "${children[@]}" || true
echo "a process of the cluster ended; stopping the others" >&2
