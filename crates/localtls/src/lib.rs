//! In-process OpenSSL TLS servers with a throwaway CA, for the trap, the demo and tests.
