#!/usr/bin/env bash
# Puts nats-server 2.10 (Debian 13's package; Debian 12's 2.9 lets two
# writers pass the same expected subject sequence on a cluster) into
# BUILD_DIR/nats-server/usr/sbin/nats-server, for the cluster tests and
# tools/cluster.sh. The package depends only on libc6 and adduser: it is
# downloaded through a private apt configuration whose source is this
# machine's own Debian mirror with the suite changed to trixie, and unpacked
# with dpkg -x. The system's apt sources and packages are never changed.
#   tools/fetch_nats_server.sh [BUILD_DIR]    (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
target="$build_dir/nats-server"
binary="$target/usr/sbin/nats-server"
if [ -x "$binary" ] && "$binary" --version 2>/dev/null | grep -Eq 'v2\.(1[0-9]|[2-9][0-9])\.'; then
  exit 0
fi
# The machine's Debian mirror: deb822 sources first, then the one-line form.
mirror=""
for file in /etc/apt/sources.list.d/*.sources; do
  [ -f "$file" ] || continue
  mirror="$(awk '/^URIs:/ && $2 ~ /debian\/?$/ && $2 !~ /security/ {print $2; exit}' "$file")"
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
apt_dir="$(mktemp -d)"
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$apt_dir/sources.list"
apt_options=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-"
             -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root"
             -o "Debug::NoLocking=1")
apt-get "${apt_options[@]}" -qq update
(cd "$apt_dir" && apt-get "${apt_options[@]}" -qq download nats-server)
rm -rf "$target"
mkdir -p "$target"
dpkg -x "$apt_dir"/nats-server_*.deb "$target"
"$binary" --version
