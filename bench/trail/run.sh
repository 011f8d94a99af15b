#!/usr/bin/env bash
# Benchmark `tlsfloor trail` against jq and DuckDB read_json doing the same group-by (legacy
# calls by event source, event name, principal, user agent) over generated CloudTrail logs.
#
#   bench/trail/run.sh                 # 200 MB of JSON in 200 files (quick)
#   SIZE_MB=2000 FILES=2000 bench/trail/run.sh   # the full 2 GB / 2,000 files run
#
# Env: SIZE_MB, FILES, RUNS (best of, default 3), JOBS (tlsfloor --jobs, default: all cores),
#      SKIP_JQ=1 to leave jq out (it is slow on large sizes).
# Prints a markdown table: MB/s are of uncompressed JSON. Needs python3 with duckdb, jq, gzip.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MB=${SIZE_MB:-200}
FILES=${FILES:-200}
RUNS=${RUNS:-3}
OUT=bench/out/trail-${SIZE_MB}mb-${FILES}f

if [ ! -f "$OUT/summary.json" ]; then
  echo "generating $SIZE_MB MB in $FILES files under $OUT ..." >&2
  rm -rf "$OUT"
  python3 bench/trail/gen_trail.py --out "$OUT" --size-mb "$SIZE_MB" --files "$FILES" > "$OUT.summary.tmp"
  mv "$OUT.summary.tmp" "$OUT/summary.json"
fi
JSON_BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["json_bytes"])' "$OUT/summary.json")
GZ_BYTES=$(du -sb "$OUT/AWSLogs" | cut -f1)

cargo build --release -q -p tlsfloor
BIN=target/release/tlsfloor
JOBS_ARG=()
[ -n "${JOBS:-}" ] && JOBS_ARG=(--jobs "$JOBS")

now() { date +%s.%N; }
best=""
TMP_OUT=$(mktemp)
trap 'rm -f "$TMP_OUT"' EXIT
time_best() { # runs "$@" RUNS times, sets $best (seconds) and $last_out
  best=""
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(now)
    "$@" > "$TMP_OUT" || true  # tlsfloor exits 1 when legacy calls are found
    t1=$(now)
    last_out=$(cat "$TMP_OUT")
    best=$(python3 -c "import sys; a=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(a, float(b)) if b else a)" "$t0" "$t1" "$best")
  done
}
rate() { python3 -c "import sys; print('%.0f' % (float(sys.argv[1]) / 1e6 / float(sys.argv[2])))" "$JSON_BYTES" "$1"; }

# Warm the page cache once.
cat $(find "$OUT/AWSLogs" -name '*.json.gz') > /dev/null

# 1. tlsfloor
time_best "$BIN" trail "$OUT/AWSLogs" --json --top 0 "${JOBS_ARG[@]}"
T_TLSFLOOR=$best
R_TLSFLOOR=$(printf '%s' "$last_out" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["records"]["legacy"], r["groups_total"])')

# 2. DuckDB read_json + the emitted Athena group-by (statement 2), over a view shaped like the
#    Athena CloudTrail table.
SQL=$("$BIN" trail --emit-sql athena --top 0 | python3 -c 'import sys; s=sys.stdin.read().split(";"); print(s[1])')
duck() {
  python3 - "$OUT/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz" "$SQL" <<'EOF'
import sys, duckdb
glob, sql = sys.argv[1], sys.argv[2]
rec = ('STRUCT("eventVersion" VARCHAR, "userIdentity" STRUCT("type" VARCHAR, "principalId" VARCHAR, '
       '"arn" VARCHAR, "accountId" VARCHAR, "invokedBy" VARCHAR), "eventTime" VARCHAR, '
       '"eventSource" VARCHAR, "eventName" VARCHAR, "awsRegion" VARCHAR, "sourceIPAddress" VARCHAR, '
       '"userAgent" VARCHAR, "recipientAccountId" VARCHAR, "tlsDetails" STRUCT("tlsVersion" VARCHAR, '
       '"cipherSuite" VARCHAR, "clientProvidedHostHeader" VARCHAR))')
con = duckdb.connect()
con.execute(f"""CREATE VIEW cloudtrail_logs AS
SELECT struct_pack(type := r.userIdentity.type, principalid := r.userIdentity.principalId,
              arn := r.userIdentity.arn, accountid := r.userIdentity.accountId,
              invokedby := r.userIdentity.invokedBy) AS useridentity,
  r.eventTime AS eventtime, r.eventSource AS eventsource, r.eventName AS eventname,
  r.awsRegion AS awsregion, r.sourceIPAddress AS sourceipaddress, r.userAgent AS useragent,
  r.recipientAccountId AS recipientaccountid,
  CASE WHEN r.tlsDetails IS NULL THEN NULL ELSE struct_pack(tlsversion := r.tlsDetails.tlsVersion,
       ciphersuite := r.tlsDetails.cipherSuite,
       clientprovidedhostheader := r.tlsDetails.clientProvidedHostHeader) END AS tlsdetails
FROM (SELECT unnest(Records) AS r FROM read_json('{glob}', columns = {{'Records': '{rec}[]'}},
      format = 'auto', maximum_object_size = 268435456))""")
rows = con.execute(sql).fetchall()
print(sum(r[-3] for r in rows), len(rows))
EOF
}
time_best duck
T_DUCK=$best
R_DUCK=$last_out

# 3. jq (single process; gzip -dc feeds it)
JQ_PROG='[inputs | .Records[] | select(.tlsDetails.tlsVersion as $v | $v == "TLSv1" or $v == "TLSv1.0" or $v == "TLSv1.1" or $v == "SSLv3")
  | [.eventSource, .eventName,
     (.userIdentity.arn // .userIdentity.invokedBy //
       ((.userIdentity.type // "Unknown") + (if .userIdentity.accountId then ":" + .userIdentity.accountId
         elif .userIdentity.principalId then ":" + .userIdentity.principalId else "" end))),
     .userAgent]]
  | group_by(.) | "\(map(length) | add // 0) \(length)"'
jqrun() { find "$OUT/AWSLogs" -name '*.json.gz' -print0 | sort -z | xargs -0 gzip -dc | jq -n -r "$JQ_PROG"; }
if [ -z "${SKIP_JQ:-}" ]; then
  RUNS_SAVE=$RUNS; RUNS=1
  time_best jqrun
  RUNS=$RUNS_SAVE
  T_JQ=$best; R_JQ=$last_out
fi

CORES=$(nproc)
echo
echo "CloudTrail audit benchmark: $(python3 -c "print('%.0f' % ($JSON_BYTES/1e6))") MB of JSON (${GZ_BYTES} bytes gzip) in $FILES files, $CORES cores, best of $RUNS (jq: 1 run)"
echo
echo "| tool | time (s) | MB/s (uncompressed JSON) | legacy calls | groups |"
echo "|---|---:|---:|---:|---:|"
printf '| tlsfloor trail | %.2f | %s | %s | %s |\n' "$T_TLSFLOOR" "$(rate "$T_TLSFLOOR")" $R_TLSFLOOR
printf '| DuckDB read_json + emitted Athena SQL | %.2f | %s | %s | %s |\n' "$T_DUCK" "$(rate "$T_DUCK")" $R_DUCK
if [ -z "${SKIP_JQ:-}" ]; then
  printf '| gzip -dc \\| jq | %.2f | %s | %s | %s |\n' "$T_JQ" "$(rate "$T_JQ")" $R_JQ
fi
python3 -c "import sys; print('\ntlsfloor vs DuckDB: %.1fx' % (float(sys.argv[2]) / float(sys.argv[1])))" "$T_TLSFLOOR" "$T_DUCK"
