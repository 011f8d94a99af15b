//! Records laid out as in the CloudTrail documentation's record-format pages and log-file
//! examples (field names, nesting, the `tlsDetails` object and its example values), run through
//! the whole audit. Expected counts follow from the records as written here.

use std::io::Write;
use tlsfloor_trail::report::ProblemKind;
use tlsfloor_trail::{audit, By, Plan, Query};

/// An SES call by an assumed role over TLS 1.3 (pretty-printed as in the docs).
const SES_TLS13: &str = r#"{
    "eventVersion": "1.11",
    "userIdentity": {
        "type": "AssumedRole",
        "principalId": "AROA4DO2KAWIPZEXAMPLE:myUserName",
        "arn": "arn:aws:sts::111122223333:assumed-role/users/myUserName",
        "accountId": "111122223333",
        "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROA4DO2KAWIPZEXAMPLE",
                "arn": "arn:aws:iam::111122223333:role/users",
                "accountId": "111122223333",
                "userName": "users"
            },
            "attributes": {"creationDate": "2025-01-20T19:26:45Z", "mfaAuthenticated": "false"}
        }
    },
    "eventTime": "2025-01-20T19:30:07Z",
    "eventSource": "ses.amazonaws.com",
    "eventName": "VerifyEmailIdentity",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "192.0.2.0",
    "userAgent": "aws-cli/2.23.4",
    "requestParameters": {"emailAddress": "sender@example.com"},
    "responseElements": null,
    "requestID": "50b87bfe-ab23-11e4-9106-5b36376f9d12",
    "eventID": "0ffa308d-1467-4259-8be3-c749753be325",
    "readOnly": false,
    "eventType": "AwsApiCall",
    "managementEvent": true,
    "recipientAccountId": "111122223333",
    "eventCategory": "Management",
    "tlsDetails": {
        "tlsVersion": "TLSv1.3",
        "cipherSuite": "TLS_AES_128_GCM_SHA256",
        "clientProvidedHostHeader": "email.us-east-1.amazonaws.com"
    }
}"#;

/// A KMS call with a resources array over TLS 1.2.
const KMS_TLS12: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::111122223333:user/Alice","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Alice"},"eventTime":"2025-01-21T08:00:00Z","eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","awsRegion":"us-west-2","sourceIPAddress":"192.0.2.1","userAgent":"aws-sdk-java/1.11.30","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","keySpec":"AES_256"},"responseElements":null,"requestID":"dcf0e82f-dad0-4622-a378-a5b964ad42c1","eventID":"2afbb991-c668-4641-8a00-67d62e1fecbd","readOnly":false,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES256-GCM-SHA384","clientProvidedHostHeader":"kms.us-west-2.amazonaws.com"}}"#;

/// An older-format record (eventVersion 1.02, no tlsDetails) as in the AWS Config examples.
const CONFIG_NO_TLS: &str = r#"{"eventVersion":"1.02","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::222222222222:user/JohnDoe","accountId":"222222222222","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"JohnDoe"},"eventTime":"2014-12-11T18:32:57Z","eventSource":"config.amazonaws.com","eventName":"DeleteDeliveryChannel","awsRegion":"us-west-2","sourceIPAddress":"10.24.34.0","userAgent":"aws-internal/3","requestParameters":{"deliveryChannelName":"default"},"responseElements":null,"requestID":"207d695a-8164-11e4-ab4f-657c7ab282ab","eventID":"5dcff7a9-e414-411a-a43e-88d122a0ad4a","eventType":"AwsApiCall","recipientAccountId":"222222222222"}"#;

/// An OpenSearch Serverless record whose tlsDetails only has the host header.
const AOSS_NO_VERSION: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA123456789EXAMPLE:Admin","arn":"arn:aws:sts::123456789012:assumed-role/Admin/Admin","accountId":"123456789012"},"eventTime":"2023-01-10T12:00:00Z","eventSource":"aoss.amazonaws.com","eventName":"CreateCollection","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.2","userAgent":"aws-cli/2.9.0","errorCode":"HttpFailureException","errorMessage":"An unknown error occurred","requestParameters":{"name":"test-collection"},"responseElements":null,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"clientProvidedHostHeader":"user.aoss-sample.us-east-1.amazonaws.com"}}"#;

/// An AWS service calling on a customer's behalf over TLS 1.0 (`TLSv1` as CloudTrail writes it):
/// no ARN, only `invokedBy`.
const SERVICE_TLS10: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"elasticbeanstalk.amazonaws.com"},"eventTime":"2025-01-22T00:00:01Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"elasticbeanstalk.amazonaws.com","userAgent":"elasticbeanstalk.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/eb","roleSessionName":"eb"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLE","expiration":"Jan 22, 2025, 1:00:01 AM"}},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1","cipherSuite":"ECDHE-RSA-AES128-SHA","clientProvidedHostHeader":"sts.amazonaws.com"}}"#;

/// A cross-account caller over TLS 1.1: no ARN, only accountId and type.
const ACCOUNT_TLS11: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AWSAccount","principalId":"AIDAEXAMPLEPRINCIPAL","accountId":"444455556666"},"eventTime":"2025-01-23T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"[aws-sdk-dotnet-45/3.3.110.36]","requestParameters":{"bucketName":"b","key":"k"},"responseElements":null,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data","tlsDetails":{"tlsVersion":"TLSv1.1","cipherSuite":"AES128-SHA","clientProvidedHostHeader":"b.s3.eu-west-1.amazonaws.com"}}"#;

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    p
}

#[test]
fn documented_records_are_counted_by_version_and_principal_rule() {
    let dir = tempfile::tempdir().unwrap();
    // A pretty-printed log file as in the docs, a compact one, and a JSON Lines export.
    write(
        dir.path(),
        "pretty.json",
        &format!("{{\n  \"Records\": [\n{SES_TLS13},\n{KMS_TLS12}\n  ]\n}}\n"),
    );
    write(
        dir.path(),
        "compact.json",
        &format!("{{\"Records\":[{CONFIG_NO_TLS},{AOSS_NO_VERSION},{SERVICE_TLS10}]}}"),
    );
    write(
        dir.path(),
        "lake-export.jsonl",
        &format!("{ACCOUNT_TLS11}\n"),
    );

    let q = Query {
        by: vec![By::Principal, By::EventSource, By::Cipher, By::HostHeader],
        ..Query::default()
    };
    let plan = Plan::new(&[dir.path().to_path_buf()]).unwrap();
    let r = audit::run(&plan, &q, Some(2), &audit::NoProgress).unwrap();

    assert_eq!(r.files.total, 3);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.records.read, 6);
    assert_eq!(r.records.in_scope, 6);
    assert_eq!(r.records.without_tls_details, 1);
    assert_eq!(r.records.tls_details_without_version, 1);
    let calls = |v: &str| {
        r.tls_versions
            .iter()
            .find(|c| c.tls_version == v)
            .map_or(0, |c| c.calls)
    };
    assert_eq!(calls("TLSv1.0"), 1);
    assert_eq!(calls("TLSv1.1"), 1);
    assert_eq!(calls("TLSv1.2"), 1);
    assert_eq!(calls("TLSv1.3"), 1);
    assert_eq!(r.records.legacy, 2);
    assert_eq!(r.verdict.exit_code, 1);

    let principals: Vec<(&str, &str, &str)> = r
        .groups
        .iter()
        .map(|g| {
            (
                g.key.get("principal").unwrap_or("-"),
                g.key.get("cipher").unwrap_or("-"),
                g.key.get("host_header").unwrap_or("-"),
            )
        })
        .collect();
    assert!(principals.contains(&(
        "elasticbeanstalk.amazonaws.com",
        "ECDHE-RSA-AES128-SHA",
        "sts.amazonaws.com"
    )));
    assert!(principals.contains(&(
        "AWSAccount:444455556666",
        "AES128-SHA",
        "b.s3.eu-west-1.amazonaws.com"
    )));
    assert_eq!(principals.len(), 2);
    let days: Vec<&str> = r.per_day.iter().map(|d| d.day.as_str()).collect();
    assert_eq!(days, ["2025-01-22", "2025-01-23"]);
}

#[test]
fn records_missing_required_fields_are_invalid_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let no_name = SERVICE_TLS10.replace("\"eventName\":\"AssumeRole\",", "");
    let bad_time = SERVICE_TLS10.replace("2025-01-22T00:00:01Z", "yesterday");
    let number_ua = SERVICE_TLS10.replace(
        "\"userAgent\":\"elasticbeanstalk.amazonaws.com\"",
        "\"userAgent\":42",
    );
    write(
        dir.path(),
        "mixed.json",
        &format!("{{\"Records\":[{no_name},{bad_time},{number_ua},{SERVICE_TLS10},17]}}"),
    );
    let plan = Plan::new(&[dir.path().to_path_buf()]).unwrap();
    let r = audit::run(&plan, &Query::default(), None, &audit::NoProgress).unwrap();
    assert_eq!(r.records.read, 5);
    assert_eq!(r.records.invalid, 4);
    assert_eq!(r.records.legacy, 1);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].kind, ProblemKind::InvalidRecords);
    assert_eq!(r.problems[0].invalid_records, 4);
    assert_eq!(r.problems[0].records_counted, 1);
    assert!(
        r.problems[0].reason.contains("missing eventName"),
        "{}",
        r.problems[0].reason
    );
    // Legacy found and input skipped: legacy wins the exit code, the skip stays visible.
    assert!(r.verdict.legacy_found && r.verdict.input_skipped);
    assert_eq!(r.verdict.exit_code, 1);
}
