//! Middlebox tolerance: when a version's first (large) hello gets no definitive answer,
//! confirm with a minimal hello, and if small hellos are answered, find the largest hello
//! shape the path answers, so enumeration can go on with it instead of concluding anything
//! from silence.

use crate::hello::{self, Shape};
use crate::probe::{Ctx, Outcome, Question, Refusal};
use crate::report::ProbeError;
use tlsfloor_wire::Version;

/// Most suites offered in one full-size hello (some servers choke on huge hellos).
pub const MAX_SUITES_PER_HELLO: usize = 128;

/// How hellos for one version are built: their shape and how many suites each carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The hello shape.
    pub shape: Shape,
    /// Most suites per hello.
    pub max_suites: usize,
}

impl Plan {
    /// The default: full hellos of up to [`MAX_SUITES_PER_HELLO`] suites.
    pub const FULL: Plan = Plan {
        shape: Shape::Full,
        max_suites: MAX_SUITES_PER_HELLO,
    };
}

/// What the fallback ladder learnt.
#[derive(Debug)]
pub enum Discovery {
    /// Not even a minimal hello got a definitive answer: the version is unknown.
    Unanswered(ProbeError),
    /// A minimal hello was refused as a version, or every hello got the same fatal alert:
    /// the version is not spoken.
    Refused(Refusal),
    /// The first answer was an alert, but smaller offers get other answers: enumerate with
    /// the full shape, splitting offers that draw the alert.
    Answered,
    /// Smaller hellos are answered: enumerate with `plan`; `note` says what was found.
    Tolerates {
        /// The plan to enumerate with.
        plan: Plan,
        /// Only hellos under 256 bytes (below the padding threshold) were answered: every
        /// later question at this version (order, groups, fallback) must be minimal too.
        small_only: bool,
        /// E.g. "no answer to a 517-byte hello with 128 suites; answered 300-byte hellos
        /// with 64 suites".
        note: String,
    },
}

/// Suites most servers accept at `v`, first in a minimal confirmation hello.
fn common_suites(v: Version, candidates: &[u16]) -> Vec<u16> {
    const COMMON: &[u16] = &[
        0x1301, 0x1302, 0x1303, // TLS 1.3
        0xc02f, 0xc02b, 0xc030, 0xc02c, 0xcca8, 0xcca9, // ECDHE AEAD
        0xc013, 0xc009, 0xc014, 0xc00a, // ECDHE CBC
        0x009c, 0x002f, 0x0035, 0x000a, 0x0005, // RSA
    ];
    let mut out: Vec<u16> = COMMON
        .iter()
        .copied()
        .filter(|c| candidates.contains(c))
        .collect();
    if out.is_empty() {
        out = candidates.iter().copied().take(8).collect();
    }
    out.truncate(if v >= Version::Tls13 { 5 } else { 10 });
    out
}

/// True for suites whose key exchange needs no server signature (RSA key transport, static
/// or anonymous DH/ECDH, PSK): they still work when the server cannot sign at a version.
fn unsigned_kx(code: u16) -> bool {
    tlsfloor_wire::suites::by_code(code).is_some_and(|s| {
        !(matches!(s.kx, "ECDHE" | "DHE") && matches!(s.auth, "RSA" | "ECDSA" | "DSS"))
    })
}

/// Splits an offer in two for a smaller question: suites that need no signature apart from
/// signed ones, else by key exchange, else in halves. `None` for a single suite.
pub fn split_offer(offer: &[u16]) -> Option<(Vec<u16>, Vec<u16>)> {
    if offer.len() < 2 {
        return None;
    }
    let kx = |c: u16| tlsfloor_wire::suites::by_code(c).map_or("", |s| s.kx);
    let parts: [(Vec<u16>, Vec<u16>); 2] = [
        offer.iter().partition(|&&c| unsigned_kx(c)),
        offer.iter().partition(|&&c| kx(c) == kx(offer[0])),
    ];
    for (a, b) in parts {
        if !a.is_empty() && !b.is_empty() {
            return Some((a, b));
        }
    }
    let half = offer.len() / 2;
    Some((offer[..half].to_vec(), offer[half..].to_vec()))
}

/// Size in bytes of the handshake message a plan's hello would be.
fn hello_bytes(ctx: &Ctx, v: Version, suites: &[u16], shape: Shape) -> usize {
    hello::spec(v, suites.to_vec(), ctx.sni.as_deref(), None, shape)
        .encode_handshake()
        .len()
}

/// Minimal hellos of the common suites, one per family (no-signature suites apart from
/// signed ones), until one is accepted; returns every answer.
async fn confirm(ctx: &Ctx, v: Version, chunk: &[u16]) -> Vec<Outcome> {
    let few = common_suites(v, chunk);
    let families = match split_offer(&few) {
        Some((a, b)) if a.iter().all(|&c| unsigned_kx(c)) => vec![a, b],
        _ => vec![few],
    };
    let mut answers = Vec::new();
    for family in families {
        let q = Question {
            shape: Shape::Minimal,
            ..Question::new(v, &family)
        };
        let o = ctx.ask_q(&q, 1).await;
        let done = matches!(o, Outcome::Picked { .. });
        answers.push(o);
        if done {
            break;
        }
    }
    answers
}

/// After the full-size hello of `chunk` drew `first` (an unexpected alert, or nothing
/// definitive): confirm with minimal hellos, then find what the path answers.
pub async fn discover(ctx: &Ctx, v: Version, chunk: &[u16], first: &Outcome) -> Discovery {
    let answers = confirm(ctx, v, chunk).await;
    if let Some(Outcome::Refused(r)) = answers
        .iter()
        .find(|o| matches!(o, Outcome::Refused(r) if r.rejects_version()))
    {
        return Discovery::Refused(r.clone());
    }
    let silent = |o: &Outcome| matches!(o, Outcome::Unknown(_));
    match first {
        Outcome::Alerted(code, name) => {
            let same = |o: &Outcome| matches!(o, Outcome::Alerted(c, _) if c == code);
            let no = |o: &Outcome| same(o) || matches!(o, Outcome::Refused(_));
            if answers.iter().any(same) && answers.iter().all(no) {
                // A minimal hello draws the same fatal alert and nothing is accepted: the
                // server fails every hello at this version (as OpenSSL 3 does at TLS 1.0
                // when its security level forbids the signature), refusing the rest.
                return Discovery::Refused(Refusal::Alert(*code, name));
            }
            if !answers.iter().all(silent) {
                return Discovery::Answered;
            }
        }
        Outcome::Unknown(first) => {
            if let (true, Some(Outcome::Unknown(e))) = (answers.iter().all(silent), answers.last())
            {
                return Discovery::Unanswered(crate::error::probe_error(
                    first.code,
                    format!(
                        "{}; a minimal {} hello got no definitive answer either ({})",
                        first.message,
                        v.name(),
                        e.message
                    ),
                ));
            }
        }
        _ => return Discovery::Answered,
    }
    if answers.iter().all(silent) {
        return Discovery::Unanswered(crate::error::probe_error(
            crate::report::ErrorCode::UnexpectedAlert,
            format!(
                "{}: large hellos drew an alert and minimal ones no answer",
                v.name()
            ),
        ));
    }
    size_ladder(ctx, v, chunk).await
}

/// The server answers small hellos but not the full-size one: find the largest shape it
/// answers.
async fn size_ladder(ctx: &Ctx, v: Version, chunk: &[u16]) -> Discovery {
    let failed_bytes = hello_bytes(ctx, v, chunk, Shape::Full);
    // Hellos that got no answer, as (bytes, suites): a middlebox may limit either.
    let mut failures = vec![(failed_bytes, chunk.len())];
    let ladder = [
        (Shape::Full, 64),
        (Shape::Full, 32),
        (Shape::Full, 16),
        (Shape::Minimal, 32),
        (Shape::Minimal, 16),
        (Shape::Minimal, 8),
    ];
    for (shape, n) in ladder {
        let n = n.min(chunk.len());
        let bytes = hello_bytes(ctx, v, &chunk[..n], shape);
        if failures.iter().any(|&(b, k)| b <= bytes && k <= n) {
            continue; // no smaller than a hello that already got no answer
        }
        let q = Question {
            shape,
            ..Question::new(v, &chunk[..n])
        };
        match ctx.ask_q(&q, 0).await {
            Outcome::Unknown(_) => failures.push((bytes, n)),
            _ => return tolerates(v, chunk.len(), failed_bytes, shape, n, bytes),
        }
    }
    let few = common_suites(v, chunk);
    let bytes = hello_bytes(ctx, v, &few, Shape::Minimal);
    tolerates(
        v,
        chunk.len(),
        failed_bytes,
        Shape::Minimal,
        few.len().max(1),
        bytes,
    )
}

fn tolerates(
    v: Version,
    failed_suites: usize,
    failed_bytes: usize,
    shape: Shape,
    n: usize,
    bytes: usize,
) -> Discovery {
    let how = match shape {
        Shape::Full => "",
        Shape::Minimal => " with minimal extensions",
    };
    Discovery::Tolerates {
        plan: Plan {
            shape,
            max_suites: n,
        },
        small_only: shape == Shape::Minimal || bytes < 256,
        note: format!(
            "{}: no answer to a {failed_bytes}-byte hello with {failed_suites} suites; \
             {bytes}-byte hellos with {n} suites{how} were answered, so enumeration used those",
            v.name()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_suites_are_offered_first_and_few() {
        let c = tlsfloor_wire::suites::candidates(Version::Tls12);
        let few = common_suites(Version::Tls12, &c);
        assert_eq!(few.len(), 10);
        assert_eq!(few[0], 0xc02f);
        let c13 = tlsfloor_wire::suites::candidates(Version::Tls13);
        assert_eq!(
            common_suites(Version::Tls13, &c13),
            vec![0x1301, 0x1302, 0x1303]
        );
        // Candidates without any common suite still give a non-empty offer.
        assert_eq!(common_suites(Version::Tls12, &[0x0001, 0x0002]), vec![1, 2]);
    }

    #[test]
    fn offers_split_by_signature_then_key_exchange_then_halves() {
        // AES128-SHA (RSA kx), ECDHE-RSA-AES128-SHA, DHE-RSA-AES128-SHA
        assert_eq!(
            split_offer(&[0x002f, 0xc013, 0x0033]),
            Some((vec![0x002f], vec![0xc013, 0x0033]))
        );
        assert_eq!(
            split_offer(&[0xc013, 0x0033, 0xc014]),
            Some((vec![0xc013, 0xc014], vec![0x0033]))
        );
        assert_eq!(
            split_offer(&[0xc013, 0xc014, 0xc009]),
            Some((vec![0xc013], vec![0xc014, 0xc009]))
        );
        assert_eq!(split_offer(&[0xc013]), None);
    }
}
