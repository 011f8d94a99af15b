//! The server's selection, simulated the way OpenSSL (and the AWS listeners) do it.
//!
//! 1. Version: the highest version both sides allow. A client that offers TLS 1.3 sends
//!    supported_versions and the server picks from that list; an older client states only its
//!    maximum, the server answers with its highest version at or below it, and the client
//!    aborts when that is below its own minimum.
//! 2. Suite: at the chosen version only (servers do not fall back to an older version when no
//!    suite fits). Candidates are the suites both sides allow at that version, tried in the
//!    server's order when it has server preference, else in the client's order. A candidate
//!    is skipped when its key exchange or authentication cannot be done: ECDHE needs a shared
//!    group, DHE needs DH parameters, RSA key exchange and `*-RSA-*` suites need an RSA
//!    certificate, `*-ECDSA-*` suites an ECDSA certificate on a curve the client supports, and
//!    at TLS 1.2 the client must offer a signature algorithm for the certificate. Static
//!    (EC)DH, PSK, SRP, DSS, anonymous and export suites are never selected.
//! 3. TLS 1.3: the group is the first of the client's key shares the server accepts, else
//!    (HelloRetryRequest) the first shared group in the preferred order; the certificate must
//!    match a signature scheme the client offers.
//!
//! Pure functions: no I/O.

use crate::model::{
    group_label, suite_label, version_label, versions_label, CertKey, ClientOffer, ServerConfig,
};
use serde::Serialize;
use std::fmt;
use tlsfloor_wire::suites::{self, CipherSuite};
use tlsfloor_wire::Version;

/// A successful handshake's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Negotiated {
    /// The negotiated protocol version.
    pub version: Version,
    /// The selected cipher suite code.
    pub suite: u16,
    /// The key-exchange group (ECDHE and TLS 1.3), if any.
    pub group: Option<u16>,
    /// The certificate the server presents.
    pub cert: CertKey,
    /// True when TLS 1.3 needed a HelloRetryRequest (no usable key share in the first hello).
    pub hello_retry: bool,
}

/// Why one candidate suite could not be selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Rejection {
    /// ECDHE (or TLS 1.3) needs a group both sides support.
    NoCommonGroup,
    /// The suite authenticates with a key type the server has no certificate for.
    CertKeyMismatch {
        /// The key type the suite needs (`RSA`, `ECDSA`, `DSS`).
        needs: String,
    },
    /// The client offers no signature algorithm the server's certificate can sign with.
    NoSignatureAlgorithm,
    /// An ECDSA certificate's curve is not among the groups the client lists (RFC 8422 §5.1).
    CertificateCurve {
        /// The curve of the server's ECDSA certificate.
        needs: u16,
        /// The groups the client lists.
        offered: Vec<u16>,
    },
    /// An OpenSSL 3 client at security level 1 refuses the SHA-1/MD5-SHA1 signature of a
    /// TLS 1.0/1.1 (EC)DHE key exchange.
    LegacySignature {
        /// The client's OpenSSL security level.
        level: u8,
    },
    /// DHE needs DH parameters the server does not have.
    NoDhParams,
    /// The key exchange is one the simulated server never uses (PSK, SRP, static DH, …).
    UnsupportedKeyExchange {
        /// The key exchange, as the suite registry names it.
        kx: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NoCommonGroup => f.write_str("no common group for the key exchange"),
            Rejection::CertKeyMismatch { needs } => {
                write!(f, "needs an {needs} certificate")
            }
            Rejection::NoSignatureAlgorithm => {
                f.write_str("client offers no signature algorithm for the certificate")
            }
            Rejection::CertificateCurve { needs, offered } => write!(
                f,
                "certificate needs {}; client offers {}",
                group_label(*needs),
                group_list(offered)
            ),
            Rejection::LegacySignature { level } => write!(
                f,
                "the client's OpenSSL security level {level} refuses the SHA-1/MD5 signature of \
                 a TLS 1.0/1.1 key exchange"
            ),
            Rejection::NoDhParams => f.write_str("server has no DH parameters"),
            Rejection::UnsupportedKeyExchange { kx } => {
                write!(f, "key exchange {kx} is not used by the server")
            }
        }
    }
}

/// Why the handshake fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Failure {
    /// No protocol version both sides accept.
    NoCommonProtocol {
        /// The version the server would answer with, when it answers at all (below the
        /// client's minimum, so the client aborts).
        server_pick: Option<Version>,
    },
    /// At the negotiated version, no suite is allowed by both.
    NoCommonSuite {
        /// The version negotiated.
        version: Version,
        /// The client's suites usable at that version, client order.
        client_suites: Vec<u16>,
        /// The server's suites at that version, server order.
        server_suites: Vec<u16>,
    },
    /// Shared suites exist but all need a group and none is shared.
    NoCommonGroup {
        /// The version negotiated.
        version: Version,
        /// The shared suites that needed a group.
        suites: Vec<u16>,
    },
    /// Shared suites exist but all need a certificate key type the server lacks.
    CertificateMismatch {
        /// The version negotiated.
        version: Version,
        /// The shared suites.
        suites: Vec<u16>,
    },
    /// The client sent TLS_FALLBACK_SCSV (it is retrying below its best version) and the
    /// server supports a higher version than the one negotiated: RFC 7507 makes the server
    /// abort with inappropriate_fallback (OpenSSL and s2n-tls both do).
    InappropriateFallback {
        /// The version the hello would negotiate.
        version: Version,
        /// The server's highest version.
        server_max: Version,
    },
    /// The suites in common need the server's ECDSA certificate, whose curve the client does
    /// not list (the RSA ones, if any, an RSA certificate the server lacks).
    CertificateCurve {
        /// The version negotiated.
        version: Version,
        /// The certificate's curve.
        needs: u16,
    },
    /// The client offers no signature algorithm for any certificate of the server.
    NoSignatureAlgorithm {
        /// The version negotiated.
        version: Version,
    },
    /// Shared suites exist but each is unusable, for different reasons.
    NoUsableSuite {
        /// The version negotiated.
        version: Version,
        /// Each shared suite with the reason it was skipped.
        rejected: Vec<(u16, Rejection)>,
    },
}

impl Failure {
    /// A stable machine-readable code: `no_common_protocol`, `no_common_suite`, …
    pub fn code(&self) -> &'static str {
        match self {
            Failure::NoCommonProtocol { .. } => "no_common_protocol",
            Failure::NoCommonSuite { .. } => "no_common_suite",
            Failure::NoCommonGroup { .. } => "no_common_group",
            Failure::CertificateMismatch { .. } => "certificate_mismatch",
            Failure::NoSignatureAlgorithm { .. } => "no_signature_algorithm",
            Failure::InappropriateFallback { .. } => "inappropriate_fallback",
            Failure::CertificateCurve { .. } => "certificate_curve",
            Failure::NoUsableSuite { .. } => "no_usable_suite",
        }
    }

    /// The version the failure happened at, when one was negotiated.
    pub fn version(&self) -> Option<Version> {
        match self {
            Failure::NoCommonProtocol { .. } => None,
            Failure::NoCommonSuite { version, .. }
            | Failure::NoCommonGroup { version, .. }
            | Failure::CertificateMismatch { version, .. }
            | Failure::NoSignatureAlgorithm { version }
            | Failure::InappropriateFallback { version, .. }
            | Failure::CertificateCurve { version, .. }
            | Failure::NoUsableSuite { version, .. } => Some(*version),
        }
    }

    /// The exact reason in one sentence, naming both sides.
    pub fn message(&self, client: &ClientOffer, server: &ServerConfig) -> String {
        let who = server_label(server);
        match self {
            Failure::NoCommonProtocol { server_pick } => {
                let server_min = server.min_version();
                let server_max = server.versions.iter().copied().max();
                let client_part = match (client.min_version(), client.max_version()) {
                    (_, Some(hi)) if server_min.is_some_and(|s| s > hi) => {
                        format!("client offers {} max", version_label(hi))
                    }
                    (Some(lo), _) if server_max.is_some_and(|s| s < lo) => {
                        format!("client requires {} min", version_label(lo))
                    }
                    (Some(_), Some(_)) => {
                        format!("client offers {}", versions_label(&client.versions))
                    }
                    _ => "client offers no protocol version".to_string(),
                };
                let mut s = format!(
                    "no protocol in common: {client_part}, {who} allows {}",
                    versions_label(&server.versions)
                );
                if let Some(p) = server_pick {
                    s.push_str(&format!(
                        " (the server would answer {}, which the client refuses)",
                        version_label(*p)
                    ));
                }
                s
            }
            Failure::NoCommonSuite {
                version,
                client_suites,
                server_suites,
            } => format!(
                "no cipher suite in common at {}: client offers {}, {who} allows {}",
                version_label(*version),
                suite_list(client_suites),
                suite_list(server_suites)
            ),
            Failure::NoCommonGroup { version, suites } => format!(
                "no group in common at {} for {}: client offers {}, {who} accepts {}",
                version_label(*version),
                suite_list(suites),
                group_list(&client.groups),
                group_list(&server.groups)
            ),
            Failure::CertificateMismatch { version, suites } => format!(
                "no usable certificate at {}: the suites in common ({}) need {}, {who} has {}",
                version_label(*version),
                suite_list(suites),
                needed_keys(suites),
                cert_list(&server.cert_keys)
            ),
            Failure::InappropriateFallback {
                version,
                server_max,
            } => format!(
                "inappropriate_fallback: the client sent TLS_FALLBACK_SCSV (a retry below its best \
                 version) in a {} hello, and {who} supports {}",
                version_label(*version),
                version_label(*server_max)
            ),
            Failure::CertificateCurve { version, needs } => format!(
                "no usable certificate at {}: the ECDSA certificate needs {}; client offers {}",
                version_label(*version),
                group_label(*needs),
                group_list(&client.groups)
            ),
            Failure::NoSignatureAlgorithm { version } => format!(
                "no signature algorithm in common at {}: client offers {}, {who} has {}",
                version_label(*version),
                sigalg_list(client.sig_algs.as_deref()),
                cert_list(&server.cert_keys)
            ),
            Failure::NoUsableSuite { version, rejected } => {
                let parts: Vec<String> = rejected
                    .iter()
                    .take(6)
                    .map(|(c, r)| format!("{} ({r})", suite_label(*c)))
                    .collect();
                let more = rejected.len().saturating_sub(6);
                format!(
                    "no usable cipher suite at {}: every suite in common is unusable: {}{}",
                    version_label(*version),
                    parts.join(", "),
                    if more > 0 {
                        format!(", … (+{more} more)")
                    } else {
                        String::new()
                    }
                )
            }
        }
    }
}

/// `policy ELBSecurityPolicy-…` for policies, `server X` otherwise.
pub fn server_label(server: &ServerConfig) -> String {
    if server.family.is_some() {
        format!("policy {}", server.name)
    } else {
        format!("server {}", server.name)
    }
}

fn truncated(items: Vec<String>, max: usize) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    let n = items.len();
    let mut out = items.into_iter().take(max).collect::<Vec<_>>().join(", ");
    if n > max {
        out.push_str(&format!(", … ({n} in all)"));
    }
    out
}

fn suite_list(codes: &[u16]) -> String {
    truncated(codes.iter().map(|c| suite_label(*c)).collect(), 6)
}

fn group_list(codes: &[u16]) -> String {
    if codes.is_empty() {
        return "none (no supported_groups extension)".to_string();
    }
    truncated(codes.iter().map(|c| group_label(*c)).collect(), 6)
}

fn cert_list(certs: &[CertKey]) -> String {
    if certs.is_empty() {
        return "no certificate".to_string();
    }
    let labels: Vec<String> = certs.iter().map(|c| c.label()).collect();
    format!("{} certificate", labels.join(" + "))
}

fn sigalg_list(algs: Option<&[u16]>) -> String {
    match algs {
        None => "unknown signature algorithms".to_string(),
        Some([]) => "no signature_algorithms extension".to_string(),
        Some(list) => truncated(
            list.iter()
                .map(|a| {
                    tlsfloor_wire::fingerprint::signature_scheme_name(*a)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("0x{a:04x}"))
                })
                .collect(),
            6,
        ),
    }
}

fn needed_keys(codes: &[u16]) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for c in codes {
        if let Some(s) = suites::by_code(*c) {
            let k = needed_key(s);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    format!("an {} certificate", keys.join(" or "))
}

fn needed_key(s: &CipherSuite) -> &'static str {
    match (s.kx, s.auth) {
        (_, "ECDSA") => "ECDSA",
        (_, "DSS") => "DSS",
        _ => "RSA",
    }
}

/// The result of a simulated handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Verdict {
    /// The handshake completes with these parameters.
    Success(Negotiated),
    /// The handshake fails for this reason.
    Failure(Failure),
}

impl Verdict {
    /// True for [`Verdict::Success`].
    pub fn is_success(&self) -> bool {
        matches!(self, Verdict::Success(_))
    }
}

/// Simulates the server's answer to the client's offer.
pub fn simulate(client: &ClientOffer, server: &ServerConfig) -> Verdict {
    let version = match choose_version(client, server) {
        Ok(v) => v,
        Err(f) => return Verdict::Failure(f),
    };
    if let Some(f) = fallback_refusal(client, server, version) {
        return Verdict::Failure(f);
    }
    choose_suite(client, server, version)
}

/// RFC 7507: a hello with TLS_FALLBACK_SCSV below the server's highest version is refused.
fn fallback_refusal(
    client: &ClientOffer,
    server: &ServerConfig,
    version: Version,
) -> Option<Failure> {
    let server_max = server.versions.iter().copied().max()?;
    (client.suites.contains(&suites::TLS_FALLBACK_SCSV) && version < server_max).then_some(
        Failure::InappropriateFallback {
            version,
            server_max,
        },
    )
}

/// The version the server picks, or why none.
pub fn choose_version(client: &ClientOffer, server: &ServerConfig) -> Result<Version, Failure> {
    let common_max = |limit: Option<Version>| {
        server
            .versions
            .iter()
            .copied()
            .filter(|v| limit.is_none_or(|l| *v <= l))
            .max()
    };
    if client.offers_version(Version::Tls13) {
        // supported_versions: the server picks the highest version in the client's list.
        return server
            .versions
            .iter()
            .copied()
            .filter(|v| client.offers_version(*v))
            .max()
            .ok_or(Failure::NoCommonProtocol { server_pick: None });
    }
    let Some(client_max) = client.max_version() else {
        return Err(Failure::NoCommonProtocol { server_pick: None });
    };
    match common_max(Some(client_max)) {
        Some(v) if client.offers_version(v) => Ok(v),
        other => Err(Failure::NoCommonProtocol { server_pick: other }),
    }
}

/// True for suites a client list may carry that are not real suites (SCSVs, GREASE).
fn is_signal(code: u16) -> bool {
    code == suites::TLS_EMPTY_RENEGOTIATION_INFO_SCSV
        || code == suites::TLS_FALLBACK_SCSV
        || suites::is_grease(code)
}

fn usable_at(code: u16, version: Version) -> bool {
    !is_signal(code) && suites::by_code(code).is_some_and(|s| s.allowed_in(version))
}

fn choose_suite(client: &ClientOffer, server: &ServerConfig, version: Version) -> Verdict {
    let client_suites: Vec<u16> = dedup(
        client
            .suites
            .iter()
            .copied()
            .filter(|c| usable_at(*c, version)),
    );
    let server_suites: Vec<u16> = dedup(
        server
            .suites_for(version)
            .iter()
            .copied()
            .filter(|c| usable_at(*c, version)),
    );
    let order: Vec<u16> = if server.server_preference {
        server_suites
            .iter()
            .copied()
            .filter(|c| client_suites.contains(c))
            .collect()
    } else {
        client_suites
            .iter()
            .copied()
            .filter(|c| server_suites.contains(c))
            .collect()
    };
    if order.is_empty() {
        return Verdict::Failure(Failure::NoCommonSuite {
            version,
            client_suites,
            server_suites,
        });
    }
    let mut rejected = Vec::new();
    for code in &order {
        match check_suite(client, server, version, *code) {
            Ok(n) => return Verdict::Success(n),
            Err(r) => rejected.push((*code, r)),
        }
    }
    Verdict::Failure(classify(version, rejected))
}

fn dedup(iter: impl Iterator<Item = u16>) -> Vec<u16> {
    let mut out = Vec::new();
    for c in iter {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn classify(version: Version, rejected: Vec<(u16, Rejection)>) -> Failure {
    let suites: Vec<u16> = rejected.iter().map(|(c, _)| *c).collect();
    let all = |pred: fn(&Rejection) -> bool| rejected.iter().all(|(_, r)| pred(r));
    if all(|r| matches!(r, Rejection::NoCommonGroup)) {
        Failure::NoCommonGroup { version, suites }
    } else if let Some(needs) = certificate_curve(&rejected) {
        Failure::CertificateCurve { version, needs }
    } else if all(|r| matches!(r, Rejection::CertKeyMismatch { .. })) {
        Failure::CertificateMismatch { version, suites }
    } else if all(|r| matches!(r, Rejection::NoSignatureAlgorithm)) {
        Failure::NoSignatureAlgorithm { version }
    } else {
        Failure::NoUsableSuite { version, rejected }
    }
}

/// The ECDSA curve that failed, when every rejection is that curve or a missing certificate
/// type and at least one is the curve.
fn certificate_curve(rejected: &[(u16, Rejection)]) -> Option<u16> {
    let mut needs = None;
    for (_, r) in rejected {
        match r {
            Rejection::CertificateCurve { needs: c, .. } => needs = Some(*c),
            Rejection::CertKeyMismatch { .. } => {}
            _ => return None,
        }
    }
    needs
}

fn check_suite(
    client: &ClientOffer,
    server: &ServerConfig,
    version: Version,
    code: u16,
) -> Result<Negotiated, Rejection> {
    let Some(suite) = suites::by_code(code) else {
        return Err(Rejection::UnsupportedKeyExchange {
            kx: "unknown".into(),
        });
    };
    if version == Version::Tls13 {
        let (group, hello_retry) = tls13_group(client, server).ok_or(Rejection::NoCommonGroup)?;
        let cert = tls13_cert(client, server).ok_or(Rejection::NoSignatureAlgorithm)?;
        return Ok(Negotiated {
            version,
            suite: code,
            group: Some(group),
            cert,
            hello_retry,
        });
    }
    if suite.export || suite.is_anonymous() {
        return Err(Rejection::UnsupportedKeyExchange {
            kx: suite.kx.to_string(),
        });
    }
    let group = match suite.kx {
        "ECDHE" => Some(tls12_ec_group(client, server).ok_or(Rejection::NoCommonGroup)?),
        "DHE" => {
            if !server.dh_params {
                return Err(Rejection::NoDhParams);
            }
            None
        }
        "RSA" => None,
        other => {
            return Err(Rejection::UnsupportedKeyExchange {
                kx: other.to_string(),
            })
        }
    };
    let signs = suite.kx != "RSA";
    if let Some(level) = client.openssl_security_level.filter(|l| *l >= 1) {
        if signs && version < Version::Tls12 {
            return Err(Rejection::LegacySignature { level });
        }
    }
    let cert = match suite.auth {
        "RSA" => {
            if !server.cert_keys.contains(&CertKey::Rsa) {
                return Err(Rejection::CertKeyMismatch {
                    needs: "RSA".into(),
                });
            }
            if signs && version == Version::Tls12 && !client_can_verify(client, CertKey::Rsa, false)
            {
                return Err(Rejection::NoSignatureAlgorithm);
            }
            CertKey::Rsa
        }
        "ECDSA" => {
            let mut ecdsa = server
                .cert_keys
                .iter()
                .copied()
                .filter(|k| matches!(k, CertKey::Ecdsa { .. }))
                .peekable();
            if ecdsa.peek().is_none() {
                return Err(Rejection::CertKeyMismatch {
                    needs: "ECDSA".into(),
                });
            }
            // RFC 4492: the certificate's curve must be one the client supports (when it says).
            let mut on_curve = ecdsa
                .filter(|k| match k {
                    CertKey::Ecdsa { curve } => {
                        client.groups.is_empty() || client.groups.contains(curve)
                    }
                    CertKey::Rsa => false,
                })
                .peekable();
            if on_curve.peek().is_none() {
                let needs = server.cert_keys.iter().find_map(|k| match k {
                    CertKey::Ecdsa { curve } => Some(*curve),
                    CertKey::Rsa => None,
                });
                return Err(Rejection::CertificateCurve {
                    needs: needs.unwrap_or(23),
                    offered: client.groups.clone(),
                });
            }
            let found = on_curve
                .find(|k| version != Version::Tls12 || client_can_verify(client, *k, false));
            found.ok_or(Rejection::NoSignatureAlgorithm)?
        }
        other => {
            return Err(Rejection::CertKeyMismatch {
                needs: other.to_string(),
            })
        }
    };
    Ok(Negotiated {
        version,
        suite: code,
        group,
        cert,
        hello_retry: false,
    })
}

/// RSA PKCS#1 schemes (any hash) usable at TLS 1.2.
const RSA_PKCS1: &[u16] = &[0x0201, 0x0301, 0x0401, 0x0501, 0x0601];
/// RSA-PSS with an rsaEncryption key (TLS 1.2 and 1.3).
const RSA_PSS_RSAE: &[u16] = &[0x0804, 0x0805, 0x0806];
/// ECDSA schemes at TLS 1.2 (any curve).
const ECDSA_TLS12: &[u16] = &[0x0203, 0x0303, 0x0403, 0x0503, 0x0603];

/// True when the client offers a signature scheme the certificate can produce.
fn client_can_verify(client: &ClientOffer, cert: CertKey, tls13: bool) -> bool {
    let Some(algs) = client.sig_algs.as_deref() else {
        return true; // unknown: assume it can
    };
    if algs.is_empty() {
        // No extension: TLS 1.2 defaults to SHA-1 with the certificate's key (RFC 5246 7.4.1.4.1);
        // TLS 1.3 requires the extension.
        return !tls13;
    }
    match (cert, tls13) {
        (CertKey::Rsa, false) => algs
            .iter()
            .any(|a| RSA_PKCS1.contains(a) || RSA_PSS_RSAE.contains(a)),
        (CertKey::Rsa, true) => algs.iter().any(|a| RSA_PSS_RSAE.contains(a)),
        (CertKey::Ecdsa { .. }, false) => algs.iter().any(|a| ECDSA_TLS12.contains(a)),
        (CertKey::Ecdsa { curve }, true) => {
            let scheme = match curve {
                23 => 0x0403,
                24 => 0x0503,
                25 => 0x0603,
                _ => return false,
            };
            algs.contains(&scheme)
        }
    }
}

/// TLS 1.3: the first certificate (client signature-scheme order) the client can verify.
fn tls13_cert(client: &ClientOffer, server: &ServerConfig) -> Option<CertKey> {
    if let Some(algs) = client.sig_algs.as_deref() {
        for a in algs {
            for cert in &server.cert_keys {
                let ok = match cert {
                    CertKey::Rsa => RSA_PSS_RSAE.contains(a),
                    CertKey::Ecdsa { curve } => {
                        matches!((curve, a), (23, 0x0403) | (24, 0x0503) | (25, 0x0603))
                    }
                };
                if ok {
                    return Some(*cert);
                }
            }
        }
        if !algs.is_empty() {
            return None;
        }
    }
    server
        .cert_keys
        .iter()
        .copied()
        .find(|c| client_can_verify(client, *c, true))
}

/// True for groups usable for ECDHE at TLS 1.0–1.2 (the RFC 8422 / RFC 7027 curves).
fn is_tls12_ec_group(code: u16) -> bool {
    (1..=30).contains(&code)
}

/// TLS 1.0–1.2 ECDHE group: the first shared curve in the preferred side's order.
fn tls12_ec_group(client: &ClientOffer, server: &ServerConfig) -> Option<u16> {
    first_shared_group(client, server, is_tls12_ec_group)
}

/// The first group both sides list that passes `usable`, in the preferred side's order (the
/// server's with server preference, else the client's).
fn first_shared_group(
    client: &ClientOffer,
    server: &ServerConfig,
    usable: impl Fn(u16) -> bool,
) -> Option<u16> {
    let (pref, other) = if server.server_preference {
        (&server.groups, &client.groups)
    } else {
        (&client.groups, &server.groups)
    };
    pref.iter()
        .copied()
        .find(|g| usable(*g) && other.contains(g))
}

/// TLS 1.3 group: a key share the server accepts, else a HelloRetryRequest for the first
/// shared group in the preferred side's order. Returns (group, hello_retry).
fn tls13_group(client: &ClientOffer, server: &ServerConfig) -> Option<(u16, bool)> {
    let default_share: Vec<u16> = client.groups.iter().take(1).copied().collect();
    let shares = client.key_shares.as_ref().unwrap_or(&default_share);
    if let Some(g) = shares
        .iter()
        .copied()
        .find(|g| server.groups.contains(g) && client.groups.contains(g))
    {
        return Some((g, false));
    }
    first_shared_group(client, server, |_| true).map(|g| (g, true))
}
