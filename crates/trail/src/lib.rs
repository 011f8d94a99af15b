//! Streaming CloudTrail audit of TLS versions used by API callers, plus equivalent Athena/CloudTrail Lake SQL.
