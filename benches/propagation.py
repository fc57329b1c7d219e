#!/usr/bin/env python3
"""A central edit until every site serves it and finds it in search (benches/http.sh).

Adds a section with a new, unique word to one catalogue product through the admin API, then
polls every site that offers the product (its page and /api/v1/search for the word) until each
one shows it. Prints when the last site did, counted from just before the PUT was sent.
Only the Python standard library; one keep-alive connection per polling thread.
"""
import argparse
import http.client
import json
import queue
import random
import re
import string
import threading
import time
import urllib.parse
from pathlib import Path


def hosts(country):
    out = []
    for site in sorted(Path(country, "sites").iterdir()):
        m = re.search(r'^hosts = \["([^"]+)"', (site / "site.toml").read_text(), re.M)
        if m:
            out.append(m.group(1))
    return out


class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

    def request(self, method, path, host, body=None, headers=None):
        h = {"Host": host, **(headers or {})}
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            h["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=h)
        res = self.conn.getresponse()
        return res.status, res.read()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--country", required=True)
    p.add_argument("--slug", required=True)
    p.add_argument("--threads", type=int, default=8)
    a = p.parse_args()

    all_hosts = hosts(a.country)
    page = f"/producten/{a.slug}"
    probe = Client(a.base)
    offering = [h for h in all_hosts if probe.request("GET", page, h)[0] == 200]
    word = "proef" + "".join(random.choice(string.ascii_lowercase) for _ in range(8))
    admin = {"Authorization": f"Bearer {a.token}"}
    status, body = probe.request("GET", f"/api/v1/admin/catalogue/{a.slug}", all_hosts[0], headers=admin)
    assert status == 200, body
    doc = json.loads(body)
    doc["sections"].append({"key": word, "heading": "Nieuw in deze versie", "body": f"Dit is de {word} van het landelijke team."})

    pending = queue.Queue()
    for h in offering:
        pending.put(h)
    done = {}
    lock = threading.Lock()

    def poll(start):
        client = Client(a.base)
        while True:
            try:
                h = pending.get_nowait()
            except queue.Empty:
                return
            status, html = client.request("GET", page, h)
            ok = status == 200 and word.encode() in html
            if ok:
                status, found = client.request("GET", f"/api/v1/search?q={word}", h)
                ok = status == 200 and any(hit.get("url", "").endswith(page) for hit in json.loads(found)["hits"])
            if ok:
                with lock:
                    done[h] = time.monotonic() - start
            else:
                pending.put(h)

    start = time.monotonic()
    status, body = probe.request("PUT", f"/api/v1/admin/catalogue/{a.slug}", all_hosts[0], body=doc, headers=admin)
    saved = time.monotonic() - start
    assert status == 200, body
    threads = [threading.Thread(target=poll, args=(start,)) for _ in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(done.values())
    print(f"sites offering {a.slug}: {len(offering)} of {len(all_hosts)}; the PUT answered after {saved * 1000:.0f} ms")
    print(f"served and found on every one of them after {times[-1] * 1000:.0f} ms "
          f"(first site {times[0] * 1000:.0f} ms, median {times[len(times) // 2] * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
