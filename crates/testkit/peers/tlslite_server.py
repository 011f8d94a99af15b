"""A real SSL 3.0 / TLS 1.0-1.2 server for tests, built on tlslite-ng (pure Python).

Debian's OpenSSL and GnuTLS are built without SSL 3.0, so this is the SSLv3 peer tlsfloor's
tests scan. Binds 127.0.0.1 only.

    tlslite_server.py serve PORT CERT KEY MIN MAX   serve until killed
    tlslite_server.py suites VERSION                print the suites the server enables at
                                                    VERSION (RSA certificate), in its order

MIN, MAX, VERSION: ssl3, tls1.0, tls1.1, tls1.2. The server offers AES-128/256-CBC, 3DES and
RC4 with RSA, DHE-RSA and ECDHE-RSA key exchange, picking in its own preference order.
"""
import json
import socket
import sys
import threading

from tlslite.api import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey
from tlslite.constants import CipherSuite

VERSIONS = {"ssl3": (3, 0), "tls1.0": (3, 1), "tls1.1": (3, 2), "tls1.2": (3, 3)}


def settings(lo="ssl3", hi="tls1.2"):
    s = HandshakeSettings()
    s.minVersion, s.maxVersion = VERSIONS[lo], VERSIONS[hi]
    s.cipherNames = ["aes128", "aes256", "3des", "rc4"]
    s.keyExchangeNames = ["rsa", "dhe_rsa", "ecdhe_rsa"]
    return s.validate()


def enabled_suites(version):
    """The suites tlslite's handshakeServer considers for an RSA certificate at `version`,
    in its preference order (the same calls, in the same order, as TLSConnection)."""
    s, v = settings(), VERSIONS[version]
    return (
        CipherSuite.getEcdheCertSuites(s, v)
        + CipherSuite.getDheCertSuites(s, v)
        + CipherSuite.getCertSuites(s, v)
    )


def serve(port, cert, key, lo, hi):
    chain = X509CertChain()
    with open(cert) as f:
        chain.parsePemList(f.read())
    with open(key) as f:
        pkey = parsePEMKey(f.read(), private=True)
    conf = settings(lo, hi)

    def handle(conn):
        tls = TLSConnection(conn)
        try:
            tls.handshakeServer(certChain=chain, privateKey=pkey, settings=conf)
            tls.write(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
        except Exception:
            pass
        finally:
            conn.close()

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    while True:
        conn, _ = sock.accept()
        conn.settimeout(10)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    if sys.argv[1] == "suites":
        print(json.dumps(enabled_suites(sys.argv[2])))
    else:
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6])
