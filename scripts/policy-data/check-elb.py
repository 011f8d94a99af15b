#!/usr/bin/env python3
"""Check tlsfloor's built-in AWS ELB policies against `aws elbv2 describe-ssl-policies` output.

Usage:
    aws elbv2 describe-ssl-policies --output json > p.json
    scripts/policy-data/check-elb.py p.json [more.json ...] [--toml PATH] [--ignore-order]

For every policy named in the JSON, the protocols and the ordered cipher list (TLS 1.3 suites
first, then the TLS 1.0-1.2 suites, as AWS prints them by Priority) are compared with
crates/policy/data/builtin.toml. OpenSSL names are mapped through the comment kept after each
suite in builtin.toml (`# 0xc02b ECDHE-ECDSA-AES128-GCM-SHA256`); the Rust tests check those
comments against the wire registry.

Exit status: 0 all listed policies match, 1 a difference or a policy missing from builtin.toml,
2 bad input. Built-in ELB policies that the JSON does not list are reported, not failed.
"""

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

DEFAULT_TOML = Path(__file__).resolve().parents[2] / "crates/policy/data/builtin.toml"
PROTO = {"TLSv1": "TLSv1.0", "TLSv1.0": "TLSv1.0", "TLSv1.1": "TLSv1.1",
         "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3", "SSLv3": "SSLv3"}
SUITE_LINE = re.compile(r'"(\w+)",\s+# 0x([0-9a-fA-F]{4}) (\S+)')


def load_builtin(path):
    """ELB policies of builtin.toml as {id: (protocols, [openssl names in order])}."""
    text = path.read_text(encoding="utf-8")
    iana_to_openssl = {m.group(1): m.group(3) for m in SUITE_LINE.finditer(text)}
    data = tomllib.loads(text)
    out = {}
    for p in data.get("policy", []):
        if p.get("family") != "aws-elb":
            continue
        names = []
        for iana in p.get("tls13_ciphers", []) + p.get("ciphers", []):
            names.append(iana_to_openssl.get(iana, iana))
        out[p["id"]] = (sorted(p.get("protocols", [])), names, p.get("source_status", ""))
    return out


def load_aws(path):
    """Policies of a describe-ssl-policies JSON as {name: (protocols, [names by priority])}."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for p in doc.get("SslPolicies", []):
        name = p["Name"]
        protos = sorted(PROTO.get(v, v) for v in p.get("SslProtocols", []))
        ciphers = sorted(p.get("Ciphers", []), key=lambda c: c.get("Priority", 0))
        out[name] = (protos, [c["Name"] for c in ciphers])
    return out


def compare(name, want, have, ignore_order):
    """Human-readable differences between the source (`want`) and builtin.toml (`have`)."""
    problems = []
    if want[0] != have[0]:
        problems.append(f"protocols: source {want[0]} vs builtin {have[0]}")
    missing = [c for c in want[1] if c not in have[1]]
    extra = [c for c in have[1] if c not in want[1]]
    if missing:
        problems.append(f"suites only in source: {missing}")
    if extra:
        problems.append(f"suites only in builtin: {extra}")
    if not missing and not extra and not ignore_order and want[1] != have[1]:
        for i, (a, b) in enumerate(zip(want[1], have[1])):
            if a != b:
                problems.append(f"order differs from priority {i + 1}: source {a}, builtin {b}")
                break
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", nargs="+", help="describe-ssl-policies --output json file(s)")
    ap.add_argument("--toml", type=Path, default=DEFAULT_TOML, help="builtin.toml to check")
    ap.add_argument("--ignore-order", action="store_true",
                    help="compare suite sets only (for sources that do not give priorities)")
    args = ap.parse_args()
    try:
        builtin = load_builtin(args.toml)
        source = {}
        for f in args.json:
            source.update(load_aws(f))
    except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as e:
        print(f"check-elb: error: {e}", file=sys.stderr)
        return 2

    failed = 0
    for name in sorted(source):
        if name not in builtin:
            print(f"MISSING  {name}: listed by the source, not in builtin.toml")
            failed += 1
            continue
        problems = compare(name, source[name], builtin[name], args.ignore_order)
        if problems:
            failed += 1
            print(f"DIFF     {name}")
            for p in problems:
                print(f"         - {p}")
        else:
            print(f"OK       {name}")
    for name in sorted(set(builtin) - set(source)):
        print(f"UNCHECKED {name}: not in the source ({builtin[name][2]})")
    print(f"{len(source)} source policies, {failed} with problems", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
