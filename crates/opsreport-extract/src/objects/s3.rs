//! A store under an S3 prefix: files are objects below it, versions are ETags, conditions are
//! `If-Match` and `If-None-Match: *`, and writes carry the configured KMS key when there is one.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

use super::{Expect, Listed, StoreError, Versioned, content_type};
use crate::s3::{S3Uri, describe};

/// An S3 prefix and the client that reaches it.
#[derive(Clone)]
pub struct S3Objects {
    /// The client (built by the binary's `aws.rs`).
    pub client: Client,
    /// Where.
    pub location: S3Uri,
    /// The KMS key objects are written with (`[s3] sse_kms_key_id`), if any.
    pub kms_key: Option<String>,
}

/// An ETag without its quotes.
fn version_of(etag: Option<&str>) -> String {
    etag.unwrap_or_default().trim_matches('"').to_owned()
}

/// The HTTP status of an SDK error's response.
fn status<E>(error: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<u16> {
    error.raw_response().map(|raw| raw.status().as_u16())
}

/// 412: a condition did not hold; 409: another conditional write is in flight.
fn is_conflict<E>(error: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> bool {
    matches!(status(error), Some(409 | 412))
}

impl S3Objects {
    /// A store at `location`.
    pub fn new(client: Client, location: S3Uri) -> Self {
        Self { client, location, kms_key: None }
    }

    fn key(&self, path: &str) -> String {
        self.location.join(path).prefix
    }

    /// The objects below `folder`, with their ETags.
    pub(super) async fn listing(&self, folder: &str) -> Result<Vec<Listed>, StoreError> {
        let listed = self.location.join(folder.trim_end_matches('/'));
        let prefix = format!("{}/", listed.prefix.trim_end_matches('/'));
        let root = self.location.key_prefix();
        let mut found = Vec::new();
        let mut pages = self.client.list_objects_v2().bucket(&listed.bucket).prefix(&prefix).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| StoreError::Io(format!("cannot list {listed}: {}", describe(&error))))?;
            for object in page.contents() {
                let Some(path) = object.key().and_then(|key| key.strip_prefix(&root)) else { continue };
                found.push(Listed {
                    path: path.to_owned(),
                    version: version_of(object.e_tag()),
                    modified: object.last_modified().map(|time| time.secs()),
                });
            }
        }
        Ok(found)
    }

    /// The "folders" (common prefixes) directly below the prefix.
    pub(super) async fn folders(&self) -> Result<Vec<String>, StoreError> {
        let location = &self.location;
        let prefix = location.key_prefix();
        let mut names = Vec::new();
        let mut pages =
            self.client.list_objects_v2().bucket(&location.bucket).prefix(&prefix).delimiter("/").into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| StoreError::Io(format!("cannot list {location}: {}", describe(&error))))?;
            names.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|common| common.prefix()?.strip_prefix(&prefix)?.strip_suffix('/').map(str::to_owned)),
            );
        }
        Ok(names)
    }

    /// The object at `path`, if there is one.
    pub(super) async fn get(&self, path: &str) -> Result<Option<Versioned>, StoreError> {
        let described = self.location.join(path);
        match self.client.get_object().bucket(&self.location.bucket).key(self.key(path)).send().await {
            Ok(object) => {
                let version = version_of(object.e_tag());
                let modified = object.last_modified().map(|time| time.secs());
                let bytes =
                    object.body.collect().await.map_err(|error| StoreError::Io(format!("cannot read {described}: {error}")))?;
                Ok(Some(Versioned { bytes: bytes.into_bytes().to_vec(), version, modified }))
            }
            Err(error) if error.as_service_error().is_some_and(|service| service.is_no_such_key()) => Ok(None),
            Err(error) => Err(StoreError::Io(format!("cannot read {described}: {}", describe(&error)))),
        }
    }

    /// Writes the object at `path` if `expect` holds; its new ETag.
    pub(super) async fn put(&self, path: &str, bytes: Vec<u8>, expect: &Expect) -> Result<String, StoreError> {
        let described = self.location.join(path);
        let mut request = self
            .client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.key(path))
            .content_type(content_type(path))
            .body(ByteStream::from(bytes));
        if let Some(kms_key) = &self.kms_key {
            request = request.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(kms_key);
        }
        request = match expect {
            Expect::Any => request,
            Expect::Absent => request.if_none_match("*"),
            Expect::Version(version) => request.if_match(format!("\"{version}\"")),
        };
        match request.send().await {
            Ok(done) => Ok(version_of(done.e_tag())),
            Err(error) if is_conflict(&error) => Err(StoreError::Conflict(described.to_string())),
            Err(error) => Err(StoreError::Io(format!("cannot write {described}: {}", describe(&error)))),
        }
    }

    /// Deletes the object at `path`, only at `version` when one is given (an object that is not
    /// there is deleted).
    pub(super) async fn delete(&self, path: &str, version: Option<&str>) -> Result<(), StoreError> {
        let described = self.location.join(path);
        let mut request = self.client.delete_object().bucket(&self.location.bucket).key(self.key(path));
        if let Some(version) = version {
            request = request.if_match(format!("\"{version}\""));
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(error) if status(&error) == Some(404) => Ok(()),
            Err(error) if is_conflict(&error) => Err(StoreError::Conflict(described.to_string())),
            Err(error) => Err(StoreError::Io(format!("cannot delete {described}: {}", describe(&error)))),
        }
    }

    /// A presigned GET of the object at `path`, valid for `valid`.
    pub(super) async fn presigned(&self, path: &str, valid: std::time::Duration) -> Result<String, String> {
        crate::s3::presigned_get(&self.client, &self.location.bucket, &self.key(path), valid).await
    }
}
