//! The S3 sink: `--out s3://bucket/prefix` writes the same tree as a local run.
//!
//! An old `manifest.json` is deleted first and the new one is uploaded last, so a report folder
//! is complete exactly when it has a manifest, in S3 as on disk. Credentials come from the AWS
//! default chain only; endpoints the standard way (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3`);
//! path-style addressing for S3-compatible stores with `OPSREPORT_S3_FORCE_PATH_STYLE=true` or
//! `[s3] force_path_style`; SSE-KMS with `[s3] sse_kms_key_id`. Transient failures are retried by
//! the SDK's standard retry strategy.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use opsreport_extract::s3::{S3Uri, describe};
use opsreport_model::Config;

use crate::failure::Failure;
use crate::output::{LOCK_FILE, OutputFile, ReportIdentity, manifest_json};

/// Where a run writes in S3 (the source's own URI type: one parser for every `s3://` setting).
pub type S3Location = S3Uri;

/// Parses `--out`: `None` for a folder, the location for `s3://bucket/prefix`.
pub fn parse_location(text: &str) -> Result<Option<S3Location>, Failure> {
    if !text.starts_with("s3://") {
        return Ok(None);
    }
    S3Uri::parse(text).map(Some).ok_or_else(|| {
        Failure::bad_input(anyhow::anyhow!(
            "invalid --out {text:?}: write s3://<bucket>/<prefix> with a valid bucket name (3-63 lower-case letters, digits, '-' or '.') and no quotes or backslashes in the prefix"
        ))
    })
}

/// Uploads report folders to S3.
pub struct S3Sink {
    runtime: tokio::runtime::Runtime,
    client: Client,
    location: S3Location,
    sse_kms_key_id: Option<String>,
}

/// How long a report's link works: seven days, the longest a presigned S3 link may last (one
/// signed with temporary credentials stops working when they expire).
pub const LINK_VALIDITY: std::time::Duration =
    std::time::Duration::from_secs(opsreport_model::console::LINK_HOURS_MAX as u64 * 3600);

impl S3Sink {
    /// A sink for `location`, configured from the default AWS chain and the settings.
    pub fn new(location: S3Location, config: &Config) -> Result<Self, Failure> {
        let runtime = crate::aws::runtime()?;
        let shared = crate::aws::sdk_config(&runtime, config);
        let client = crate::aws::s3_client(&shared, config);
        Ok(Self { runtime, client, location, sse_kms_key_id: config.s3.sse_kms_key_id.clone() })
    }

    /// The manifest of an account's report in `folder` (`output::report_folder`), if there is one
    /// (an error reads as none).
    pub fn manifest(&self, folder: &str) -> Option<Vec<u8>> {
        let key = format!("{}/manifest.json", self.location.join(folder).prefix);
        self.runtime.block_on(async {
            let object = self.client.get_object().bucket(&self.location.bucket).key(&key).send().await.ok()?;
            object.body.collect().await.ok().map(|bytes| bytes.into_bytes().to_vec())
        })
    }

    /// Logs a time-limited link to the report's PDF (a presigned GET, [`LINK_VALIDITY`]), so a
    /// CSDM who asked for a report can open it without credentials. Signing needs no network;
    /// a failure to sign only leaves the link out.
    async fn log_link(&self, folder: &str) {
        let key = format!("{folder}/report.pdf");
        match opsreport_extract::s3::presigned_get(&self.client, &self.location.bucket, &key, LINK_VALIDITY).await {
            Ok(link) => tracing::info!(
                link = link.as_str(),
                "report s3://{}/{key} — link valid for {} days: {link}",
                self.location.bucket,
                LINK_VALIDITY.as_secs() / 86_400,
            ),
            Err(error) => tracing::debug!("no link to s3://{}/{key}: {error}", self.location.bucket),
        }
    }

    /// Uploads one report folder; returns its `s3://` URI.
    pub fn write_report(&self, identity: &ReportIdentity, files: &[OutputFile]) -> Result<String, Failure> {
        let folder = self.location.join(&crate::output::report_folder(identity.account_id.as_str(), identity.period)).prefix;
        let bucket = &self.location.bucket;
        let failure = |key: &str, error: &dyn std::fmt::Display| {
            Failure::source_or_sink(anyhow::anyhow!(
                "cannot write s3://{bucket}/{key}: {error}; check the bucket, the credentials and the endpoint (AWS_ENDPOINT_URL_S3)"
            ))
        };
        self.runtime.block_on(async {
            let lock_key = format!("{folder}/{LOCK_FILE}");
            let token = lock_token();
            self.lock(&lock_key, &token).await.map_err(|error| failure(&lock_key, &error))?;
            let written = self.upload(&folder, identity, files).await;
            // Released whatever happened; a lock left by a crashed run expires.
            self.release(&lock_key, &token).await;
            written.map_err(|(key, error)| failure(&key, &error))?;
            self.log_link(&folder).await;
            Ok(format!("s3://{bucket}/{folder}"))
        })
    }

    /// Takes the report folder's lock object: created only if absent (`If-None-Match: *`), so
    /// two runs writing the same account and month take turns and a manifest always describes
    /// the objects beside it. Waits up to [`LOCK_WAIT`] for another run; takes over a lock older
    /// than [`LOCK_STALE`] (a run that died holding it).
    async fn lock(&self, key: &str, token: &str) -> Result<(), String> {
        let bucket = &self.location.bucket;
        let started = std::time::Instant::now();
        loop {
            let put = self
                .client
                .put_object()
                .bucket(bucket)
                .key(key)
                .if_none_match("*")
                .body(ByteStream::from(token.as_bytes().to_vec()))
                .send()
                .await;
            let error = match put {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let status = error.raw_response().map(|response| response.status().as_u16());
            // 412: the lock exists; 409: another run's conditional write is in flight.
            if !matches!(status, Some(412 | 409)) {
                return Err(describe(&error));
            }
            let head = self.client.head_object().bucket(bucket).key(key).send().await.ok();
            let held_since = head.as_ref().and_then(|head| head.last_modified);
            let age =
                held_since.and_then(|since| std::time::SystemTime::try_from(since).ok()).and_then(|since| since.elapsed().ok());
            if age.is_some_and(|age| age > LOCK_STALE) {
                // Only the stale lock seen, not one another run took meanwhile (412: it did).
                let seen = head.and_then(|head| head.e_tag).unwrap_or_default();
                let deleted = self.client.delete_object().bucket(bucket).key(key).if_match(seen).send().await;
                if let Err(error) = deleted
                    && !matches!(error.raw_response().map(|response| response.status().as_u16()), Some(404 | 412))
                {
                    return Err(format!("cannot take over a stale lock: {}", describe(&error)));
                }
            }
            if started.elapsed() > LOCK_WAIT {
                return Err(format!(
                    "another run has been writing this report for more than {} s (its lock object exists); if none is, delete the lock object",
                    LOCK_WAIT.as_secs()
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }

    /// Deletes the lock object if it is still this run's (its content is the run's token): a
    /// lock another run took over, after this one was thought dead, stays.
    async fn release(&self, key: &str, token: &str) {
        let bucket = &self.location.bucket;
        let Ok(held) = self.client.get_object().bucket(bucket).key(key).send().await else { return };
        let etag = held.e_tag().unwrap_or_default().to_owned();
        let Ok(body) = held.body.collect().await else { return };
        if body.into_bytes().as_ref() != token.as_bytes() {
            tracing::warn!("s3://{bucket}/{key} is another run's lock now; it is left for that run");
            return;
        }
        let _ = self.client.delete_object().bucket(bucket).key(key).if_match(etag).send().await;
    }

    /// Uploads the files, then the manifest (the old manifest is deleted first). On failure,
    /// the key that failed and why.
    async fn upload(&self, folder: &str, identity: &ReportIdentity<'_>, files: &[OutputFile]) -> Result<(), (String, String)> {
        let bucket = &self.location.bucket;
        let manifest_key = format!("{folder}/manifest.json");
        self.client
            .delete_object()
            .bucket(bucket)
            .key(&manifest_key)
            .send()
            .await
            .map_err(|error| (manifest_key.clone(), describe(&error)))?;
        let manifest = OutputFile { path: "manifest.json".into(), bytes: manifest_json(identity, files) };
        for file in files.iter().chain(std::iter::once(&manifest)) {
            let key = format!("{folder}/{}", file.path);
            let mut request = self
                .client
                .put_object()
                .bucket(bucket)
                .key(&key)
                .content_type(content_type(&file.path))
                .body(ByteStream::from(file.bytes.clone()));
            if let Some(kms_key) = &self.sse_kms_key_id {
                request = request.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(kms_key);
            }
            request.send().await.map_err(|error| (key.clone(), describe(&error)))?;
        }
        Ok(())
    }
}

/// The content of this run's lock object: the run id, the process and the time, so no other
/// run's lock has the same.
fn lock_token() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("opsreport run {} process {} at {nanos}\n", crate::aws::run_id(), std::process::id())
}

/// How long a run waits for another run writing the same report folder.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);
/// A lock object older than this was left by a run that died: it is taken over.
const LOCK_STALE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_locations_parse_strictly() {
        let location = parse_location("s3://reports-bucket/monthly/").unwrap().unwrap();
        assert_eq!(location, S3Location { bucket: "reports-bucket".into(), prefix: "monthly".into() });
        assert_eq!(location.join("000000000001/2026-10/report.pdf").prefix, "monthly/000000000001/2026-10/report.pdf");
        assert_eq!(parse_location("out").unwrap(), None);
        for bad in ["s3://", "s3://A_B/x", "s3://ab"] {
            assert!(parse_location(bad).is_err(), "{bad}");
        }
    }
}
