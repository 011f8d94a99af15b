#!/usr/bin/env python3
"""Built-in Classic Load Balancer policies from the Classic Load Balancer user guide's table.

Rewrites the `family = "aws-elb-classic"` entries of crates/policy/data/builtin.toml from
scripts/policy-data/aws-elb-classic-page.json, a transcription of awsdocs/
elb-classic-load-balancers-user-guide doc_source/elb-security-policy-table.md (protocols,
server order preference, suites in the table's order, which is the server order). Policies the
page names without a table (2014-10, 2014-01, 2011-08, ELBSample-*) are not added.

Usage: scripts/policy-data/elb-classic.py   (from the repository root)
"""
import json, os, re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "crates/policy/data/builtin.toml")
PAGE = os.path.join(ROOT, "scripts/policy-data/aws-elb-classic-page.json")
URL = "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-security-policy-table.html"
# OpenSSL name -> (IANA name, code) for suites no other built-in policy lists.
EXTRA = {
    "DHE-RSA-AES128-SHA": ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "0x0033"),
    "DHE-DSS-AES128-SHA": ("TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "0x0032"),
}


def main():
    page = json.load(open(PAGE))
    text = open(DATA).read()
    known = {m.group(3): (m.group(1), m.group(2)) for m in
             re.finditer(r'^  "([A-Z0-9_]+)",\s+# (0x[0-9a-f]{4}) (\S+)$', text, flags=re.M)}
    known.update(EXTRA)
    head, *blocks = text.split("[[policy]]\n")
    kept = [b for b in blocks if 'family = "aws-elb-classic"' not in b]
    at = max(i for i, b in enumerate(kept) if 'family = "aws-elb"' in b) + 1
    new = []
    for name, p in page["policies"].items():
        rows = [f'  "{known[c][0]}",'.ljust(53) + f"# {known[c][1]} {c}" for c in p["ciphers"]]
        new.append(
            f'id = "elb-classic/{name}"\nname = "{name}"\nfamily = "aws-elb-classic"\n'
            f'description = "Classic Load Balancer predefined policy {name}."\n'
            f'source_url = "{URL}"\nsource_status = "documented"\n'
            f'source_note = "{page["source"]} (transcribed in scripts/policy-data/'
            f'aws-elb-classic-page.json; scripts/policy-data/elb-classic.py)."\n'
            f'server_order = {"true" if p["server_order"] else "false"}\n'
            "protocols = [" + ", ".join(f'"{v}"' for v in p["protocols"]) + "]\n"
            "ciphers = [\n" + "\n".join(rows) + "\n]\ntls13_ciphers = []\n")
    kept[at:at] = new
    out = [b.rstrip("\n") + "\n\n" for b in kept]
    open(DATA, "w").write(head + "".join("[[policy]]\n" + b for b in out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
