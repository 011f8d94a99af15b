//! The scan result model: what `tlsfloor scan --json` prints and `tlsfloor check` reads.
//!
//! This is a contract shared with the policy, diagnose and CLI crates. Fields may be added;
//! existing fields keep their names and meaning while [`SCAN_SCHEMA`] stays the same.
//! The schema is documented in `docs/scan-json.md`.

use serde::{Deserialize, Serialize};
use tlsfloor_wire::Version;

/// Schema identifier written in every scan report.
pub const SCAN_SCHEMA: &str = "tlsfloor.scan/v1";

/// A whole scan run: one entry per target, in input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// Always [`SCAN_SCHEMA`].
    pub schema: String,
    /// tlsfloor version that produced the report.
    pub tool_version: String,
    /// Start of the run, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the whole run in milliseconds.
    pub duration_ms: u64,
    /// Per-target results, in the order targets were given.
    pub targets: Vec<TargetReport>,
    /// True when Ctrl-C stopped the run: unfinished targets carry `interrupted`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub interrupted: bool,
}

/// Everything learned about one target (or why nothing could be learned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetReport {
    /// The target as the user wrote it.
    pub target: String,
    /// Host name or IP literal (without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// SNI sent, if any (none for IP literals unless `--sni`).
    pub sni: Option<String>,
    /// The in-band upgrade run before every hello (`smtp`, `imap`, …; `None`: direct TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starttls: Option<String>,
    /// The socket address actually probed, e.g. `127.0.0.1:443` or `[::1]:443`.
    pub address: Option<String>,
    /// Wall time spent on this target in milliseconds.
    pub duration_ms: u64,
    /// Set when the target could not be scanned at all (DNS, refused, not TLS, …).
    pub error: Option<ProbeError>,
    /// One entry per protocol version probed, oldest first.
    pub protocols: Vec<ProtocolReport>,
    /// Whether the server honours TLS_FALLBACK_SCSV (RFC 7507).
    pub fallback_scsv: FallbackScsv,
    /// With TLS 1.3 accepted and the SCSV hello at TLS 1.2 answered: whether that ServerHello
    /// carries the RFC 8446 downgrade sentinel (TLS 1.3 clients then detect the downgrade even
    /// though the SCSV is not honoured). `None` when not observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downgrade_sentinel: Option<bool>,
    /// The certificate chain as sent by the server, leaf first.
    pub certificates: Vec<CertificateSummary>,
    /// Whether the leaf certificate matches `sni` (or `host`); `None` when no chain was obtained.
    pub hostname_match: Option<bool>,
    /// Why the chain, or part of it, could not be obtained or parsed (empty when all went
    /// well), e.g. the real TLS 1.3 handshake failing, or a certificate x509 cannot parse.
    #[serde(default)]
    pub certificate_errors: Vec<String>,
    /// Further addresses the host name resolved to that this report does not cover (scan
    /// them with `--all-addresses`); empty for IP literals and single-address names.
    #[serde(default)]
    pub other_addresses: Vec<String>,
    /// False when some answer needed for this report was never learnt (a version `unknown`,
    /// an enumeration cut short, the fallback check unanswered, or `error` set): the report
    /// is then not proof. Reports written before the field read as complete unless another
    /// field says otherwise; use [`TargetReport::is_complete`].
    #[serde(default = "default_true")]
    pub complete: bool,
    /// How the probes were paced for this target: whether it had to slow down (a connection
    /// or rate limit), with how many retries. `None` in reports written before the field.
    #[serde(default)]
    pub pacing: Option<Pacing>,
    /// Middlebox intolerance found, e.g. "no answer to hellos with more than 64 suites".
    #[serde(default)]
    pub intolerance: Vec<String>,
    /// Every chain the server has, one per certificate-authentication family it accepted
    /// suites for at its highest version up to TLS 1.2 (a server with an RSA and an ECDSA
    /// certificate shows both); empty when none was read that way (TLS 1.3-only servers).
    #[serde(default)]
    pub chains: Vec<ChainReport>,
    /// Whether the chain is trusted (system trust store, or `--ca`/`--ca-dir`), with the
    /// problems found; `None` without a chain.
    #[serde(default)]
    pub trust: Option<TrustReport>,
    /// True when the scan was interrupted (Ctrl-C) before this target finished.
    #[serde(default, skip_serializing_if = "is_false")]
    pub interrupted: bool,
    /// SSL 2.0, probed with an SSL 2.0 CLIENT-HELLO when SSLv3 is among the versions scanned;
    /// `None` when it was not probed.
    #[serde(default)]
    pub sslv2: Option<Sslv2Report>,
}

/// What is known about SSL 2.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sslv2Report {
    /// `accepted` (an SSL 2.0 SERVER-HELLO), `not_accepted` (an SSL 2.0 ERROR, a TLS alert, a
    /// TLS answer) or `unknown` (no definitive answer).
    pub status: VersionStatus,
    /// How it was refused (`protocol_version`, `tls_handshake`, `sslv2_error_0x0001`, …).
    pub refused_with: Option<String>,
    /// The cipher kinds the server listed in its SERVER-HELLO.
    pub cipher_specs: Vec<Sslv2Spec>,
    /// Why the answer proved nothing, when `unknown`.
    pub error: Option<ProbeError>,
}

/// One SSL 2.0 cipher kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sslv2Spec {
    /// The 3-byte code, an integer (`65664`; older reports wrote `"0x010080"`, read too).
    #[serde(deserialize_with = "tlsfloor_wire::code_point::deserialize")]
    pub code: u32,
    /// The same code in hex, `0x010080`.
    #[serde(default)]
    pub hex: String,
    /// Its name, e.g. `SSL_CK_RC4_128_WITH_MD5` (the code again when unknown).
    pub name: String,
}

fn default_true() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl TargetReport {
    /// A report for `target` (as written) at `host:port` with nothing learnt yet; the other
    /// fields are filled in by struct update or as the scan goes.
    pub fn new(target: &str, host: &str, port: u16, sni: Option<String>) -> TargetReport {
        TargetReport {
            target: target.to_string(),
            host: host.to_string(),
            port,
            sni,
            starttls: None,
            address: None,
            duration_ms: 0,
            error: None,
            protocols: Vec::new(),
            fallback_scsv: FallbackScsv::NotApplicable,
            downgrade_sentinel: None,
            certificates: Vec::new(),
            hostname_match: None,
            certificate_errors: Vec::new(),
            other_addresses: Vec::new(),
            complete: true,
            pacing: None,
            intolerance: Vec::new(),
            chains: Vec::new(),
            trust: None,
            interrupted: false,
            sslv2: None,
        }
    }

    /// True when everything in the report is proven: no target error, every version either
    /// accepted or definitively refused, no enumeration cut short, fallback answered.
    pub fn is_complete(&self) -> bool {
        self.complete
            && self.error.is_none()
            && self.fallback_scsv != FallbackScsv::Unknown
            && self
                .sslv2
                .as_ref()
                .is_none_or(|s| s.status != VersionStatus::Unknown)
            && self.protocols.iter().all(|p| p.error.is_none())
    }

    /// The names of the versions with `status`, SSL 2.0 first, then oldest first; with
    /// `legacy_only`, only those a TLS 1.2 floor forbids (SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1).
    pub fn versions_with(&self, status: VersionStatus, legacy_only: bool) -> Vec<&'static str> {
        let sslv2 = self
            .sslv2
            .as_ref()
            .filter(|s| s.status == status)
            .map(|_| "SSLv2");
        let tls = self
            .protocols
            .iter()
            .filter(|p| p.status() == status && (!legacy_only || p.version.is_legacy()))
            .map(|p| p.version.name());
        sslv2.into_iter().chain(tls).collect()
    }

    /// One line per reason the report is not proof (empty when [`is_complete`](Self::is_complete)).
    pub fn incomplete_reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = &self.error {
            out.push(e.message.clone());
        }
        for p in &self.protocols {
            if let Some(e) = &p.error {
                out.push(format!("{}: {}", p.version.name(), e.message));
            }
        }
        if self.fallback_scsv == FallbackScsv::Unknown {
            out.push("TLS_FALLBACK_SCSV: no definitive answer".into());
        }
        if let Some(e) = self.sslv2.as_ref().and_then(|s| s.error.as_ref()) {
            out.push(format!("SSLv2: {}", e.message));
        }
        if out.is_empty() && !self.is_complete() {
            out.push("the scan did not finish".into());
        }
        out
    }
}

/// One of the server's chains, as chosen by suites of one authentication family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainReport {
    /// `RSA`, `ECDSA` or `DSS`: the suites that selected this chain (TLS 1.3-only servers:
    /// `RSA`, `ECDSA` or `EdDSA`, the signature algorithms that selected it).
    pub auth: String,
    /// The chain as sent, leaf first.
    pub certificates: Vec<CertificateSummary>,
}

/// The trust verdict on a target's chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustReport {
    /// True when the chain verifies to a trusted root, names the host, and has no weak
    /// signature or key.
    pub trusted: bool,
    /// Why not: `self-signed certificate`, `unable to get local issuer certificate`,
    /// `certificate has expired`, `wrong host: …`, `weak signature: sha1WithRSAEncryption on …`,
    /// `weak key: RSA 1024 bits (under 2048)`.
    pub problems: Vec<String>,
    /// The trust anchors used, e.g. `system (/etc/ssl/certs/ca-certificates.crt)`.
    pub store: String,
}

/// How probes to one target were paced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pacing {
    /// True when indeterminate answers (silent closes, resets, timeouts) made tlsfloor slow
    /// down for this target.
    pub throttled: bool,
    /// The fewest simultaneous connections the target pushed back to (dropped connections
    /// beyond it); the configured `--connections` when it never did.
    pub max_connections: usize,
    /// Spacing between new connections at the end, in milliseconds (0: none).
    pub interval_ms: u64,
    /// Probes sent again after an indeterminate answer.
    pub retries: u32,
    /// Answers that proved nothing (silent close, reset, timeout, garbled).
    pub indeterminate: u32,
    /// TCP connections opened to the target.
    pub connections: u32,
}

/// The result of probing one protocol version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolReport {
    /// The version probed.
    pub version: Version,
    /// True when the server completed a ServerHello at exactly this version.
    pub accepted: bool,
    /// How the order of `suites` was determined.
    pub preference: Preference,
    /// Accepted suites; in server preference order when `preference` is `server`.
    pub suites: Vec<AcceptedSuite>,
    /// Key-exchange groups the server accepted at this version (ECDHE/DHE/TLS 1.3), if enumerated.
    pub groups: Vec<String>,
    /// Set when probing this version failed for a reason other than a refusal, or when the
    /// suite list, order or groups may be incomplete. A version with an error is not proof.
    pub error: Option<ProbeError>,
    /// `accepted`, `not_accepted` (a definitive refusal: an alert or a ServerHello for
    /// another version) or `unknown` (no definitive answer). Absent in old reports: use
    /// [`ProtocolReport::status`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VersionStatus>,
    /// How the version was refused when `status` is `not_accepted`: the alert
    /// (`protocol_version`, `handshake_failure`, `internal_error to every hello`, …) or the
    /// lower version the server answered with (`TLSv1.2 ServerHello`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_with: Option<String>,
}

impl ProtocolReport {
    /// The version's status; derived from `accepted` and `error` for reports without it.
    pub fn status(&self) -> VersionStatus {
        match self.status {
            Some(s) => s,
            None if self.accepted => VersionStatus::Accepted,
            None if self.error.is_some() => VersionStatus::Unknown,
            None => VersionStatus::NotAccepted,
        }
    }
}

/// What is known about one protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// A ServerHello at this version.
    Accepted,
    /// Definitively refused: an alert such as protocol_version or handshake_failure to every
    /// hello, or a ServerHello for another version.
    NotAccepted,
    /// No definitive answer: silent closes, resets, timeouts or garbled answers, even after
    /// retries and a minimal hello. Never read as "not accepted".
    Unknown,
}

/// One cipher suite a server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedSuite {
    /// IANA code point, e.g. 0xc02f.
    pub code: u16,
    /// IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub iana: String,
    /// OpenSSL name, e.g. `ECDHE-RSA-AES128-GCM-SHA256`, when OpenSSL has one.
    pub openssl: Option<String>,
    /// Key exchange, e.g. `ECDHE`, `RSA`, `DHE`, `TLS13`.
    pub kx: String,
    /// Symmetric key bits, e.g. 128.
    pub bits: u16,
    /// Group the server chose when this suite was negotiated (e.g. `x25519`, `secp256r1`, `ffdhe2048`/`dh2048`).
    pub group: Option<String>,
}

/// How suite order was determined for a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preference {
    /// The server picks by its own order; `suites` is that order.
    Server,
    /// The server follows the client's order; `suites` is in registry order.
    Client,
    /// The server's choice depends on the client's order (e.g. it prefers ChaCha20 only
    /// when the client lists it first, as Go and OpenSSL's `-prioritize_chacha` do);
    /// `suites` is the order a typical modern client gets.
    Mixed,
    /// Fewer than two suites accepted, so no order exists.
    NotApplicable,
}

/// Whether the server honours TLS_FALLBACK_SCSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FallbackScsv {
    /// An SCSV hello below the highest version was refused with inappropriate_fallback.
    Supported,
    /// An SCSV hello below the highest version was accepted.
    NotSupported,
    /// Only one version accepted, or the target could not be scanned.
    NotApplicable,
    /// The check got no definitive answer (silent close, reset, timeout).
    Unknown,
}

/// A summary of one certificate in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateSummary {
    /// Subject distinguished name (RFC 4514 style).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// DNS and IP subject alternative names.
    pub sans: Vec<String>,
    /// `RSA`, `EC`, `Ed25519`, `DSA`, …
    pub key_type: String,
    /// Key size in bits (RSA modulus, EC curve size).
    pub key_bits: u32,
    /// Signature algorithm, e.g. `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    /// Validity start, RFC 3339 UTC.
    pub not_before: String,
    /// Validity end, RFC 3339 UTC.
    pub not_after: String,
    /// Whole days from scan time to `not_after` (negative once expired).
    pub days_left: i64,
    /// SHA-256 of the DER encoding, lowercase hex.
    pub sha256: String,
}

/// Why a target or a version could not be probed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeError {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
}

/// Stable error codes for JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The host name did not resolve.
    Dns,
    /// The target string could not be parsed.
    BadTarget,
    /// TCP connection refused.
    Refused,
    /// No answer within the timeout (connect or read).
    Timeout,
    /// Connection reset or closed mid-handshake with no alert.
    Reset,
    /// The peer answered with something that is not TLS (e.g. plain HTTP).
    NotTls,
    /// The peer sent TLS records that could not be parsed.
    Malformed,
    /// The host or network is unreachable.
    Unreachable,
    /// Any other I/O error.
    Io,
    /// The server closed the connection without a TLS answer (no alert): proves nothing.
    Closed,
    /// An alert that is not a refusal (e.g. internal_error, decode_error): proves nothing.
    UnexpectedAlert,
    /// The server answered with a suite or version the hello never offered.
    ProtocolViolation,
    /// Every hello was answered with unrecognized_name: the server needs another SNI
    /// (`--sni NAME`).
    SniRequired,
    /// The per-target deadline (`--target-timeout`) passed before this answer was learnt.
    Deadline,
    /// The scan was interrupted (Ctrl-C) before this target finished.
    Interrupted,
    /// The service does not offer the in-band upgrade to TLS (`--starttls`), or refused it;
    /// the message quotes its reply.
    StarttlsUnsupported,
}
