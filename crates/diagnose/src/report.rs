//! JSON output of `tlsfloor diagnose --json` (schema `tlsfloor.diagnose/v1`, docs/diagnose.md).

use crate::fix::{suggest, Fixes};
use crate::model::{group_label, version_label, CertKey, ClientOffer, ServerConfig};
use crate::simulate::{simulate, Negotiated, Verdict};
use serde::Serialize;
use tlsfloor_policy::Policy;
use tlsfloor_wire::Version;

/// Schema id of every diagnose JSON document.
pub const DIAGNOSE_SCHEMA: &str = "tlsfloor.diagnose/v1";

/// A cipher suite with its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuiteRef {
    /// IANA code point, an integer (`49199`).
    pub code: u16,
    /// The same code in hex, `0xc02f`.
    pub hex: String,
    /// IANA name, when known.
    pub iana: Option<String>,
    /// OpenSSL name, when there is one.
    pub openssl: Option<String>,
}

impl SuiteRef {
    /// Names the suite with this code.
    pub fn new(code: u16) -> SuiteRef {
        let s = tlsfloor_wire::suites::by_code(code);
        SuiteRef {
            code,
            hex: tlsfloor_wire::code_point::hex(code.into(), 4),
            iana: s.map(|s| s.iana.to_string()),
            openssl: s.and_then(|s| s.openssl.map(str::to_string)),
        }
    }
}

/// The client as described to the simulator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientSummary {
    /// Profile id or input kind (`ja3`, `hello`, `trap`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where the description comes from.
    pub source: String,
    /// Versions offered, oldest first.
    pub versions: Vec<Version>,
    /// Suites in client order.
    pub suites: Vec<SuiteRef>,
    /// supported_groups names in client order.
    pub groups: Vec<String>,
    /// Whether SNI is sent.
    pub sni: bool,
}

impl ClientSummary {
    /// Summarizes an offer.
    pub fn new(c: &ClientOffer) -> ClientSummary {
        ClientSummary {
            id: c.id.clone(),
            name: c.name.clone(),
            source: c.source.clone(),
            versions: c.versions.clone(),
            suites: c.suites.iter().map(|s| SuiteRef::new(*s)).collect(),
            groups: c.groups.iter().map(|g| group_label(*g)).collect(),
            sni: c.sni,
        }
    }
}

/// The server as described to the simulator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerSummary {
    /// Policy id or target.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Policy family, when a policy.
    pub family: Option<String>,
    /// Where the description comes from.
    pub source: String,
    /// Allowed versions.
    pub versions: Vec<Version>,
    /// Whether the server picks by its own order.
    pub server_preference: bool,
    /// TLS 1.0–1.2 suites in server order.
    pub suites: Vec<SuiteRef>,
    /// TLS 1.3 suites in server order.
    pub tls13_suites: Vec<SuiteRef>,
    /// Group names in server order.
    pub groups: Vec<String>,
    /// Certificate key types (`RSA`, `ECDSA secp256r1`).
    pub certificates: Vec<String>,
    /// Whether DHE is possible.
    pub dh_params: bool,
}

impl ServerSummary {
    /// Summarizes a configuration.
    pub fn new(s: &ServerConfig) -> ServerSummary {
        ServerSummary {
            id: s.id.clone(),
            name: s.name.clone(),
            family: s.family.clone(),
            source: s.source.clone(),
            versions: s.versions.clone(),
            server_preference: s.server_preference,
            suites: s.suites.iter().map(|c| SuiteRef::new(*c)).collect(),
            tls13_suites: s.tls13_suites.iter().map(|c| SuiteRef::new(*c)).collect(),
            groups: s.groups.iter().map(|g| group_label(*g)).collect(),
            certificates: s.cert_keys.iter().map(CertKey::label).collect(),
            dh_params: s.dh_params,
        }
    }
}

/// A successful handshake, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NegotiatedOut {
    /// Protocol version.
    pub version: Version,
    /// Cipher suite.
    pub suite: SuiteRef,
    /// Key-exchange group name, if any.
    pub group: Option<String>,
    /// Certificate key type presented.
    pub certificate: String,
    /// True when TLS 1.3 needed a HelloRetryRequest.
    pub hello_retry_request: bool,
}

impl NegotiatedOut {
    /// Names a simulated handshake.
    pub fn new(n: &Negotiated) -> NegotiatedOut {
        NegotiatedOut {
            version: n.version,
            suite: SuiteRef::new(n.suite),
            group: n.group.map(group_label),
            certificate: n.cert.label(),
            hello_retry_request: n.hello_retry,
        }
    }

    /// Serializes a simulated handshake named, as every `negotiated` field is written.
    pub fn serialize_named<S: serde::Serializer>(n: &Negotiated, s: S) -> Result<S::Ok, S::Error> {
        NegotiatedOut::new(n).serialize(s)
    }
}

/// A failure, with its stable code and exact message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureOut {
    /// Stable code: `no_common_protocol`, `no_common_suite`, `no_common_group`,
    /// `certificate_mismatch`, `certificate_curve`, `no_signature_algorithm`,
    /// `inappropriate_fallback`, `no_usable_suite`.
    pub code: String,
    /// The exact reason, one sentence.
    pub message: String,
    /// The version negotiated before the failure, if any.
    pub version: Option<Version>,
}

/// One client's outcome against one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `success`, `failure`, or `depends` (the handshake works only if the client accepts a
    /// version below its maximum, and the offer does not show its minimum: see `caveat`).
    pub result: String,
    /// Why the result is `depends`.
    pub caveat: Option<String>,
    /// Set on success.
    pub negotiated: Option<NegotiatedOut>,
    /// Set on failure.
    pub failure: Option<FailureOut>,
}

impl Outcome {
    /// Runs the simulation and names the result.
    pub fn run(client: &ClientOffer, server: &ServerConfig) -> (Verdict, Outcome) {
        let v = simulate(client, server);
        let out = match &v {
            Verdict::Success(n) => {
                let caveat = min_version_caveat(client, n.version);
                Outcome {
                    result: if caveat.is_some() {
                        "depends"
                    } else {
                        "success"
                    }
                    .into(),
                    caveat,
                    negotiated: Some(NegotiatedOut::new(n)),
                    failure: None,
                }
            }
            Verdict::Failure(f) => Outcome {
                result: "failure".into(),
                caveat: None,
                negotiated: None,
                failure: Some(FailureOut {
                    code: f.code().into(),
                    message: f.message(client, server),
                    version: f.version(),
                }),
            },
        };
        (v, out)
    }
}

/// Why a success at `version` is not certain: the offer hides the client's minimum and the
/// server would answer below the client's maximum.
fn min_version_caveat(client: &ClientOffer, version: Version) -> Option<String> {
    let max = client.max_version()?;
    (!client.min_version_known && version < max).then(|| {
        format!(
            "the server would answer {}, below the client's maximum {}; the ClientHello does not \
             show the client's minimum version, so whether it accepts {} is unknown (test the \
             client itself with `tlsfloor check-client`)",
            version_label(version),
            version_label(max),
            version_label(version)
        )
    })
}

/// `tlsfloor diagnose --client X --server Y --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// Always [`DIAGNOSE_SCHEMA`].
    pub schema: String,
    /// The tlsfloor version that wrote the document.
    pub tool_version: String,
    /// Always `single`.
    pub kind: String,
    /// The client.
    pub client: ClientSummary,
    /// The server.
    pub server: ServerSummary,
    /// The outcome (flattened: `result`, `negotiated`, `failure`).
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Suggested fixes (empty on success).
    pub fixes: Fixes,
}

impl Diagnosis {
    /// Diagnoses one client against one server; `policies` are candidates for a fix.
    pub fn new(client: &ClientOffer, server: &ServerConfig, policies: &[Policy]) -> Diagnosis {
        let (verdict, outcome) = Outcome::run(client, server);
        let fixes = match &verdict {
            Verdict::Failure(f) => suggest(client, server, f, policies),
            Verdict::Success(_) => Fixes::default(),
        };
        Diagnosis {
            schema: DIAGNOSE_SCHEMA.into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            kind: "single".into(),
            client: ClientSummary::new(client),
            server: ServerSummary::new(server),
            outcome,
            fixes,
        }
    }

    /// True when the handshake would succeed (and does not depend on the client's unseen
    /// minimum version).
    pub fn succeeded(&self) -> bool {
        self.outcome.result == "success"
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    /// Client profile id.
    pub client: String,
    /// Client display name.
    pub name: String,
    /// Where the profile comes from.
    pub source: String,
    /// The outcome (flattened).
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Counts over the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MatrixSummary {
    /// Clients simulated.
    pub clients: usize,
    /// Handshakes that succeed.
    pub success: usize,
    /// Handshakes that succeed only if the client accepts a version its offer does not show
    /// (result `depends`).
    pub depends: usize,
    /// Handshakes that fail.
    pub failure: usize,
}

/// `tlsfloor diagnose --server Y --all-clients --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    /// Always [`DIAGNOSE_SCHEMA`].
    pub schema: String,
    /// The tlsfloor version that wrote the document.
    pub tool_version: String,
    /// Always `matrix`.
    pub kind: String,
    /// The server.
    pub server: ServerSummary,
    /// One row per client, in profile order.
    pub rows: Vec<MatrixRow>,
    /// Counts.
    pub summary: MatrixSummary,
}

impl Matrix {
    /// Simulates every client against the server.
    pub fn new(clients: &[&ClientOffer], server: &ServerConfig) -> Matrix {
        let rows: Vec<MatrixRow> = clients
            .iter()
            .map(|c| MatrixRow {
                client: c.id.clone(),
                name: c.name.clone(),
                source: c.source.clone(),
                outcome: Outcome::run(c, server).1,
            })
            .collect();
        let count = |result: &str| rows.iter().filter(|r| r.outcome.result == result).count();
        let (success, depends) = (count("success"), count("depends"));
        Matrix {
            schema: DIAGNOSE_SCHEMA.into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            kind: "matrix".into(),
            server: ServerSummary::new(server),
            summary: MatrixSummary {
                clients: rows.len(),
                success,
                depends,
                failure: rows.len() - success - depends,
            },
            rows,
        }
    }
}
