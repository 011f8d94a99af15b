#!/usr/bin/env bash
# STARTTLS scan benchmark: tlsfloor --starttls smtp vs sslscan --starttls-smtp, sslyze
# --starttls smtp and testssl.sh -t smtp, in one run, against one SMTP server on 127.0.0.1 (the
# testkit peer crates/testkit/peers/py_tls_peer.py in `smtp` mode: the SMTP dialogue, then
# Python's ssl with TLS 1.0-1.2 and ALL:@SECLEVEL=0). Wall time, best of RUNS (default 3;
# testssl: 1 run). Prints a markdown table.
# Peers: apt-get install sslscan testssl.sh; pip install sslyze.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
cargo build --release -q -p tlsfloor
BIN=$PWD/target/release/tlsfloor
TMP=$(mktemp -d)
trap 'kill $PEER 2>/dev/null || true; rm -rf "$TMP"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" -days 2 \
  -subj /CN=localhost 2>/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 crates/testkit/peers/py_tls_peer.py smtp "$PORT" "$TMP/c.pem" "$TMP/k.pem" 1.0 1.2 \
  'ALL:@SECLEVEL=0' &
PEER=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

best() { # best wall time of "$@" over $1 runs
  local n=$1; shift
  local b=""
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > "$TMP/out" 2>&1 || true
    t1=$(date +%s.%N)
    b=$(python3 -c "import sys; a=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(a,float(b)) if b else a)" "$t0" "$t1" "$b")
  done
  echo "$b"
}

echo "| tool | wall time (s) |"
echo "|---|---:|"
printf '| tlsfloor scan --starttls smtp | %.2f |\n' "$(best "$RUNS" "$BIN" scan --starttls smtp "127.0.0.1:$PORT")"
SUITES=$("$BIN" scan --json --starttls smtp "127.0.0.1:$PORT" | python3 -c 'import json,sys; t=json.load(sys.stdin)["targets"][0]; print(sum(len(p["suites"]) for p in t["protocols"]))' || true)
command -v sslscan >/dev/null && printf '| sslscan --starttls-smtp | %.2f |\n' "$(best "$RUNS" sslscan --starttls-smtp "127.0.0.1:$PORT")"
command -v sslyze >/dev/null && printf '| sslyze --starttls smtp | %.2f |\n' "$(best "$RUNS" sslyze --starttls smtp "127.0.0.1:$PORT")"
command -v testssl >/dev/null && printf '| testssl -t smtp -E | %.2f |\n' "$(best 1 testssl -t smtp -E --warnings off "127.0.0.1:$PORT")"
echo
echo "tlsfloor found $SUITES (version, suite) pairs."
