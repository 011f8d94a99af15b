#!/usr/bin/env python3
"""Generate crates/wire/src/suites_data.rs, the cipher-suite registry of tlsfloor-wire.

Inputs (all under scripts/data/, committed so the output is reproducible offline):

- tls-ciphersuites.txt: tls-parser 0.12.2's IANA-derived table (MIT/Apache-2.0), columns
  code:iana:kx:au:enc:mode:size:mac:macsize:prf:prfsize:rfc:export:minver:maxver.
  Its minver/maxver columns are not trustworthy (every row says 0300..ffff), so the version
  range is derived here from the suite itself (see `version_range`).
- extra-suites.txt: IANA-registered suites the tls-parser extractor skips (GOST).
- openssl-ciphers.txt: `openssl ciphers -V` output (OpenSSL 3.0) for OpenSSL names and for the
  lowest protocol OpenSSL negotiates a suite in.
- openssl-legacy-names.txt: OpenSSL 1.0.2 names of suites OpenSSL 3 no longer builds.

Usage: python3 scripts/gen-suites.py [--check]
  --check: exit 1 if the committed file differs from what would be generated.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scripts" / "data"
OUT = ROOT / "crates" / "wire" / "src" / "suites_data.rs"

SCSVS = {0x00FF, 0x5600}

VERSIONS = {
    0x0300: "Version::Ssl30",
    0x0301: "Version::Tls10",
    0x0302: "Version::Tls11",
    0x0303: "Version::Tls12",
    0x0304: "Version::Tls13",
}


def read_openssl():
    """code -> (name, protocol) from `openssl ciphers -V` output."""
    names = {}
    pat = re.compile(r"^\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})\s+-\s+(\S+)\s+(\S+)")
    for line in (DATA / "openssl-ciphers.txt").read_text().splitlines():
        m = pat.match(line)
        if m:
            code = int(m.group(1) + m.group(2), 16)
            names[code] = (m.group(3), m.group(4))
    return names


def read_legacy():
    names = {}
    for line in (DATA / "openssl-legacy-names.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        code, name = line.split()
        names[int(code, 16)] = name
    return names


def cipher_part(iana, kx):
    """The bulk-cipher-and-MAC part of an IANA name: 'AES_128_GCM_SHA256'."""
    if kx == "TLS13":
        return iana[len("TLS_"):]
    return iana.split("_WITH_", 1)[1]


HASHES = {"MD5": "MD5", "SHA": "SHA1", "SHA256": "SHA256", "SHA384": "SHA384",
          "SHA512": "SHA512", "SM3": "SM3", "NULL": "NULL"}


def split_enc_mac(part):
    """('AES_128_GCM_SHA256') -> ('AES-128-GCM', 'SHA256'); CCM names carry no hash."""
    toks = part.split("_")
    if toks[-1] == "CCM" or toks[-2:] == ["CCM", "8"]:
        enc_toks, mac = toks, None
    else:
        enc_toks, mac = toks[:-1], HASHES[toks[-1]]
    enc = "-".join(enc_toks)
    if enc == "":
        enc = "NULL"
    enc = enc.replace("CCM-8", "CCM8")
    # TLS_SHA256_SHA256 / TLS_SHA384_SHA384 (RFC 9150): integrity only.
    if enc in ("SHA256", "SHA384"):
        enc = "NULL"
    return enc, mac


AEAD_MARKERS = ("GCM", "CCM", "CHACHA20", "AEGIS", "MGM")


def version_range(kx, auth, enc, mac, export):
    """(min, max) wire versions a server may legally negotiate this suite in."""
    if kx == "TLS13":
        return 0x0304, 0x0304
    if kx == "ECCPWD":  # RFC 8492: TLS 1.2 and TLS 1.3
        return 0x0303, 0x0304
    lo = 0x0300
    aead = any(m in enc for m in AEAD_MARKERS)
    if aead or mac in ("SHA256", "SHA384"):
        lo = 0x0303
        # RFC 5487 / 5489 PSK suites with a SHA-256/384 HMAC may be used with TLS 1.0+ (the
        # PRF is the negotiated version's own); OpenSSL agrees (its protocol column: TLSv1).
        if not aead and auth == "PSK":
            lo = 0x0301
    # RFC 4346 (TLS 1.1): export suites MUST NOT be negotiated in TLS 1.1 or later.
    hi = 0x0301 if export else 0x0303
    return lo, hi


def auth_of(iana, kx, au):
    if "_anon_" in iana:
        return "anon"
    if au.startswith("SRP+"):
        return au[len("SRP+"):]
    if kx == "NULL":
        return "NULL"
    return au


def bits_of(enc, size):
    if enc.startswith("CHACHA20"):
        return 256
    return size


def rs_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    check = "--check" in sys.argv[1:]
    openssl = read_openssl()
    legacy = read_legacy()
    rows = {}
    for line in (DATA / "tls-ciphersuites.txt").read_text().splitlines():
        if not line.strip():
            continue
        f = line.split(":")
        code = int(f[0], 16)
        if code in SCSVS:
            continue
        iana, kx, au, size = f[1], f[2], f[3], int(f[6])
        if iana.startswith("TLS_PSK_DHE_WITH_"):  # RFC 6655 spells DHE_PSK backwards
            kx, au = "DHE", "PSK"
        export = "_EXPORT" in iana
        if code == 0x0000:
            enc, mac = "NULL", "NULL"
        else:
            enc, mac = split_enc_mac(cipher_part(iana, kx))
        if mac is None or any(m in enc for m in AEAD_MARKERS):
            mac = "AEAD"
        if enc == "NULL" and mac == "AEAD":
            mac = "NULL"
        rows[code] = dict(iana=iana, kx=kx, auth=auth_of(iana, kx, au), enc=enc,
                          bits=bits_of(enc, size), mac=mac, export=export, range=None)
    for line in (DATA / "extra-suites.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, iana, kx, au, enc, bits, mac, lo, hi, export = line.split(":")
        rows[int(code, 16)] = dict(iana=iana, kx=kx, auth=au, enc=enc, bits=int(bits), mac=mac,
                                   export=export == "1", range=(int(lo, 16), int(hi, 16)))

    out = []
    out.append("// @generated by scripts/gen-suites.py - do not edit by hand; re-run the script.")
    out.append("//")
    out.append("// Sources (scripts/data/):")
    out.append("// - tls-ciphersuites.txt: tls-parser 0.12.2's table derived from the IANA TLS Cipher")
    out.append("//   Suites registry (MIT/Apache-2.0): codes, IANA names, kx, auth, cipher, key bits.")
    out.append("// - extra-suites.txt: IANA GOST suites (RFC 9189, RFC 9367) the tls-parser table skips.")
    out.append("// - openssl-ciphers.txt: `openssl ciphers -V` of " +
               (DATA / "openssl-ciphers.txt").read_text().splitlines()[0].lstrip("# ").split(" (")[0] +
               " (OpenSSL names).")
    out.append("// - openssl-legacy-names.txt: OpenSSL 1.0.2 names of suites OpenSSL 3 no longer builds.")
    out.append("// Version ranges: TLS 1.3 suites 1.3 only; AEAD and SHA-256/384-MAC suites TLS 1.2+")
    out.append("// (except PSK suites OpenSSL negotiates from TLS 1.0, per RFC 5487/5489); export suites")
    out.append("// at most TLS 1.0 (RFC 4346); everything else SSLv3..TLS 1.2.")
    out.append("")
    out.append("use crate::suites::CipherSuite;")
    out.append("use crate::version::Version;")
    out.append("")
    out.append("/// Every registered cipher suite (no SCSVs), sorted by code.")
    out.append("pub(crate) static SUITES: &[CipherSuite] = &[")
    for code in sorted(rows):
        r = rows[code]
        ossl = openssl.get(code)
        name = ossl[0] if ossl else legacy.get(code)
        lo, hi = r["range"] or version_range(r["kx"], r["auth"], r["enc"], r["mac"], r["export"])
        openssl_field = f"Some({rs_str(name)})" if name else "None"
        out.append("    CipherSuite {")
        out.append(f"        code: 0x{code:04X},")
        out.append(f"        iana: {rs_str(r['iana'])},")
        out.append(f"        openssl: {openssl_field},")
        out.append(f"        kx: {rs_str(r['kx'])},")
        out.append(f"        auth: {rs_str(r['auth'])},")
        out.append(f"        enc: {rs_str(r['enc'])},")
        out.append(f"        bits: {r['bits']},")
        out.append(f"        mac: {rs_str(r['mac'])},")
        out.append(f"        min_version: {VERSIONS[lo]},")
        out.append(f"        max_version: {VERSIONS[hi]},")
        out.append(f"        export: {'true' if r['export'] else 'false'},")
        out.append("    },")
    out.append("];")
    text = "\n".join(out) + "\n"

    # Keep the committed file rustfmt-clean.
    with tempfile.NamedTemporaryFile("w", suffix=".rs", delete=False) as tmp:
        tmp.write(text)
    subprocess.run(["rustfmt", "--edition", "2021", tmp.name], check=True)
    text = Path(tmp.name).read_text()
    Path(tmp.name).unlink()

    missing = [c for c in openssl if c not in rows and c not in SCSVS]
    if missing:
        print("warning: OpenSSL suites missing from the IANA table: " +
              ", ".join(f"0x{c:04X}" for c in missing), file=sys.stderr)
    if check:
        if OUT.read_text() != text:
            print(f"{OUT} is out of date: run python3 scripts/gen-suites.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} suites")
    return 0


if __name__ == "__main__":
    sys.exit(main())
