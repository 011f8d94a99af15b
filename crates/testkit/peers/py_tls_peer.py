"""Test peers built on Python's ssl module (the system OpenSSL), one TLS configuration served
three ways so a STARTTLS scan can be compared with a direct one:

    py_tls_peer.py direct     PORT CERT KEY MIN MAX CIPHERS   # TLS from the first byte
    py_tls_peer.py smtp       PORT CERT KEY MIN MAX CIPHERS   # SMTP with STARTTLS (RFC 3207)
    py_tls_peer.py smtp-plain PORT                            # aiosmtpd, no STARTTLS

MIN/MAX are TLS versions (1.0 .. 1.3). `smtp-plain` is aiosmtpd, a maintained SMTP server.
`smtp` speaks the SMTP dialogue itself (greeting, EHLO listing STARTTLS, STARTTLS, 220) and
then hands the socket to the same blocking `ssl` server as `direct`. Why not aiosmtpd with
its tls_context: its TLS runs in asyncio's start_tls, which closes the connection without
sending the alert when a handshake fails, so every refusal looks like a silent close (which
proves nothing) and a STARTTLS scan could never be compared with the direct one. Debian's
Postfix needs root-owned spools and a chroot, which this in-process peer avoids.
Binds 127.0.0.1 only; runs until killed.
"""
import socket
import ssl
import sys
import threading
import time

VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


def context(cert, key, lo, hi, ciphers):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.minimum_version = VERSIONS[lo]
    ctx.maximum_version = VERSIONS[hi]
    ctx.set_ciphers(ciphers)
    return ctx


def serve_direct(port, ctx):
    srv = socket.create_server(("127.0.0.1", port), reuse_port=False, backlog=64)

    def one(conn):
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(5)
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=one, args=(conn,), daemon=True).start()


def serve_starttls_smtp(port, ctx):
    srv = socket.create_server(("127.0.0.1", port), backlog=64)

    def one(conn):
        try:
            conn.settimeout(10)
            f = conn.makefile("rb")
            conn.sendall(b"220 peer.test ESMTP ready\r\n")
            while True:
                line = f.readline()
                if not line:
                    return
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                    conn.sendall(b"250-peer.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
                elif cmd == b"STARTTLS":
                    conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                    break
                elif cmd == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"502 5.5.2 command not recognized\r\n")
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(5)
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=one, args=(conn,), daemon=True).start()


def serve_smtp(port, ctx):
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    kwargs = {"tls_context": ctx} if ctx is not None else {}
    c = Controller(Sink(), hostname="127.0.0.1", port=port, **kwargs)
    c.start()
    while True:
        time.sleep(3600)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "smtp-plain":
        serve_smtp(port, None)
        return
    cert, key, lo, hi, ciphers = sys.argv[3:8]
    ctx = context(cert, key, lo, hi, ciphers)
    if mode == "direct":
        serve_direct(port, ctx)
    elif mode == "smtp":
        serve_starttls_smtp(port, ctx)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
