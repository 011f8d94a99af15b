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
    /// A minimal hello was refused as a version: the version is not spoken.
    Refused(Refusal),
    /// Smaller hellos are answered: enumerate with `plan`; `note` says what was found.
    Tolerates {
        /// The plan to enumerate with.
        plan: Plan,
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

/// Size in bytes of the handshake message a plan's hello would be.
fn hello_bytes(ctx: &Ctx, v: Version, suites: &[u16], shape: Shape) -> usize {
    hello::spec(v, suites.to_vec(), ctx.sni.as_deref(), None, shape)
        .encode_handshake()
        .len()
}

/// The ladder, after `first` (the full-size hello of `chunk`) got no definitive answer.
pub async fn discover(ctx: &Ctx, v: Version, chunk: &[u16], first: ProbeError) -> Discovery {
    let few = common_suites(v, chunk);
    let minimal = Question {
        shape: Shape::Minimal,
        ..Question::new(v, &few)
    };
    match ctx.ask_q(&minimal, 1).await {
        Outcome::Unknown(e) => {
            return Discovery::Unanswered(crate::error::probe_error(
                first.code,
                format!(
                    "{}; a minimal {} hello got no definitive answer either ({})",
                    first.message,
                    v.name(),
                    e.message
                ),
            ))
        }
        Outcome::Refused(r) if r.rejects_version() => return Discovery::Refused(r),
        _ => {}
    }
    let failed_bytes = hello_bytes(ctx, v, chunk, Shape::Full);
    let mut smallest_failure = failed_bytes;
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
        if bytes >= smallest_failure {
            continue; // padded to the same size as a hello that already got no answer
        }
        let q = Question {
            shape,
            ..Question::new(v, &chunk[..n])
        };
        match ctx.ask_q(&q, 0).await {
            Outcome::Unknown(_) => smallest_failure = bytes,
            _ => return tolerates(v, chunk.len(), failed_bytes, shape, n, bytes),
        }
    }
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
}
