//! In-band upgrades to TLS (STARTTLS and its relatives), as pure state machines: the caller
//! sends what a [`Step::Send`] says, feeds back what the server answers, and starts TLS on
//! the same connection at [`Step::Ready`]. No sockets here; the scanner's probes and its real
//! handshake drive the same machine.
//!
//! | protocol | exchange before the ClientHello |
//! |---|---|
//! | SMTP (RFC 3207) | greeting `220`, `EHLO`, `250` listing `STARTTLS`, `STARTTLS`, `220` |
//! | IMAP (RFC 3501) | greeting `* OK`, `a STARTTLS`, `a OK` |
//! | POP3 (RFC 2595) | greeting `+OK`, `STLS`, `+OK` |
//! | FTP (RFC 4217) | greeting `220`, `AUTH TLS`, `234` |
//! | LDAP (RFC 4511) | ExtendedRequest `1.3.6.1.4.1.1466.20037`, ExtendedResponse `success` |
//! | XMPP (RFC 6120) | stream header, features with `<starttls/>`, `<starttls/>`, `<proceed/>` |
//! | PostgreSQL | SSLRequest, `S` |
//! | MySQL / MariaDB | server handshake with `CLIENT_SSL`, SSL request packet (no reply) |

use std::fmt;

/// A protocol upgraded to TLS in band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// SMTP `STARTTLS`.
    Smtp,
    /// IMAP `STARTTLS`.
    Imap,
    /// POP3 `STLS`.
    Pop3,
    /// FTP `AUTH TLS`.
    Ftp,
    /// LDAP StartTLS extended operation.
    Ldap,
    /// XMPP client-to-server `<starttls/>`.
    Xmpp,
    /// PostgreSQL SSLRequest.
    Postgres,
    /// MySQL / MariaDB SSL request.
    Mysql,
}

impl Protocol {
    /// Every protocol, in `--help` order.
    pub const ALL: [Protocol; 8] = [
        Protocol::Smtp,
        Protocol::Imap,
        Protocol::Pop3,
        Protocol::Ftp,
        Protocol::Ldap,
        Protocol::Xmpp,
        Protocol::Postgres,
        Protocol::Mysql,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Ftp => "ftp",
            Protocol::Ldap => "ldap",
            Protocol::Xmpp => "xmpp",
            Protocol::Postgres => "postgres",
            Protocol::Mysql => "mysql",
        }
    }

    /// The protocol a name means (`submission` is SMTP on 587, `postgresql` PostgreSQL).
    pub fn from_name(s: &str) -> Option<Protocol> {
        let s = s.to_ascii_lowercase();
        match s.as_str() {
            "submission" => Some(Protocol::Smtp),
            "postgresql" => Some(Protocol::Postgres),
            "mariadb" => Some(Protocol::Mysql),
            _ => Protocol::ALL.into_iter().find(|p| p.name() == s),
        }
    }

    /// The protocol usually upgraded on `port` (for `--starttls auto`).
    pub fn for_port(port: u16) -> Option<Protocol> {
        Some(match port {
            25 | 587 | 2525 => Protocol::Smtp,
            143 => Protocol::Imap,
            110 => Protocol::Pop3,
            21 => Protocol::Ftp,
            389 => Protocol::Ldap,
            5222 => Protocol::Xmpp,
            5432 => Protocol::Postgres,
            3306 => Protocol::Mysql,
            _ => return None,
        })
    }

    /// The default port of the protocol (SMTP: 25).
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Smtp => 25,
            Protocol::Imap => 143,
            Protocol::Pop3 => 110,
            Protocol::Ftp => 21,
            Protocol::Ldap => 389,
            Protocol::Xmpp => 5222,
            Protocol::Postgres => 5432,
            Protocol::Mysql => 3306,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to do next in an upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send these bytes, then call [`Upgrade::sent`].
    Send(Vec<u8>),
    /// Read more of the server's answer and pass it to [`Upgrade::feed`].
    Read,
    /// The server is ready: send the ClientHello now.
    Ready,
    /// The server does not offer the upgrade or refused it; the text quotes its reply.
    Unsupported(String),
}

/// The most a server may send before the upgrade (greetings, capability lists, features).
const MAX_PLAINTEXT: usize = 64 * 1024;

/// One in-band upgrade.
#[derive(Debug, Clone)]
pub struct Upgrade {
    proto: Protocol,
    host: String,
    stage: u8,
    buf: Vec<u8>,
}

impl Upgrade {
    /// An upgrade of `proto` to the server named `host` (XMPP puts it in the stream header).
    pub fn new(proto: Protocol, host: &str) -> Upgrade {
        Upgrade {
            proto,
            host: host.to_string(),
            stage: 0,
            buf: Vec::new(),
        }
    }

    /// The first step: the client speaks first for LDAP, XMPP and PostgreSQL.
    pub fn start(&mut self) -> Step {
        match self.proto {
            Protocol::Ldap => Step::Send(LDAP_START_TLS.to_vec()),
            Protocol::Xmpp => Step::Send(
                format!(
                    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
                     xmlns:stream='http://etherx.jabber.org/streams' to='{}' version='1.0'>",
                    xml_escape(&self.host)
                )
                .into_bytes(),
            ),
            Protocol::Postgres => Step::Send(vec![0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]),
            _ => Step::Read,
        }
    }

    /// What comes after the bytes of the last [`Step::Send`] went out.
    pub fn sent(&mut self) -> Step {
        if self.proto == Protocol::Mysql && self.stage == 1 {
            return Step::Ready; // the SSL request has no reply
        }
        Step::Read
    }

    /// Feeds bytes the server sent; returns the next step.
    pub fn feed(&mut self, data: &[u8]) -> Step {
        self.buf.extend_from_slice(data);
        if self.buf.len() > MAX_PLAINTEXT {
            return Step::Unsupported(format!(
                "the server sent more than {MAX_PLAINTEXT} bytes without completing the {} upgrade",
                self.proto
            ));
        }
        match self.proto {
            Protocol::Smtp => self.smtp(),
            Protocol::Imap => self.imap(),
            Protocol::Pop3 => self.pop3(),
            Protocol::Ftp => self.ftp(),
            Protocol::Ldap => self.ldap(),
            Protocol::Xmpp => self.xmpp(),
            Protocol::Postgres => self.postgres(),
            Protocol::Mysql => self.mysql(),
        }
    }

    /// Takes one complete reply in the `NNN-…` / `NNN …` style of SMTP and FTP: its code and
    /// its lines. `None` until the last line has arrived.
    fn coded_reply(&mut self) -> Option<(u16, Vec<String>)> {
        let mut lines = Vec::new();
        let mut at = 0;
        loop {
            let end = self.buf[at..].iter().position(|&b| b == b'\n')? + at;
            let line = String::from_utf8_lossy(&self.buf[at..end])
                .trim_end_matches('\r')
                .to_string();
            at = end + 1;
            let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if let (Some(code), true) = (code, last) {
                self.buf.drain(..at);
                return Some((code, lines));
            }
            if code.is_none() {
                self.buf.drain(..at);
                return Some((0, lines));
            }
        }
    }

    /// Takes one complete line.
    fn line(&mut self) -> Option<String> {
        let end = self.buf.iter().position(|&b| b == b'\n')?;
        let line = String::from_utf8_lossy(&self.buf[..end])
            .trim_end_matches('\r')
            .to_string();
        self.buf.drain(..=end);
        Some(line)
    }

    fn smtp(&mut self) -> Step {
        let Some((code, lines)) = self.coded_reply() else {
            return Step::Read;
        };
        match (self.stage, code) {
            (0, 220) => {
                self.stage = 1;
                Step::Send(b"EHLO tlsfloor.invalid\r\n".to_vec())
            }
            (1, 250) => {
                let offered = lines.iter().any(|l| {
                    l.get(4..)
                        .is_some_and(|c| c.trim().eq_ignore_ascii_case("STARTTLS"))
                });
                if !offered {
                    return unsupported("STARTTLS is not in the EHLO reply", &lines);
                }
                self.stage = 2;
                Step::Send(b"STARTTLS\r\n".to_vec())
            }
            (2, 220) => Step::Ready,
            _ => unsupported("the server refused", &lines),
        }
    }

    fn ftp(&mut self) -> Step {
        let Some((code, lines)) = self.coded_reply() else {
            return Step::Read;
        };
        match (self.stage, code) {
            (0, 220) => {
                self.stage = 1;
                Step::Send(b"AUTH TLS\r\n".to_vec())
            }
            (1, 234) => Step::Ready,
            _ => unsupported("the server refused", &lines),
        }
    }

    fn imap(&mut self) -> Step {
        loop {
            let Some(line) = self.line() else {
                return Step::Read;
            };
            match self.stage {
                0 if starts_with_ci(&line, "* OK") || starts_with_ci(&line, "* PREAUTH") => {
                    self.stage = 1;
                    return Step::Send(b"a STARTTLS\r\n".to_vec());
                }
                0 => return unsupported("unexpected IMAP greeting", &[line]),
                _ if starts_with_ci(&line, "a OK") => return Step::Ready,
                _ if starts_with_ci(&line, "a ") => {
                    return unsupported("the server refused", &[line])
                }
                _ => continue, // untagged data before the tagged answer
            }
        }
    }

    fn pop3(&mut self) -> Step {
        let Some(line) = self.line() else {
            return Step::Read;
        };
        match self.stage {
            0 if line.starts_with("+OK") => {
                self.stage = 1;
                Step::Send(b"STLS\r\n".to_vec())
            }
            1 if line.starts_with("+OK") => Step::Ready,
            _ => unsupported("the server refused", &[line]),
        }
    }

    fn ldap(&mut self) -> Step {
        match parse_ldap_extended_response(&self.buf) {
            LdapAnswer::Incomplete => Step::Read,
            LdapAnswer::Result(0) => Step::Ready,
            LdapAnswer::Result(code) => Step::Unsupported(format!(
                "the LDAP server answered StartTLS with result code {code}{}",
                if code == 2 {
                    " (protocolError: StartTLS not supported)"
                } else {
                    ""
                }
            )),
            LdapAnswer::Malformed(why) => {
                Step::Unsupported(format!("not an LDAP StartTLS answer: {why}"))
            }
        }
    }

    fn xmpp(&mut self) -> Step {
        let text = String::from_utf8_lossy(&self.buf).to_string();
        if text.contains("<stream:error") {
            return unsupported("the XMPP server sent a stream error", &[text]);
        }
        match self.stage {
            0 => {
                let Some(end) = features_end(&text) else {
                    return Step::Read;
                };
                if !text[..end].contains("<starttls") {
                    return unsupported("the XMPP stream features do not offer starttls", &[text]);
                }
                self.buf.clear();
                self.stage = 1;
                Step::Send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>".to_vec())
            }
            _ if text.contains("<proceed") => Step::Ready,
            _ if text.contains("<failure") => unsupported("the server refused", &[text]),
            _ => Step::Read,
        }
    }

    fn postgres(&mut self) -> Step {
        match self.buf.first() {
            None => Step::Read,
            Some(b'S') => Step::Ready,
            Some(b'N') => {
                Step::Unsupported("the PostgreSQL server does not accept SSL (answered N)".into())
            }
            Some(_) => unsupported(
                "not a PostgreSQL answer to SSLRequest",
                &[String::from_utf8_lossy(&self.buf).to_string()],
            ),
        }
    }

    fn mysql(&mut self) -> Step {
        if self.buf.len() < 4 {
            return Step::Read;
        }
        let len = usize::from(self.buf[0])
            | usize::from(self.buf[1]) << 8
            | usize::from(self.buf[2]) << 16;
        if self.buf.len() < 4 + len {
            return Step::Read;
        }
        let payload = &self.buf[4..4 + len];
        if payload.first() == Some(&0xff) {
            let msg = String::from_utf8_lossy(payload.get(3..).unwrap_or_default()).to_string();
            return unsupported("the MySQL server sent an error", &[msg]);
        }
        if payload.first() != Some(&10) {
            return Step::Unsupported("not a MySQL protocol 10 handshake".into());
        }
        // protocol, version NUL-terminated, thread id (4), auth data (8), filler (1), flags (2).
        let Some(nul) = payload[1..].iter().position(|&b| b == 0) else {
            return Step::Unsupported("a MySQL handshake without a server version".into());
        };
        let at = 1 + nul + 1 + 4 + 8 + 1;
        let Some(flags) = payload.get(at..at + 2) else {
            return Step::Unsupported("a MySQL handshake without capability flags".into());
        };
        const CLIENT_SSL: u16 = 0x0800;
        if u16::from_le_bytes([flags[0], flags[1]]) & CLIENT_SSL == 0 {
            return Step::Unsupported(
                "the MySQL server does not offer SSL (no CLIENT_SSL capability)".into(),
            );
        }
        self.stage = 1;
        // CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION
        let caps: u32 = 0x0001 | 0x0200 | 0x0800 | 0x8000;
        let mut p = vec![32, 0, 0, 1];
        p.extend(caps.to_le_bytes());
        p.extend((16u32 << 20).to_le_bytes());
        p.push(33); // utf8_general_ci
        p.extend([0u8; 23]);
        Step::Send(p)
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn unsupported(what: &str, reply: &[String]) -> Step {
    let quoted: String = reply.join(" | ").chars().take(300).collect();
    Step::Unsupported(format!("{what}: {quoted:?}"))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&apos;")
        .replace('<', "&lt;")
}

/// The end of the `<stream:features>` element in `text`, if it arrived.
fn features_end(text: &str) -> Option<usize> {
    if let Some(i) = text.find("</stream:features>") {
        return Some(i);
    }
    let start = text.find("<stream:features")?;
    let close = text[start..].find('>')? + start;
    (text.as_bytes()[close - 1] == b'/').then_some(close)
}

/// `LDAPMessage { messageID 1, extendedReq [APPLICATION 23] { requestName [0] "1.3.6.1.4.1.1466.20037" } }`
const LDAP_START_TLS: [u8; 31] = [
    0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, b'1', b'.', b'3', b'.', b'6', b'.', b'1',
    b'.', b'4', b'.', b'1', b'.', b'1', b'4', b'6', b'6', b'.', b'2', b'0', b'0', b'3', b'7',
];

enum LdapAnswer {
    Incomplete,
    Result(u64),
    Malformed(&'static str),
}

/// One BER TLV at the start of `b`: (tag, value range), or `None` when incomplete.
fn ber(b: &[u8]) -> Result<Option<(u8, std::ops::Range<usize>)>, &'static str> {
    let (Some(&tag), Some(&first)) = (b.first(), b.get(1)) else {
        return Ok(None);
    };
    let (len, at) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return Err("unsupported BER length");
        }
        let Some(bytes) = b.get(2..2 + n) else {
            return Ok(None);
        };
        (
            bytes.iter().fold(0usize, |a, &x| a << 8 | usize::from(x)),
            2 + n,
        )
    };
    if b.len() < at + len {
        return Ok(None);
    }
    Ok(Some((tag, at..at + len)))
}

/// The result code of an LDAP ExtendedResponse (`[APPLICATION 24]`) in `b`.
fn parse_ldap_extended_response(b: &[u8]) -> LdapAnswer {
    let msg = match ber(b) {
        Ok(None) => return LdapAnswer::Incomplete,
        Err(e) => return LdapAnswer::Malformed(e),
        Ok(Some((0x30, r))) => &b[r],
        Ok(Some(_)) => return LdapAnswer::Malformed("not an LDAPMessage"),
    };
    // messageID INTEGER, then the protocol op.
    let Ok(Some((0x02, id))) = ber(msg) else {
        return LdapAnswer::Malformed("no message ID");
    };
    let op = &msg[id.end..];
    let body = match ber(op) {
        Ok(Some((0x78, r))) => &op[r],
        _ => return LdapAnswer::Malformed("not an ExtendedResponse"),
    };
    match ber(body) {
        Ok(Some((0x0a, r))) => {
            LdapAnswer::Result(body[r].iter().fold(0u64, |a, &x| a << 8 | u64::from(x)))
        }
        _ => LdapAnswer::Malformed("no result code"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs an upgrade against a scripted server: each client message gets the next reply.
    fn converse(proto: Protocol, greeting: &[u8], replies: &[&[u8]]) -> (Step, Vec<Vec<u8>>) {
        let mut up = Upgrade::new(proto, "mail.example.com");
        let mut sent = Vec::new();
        let mut replies = replies.iter();
        let mut step = up.start();
        if step == Step::Read {
            step = up.feed(greeting);
        }
        loop {
            match step {
                Step::Send(b) => {
                    sent.push(b);
                    step = up.sent();
                    if step == Step::Read {
                        match replies.next() {
                            Some(r) => step = up.feed(r),
                            None => return (Step::Read, sent),
                        }
                    }
                }
                other => return (other, sent),
            }
        }
    }

    #[test]
    fn smtp_needs_starttls_in_ehlo_and_a_220() {
        let (step, sent) = converse(
            Protocol::Smtp,
            b"220-mail.example.com ESMTP\r\n220 ready\r\n",
            &[
                b"250-mail.example.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
                b"220 2.0.0 Ready to start TLS\r\n",
            ],
        );
        assert_eq!(step, Step::Ready);
        assert_eq!(
            sent,
            [
                b"EHLO tlsfloor.invalid\r\n".to_vec(),
                b"STARTTLS\r\n".to_vec()
            ]
        );
        let (step, _) = converse(
            Protocol::Smtp,
            b"220 hi\r\n",
            &[b"250-x\r\n250 8BITMIME\r\n"],
        );
        assert!(
            matches!(step, Step::Unsupported(ref s) if s.contains("8BITMIME")),
            "{step:?}"
        );
        let (step, _) = converse(Protocol::Smtp, b"554 go away\r\n", &[]);
        assert!(
            matches!(step, Step::Unsupported(ref s) if s.contains("554")),
            "{step:?}"
        );
    }

    #[test]
    fn replies_split_anywhere_are_reassembled() {
        let mut up = Upgrade::new(Protocol::Pop3, "h");
        assert_eq!(up.start(), Step::Read);
        assert_eq!(up.feed(b"+OK Dove"), Step::Read);
        assert_eq!(up.feed(b"cot ready.\r\n"), Step::Send(b"STLS\r\n".to_vec()));
        assert_eq!(up.sent(), Step::Read);
        assert_eq!(up.feed(b"+OK Begin TLS\r"), Step::Read);
        assert_eq!(up.feed(b"\n"), Step::Ready);
    }

    #[test]
    fn imap_ftp_ldap_xmpp_postgres_mysql() {
        let (s, _) = converse(
            Protocol::Imap,
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
            &[b"* something\r\na OK Begin TLS\r\n"],
        );
        assert_eq!(s, Step::Ready);
        let (s, _) = converse(
            Protocol::Imap,
            b"* OK ready\r\n",
            &[b"a BAD unknown command\r\n"],
        );
        assert!(matches!(s, Step::Unsupported(_)));
        let (s, _) = converse(
            Protocol::Ftp,
            b"220 vsFTPd\r\n",
            &[b"234 Proceed with negotiation.\r\n"],
        );
        assert_eq!(s, Step::Ready);
        // ExtendedResponse success, and protocolError (2).
        let ok = [
            0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
        ];
        let (s, sent) = converse(Protocol::Ldap, b"", &[&ok]);
        assert_eq!(s, Step::Ready);
        assert_eq!(sent[0], LDAP_START_TLS);
        let mut refused = ok;
        refused[9] = 2;
        let (s, _) = converse(Protocol::Ldap, b"", &[&refused[..6]]);
        assert_eq!(s, Step::Read, "incomplete");
        let (s, _) = converse(Protocol::Ldap, b"", &[&refused]);
        assert!(
            matches!(s, Step::Unsupported(ref t) if t.contains("code 2")),
            "{s:?}"
        );
        let (s, sent) = converse(
            Protocol::Xmpp,
            b"",
            &[b"<?xml version='1.0'?><stream:stream from='h' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>", b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"],
        );
        assert_eq!(s, Step::Ready);
        assert!(String::from_utf8_lossy(&sent[0]).contains("to='mail.example.com'"));
        let (s, _) = converse(Protocol::Postgres, b"", &[b"S"]);
        assert_eq!(s, Step::Ready);
        let (s, _) = converse(Protocol::Postgres, b"", &[b"N"]);
        assert!(matches!(s, Step::Unsupported(_)));
        // A MariaDB greeting with CLIENT_SSL (0x0800) among the capability flags.
        let mut hs = vec![10u8];
        hs.extend(b"10.11.6-MariaDB\0");
        hs.extend([1, 0, 0, 0]);
        hs.extend([b'a'; 8]);
        hs.push(0);
        hs.extend(0xfffeu16.to_le_bytes());
        hs.extend([0u8; 20]);
        let mut packet = vec![hs.len() as u8, 0, 0, 0];
        packet.extend(&hs);
        let (s, sent) = converse(Protocol::Mysql, &packet, &[]);
        assert_eq!(s, Step::Ready);
        assert_eq!(sent[0].len(), 36);
        assert_eq!(sent[0][3], 1, "sequence id 1");
        let mut no_ssl = packet.clone();
        let at = 4 + 1 + 16 + 4 + 8 + 1;
        no_ssl[at + 1] &= !0x08;
        let (s, _) = converse(Protocol::Mysql, &no_ssl, &[]);
        assert!(
            matches!(s, Step::Unsupported(ref t) if t.contains("CLIENT_SSL")),
            "{s:?}"
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_end_or_wait() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        for proto in Protocol::ALL {
            for _ in 0..2000 {
                let mut up = Upgrade::new(proto, "h");
                up.start();
                let n = (seed % 64) as usize;
                let bytes: Vec<u8> = (0..n)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        [
                            b'2', b'5', b'0', b' ', b'-', b'\n', b'+', b'O', b'K', 0x30, 0x0a,
                        ][(seed % 11) as usize]
                    })
                    .collect();
                let _ = up.feed(&bytes);
            }
        }
    }
}
