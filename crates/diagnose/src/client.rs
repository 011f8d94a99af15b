//! Client descriptions from a captured ClientHello (bytes, hex, or the trap's JSON line) and
//! from a JA3 string.
//!
//! A ClientHello without supported_versions shows only the client's maximum version; its
//! minimum is not visible on the wire and is assumed to be TLS 1.0 (SSL 3.0 when the maximum
//! is SSL 3.0). A JA3 string carries no signature algorithms and no key shares: those are
//! treated as unknown (any certificate is assumed signable, the first group as key share).

use crate::error::DiagnoseError;
use crate::model::ClientOffer;
use tlsfloor_wire::fingerprint::{assemble_client_hello, is_grease, parse_client_hello};
use tlsfloor_wire::{ClientHelloInfo, Version};

/// Versions from a maximum, down to the assumed minimum (TLS 1.0, or SSL 3.0 for SSL 3.0).
fn versions_up_to(max: Version) -> Vec<Version> {
    let floor = if max == Version::Ssl30 {
        Version::Ssl30
    } else {
        Version::Tls10
    };
    Version::ALL
        .into_iter()
        .filter(|v| *v >= floor && *v <= max)
        .collect()
}

fn versions_from(supported: Option<&[u16]>, legacy: u16) -> Result<Vec<Version>, DiagnoseError> {
    let versions: Vec<Version> = match supported {
        Some(list) => {
            let mut v: Vec<Version> = list.iter().filter_map(|c| Version::from_wire(*c)).collect();
            v.sort();
            v.dedup();
            v
        }
        None => match Version::from_wire(legacy) {
            Some(max) => versions_up_to(max),
            None => Vec::new(),
        },
    };
    if versions.is_empty() {
        return Err(DiagnoseError::Empty(format!(
            "the ClientHello offers no known protocol version (legacy_version 0x{legacy:04x})"
        )));
    }
    Ok(versions)
}

fn strip_grease(list: &[u16]) -> Vec<u16> {
    list.iter().copied().filter(|c| !is_grease(*c)).collect()
}

/// A client offer from a parsed ClientHello.
pub fn from_client_hello(
    hello: &ClientHelloInfo,
    id: &str,
    name: &str,
) -> Result<ClientOffer, DiagnoseError> {
    let supported = hello.supported_versions.as_ref().map(|v| strip_grease(v));
    let versions = versions_from(supported.as_deref(), hello.legacy_version)?;
    let has_sigalgs = hello.extensions.iter().any(|e| e.code == 13);
    let min_version_known = supported.is_some();
    Ok(ClientOffer {
        id: id.to_string(),
        name: name.to_string(),
        versions,
        suites: strip_grease(&hello.cipher_suites),
        groups: strip_grease(&hello.groups),
        key_shares: None,
        sig_algs: Some(if has_sigalgs {
            strip_grease(&hello.signature_algorithms)
        } else {
            Vec::new()
        }),
        sni: hello.sni.is_some(),
        source: "captured ClientHello".to_string(),
        min_version_known,
        openssl_security_level: None,
    })
}

/// A client offer from raw bytes: TLS records carrying a ClientHello (as captured), or the
/// bare handshake message (type 1, 24-bit length, body).
pub fn from_hello_bytes(bytes: &[u8], id: &str, name: &str) -> Result<ClientOffer, DiagnoseError> {
    let bad = |e: String| DiagnoseError::BadClientHello(e);
    let info = if bytes.first() == Some(&1) {
        parse_client_hello(bytes, 0x0301).map_err(|e| bad(e.to_string()))?
    } else {
        let assembled = assemble_client_hello(bytes)
            .map_err(|e| bad(e.to_string()))?
            .ok_or_else(|| bad("truncated: the ClientHello is incomplete".to_string()))?;
        parse_client_hello(&assembled.message, assembled.record_version)
            .map_err(|e| bad(e.to_string()))?
    };
    from_client_hello(&info, id, name)
}

/// A client offer from hex (whitespace, `:` and a `0x` prefix are ignored).
pub fn from_hello_hex(text: &str, id: &str, name: &str) -> Result<ClientOffer, DiagnoseError> {
    let cleaned: String = text
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    let bytes = hex::decode(&cleaned).map_err(|e| DiagnoseError::BadHex(e.to_string()))?;
    from_hello_bytes(&bytes, id, name)
}

fn ja3_list(field: &str, what: &str) -> Result<Vec<u16>, DiagnoseError> {
    if field.is_empty() {
        return Ok(Vec::new());
    }
    field
        .split('-')
        .map(|x| {
            x.trim()
                .parse::<u16>()
                .map_err(|_| DiagnoseError::BadJa3(format!("{what}: {x:?} is not a number")))
        })
        .collect()
}

/// A client offer from a JA3 string (`771,4865-4866-…,0-23-…,29-23-24,0`; not the MD5 hash).
///
/// TLS 1.3 is assumed offered when the supported_versions extension (43) is listed and a TLS
/// 1.3 suite is offered; then the client is assumed to accept TLS 1.2 and 1.3 only if it offers
/// no suite older than TLS 1.2, else TLS 1.0–1.3.
pub fn from_ja3(text: &str) -> Result<ClientOffer, DiagnoseError> {
    let t = text.trim();
    if t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(DiagnoseError::BadJa3(
            "this is a JA3 hash; the full JA3 string (five comma-separated fields) is needed"
                .into(),
        ));
    }
    let fields: Vec<&str> = t.split(',').collect();
    if fields.len() != 5 {
        return Err(DiagnoseError::BadJa3(format!(
            "expected 5 comma-separated fields, found {}",
            fields.len()
        )));
    }
    let legacy: u16 = fields[0]
        .trim()
        .parse()
        .map_err(|_| DiagnoseError::BadJa3(format!("version {:?} is not a number", fields[0])))?;
    let suites = ja3_list(fields[1], "ciphers")?;
    let extensions = ja3_list(fields[2], "extensions")?;
    let groups = ja3_list(fields[3], "curves")?;
    let tls13 = extensions.contains(&43) && suites.iter().any(|c| (0x1301..=0x1305).contains(c));
    let versions = if tls13 {
        let legacy_ok = suites.iter().any(|c| {
            tlsfloor_wire::suites::by_code(*c).is_some_and(|s| s.min_version < Version::Tls12)
        });
        if legacy_ok {
            versions_up_to(Version::Tls13)
        } else {
            vec![Version::Tls12, Version::Tls13]
        }
    } else {
        versions_from(None, legacy)?
    };
    if suites.is_empty() {
        return Err(DiagnoseError::BadJa3("no cipher suites".into()));
    }
    Ok(ClientOffer {
        id: "ja3".into(),
        name: "JA3 client".into(),
        versions,
        suites,
        groups,
        key_shares: None,
        sig_algs: None,
        sni: extensions.contains(&0),
        source: format!("JA3 string {t}"),
        // JA3 keeps the extension list, not supported_versions' contents.
        min_version_known: false,
        openssl_security_level: None,
    })
}

/// The `code` of a trap-log entry: an integer, or the `"0x…"` string of older logs.
fn code_of(v: &serde_json::Value) -> Option<u16> {
    tlsfloor_wire::code_point::deserialize(v.get("code")?).ok()
}

fn codes(offer: &serde_json::Value, key: &str) -> Vec<u16> {
    offer
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(code_of)
                .filter(|c| !is_grease(*c))
                .collect()
        })
        .unwrap_or_default()
}

/// A client offer from one JSON line written by `tlsfloor trap` (schema `tlsfloor.trap/v1`,
/// docs/trap.md): its `offer` object.
pub fn from_trap_line(line: &str) -> Result<ClientOffer, DiagnoseError> {
    let bad = |m: String| DiagnoseError::BadTrapRecord(m);
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
    let schema = v.get("schema").and_then(|s| s.as_str()).unwrap_or("");
    if !schema.starts_with("tlsfloor.trap/") {
        return Err(bad(format!("schema {schema:?}, expected tlsfloor.trap/v1")));
    }
    let offer = v
        .get("offer")
        .filter(|o| !o.is_null())
        .ok_or_else(|| bad("the record has no ClientHello (`offer` is null)".into()))?;
    let parse_version = |s: &str| s.parse::<Version>().ok();
    let supported: Option<Vec<Version>> = offer
        .get("supported_versions")
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().and_then(parse_version))
                .collect()
        });
    let min_version_known = supported.as_ref().is_some_and(|l| !l.is_empty());
    let versions = match supported {
        Some(mut list) if !list.is_empty() => {
            list.sort();
            list
        }
        _ => {
            let legacy = offer
                .get("legacy_version")
                .and_then(|s| s.as_str())
                .and_then(parse_version)
                .ok_or_else(|| bad("no usable legacy_version".into()))?;
            versions_up_to(legacy)
        }
    };
    let suites = codes(offer, "cipher_suites");
    if suites.is_empty() {
        return Err(bad("the offer lists no cipher suites".into()));
    }
    let has_sigalgs = codes(offer, "extensions").contains(&13);
    let peer = v.get("peer").and_then(|p| p.as_str()).unwrap_or("unknown");
    Ok(ClientOffer {
        id: "trap".into(),
        name: format!("trap client {peer}"),
        versions,
        suites,
        groups: codes(offer, "groups"),
        key_shares: None,
        sig_algs: Some(if has_sigalgs {
            codes(offer, "signature_algorithms")
        } else {
            Vec::new()
        }),
        sni: offer.get("sni").is_some_and(|s| !s.is_null()),
        source: format!("tlsfloor trap record from {peer}"),
        min_version_known,
        openssl_security_level: None,
    })
}
