//! Verdicts from what the trap saw: a completed handshake, a refusal (by alert, by closing,
//! or proven by the client's own ClientHello not offering the version), or nothing
//! conclusive.

use serde::Serialize;
use tlsfloor_trap::{ConnectionRecord, Offer, Outcome};
use tlsfloor_wire::Version;

/// A version's (or a certificate check's) verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The client would not complete a handshake here.
    Refused,
    /// The client completed a handshake here.
    Accepted,
    /// No conclusion (client never connected, timed out, or the control failed too).
    Inconclusive,
}

/// Alerts a client sends when it does not trust the server's certificate.
const CERTIFICATE_ALERTS: &[&str] = &[
    "bad_certificate",
    "unknown_ca",
    "certificate_unknown",
    "certificate_expired",
    "unsupported_certificate",
    "certificate_revoked",
    "access_denied",
];

/// The versions a ClientHello offers, as names: its supported_versions, or (without the
/// extension) everything up to its legacy version (the minimum is not on the wire).
pub fn offered_versions(o: &Offer) -> Vec<Version> {
    Version::ALL.into_iter().filter(|v| o.offers(*v)).collect()
}

/// "TLSv1.3 only", "TLSv1.2, TLSv1.3".
fn names(vs: &[Version]) -> String {
    let list: Vec<&str> = vs.iter().map(|v| v.name()).collect();
    match list.len() {
        0 => "no known version".into(),
        1 => format!("{} only", list[0]),
        _ => list.join(", "),
    }
}

/// Judges a trap's connections for `version`. `control_ok` is `None` for the control and the
/// certificate checks (which are judged on their own).
pub fn judge(
    records: &[ConnectionRecord],
    version: Version,
    control_ok: Option<bool>,
) -> (Verdict, String) {
    if let Some(r) = records
        .iter()
        .find(|r| matches!(r.outcome, Outcome::HandshakeCompleted { .. }))
    {
        return (Verdict::Accepted, r.outcome.describe());
    }
    // Proof from the client's own offer: it cannot speak this version at all.
    if control_ok.is_some() {
        let offers: Vec<&Offer> = records.iter().filter_map(|r| r.offer.as_ref()).collect();
        if !offers.is_empty() && offers.iter().all(|o| !o.offers(version)) {
            let offered = match offers[0].supported_versions {
                Some(_) => names(&offered_versions(offers[0])),
                None => format!(
                    "at most {} (no supported_versions)",
                    offers[0].legacy_version
                ),
            };
            return (
                Verdict::Refused,
                format!("the client's hello offers {offered}: it cannot speak {version}"),
            );
        }
    }
    let refusal = records.iter().find(|r| {
        matches!(
            &r.outcome,
            Outcome::ClientAlert { .. } | Outcome::ServerRefused { .. }
        ) || matches!(&r.outcome, Outcome::ClosedWithoutAlert { stage } if stage == "handshake")
    });
    match (refusal, control_ok) {
        (Some(r), Some(false)) => (
            Verdict::Inconclusive,
            format!(
                "{}, but the control at the floor failed too",
                r.outcome.describe()
            ),
        ),
        (Some(r), _) => (Verdict::Refused, r.outcome.describe()),
        (None, _) => match records.first() {
            None => (
                Verdict::Inconclusive,
                "the client never connected".to_string(),
            ),
            Some(r) => (Verdict::Inconclusive, r.outcome.describe()),
        },
    }
}

/// The client itself ended the handshake (an alert, or closing mid-handshake): with a bad
/// certificate and a good control, that is the client rejecting the certificate.
pub fn client_ended_handshake(records: &[ConnectionRecord]) -> Option<String> {
    records.iter().find_map(|r| match &r.outcome {
        Outcome::ClientAlert { .. } => Some(r.outcome.describe()),
        Outcome::ClosedWithoutAlert { stage } if stage == "handshake" => Some(r.outcome.describe()),
        _ => None,
    })
}

/// True when every connection ended with the client rejecting the certificate.
pub fn distrusts_certificate(records: &[ConnectionRecord]) -> bool {
    !records.is_empty()
        && records.iter().all(|r| match &r.outcome {
            Outcome::ClientAlert { alert_name, .. } => alert_name
                .as_deref()
                .is_some_and(|n| CERTIFICATE_ALERTS.contains(&n)),
            _ => false,
        })
}

/// True when some ClientHello in `records` carried TLS_FALLBACK_SCSV (a client that retries
/// with a lower version after a failure: a downgrade dance).
pub fn sent_fallback_scsv(records: &[ConnectionRecord]) -> bool {
    records
        .iter()
        .filter_map(|r| r.offer.as_ref())
        .any(|o| o.cipher_suites.iter().any(|s| s.code == 0x5600))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(outcome: Outcome, offer: Option<Offer>) -> ConnectionRecord {
        ConnectionRecord {
            schema: "tlsfloor.trap/v1".into(),
            tool_version: "0".into(),
            unix_time: 0.0,
            peer: "127.0.0.1:1".into(),
            listen: "127.0.0.1:2".into(),
            trap_versions: vec![Version::Tls10],
            outcome,
            http_request: None,
            duration_ms: 0,
            offer,
        }
    }

    fn offer(legacy: &str, supported: Option<&[&str]>) -> Offer {
        Offer {
            record_version: "0x0301".into(),
            legacy_version: legacy.into(),
            supported_versions: supported.map(|s| s.iter().map(|x| x.to_string()).collect()),
            max_version: legacy.into(),
            cipher_suites: Vec::new(),
            extensions: Vec::new(),
            groups: Vec::new(),
            ec_point_formats: Vec::new(),
            signature_algorithms: Vec::new(),
            alpn: Vec::new(),
            sni: None,
            ja3: String::new(),
            ja3_string: String::new(),
            ja4: String::new(),
            ja4_r: String::new(),
            ja4_o: String::new(),
            ja4_ro: String::new(),
        }
    }

    #[test]
    fn no_connection_is_inconclusive_and_a_broken_control_voids_refusals() {
        assert_eq!(
            judge(&[], Version::Tls10, Some(true)).0,
            Verdict::Inconclusive
        );
        let alert = rec(
            Outcome::ClientAlert {
                alert: 70,
                alert_name: Some("protocol_version".into()),
                source: "record".into(),
            },
            None,
        );
        let one = std::slice::from_ref(&alert);
        assert_eq!(judge(one, Version::Tls10, Some(true)).0, Verdict::Refused);
        assert_eq!(
            judge(one, Version::Tls10, Some(false)).0,
            Verdict::Inconclusive
        );
        let done = rec(
            Outcome::HandshakeCompleted {
                version: Version::Tls10,
                cipher: "AES128-SHA".into(),
                cipher_iana: None,
                alpn: None,
            },
            None,
        );
        assert_eq!(
            judge(&[alert, done], Version::Tls10, Some(false)).0,
            Verdict::Accepted
        );
        let slow = rec(
            Outcome::Timeout {
                stage: "client_hello".into(),
            },
            None,
        );
        assert_eq!(
            judge(&[slow], Version::Tls10, Some(true)).0,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn a_hello_without_the_version_is_a_proven_refusal() {
        let refused = rec(
            Outcome::ServerRefused {
                reason: "unsupported protocol".into(),
            },
            Some(offer("TLSv1.2", Some(&["TLSv1.3"]))),
        );
        let (v, why) = judge(std::slice::from_ref(&refused), Version::Tls10, Some(false));
        assert_eq!(
            v,
            Verdict::Refused,
            "the offer is proof even without the control"
        );
        assert!(why.contains("offers TLSv1.3 only"), "{why}");
        let old = rec(
            Outcome::ServerRefused {
                reason: "unsupported protocol".into(),
            },
            Some(offer("TLSv1.0", None)),
        );
        let (v, why) = judge(std::slice::from_ref(&old), Version::Tls11, Some(false));
        assert_eq!(v, Verdict::Refused);
        assert!(why.contains("offers at most TLSv1.0"), "{why}");
        // A legacy_version-only hello up to TLS 1.2 may still speak TLS 1.0.
        let maybe = rec(
            Outcome::Timeout {
                stage: "handshake".into(),
            },
            Some(offer("TLSv1.2", None)),
        );
        assert_eq!(
            judge(&[maybe], Version::Tls10, Some(true)).0,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn certificate_alerts_mean_distrust() {
        let unknown_ca = rec(
            Outcome::ClientAlert {
                alert: 48,
                alert_name: Some("unknown_ca".into()),
                source: "record".into(),
            },
            None,
        );
        assert!(distrusts_certificate(std::slice::from_ref(&unknown_ca)));
        assert!(!distrusts_certificate(&[]));
    }
}
