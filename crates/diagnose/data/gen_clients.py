#!/usr/bin/env python3
"""Regenerates clients.json, the built-in client profiles of `tlsfloor diagnose`.

Inputs:
  * testssl.sh's etc/client-simulation.txt (Debian package testssl.sh, /etc/testssl/), whose
    `handshakebytes` are ClientHellos captured by Qualys SSL Labs / the testssl.sh authors, and
    whose lowest_protocol/highest_protocol give each client's version range;
  * captures.json, ClientHellos captured on this machine from real clients (capture_local.py);
  * the derivations listed in DERIVED below (a base capture plus a documented restriction).

Every ClientHello is decoded here (stdlib only) into versions, suites, groups, key shares and
signature algorithms; the hex is kept in the output so the Rust tests can re-decode it with
tlsfloor-wire and check the fields agree.

Usage: python3 gen_clients.py [/etc/testssl/client-simulation.txt] > clients.json
"""
import json
import re
import sys

TESTSSL = sys.argv[1] if len(sys.argv) > 1 else "/etc/testssl/client-simulation.txt"
TESTSSL_SRC = ("testssl.sh 3.0.8 etc/client-simulation.txt (Debian package testssl.sh); "
               "ClientHello captured by Qualys SSL Labs handshake simulation")

# (profile id, testssl.sh name, display name, note)
FROM_TESTSSL = [
    ("openssl-1.0.1", "OpenSSL 1.0.1l", "OpenSSL 1.0.1 default", ""),
    ("openssl-1.0.2", "OpenSSL 1.0.2e", "OpenSSL 1.0.2 default", ""),
    ("openssl-1.1.1", "OpenSSL 1.1.1d (Debian)", "OpenSSL 1.1.1 default (Debian)", ""),
    ("java-7", "Java 7u25", "Java 7 default (7u25)", "Java 7 clients enable TLS 1.1/1.2 only when configured (jdk.tls.client.protocols)"),
    ("java-8", "Java 8u161", "Java 8 default (8u161)", ""),
    ("java-11", "Java 11.0.2 (OpenJDK)", "Java 11 default (11.0.2)", ""),
    ("java-17", "Java 17.0.3 (OpenJDK)", "Java 17 default (17.0.3)", ""),
    ("android-4.4", "Android 4.4.2", "Android 4.4.2", ""),
    ("android-7", "Android 7.0 (native)", "Android 7.0", ""),
    ("android-10", "Android 10.0 (native)", "Android 10", ""),
    ("ie-11-win7", "IE 11 Win 7", "IE 11 / Schannel on Windows 7", ""),
    ("ie-11-win10", "IE 11 Win 10", "IE 11 / Schannel on Windows 10", ""),
    ("chrome-101", "Chrome 101 (Win 10)", "Chrome 101 (Windows 10)", ""),
    ("firefox-100", "Firefox 100 (Win 10)", "Firefox 100 (Windows 10)", ""),
    ("safari-15", "Safari 15.4 (macOS 12.3.1)", "Safari 15.4 (macOS 12.3)", ""),
    ("go-1.17", "go 1.17.8", "Go 1.17 default", ""),
]

# Profiles derived from a base: (id, base testssl name or local capture id, name, source, changes)
DERIVED = [
    ("dotnet-4.5", "IE 8-10 Win 7", ".NET Framework 4.5 default (TLS 1.0, Schannel on Windows 7)",
     "derived, unverified: Windows 7 Schannel ClientHello at TLS 1.0 (SSL Labs 'IE 8-10 Win 7' via "
     "testssl.sh); .NET Framework 4.5's default ServicePointManager.SecurityProtocol is Ssl3|Tls "
     "(Microsoft docs: 'Transport Layer Security (TLS) best practices with the .NET Framework')",
     {"versions": ["SSLv3", "TLSv1.0"]}),
    ("go-1.21", "go 1.17.8", "Go 1.21 default",
     "derived, unverified: testssl.sh 'go 1.17.8' capture (SSL Labs) with the client minimum raised "
     "to TLS 1.2 (Go 1.18 release notes: crypto/tls client-side default MinVersion is TLS 1.2)",
     {"versions": ["TLSv1.2", "TLSv1.3"]}),
    ("python-2.7.9", "OpenSSL 1.0.1l", "Python 2.7.9 default (OpenSSL 1.0.1)",
     "derived, unverified: OpenSSL 1.0.1l suites (SSL Labs via testssl.sh) filtered by CPython "
     "2.7.9's ssl._DEFAULT_CIPHERS ('...:!aNULL:!eNULL:!MD5:!DSS:!RC4', 3DES kept as last resort); "
     "create_default_context() disables SSLv2/SSLv3",
     {"versions": ["TLSv1.0", "TLSv1.1", "TLSv1.2"], "drop": ["RC4", "MD5", "DSS", "anon", "NULL", "EXPORT", "SRP", "PSK", "DES-CBC"]}),
    ("awscli-v1-openssl-0.9.8", "OpenSSL 0.9.8y", "AWS CLI v1 on OpenSSL 0.9.8 (e.g. macOS system Python)",
     "derived, unverified: OpenSSL 0.9.8y ClientHello (SSL Labs via testssl.sh: TLS 1.0 max) filtered "
     "by urllib3's default cipher string (no aNULL/eNULL/MD5/DSS/RC4/EXPORT); AWS CLI user guide: "
     "AWS CLI v1 negotiates whatever the linked OpenSSL supports",
     {"versions": ["TLSv1.0"], "drop": ["RC4", "MD5", "DSS", "anon", "NULL", "EXPORT", "SRP", "PSK", "DES-CBC"]}),
    ("awscli-v2", "python-3.12", "AWS CLI v2",
     "derived, unverified: CPython 3.12 ssl.create_default_context() ClientHello captured locally "
     "(OpenSSL 3.0); AWS CLI v2 bundles its own CPython/OpenSSL and enforces a TLS 1.2 minimum "
     "(AWS CLI user guide, 'Enforcing a minimum version of TLS 1.2')",
     {"versions": ["TLSv1.2", "TLSv1.3"]}),
]

GREASE = {0x0a0a + 0x1010 * i for i in range(16)}
VNAME = {0x0300: "SSLv3", 0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}


def parse_testssl(path):
    text = open(path, encoding="utf-8").read()
    out = {}
    for block in re.split(r"\n\s*\n", text):
        fields = dict(re.findall(r'(\w+)\+=\(("?)(.*?)\2\)\s*$', block, re.M) and
                      [(k, v) for k, _, v in re.findall(r'(\w+)\+=\(("?)(.*?)\2\)\s*$', block, re.M)])
        if "names" in fields:
            out[fields["names"]] = fields
    return out


def u16(b, i):
    return (b[i] << 8) | b[i + 1]


def decode_hello(hexstr):
    b = bytes.fromhex(hexstr)
    assert b[0] == 22, "not a handshake record"
    h = b[5:]
    assert h[0] == 1, "not a ClientHello"
    p = 4
    legacy = u16(h, p); p += 2 + 32
    p += 1 + h[p]
    n = u16(h, p); p += 2
    suites = [u16(h, p + i) for i in range(0, n, 2)]; p += n
    p += 1 + h[p]
    ext = {}
    if p < len(h):
        end = p + 2 + u16(h, p); p += 2
        while p + 4 <= end:
            t, l = u16(h, p), u16(h, p + 2)
            ext[t] = h[p + 4:p + 4 + l]
            p += 4 + l
    def list16(d, off=2):
        return [u16(d, off + i) for i in range(0, len(d) - off, 2)]
    r = {"legacy_version": legacy, "suites": [s for s in suites if s not in GREASE],
         "sni": 0 in ext, "groups": [], "sig_algs": [], "key_shares": None,
         "supported_versions": None}
    if 10 in ext:
        r["groups"] = [g for g in list16(ext[10]) if g not in GREASE]
    if 13 in ext:
        r["sig_algs"] = [s for s in list16(ext[13]) if s not in GREASE]
    if 43 in ext:
        d = ext[43]
        r["supported_versions"] = [u16(d, 1 + i) for i in range(0, d[0], 2) if u16(d, 1 + i) not in GREASE]
    if 51 in ext:
        d, q, ks = ext[51], 2, []
        while q + 4 <= len(d):
            g, l = u16(d, q), u16(d, q + 2)
            if g not in GREASE:
                ks.append(g)
            q += 4 + l
        r["key_shares"] = ks
    return r


def profile(pid, name, source, hello_hex, lo, hi, note=""):
    d = decode_hello(hello_hex)
    if d["supported_versions"]:
        versions = [VNAME[v] for v in sorted(d["supported_versions"]) if v in VNAME]
    else:
        versions = [VNAME[v] for v in range(lo, hi + 1) if v in VNAME]
    p = {"id": pid, "name": name, "source": source, "versions": versions,
         "suites": d["suites"], "groups": d["groups"], "key_shares": d["key_shares"],
         "sig_algs": d["sig_algs"], "sni": d["sni"], "hello_hex": hello_hex}
    if note:
        p["note"] = note
    if re.search(r"OpenSSL[ /]3\.", source):
        # OpenSSL 3 clients run at security level 1 by default: no SHA-1/MD5 signatures.
        p["openssl_security_level"] = 1
    return p


def main():
    ts = parse_testssl(TESTSSL)
    profiles = []
    for pid, tname, name, note in FROM_TESTSSL:
        f = ts[tname]
        profiles.append(profile(pid, name, f"{TESTSSL_SRC} ('{tname}')", f["handshakebytes"],
                                int(f["lowest_protocol"], 16), int(f["highest_protocol"], 16), note))
    try:
        local = json.load(open("captures.json", encoding="utf-8"))
    except FileNotFoundError:
        local = []
    for c in local:
        profiles.append(profile(c["id"], c["name"], c["source"], c["hello_hex"], 0x0301, 0x0304,
                                c.get("note", "")))
    import subprocess
    # Suite facts for filtering derived profiles, from the local OpenSSL's registry view.
    for pid, base, name, source, change in DERIVED:
        if base in ts:
            f = ts[base]
            p = profile(pid, name, source, f["handshakebytes"], int(f["lowest_protocol"], 16),
                        int(f["highest_protocol"], 16))
        else:
            c = next(c for c in local if c["id"] == base)
            p = profile(pid, name, source, c["hello_hex"], 0x0301, 0x0304)
        p["versions"] = change["versions"]
        if "drop" in change:
            names = suite_names()
            p["suites"] = [s for s in p["suites"]
                           if not any(k in names.get(s, "") for k in change["drop"])]
        p["hello_hex"] = None  # the offer differs from the base capture
        p["derived_from"] = base
        profiles.append(p)
    json.dump({"schema": "tlsfloor.clients/v1", "generated_by": "crates/diagnose/data/gen_clients.py",
               "profiles": profiles}, sys.stdout, indent=1)
    sys.stdout.write("\n")


def suite_names():
    """IANA names by code, from the wire crate's generated table (kept in the repo)."""
    names = {}
    src = open("../../wire/src/suites_data.rs", encoding="utf-8").read()
    for code, iana in re.findall(r'code: 0x([0-9a-f]{4}),\s*iana: "([^"]+)"', src):
        names[int(code, 16)] = iana.replace("EXPORT", "EXPORT")
    # make filter words match IANA names
    out = {}
    for k, v in names.items():
        tags = v
        if "_anon_" in v:
            tags += " anon"
        if "_DSS_" in v:
            tags += " DSS"
        if "_RC4_" in v:
            tags += " RC4"
        if v.endswith("_MD5"):
            tags += " MD5"
        if "_NULL_" in v or v.endswith("_NULL"):
            tags += " NULL"
        if "_DES_CBC_" in v or "DES40" in v:
            tags += " DES-CBC"
        out[k] = tags
    return out


if __name__ == "__main__":
    main()
