//! One CloudTrail record, deserialized with borrowed strings and only the fields the audit uses.
//!
//! Every other field (`requestParameters`, `responseElements`, `resources`, …) is skipped with
//! [`IgnoredAny`] without allocating. Fields of the wrong JSON type do not abort the file: the
//! record remembers the first such field and is later counted as invalid.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// A string field as found in a record: absent or `null` is `None`.
pub type Field<'a> = Option<Cow<'a, str>>;

/// What was wrong with a field that makes its record invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// The field is not a string (nor null); for `userIdentity`/`tlsDetails`, not an object.
    NotAString,
    /// The string holds a `\u` escape of half a surrogate pair (`"\ud800"`), which is not text.
    LoneSurrogate,
}

/// The first flawed field of a record, if any: its name and what is wrong.
pub type Bad = Option<(&'static str, Flaw)>;

/// Describes a flawed field for the invalid-record reason.
pub fn describe_flaw(name: &str, flaw: Flaw) -> String {
    match flaw {
        Flaw::NotAString => format!("{name} is not a string"),
        Flaw::LoneSurrogate => format!("{name} holds a lone surrogate escape (not text)"),
    }
}

/// The `userIdentity` fields used to name the principal.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Identity<'a> {
    /// `userIdentity.type` (`IAMUser`, `AssumedRole`, `AWSService`, …).
    pub kind: Field<'a>,
    /// `userIdentity.principalId`.
    pub principal_id: Field<'a>,
    /// `userIdentity.arn`.
    pub arn: Field<'a>,
    /// `userIdentity.accountId`.
    pub account_id: Field<'a>,
    /// `userIdentity.invokedBy` (the AWS service that made the call).
    pub invoked_by: Field<'a>,
    /// `userIdentity.accessKeyId`.
    pub access_key_id: Field<'a>,
    /// `userIdentity.userName` (IAM users, SAML and Identity Center users, root aliases).
    pub user_name: Field<'a>,
    /// `userIdentity.sessionContext.sessionIssuer.arn`: the role behind an assumed-role session.
    pub session_issuer: Field<'a>,
    /// `userIdentity.onBehalfOf.userId`: the IAM Identity Center user behind the call.
    pub on_behalf_of: Field<'a>,
}

/// The `tlsDetails` object.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TlsDetails<'a> {
    /// `tlsDetails.tlsVersion`, e.g. `TLSv1.2`.
    pub version: Field<'a>,
    /// `tlsDetails.cipherSuite`, e.g. `ECDHE-RSA-AES128-GCM-SHA256`.
    pub cipher: Field<'a>,
    /// `tlsDetails.clientProvidedHostHeader`, e.g. `s3.us-west-2.amazonaws.com`.
    pub host_header: Field<'a>,
}

/// The fields of one record that the audit reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// `eventVersion` was present (used to recognise a record).
    pub has_event_version: bool,
    /// `eventTime`.
    pub event_time: Field<'a>,
    /// `eventSource`, e.g. `s3.amazonaws.com`.
    pub event_source: Field<'a>,
    /// `eventName`, the API action.
    pub event_name: Field<'a>,
    /// `eventType` (`AwsApiCall`, `AwsServiceEvent`, `AwsCloudTrailInsight`, …).
    pub event_type: Field<'a>,
    /// `awsRegion`.
    pub aws_region: Field<'a>,
    /// `sourceIPAddress`.
    pub source_ip: Field<'a>,
    /// `userAgent`.
    pub user_agent: Field<'a>,
    /// `recipientAccountId`: the account whose trail recorded the event.
    pub recipient_account_id: Field<'a>,
    /// `userIdentity`, when present and not `null`.
    pub identity: Option<Identity<'a>>,
    /// `tlsDetails`, when present and not `null`.
    pub tls: Option<TlsDetails<'a>>,
    /// The object also had a `Records` key (it is a log-file container, not a record).
    pub has_records_key: bool,
    /// The first field that had the wrong JSON type or undecodable text, if any.
    pub bad_field: Bad,
}

impl<'a> Record<'a> {
    /// True when the record is a CloudTrail Insights event (an analysis of call rates that
    /// CloudTrail writes beside the events, not an API call).
    pub fn is_insight(&self) -> bool {
        self.event_type.as_deref() == Some("AwsCloudTrailInsight")
    }

    /// The record with every string owned (for records decoded from a string inside another
    /// document, which does not live as long as the file buffer).
    pub fn into_owned(self) -> Record<'static> {
        fn own(f: Field<'_>) -> Field<'static> {
            f.map(|c| Cow::Owned(c.into_owned()))
        }
        Record {
            has_event_version: self.has_event_version,
            event_time: own(self.event_time),
            event_source: own(self.event_source),
            event_name: own(self.event_name),
            event_type: own(self.event_type),
            aws_region: own(self.aws_region),
            source_ip: own(self.source_ip),
            user_agent: own(self.user_agent),
            recipient_account_id: own(self.recipient_account_id),
            identity: self.identity.map(|id| Identity {
                kind: own(id.kind),
                principal_id: own(id.principal_id),
                arn: own(id.arn),
                account_id: own(id.account_id),
                invoked_by: own(id.invoked_by),
                access_key_id: own(id.access_key_id),
                user_name: own(id.user_name),
                session_issuer: own(id.session_issuer),
                on_behalf_of: own(id.on_behalf_of),
            }),
            tls: self.tls.map(|t| TlsDetails {
                version: own(t.version),
                cipher: own(t.cipher),
                host_header: own(t.host_header),
            }),
            has_records_key: self.has_records_key,
            bad_field: self.bad_field,
        }
    }

    /// True when the object carries any of the fields every CloudTrail record has.
    pub fn looks_like_record(&self) -> bool {
        self.has_event_version
            || self.event_time.is_some()
            || self.event_source.is_some()
            || self.event_name.is_some()
    }

    /// The principal that made the call, by the documented rule (docs/trail.md):
    /// `userIdentity.arn`; else `userIdentity.invokedBy` (AWS services); else
    /// `<type>:<userName>` (SAML and web-identity users); else `<type>:<onBehalfOf.userId>`
    /// (IAM Identity Center users); else `<type>:<accountId>`; else `<type>:<principalId>`;
    /// else `<type>`, where a missing type reads `Unknown`. Empty strings count as missing.
    pub fn principal(&self) -> Cow<'a, str> {
        fn non_empty<'r, 'x>(f: &'r Field<'x>) -> Option<&'r Cow<'x, str>> {
            f.as_ref().filter(|s| !s.is_empty())
        }
        let Some(id) = &self.identity else {
            return Cow::Borrowed("Unknown");
        };
        if let Some(arn) = non_empty(&id.arn) {
            return arn.clone();
        }
        if let Some(by) = non_empty(&id.invoked_by) {
            return by.clone();
        }
        let kind = non_empty(&id.kind).map(|k| k.as_ref()).unwrap_or("Unknown");
        let qualified = [
            &id.user_name,
            &id.on_behalf_of,
            &id.account_id,
            &id.principal_id,
        ];
        if let Some(q) = qualified.into_iter().find_map(non_empty) {
            return Cow::Owned(format!("{kind}:{q}"));
        }
        match non_empty(&id.kind) {
            Some(k) => k.clone(),
            None => Cow::Borrowed("Unknown"),
        }
    }
}

/// A JSON value read leniently as a string: strings and `null` are fine, anything else is
/// consumed and reported as the wrong type.
enum Lenient<'a> {
    Null,
    Str(Cow<'a, str>),
    WrongType,
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Lenient<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Lenient::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Lenient::Str(Cow::Owned(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Lenient::WrongType)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Lenient::WrongType)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Lenient::WrongType)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Lenient::WrongType)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient::WrongType)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient::WrongType)
    }
}

impl<'de> Deserialize<'de> for Lenient<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor)
    }
}

/// Reads the next map value leniently into `slot`, noting `name` in `bad` on a wrong type or
/// a string that is not text (a lone surrogate escape): those cost the record, not the file.
/// Any other invalid JSON is an error, exactly as when the value is read directly.
#[inline]
fn take_str<'de, A: MapAccess<'de>>(
    m: &mut A,
    slot: &mut Field<'de>,
    bad: &mut Bad,
    name: &'static str,
) -> Result<(), A::Error> {
    let raw: &'de serde_json::value::RawValue = m.next_value()?;
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => match serde_json::from_str::<&'de str>(text) {
            Ok(s) => *slot = Some(Cow::Borrowed(s)),
            Err(_) => match serde_json::from_str::<String>(text) {
                Ok(s) => *slot = Some(Cow::Owned(s)),
                Err(_) => {
                    bad.get_or_insert((name, Flaw::LoneSurrogate));
                }
            },
        },
        _ => match serde_json::from_str::<Lenient<'de>>(text).map_err(de::Error::custom)? {
            Lenient::Str(s) => *slot = Some(s),
            Lenient::Null => *slot = None,
            Lenient::WrongType => {
                bad.get_or_insert((name, Flaw::NotAString));
            }
        },
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum RecordKey {
    #[serde(rename = "eventVersion")]
    EventVersion,
    #[serde(rename = "eventTime")]
    EventTime,
    #[serde(rename = "eventSource")]
    EventSource,
    #[serde(rename = "eventName")]
    EventName,
    #[serde(rename = "eventType")]
    EventType,
    #[serde(rename = "awsRegion")]
    AwsRegion,
    #[serde(rename = "sourceIPAddress")]
    SourceIp,
    #[serde(rename = "userAgent")]
    UserAgent,
    #[serde(rename = "recipientAccountId")]
    RecipientAccountId,
    #[serde(rename = "userIdentity")]
    UserIdentity,
    #[serde(rename = "tlsDetails")]
    TlsDetails,
    #[serde(rename = "Records")]
    Records,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum IdentityKey {
    #[serde(rename = "type")]
    Type,
    #[serde(rename = "principalId")]
    PrincipalId,
    #[serde(rename = "arn")]
    Arn,
    #[serde(rename = "accountId")]
    AccountId,
    #[serde(rename = "invokedBy")]
    InvokedBy,
    #[serde(rename = "accessKeyId")]
    AccessKeyId,
    #[serde(rename = "userName")]
    UserName,
    #[serde(rename = "sessionContext")]
    SessionContext,
    #[serde(rename = "onBehalfOf")]
    OnBehalfOf,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum TlsKey {
    #[serde(rename = "tlsVersion")]
    TlsVersion,
    #[serde(rename = "cipherSuite")]
    CipherSuite,
    #[serde(rename = "clientProvidedHostHeader")]
    HostHeader,
    #[serde(other)]
    Other,
}

/// An optional nested object: `null` is `None`, an object is parsed, anything else is the wrong
/// type.
enum Nested<T> {
    Null,
    Obj(T),
    WrongType,
}

/// The visitor methods shared by the nested-object visitors (`userIdentity`, `tlsDetails`):
/// `null` is [`Nested::Null`], any other non-object value is [`Nested::WrongType`].
macro_rules! nested_non_object_visits {
    () => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Nested::Null)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Nested::Null)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Nested::WrongType)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Nested::WrongType)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Nested::WrongType)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Nested::WrongType)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Nested::WrongType)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
            while s.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Nested::WrongType)
        }
    };
}

/// An object of which one string, at `path` (member names) below it, is wanted: the members
/// on the way are read, the others skipped; `null` and other types as in [`Nested`]. `names`
/// are the full field names of the values along `path`, for flaws.
#[derive(Clone, Copy)]
struct PickSeed {
    path: &'static [&'static str],
    names: &'static [&'static str],
}

/// `userIdentity.sessionContext` down to the issuer's ARN.
const ISSUER_PATH: PickSeed = PickSeed {
    path: &["sessionIssuer", "arn"],
    names: &[
        "userIdentity.sessionContext.sessionIssuer",
        "userIdentity.sessionContext.sessionIssuer.arn",
    ],
};

/// `userIdentity.onBehalfOf` down to the Identity Center user ID.
const ON_BEHALF_PATH: PickSeed = PickSeed {
    path: &["userId"],
    names: &["userIdentity.onBehalfOf.userId"],
};

/// The value a [`PickSeed`] read, noting a flaw of its object in `bad`.
fn picked<'de>(n: Nested<(Field<'de>, Bad)>, bad: &mut Bad, name: &'static str) -> Field<'de> {
    match n {
        Nested::Null => None,
        Nested::Obj((v, b)) => {
            if let Some(b) = b {
                bad.get_or_insert(b);
            }
            v
        }
        Nested::WrongType => {
            bad.get_or_insert((name, Flaw::NotAString));
            None
        }
    }
}

impl<'de> DeserializeSeed<'de> for PickSeed {
    type Value = Nested<(Field<'de>, Bad)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PickSeed {
    type Value = Nested<(Field<'de>, Bad)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut v = None;
        let mut bad = None;
        while let Some(k) = m.next_key::<Cow<'de, str>>()? {
            if k != self.path[0] {
                m.next_value::<IgnoredAny>()?;
            } else if self.path.len() == 1 {
                take_str(&mut m, &mut v, &mut bad, self.names[0])?;
            } else {
                let inner = PickSeed {
                    path: &self.path[1..],
                    names: &self.names[1..],
                };
                let n = m.next_value_seed(inner)?;
                v = picked(n, &mut bad, self.names[0]);
            }
        }
        Ok(Nested::Obj((v, bad)))
    }
    nested_non_object_visits!();
}

struct IdentityVisitor;

impl<'de> Visitor<'de> for IdentityVisitor {
    type Value = Nested<(Identity<'de>, Bad)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a userIdentity object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut id = Identity::default();
        let mut bad: Bad = None;
        while let Some(k) = m.next_key::<IdentityKey>()? {
            match k {
                IdentityKey::Type => take_str(&mut m, &mut id.kind, &mut bad, "userIdentity.type")?,
                IdentityKey::PrincipalId => take_str(
                    &mut m,
                    &mut id.principal_id,
                    &mut bad,
                    "userIdentity.principalId",
                )?,
                IdentityKey::Arn => take_str(&mut m, &mut id.arn, &mut bad, "userIdentity.arn")?,
                IdentityKey::AccountId => take_str(
                    &mut m,
                    &mut id.account_id,
                    &mut bad,
                    "userIdentity.accountId",
                )?,
                IdentityKey::InvokedBy => take_str(
                    &mut m,
                    &mut id.invoked_by,
                    &mut bad,
                    "userIdentity.invokedBy",
                )?,
                IdentityKey::AccessKeyId => take_str(
                    &mut m,
                    &mut id.access_key_id,
                    &mut bad,
                    "userIdentity.accessKeyId",
                )?,
                IdentityKey::UserName => {
                    take_str(&mut m, &mut id.user_name, &mut bad, "userIdentity.userName")?
                }
                IdentityKey::SessionContext => {
                    let n = m.next_value_seed(ISSUER_PATH)?;
                    id.session_issuer = picked(n, &mut bad, "userIdentity.sessionContext");
                }
                IdentityKey::OnBehalfOf => {
                    let n = m.next_value_seed(ON_BEHALF_PATH)?;
                    id.on_behalf_of = picked(n, &mut bad, "userIdentity.onBehalfOf");
                }
                IdentityKey::Other => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Nested::Obj((id, bad)))
    }
    nested_non_object_visits!();
}

struct TlsVisitor;

impl<'de> Visitor<'de> for TlsVisitor {
    type Value = Nested<(TlsDetails<'de>, Bad)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tlsDetails object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut t = TlsDetails::default();
        let mut bad = None;
        while let Some(k) = m.next_key::<TlsKey>()? {
            match k {
                TlsKey::TlsVersion => {
                    take_str(&mut m, &mut t.version, &mut bad, "tlsDetails.tlsVersion")?
                }
                TlsKey::CipherSuite => {
                    take_str(&mut m, &mut t.cipher, &mut bad, "tlsDetails.cipherSuite")?
                }
                TlsKey::HostHeader => take_str(
                    &mut m,
                    &mut t.host_header,
                    &mut bad,
                    "tlsDetails.clientProvidedHostHeader",
                )?,
                TlsKey::Other => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Nested::Obj((t, bad)))
    }
    nested_non_object_visits!();
}

struct IdentitySeed;
impl<'de> DeserializeSeed<'de> for IdentitySeed {
    type Value = Nested<(Identity<'de>, Bad)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(IdentityVisitor)
    }
}

struct TlsSeed;
impl<'de> DeserializeSeed<'de> for TlsSeed {
    type Value = Nested<(TlsDetails<'de>, Bad)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TlsVisitor)
    }
}

/// Reads the fields of one record from an already-opened JSON object.
pub(crate) fn visit_record<'de, A: MapAccess<'de>>(mut m: A) -> Result<Record<'de>, A::Error> {
    let mut r = Record::default();
    let mut bad = None;
    while let Some(k) = m.next_key::<RecordKey>()? {
        match k {
            RecordKey::EventVersion => {
                r.has_event_version = true;
                m.next_value::<IgnoredAny>()?;
            }
            RecordKey::EventTime => take_str(&mut m, &mut r.event_time, &mut bad, "eventTime")?,
            RecordKey::EventSource => {
                take_str(&mut m, &mut r.event_source, &mut bad, "eventSource")?
            }
            RecordKey::EventName => take_str(&mut m, &mut r.event_name, &mut bad, "eventName")?,
            RecordKey::EventType => take_str(&mut m, &mut r.event_type, &mut bad, "eventType")?,
            RecordKey::AwsRegion => take_str(&mut m, &mut r.aws_region, &mut bad, "awsRegion")?,
            RecordKey::SourceIp => take_str(&mut m, &mut r.source_ip, &mut bad, "sourceIPAddress")?,
            RecordKey::UserAgent => take_str(&mut m, &mut r.user_agent, &mut bad, "userAgent")?,
            RecordKey::RecipientAccountId => take_str(
                &mut m,
                &mut r.recipient_account_id,
                &mut bad,
                "recipientAccountId",
            )?,
            RecordKey::UserIdentity => match m.next_value_seed(IdentitySeed)? {
                Nested::Null => r.identity = None,
                Nested::Obj((id, b)) => {
                    r.identity = Some(id);
                    if let Some(b) = b {
                        bad.get_or_insert(b);
                    }
                }
                Nested::WrongType => {
                    bad.get_or_insert(("userIdentity", Flaw::NotAString));
                }
            },
            RecordKey::TlsDetails => match m.next_value_seed(TlsSeed)? {
                Nested::Null => r.tls = None,
                Nested::Obj((t, b)) => {
                    r.tls = Some(t);
                    if let Some(b) = b {
                        bad.get_or_insert(b);
                    }
                }
                Nested::WrongType => {
                    bad.get_or_insert(("tlsDetails", Flaw::NotAString));
                }
            },
            RecordKey::Records => {
                r.has_records_key = true;
                m.next_value::<IgnoredAny>()?;
            }
            RecordKey::Other => {
                m.next_value::<IgnoredAny>()?;
            }
        }
    }
    r.bad_field = bad;
    Ok(r)
}

/// Receives records as the parser finds them.
pub trait RecordSink<'a> {
    /// One JSON object that was parsed completely (lent: the readers build records in place,
    /// and a sink keeps what it needs by cloning its fields, which borrow from the input).
    fn record(&mut self, r: &Record<'a>);
    /// One value that could not be used as a record (not an object, invalid JSON line, …).
    fn invalid(&mut self, reason: &dyn fmt::Display);
    /// One value that is AWS data but not a CloudTrail event (an EventBridge event of another
    /// source): neither a record nor invalid.
    fn not_event(&mut self, _what: &dyn fmt::Display) {}
}

/// A JSON value that should be a record: an object is parsed, anything else is consumed.
// Boxing the record would allocate once per record on the hot path.
#[allow(clippy::large_enum_variant)]
pub(crate) enum MaybeRecord<'a> {
    /// The value was an object.
    Object(Record<'a>),
    /// The value was not an object.
    NotObject,
}

struct MaybeRecordVisitor;

impl<'de> Visitor<'de> for MaybeRecordVisitor {
    type Value = MaybeRecord<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail record object")
    }
    fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
        visit_record(m).map(MaybeRecord::Object)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(MaybeRecord::NotObject)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(MaybeRecord::NotObject)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(MaybeRecord::NotObject)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(MaybeRecord::NotObject)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(MaybeRecord::NotObject)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(MaybeRecord::NotObject)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(MaybeRecord::NotObject)
    }
}

impl<'de> Deserialize<'de> for MaybeRecord<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MaybeRecordVisitor)
    }
}

/// Deserializes a sequence of records, handing each to the sink as soon as it is parsed.
pub(crate) struct RecordsSeed<'s, S> {
    /// Where records go.
    pub sink: &'s mut S,
}

impl<'de, S: RecordSink<'de>> DeserializeSeed<'de> for RecordsSeed<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, S: RecordSink<'de>> Visitor<'de> for RecordsSeed<'_, S> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while let Some(v) = s.next_element::<MaybeRecord<'de>>()? {
            match v {
                MaybeRecord::Object(r) => self.sink.record(&r),
                MaybeRecord::NotObject => {
                    self.sink.invalid(&"a Records element is not a JSON object")
                }
            }
        }
        Ok(())
    }
}

/// Deserializes a log-file object `{"Records": [...]}`, streaming the records to the sink.
/// Returns whether a `Records` key was found.
pub(crate) struct ContainerSeed<'s, S> {
    /// Where records go.
    pub sink: &'s mut S,
}

impl<'de, S: RecordSink<'de>> DeserializeSeed<'de> for ContainerSeed<'_, S> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum ContainerKey {
    Records,
    #[serde(other)]
    Other,
}

impl<'de, S: RecordSink<'de>> Visitor<'de> for ContainerSeed<'_, S> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail log file object {\"Records\": [...]}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(k) = m.next_key::<ContainerKey>()? {
            match k {
                ContainerKey::Records => {
                    m.next_value_seed(RecordsSeed {
                        sink: &mut *self.sink,
                    })?;
                    found = true;
                }
                ContainerKey::Other => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}
