#!/usr/bin/env python3
"""Built-in AWS policy data from s2n-tls, the library behind ALB/NLB and CloudFront.

Serves each s2n-tls security policy on 127.0.0.1 (crates/testkit/examples/s2n_serve.rs, the
s2n-tls crate's vendored library), scans it with `tlsfloor scan`, and either prints how
crates/policy/data/builtin.toml differs (default, exit 1 on a difference) or rewrites the
entries from what s2n-tls negotiates (--write): server order of the TLS <= 1.2 and TLS 1.3
suites, and the key exchange groups. --write also adds the s2n-tls policies builtin.toml
lacks (NEW below). crates/cli/tests/s2n_policies.rs checks the same live, in the test run.

Usage: scripts/policy-data/s2n-policies.py [--write]   (from the repository root)
"""
import json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "crates/policy/data/builtin.toml")
TLSFLOOR = os.path.join(ROOT, "target/release/tlsfloor")
SERVE = os.path.join(ROOT, "target/release/examples/s2n_serve")

# The s2n-tls name of a built-in policy comes from builtin.toml: `s2n_policy` where s2n-tls
# registers it under another name, `s2n_suites_of` for ELB policies s2n-tls does not register
# by name but whose suite lists it keeps under another name (only the suites, order included,
# are taken from that twin, never the groups); otherwise the id. The live test reads the same.
# Where the public page and s2n-tls disagree and the page is believed (checked as such by
# the live test): CloudFront serves ECDSA certificates with the SSLv3 policy per its table,
# while s2n-tls's CloudFront-SSL-v-3 list has no ECDHE-ECDSA suite.
KEEP_PAGE_SUITES = {"cloudfront/SSLv3"}
# s2n-tls policies builtin.toml did not have: (id, family).
NEW = [(f"ELBSecurityPolicy-TLS13-{n}-FIPS-PQ-2025-09", "aws-elb") for n in
       ["1-0", "1-2", "1-2-Ext0", "1-2-Ext1", "1-2-Ext2", "1-2-Res", "1-3"]] + \
      [(f"ELBSecurityPolicy-TLS13-{n}-RFC9151-FIPS-2023-07", "aws-elb") for n in
       ["1-2", "1-2-Ext0", "1-3"]] + \
      [(f"ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP{n}-FIPS-2023-07", "aws-elb") for n in "1234"] + \
      [("ELBSecurityPolicy-TLS12-1-2-RFC9151-2024-01", "aws-elb"),
       ("ELBSecurityPolicy-TLS12-1-2-Ext0-RFC9151-2024-01", "aws-elb")] + \
      [(f"ELBSecurityPolicy-TLS13-{n}-FIPS-PQ-2026-07", "aws-elb") for n in
       ["1-3-CNSA2-INTEROP1", "1-2-CNSA2-INTEROP2", "1-2-CNSA2-INTEROP3"]] + \
      [("cloudfront/TLSv1.2_2025", "aws-cloudfront")]
ELB_URL = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"
CF_URL = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html"


def s2n_ref(block):
    """(s2n-tls name or None, suites only) from a builtin.toml policy block."""
    for key, twin in (("s2n_policy", False), ("s2n_suites_of", True)):
        m = re.search(rf'^{key} = "(.*)"$', block, flags=re.M)
        if m:
            return m.group(1), twin
    return None, False


def s2n_name(pid, block=""):
    return s2n_ref(block)[0] or pid


def s2n_version():
    lock = open(os.path.join(ROOT, "Cargo.lock")).read()
    m = re.search(r'name = "s2n-tls-sys"\nversion = "([^"]+)"', lock)
    return m.group(1) if m else "?"


def scan(name):
    """What s2n-tls serving `name` negotiates, or None when it has no such policy."""
    srv = subprocess.Popen([SERVE, name], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = srv.stdout.readline()
    try:
        if not line.startswith("listening"):
            return None
        out = subprocess.run([TLSFLOOR, "scan", f"127.0.0.1:{line.split()[1]}", "--json"],
                             capture_output=True, text=True).stdout
        t = json.loads(out)["targets"][0]
    finally:
        srv.stdin.close()
        srv.wait()
    if not t["complete"]:
        sys.exit(f"{name}: the scan is incomplete, not used: {t['protocols']}")
    acc = {p["version"]: p for p in t["protocols"] if p["accepted"]}
    legacy = [acc[v] for v in ["TLSv1.2", "TLSv1.1", "TLSv1.0", "SSLv3"] if v in acc]
    groups = []
    for p in [acc.get("TLSv1.3")] + legacy:
        for g in (p or {}).get("groups", []):
            if g not in groups:
                groups.append(g)
    return {
        "protocols": [v for v in ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"] if v in acc],
        "ciphers": legacy[0]["suites"] if legacy else [],
        "tls13": acc["TLSv1.3"]["suites"] if "TLSv1.3" in acc else [],
        "groups": groups,
    }


def suite_block(key, suites):
    if not suites:
        return f"{key} = []\n"
    lines = [f"  \"{s['iana']}\",".ljust(53) + f"# 0x{s['code']:04x} {s['openssl'] or s['iana']}"
             for s in suites]
    return f"{key} = [\n" + "\n".join(lines) + "\n]\n"


def groups_line(groups):
    return "groups = [" + ", ".join(f'"{g}"' for g in groups) + "]\n"


def provenance(pid, name, twin):
    what = "suite order" if twin else "protocols, suites in server order and key exchange groups"
    return (f"Checked live against s2n-tls (the s2n-tls crate {s2n_version()}, its vendored "
            f"aws/s2n-tls lib/tls/s2n_security_policies.c and s2n_cipher_preferences.c), policy "
            f"{name}: {what} as s2n-tls negotiates them (scripts/policy-data/s2n-policies.py, "
            f"crates/cli/tests/s2n_policies.rs).")


def rewrite(block, pid, got, twin):
    name = s2n_name(pid, block)
    if pid not in KEEP_PAGE_SUITES:
        block = re.sub(r"^ciphers = \[\]\n|^ciphers = \[\n.*?^\]\n", lambda _: suite_block("ciphers", got["ciphers"]),
                       block, flags=re.S | re.M)
    block = re.sub(r"^tls13_ciphers = \[\]\n|^tls13_ciphers = \[\n.*?^\]\n",
                   lambda _: suite_block("tls13_ciphers", got["tls13"]), block, flags=re.S | re.M)
    if not twin:
        block = re.sub(r"^groups = .*\n", "", block, flags=re.M)
        block = re.sub(r"^ciphers = ", lambda _: groups_line(got["groups"]) + "ciphers = ", block, count=1, flags=re.M)
    note = re.search(r'^source_note = "(.*)"$', block, flags=re.M)
    text = note.group(1) if note else ""
    text = re.sub(r" ?Checked live against s2n-tls.*?s2n_policies\.rs\)\.", "", text)
    text = re.sub(r" and a stored copy of the AWS page '[^']*' \([^)]*search-index file \d+[^)]*\)", "", text)
    text = text.replace(", identical to aws/s2n-tls tls/s2n_cipher_preferences.c", "")
    text = text.replace("; search-index file 58212479814, repository not named by the index", "")
    text = text.replace("server order as listed there; ", "")
    text = text.rstrip(". ") + ". " if text else ""
    text = text + provenance(pid, name, twin)
    if pid in KEEP_PAGE_SUITES:
        text += (" The TLS <= 1.2 suites are the CloudFront page's: s2n-tls's CloudFront-SSL-v-3 has "
                 "no ECDHE-ECDSA suite, while the page lists them for ECDSA certificates.")
    text = text.replace('"', "'")
    if note:
        block = block.replace(note.group(0), f'source_note = "{text}"')
    block = re.sub(r'^source_status = ".*"$', 'source_status = "documented"', block, flags=re.M)
    return block


def new_block(pid, family, got):
    name = pid.split("/")[-1]
    url = CF_URL if family == "aws-cloudfront" else ELB_URL
    return (f'id = "{pid}"\nname = "{name}"\nfamily = "{family}"\n'
            f'description = "Registered in s2n-tls; data as s2n-tls negotiates it."\n'
            f'source_url = "{url}"\nsource_status = "documented"\n'
            f'source_note = "{provenance(pid, s2n_name(pid), False)}"\nserver_order = true\n'
            f'protocols = [' + ", ".join(f'"{p}"' for p in got["protocols"]) + "]\n"
            + groups_line(got["groups"]) + suite_block("ciphers", got["ciphers"])
            + suite_block("tls13_ciphers", got["tls13"]))


def main():
    write = "--write" in sys.argv
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "tlsfloor"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "tlsfloor-testkit", "--features", "s2n",
                    "--example", "s2n_serve"], cwd=ROOT, check=True)
    text = open(DATA).read()
    head, *blocks = text.split("[[policy]]\n")
    ids = [re.search(r'^id = "(.*)"$', b, flags=re.M).group(1) for b in blocks]
    out, differ = [], 0
    for pid, block in zip(ids, blocks):
        fam = re.search(r'^family = "(.*)"$', block, flags=re.M).group(1)
        if fam not in ("aws-elb", "aws-cloudfront"):
            out.append(block)
            continue
        got = scan(s2n_name(pid, block))
        if got is None:
            print(f"SKIP {pid}: s2n-tls has no policy {s2n_name(pid, block)}")
            out.append(block)
            continue
        new = rewrite(block, pid, got, s2n_ref(block)[1])
        strip = lambda b: re.sub(r"^(source_note|source_status) = .*\n", "", b, flags=re.M)
        same = strip(new) == strip(block)
        differ += not same
        print(("OK   " if same else "DIFF ") + pid)
        out.append(new if write else block)
    for pid, family in NEW:
        if pid in ids:
            continue
        got = scan(s2n_name(pid))
        if got is None:
            print(f"SKIP new {pid}: s2n-tls has no policy {s2n_name(pid)}")
            continue
        differ += 1
        print(f"NEW  {pid}")
        # After the last policy of the same family.
        at = max(i for i, b in enumerate(out) if f'family = "{family}"' in b) + 1
        out.insert(at, new_block(pid, family, got))
    if write:
        out = [b.rstrip("\n") + "\n\n" for b in out]
        open(DATA, "w").write(head + "".join("[[policy]]\n" + b for b in out).rstrip("\n") + "\n")
    sys.exit(1 if differ and not write else 0)


if __name__ == "__main__":
    main()
