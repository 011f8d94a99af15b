//! Telling an unmodified client to trust the throwaway CA: the CA file for every
//! environment variable common TLS stacks read, and a PKCS#12 trust store for Java (made
//! with the JDK's own `keytool` when it is installed). Every file is removed when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The password of the throwaway Java trust store (it holds only a public certificate).
const STORE_PASSWORD: &str = "tlsfloor";

/// Files made for one check-client run; removed on drop (also after Ctrl-C or SIGTERM, since
/// the run returns through here).
#[derive(Debug)]
pub struct TrustFiles {
    /// The CA certificate (PEM).
    pub ca: PathBuf,
    /// A PKCS#12 trust store with the CA, when `keytool` is available.
    pub java_store: Option<PathBuf>,
}

impl Drop for TrustFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca);
        if let Some(s) = &self.java_store {
            let _ = std::fs::remove_file(s);
        }
    }
}

/// A fresh temporary path for this process.
fn temp_path(suffix: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "tlsfloor-check-client-{}-{nanos}-{suffix}",
        std::process::id()
    ))
}

impl TrustFiles {
    /// Writes `ca_pem` and, if `keytool` runs, a Java trust store holding it.
    pub fn create(ca_pem: &[u8]) -> anyhow::Result<TrustFiles> {
        let ca = temp_path("ca.pem");
        std::fs::write(&ca, ca_pem)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", ca.display()))?;
        let mut files = TrustFiles {
            ca,
            java_store: None,
        };
        files.java_store = java_store(&files.ca);
        Ok(files)
    }

    /// The environment for the client: every variable a common TLS stack reads for its CA
    /// file, and `JAVA_TOOL_OPTIONS` pointing at the trust store (after any options already
    /// set).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let ca = self.ca.display().to_string();
        let mut env = vec![
            ("SSL_CERT_FILE", ca.clone()),
            ("REQUESTS_CA_BUNDLE", ca.clone()),
            ("CURL_CA_BUNDLE", ca.clone()),
            ("NODE_EXTRA_CA_CERTS", ca.clone()),
            ("AWS_CA_BUNDLE", ca),
        ];
        if let Some(store) = &self.java_store {
            let mut opts = std::env::var("JAVA_TOOL_OPTIONS").unwrap_or_default();
            if !opts.is_empty() {
                opts.push(' ');
            }
            opts.push_str(&format!(
                "-Djavax.net.ssl.trustStore={} -Djavax.net.ssl.trustStorePassword={STORE_PASSWORD} -Djavax.net.ssl.trustStoreType=PKCS12",
                store.display()
            ));
            env.push(("JAVA_TOOL_OPTIONS", opts));
        }
        env
    }
}

/// A PKCS#12 trust store holding `ca`, made by `keytool`; `None` without a JDK.
fn java_store(ca: &Path) -> Option<PathBuf> {
    let store = temp_path("truststore.p12");
    let ok = Command::new("keytool")
        .args([
            "-importcert",
            "-noprompt",
            "-alias",
            "tlsfloor-throwaway-ca",
        ])
        .arg("-file")
        .arg(ca)
        .arg("-keystore")
        .arg(&store)
        .args(["-storetype", "PKCS12", "-storepass", STORE_PASSWORD])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .env_remove("JAVA_TOOL_OPTIONS")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(store)
}
