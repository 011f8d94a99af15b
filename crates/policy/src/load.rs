//! Parsing policies from TOML: the built-in data file and user policy files.

use crate::error::PolicyError;
use crate::model::{normalize_group, Origin, Policy, S2nName, Suite};
use crate::registry;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;
use tlsfloor_wire::Version;
use toml::Spanned;

/// Schema identifier of the built-in data file.
pub const POLICIES_SCHEMA: &str = "tlsfloor.policies/v1";

/// One policy as written in TOML (built-in `[[policy]]` tables or a user file's top level).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: Option<String>,
    name: String,
    family: Option<String>,
    description: Option<String>,
    source_url: Option<String>,
    source_status: Option<String>,
    source_note: Option<String>,
    server_order: Option<bool>,
    protocols: Option<Vec<Spanned<String>>>,
    min_version: Option<Spanned<String>>,
    ciphers: Option<Vec<Spanned<String>>>,
    tls13_ciphers: Option<Vec<Spanned<String>>>,
    groups: Option<Vec<String>>,
    min_rsa_bits: Option<u32>,
    min_dh_bits: Option<u32>,
    min_ecdsa_bits: Option<u32>,
    require_trusted_chain: Option<bool>,
    /// The s2n-tls name of the policy, where it differs from the id.
    s2n_policy: Option<String>,
    /// The s2n-tls policy whose suites (not groups) this one has.
    s2n_suites_of: Option<String>,
}

/// The built-in data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: String,
    policy: Vec<RawPolicy>,
}

/// 1-based line number of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at)
        .map(|s| s.bytes().filter(|b| *b == b'\n').count() + 1)
        .unwrap_or(1)
}

struct Ctx<'a> {
    origin: &'a str,
    text: &'a str,
    strict_lists: bool,
}

impl Ctx<'_> {
    fn line(&self, s: &Spanned<String>) -> usize {
        line_of(self.text, s.span().start)
    }

    fn version(&self, s: &Spanned<String>) -> Result<Version, PolicyError> {
        s.get_ref()
            .parse::<Version>()
            .map_err(|_| PolicyError::UnknownVersion {
                origin: self.origin.to_string(),
                line: self.line(s),
                name: s.get_ref().clone(),
            })
    }

    fn suite(&self, s: &Spanned<String>) -> Result<Suite, PolicyError> {
        registry::resolve(s.get_ref()).ok_or_else(|| PolicyError::UnknownSuite {
            origin: self.origin.to_string(),
            line: self.line(s),
            name: s.get_ref().clone(),
        })
    }

    fn build(&self, raw: RawPolicy, origin: Origin) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid {
            origin: self.origin.to_string(),
            policy: raw.name.clone(),
            message,
        };
        let mut protocols: BTreeSet<Version> = BTreeSet::new();
        match (&raw.protocols, &raw.min_version) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "set either `protocols` or `min_version`, not both".into(),
                ))
            }
            (Some(list), None) => {
                for p in list {
                    protocols.insert(self.version(p)?);
                }
            }
            (None, Some(min)) => {
                let min = self.version(min)?;
                protocols.extend(Version::ALL.into_iter().filter(|v| *v >= min));
            }
            (None, None) => {
                return Err(invalid(
                    "no `protocols` (e.g. [\"TLSv1.2\", \"TLSv1.3\"]) or `min_version` given"
                        .into(),
                ))
            }
        }
        if protocols.is_empty() {
            return Err(invalid("`protocols` is empty".into()));
        }

        // Suites: each name is resolved; TLS 1.3 suites go to the TLS 1.3 list. The built-in
        // file must put them in the right list; user files may mix them in `ciphers`.
        let mut ciphers: Option<Vec<Suite>> = None;
        let mut tls13: Option<Vec<Suite>> = None;
        for (list, is13) in [(&raw.ciphers, false), (&raw.tls13_ciphers, true)] {
            let Some(list) = list else { continue };
            if is13 {
                tls13.get_or_insert_with(Vec::new);
            } else {
                ciphers.get_or_insert_with(Vec::new);
            }
            for name in list {
                let suite = self.suite(name)?;
                if self.strict_lists && suite.is_tls13() != is13 {
                    return Err(PolicyError::MisplacedSuite {
                        origin: self.origin.to_string(),
                        line: self.line(name),
                        message: format!(
                            "{} is {}a TLS 1.3 suite but is listed under `{}`",
                            suite.iana,
                            if suite.is_tls13() { "" } else { "not " },
                            if is13 { "tls13_ciphers" } else { "ciphers" }
                        ),
                    });
                }
                if !is13 && suite.is_tls13() {
                    // A TLS 1.3 suite listed under `ciphers` in a user file.
                    push_unique(tls13.get_or_insert_with(Vec::new), suite);
                } else if is13 && !suite.is_tls13() {
                    return Err(PolicyError::MisplacedSuite {
                        origin: self.origin.to_string(),
                        line: self.line(name),
                        message: format!(
                            "{} is not a TLS 1.3 suite but is listed under `tls13_ciphers`",
                            suite.iana
                        ),
                    });
                } else if is13 {
                    push_unique(tls13.get_or_insert_with(Vec::new), suite);
                } else {
                    push_unique(ciphers.get_or_insert_with(Vec::new), suite);
                }
            }
        }
        // When suites are restricted at all, a missing list means "none" for that family, so
        // that a TLS 1.3-only policy does not silently allow every TLS 1.2 suite.
        if ciphers.is_some() || tls13.is_some() {
            ciphers.get_or_insert_with(Vec::new);
            tls13.get_or_insert_with(Vec::new);
        }
        let protocols: Vec<Version> = protocols.into_iter().collect();
        if let (Some(c), Some(t)) = (&ciphers, &tls13) {
            for v in &protocols {
                let list = if *v == Version::Tls13 { t } else { c };
                if !list.iter().any(|s| s.usable_at(*v)) {
                    return Err(invalid(format!(
                        "allows {v} but lists no cipher suite usable at {v}"
                    )));
                }
            }
        }
        let (family, status) = match origin {
            Origin::Builtin => (
                raw.family.clone().unwrap_or_default(),
                raw.source_status.clone().unwrap_or_default(),
            ),
            _ => (
                raw.family.clone().unwrap_or_else(|| "file".into()),
                raw.source_status.clone().unwrap_or_else(|| "user".into()),
            ),
        };
        if origin == Origin::Builtin && (family.is_empty() || status.is_empty()) {
            return Err(invalid(
                "built-in policies need `family` and `source_status`".into(),
            ));
        }
        Ok(Policy {
            id: raw.id.clone().unwrap_or_else(|| raw.name.clone()),
            name: raw.name.clone(),
            family,
            description: raw.description.clone().unwrap_or_default(),
            source_url: raw.source_url.clone(),
            source_status: status,
            source_note: raw.source_note.clone().unwrap_or_default(),
            server_order: raw.server_order.unwrap_or(false),
            protocols,
            ciphers,
            tls13_ciphers: tls13,
            groups: raw
                .groups
                .as_ref()
                .map(|g| g.iter().map(|n| normalize_group(n)).collect()),
            min_rsa_bits: raw.min_rsa_bits,
            min_dh_bits: raw.min_dh_bits,
            min_ecdsa_bits: raw.min_ecdsa_bits,
            require_trusted_chain: raw.require_trusted_chain.unwrap_or(false),
            s2n: match (raw.s2n_policy, raw.s2n_suites_of) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "set either `s2n_policy` or `s2n_suites_of`, not both".into(),
                    ))
                }
                (Some(n), None) => S2nName::Named(n),
                (None, Some(n)) => S2nName::SuitesOf(n),
                (None, None) => S2nName::SameAsId,
            },
            origin,
        })
    }
}

fn push_unique(list: &mut Vec<Suite>, suite: Suite) {
    if !list.iter().any(|s| s.code == suite.code) {
        list.push(suite);
    }
}

fn syntax(origin: &str, e: toml::de::Error) -> PolicyError {
    PolicyError::Syntax {
        origin: origin.to_string(),
        message: e.to_string().trim_end().to_string(),
    }
}

/// Parses the built-in data file format (`schema` plus `[[policy]]` tables).
pub fn parse_builtin(text: &str, origin: &str) -> Result<Vec<Policy>, PolicyError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| syntax(origin, e))?;
    if raw.schema != POLICIES_SCHEMA {
        return Err(PolicyError::Syntax {
            origin: origin.to_string(),
            message: format!("schema {:?}, expected {POLICIES_SCHEMA:?}", raw.schema),
        });
    }
    let ctx = Ctx {
        origin,
        text,
        strict_lists: true,
    };
    let mut out: Vec<Policy> = Vec::with_capacity(raw.policy.len());
    for p in raw.policy {
        let policy = ctx.build(p, Origin::Builtin)?;
        if out.iter().any(|o| o.id == policy.id) {
            return Err(PolicyError::Invalid {
                origin: origin.to_string(),
                policy: policy.name,
                message: format!("duplicate id {:?}", policy.id),
            });
        }
        out.push(policy);
    }
    Ok(out)
}

/// Parses a user policy (fields at the top level of the TOML document).
pub fn parse_user(text: &str, origin: &str) -> Result<Policy, PolicyError> {
    let raw: RawPolicy = toml::from_str(text).map_err(|e| syntax(origin, e))?;
    let ctx = Ctx {
        origin,
        text,
        strict_lists: false,
    };
    ctx.build(raw, Origin::File)
}

/// Reads and parses a user policy file.
pub fn load_file(path: &Path) -> Result<Policy, PolicyError> {
    let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_user(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
