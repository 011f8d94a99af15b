//! Whether a server's chain is trusted: verified by OpenSSL's X509 store against the system
//! trust store (or `--ca FILE` / `--ca-dir DIR`), plus what a verifier accepts but a policy
//! should not (a SHA-1 or MD5 signature, an RSA key under 2048 bits) and the host name.

use crate::report::{CertificateSummary, TrustReport};
use openssl::stack::Stack;
use openssl::x509::store::{X509Lookup, X509Store, X509StoreBuilder};
use openssl::x509::{X509StoreContext, X509};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where system trust stores usually are (Debian/Ubuntu, Fedora/RHEL, Alpine/macOS-style).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The trust anchors of a run, loaded once before the first probe.
#[derive(Clone)]
pub struct TrustAnchors {
    store: Arc<X509Store>,
    /// What was loaded, for the report (`system (/etc/ssl/certs/ca-certificates.crt)`,
    /// `--ca ca.pem`).
    pub source: String,
}

impl std::fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustAnchors")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why the trust anchors could not be loaded (a usage error: reported before scanning).
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The file or directory could not be read or holds no certificate.
    #[error("{0}")]
    Load(String),
}

fn load_bundle(b: &mut X509StoreBuilder, path: &Path) -> Result<usize, TrustError> {
    let pem = std::fs::read(path)
        .map_err(|e| TrustError::Load(format!("cannot read {}: {e}", path.display())))?;
    let certs = X509::stack_from_pem(&pem)
        .map_err(|e| TrustError::Load(format!("{}: not PEM certificates: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(TrustError::Load(format!(
            "{} holds no certificate",
            path.display()
        )));
    }
    let n = certs.len();
    for c in certs {
        // A duplicate certificate in a bundle is not an error worth stopping for.
        let _ = b.add_cert(c);
    }
    Ok(n)
}

impl TrustAnchors {
    /// `--ca FILE` and/or `--ca-dir DIR` (a hashed directory, as `c_rehash` makes), else
    /// the system trust store (`SSL_CERT_FILE`, then the usual bundle paths).
    pub fn load(ca_file: Option<&Path>, ca_dir: Option<&Path>) -> Result<TrustAnchors, TrustError> {
        let mut b = X509StoreBuilder::new().map_err(|e| TrustError::Load(e.to_string()))?;
        let mut source = Vec::new();
        if let Some(f) = ca_file {
            load_bundle(&mut b, f)?;
            source.push(format!("--ca {}", f.display()));
        }
        if let Some(d) = ca_dir {
            if !d.is_dir() {
                return Err(TrustError::Load(format!(
                    "{} is not a directory",
                    d.display()
                )));
            }
            let dir = d
                .to_str()
                .ok_or_else(|| TrustError::Load("--ca-dir is not UTF-8".into()))?;
            b.add_lookup(X509Lookup::hash_dir())
                .and_then(|l| l.add_dir(dir, openssl::ssl::SslFiletype::PEM))
                .map_err(|e| TrustError::Load(format!("{}: {e}", d.display())))?;
            source.push(format!("--ca-dir {}", d.display()));
        }
        if source.is_empty() {
            let env = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
            let found = env
                .into_iter()
                .chain(SYSTEM_BUNDLES.iter().map(PathBuf::from))
                .find(|p| p.is_file());
            match found {
                Some(p) if load_bundle(&mut b, &p).is_ok() => {
                    source.push(format!("system ({})", p.display()));
                }
                _ => source.push("no system trust store found".into()),
            }
        }
        Ok(TrustAnchors {
            store: Arc::new(b.build()),
            source: source.join(", "),
        })
    }

    /// Judges `chain` (DER, leaf first) whose summaries are `summaries`, served for a name
    /// that the leaf matches or not (`hostname_match`).
    pub fn judge(
        &self,
        chain: &[Vec<u8>],
        summaries: &[CertificateSummary],
        hostname_match: Option<bool>,
    ) -> TrustReport {
        let mut problems = Vec::new();
        if let Err(e) = self.verify(chain) {
            problems.push(e);
        }
        if hostname_match == Some(false) {
            problems.push("wrong host: the leaf does not name the host scanned".into());
        }
        // A self-signed root's own signature does not matter; every other one does.
        let signed: Vec<&CertificateSummary> =
            summaries.iter().filter(|c| c.subject != c.issuer).collect();
        for c in signed {
            let sig = c.signature_algorithm.to_ascii_lowercase();
            if sig.contains("sha1") || sig.contains("md5") || sig.contains("sha-1") {
                problems.push(format!(
                    "weak signature: {} on {}",
                    c.signature_algorithm, c.subject
                ));
            }
        }
        if let Some(leaf) = summaries.first() {
            if leaf.key_type.starts_with("RSA") && leaf.key_bits > 0 && leaf.key_bits < 2048 {
                problems.push(format!("weak key: RSA {} bits (under 2048)", leaf.key_bits));
            }
        }
        TrustReport {
            trusted: problems.is_empty(),
            problems,
            store: self.source.clone(),
        }
    }

    /// OpenSSL's chain verification of `chain` (leaf first, the rest as intermediates).
    fn verify(&self, chain: &[Vec<u8>]) -> Result<(), String> {
        let certs: Vec<X509> = chain
            .iter()
            .filter_map(|d| X509::from_der(d).ok())
            .collect();
        let Some((leaf, rest)) = certs.split_first() else {
            return Err("no certificate to verify".into());
        };
        let mut untrusted = Stack::new().map_err(|e| e.to_string())?;
        for c in rest {
            untrusted.push(c.clone()).map_err(|e| e.to_string())?;
        }
        let mut ctx = X509StoreContext::new().map_err(|e| e.to_string())?;
        let result = ctx
            .init(&self.store, leaf, &untrusted, |c| {
                let ok = c.verify_cert()?;
                Ok((ok, c.error()))
            })
            .map_err(|e| e.to_string())?;
        match result {
            (true, _) => Ok(()),
            (false, e) => Err(e.error_string().to_string()),
        }
    }
}
