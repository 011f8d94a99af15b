//! The smallest fix on each side of a failed negotiation.
//!
//! Server side: when the server is a named policy, the most restrictive policy of the same
//! family and flavor (FIPS stays FIPS, a non-FIPS listener gets no FIPS or RFC 9151/CNSA
//! policy, PQ prefers PQ) that accepts the client (newest minimum version first, then TLS 1.3
//! support, then the fewest allowed suites, then the newest), with what it would negotiate; otherwise, and in addition, a
//! concrete setting to change. Client side: the setting to change, with a client-specific
//! hint for built-in profiles.

use crate::model::{
    group_label, suite_label, version_label, versions_label, CertKey, ClientOffer, ServerConfig,
};
use crate::server::from_policy;
use crate::simulate::{simulate, Failure, Negotiated, Rejection, Verdict};
use serde::Serialize;
use std::cmp::Reverse;
use tlsfloor_policy::Policy;
use tlsfloor_wire::suites;
use tlsfloor_wire::Version;

/// A policy that would accept the client, with what it would negotiate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicySuggestion {
    /// The policy id.
    pub policy: String,
    /// What the handshake would negotiate under it.
    #[serde(serialize_with = "crate::report::NegotiatedOut::serialize_named")]
    pub negotiated: Negotiated,
}

/// Suggested fixes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Fixes {
    /// The most restrictive policy of the server's family that accepts the client.
    pub policy: Option<PolicySuggestion>,
    /// What to change on the server.
    pub server: Vec<String>,
    /// What to change on the client.
    pub client: Vec<String>,
}

/// Orders policies from most to least restrictive.
fn strictness(p: &Policy) -> (Option<Version>, bool, Reverse<usize>) {
    let min = p.protocols.iter().copied().min();
    let tls13 = p.protocols.contains(&Version::Tls13);
    let n = p.ciphers.as_ref().map_or(usize::MAX, Vec::len)
        + p.tls13_ciphers.as_ref().map_or(0, Vec::len);
    (min, tls13, Reverse(n))
}

/// What kind of policy an id names: FIPS, post-quantum, or a special-purpose suite-B style
/// one (RFC 9151 / CNSA 2.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flavor {
    fips: bool,
    pq: bool,
    special: bool,
}

impl Flavor {
    fn of(id: &str) -> Flavor {
        Flavor {
            fips: id.contains("FIPS"),
            pq: id.contains("-PQ-"),
            special: id.contains("RFC9151") || id.contains("CNSA"),
        }
    }

    /// True when a listener of this flavor may be moved to `other`: FIPS stays FIPS (and
    /// non-FIPS stays non-FIPS), and special-purpose policies are suggested only for one.
    fn allows(self, other: Flavor) -> bool {
        self.fips == other.fips && (self.special || !other.special)
    }
}

/// The date an AWS policy id ends with (`2025-09` → 202509), 0 when none: among equally
/// small fixes the newest is the one AWS currently recommends.
fn policy_date(id: &str) -> u32 {
    let tail: Vec<&str> = id.rsplitn(3, '-').take(2).collect();
    match tail.as_slice() {
        [month, year] => format!("{year}{month}").parse().unwrap_or(0),
        _ => 0,
    }
}

/// The most restrictive policy of `family` among `policies` under which `client` succeeds,
/// of the same flavor as the server's current policy `current` (FIPS stays FIPS, PQ prefers
/// PQ); ties go to the newest policy.
pub fn best_policy(
    client: &ClientOffer,
    family: &str,
    current: &str,
    cert_keys: &[CertKey],
    policies: &[Policy],
) -> Option<PolicySuggestion> {
    let here = Flavor::of(current);
    let mut ok: Vec<(&Policy, Negotiated)> = policies
        .iter()
        .filter(|p| p.family == family && here.allows(Flavor::of(&p.id)))
        .filter_map(|p| match simulate(client, &from_policy(p, cert_keys)) {
            Verdict::Success(n) => Some((p, n)),
            Verdict::Failure(_) => None,
        })
        .collect();
    ok.sort_by_key(|(p, _)| {
        (
            Reverse(strictness(p)),
            Flavor::of(&p.id).pq != here.pq,
            Reverse(policy_date(&p.id)),
        )
    });
    ok.into_iter().next().map(|(p, n)| PolicySuggestion {
        policy: p.id.clone(),
        negotiated: n,
    })
}

/// Fixes for `failure`; `policies` are the candidates for a policy suggestion.
pub fn suggest(
    client: &ClientOffer,
    server: &ServerConfig,
    failure: &Failure,
    policies: &[Policy],
) -> Fixes {
    let mut fixes = Fixes::default();
    if let Some(family) = &server.family {
        if let Some(s) = best_policy(client, family, &server.id, &server.cert_keys, policies) {
            fixes.server.push(format!(
                "switch to {} (the most restrictive {family} policy that accepts this client; \
                 it would negotiate {} {})",
                s.policy,
                version_label(s.negotiated.version),
                suite_label(s.negotiated.suite)
            ));
            fixes.policy = Some(s);
        } else {
            fixes.server.push(format!(
                "no built-in {family} policy accepts this client: the client must change"
            ));
        }
    }
    match failure {
        Failure::NoCommonProtocol { .. } => protocol_fixes(client, server, &mut fixes),
        Failure::NoCommonSuite { version, .. } => suite_fixes(client, server, *version, &mut fixes),
        Failure::NoCommonGroup { .. } => group_fixes(client, server, &mut fixes),
        Failure::CertificateMismatch { version, suites } => {
            cert_fixes(server, *version, suites, &mut fixes)
        }
        Failure::CertificateCurve { needs, .. } => {
            let curve = crate::model::group_label(*needs);
            fixes.client.push(format!(
                "offer {curve} in supported_groups (the server's ECDSA certificate is on it)"
            ));
            fixes.server.push(format!(
                "add an RSA certificate, or an ECDSA certificate on a curve the client offers \
                 (the current one needs {curve})"
            ));
        }
        Failure::InappropriateFallback { server_max, .. } => {
            fixes.client.push(format!(
                "connect with {} first: the client fell back after a failed attempt (find why \
                 that attempt failed), and fallback retries with the SCSV are refused by design",
                crate::model::version_label(*server_max)
            ));
        }
        Failure::NoSignatureAlgorithm { version } => {
            let scheme = match server.cert_keys.first() {
                Some(CertKey::Ecdsa { .. }) => "ecdsa_secp256r1_sha256",
                _ if *version == Version::Tls13 => "rsa_pss_rsae_sha256",
                _ => "rsa_pkcs1_sha256 or rsa_pss_rsae_sha256",
            };
            fixes
                .client
                .push(format!("offer the signature algorithm {scheme}"));
            fixes.server.push(
                "present a certificate whose key the client can verify (e.g. add an RSA certificate)"
                    .into(),
            );
        }
        Failure::NoUsableSuite { version, rejected } => {
            if rejected
                .iter()
                .any(|(_, r)| matches!(r, Rejection::NoCommonGroup))
            {
                group_fixes(client, server, &mut fixes);
            }
            let suites: Vec<u16> = rejected
                .iter()
                .filter(|(_, r)| matches!(r, Rejection::CertKeyMismatch { .. }))
                .map(|(c, _)| *c)
                .collect();
            if !suites.is_empty() {
                cert_fixes(server, *version, &suites, &mut fixes);
            }
            if rejected
                .iter()
                .any(|(_, r)| matches!(r, Rejection::NoDhParams))
            {
                fixes
                    .server
                    .push("configure DH parameters (2048 bits or more) for DHE suites".into());
            }
        }
    }
    fixes
}

/// Client-specific advice for enabling newer TLS versions, by built-in profile id.
fn client_version_hint(client: &ClientOffer, want: Version) -> Option<String> {
    let id = client.id.as_str();
    let v = version_label(want);
    let hint = if id.starts_with("java-7") {
        "Java 7: add -Djdk.tls.client.protocols=TLSv1.2 (7u95+) or -Dhttps.protocols=TLSv1.2 for HttpsURLConnection, or use SSLContext.getInstance(\"TLSv1.2\"); better, upgrade to Java 8 or newer".to_string()
    } else if id.starts_with("dotnet") {
        format!(".NET Framework 4.5: set ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12 in code, or the registry values SchUseStrongCrypto=1 and SystemDefaultTlsVersions=1; better, target .NET Framework 4.7 or newer so the OS default ({v}) is used")
    } else if id.starts_with("awscli-v1") {
        "AWS CLI v1 uses the OpenSSL its Python is linked with: use a Python built with OpenSSL 1.0.1 or newer (TLS 1.2), or install AWS CLI v2 (AWS CLI user guide, 'Enforcing a minimum version of TLS 1.2')".to_string()
    } else if id.starts_with("android-4") {
        "Android 4.x: enable TLS 1.1/1.2 on the SSLSocket (setEnabledProtocols) or install a newer provider with Google Play services' ProviderInstaller".to_string()
    } else if id.starts_with("openssl") || id.starts_with("python") || id.starts_with("curl") {
        format!("OpenSSL-based client: allow {v} (e.g. `-{}` / MinProtocol/MaxProtocol in openssl.cnf, ssl.SSLContext.maximum_version, curl --tls-max)", openssl_flag(want))
    } else {
        return None;
    };
    Some(hint)
}

fn openssl_flag(v: Version) -> &'static str {
    match v {
        Version::Ssl30 => "ssl3",
        Version::Tls10 => "tls1",
        Version::Tls11 => "tls1_1",
        Version::Tls12 => "tls1_2",
        Version::Tls13 => "tls1_3",
    }
}

fn protocol_fixes(client: &ClientOffer, server: &ServerConfig, fixes: &mut Fixes) {
    let (Some(cmax), Some(cmin)) = (client.max_version(), client.min_version()) else {
        return;
    };
    let smin = server.min_version();
    let smax = server.versions.iter().copied().max();
    if smin.is_some_and(|s| s > cmax) {
        let want = smin.unwrap_or(Version::Tls12);
        fixes.client.push(format!(
            "enable {} or newer in the client (it offers {})",
            version_label(want),
            versions_label(&client.versions)
        ));
        if let Some(h) = client_version_hint(client, want) {
            fixes.client.push(h);
        }
        fixes.server.push(format!(
            "allow {} on the server (it allows {}); this re-enables a legacy protocol",
            version_label(cmax),
            versions_label(&server.versions)
        ));
    } else if smax.is_some_and(|s| s < cmin) {
        fixes.server.push(format!(
            "enable {} on the server (it allows only {})",
            version_label(cmin),
            versions_label(&server.versions)
        ));
        fixes.client.push(format!(
            "allow {} in the client (not recommended)",
            version_label(smax.unwrap_or(Version::Tls10))
        ));
    } else {
        fixes.server.push(format!(
            "allow one of the client's versions ({}) without gaps",
            versions_label(&client.versions)
        ));
    }
}

/// Server suites at `version` the server can actually use (kx/auth match its certificates).
fn server_workable(server: &ServerConfig, version: Version) -> Vec<u16> {
    server
        .suites_for(version)
        .iter()
        .copied()
        .filter(|c| suites::by_code(*c).is_some_and(|s| s.allowed_in(version)))
        .filter(|c| workable(server, *c, version))
        .collect()
}

fn workable(server: &ServerConfig, code: u16, version: Version) -> bool {
    let Some(s) = suites::by_code(code) else {
        return false;
    };
    if version == Version::Tls13 {
        return s.kx == "TLS13";
    }
    let kx_ok = match s.kx {
        "ECDHE" | "RSA" => true,
        "DHE" => server.dh_params,
        _ => false,
    };
    let auth_ok = match s.auth {
        "RSA" => server.cert_keys.contains(&CertKey::Rsa),
        "ECDSA" => server
            .cert_keys
            .iter()
            .any(|k| matches!(k, CertKey::Ecdsa { .. })),
        _ => false,
    };
    kx_ok && auth_ok && !s.export
}

/// Up to three suites the server can negotiate at `version`, labelled, as examples for a fix.
fn example_suites(server: &ServerConfig, version: Version) -> Vec<String> {
    server_workable(server, version)
        .into_iter()
        .take(3)
        .map(suite_label)
        .collect()
}

fn suite_fixes(client: &ClientOffer, server: &ServerConfig, version: Version, fixes: &mut Fixes) {
    let offer = example_suites(server, version);
    if !offer.is_empty() {
        fixes.client.push(format!(
            "offer one of the server's {} suites, e.g. {}",
            version_label(version),
            offer.join(", ")
        ));
    }
    let add = client.suites.iter().copied().find(|c| {
        suites::by_code(*c).is_some_and(|s| s.allowed_in(version)) && workable(server, *c, version)
    });
    if let Some(c) = add {
        fixes.server.push(format!(
            "allow {} (the client's most preferred suite the server's certificate supports)",
            suite_label(c)
        ));
    }
}

fn group_fixes(client: &ClientOffer, server: &ServerConfig, fixes: &mut Fixes) {
    const SAFE: [u16; 4] = [29, 23, 24, 25];
    let client_pick = client
        .groups
        .iter()
        .copied()
        .find(|g| SAFE.contains(g))
        .or_else(|| client.groups.first().copied());
    if let Some(g) = client_pick {
        fixes
            .server
            .push(format!("accept the group {} on the server", group_label(g)));
    }
    let server_pick: Vec<String> = server
        .groups
        .iter()
        .copied()
        .filter(|g| SAFE.contains(g))
        .take(2)
        .map(group_label)
        .collect();
    if !server_pick.is_empty() {
        fixes.client.push(format!(
            "offer the group {} in the client",
            server_pick.join(" or ")
        ));
    }
}

fn cert_fixes(server: &ServerConfig, version: Version, suites_: &[u16], fixes: &mut Fixes) {
    let needs_ecdsa = suites_
        .iter()
        .any(|c| suites::by_code(*c).is_some_and(|s| s.auth == "ECDSA"));
    let needs_rsa = suites_
        .iter()
        .any(|c| suites::by_code(*c).is_some_and(|s| s.auth == "RSA"));
    if needs_ecdsa
        && !server
            .cert_keys
            .iter()
            .any(|k| matches!(k, CertKey::Ecdsa { .. }))
    {
        fixes
            .server
            .push("add an ECDSA (P-256) certificate to the listener".into());
    }
    if needs_rsa && !server.cert_keys.contains(&CertKey::Rsa) {
        fixes
            .server
            .push("add an RSA certificate to the listener".into());
    }
    let offer = example_suites(server, version);
    if !offer.is_empty() {
        fixes.client.push(format!(
            "offer a suite for the server's certificate, e.g. {}",
            offer.join(", ")
        ));
    }
}
