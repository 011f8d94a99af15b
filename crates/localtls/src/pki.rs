//! A throwaway PKI: a self-signed CA and one RSA-2048 leaf for `localhost`, `127.0.0.1` and
//! `::1`, made in-process with the `openssl` crate.

use crate::LocalTlsError;
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509Builder, X509Name, X509NameBuilder, X509};
use std::path::Path;

/// A throwaway CA and a leaf certificate signed by it.
pub struct Pki {
    /// The CA certificate (clients trust this one).
    pub ca_cert: X509,
    /// The leaf certificate, for `localhost`, `127.0.0.1` and `::1`.
    pub leaf_cert: X509,
    /// The leaf's private key.
    pub leaf_key: PKey<Private>,
    ca_key: PKey<Private>,
}

/// A deliberately bad leaf, for checking that a client verifies certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadLeaf {
    /// Issued by another throwaway CA that the client is not told to trust.
    UntrustedCa,
    /// Issued by the trusted CA, but expired a day ago.
    Expired,
    /// Issued by the trusted CA for another host name (`wrong-host.invalid`).
    WrongHost,
}

/// The leaf's names: `localhost`, `127.0.0.1`, `::1`, or one other name.
enum Names<'a> {
    Local,
    Other(&'a str),
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki").finish_non_exhaustive()
    }
}

fn name(cn: &str) -> Result<X509Name, LocalTlsError> {
    let mut n = X509NameBuilder::new()?;
    n.append_entry_by_text("O", "tlsfloor throwaway")?;
    n.append_entry_by_text("CN", cn)?;
    Ok(n.build())
}

fn base_builder(
    subject: &X509Name,
    key: &PKey<Private>,
    days: u32,
) -> Result<X509Builder, LocalTlsError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // Start one hour in the past so small clock differences do not matter.
    builder_valid(subject, key, now - 3600, now + i64::from(days) * 86_400)
}

/// A builder valid from `not_before` to `not_after` (Unix seconds).
fn builder_valid(
    subject: &X509Name,
    key: &PKey<Private>,
    not_before: i64,
    not_after: i64,
) -> Result<X509Builder, LocalTlsError> {
    let mut b = X509Builder::new()?;
    b.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(120, MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(subject)?;
    b.set_pubkey(key)?;
    let (from, until) = (
        Asn1Time::from_unix(not_before)?,
        Asn1Time::from_unix(not_after)?,
    );
    b.set_not_before(&from)?;
    b.set_not_after(&until)?;
    Ok(b)
}

/// A leaf for `names`, signed by `ca_key` as `ca_cert`, built from `builder`.
fn sign_leaf(
    mut leaf: X509Builder,
    names: Names<'_>,
    ca_cert: &X509,
    ca_key: &PKey<Private>,
) -> Result<X509, LocalTlsError> {
    leaf.set_issuer_name(ca_cert.subject_name())?;
    leaf.append_extension(BasicConstraints::new().build()?)?;
    leaf.append_extension(
        KeyUsage::new()
            .critical()
            .digital_signature()
            .key_encipherment()
            .build()?,
    )?;
    leaf.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
    let ctx = leaf.x509v3_context(Some(ca_cert), None);
    let mut san = SubjectAlternativeName::new();
    match names {
        Names::Local => san.dns("localhost").ip("127.0.0.1").ip("::1"),
        Names::Other(n) => san.dns(n),
    };
    let san = san.build(&ctx)?;
    let akid = AuthorityKeyIdentifier::new().keyid(false).build(&ctx)?;
    let skid = SubjectKeyIdentifier::new().build(&ctx)?;
    leaf.append_extension(san)?;
    leaf.append_extension(akid)?;
    leaf.append_extension(skid)?;
    leaf.sign(ca_key, MessageDigest::sha256())?;
    Ok(leaf.build())
}

impl Pki {
    /// Generates a new CA (RSA-2048, valid 30 days) and leaf (RSA-2048, valid 30 days).
    pub fn generate() -> Result<Pki, LocalTlsError> {
        let ca_key = PKey::from_rsa(Rsa::generate(2048)?)?;
        let ca_name = name("tlsfloor throwaway CA")?;
        let mut ca = base_builder(&ca_name, &ca_key, 30)?;
        ca.set_issuer_name(&ca_name)?;
        ca.append_extension(BasicConstraints::new().critical().ca().build()?)?;
        ca.append_extension(
            KeyUsage::new()
                .critical()
                .key_cert_sign()
                .crl_sign()
                .build()?,
        )?;
        let skid = SubjectKeyIdentifier::new().build(&ca.x509v3_context(None, None))?;
        ca.append_extension(skid)?;
        ca.sign(&ca_key, MessageDigest::sha256())?;
        let ca_cert = ca.build();

        let leaf_key = PKey::from_rsa(Rsa::generate(2048)?)?;
        let leaf = base_builder(&name("localhost")?, &leaf_key, 30)?;
        let leaf_cert = sign_leaf(leaf, Names::Local, &ca_cert, &ca_key)?;
        Ok(Pki {
            ca_cert,
            leaf_cert,
            leaf_key,
            ca_key,
        })
    }

    /// The same trusted CA with a bad leaf of `kind` instead (the leaf key is reused: only
    /// the certificate matters). For [`BadLeaf::UntrustedCa`] the leaf is valid for
    /// `localhost` but issued by a new CA nobody trusts; that CA is not in the chain sent.
    pub fn with_bad_leaf(&self, kind: BadLeaf) -> Result<Pki, LocalTlsError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let subject = name("localhost")?;
        let (leaf_cert, ca_cert) = match kind {
            BadLeaf::UntrustedCa => {
                let other = Pki::generate()?;
                let leaf = base_builder(&subject, &self.leaf_key, 30)?;
                let cert = sign_leaf(leaf, Names::Local, &other.ca_cert, &other.ca_key)?;
                (cert, other.ca_cert)
            }
            BadLeaf::Expired => {
                let leaf =
                    builder_valid(&subject, &self.leaf_key, now - 30 * 86_400, now - 86_400)?;
                let cert = sign_leaf(leaf, Names::Local, &self.ca_cert, &self.ca_key)?;
                (cert, self.ca_cert.clone())
            }
            BadLeaf::WrongHost => {
                let subject = name("wrong-host.invalid")?;
                let leaf = base_builder(&subject, &self.leaf_key, 30)?;
                let names = Names::Other("wrong-host.invalid");
                let cert = sign_leaf(leaf, names, &self.ca_cert, &self.ca_key)?;
                (cert, self.ca_cert.clone())
            }
        };
        Ok(Pki {
            ca_cert,
            leaf_cert,
            leaf_key: self.leaf_key.clone(),
            ca_key: self.ca_key.clone(),
        })
    }

    /// The CA certificate in PEM.
    pub fn ca_pem(&self) -> Result<Vec<u8>, LocalTlsError> {
        Ok(self.ca_cert.to_pem()?)
    }

    /// Writes the CA certificate (PEM) to `path`, for clients to trust.
    pub fn write_ca_pem(&self, path: &Path) -> Result<(), LocalTlsError> {
        std::fs::write(path, self.ca_pem()?).map_err(|source| LocalTlsError::Io {
            context: format!("write CA certificate to {}", path.display()),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_leaves_fail_verification_for_their_reason() {
        use openssl::x509::store::X509StoreBuilder;
        use openssl::x509::{X509StoreContext, X509VerifyResult};
        let pki = Pki::generate().unwrap();
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(pki.ca_cert.clone()).unwrap();
        let store = store.build();
        let verify = |leaf: &X509| {
            let chain = openssl::stack::Stack::new().unwrap();
            let mut ctx = X509StoreContext::new().unwrap();
            ctx.init(&store, leaf, &chain, |c| {
                Ok(c.verify_cert().map(|_| c.error()))
            })
            .unwrap()
            .unwrap()
        };
        assert_eq!(verify(&pki.leaf_cert), X509VerifyResult::OK);
        let untrusted = pki.with_bad_leaf(BadLeaf::UntrustedCa).unwrap();
        assert_ne!(verify(&untrusted.leaf_cert), X509VerifyResult::OK);
        let expired = pki.with_bad_leaf(BadLeaf::Expired).unwrap();
        assert!(verify(&expired.leaf_cert)
            .error_string()
            .contains("expired"));
        let wrong = pki.with_bad_leaf(BadLeaf::WrongHost).unwrap();
        assert_eq!(verify(&wrong.leaf_cert), X509VerifyResult::OK); // chain fine, name wrong
        let names: Vec<String> = wrong
            .leaf_cert
            .subject_alt_names()
            .unwrap()
            .iter()
            .filter_map(|n| n.dnsname().map(str::to_string))
            .collect();
        assert_eq!(names, vec!["wrong-host.invalid".to_string()]);
    }

    #[test]
    fn leaf_verifies_against_ca_and_names_localhost() {
        let pki = Pki::generate().unwrap();
        let ca_key = pki.ca_cert.public_key().unwrap();
        assert!(pki.leaf_cert.verify(&ca_key).unwrap());
        let sans: Vec<String> = pki
            .leaf_cert
            .subject_alt_names()
            .unwrap()
            .iter()
            .map(|n| {
                n.dnsname()
                    .map(str::to_string)
                    .or_else(|| n.ipaddress().map(|b| format!("{b:?}")))
                    .unwrap_or_default()
            })
            .collect();
        assert!(sans.contains(&"localhost".to_string()), "{sans:?}");
        assert!(sans.contains(&"[127, 0, 0, 1]".to_string()), "{sans:?}");
        assert!(pki
            .ca_pem()
            .unwrap()
            .starts_with(b"-----BEGIN CERTIFICATE-----"));
    }
}
