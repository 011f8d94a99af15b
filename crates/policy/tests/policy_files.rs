//! User policy files: names by IANA, OpenSSL or code; errors name the line.

use tlsfloor_policy::load::parse_user;
use tlsfloor_policy::PolicyError;
use tlsfloor_wire::Version;

#[test]
fn accepts_iana_openssl_and_hex_names() {
    let text = r#"
name = "corp"
min_version = "1.2"
ciphers = [
  "ECDHE-RSA-AES128-GCM-SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "0xcca8",
  "TLS_AES_128_GCM_SHA256",
]
"#;
    let p = parse_user(text, "corp.toml").expect("parses");
    assert_eq!(p.protocols, vec![Version::Tls12, Version::Tls13]);
    let codes: Vec<u16> = p.ciphers.unwrap().iter().map(|s| s.code).collect();
    assert_eq!(codes, vec![0xc02f, 0xc030, 0xcca8]);
    let t13: Vec<u16> = p.tls13_ciphers.unwrap().iter().map(|s| s.code).collect();
    assert_eq!(t13, vec![0x1301]);
    assert_eq!(p.family, "file");
}

#[test]
fn unknown_suite_names_the_line() {
    let text = "name = \"x\"\nprotocols = [\"TLSv1.2\"]\nciphers = [\n  \"ECDHE-RSA-AES128-GCM-SHA256\",\n  \"ECDHE-RSA-AES999-GCM-SHA256\",\n]\n";
    let e = parse_user(text, "x.toml").unwrap_err();
    assert!(
        matches!(e, PolicyError::UnknownSuite { line: 5, .. }),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("x.toml:5: unknown cipher suite \"ECDHE-RSA-AES999-GCM-SHA256\""),
        "{msg}"
    );
}

#[test]
fn unknown_version_and_fields_are_errors() {
    let e = parse_user(
        "name = \"x\"\nprotocols = [\"TLSv1.2\", \"TLSv1.4\"]\n",
        "v.toml",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("v.toml:2: unknown protocol version \"TLSv1.4\""),
        "{e}"
    );
    let e = parse_user("name = \"x\"\nprotocol = [\"TLSv1.2\"]\n", "f.toml").unwrap_err();
    assert!(e.to_string().contains("protocol"), "{e}");
    let e = parse_user("name = \"x\"\n", "n.toml").unwrap_err();
    assert!(e.to_string().contains("min_version"), "{e}");
    let e = parse_user(
        "name = \"x\"\nprotocols = [\"TLSv1.3\"]\nciphers = [\"AES128-SHA\"]\n",
        "m.toml",
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("no cipher suite usable at TLSv1.3"),
        "{e}"
    );
}
