//! Spot checks of `tlsfloor diagnose`'s simulation against real handshakes: an `openssl
//! s_server` configured like a built-in policy, and `openssl s_client` restricted like each
//! built-in client profile (its versions, its suites, its groups). The simulation must agree
//! with the real handshake on success/failure, version, suite and (when shown) group.
//!
//! The client offer given to the simulator is the profile narrowed to what the local OpenSSL
//! can actually send (asked from `openssl ciphers -V` itself), since that is what s_client
//! offers. Both peers run at `@SECLEVEL=0` so OpenSSL's security levels do not add refusals
//! the policy does not have.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use tlsfloor_diagnose::model::{CertKey, ClientOffer, ServerConfig};
use tlsfloor_diagnose::server::from_policy;
use tlsfloor_diagnose::{profiles, simulate, Verdict};
use tlsfloor_testkit::{require, Peer};
use tlsfloor_wire::suites;
use tlsfloor_wire::Version;

/// Suite codes the local `openssl` can offer, from `openssl ciphers -V`.
fn openssl_codes() -> HashSet<u16> {
    let out = Command::new("openssl")
        .args(["ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
        .output()
        .expect("run openssl ciphers");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let codes: HashSet<u16> = text
        .lines()
        .filter_map(|l| {
            let t = l.trim();
            let hi = u8::from_str_radix(t.get(2..4)?, 16).ok()?;
            let lo = u8::from_str_radix(t.get(7..9)?, 16).ok()?;
            Some(u16::from_be_bytes([hi, lo]))
        })
        .collect();
    assert!(codes.len() > 50, "openssl ciphers -V listed too few suites");
    codes
}

/// Groups s_client/s_server accept by name here, by code.
const OPENSSL_GROUPS: &[(u16, &str)] = &[
    (29, "X25519"),
    (23, "P-256"),
    (24, "P-384"),
    (25, "P-521"),
    (30, "X448"),
    (256, "ffdhe2048"),
    (257, "ffdhe3072"),
    (258, "ffdhe4096"),
];

fn group_openssl_name(code: u16) -> Option<&'static str> {
    OPENSSL_GROUPS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

fn proto_name(v: Version) -> &'static str {
    match v {
        Version::Ssl30 => "SSLv3",
        Version::Tls10 => "TLSv1",
        Version::Tls11 => "TLSv1.1",
        Version::Tls12 => "TLSv1.2",
        Version::Tls13 => "TLSv1.3",
    }
}

fn openssl_name(code: u16) -> Option<&'static str> {
    suites::by_code(code).and_then(|s| s.openssl)
}

fn cipher_args(codes: &[u16]) -> (String, String) {
    let legacy: Vec<&str> = codes
        .iter()
        .filter(|c| !(0x1301..=0x1305).contains(*c))
        .filter_map(|c| openssl_name(*c))
        .collect();
    let tls13: Vec<&str> = codes
        .iter()
        .filter(|c| (0x1301..=0x1305).contains(*c))
        .filter_map(|c| openssl_name(*c))
        .collect();
    (legacy.join(":"), tls13.join(":"))
}

/// Starts s_server configured like `server`.
fn start_server(server: &ServerConfig) -> Peer {
    let (legacy, _) = cipher_args(&server.suites);
    let (_, tls13) = cipher_args(&server.tls13_suites);
    let min = server.versions.iter().min().copied().expect("versions");
    let max = server.versions.iter().max().copied().expect("versions");
    let cipher = if legacy.is_empty() {
        "@SECLEVEL=0".to_string()
    } else {
        format!("{legacy}:@SECLEVEL=0")
    };
    let groups: Vec<&str> = server
        .groups
        .iter()
        .filter_map(|g| group_openssl_name(*g))
        .collect();
    let groups = groups.join(":");
    let mut args: Vec<&str> = vec![
        "-cipher",
        &cipher,
        "-min_protocol",
        proto_name(min),
        "-max_protocol",
        proto_name(max),
        "-groups",
        &groups,
    ];
    if !tls13.is_empty() {
        args.extend(["-ciphersuites", &tls13]);
    }
    if server.server_preference {
        args.push("-serverpref");
    }
    let ecdsa = server.cert_keys.contains(&CertKey::ECDSA_P256);
    Peer::openssl_s_server(&args, ecdsa)
}

/// The profile as s_client can send it.
fn effective_offer(p: &ClientOffer, known: &HashSet<u16>) -> Option<ClientOffer> {
    let mut o = p.clone();
    o.versions.retain(|v| *v != Version::Ssl30); // Debian's OpenSSL has no SSLv3
    o.suites.retain(|c| known.contains(c));
    o.groups.retain(|g| group_openssl_name(*g).is_some());
    if o.groups.is_empty() {
        o.groups = vec![29, 23, 30, 25, 24, 256, 257, 258, 259, 260]; // s_client default
    }
    o.key_shares = o.groups.first().map(|g| vec![*g]);
    o.sig_algs = None; // s_client offers its full default list
    if o.versions.is_empty() || !o.suites.iter().any(|c| !(0x1301..=0x1305).contains(c)) {
        return None;
    }
    if !o.suites.iter().any(|c| (0x1301..=0x1305).contains(c)) {
        o.versions.retain(|v| *v != Version::Tls13);
    }
    Some(o)
}

/// What the real handshake did.
#[derive(Debug, PartialEq)]
struct Real {
    version: Option<String>,
    suite: Option<String>,
    group: Option<String>,
}

fn run_client(port: u16, o: &ClientOffer) -> Real {
    let (legacy, tls13) = cipher_args(&o.suites);
    let groups: Vec<&str> = o
        .groups
        .iter()
        .filter_map(|g| group_openssl_name(*g))
        .collect();
    let min = o.versions.iter().min().copied().expect("versions");
    let max = o.versions.iter().max().copied().expect("versions");
    let connect = format!("127.0.0.1:{port}");
    let cipher = format!("{legacy}:@SECLEVEL=0");
    let groups = groups.join(":");
    let mut args = vec![
        "10",
        "openssl",
        "s_client",
        "-brief",
        "-connect",
        &connect,
        "-cipher",
        &cipher,
        "-min_protocol",
        proto_name(min),
        "-max_protocol",
        proto_name(max),
        "-groups",
        &groups,
    ];
    if !tls13.is_empty() {
        args.extend(["-ciphersuites", &tls13]);
    }
    let out = Command::new("timeout")
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl s_client");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_string()))
    };
    let group = field("Server Temp Key:").and_then(|k| {
        let k = k.to_ascii_lowercase();
        if k.starts_with("x25519") {
            Some("x25519".to_string())
        } else if k.starts_with("x448") {
            Some("x448".to_string())
        } else if k.contains("prime256v1") || k.contains("p-256") {
            Some("secp256r1".to_string())
        } else if k.contains("secp384r1") || k.contains("p-384") {
            Some("secp384r1".to_string())
        } else if k.contains("secp521r1") || k.contains("p-521") {
            Some("secp521r1".to_string())
        } else {
            None
        }
    });
    Real {
        version: field("Protocol version:"),
        suite: field("Ciphersuite:"),
        group,
    }
}

/// Returns (clients checked, real successes, real failures).
fn check_policy(policy_id: &str, cert: CertKey) -> (usize, usize, usize) {
    let policy = tlsfloor_policy::find_builtin(policy_id).expect("built-in policy");
    let server = from_policy(policy, &[cert]);
    let peer = start_server(&server);
    let known = openssl_codes();
    let (mut checked, mut ok, mut failed) = (0, 0, 0);
    let mut mismatches = Vec::new();
    for p in profiles::builtin().expect("profiles") {
        let Some(offer) = effective_offer(&p.offer, &known) else {
            continue;
        };
        let real = run_client(peer.port, &offer);
        if real.suite.is_some() {
            ok += 1;
        } else {
            failed += 1;
        }
        let sim = simulate(&offer, &server);
        let agrees = match &sim {
            Verdict::Success(n) => {
                let name = openssl_name(n.suite).unwrap_or("?");
                real.version.as_deref() == Some(proto_name(n.version))
                    && real.suite.as_deref() == Some(name)
                    && match (&real.group, n.group) {
                        (Some(g), Some(code)) => *g == tlsfloor_wire::group_name(code),
                        _ => true,
                    }
            }
            Verdict::Failure(_) => real.version.is_none() && real.suite.is_none(),
        };
        if !agrees {
            mismatches.push(format!("{}: simulated {sim:?}, real {real:?}", p.offer.id));
        }
        checked += 1;
        eprintln!("{policy_id}: {}: {real:?}", p.offer.id);
    }
    assert!(
        mismatches.is_empty(),
        "{policy_id} ({}): simulation disagrees with the real handshake:\n{}",
        cert.label(),
        mismatches.join("\n")
    );
    (checked, ok, failed)
}

#[test]
fn elb_tls13_1_2_matches_real_handshakes() {
    require("openssl", "openssl");
    let (checked, ok, failed) = check_policy("ELBSecurityPolicy-TLS13-1-2-2021-06", CertKey::Rsa);
    assert!(
        checked >= 20 && ok >= 15,
        "{checked} checked, {ok} succeeded"
    );
    assert!(
        failed >= 2,
        "TLS 1.0-only profiles must fail for real: {failed} failed"
    );
}

#[test]
fn elb_2016_08_matches_real_handshakes() {
    require("openssl", "openssl");
    let (checked, ok, _) = check_policy("ELBSecurityPolicy-2016-08", CertKey::Rsa);
    assert!(
        checked >= 20 && ok >= 20,
        "{checked} checked, {ok} succeeded"
    );
}

#[test]
fn elb_fs_1_2_res_ecdsa_matches_real_handshakes() {
    require("openssl", "openssl");
    let (checked, ok, failed) =
        check_policy("ELBSecurityPolicy-FS-1-2-Res-2020-10", CertKey::ECDSA_P256);
    assert!(
        checked >= 20 && ok >= 10,
        "{checked} checked, {ok} succeeded"
    );
    assert!(failed >= 1, "{failed} failed");
}

#[test]
fn elb_tls13_1_0_ecdsa_matches_real_handshakes() {
    require("openssl", "openssl");
    let (checked, ok, _) = check_policy("ELBSecurityPolicy-TLS13-1-0-2021-06", CertKey::ECDSA_P256);
    assert!(
        checked >= 20 && ok >= 10,
        "{checked} checked, {ok} succeeded"
    );
}

#[test]
fn mozilla_intermediate_client_order_matches_real_handshakes() {
    require("openssl", "openssl");
    let (checked, ok, _) = check_policy("mozilla/intermediate", CertKey::Rsa);
    assert!(
        checked >= 20 && ok >= 15,
        "{checked} checked, {ok} succeeded"
    );
}
