#!/usr/bin/env python3
"""Scan benchmark: tlsfloor vs sslscan, nmap ssl-enum-ciphers, sslyze and testssl.sh.

Starts `openssl s_server` instances of known configuration on 127.0.0.1, runs every tool
against each in the same run, and prints a markdown table of wall times (median of --runs)
and whether each tool's accepted (version, cipher suite) set equals tlsfloor's. Each tool
also runs once more through a counting TCP relay (not timed), which gives the number of
connections it opened, printed beside the physical floor: one connection per accepted
(version, suite) pair plus one per version probed.

Usage: bench/scan/bench.py [--runs N] [--tools tlsfloor,sslscan,nmap,sslyze,testssl]
       [--tlsfloor PATH] [--servers serverpref,legacy,modern]
Peers: apt-get install sslscan nmap testssl.sh; pip install sslyze.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SERVERS = {
    # name: (description, s_server args)
    "serverpref": ("openssl s_server -serverpref -cipher 'ALL:@SECLEVEL=0' (TLS 1.0-1.3)",
                   ["-serverpref", "-cipher", "ALL:@SECLEVEL=0"]),
    "legacy": ("openssl s_server TLS 1.0+1.1 only, DEFAULT:@SECLEVEL=0",
               ["-no_tls1_3", "-no_tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0"]),
    "modern": ("openssl s_server TLS 1.2+1.3, default ciphers", ["-no_tls1_1", "-no_tls1"]),
}

VERSION_KEYS = {"SSLv3": "SSLv3", "TLSv1.0": "TLSv1.0", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2",
                "TLSv1.3": "TLSv1.3"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def iana_codes():
    """IANA name -> code, from the OpenSSL CLI (independent of tlsfloor)."""
    out = subprocess.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                         capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2})\s+-\s+(\S+)", line)
        if m:
            table[m.group(3)] = int(m.group(1) + m.group(2), 16)
    for code, name in [(0x1301, "TLS_AES_128_GCM_SHA256"), (0x1302, "TLS_AES_256_GCM_SHA384"),
                       (0x1303, "TLS_CHACHA20_POLY1305_SHA256"), (0x1304, "TLS_AES_128_CCM_SHA256"),
                       (0x1305, "TLS_AES_128_CCM_8_SHA256")]:
        table.setdefault(name, code)
        # nmap's ssl-enum-ciphers spells TLS 1.3 suites TLS_AKE_WITH_*.
        table.setdefault(name.replace("TLS_", "TLS_AKE_WITH_", 1), code)
    return table


class CountingRelay:
    """A TCP relay on 127.0.0.1 in front of `backend_port` that counts connections."""

    def __init__(self, backend_port):
        self.backend_port = backend_port
        self.count = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.count += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            server = socket.create_connection(("127.0.0.1", self.backend_port), 10)
        except OSError:
            client.close()
            return

        def pump(a, b):
            try:
                while True:
                    data = a.recv(65536)
                    if not data:
                        break
                    b.sendall(data)
            except OSError:
                pass
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pump, args=(server, client), daemon=True).start()
        pump(client, server)

    def close(self):
        self.sock.close()


def count_connections(tool, exe, port, tmp, names, timeout):
    """Runs `tool` once through a counting relay; returns the connections it opened."""
    relay = CountingRelay(port)
    try:
        gen = TOOLS[tool](exe, relay.port, tmp, names)
        cmd = next(gen)
        try:
            run_timed(cmd, timeout)
        except subprocess.TimeoutExpired:
            return None
        time.sleep(0.2)  # let the last accepts be counted
        return relay.count
    finally:
        relay.close()


def run_timed(cmd, timeout, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    return time.monotonic() - t0, p


# ---- per-tool runners: each returns {version: frozenset(codes)} ----

def tool_tlsfloor(exe, port, tmp, names):
    _, p = yield [exe, "scan", "--json", f"127.0.0.1:{port}"]
    data = json.loads(p.stdout)
    res = {}
    for proto in data["targets"][0]["protocols"]:
        if proto["accepted"]:
            res[proto["version"]] = frozenset(s["code"] for s in proto["suites"])
    return res


def tool_sslscan(exe, port, tmp, names):
    _, p = yield ["sslscan", "--no-colour", "--show-cipher-ids", "--xml=-", f"127.0.0.1:{port}"]
    root = ET.fromstring(p.stdout[p.stdout.index("<?xml"):])
    res = {}
    for c in root.iter("cipher"):
        if c.get("status") in ("accepted", "preferred"):
            res.setdefault(c.get("sslversion"), set()).add(int(c.get("id"), 16))
    return {k: frozenset(v) for k, v in res.items()}


def tool_nmap(exe, port, tmp, names):
    _, p = yield ["nmap", "-Pn", "-n", "--script", "ssl-enum-ciphers", "-p", str(port), "-oX", "-",
                  "127.0.0.1"]
    root = ET.fromstring(p.stdout)
    res = {}
    for script in root.iter("script"):
        if script.get("id") != "ssl-enum-ciphers":
            continue
        for vt in script.findall("table"):
            ver = vt.get("key")
            for ct in vt.findall("table"):
                if ct.get("key") != "ciphers":
                    continue
                for entry in ct.findall("table"):
                    for elem in entry.findall("elem"):
                        if elem.get("key") == "name":
                            code = names.get(elem.text)
                            res.setdefault(ver, set()).add(code if code is not None else elem.text)
    return {k: frozenset(v) for k, v in res.items()}


def tool_sslyze(exe, port, tmp, names):
    out = os.path.join(tmp, "sslyze.json")
    yield ["sslyze", "--quiet", f"--json_out={out}", f"127.0.0.1:{port}"]
    data = json.load(open(out))
    keys = {"ssl_3_0_cipher_suites": "SSLv3", "tls_1_0_cipher_suites": "TLSv1.0",
            "tls_1_1_cipher_suites": "TLSv1.1", "tls_1_2_cipher_suites": "TLSv1.2",
            "tls_1_3_cipher_suites": "TLSv1.3"}
    res = {}
    sr = data["server_scan_results"][0]["scan_result"]
    for key, ver in keys.items():
        accepted = ((sr.get(key) or {}).get("result") or {}).get("accepted_cipher_suites") or []
        if accepted:
            res[ver] = frozenset(names.get(a["cipher_suite"]["name"], a["cipher_suite"]["name"])
                                 for a in accepted)
    return res


def tool_testssl(exe, port, tmp, names):
    out = os.path.join(tmp, "testssl.json")
    if os.path.exists(out):
        os.remove(out)
    yield ["testssl", "--quiet", "--color", "0", "--warnings", "batch", "-E", "--jsonfile", out,
           f"127.0.0.1:{port}"]
    vers = {"ssl3": "SSLv3", "tls1": "TLSv1.0", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2",
            "tls1_3": "TLSv1.3"}
    res = {}
    for f in json.load(open(out)):
        m = re.match(r"cipher-(ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$", f.get("id", ""))
        if m:
            code = int(m.group(2), 16)
            if code > 0xFFFF:  # SSLv2-style 3-byte ids
                continue
            res.setdefault(vers[m.group(1)], set()).add(code)
    return {k: frozenset(v) for k, v in res.items()}


TOOLS = {"tlsfloor": tool_tlsfloor, "sslscan": tool_sslscan, "nmap": tool_nmap,
         "sslyze": tool_sslyze, "testssl": tool_testssl}
BINARIES = {"sslscan": "sslscan", "nmap": "nmap", "sslyze": "sslyze", "testssl": "testssl"}


def measure(tool, exe, port, tmp, names, runs, timeout):
    times, result, err = [], None, None
    if tool == "testssl":
        runs = 1  # several minutes per run: one is enough to compare
    for _ in range(runs):
        gen = TOOLS[tool](exe, port, tmp, names)
        cmd = next(gen)
        try:
            dt, p = run_timed(cmd, timeout)
        except subprocess.TimeoutExpired:
            return None, None, f"timeout after {timeout}s"
        times.append(dt)
        try:
            gen.send((dt, p))
        except StopIteration as stop:
            result = stop.value
        except Exception as e:  # a tool's output we could not read
            err = f"unparsable output ({type(e).__name__}: {e}); rc={p.returncode}"
    return statistics.median(times), result, err


def diff(a, b):
    parts = []
    for v in sorted(set(a) | set(b)):
        extra, missing = b.get(v, frozenset()) - a.get(v, frozenset()), a.get(v, frozenset()) - b.get(v, frozenset())
        if extra:
            parts.append(f"{v} +{len(extra)}")
        if missing:
            parts.append(f"{v} -{len(missing)}")
    return ", ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tools", default="tlsfloor,sslscan,nmap,sslyze,testssl")
    ap.add_argument("--servers", default="serverpref,legacy,modern")
    ap.add_argument("--tlsfloor", default=os.path.join(ROOT, "target", "release", "tlsfloor"))
    ap.add_argument("--timeout", type=int, default=900)
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    if tools[0] != "tlsfloor":
        tools.insert(0, "tlsfloor")
    missing = [t for t in tools if t != "tlsfloor" and not shutil.which(BINARIES[t])]
    if missing:
        print(f"skipping tools not installed: {', '.join(missing)}", file=sys.stderr)
        tools = [t for t in tools if t not in missing]
    if not os.path.exists(args.tlsfloor):
        sys.exit(f"{args.tlsfloor} not found: run `cargo build --release` first")
    names = iana_codes()
    tmp = tempfile.mkdtemp(prefix="tlsfloor-bench-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    f"{tmp}/key.pem", "-out", f"{tmp}/cert.pem", "-days", "2", "-subj", "/CN=localhost"],
                   capture_output=True, check=True)
    rows = []
    floors = {}
    for sname in args.servers.split(","):
        desc, extra = SERVERS[sname]
        port = free_port()
        srv = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
                                f"{tmp}/cert.pem", "-key", f"{tmp}/key.pem", "-quiet"] + extra,
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if not wait_port(port):
                sys.exit(f"server {sname} did not start")
            base = None
            for tool in tools:
                print(f"[{sname}] {tool} ...", file=sys.stderr, flush=True)
                t, res, err = measure(tool, args.tlsfloor, port, tmp, names, args.runs, args.timeout)
                if tool == "tlsfloor":
                    base = res
                n = sum(len(v) for v in res.values()) if res else 0
                if err or res is None:
                    same = err or "no result"
                elif res == base:
                    same = "yes"
                else:
                    same = "no: " + diff(base, res)
                conns = count_connections(tool, args.tlsfloor, port, tmp, names, args.timeout)
                rows.append((desc, tool, t, n, same, conns))
            floors[desc] = sum(len(v) for v in (base or {}).values()) + 5
        finally:
            srv.kill()
            srv.wait()
    fastest_peer = {}
    for desc, tool, t, n, same, _ in rows:
        if tool != "tlsfloor" and t is not None:
            fastest_peer[desc] = min(fastest_peer.get(desc, t), t)
    print(f"\nMedian wall time of {args.runs} run(s) (testssl: 1), {os.cpu_count()} cores, all on 127.0.0.1.")
    print("Connections: one extra run through a counting relay; floor = accepted pairs + 5 versions.\n")
    print("| server | tool | wall time (s) | (version, suite) pairs | same set as tlsfloor | connections (floor) |")
    print("|---|---|---:|---:|---|---:|")
    for desc, tool, t, n, same, conns in rows:
        ts = f"{t:.2f}" if t is not None else "-"
        if tool == "tlsfloor" and desc in fastest_peer and t:
            ts += f" ({fastest_peer[desc] / t:.0f}x faster than fastest peer)"
        cs = "-" if conns is None else f"{conns} ({floors.get(desc, '-')})"
        print(f"| {desc} | {tool} | {ts} | {n} | {same} | {cs} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
