#!/usr/bin/env python3
"""Three Meent nodes on PostgreSQL and object storage behind nginx, measured (BENCHMARKS.md).

Starts the reference set-up of docs/deploy.md from its very files (docs/deploy/meent-node.env
and docs/deploy/nginx.conf), on a fresh database and a fresh bucket prefix, and measures:

1. writers: editors on different sites saving pages through nginx at once (saves per second,
   p50, p99), then the same while the whole country is imported (`meent import`), with the
   longest wait of any save;
2. propagation: an edit through one node until every node serves it and finds it in search
   (p50, p99 over many edits);
3. cached pages: one product page from the page cache, through nginx to three nodes and
   directly from one node (wrk, same run).

Needs: a release build, PostgreSQL, an S3-compatible server (the AWS_* variables), nginx and
wrk (Debian), and two synthetic countries from `meent bench-data` (see BENCHMARKS.md). Only the
Python standard library.
"""
import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def filled(name, values):
    text = (REPO / "docs/deploy" / name).read_text()
    for k, v in values.items():
        text = text.replace("${" + k + "}", v)
    left = re.findall(r"\$\{[A-Z_]+\}", text)
    if left:
        sys.exit(f"{name}: unfilled {left}")
    return text


def environment(text):
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            env[k] = v
    return env


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Client:
    def __init__(self, port, host):
        self.port, self.host = port, host
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                h = {"Host": self.host, **(headers or {})}
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    h["Content-Type"] = "application/json"
                self.conn.request(method, path, body=data, headers=h)
                res = self.conn.getresponse()
                return res.status, res.read()
            except (http.client.HTTPException, OSError):
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def site_hosts(country):
    out = {}
    for site in sorted(Path(country, "sites").iterdir()):
        m = re.search(r'^hosts = \["([^"]+)"', (site / "site.toml").read_text(), re.M)
        if m:
            out[site.name] = m.group(1)
    return out


class Cluster:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.nodes = []
        self.procs = []

    def start(self):
        a = self.args
        for i in range(1, 4):
            port = free_port()
            values = {
                "DATABASE_URL": a.database_url, "MEDIA_URL": a.media_url, "NODE_PORT": str(port),
                "DATA_DIR": str(self.work / f"node{i}"), "CONTENT_DIR": a.start_content,
                **{k: os.environ.get(k, "") for k in ["AWS_ENDPOINT", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ALLOW_HTTP"]},
            }
            env = environment(filled("meent-node.env", values))
            env.update({"PATH": os.environ["PATH"], "MEENT_RATE_LIMITS": "off"})
            self.nodes.append((port, env))
        for port, env in self.nodes:
            self.procs.append(subprocess.Popen([a.bin, "serve"], env=env, stdout=subprocess.DEVNULL))
        for port, _ in self.nodes:
            wait_ready(port, 600)
        self.listen = free_port()
        run = self.work / "nginx"
        run.mkdir()
        conf = run / "nginx.conf"
        conf.write_text(filled("nginx.conf", {
            "RUN_DIR": str(run), "LISTEN_PORT": str(self.listen),
            **{f"NODE{i + 1}_PORT": str(p) for i, (p, _) in enumerate(self.nodes)},
        }))
        self.nginx = subprocess.Popen(["/usr/sbin/nginx", "-c", str(conf), "-p", str(run), "-g", "daemon off;"])
        wait_ready(self.listen, 30)

    def cli(self, *args, stdin=None):
        env = dict(self.nodes[0][1])
        env["MEENT_DATA_DIR"] = str(self.work / "cli")
        out = subprocess.run([self.args.bin, *args], env=env, input=stdin, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"meent {' '.join(args)}: {out.stderr}")
        return out.stdout.strip()

    def stop(self):
        # SIGTERM: nginx's master takes its workers down with it (SIGKILL would orphan them).
        for p in self.procs + [getattr(self, "nginx", None)]:
            if p:
                p.terminate()
                p.wait()


def wait_ready(port, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if Client(port, "localhost").request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"port {port} did not become ready")


def writers(cluster, token, hosts, seconds, phase, importing=None):
    """Editors on different sites saving one page each, over and over, through nginx."""
    auth = {"Authorization": f"Bearer {token}"}
    results = []  # (started, took)
    lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def editor(slug, host):
        c = Client(cluster.listen, host)
        path = f"/api/v1/admin/sites/{slug}/pages"
        status, body = c.request("POST", path, {"path": f"bench-{phase}", "title": "Werkbank", "body": "Eerste versie."}, auth)
        if status != 201:
            errors.append(f"{slug}: create {status} {body[:200]!r}")
            return
        page = json.loads(body)
        n = 0
        while not stop.is_set():
            n += 1
            page["body"] = f"Versie {n} van de werkbank."
            started = time.perf_counter()
            try:
                status, body = c.request("PUT", f"{path}/{page['id']}", page, {**auth, "If-Match": f'"{page["revision"]}"'})
            except OSError:
                status, body = 0, b""
            took = time.perf_counter() - started
            with lock:
                results.append((started, took, status))
            if status == 200:
                page = json.loads(body)
                continue
            # A failed save counts as one; the editor reloads the page and goes on.
            while not stop.is_set():
                try:
                    status, body = c.request("GET", f"{path}/{page['id']}", None, auth)
                except OSError:
                    status = 0
                if status == 200:
                    page = json.loads(body)
                    break
                time.sleep(0.5)

    threads = [threading.Thread(target=editor, args=(slug, host)) for slug, host in hosts]
    for t in threads:
        t.start()
    time.sleep(2)  # every editor has made its page
    with lock:
        results.clear()
    began = time.perf_counter()
    if importing:
        proc = importing()
        proc.wait()
        import_took = time.perf_counter() - began
    else:
        time.sleep(seconds)
        import_took = None
    ended = time.perf_counter()
    stop.set()
    for t in threads:
        t.join()
    if errors:
        sys.exit("\n".join(errors[:5]))
    window = [took for started, took, status in results if started < ended and status == 200]
    failed = [status for started, took, status in results if started < ended and status != 200]
    return {
        "failed": len(failed), "failed_statuses": sorted(set(failed)),
        "saves": len(window), "seconds": ended - began, "per_second": len(window) / (ended - began),
        "p50_ms": percentile(window, 50) * 1000, "p99_ms": percentile(window, 99) * 1000,
        "max_ms": max(window) * 1000 if window else float("nan"), "import_s": import_took,
    }


def propagation(cluster, token, slug, host, edits):
    """An edit through node 1 until every node serves it and finds it (page and search)."""
    auth = {"Authorization": f"Bearer {token}"}
    editor = Client(cluster.nodes[0][0], host)
    status, body = editor.request("POST", f"/api/v1/admin/sites/{slug}/pages", {"path": "verspreiding", "title": "Verspreiding", "body": "Nog niets."}, auth)
    if status != 201:
        sys.exit(f"create: {status} {body[:300]!r}")
    page = json.loads(body)
    times = []
    for _ in range(edits):
        word = "proef" + "".join(random.choice(string.ascii_lowercase) for _ in range(10))
        page["body"] = f"Een nieuw woord: {word}."
        done = {}
        checks = []
        for port, _ in cluster.nodes:
            checks.append((port, "/verspreiding", lambda b, w=word: w.encode() in b))
            checks.append((port, f"/api/v1/search?q={word}", lambda b: b"verspreiding" in b))

        def poll(i, port, path, ok, t0):
            c = Client(port, host)
            while True:
                status, b = c.request("GET", path)
                if status == 200 and ok(b):
                    done[i] = time.perf_counter() - t0
                    return
                time.sleep(0.002)

        t0 = time.perf_counter()
        status, body = editor.request("PUT", f"/api/v1/admin/sites/{slug}/pages/{page['id']}", page, {**auth, "If-Match": f'"{page["revision"]}"'})
        if status != 200:
            sys.exit(f"save: {status} {body[:300]!r}")
        page = json.loads(body)
        threads = [threading.Thread(target=poll, args=(i, p, path, ok, t0)) for i, (p, path, ok) in enumerate(checks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        times.append(max(done.values()))
    return {"edits": edits, "p50_ms": percentile(times, 50) * 1000, "p99_ms": percentile(times, 99) * 1000, "max_ms": max(times) * 1000}


def lock_waits(cluster):
    """Over all nodes: waits for the change log's lock, and those within 0.381 s and 0.954 s."""
    total = within_381 = within_954 = 0.0
    for port, _ in cluster.nodes:
        text = Client(port, "localhost").request("GET", "/metrics")[1].decode()
        for line in text.splitlines():
            if line.startswith("meent_db_change_lock_wait_seconds_count"):
                total += float(line.split()[-1])
            elif line.startswith('meent_db_change_lock_wait_seconds_bucket{le="0.3814697265625"}'):
                within_381 += float(line.split()[-1])
            elif line.startswith('meent_db_change_lock_wait_seconds_bucket{le="0.95367431640625"}'):
                within_954 += float(line.split()[-1])
    return total, within_381, within_954


def settle(port):
    """Waits until a node's followers have applied everything the change log holds."""
    c = Client(port, "localhost")
    while True:
        status, body = c.request("GET", "/healthz")
        health = json.loads(body)
        if status == 200 and health.get("search") == "ready" and all(f["behind"] == 0 for f in health["followers"]):
            return
        time.sleep(0.5)


def wrk(port, host, path, seconds):
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"Host: {host}", "-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    return rate, p99


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.expanduser("~/.cache/meent/target/release/meent"))
    p.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    p.add_argument("--media-url", required=True, help="s3://BUCKET/PREFIX, empty")
    p.add_argument("--start-content", required=True, help="imported at first start; its sites are the editors'")
    p.add_argument("--country", required=True, help="the whole country, imported while the editors save")
    p.add_argument("--editors", type=int, default=50)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--edits", type=int, default=100)
    a = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="meent-cluster-"))
    cluster = Cluster(a, work)
    try:
        t0 = time.time()
        cluster.start()
        print(f"three nodes and nginx ready in {time.time() - t0:.1f} s", flush=True)
        token = cluster.cli("user", "create", "--email", "bench@example.org", "--role", "admin", "--scope", "national")
        hosts = list(site_hosts(a.start_content).items())[: a.editors]
        if len(hosts) < a.editors:
            sys.exit(f"--start-content has {len(hosts)} sites, fewer than --editors")

        r = writers(cluster, token, hosts, a.seconds, "alone")
        print(f"writers: {a.editors} editors, {r['saves']} saves in {r['seconds']:.1f} s = {r['per_second']:.0f}/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms, failed {r['failed']} {r['failed_statuses']}", flush=True)

        def importing():
            env = dict(cluster.nodes[0][1])
            env["MEENT_DATA_DIR"] = str(work / "importer")
            return subprocess.Popen([a.bin, "import", a.country], env=env, stdout=subprocess.DEVNULL)

        waits_before = lock_waits(cluster)
        r = writers(cluster, token, hosts, a.seconds, "import", importing)
        waits = [after - before for after, before in zip(lock_waits(cluster), waits_before)]
        print(f"writers during the country import ({r['import_s']:.1f} s): {r['saves']} saves = {r['per_second']:.0f}/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, longest wait {r['max_ms']:.0f} ms, failed {r['failed']} {r['failed_statuses']}", flush=True)
        print(f"  waits for another writer (the change log's lock) in the nodes meanwhile: {waits[0]:.0f}, of which over 0.38 s: {waits[0] - waits[1]:.0f}, over 0.95 s: {waits[0] - waits[2]:.0f}", flush=True)

        # The nodes re-index the imported country first; propagation is measured after that.
        t0 = time.time()
        for port, _ in cluster.nodes:
            settle(port)
        print(f"every node applied the import {time.time() - t0:.1f} s after it committed", flush=True)
        slug, host = hosts[0]
        r = propagation(cluster, token, slug, host, a.edits)
        print(f"propagation to 3 nodes (page and search): {r['edits']} edits, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms", flush=True)

        path = "/"
        for port, _ in cluster.nodes:
            Client(port, host).request("GET", path)
        Client(cluster.listen, host).request("GET", path)
        through, through_p99 = wrk(cluster.listen, host, path, 10)
        direct, direct_p99 = wrk(cluster.nodes[0][0], host, path, 10)
        print(f"cached home page: through nginx to 3 nodes {through:.0f} req/s (p99 {through_p99}), one node directly {direct:.0f} req/s (p99 {direct_p99}), ratio {through / direct:.2f}", flush=True)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
