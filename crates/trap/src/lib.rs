//! Legacy-TLS trap server: records ClientHellos, completes a handshake restricted to chosen versions, logs outcomes.
