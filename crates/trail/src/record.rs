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
    /// The first field that had the wrong JSON type, if any.
    pub bad_field: Option<&'static str>,
}

impl<'a> Record<'a> {
    /// True when the object carries any of the fields every CloudTrail record has.
    pub fn looks_like_record(&self) -> bool {
        self.has_event_version
            || self.event_time.is_some()
            || self.event_source.is_some()
            || self.event_name.is_some()
    }

    /// The principal that made the call, by the documented rule (docs/trail.md):
    /// `userIdentity.arn`; else `userIdentity.invokedBy` (AWS services); else
    /// `<type>:<accountId>`; else `<type>:<principalId>`; else `<type>`, where a missing type
    /// reads `Unknown`. Empty strings count as missing.
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
        if let Some(acct) = non_empty(&id.account_id) {
            return Cow::Owned(format!("{kind}:{acct}"));
        }
        if let Some(pid) = non_empty(&id.principal_id) {
            return Cow::Owned(format!("{kind}:{pid}"));
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

/// Reads the next map value leniently into `slot`, noting `name` in `bad` on a wrong type.
#[inline]
fn take_str<'de, A: MapAccess<'de>>(
    m: &mut A,
    slot: &mut Field<'de>,
    bad: &mut Option<&'static str>,
    name: &'static str,
) -> Result<(), A::Error> {
    match m.next_value::<Lenient<'de>>()? {
        Lenient::Str(s) => *slot = Some(s),
        Lenient::Null => *slot = None,
        Lenient::WrongType => {
            bad.get_or_insert(name);
        }
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

struct IdentityVisitor;

impl<'de> Visitor<'de> for IdentityVisitor {
    type Value = Nested<(Identity<'de>, Option<&'static str>)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a userIdentity object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut id = Identity::default();
        let mut bad = None;
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
    type Value = Nested<(TlsDetails<'de>, Option<&'static str>)>;
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
    type Value = Nested<(Identity<'de>, Option<&'static str>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(IdentityVisitor)
    }
}

struct TlsSeed;
impl<'de> DeserializeSeed<'de> for TlsSeed {
    type Value = Nested<(TlsDetails<'de>, Option<&'static str>)>;
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
                    bad.get_or_insert("userIdentity");
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
                    bad.get_or_insert("tlsDetails");
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
    /// One JSON object that was parsed completely.
    fn record(&mut self, r: Record<'a>);
    /// One value that could not be used as a record (not an object, invalid JSON line, …).
    fn invalid(&mut self, reason: &dyn fmt::Display);
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
                MaybeRecord::Object(r) => self.sink.record(r),
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
