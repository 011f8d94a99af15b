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
    let mut b = X509Builder::new()?;
    b.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(120, MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(subject)?;
    b.set_pubkey(key)?;
    // Start one hour in the past so small clock differences do not matter.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let not_before = Asn1Time::from_unix(now - 3600)?;
    let not_after = Asn1Time::days_from_now(days)?;
    b.set_not_before(&not_before)?;
    b.set_not_after(&not_after)?;
    Ok(b)
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
        let mut leaf = base_builder(&name("localhost")?, &leaf_key, 30)?;
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
        let ctx = leaf.x509v3_context(Some(&ca_cert), None);
        let san = SubjectAlternativeName::new()
            .dns("localhost")
            .ip("127.0.0.1")
            .ip("::1")
            .build(&ctx)?;
        let akid = AuthorityKeyIdentifier::new().keyid(false).build(&ctx)?;
        let skid = SubjectKeyIdentifier::new().build(&ctx)?;
        leaf.append_extension(san)?;
        leaf.append_extension(akid)?;
        leaf.append_extension(skid)?;
        leaf.sign(&ca_key, MessageDigest::sha256())?;
        Ok(Pki {
            ca_cert,
            leaf_cert: leaf.build(),
            leaf_key,
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
