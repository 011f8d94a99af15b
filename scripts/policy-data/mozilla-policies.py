#!/usr/bin/env python3
"""Built-in Mozilla policies from the Server Side TLS guideline JSON files.

Rewrites the `family = "mozilla"` entries of crates/policy/data/builtin.toml from
mozilla/ssl-config-generator src/static/guidelines/{5.7,6.0}.json: 5.7 as `mozilla/<name>`
(modern, intermediate, old), 6.0 as `mozilla-6.0/<name>` (modern, intermediate; 6.0 has no
old). Give the guidelines directory of a checkout and its commit for the provenance line:

  scripts/policy-data/mozilla-policies.py DIR COMMIT
"""
import json, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "crates/policy/data/builtin.toml")
VERSIONS = {"TLSv1": "TLSv1.0"}
GROUPS = {"X25519": "x25519", "prime256v1": "secp256r1"}
DESCRIPTIONS = {
    "modern": "TLS 1.3 only, ECDSA certificates.",
    "intermediate": "recommended general-purpose.",
    "old": "backward compatibility, includes TLS 1.0/1.1.",
}


def suite_lines(key, names, known):
    if not names:
        return f"{key} = []\n"
    rows = [f'  "{n}",'.ljust(53) + f"# {known[n][0]} {known[n][1]}" for n in names]
    return f"{key} = [\n" + "\n".join(rows) + "\n]\n"


def block(version, name, c, known, commit):
    pid = f"mozilla/{name}" if version == "5.7" else f"mozilla-{version}/{name}"
    out = [
        f'id = "{pid}"',
        f'name = "{name}"' if version == "5.7" else f'name = "{name}-{version}"',
        'family = "mozilla"',
        f'description = "Mozilla Server Side TLS {version}, {name.capitalize()}: {DESCRIPTIONS[name]}"',
        f'source_url = "https://ssl-config.mozilla.org/guidelines/{version}.json"',
        'source_status = "documented"',
        f'source_note = "mozilla/ssl-config-generator src/static/guidelines/{version}.json at commit '
        f'{commit} (scripts/policy-data/mozilla-policies.py)."',
        f'server_order = {"true" if c["server_preferred_order"] else "false"}',
        "protocols = [" + ", ".join(f'"{VERSIONS.get(v, v)}"' for v in c["tls_versions"]) + "]",
    ]
    text = "\n".join(out) + "\n"
    text += suite_lines("ciphers", c["ciphers"]["iana"], known)
    text += suite_lines("tls13_ciphers", c["ciphersuites"], known)
    text += "groups = [" + ", ".join(f'"{GROUPS.get(g, g)}"' for g in c["tls_curves"]) + "]\n"
    for key, field in [("min_rsa_bits", "rsa_key_size"), ("min_dh_bits", "dh_param_size"),
                       ("min_ecdsa_bits", "ecdh_param_size")]:
        if c.get(field):
            text += f"{key} = {c[field]}\n"
    return text


def main():
    src, commit = sys.argv[1], sys.argv[2]
    text = open(DATA).read()
    known = {m.group(1): (m.group(2), m.group(3)) for m in
             re.finditer(r'^  "([A-Z0-9_]+)",\s+# (0x[0-9a-f]{4}) (\S+)$', text, flags=re.M)}
    head, *blocks = text.split("[[policy]]\n")
    kept = [b for b in blocks if 'family = "mozilla"' not in b]
    for version in ["5.7", "6.0"]:
        conf = json.load(open(os.path.join(src, f"{version}.json")))["configurations"]
        for name in ["modern", "intermediate", "old"]:
            if name in conf:
                kept.append(block(version, name, conf[name], known, commit))
    out = [b.rstrip("\n") + "\n\n" for b in kept]
    open(DATA, "w").write(head + "".join("[[policy]]\n" + b for b in out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
