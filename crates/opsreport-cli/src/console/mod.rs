//! `opsreport serve`: the console where service delivery managers see their accounts' reports,
//! write the notes no data source has, regenerate a report, look at it, and send it.
//!
//! Server-rendered pages (axum, askama templates that escape every value), no JavaScript. Only
//! requests for the console's own names, and forms from its own pages, get through (`hosts`).
//! Who the user is comes from the load balancer's signed token (`auth`), what they may see from
//! `[console]` (`access`); every request for an account is checked by one extractor before
//! anything of it is read (`allowed`). Forms carry a CSRF token bound to the user (`secret`) and
//! have a size limit (`limits`); every response carries a strict Content-Security-Policy.
//! Reports and notes live where the batch job keeps them, in a folder or in S3 (`store`, read
//! once per version through `cache`); a notes save is a conditional write.

mod access;
mod accounts_page;
mod allowed;
mod auth;
mod cache;
mod hosts;
mod jobs;
mod limits;
mod notes_form;
mod notes_page;
mod pages;
mod regenerate;
mod reports;
mod secret;
mod send;
mod send_page;
mod views;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use clap::Args;
use opsreport_extract::s3::S3Uri;
use opsreport_model::Config;
use opsreport_model::console::ConsoleSettings;

use self::access::Access;
use self::auth::{AlbVerifier, User};
use self::cache::Cache;
use self::hosts::Hosts;
use self::jobs::Jobs;
use self::limits::SendLimits;
use self::secret::Secret;
use crate::choice::SourceChoice;
use crate::failure::{Failure, Outcome};
use opsreport_extract::objects as store;
use opsreport_extract::objects::{S3Objects, Store};

/// Flags of `opsreport serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on. Default: `[console] listen` (127.0.0.1:8080).
    #[arg(long, env = "OPSREPORT_CONSOLE_LISTEN", value_name = "ADDRESS:PORT")]
    listen: Option<String>,
    /// Run as this user without a load balancer (local use: only on a loopback address). With
    /// no `[console] users` or `groups`, the user sees every account.
    #[arg(long, env = "OPSREPORT_CONSOLE_DEV_USER", value_name = "EMAIL")]
    dev_user: Option<String>,
    /// Dataset root folder (notes in `<DIR>/notes/`), or `athena`. Default: `[console] source`.
    #[arg(long, env = "OPSREPORT_SOURCE", value_name = "DIR|athena")]
    source: Option<String>,
    /// Where reports are: a folder or `s3://bucket/prefix`. Default: `[console] reports`.
    #[arg(long, env = "OPSREPORT_OUT", value_name = "DIR|s3://BUCKET/PREFIX")]
    out: Option<String>,
}

/// How users are known.
pub enum Identity {
    /// One local user (`--dev-user`).
    Dev(User),
    /// The load balancer's tokens.
    Alb(AlbVerifier),
}

/// Everything a request handler needs.
pub struct Console {
    /// `[console]`.
    pub settings: ConsoleSettings,
    /// Who the user is.
    pub identity: Identity,
    /// What they may see.
    pub access: Access,
    /// `[customers.<id>]`: the customers whose reviews are listed.
    pub customers: std::collections::BTreeMap<opsreport_model::CustomerId, opsreport_model::customer::CustomerSettings>,
    /// Signs forms and links.
    pub secret: Secret,
    /// Where reports are.
    pub reports: Store,
    /// Where notes are (`<id>/<period>.toml`).
    pub notes: Store,
    /// The data source (for regenerating and for finding accounts).
    pub source: SourceChoice,
    /// The regenerate pool.
    pub jobs: Jobs,
    /// The report time zone.
    pub zone: chrono_tz::Tz,
    /// Where sent messages go: SES when `[console.send] from` is set, the outbox in
    /// development, else nowhere (sending is off).
    pub mailer: Option<send::Mailer>,
    /// The console's own address in development, for report links when no `public_url` is set.
    pub dev_url: Option<String>,
    /// The names requests may use.
    pub hosts: Hosts,
    /// Manifests and `metrics.json` as read, by path and version.
    pub cache: Cache,
    /// Messages sent in the last hour, by user and by account.
    pub send_limits: SendLimits,
    /// Page images drawn at once (each takes a core): more wait their turn.
    pub previews: tokio::sync::Semaphore,
    /// The credentials S3 links are signed with (to know when they expire).
    pub credentials: Option<aws_sdk_s3::config::SharedCredentialsProvider>,
    /// Whether links are signed with `OPSREPORT_CONSOLE_SECRET` (else with a key drawn at start,
    /// which ends with the process).
    pub lasting_secret: bool,
}

/// Runs the console until it is stopped.
pub fn run(config: &Config, args: ServeArgs) -> Outcome {
    let settings = config.console.clone();
    if let Some((key, value, rule)) = settings.out_of_range() {
        return Err(Failure::bad_input(anyhow::anyhow!("{key} = {value:?} is out of range: expected {rule}")));
    }
    let listen = args.listen.as_deref().unwrap_or(&settings.listen);
    let address = SocketAddr::from_str(listen)
        .map_err(|_| Failure::bad_input(anyhow::anyhow!("--listen {listen:?} is not an address and port (127.0.0.1:8080)")))?;
    let identity = identity(&settings, config, args.dev_user.as_deref(), address)?;
    let source = SourceChoice::from_str(args.source.as_deref().unwrap_or(&settings.source))
        .map_err(|text| Failure::bad_input(anyhow::anyhow!(text)))?;
    let out = args.out.clone().unwrap_or_else(|| settings.reports.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot start the console's runtime: {error}")))?;
    let needs_aws = matches!(source, SourceChoice::Athena) || out.starts_with("s3://") || settings.send.from.is_some();
    let shared = needs_aws.then(|| crate::aws::sdk_config(&runtime, config));
    let s3 = shared.as_ref().map(|shared| crate::aws::s3_client(shared, config));
    let reports = store_at(&out, s3.as_ref())?;
    let notes = notes_store(&source, config, s3.as_ref())?;
    let zone = crate::settings::time_zone(None, config)?;
    let dev = matches!(identity, Identity::Dev(_));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(address))
        .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("cannot listen on {address}: {error}")))?;
    let bound = listener.local_addr().map_err(|error| Failure::source_or_sink(anyhow::anyhow!("{error}")))?;
    let console = Arc::new(Console {
        access: Access::new(&settings.users, &settings.groups, dev),
        customers: config.customers.clone(),
        secret: Secret::from_env().map_err(|text| Failure::bad_input(anyhow::anyhow!(text)))?,
        lasting_secret: std::env::var_os(secret::SECRET_VARIABLE).is_some(),
        jobs: Jobs::start(config, source.clone(), out.clone(), &settings),
        mailer: mailer(&settings, shared.as_ref(), dev),
        dev_url: dev.then(|| format!("http://{bound}")),
        hosts: if dev { Hosts::loopback(bound.port()) } else { Hosts::public(&settings.public_hosts) },
        cache: Cache::default(),
        credentials: shared.as_ref().and_then(aws_config::SdkConfig::credentials_provider),
        send_limits: SendLimits::default(),
        previews: tokio::sync::Semaphore::new(limits::PREVIEWS_AT_ONCE),
        settings,
        identity,
        reports,
        notes,
        source,
        zone,
    });
    runtime.block_on(serve(console, listener, bound))
}

/// SES when a sender is set; the outbox for a development console without one.
fn mailer(settings: &ConsoleSettings, shared: Option<&aws_config::SdkConfig>, dev: bool) -> Option<send::Mailer> {
    match (&settings.send.from, shared) {
        (Some(_), Some(shared)) => {
            Some(send::Mailer::Ses(crate::aws::ses_client(shared), settings.send.configuration_set.clone()))
        }
        _ if dev => Some(send::Mailer::Outbox),
        _ => None,
    }
}

/// The dev user (loopback only) or the load balancer's verifier.
fn identity(
    settings: &ConsoleSettings,
    config: &Config,
    dev_user: Option<&str>,
    address: SocketAddr,
) -> Result<Identity, Failure> {
    if let Some(email) = dev_user {
        if !address.ip().is_loopback() {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "--dev-user signs everyone in as {email}: it listens on a loopback address only (127.0.0.1 or ::1), not {address}"
            )));
        }
        if !notes_form::is_email(email) {
            return Err(Failure::bad_input(anyhow::anyhow!("--dev-user {email:?} is not an e-mail address")));
        }
        return Ok(Identity::Dev(User { email: email.to_lowercase(), groups: Vec::new() }));
    }
    let (signer, region) = load_balancer(settings, config)?;
    if settings.public_hosts.is_empty() {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "set [console] public_hosts (OPSREPORT_CONSOLE_PUBLIC_HOSTS) to the names users reach the console by: requests for any other name are refused"
        )));
    }
    Ok(Identity::Alb(AlbVerifier::new(&settings.key_url, &region, signer, &settings.groups_claim)))
}

/// The load balancer whose tokens are taken, and its region: both must be configured (a token
/// of any other load balancer, or signed with a key of another region, is no sign-in).
fn load_balancer(settings: &ConsoleSettings, config: &Config) -> Result<(String, String), Failure> {
    let refuse = |text: String| Err(Failure::bad_input(anyhow::anyhow!("{text} (or pass --dev-user for local use)")));
    let Some(arn) = settings.alb_arn.clone().filter(|arn| !arn.trim().is_empty()) else {
        return refuse(
            "set [console] alb_arn (OPSREPORT_CONSOLE_ALB_ARN): the console takes the tokens of that load balancer only".into(),
        );
    };
    let region = settings.region.clone().or_else(|| config.athena.region.clone()).or_else(|| std::env::var("AWS_REGION").ok());
    let Some(region) = region.filter(|region| !region.trim().is_empty()) else {
        return refuse("set [console] region (or AWS_REGION): the load balancer's keys are fetched from its region".into());
    };
    let arn_region = arn.strip_prefix("arn:").and_then(|rest| rest.split(':').nth(2));
    if !arn.starts_with("arn:aws") || !arn.contains(":elasticloadbalancing:") || arn_region != Some(region.as_str()) {
        return refuse(format!("[console] alb_arn {arn:?} is not the ARN of a load balancer in region {region}"));
    }
    Ok((arn, region))
}

/// A store for a folder or an `s3://` location.
fn store_at(location: &str, s3: Option<&aws_sdk_s3::Client>) -> Result<Store, Failure> {
    match crate::s3::parse_location(location)? {
        Some(uri) => Ok(Store::S3(S3Objects::new(s3.expect("AWS is configured for an S3 location").clone(), uri))),
        None => Ok(Store::Folder(PathBuf::from(location))),
    }
}

/// Where the notes are: `<source>/notes/`, or `<[athena] data_location>/notes/`.
fn notes_store(source: &SourceChoice, config: &Config, s3: Option<&aws_sdk_s3::Client>) -> Result<Store, Failure> {
    match source {
        SourceChoice::Folder(root) => Ok(Store::Folder(root.join("notes"))),
        SourceChoice::Athena => {
            let location = config.athena.data_location.as_deref().and_then(S3Uri::parse).ok_or_else(|| {
                Failure::bad_input(anyhow::anyhow!(
                    "the console keeps notes in <[athena] data_location>/notes/: set data_location"
                ))
            })?;
            Ok(Store::S3(S3Objects::new(s3.expect("AWS is configured for Athena").clone(), location.join("notes"))))
        }
    }
}

async fn serve(console: Arc<Console>, listener: tokio::net::TcpListener, bound: SocketAddr) -> Result<u8, Failure> {
    let who = match &console.identity {
        Identity::Dev(user) => format!("as {} (development mode)", user.email),
        Identity::Alb(_) => "behind the load balancer".to_owned(),
    };
    tracing::info!("console listening on http://{bound} {who}");
    axum::serve(listener, router(console))
        .await
        .map_err(|error| Failure::source_or_sink(anyhow::anyhow!("the console stopped: {error}")))?;
    Ok(0)
}

/// Every route of the console.
pub fn router(console: Arc<Console>) -> Router {
    let notes_limit = DefaultBodyLimit::max(limits::NOTES_FORM_MAX_BYTES);
    let send_limit = DefaultBodyLimit::max(limits::SEND_FORM_MAX_BYTES);
    Router::new()
        .route("/health", get(pages::health))
        .route("/static/console.css", get(pages::stylesheet))
        .route("/", get(accounts_page::accounts))
        .route("/accounts/{account}", get(accounts_page::account))
        .route("/accounts/{account}/regenerate", post(regenerate::regenerate))
        .route("/accounts/{account}/notes", get(notes_page::notes_for))
        .route("/accounts/{account}/notes/{label}", get(notes_page::notes).post(notes_page::save_notes).layer(notes_limit))
        .route("/accounts/{account}/reports/{kind}/{period}", get(pages::report))
        .route("/accounts/{account}/reports/{kind}/{period}/files/{*file}", get(pages::file))
        .route("/accounts/{account}/reports/{kind}/{period}/pages/{page}", get(pages::page_image))
        .route(
            "/accounts/{account}/reports/{kind}/{period}/send",
            get(send_page::send_form).post(send_page::send).layer(send_limit),
        )
        .route("/customers/{customer}", get(accounts_page::customer))
        .route("/customers/{customer}/reports/{kind}/{period}", get(pages::report))
        .route("/customers/{customer}/reports/{kind}/{period}/files/{*file}", get(pages::file))
        .route("/customers/{customer}/reports/{kind}/{period}/pages/{page}", get(pages::page_image))
        .route(
            "/customers/{customer}/reports/{kind}/{period}/send",
            get(send_page::send_form).post(send_page::send).layer(send_limit),
        )
        .route("/jobs/{job}", get(regenerate::job))
        .route("/shared/customers/{customer}/{kind}/{period}/{file}", get(pages::shared_customer))
        .route("/shared/{account}/{kind}/{period}/{file}", get(pages::shared))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(limits::FORM_MAX_BYTES))
        .layer(axum::middleware::from_fn_with_state(console.clone(), hosts::check))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(console)
}

/// The policy every response carries: nothing but this origin's styles, images and frames (the
/// PDF preview), no scripts, forms posted here only, framed by no other site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; \
     object-src 'none'; script-src 'none'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // A response with its own policy (a PDF, for the browser's viewer) keeps it.
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}
