//! The built-in policies (`data/builtin.toml`, embedded) and lookup by id or name.

use crate::error::PolicyError;
use crate::load::{load_file, parse_builtin};
use crate::model::Policy;
use std::path::Path;
use std::sync::OnceLock;

/// The embedded data file.
pub const BUILTIN_TOML: &str = include_str!("../data/builtin.toml");

/// Every built-in policy, in data-file order. Parsed once; an error here is a bug in the data
/// (the tests parse it).
pub fn builtin() -> Result<&'static [Policy], PolicyError> {
    static CELL: OnceLock<Result<Vec<Policy>, String>> = OnceLock::new();
    let parsed = CELL.get_or_init(|| {
        parse_builtin(BUILTIN_TOML, "built-in policies").map_err(|e| e.to_string())
    });
    match parsed {
        Ok(v) => Ok(v.as_slice()),
        Err(message) => Err(PolicyError::Syntax {
            origin: "built-in policies".into(),
            message: message.clone(),
        }),
    }
}

/// Finds a built-in policy by id (exact, then case-insensitive: ids are unique), else by name
/// (exact, then case-insensitive; a name two families share is ambiguous).
pub fn find_builtin(name: &str) -> Result<&'static Policy, PolicyError> {
    let all = builtin()?;
    if let Some(p) = all.iter().find(|p| p.id == name) {
        return Ok(p);
    }
    if let Some(p) = all.iter().find(|p| p.id.eq_ignore_ascii_case(name)) {
        return Ok(p);
    }
    for exact in [true, false] {
        let hits: Vec<&Policy> = all
            .iter()
            .filter(|p| {
                if exact {
                    p.name == name
                } else {
                    p.name.eq_ignore_ascii_case(name)
                }
            })
            .collect();
        match hits.len() {
            0 => continue,
            1 => return Ok(hits[0]),
            _ => {
                return Err(PolicyError::Ambiguous {
                    name: name.to_string(),
                    candidates: hits.iter().map(|p| p.id.clone()).collect(),
                })
            }
        }
    }
    Err(PolicyError::NotFound {
        name: name.to_string(),
        hint: suggest(all, name),
    })
}

fn suggest(all: &[Policy], name: &str) -> String {
    crate::suggest::hint(
        name,
        all.iter().flat_map(|p| [p.id.as_str(), p.name.as_str()]),
    )
}

/// Resolves `--policy NAME|FILE`: a built-in id or name first, else a TOML file at that path.
pub fn resolve(spec: &str) -> Result<Policy, PolicyError> {
    match find_builtin(spec) {
        Ok(p) => Ok(p.clone()),
        Err(PolicyError::NotFound { .. }) if Path::new(spec).is_file() => {
            load_file(Path::new(spec))
        }
        Err(PolicyError::NotFound { .. }) if spec.ends_with(".toml") => Err(PolicyError::Read {
            path: spec.into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        }),
        Err(e) => Err(e),
    }
}
