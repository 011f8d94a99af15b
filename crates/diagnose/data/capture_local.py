#!/usr/bin/env python3
"""Captures real ClientHellos from clients installed on this machine into captures.json.

A listener on 127.0.0.1 reads the first TLS records each client sends and closes the
connection (the clients then fail, which is expected). Only loopback is used; every client
run is bounded by a timeout. Re-run when the machine's clients change, then gen_clients.py.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

HOST = "127.0.0.1"

NODE = "require('tls').connect({host:'127.0.0.1',port:+process.argv[1],servername:'localhost'}).on('error',()=>{})"
PY_DEFAULT = ("import socket,ssl,sys\nc=ssl.create_default_context()\n"
              "s=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n"
              "try: c.wrap_socket(s,server_hostname='localhost')\nexcept Exception: pass\n")
JAVA = ("public class Hello { public static void main(String[] a) throws Exception {"
        " try { javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) javax.net.ssl.SSLSocketFactory.getDefault()"
        ".createSocket(\"localhost\", Integer.parseInt(a[0])); s.startHandshake(); } catch (Exception e) {} } }")


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except Exception as e:  # noqa: BLE001 - informative only
        return f"unknown ({e})"


def capture(argv_for_port):
    srv = socket.socket()
    srv.bind((HOST, 0))
    srv.listen(1)
    srv.settimeout(20)
    port = srv.getsockname()[1]
    proc = subprocess.Popen(argv_for_port(port), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = b""
    try:
        conn, _ = srv.accept()
        conn.settimeout(10)
        while True:
            if len(data) >= 5:
                need = 5 + ((data[3] << 8) | data[4])
                if len(data) >= need:
                    data = data[:need]
                    break
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        conn.close()
    finally:
        srv.close()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return data.hex()


def main():
    tmp = tempfile.mkdtemp()
    java_src = os.path.join(tmp, "Hello.java")
    with open(java_src, "w") as f:
        f.write(JAVA)
    py38 = os.path.expanduser("~/.pyenv/versions/3.8.18/bin/python3")
    py312 = os.path.expanduser("~/.pyenv/versions/3.12.1/bin/python3")
    clients = [
        ("curl-openssl3", "curl with OpenSSL 3 default",
         f"captured locally: {version(['curl', '--version'])}",
         lambda p: ["curl", "-s", "-k", "--max-time", "5", f"https://localhost:{p}/"]),
        ("openssl-3.0", "OpenSSL 3.0 default (s_client)",
         f"captured locally: openssl s_client, {version(['openssl', 'version'])}",
         lambda p: ["timeout", "5", "openssl", "s_client", "-connect", f"127.0.0.1:{p}", "-servername", "localhost"]),
        ("node-20", "Node.js 20 default",
         f"captured locally: node {version(['node', '--version'])} tls.connect() defaults",
         lambda p: ["timeout", "5", "node", "-e", NODE, str(p)]),
        ("python-3.8", "Python 3.8 default (ssl.create_default_context)",
         f"captured locally: {version([py38, '-c', 'import ssl,sys;print(sys.version.split()[0], ssl.OPENSSL_VERSION)'])}",
         lambda p: ["timeout", "5", py38, "-c", PY_DEFAULT, str(p)]),
        ("python-3.12", "Python 3.10+ default (ssl.create_default_context)",
         f"captured locally: {version([py312, '-c', 'import ssl,sys;print(sys.version.split()[0], ssl.OPENSSL_VERSION)'])}",
         lambda p: ["timeout", "5", py312, "-c", PY_DEFAULT, str(p)]),
        ("java-17-local", "Java 17 default (OpenJDK 17.0.15)",
         f"captured locally: {version(['java', '-version'])} SSLSocketFactory.getDefault()",
         lambda p: ["timeout", "15", "java", java_src, str(p)]),
    ]
    out = []
    for cid, name, source, argv in clients:
        hexs = capture(argv)
        if not hexs.startswith("16"):
            print(f"{cid}: no ClientHello captured", file=sys.stderr)
            continue
        print(f"{cid}: {len(hexs)//2} bytes", file=sys.stderr)
        out.append({"id": cid, "name": name, "source": source, "hello_hex": hexs})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
