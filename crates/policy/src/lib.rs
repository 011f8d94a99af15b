//! TLS security policies as data (AWS ELB / API Gateway / CloudFront, Mozilla, user files) and
//! their evaluation against scan reports.
//!
//! - [`model`]: the [`Policy`] and [`Suite`] types.
//! - [`load`]: parsing policy TOML (built-in data file and user files, errors name the line).
//! - [`builtin`](mod@builtin): the embedded built-in policies and lookup by id or name.
//! - [`eval`]: judging one scanned target against a policy (violations, PASS/FAIL).
//! - [`identify`](mod@identify): which built-in policies a scanned endpoint matches, or comes closest to.
//! - [`diff`]: the difference between two policies.
//! - [`observed`]: what a scan report says a target accepted.
//! - [`registry`]: the bridge to the cipher-suite registry of `tlsfloor_wire`.

pub mod builtin;
pub mod diff;
pub mod error;
pub mod eval;
pub mod identify;
pub mod load;
pub mod model;
pub mod observed;
pub mod registry;
pub mod suggest;

pub use builtin::{builtin, find_builtin, resolve};
pub use error::PolicyError;
pub use eval::{evaluate, TargetVerdict, Verdict, Violation, ViolationKind};
pub use identify::{identify, Identification, PolicyMatch};
pub use model::{Policy, S2nName, Suite};
