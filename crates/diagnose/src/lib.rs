//! Diagnose TLS negotiation failures: given what a client offers and how a server is
//! configured, simulate the server's selection the way OpenSSL and the AWS listeners do it,
//! and explain a failure with its exact reason and the smallest fix on each side.
//!
//! - [`model`]: the two inputs, [`ClientOffer`] and [`ServerConfig`].
//! - [`simulate`](mod@simulate): the selection simulator (pure functions) and its [`Verdict`].
//! - [`profiles`]: built-in client profiles (real ClientHellos, sources named).
//! - [`client`]: client offers from a ClientHello (bytes, hex, trap JSON line) or JA3.
//! - [`server`]: server configurations from a policy or a scanned target.
//! - [`fix`]: the smallest fix on the server side and on the client side.
//! - [`report`]: the JSON output (`tlsfloor.diagnose/v1`).

pub mod client;
pub mod error;
pub mod fix;
pub mod model;
pub mod profiles;
pub mod report;
pub mod server;
pub mod simulate;

pub use error::DiagnoseError;
pub use model::{CertKey, ClientOffer, ServerConfig};
pub use simulate::{simulate, Failure, Negotiated, Verdict};
