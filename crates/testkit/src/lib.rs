//! Test helpers: start real TLS peers (openssl s_server, gnutls-serv) on 127.0.0.1 and clean them up.
