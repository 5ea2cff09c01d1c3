#!/usr/bin/env python3
"""Turns the JSON lines of one benchmark run (tools/bench/run.sh) into the
Markdown report: machine, build, commit and commands; every measurement with
its baseline measured in the same run; each target as a ratio, met or missed;
and two plots (gnuplot) beside the report."""

import argparse
import json
import os
import platform
import subprocess
import sys


def sh(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine():
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kib = int(f.readline().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "os": sh("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
        "compiler": sh("c++", "--version").splitlines()[0] if sh("c++", "--version") else "",
        "filesystem": sh("df", "--output=fstype", ".").splitlines()[-1].strip(),
    }


class Results:
    def __init__(self, path):
        self.items = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    self.items.append(json.loads(line))

    def find(self, label, threads=None, key="label"):
        for item in self.items:
            if item.get(key) == label and (threads is None or item.get("threads", item.get("connections")) == threads):
                return item
        return None

    def rate(self, label, threads=None):
        item = self.find(label, threads)
        if not item:
            return None
        return item.get("per_second", item.get("requests_per_second"))


def fmt(value, digits=0):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


class Targets:
    """Collects target rows: what, measured, baseline, ratio, target, verdict."""

    def __init__(self):
        self.rows = []

    def ratio(self, what, measured, baseline, minimum, baseline_name):
        if measured is None or baseline in (None, 0):
            self.rows.append((what, fmt(measured), f"{baseline_name}: {fmt(baseline)}", "—", f"≥ {minimum:g}×",
                              "not measured"))
            return
        r = measured / baseline
        if minimum == 0:  # no target: the ratio is reported
            self.rows.append((what, fmt(measured), f"{baseline_name}: {fmt(baseline)}", f"{r:.2f}×", "—", "reported"))
            return
        self.rows.append((what, fmt(measured), f"{baseline_name}: {fmt(baseline)}", f"{r:.2f}×", f"≥ {minimum:g}×",
                          "met" if r >= minimum else "**missed**"))

    def bound(self, what, measured, maximum, unit):
        if measured is None:
            self.rows.append((what, "—", "", "", f"< {maximum:g} {unit}", "not measured"))
            return
        self.rows.append((what, f"{measured:.2f} {unit}", "", "", f"< {maximum:g} {unit}",
                          "met" if measured < maximum else "**missed**"))

    def bound_below(self, what, measured, minimum, unit):
        if measured is None:
            self.rows.append((what, "—", "", "", f"≥ {minimum:,} {unit}", "not measured"))
            return
        self.rows.append((what, f"{measured:,.0f} {unit}", "", "", f"≥ {minimum:,} {unit}",
                          "met" if measured >= minimum else "**missed**"))

    def at_most(self, what, measured, baseline, maximum, baseline_name):
        """A ratio that must stay low: measured / baseline ≤ maximum."""
        if measured is None or baseline in (None, 0):
            self.rows.append((what, fmt(measured, 2), f"{baseline_name}: {fmt(baseline, 2)}", "—", f"≤ {maximum:g}×",
                              "not measured"))
            return
        r = measured / baseline
        self.rows.append((what, fmt(measured, 2), f"{baseline_name}: {fmt(baseline, 2)}", f"{r:.2f}×",
                          f"≤ {maximum:g}×", "met" if r <= maximum else "**missed**"))

    def markdown(self):
        lines = ["| target | measured | baseline (same run) | ratio | target | verdict |", "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def log_scale_items(results, label, log_contains=""):
    """The log-scale measurements named `label`, shortest log first."""
    items = [item for item in results.items
             if item.get("group") == "log-scale" and item.get("label") == label and log_contains in item.get("log", "")]
    return sorted(items, key=lambda item: item.get("log_events", 0))


def millions(events):
    return f"{events / 1e6:.3g}M" if events >= 1_000_000 else f"{events:,}"


def log_scale_targets(t, results):
    """Items 4-8: replay, start-up, memory, audit page and time travel on long logs."""
    if not any(item.get("group") == "log-scale" for item in results.items):
        return
    scan = log_scale_items(results, "rocksdb-scan-events")
    replay = log_scale_items(results, "replay-all-projections")
    size = millions(replay[-1]["events"]) if replay else "?"
    t.ratio(f"4. rebuild of every projection vs raw RocksDB scan of the log ({size} events)",
            replay[-1]["per_second"] if replay else None, scan[-1]["per_second"] if scan else None, 0.25, "raw scan")
    t.bound(f"4. rebuild of every projection ({size} events)", replay[-1]["seconds"] if replay else None, 10, "s")
    for item in log_scale_items(results, "startup-to-readyz"):
        t.bound(f"5. start-up to /readyz, current checkpoints ({millions(item['log_events'])} events, {item['log']})",
                item["seconds"], 1, "s")
    # Flat in the log's length: between logs of one mix (a users-only log holds far more state per event).
    starts = log_scale_items(results, "startup-to-readyz", "mixed")
    if len(starts) >= 2:
        t.at_most(f"5. start-up at {millions(starts[-1]['log_events'])} vs at {millions(starts[0]['log_events'])} "
                  "events (flat)", starts[-1]["seconds"], starts[0]["seconds"], 1.5, "shorter log, s")
    memory = False
    for label, when in (("rss-users", "just started"), ("rss-users-after-writes", "after its first writes")):
        items = log_scale_items(results, label)
        if items:
            memory = True
            item = items[-1]
            t.bound(f"6. RSS of iamd with {item['users']:,} users, {when} ({item['bytes_per_user']:,.0f} B per user "
                    f"above a fresh server's {item['baseline_rss_bytes'] / 2**20:,.0f} MiB)", item["rss_bytes"] / 2**20,
                    1024, "MiB")
    if not memory:
        t.bound("6. RSS of iamd with 1M users", None, 1024, "MiB")
    # Compared between logs written alike (personal data in clear) when there are two, so only the
    # length differs; else between whatever logs were measured, named in the row.
    audit = log_scale_items(results, "audit-window-page", "clear")
    if len(audit) < 2:
        audit = log_scale_items(results, "audit-window-page")
    if audit:
        t.bound(f"7. audit page p99, one account, one hour a day back ({millions(audit[-1]['log_events'])} events, "
                f"{audit[-1]['log']})", audit[-1]["p99_ms"], 5, "ms")
    if len(audit) >= 2:
        t.at_most(f"7. audit page p50 at {millions(audit[-1]['log_events'])} ({audit[-1]['log']}) vs at "
                  f"{millions(audit[0]['log_events'])} events ({audit[0]['log']})", audit[-1]["p50_ms"],
                  audit[0]["p50_ms"], 1.5, "shorter log, ms")
    for label, what in (("as-of-day-back", "p99"), ("as-of-day-back-first", "first request")):
        items = log_scale_items(results, label)
        t.bound(f"8. GET a user asOf one day back, {what} ({millions(items[-1]['log_events']) if items else '?'} events)",
                items[-1]["p99_ms"] if items else None, 50, "ms")


def http_table(results, group):
    lines = ["| run | connections | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | body B | unexpected | errors |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for item in results.items:
        if item.get("group") != group:
            continue
        lines.append("| {} | {} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {} | {} | {} |".format(
            item["label"], item.get("connections", ""), fmt(item.get("requests")),
            fmt(item.get("requests_per_second"), 0), item.get("p50_ms", 0), item.get("p90_ms", 0),
            item.get("p99_ms", 0), item.get("max_ms", 0), fmt(item.get("body_bytes")),
            fmt(item.get("unexpected")), fmt(item.get("errors"))))
    return "\n".join(lines)


def sample_table(results, groups):
    lines = ["| measurement | threads | rate | unit | p50 ms | p99 ms | failures | appends per commit | commit ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    for item in results.items:
        if item.get("group") not in groups:
            continue
        lines.append("| {} | {} | {} | {}/s | {} | {} | {} | {} | {} |".format(
            item["label"], item.get("threads", ""), fmt(item.get("per_second"), 0), item.get("unit", "events"),
            f"{item['p50_ms']:.3f}" if "p50_ms" in item else "—", f"{item['p99_ms']:.3f}" if "p99_ms" in item else "—",
            fmt(item.get("failures", 0)),
            f"{item['appends_per_commit']:.1f}" if "appends_per_commit" in item else "—",
            f"{item['commit_mean_ms']:.3f}" if "commit_mean_ms" in item else "—"))
    return "\n".join(lines)


def other_table(results, group):
    """Measurements of other programs, printed as they came (label, then members)."""
    lines = []
    for item in results.items:
        if item.get("group") != group:
            continue
        members = ", ".join(f"{k}={v}" for k, v in item.items() if k not in ("group", "label"))
        lines.append(f"- **{item['label']}**: {members}")
    return "\n".join(lines)


def plots(results, out_dir, stem):
    """Append throughput against concurrency, and HTTP latency percentiles."""
    appends = os.path.join(out_dir, f"{stem}-appends.png")
    latency = os.path.join(out_dir, f"{stem}-latency.png")
    data_dir = os.path.join(out_dir, ".plotdata")
    os.makedirs(data_dir, exist_ok=True)
    with open(os.path.join(data_dir, "appends.dat"), "w", encoding="utf-8") as f:
        for label in ("eventstore-append", "rocksdb-put-sync", "eventstore-append-in-flight"):
            f.write(f"# {label}\n")
            for item in results.items:
                if item.get("label") == label:
                    f.write(f"{item['threads']} {item['per_second']:.0f}\n")
            f.write("\n\n")
    with open(os.path.join(data_dir, "latency.dat"), "w", encoding="utf-8") as f:
        for item in results.items:
            if item.get("group") in ("reads", "writes", "nginx") and "p50_ms" in item and "p90_ms" in item:
                f.write(f"\"{item['label']}\" {item['p50_ms']:.3f} {item['p90_ms']:.3f} {item['p99_ms']:.3f}\n")
    script = f"""
set terminal pngcairo size 900,500 noenhanced
set output '{appends}'
set title 'Durable appends against concurrency'
set xlabel 'appending threads'
set ylabel 'events (puts) per second'
set logscale x 2
set key top left
set grid
plot '{data_dir}/appends.dat' index 0 with linespoints lw 2 title 'EventStore::Append (group commit)', \\
     '{data_dir}/appends.dat' index 1 with linespoints lw 2 title 'RocksDB Put(sync)', \\
     '{data_dir}/appends.dat' index 2 with linespoints lw 2 title 'EventStore::AppendAsync, N in flight'
set output '{latency}'
unset logscale x
set title 'HTTP latency at 64 connections'
set ylabel 'milliseconds'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30
set key top right
set logscale y
plot '{data_dir}/latency.dat' using 2:xtic(1) title 'p50', '' using 3 title 'p90', '' using 4 title 'p99'
"""
    ok = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True).returncode == 0
    for name in ("appends.dat", "latency.dat"):
        os.remove(os.path.join(data_dir, name))
    os.rmdir(data_dir)
    return (os.path.basename(appends), os.path.basename(latency)) if ok else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--commands", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--seconds", required=True)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    results = Results(args.results)
    m = machine()
    commit = sh("git", "rev-parse", "--short", "HEAD")
    # The report's own files (this report, its raw lines and plots) are
    # rewritten by the run itself, so they do not count as changes.
    own = os.path.join(os.path.relpath(os.path.dirname(os.path.abspath(args.out))),
                       os.path.splitext(os.path.basename(args.out))[0])
    dirty = " (with uncommitted changes)" if sh("git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                               f":(exclude,glob){own}*") else ""
    build_type = ""
    cache = os.path.join(args.build_dir, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache, encoding="utf-8") as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    build_type = line.split("=", 1)[1].strip()

    t = Targets()
    one = results.rate("rocksdb-put-sync", 1)
    many = results.rate("rocksdb-put-sync", 64)
    batch = results.rate("rocksdb-batch-64-sync", 1)
    appends64 = results.rate("eventstore-append", 64)
    postgres = results.rate("postgres-event-per-transaction")
    t.ratio("1. appends at 64 vs one-thread Put(sync)", appends64, one, 20, "Put(sync) ×1")
    t.ratio("1. appends at 64 vs RocksDB's 64-thread write groups", appends64, many, 2, "Put(sync) ×64")
    t.ratio("1. appends at 64 vs 64-put batches", appends64, batch, 0.5, "batch of 64")
    t.ratio("1. appends at 64 vs PostgreSQL (ZITADEL's table, 64 clients)", appends64, postgres, 10, "PostgreSQL")
    # Reported beside the judged rows, not instead of them: 64 appends kept in
    # flight by callbacks, as the server's connections append, without 64
    # threads waking one by one.
    in_flight64 = results.rate("eventstore-append-in-flight", 64)
    t.ratio("1. appends, 64 in flight without a thread each, vs one-thread Put(sync)", in_flight64, one, 0,
            "Put(sync) ×1")
    t.ratio("1. appends, 64 in flight without a thread each, vs 64-put batches", in_flight64, batch, 0, "batch of 64")
    for scenario in ("create-user", "lock-unlock", "grant-role"):
        item = results.find(scenario)
        t.ratio(f"2. HTTP {scenario} at 64 vs one fsync per request", item and item["requests_per_second"], one, 10,
                "Put(sync) ×1")
        t.bound(f"2. HTTP {scenario} p99", item and item["p99_ms"], 10, "ms")
    hashes = results.rate("argon2id-hash", 2)
    for scenario in ("set-password", "sign-in"):
        item = results.find(scenario)
        t.ratio(f"2. {scenario} per second vs raw argon2id hashes (2 threads)", item and item["requests_per_second"],
                hashes, 0, "argon2id")
    for scenario, minimum in (("get-user", 0.7), ("group-tree", 0), ("audit-page", 0), ("jwt-account", 0.5)):
        item = results.find(scenario)
        t.ratio(f"3. GET {scenario} vs nginx, same size",
                item and item["requests_per_second"], results.rate(f"nginx-{scenario}"), minimum, "nginx")
    get_user = results.find("get-user")
    t.bound("3. GET get-user p99", get_user and get_user["p99_ms"], 5, "ms")
    t.ratio("3. iamload vs wrk on nginx (unsigned)", results.rate("nginx-get-user"), results.rate("wrk-get-user"), 0.9,
            "wrk")
    log_scale_targets(t, results)
    cluster64 = results.rate("cluster-append", 64)
    t.ratio("cluster: appends at 64 vs 64 synchronous JetStream publishers", cluster64,
            results.rate("jetstream-publish-sync", 64), 0, "publish ×64 sync")
    t.ratio("cluster: appends at 64 vs 64 async publishes in flight", cluster64,
            results.rate("jetstream-publish-async", 64), 0, "publish, 64 async")
    t.bound_below("cluster: appends at 64 (events/s)", cluster64, 25_000, "events/s")
    # Reported beside the judged row, as for item 1: 64 appends kept in
    # flight by callbacks, as a node's connections append.
    cluster_in_flight64 = results.rate("cluster-append-in-flight", 64)
    t.ratio("cluster: appends, 64 in flight without a thread each, vs 64 async publishes in flight",
            cluster_in_flight64, results.rate("jetstream-publish-async", 64), 0, "publish, 64 async")

    out_dir = os.path.dirname(os.path.abspath(args.out))
    stem = os.path.splitext(os.path.basename(args.out))[0]
    images = plots(results, out_dir, stem)
    with open(args.commands, encoding="utf-8") as f:
        commands = [line.rstrip() for line in f if line.strip()]
    # Scratch paths differ per run and name nothing the reader needs.
    commands = [" ".join(os.path.basename(w) if w.startswith("/") else w for w in c.split()) for c in commands]

    doc = []
    doc.append("# Benchmarks")
    doc.append("")
    if args.smoke:
        doc.append("**Smoke run: one second per measurement on tiny data; the numbers mean nothing.**\n")
    doc.append(f"Produced by `tools/bench/run.sh` ({args.seconds} s per measurement). Every target is a ratio against a "
               "baseline measured in the same run on the same machine; both sides are printed. The load generator "
               "and the servers share the machine's cores.")
    doc.append("")
    doc.append("## Machine and build")
    doc.append("")
    doc.append(f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}; {m['os']}, kernel {m['kernel']}; "
               f"file system {m['filesystem']}")
    doc.append(f"- Build: {build_type or 'unknown'} ({m['compiler']}); commit `{commit}`{dirty}")
    doc.append("")
    doc.append("## Targets")
    doc.append("")
    doc.append(t.markdown())
    doc.append("")
    if images:
        doc.append(f"![Durable appends against concurrency]({images[0]})")
        doc.append("")
        doc.append(f"![HTTP latency percentiles]({images[1]})")
        doc.append("")
    doc.append("## Durable appends and hashing (in process)")
    doc.append("")
    doc.append(sample_table(results, ("appends", "hashing", "postgres")))
    doc.append("")
    doc.append("## Cluster appends (three nats-server 2.10 nodes on this machine, stream R3)")
    doc.append("")
    doc.append("EventStore::Append on the node holding the writer's lease: each group commit is one message, "
               "acknowledged by a quorum of the stream's replicas, then synced in the node's RocksDB "
               "(docs/cluster.md). Baselines: raw ~300 B publishes to a stream of their own on the same cluster.")
    doc.append("")
    doc.append(sample_table(results, ("cluster",)))
    doc.append("")
    doc.append("## HTTP reads (iamd signed; nginx serving a file of the same size)")
    doc.append("")
    doc.append(http_table(results, "reads"))
    doc.append("")
    doc.append(http_table(results, "nginx"))
    doc.append("")
    doc.append("## HTTP writes (signed, durable: request → command → event → read model → response)")
    doc.append("")
    doc.append(http_table(results, "writes"))
    doc.append("")
    log_scale = other_table(results, "log-scale")
    if log_scale:
        doc.append("## Log scale: replay, start-up, memory, audit, time travel")
        doc.append("")
        doc.append("Logs seeded in process by `seed_log` (the server's commands over the data directory's store, "
                   "dates spread over three days ending a minute ago; `tools/bench/log_scale.py`). `mixed` logs: "
                   "100 accounts, users created, grants replaced, users locked and unlocked, API credentials "
                   "rotated; `users`: users only. `clear` logs keep personal data in clear instead of sealing "
                   "it under a key per person (one synced write each), so that they can be long; the audit "
                   "page is compared between two such logs.")
        doc.append("")
        doc.append(log_scale)
        doc.append("")
    doc.append("## Commands")
    doc.append("")
    doc.append("```")
    doc.extend(commands)
    doc.append("```")
    doc.append("")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
