#!/usr/bin/env python3
"""Writes synthetic, realistic CloudTrail logs as CloudTrail delivers them to S3.

Layout: OUT/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
        <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz
Each file is one line {"Records":[...]}, gzip level 6.

Records follow the CloudTrail record format (eventVersion, userIdentity with IAMUser /
AssumedRole+sessionContext / AWSService+invokedBy, requestParameters, responseElements,
resources, tlsDetails, ...). About 5% of records lack tlsDetails (as for services that do not
record it); the rest use TLSv1.3 / TLSv1.2 / TLSv1.1 / TLSv1 by the --legacy-pct share.

Prints a JSON summary (files, bytes, records, expected counts per tlsVersion) on stdout.

Usage: gen_trail.py --out bench/out/trail --size-mb 2000 --files 2000 [--seed 1] [--jobs 2]
"""
import argparse
import datetime as dt
import gzip
import json
import multiprocessing
import os
import random
import uuid

ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"]
SERVICES = {
    "s3.amazonaws.com": ["GetObject", "PutObject", "ListBuckets", "GetBucketAcl", "HeadObject"],
    "ec2.amazonaws.com": ["DescribeInstances", "RunInstances", "DescribeVolumes", "CreateTags"],
    "sts.amazonaws.com": ["AssumeRole", "GetCallerIdentity", "GetSessionToken"],
    "iam.amazonaws.com": ["ListRoles", "GetRole", "ListPolicies", "GetUser"],
    "kms.amazonaws.com": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
    "dynamodb.amazonaws.com": ["DescribeTable", "ListTables", "UpdateTable"],
    "lambda.amazonaws.com": ["ListFunctions20150331", "GetFunction20150331v2"],
    "logs.amazonaws.com": ["CreateLogStream", "DescribeLogGroups"],
    "sqs.amazonaws.com": ["ListQueues", "GetQueueAttributes"],
    "cloudformation.amazonaws.com": ["DescribeStacks", "ListStacks"],
}
MODERN_AGENTS = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.ls",
    "Boto3/1.34.93 md/Botocore#1.34.93 ua/2.0 os/linux#5.10.214-222.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.93",
    "aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.1",
    "console.amazonaws.com",
    "[aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#20.12.0 api/dynamodb#3.540.0]",
]
LEGACY_AGENTS = [
    "aws-sdk-dotnet-45/3.3.110.36 aws-sdk-dotnet-core/3.3.104.3 .NET_Runtime/4.0 .NET_Framework/4.0 OS/Microsoft_Windows_NT_6.1.7601.65536 ClientSync",
    "aws-sdk-java/1.11.30 Linux/3.10.0-1160.el7.x86_64 Java_HotSpot(TM)_64-Bit_Server_VM/24.80-b11/1.7.0_80",
    "aws-cli/1.10.1 Python/2.7.5 Linux/3.10.0-327.el7.x86_64 botocore/1.3.23",
    "Apache-HttpClient/4.3.6 (java 1.5)",
]
MODERN_CIPHERS = {"TLSv1.3": ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
                  "TLSv1.2": ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"]}
LEGACY_CIPHERS = ["ECDHE-RSA-AES128-SHA", "AES128-SHA", "ECDHE-RSA-AES256-SHA"]


def identity(rng, account):
    kind = rng.random()
    if kind < 0.45:
        role = rng.choice(["AppServerRole", "BatchRole", "DeployRole", "LegacyReportRole"])
        sess = "i-%017x" % rng.getrandbits(68)
        return {
            "type": "AssumedRole",
            "principalId": "AROA%s:%s" % ("%016X" % rng.getrandbits(64), sess),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role, sess),
            "accountId": account,
            "accessKeyId": "ASIA%016X" % rng.getrandbits(64),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROA%016X" % rng.getrandbits(64),
                    "arn": "arn:aws:iam::%s:role/%s" % (account, role),
                    "accountId": account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "2024-03-01T00:00:00Z", "mfaAuthenticated": "false"},
                "ec2RoleDelivery": "2.0",
            },
        }
    if kind < 0.85:
        user = rng.choice(["alice", "bob", "ci-deploy", "report-bot", "backup"])
        return {
            "type": "IAMUser",
            "principalId": "AIDA%016X" % rng.getrandbits(64),
            "arn": "arn:aws:iam::%s:user/%s" % (account, user),
            "accountId": account,
            "accessKeyId": "AKIA%016X" % rng.getrandbits(64),
            "userName": user,
        }
    if kind < 0.95:
        return {"type": "AWSService", "invokedBy": rng.choice(
            ["cloudformation.amazonaws.com", "autoscaling.amazonaws.com", "lambda.amazonaws.com"])}
    return {"type": "AWSAccount", "principalId": "AIDA%016X" % rng.getrandbits(64),
            "accountId": rng.choice(ACCOUNTS)}


def record(rng, account, region, t, legacy_pct):
    src = rng.choice(list(SERVICES))
    name = rng.choice(SERVICES[src])
    r = {
        "eventVersion": rng.choice(["1.08", "1.09", "1.10"]),
        "userIdentity": identity(rng, account),
        "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": src,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "%d.%d.%d.%d" % (rng.choice([10, 52, 54, 198]), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)),
    }
    roll = rng.random() * 100
    legacy = roll < legacy_pct
    r["userAgent"] = rng.choice(LEGACY_AGENTS if legacy else MODERN_AGENTS)
    r["requestParameters"] = {
        "bucketName": "data-%d" % rng.randrange(50),
        "key": "logs/%d/%d/part-%05d.parquet" % (rng.randrange(2020, 2025), rng.randrange(1, 13), rng.randrange(100000)),
        "Host": "data-%d.s3.%s.amazonaws.com" % (rng.randrange(50), region),
        "filters": [{"name": "tag:env", "values": ["prod", "staging"]}],
        "maxResults": rng.randrange(1, 1000),
    }
    if rng.random() < 0.4:
        r["responseElements"] = {
            "credentials": {"accessKeyId": "ASIA%016X" % rng.getrandbits(64),
                            "sessionToken": "%064x" % rng.getrandbits(256),
                            "expiration": "Mar 1, 2024, 1:00:00 AM"},
            "items": [{"id": "i-%017x" % rng.getrandbits(68), "state": {"code": 16, "name": "running"},
                       "tags": [{"key": "Name", "value": "web-%d" % k}]} for k in range(rng.randrange(1, 4))],
        }
    else:
        r["responseElements"] = None
    r["additionalEventData"] = {"SignatureVersion": "SigV4", "AuthenticationMethod": "AuthHeader",
                                "bytesTransferredIn": 0, "x-amz-id-2": "%040x" % rng.getrandbits(160)}
    r["requestID"] = str(uuid.UUID(int=rng.getrandbits(128)))
    r["eventID"] = str(uuid.UUID(int=rng.getrandbits(128)))
    r["readOnly"] = rng.random() < 0.7
    if rng.random() < 0.5:
        r["resources"] = [{"accountId": account, "type": "AWS::S3::Bucket",
                           "ARN": "arn:aws:s3:::data-%d" % rng.randrange(50)}]
    r["eventType"] = "AwsApiCall"
    r["managementEvent"] = True
    r["recipientAccountId"] = account
    r["eventCategory"] = "Management"
    host = src.replace(".amazonaws.com", "") + "." + region + ".amazonaws.com"
    if roll >= 95.0:
        tls = None  # service without tlsDetails
        version = None
    elif legacy:
        version = "TLSv1" if roll < legacy_pct / 2 else "TLSv1.1"
        tls = {"tlsVersion": version, "cipherSuite": rng.choice(LEGACY_CIPHERS), "clientProvidedHostHeader": host}
    else:
        version = "TLSv1.3" if rng.random() < 0.6 else "TLSv1.2"
        tls = {"tlsVersion": version, "cipherSuite": rng.choice(MODERN_CIPHERS[version]), "clientProvidedHostHeader": host}
    if tls is not None:
        r["tlsDetails"] = tls
    return r, version


def write_file(job):
    idx, out, target_bytes, seed, legacy_pct, start = job
    rng = random.Random(seed * 1_000_003 + idx)
    account = ACCOUNTS[idx % len(ACCOUNTS)]
    region = REGIONS[(idx // len(ACCOUNTS)) % len(REGIONS)]
    day = start + dt.timedelta(days=idx % 14)
    t = day + dt.timedelta(seconds=rng.randrange(86400 - 3600))
    parts, size, counts = [], 0, {}
    while size < target_bytes:
        t = t + dt.timedelta(seconds=rng.randrange(3))
        rec, version = record(rng, account, region, t, legacy_pct)
        s = json.dumps(rec, separators=(",", ":"))
        parts.append(s)
        size += len(s) + 1
        counts[version or "none"] = counts.get(version or "none", 0) + 1
    body = ('{"Records":[' + ",".join(parts) + "]}").encode()
    d = os.path.join(out, "AWSLogs", account, "CloudTrail", region, day.strftime("%Y/%m/%d"))
    os.makedirs(d, exist_ok=True)
    name = "%s_CloudTrail_%s_%sZ_%016x.json.gz" % (account, region, t.strftime("%Y%m%dT%H%M"), rng.getrandbits(64))
    with open(os.path.join(d, name), "wb") as f:
        f.write(gzip.compress(body, compresslevel=6, mtime=0))
    return len(body), len(parts), counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size-mb", type=float, default=200.0, help="total uncompressed JSON (default 200)")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--legacy-pct", type=float, default=3.0, help="share of TLS 1.0/1.1 calls in percent")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    per_file = int(a.size_mb * 1e6 / a.files)
    start = dt.datetime(2024, 3, 1)
    jobs = [(i, a.out, per_file, a.seed, a.legacy_pct, start) for i in range(a.files)]
    with multiprocessing.Pool(a.jobs) as pool:
        results = pool.map(write_file, jobs, chunksize=4)
    total = {"files": a.files, "json_bytes": 0, "max_file_json_bytes": 0, "records": 0, "tls_versions": {}}
    for size, n, counts in results:
        total["json_bytes"] += size
        total["max_file_json_bytes"] = max(total["max_file_json_bytes"], size)
        total["records"] += n
        for k, v in counts.items():
            total["tls_versions"][k] = total["tls_versions"].get(k, 0) + v
    print(json.dumps(total))


if __name__ == "__main__":
    main()
