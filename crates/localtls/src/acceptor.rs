//! An OpenSSL `SslAcceptor` restricted to a version range and a cipher string, at security
//! level 0 (OpenSSL 3 refuses TLS 1.0/1.1 at the default level 1), and a probe of which
//! versions this OpenSSL build can speak at all.

use crate::{LocalTlsError, Pki};
use openssl::ssl::{SslAcceptor, SslConnector, SslMethod, SslOptions, SslVerifyMode, SslVersion};
use tlsfloor_wire::Version;

/// The trap's default cipher string (TLS 1.2 and below), used with server preference: RSA key
/// exchange first, then everything else OpenSSL has. RSA key exchange goes first because it
/// needs no ServerKeyExchange signature: an OpenSSL 3 client at its default security level
/// aborts an (EC)DHE handshake below TLS 1.2 ("legacy sigalg disallowed": the MD5-SHA1
/// signature) but completes an RSA-key-exchange one, and the trap must find out whether a
/// client can be made to complete a legacy handshake at all.
pub const TRAP_CIPHERS: &str = "kRSA:ALL:!aNULL:!eNULL:@SECLEVEL=0";

/// What an acceptor allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Lowest version allowed.
    pub min_version: Version,
    /// Highest version allowed.
    pub max_version: Version,
    /// OpenSSL cipher string for TLS 1.2 and below (`@SECLEVEL=0` is added when missing).
    pub ciphers: String,
    /// ALPN protocols the server selects from, in preference order (empty: no ALPN).
    pub alpn: Vec<String>,
}

impl ServerConfig {
    /// Exactly one version, with [`TRAP_CIPHERS`].
    pub fn only(v: Version) -> ServerConfig {
        ServerConfig {
            min_version: v,
            max_version: v,
            ciphers: TRAP_CIPHERS.to_string(),
            alpn: Vec::new(),
        }
    }
}

/// The `openssl` crate's constant for a version.
pub fn ssl_version(v: Version) -> SslVersion {
    match v {
        Version::Ssl30 => SslVersion::SSL3,
        Version::Tls10 => SslVersion::TLS1,
        Version::Tls11 => SslVersion::TLS1_1,
        Version::Tls12 => SslVersion::TLS1_2,
        Version::Tls13 => SslVersion::TLS1_3,
    }
}

/// Loads OpenSSL's legacy provider (RC4, and other algorithms OpenSSL 3 moved there) beside
/// the default one, once per process, so traps can serve the oldest suites. Loading any
/// provider explicitly stops OpenSSL from loading the default one implicitly, so both are
/// loaded. Returns false when the legacy provider is not available in this build.
pub fn load_legacy_algorithms() -> bool {
    static LOADED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *LOADED.get_or_init(|| {
        let default = openssl::provider::Provider::try_load(None, "default", true);
        let legacy = openssl::provider::Provider::try_load(None, "legacy", true);
        let ok = default.is_ok() && legacy.is_ok();
        // Providers unload when dropped: these stay for the life of the process.
        std::mem::forget(default);
        std::mem::forget(legacy);
        ok
    })
}

/// Builds an acceptor serving the leaf of `pki` with only the versions and ciphers of `cfg`,
/// at security level 0, with server cipher preference.
pub fn build_acceptor(pki: &Pki, cfg: &ServerConfig) -> Result<SslAcceptor, LocalTlsError> {
    if cfg.min_version > cfg.max_version {
        return Err(LocalTlsError::Config(format!(
            "min version {} is above max version {}",
            cfg.min_version, cfg.max_version
        )));
    }
    load_legacy_algorithms();
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    b.clear_options(SslOptions::NO_TLSV1 | SslOptions::NO_TLSV1_1 | SslOptions::NO_SSLV3);
    b.set_options(SslOptions::CIPHER_SERVER_PREFERENCE | SslOptions::NO_TICKET);
    b.set_min_proto_version(Some(ssl_version(cfg.min_version)))?;
    b.set_max_proto_version(Some(ssl_version(cfg.max_version)))?;
    let ciphers = if cfg.ciphers.contains("@SECLEVEL") {
        cfg.ciphers.clone()
    } else {
        format!("{}:@SECLEVEL=0", cfg.ciphers)
    };
    b.set_cipher_list(&ciphers)?;
    b.set_security_level(0);
    b.set_certificate(&pki.leaf_cert)?;
    b.add_extra_chain_cert(pki.ca_cert.clone())?;
    b.set_private_key(&pki.leaf_key)?;
    b.check_private_key()?;
    if !cfg.alpn.is_empty() {
        let protos = cfg.alpn.clone();
        b.set_alpn_select_callback(move |_, client| {
            for p in &protos {
                let mut rest = client;
                while let Some((&len, tail)) = rest.split_first() {
                    let Some(name) = tail.get(..usize::from(len)) else {
                        break;
                    };
                    if name == p.as_bytes() {
                        return Ok(name);
                    }
                    rest = &tail[usize::from(len)..];
                }
            }
            Err(openssl::ssl::AlpnError::NOACK)
        });
    }
    Ok(b.build())
}

/// True when this OpenSSL build completes a handshake at `v` with itself (over an in-memory
/// socket pair; no network). SSLv3 is usually compiled out (`no-ssl3`).
pub fn version_supported(v: Version) -> bool {
    let Ok(pki) = Pki::generate() else {
        return false;
    };
    version_supported_with(&pki, v)
}

/// [`version_supported`] reusing an existing PKI (saves generating keys).
pub fn version_supported_with(pki: &Pki, v: Version) -> bool {
    let Ok(acceptor) = build_acceptor(pki, &ServerConfig::only(v)) else {
        return false;
    };
    let Ok((a, b)) = std::os::unix::net::UnixStream::pair() else {
        return false;
    };
    for s in [&a, &b] {
        let t = Some(std::time::Duration::from_secs(5));
        if s.set_read_timeout(t).is_err() || s.set_write_timeout(t).is_err() {
            return false;
        }
    }
    let server = std::thread::spawn(move || acceptor.accept(a).is_ok());
    let client_ok = (|| -> Option<bool> {
        let mut c = SslConnector::builder(SslMethod::tls_client()).ok()?;
        c.clear_options(SslOptions::NO_TLSV1 | SslOptions::NO_TLSV1_1 | SslOptions::NO_SSLV3);
        c.set_min_proto_version(Some(ssl_version(v))).ok()?;
        c.set_max_proto_version(Some(ssl_version(v))).ok()?;
        c.set_cipher_list("ALL:@SECLEVEL=0").ok()?;
        c.set_security_level(0);
        c.set_verify(SslVerifyMode::NONE);
        let conn = c.build();
        Some(conn.connect("localhost", b).is_ok())
    })()
    .unwrap_or(false);
    server.join().unwrap_or(false) && client_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_and_modern_versions_are_available_at_seclevel_0() {
        let pki = Pki::generate().unwrap();
        for v in Version::ALL {
            assert!(version_supported_with(&pki, v), "{v} should work");
        }
    }

    #[test]
    fn rc4_and_3des_suites_are_served() {
        assert!(load_legacy_algorithms());
        let pki = Pki::generate().unwrap();
        for cipher in ["RC4-SHA", "DES-CBC3-SHA"] {
            let cfg = ServerConfig {
                ciphers: cipher.into(),
                ..ServerConfig::only(Version::Tls10)
            };
            assert!(build_acceptor(&pki, &cfg).is_ok(), "{cipher}");
        }
    }

    #[test]
    fn inverted_range_is_a_config_error() {
        let pki = Pki::generate().unwrap();
        let cfg = ServerConfig {
            min_version: Version::Tls12,
            max_version: Version::Tls10,
            ciphers: TRAP_CIPHERS.into(),
            alpn: vec![],
        };
        assert!(matches!(
            build_acceptor(&pki, &cfg),
            Err(LocalTlsError::Config(_))
        ));
    }
}
