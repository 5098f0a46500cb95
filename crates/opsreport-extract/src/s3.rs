//! The S3 operations every part of opsreport shares — the Athena source (UNLOAD results, the
//! data layout, notes), real-format exports in S3 and the CLI's report sink: the `s3://` URI
//! type, listing, reading, deleting, and one way to describe an SDK error.

use std::fmt;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::listing::{Listing, is_data_name};
use crate::{ExtractError, Result, Subject};

/// An `s3://bucket/prefix` location (prefix without leading or trailing `/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Uri {
    /// Bucket.
    pub bucket: String,
    /// Key prefix, possibly empty.
    pub prefix: String,
}

impl S3Uri {
    /// Parses `s3://bucket[/prefix]`; `None` when the text is not such a URI or would put a
    /// quote, backslash or control character into a statement.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        let prefix_ok = prefix.chars().all(|c| !c.is_control() && !matches!(c, '\'' | '"' | '\\'));
        (bucket_ok && prefix_ok).then(|| Self { bucket: bucket.to_owned(), prefix: prefix.trim_matches('/').to_owned() })
    }

    /// A location below this one.
    pub fn join(&self, name: &str) -> Self {
        let prefix = if self.prefix.is_empty() { name.to_owned() } else { format!("{}/{name}", self.prefix) };
        Self { bucket: self.bucket.clone(), prefix }
    }

    /// The key prefix to list, ending in `/` (empty for the bucket's root).
    pub fn key_prefix(&self) -> String {
        if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) }
    }
}

impl fmt::Display for S3Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix.is_empty() { write!(f, "s3://{}", self.bucket) } else { write!(f, "s3://{}/{}", self.bucket, self.prefix) }
    }
}

/// An SDK error (Athena or S3) in one line: the service's code and message when there is one,
/// else the transport problem.
pub fn describe<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(error: &SdkError<E, R>) -> String {
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => DisplayErrorContext(error).to_string(),
    }
}

pub(crate) fn s3_error(dataset: Subject, operation: &str, uri: &str, reason: String) -> ExtractError {
    ExtractError::S3 { dataset, operation: operation.to_owned(), uri: uri.to_owned(), reason }
}

/// Keys under a prefix, sorted (ListObjectsV2, every page).
pub async fn list_keys(client: &Client, dataset: Subject, prefix: &S3Uri) -> Result<Vec<String>> {
    let mut keys = Vec::new();
    let mut continuation: Option<String> = None;
    loop {
        let response = client
            .list_objects_v2()
            .bucket(&prefix.bucket)
            .prefix(prefix.key_prefix())
            .set_continuation_token(continuation.take())
            .send()
            .await
            .map_err(|error| s3_error(dataset, "list", &prefix.to_string(), describe(&error)))?;
        keys.extend(response.contents().iter().filter_map(|object| object.key().map(str::to_owned)));
        continuation = response.next_continuation_token().map(str::to_owned);
        if continuation.is_none() {
            break;
        }
    }
    keys.sort();
    Ok(keys)
}

/// Whether any object lies under a prefix (ListObjectsV2 for one key).
pub async fn has_objects(client: &Client, dataset: Subject, prefix: &S3Uri) -> Result<bool> {
    let response = client
        .list_objects_v2()
        .bucket(&prefix.bucket)
        .prefix(prefix.key_prefix())
        .max_keys(1)
        .send()
        .await
        .map_err(|error| s3_error(dataset, "list", &prefix.to_string(), describe(&error)))?;
    Ok(!response.contents().is_empty())
}

/// Writes one object.
pub async fn put_object(client: &Client, dataset: Subject, bucket: &str, key: &str, bytes: Vec<u8>) -> Result<()> {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(bytes.into())
        .send()
        .await
        .map_err(|error| s3_error(dataset, "write", &format!("s3://{bucket}/{key}"), describe(&error)))?;
    Ok(())
}

/// A presigned GET of `s3://bucket/key` that works for `valid` (at most seven days) without
/// credentials. Signing needs no network.
pub async fn presigned_get(
    client: &Client,
    bucket: &str,
    key: &str,
    valid: std::time::Duration,
) -> std::result::Result<String, String> {
    let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(valid).map_err(|error| error.to_string())?;
    let request = client.get_object().bucket(bucket).key(key).presigned(config).await.map_err(|error| error.to_string())?;
    Ok(request.uri().to_owned())
}

/// When the credentials the client signs with expire: `None` when they do not (long-term keys)
/// or cannot be had. A presigned link stops working when they do, whatever it says.
pub async fn credentials_expiry(provider: &aws_sdk_s3::config::SharedCredentialsProvider) -> Option<std::time::SystemTime> {
    use aws_sdk_s3::config::ProvideCredentials;
    provider.provide_credentials().await.ok()?.expiry()
}

/// How long a link signed at `now` with credentials expiring at `expiry` can work, at most
/// `wanted`: a minute short of the expiry when that comes first (none left: zero).
pub fn link_validity(
    wanted: std::time::Duration,
    now: std::time::SystemTime,
    expiry: Option<std::time::SystemTime>,
) -> std::time::Duration {
    let margin = std::time::Duration::from_secs(60);
    match expiry.map(|expiry| expiry.duration_since(now).unwrap_or_default().saturating_sub(margin)) {
        Some(left) if left < wanted => left,
        _ => wanted,
    }
}

/// Reads one object's bytes.
pub async fn get_object(client: &Client, dataset: Subject, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
    let uri = format!("s3://{bucket}/{key}");
    let response = match client.get_object().bucket(bucket).key(key).send().await {
        Ok(response) => response,
        Err(error) if error.as_service_error().is_some_and(|service| service.is_no_such_key()) => return Ok(None),
        Err(error) => return Err(s3_error(dataset, "read", &uri, describe(&error))),
    };
    let body = response.body.collect().await.map_err(|error| s3_error(dataset, "read", &uri, error.to_string()))?;
    Ok(Some(body.into_bytes().to_vec()))
}

/// Deletes every object under `prefix` (the run's `UNLOAD` output).
pub async fn remove_prefix(client: &Client, dataset: Subject, prefix: &S3Uri) -> Result<()> {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    let keys = list_keys(client, dataset, prefix).await?;
    for chunk in keys.chunks(1000) {
        let objects: Vec<ObjectIdentifier> =
            chunk.iter().filter_map(|key| ObjectIdentifier::builder().key(key).build().ok()).collect();
        let delete = Delete::builder().set_objects(Some(objects)).quiet(true).build().map_err(|error| ExtractError::S3 {
            dataset,
            operation: "delete".into(),
            uri: prefix.to_string(),
            reason: error.to_string(),
        })?;
        client.delete_objects().bucket(&prefix.bucket).delete(delete).send().await.map_err(|error| ExtractError::S3 {
            dataset,
            operation: "delete the objects under".into(),
            uri: prefix.to_string(),
            reason: describe(&error),
        })?;
    }
    Ok(())
}

/// What lies directly under an S3 prefix (ListObjectsV2 with a `/` delimiter, every page).
pub async fn list_folder(client: &Client, dataset: Subject, location: &S3Uri) -> Result<Listing> {
    let mut listing = Listing::default();
    let mut continuation: Option<String> = None;
    let prefix = location.key_prefix();
    loop {
        let response = client
            .list_objects_v2()
            .bucket(&location.bucket)
            .prefix(&prefix)
            .delimiter("/")
            .set_continuation_token(continuation.take())
            .send()
            .await
            .map_err(|error| ExtractError::S3 {
                dataset,
                operation: "list".into(),
                uri: location.to_string(),
                reason: describe(&error),
            })?;
        for common in response.common_prefixes() {
            if let Some(name) = common.prefix().and_then(|full| full.strip_prefix(&prefix)) {
                let name = name.trim_end_matches('/');
                if is_data_name(name) {
                    listing.folders.push(name.to_owned());
                }
            }
        }
        for object in response.contents() {
            if let Some(name) = object.key().and_then(|key| key.strip_prefix(&prefix))
                && is_data_name(name)
                && !name.is_empty()
            {
                listing.files.push((name.to_owned(), object.size().unwrap_or(0).max(0) as u64));
            }
        }
        continuation = response.next_continuation_token().map(str::to_owned);
        if continuation.is_none() {
            break;
        }
    }
    Ok(listing)
}
