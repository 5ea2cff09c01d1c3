#!/usr/bin/env python3
"""The log-scale measurements (issue 18 items 4-8) on long seeded logs.

    tools/bench/log_scale.py --bin BUILD_DIR [--work-dir DIR] [--smoke]
                             [--events N] [--audit-events N] [--users N] [--seconds S]
                             [--items 4,5,6,7,8 | seed:KIND]

Each log is a data directory that iamd bootstrapped (with a test clock set
before the log's span), then filled in process by seed_log, then started once
so every projection has caught up and written current checkpoints. With
--work-dir the directories stay there and a later run reuses each one whose
seed.json exists (seeding ten million events takes a while; a log is known by
its name, so change --work-dir along with the sizes); without it they
live in a temporary directory removed at the end.

Prints JSON lines (one per measurement) on stdout, progress on stderr:
  4. bench_replay on the 1M mixed log: raw RocksDB scan, EventStore::ReadAll,
     every projection rebuilt from position 1;
  5. start-up to /readyz with current checkpoints, on the 1M and the 10M log;
  6. VmRSS of iamd serving 1M users, against a freshly bootstrapped iamd;
  7. the audit page (one account, a one-hour window one day back, newest
     first, 50) on the 1M and the 10M log, both written alike;
  8. a user read with asOf one day back on the 1M log: the first (cold) and
     then steady requests.
Every wait is bounded; servers listen on 127.0.0.1 only and are stopped
whatever happens."""

import argparse
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SPAN_HOURS = 72
DAY = datetime.timedelta(days=1)


def progress(text):
    print(f"[log-scale {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def emit(item):
    print(json.dumps(item), flush=True)


def fail(text):
    print(f"log_scale: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rfc3339(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class Server:
    """One iamd process on a data directory; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, bin_dir, data_dir, log_path, extra=()):
        self.port = free_port()
        self.data_dir = data_dir
        self.started = time.monotonic()
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [os.path.join(bin_dir, "iamd"), "--data-dir", data_dir, "--listen", f"127.0.0.1:{self.port}",
             "--threads", "2", "--rate-limits", "off", "--log-level", "warn", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)

    def status(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path)
            return connection.getresponse().status
        except OSError:
            return 0
        finally:
            connection.close()

    def wait_ready(self, timeout_seconds):
        """Seconds from the launch to the first 200 of /readyz (polled every 5 ms)."""
        deadline = self.started + timeout_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"iamd on {self.data_dir} exited with {self.process.returncode} before it was ready")
            if self.status("/readyz") == 200 and os.path.exists(os.path.join(self.data_dir, ".edgerc")):
                return time.monotonic() - self.started
            time.sleep(0.005)
        self.stop()
        fail(f"iamd on {self.data_dir} was not ready within {timeout_seconds} s")

    def rss_bytes(self):
        with open(f"/proc/{self.process.pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        fail("no VmRSS for iamd")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=300)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *unused):
        self.stop()


def run_json(command, timeout_seconds):
    """Runs a program that prints JSON lines; its lines, or a failure naming it."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_seconds, check=False)
    except subprocess.TimeoutExpired:
        fail(f"{os.path.basename(command[0])} did not finish within {timeout_seconds} s")
    if done.returncode != 0:
        fail(f"{' '.join(command)} exited with {done.returncode}: {done.stderr.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


class Log:
    """A seeded data directory: bootstrapped, seeded, then caught up once."""

    def __init__(self, args, name, seed_args):
        self.args = args
        self.name = name
        self.dir = os.path.join(args.work_dir, name)
        self.seed_path = os.path.join(self.dir, "seed.json")
        self.edgerc = os.path.join(self.dir, ".edgerc")
        if not os.path.exists(self.seed_path):
            self.create(seed_args)
        with open(self.seed_path, encoding="utf-8") as f:
            self.seed = json.load(f)
        if "first_start_seconds" not in self.seed:
            # The projections beside the core catch up once, so every later start has current checkpoints.
            progress(f"first start of {self.name}")
            with self.server() as server:
                self.seed["first_start_seconds"] = server.wait_ready(4 * 3600)
            self.write_seed(self.seed)

    def create(self, seed_args):
        shutil.rmtree(self.dir, ignore_errors=True)
        # Bootstrapped before the span seed_log writes, so no date runs backwards.
        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=SPAN_HOURS + 1)
        with Server(self.args.bin, self.dir, self.dir + ".log", ["--test-clock", rfc3339(before)]) as server:
            server.wait_ready(120)
        progress(f"seeding {self.name} ({' '.join(seed_args)})")
        lines = run_json([os.path.join(self.args.bin, "seed_log"), "--data-dir", self.dir,
                          "--span-hours", str(SPAN_HOURS), *seed_args], 4 * 3600)
        self.write_seed(lines[0])

    def write_seed(self, seed):
        with open(self.seed_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(seed, f)
        os.rename(self.seed_path + ".tmp", self.seed_path)

    def server(self):
        return Server(self.args.bin, self.dir, self.dir + ".log")

    def audit_path(self):
        """One account's events in a one-hour window one day before the log's end, newest first."""
        end = parse_rfc3339(self.seed["last_date"]) - DAY
        return (f"/audit/v1/events?resourceOwner={self.seed['bootstrap_account']}"
                f"&changeDateFrom={rfc3339(end - datetime.timedelta(hours=1))}&changeDateTo={rfc3339(end)}"
                "&order=desc&limit=50")

    def as_of_path(self):
        moment = parse_rfc3339(self.seed["last_date"]) - DAY
        return (f"/identity-management/v3/user-admin/ui-identities/{self.seed['early_user']}"
                f"?asOf={rfc3339(moment)}")


def iamload(args, server, log, path, label, connections, seconds, max_requests=0, warmup_ms=200):
    command = [os.path.join(args.bin, "iamload"), "--port", str(server.port), "--edgerc", log.edgerc,
               "--scenario", "get", "--path", path, "--label", label, "--connections", str(connections),
               "--seconds", str(seconds), "--warmup-ms", str(warmup_ms)]
    if max_requests:
        command += ["--max-requests", str(max_requests)]
    item = run_json(command, seconds + 600)[0]
    if item.get("unexpected") or item.get("errors"):
        fail(f"{label}: {item.get('unexpected')} unexpected answers, {item.get('errors')} errors on {path}")
    return item


def tag(item, log):
    item["log"] = log.name
    item["log_events"] = log.seed["events"]
    return item


def measure_replay(args, log):  # item 4
    progress(f"replay on {log.name}")
    for item in run_json([os.path.join(args.bin, "bench_replay"), "--data-dir", log.dir, "--work-dir",
                          args.work_dir], 3600):
        emit(tag(item, log))


def measure_startup(args, log):  # item 5
    progress(f"start-up on {log.name}")
    seconds = []
    for _ in range(1 if args.smoke else 3):
        with log.server() as server:
            seconds.append(server.wait_ready(600))
    emit(tag({"label": "startup-to-readyz", "seconds": statistics.median(seconds), "runs": seconds}, log))


def measure_memory(args, log, empty):  # item 6
    progress(f"memory on {log.name}")
    with empty.server() as server:
        server.wait_ready(120)
        time.sleep(1)
        baseline = server.rss_bytes()
    with log.server() as server:
        server.wait_ready(600)
        time.sleep(1)
        rss = server.rss_bytes()
        # A server that has written holds more than one that has only started:
        # the read models' second version and the command processor's working
        # state exist from the first change on. Two seconds of locks and
        # unlocks (a few thousand events appended to the log) make them.
        writes = run_json([os.path.join(args.bin, "iamload"), "--port", str(server.port), "--edgerc", log.edgerc,
                           "--scenario", "lock-unlock", "--connections", "2", "--seconds", "2"], 600)[0]
        if writes.get("unexpected") or writes.get("errors"):
            fail(f"lock-unlock before the memory reading: {writes.get('unexpected')} unexpected, "
                 f"{writes.get('errors')} errors")
        time.sleep(1)
        rss_written = server.rss_bytes()
    users = log.seed["users"]
    emit(tag({"label": "rss-users", "users": users, "rss_bytes": rss, "baseline_rss_bytes": baseline,
              "bytes_per_user": (rss - baseline) / users}, log))
    emit(tag({"label": "rss-users-after-writes", "users": users, "rss_bytes": rss_written,
              "baseline_rss_bytes": baseline, "bytes_per_user": (rss_written - baseline) / users,
              "writes": writes["requests"]}, log))


def measure_audit(args, log):  # item 7
    progress(f"audit page on {log.name}")
    with log.server() as server:
        server.wait_ready(600)
        emit(tag(iamload(args, server, log, log.audit_path(), "audit-window-page", 1, args.seconds), log))


def measure_time_travel(args, log):  # item 8
    progress(f"time travel on {log.name}")
    with log.server() as server:
        server.wait_ready(600)
        path = log.as_of_path()
        # The first answer one day back may fold from the nearest snapshot; later ones reuse it.
        emit(tag(iamload(args, server, log, path, "as-of-day-back-first", 1, 600, max_requests=1, warmup_ms=0), log))
        emit(tag(iamload(args, server, log, path, "as-of-day-back", 1, args.seconds), log))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the build directory (iamd, iamload, seed_log, bench_replay)")
    parser.add_argument("--work-dir", help="keeps the seeded logs there, and reuses them")
    parser.add_argument("--events", type=int, default=1_000_000, help="events of the mixed log")
    parser.add_argument("--audit-events", type=int, default=10_000_000, help="events of the long mixed log")
    parser.add_argument("--users", type=int, default=1_000_000, help="users of the memory log")
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run")
    parser.add_argument("--smoke", action="store_true", help="thousands of events, one-second runs")
    parser.add_argument("--items", default="4,5,6,7,8", help="which of the issue's items to measure; seed:KIND (mixed, users, long, twin) only seeds that log")
    args = parser.parse_args()
    if args.smoke:
        args.events, args.audit_events, args.users, args.seconds = 2_000, 4_000, 500, 1
    args.bin = os.path.abspath(args.bin)
    temporary = None
    if not args.work_dir:
        temporary = tempfile.mkdtemp(prefix="iamd-log-scale.")
        args.work_dir = temporary
    os.makedirs(args.work_dir, exist_ok=True)
    try:
        size = lambda n: f"{n // 1_000_000}m" if n >= 1_000_000 else f"{n // 1000}k"
        fast = ["--personal-data", "clear", "--snapshots", "false", "--max-seconds", str(4 * 3600)]
        # Sealed, with time travel's snapshots, as a server writes it. The others keep personal data in
        # clear, since sealing costs one synced write per person, and have no snapshots, which only
        # time travel reads (item 7 compares the long log with its 1M twin, written alike).
        # Every account's bootstrap writes 7 events; the rest of the users log are users of 4 each.
        # The smoke run spares the fourth log: its audit page runs on the first.
        recipes = {
            "mixed": (f"mixed-{size(args.events)}", ["--events", str(args.events), "--seed", "1"]),
            "users": (f"users-{size(args.users)}",
                      ["--events", str(args.users * 4 + 700), "--mix", "users", "--seed", "2", *fast]),
            "long": (f"mixed-{size(args.audit_events)}-clear", ["--events", str(args.audit_events), "--seed", "3", *fast]),
            "twin": (f"mixed-{size(args.events)}-clear" if not args.smoke else f"mixed-{size(args.events)}",
                     ["--events", str(args.events), "--seed", "4", *fast]),
            "empty": ("empty", ["--events", "1", "--accounts", "1", "--seed", "5", *fast]),
        }
        logs = {}

        def log(kind):  # seeded (and reported) the first time a measurement needs it
            name, seed_args = recipes[kind]
            if name not in logs:
                logs[name] = Log(args, name, seed_args)
                if kind != "empty":
                    emit(tag(dict(logs[name].seed), logs[name]))
            return logs[name]

        items = set(args.items.split(","))
        for item in sorted(items):
            if item.startswith("seed:"):  # seeding only, e.g. ahead of a run
                if item[5:] not in recipes:
                    fail(f"--items {item}: the logs are {', '.join(recipes)}")
                log(item[5:])
        if "4" in items:
            measure_replay(args, log("mixed"))
        if "5" in items:
            measure_startup(args, log("mixed"))
            measure_startup(args, log("long"))
        if "6" in items:
            measure_memory(args, log("users"), log("empty"))
        if "7" in items:
            for kind in ("twin", "long", "mixed"):
                if kind != "twin" or recipes["twin"][0] != recipes["mixed"][0]:
                    measure_audit(args, log(kind))
        if "8" in items:
            measure_time_travel(args, log("mixed"))
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
