//! Reading `opsreport.toml` and resolving the period flags shared by subcommands.

use std::collections::BTreeMap;
use std::path::Path;

use chrono_tz::Tz;
use opsreport_model::input;
use opsreport_model::period::{check_date, parse_time_zone};
use opsreport_model::sources::{DatasetSource, SourceFormat};
use opsreport_model::{Config, DatasetName, ReportPeriod};

use crate::failure::Failure;

/// The default configuration file, used when it exists.
pub const DEFAULT_CONFIG_FILE: &str = "opsreport.toml";

/// The configuration: `--config FILE` (must exist), else `./opsreport.toml` if present, else
/// the built-in defaults.
pub fn load_config(path: Option<&Path>) -> Result<Config, Failure> {
    let mut config = load_config_file(path)?;
    apply_environment(&mut config, |name| std::env::var(name).ok())?;
    Ok(config)
}

/// The settings a scheduler passes as environment variables, over the file's values:
/// `OPSREPORT_ATHENA_{DATABASE,WORKGROUP,CATALOG,OUTPUT_LOCATION,DATA_LOCATION,CONCURRENCY}` and
/// `OPSREPORT_S3_FORCE_PATH_STYLE`. A malformed value is an error naming the variable.
pub fn apply_environment(config: &mut Config, lookup: impl Fn(&str) -> Option<String>) -> Result<(), Failure> {
    let invalid = |name: &str, value: &str, rule: &str| {
        Failure::bad_input(anyhow::anyhow!("environment variable {name}={value:?}: {rule}"))
    };
    if let Some(value) = lookup("OPSREPORT_ATHENA_DATABASE") {
        config.athena.database = value;
    }
    if let Some(value) = lookup("OPSREPORT_ATHENA_WORKGROUP") {
        config.athena.workgroup = value;
    }
    if let Some(value) = lookup("OPSREPORT_ATHENA_CATALOG") {
        config.athena.catalog = value;
    }
    if let Some(value) = lookup("OPSREPORT_ATHENA_OUTPUT_LOCATION") {
        if !value.starts_with("s3://") {
            return Err(invalid("OPSREPORT_ATHENA_OUTPUT_LOCATION", &value, "expected an s3:// URI"));
        }
        config.athena.output_location = Some(value);
    }
    if let Some(value) = lookup("OPSREPORT_ATHENA_DATA_LOCATION") {
        if !value.starts_with("s3://") {
            return Err(invalid("OPSREPORT_ATHENA_DATA_LOCATION", &value, "expected an s3:// URI"));
        }
        config.athena.data_location = Some(value);
    }
    if let Some(value) = lookup("OPSREPORT_ATHENA_CONCURRENCY") {
        config.athena.concurrency = value
            .trim()
            .parse()
            .ok()
            .filter(|concurrency: &u32| *concurrency >= 1)
            .ok_or_else(|| invalid("OPSREPORT_ATHENA_CONCURRENCY", &value, "expected a whole number of 1 or more"))?;
    }
    if let Some(value) = lookup("OPSREPORT_ATHENA_BATCH_ACCOUNTS") {
        config.athena.batch_accounts = value
            .trim()
            .parse()
            .ok()
            .filter(|batch: &u32| *batch >= 1)
            .ok_or_else(|| invalid("OPSREPORT_ATHENA_BATCH_ACCOUNTS", &value, "expected a whole number of 1 or more"))?;
    }
    apply_console_environment(config, &lookup)?;
    if let Some(value) = lookup("OPSREPORT_S3_FORCE_PATH_STYLE") {
        config.s3.force_path_style = match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" | "" => false,
            _ => return Err(invalid("OPSREPORT_S3_FORCE_PATH_STYLE", &value, "expected true or false")),
        };
    }
    Ok(())
}

/// The console's settings a deployment passes as variables: `OPSREPORT_CONSOLE_USERS` and
/// `OPSREPORT_CONSOLE_GROUPS` (JSON objects of e-mail address or group to account ids, `*` for
/// all), `OPSREPORT_CONSOLE_ALB_ARN`, `OPSREPORT_CONSOLE_SEND_FROM`, `OPSREPORT_CONSOLE_REGION`
/// and `OPSREPORT_CONSOLE_PUBLIC_HOSTS` (names separated by commas).
fn apply_console_environment(config: &mut Config, lookup: &impl Fn(&str) -> Option<String>) -> Result<(), Failure> {
    let map = |name: &str, value: &str| {
        serde_json::from_str::<BTreeMap<String, Vec<String>>>(value).map_err(|error| {
            Failure::bad_input(anyhow::anyhow!(
                "environment variable {name}: {error}; expected a JSON object such as {{\"dana@example.com\": [\"123456789012\"]}}"
            ))
        })
    };
    if let Some(value) = lookup("OPSREPORT_CONSOLE_USERS") {
        config.console.users = map("OPSREPORT_CONSOLE_USERS", &value)?;
    }
    if let Some(value) = lookup("OPSREPORT_CONSOLE_GROUPS") {
        config.console.groups = map("OPSREPORT_CONSOLE_GROUPS", &value)?;
    }
    if let Some(value) = lookup("OPSREPORT_CONSOLE_ALB_ARN").filter(|value| !value.is_empty()) {
        config.console.alb_arn = Some(value);
    }
    if let Some(value) = lookup("OPSREPORT_CONSOLE_SEND_FROM").filter(|value| !value.is_empty()) {
        config.console.send.from = Some(value);
    }
    if let Some(value) = lookup("OPSREPORT_CONSOLE_REGION").filter(|value| !value.is_empty()) {
        config.console.region = Some(value);
    }
    if let Some(value) = lookup("OPSREPORT_CONSOLE_PUBLIC_HOSTS") {
        config.console.public_hosts =
            value.split(',').map(str::trim).filter(|host| !host.is_empty()).map(str::to_owned).collect();
    }
    Ok(())
}

/// The configuration file alone.
fn load_config_file(path: Option<&Path>) -> Result<Config, Failure> {
    let (path, required) = match path {
        Some(path) => (path.to_owned(), true),
        None => (Path::new(DEFAULT_CONFIG_FILE).to_owned(), false),
    };
    if !required && !path.exists() {
        return Ok(Config::default());
    }
    let text = input::read_text(&path, "config file", input::CONFIG_MAX_BYTES)
        .map_err(|error| Failure::bad_input(anyhow::anyhow!("{error}; pass --config with a readable TOML file")))?;
    let mut config = Config::from_toml(&text, &path.display().to_string()).map_err(Failure::bad_input)?;
    resolve_locations(&mut config, path.parent().unwrap_or(Path::new("")));
    Ok(config)
}

/// Relative local `location`s of `[datasets.*]` are relative to the configuration file's folder,
/// so a configuration and the exports beside it work from any working directory.
fn resolve_locations(config: &mut Config, folder: &Path) {
    for source in config.datasets.values_mut() {
        if let Some(location) = &source.location
            && !location.starts_with("s3://")
            && Path::new(location).is_relative()
        {
            source.location = Some(folder.join(location).to_string_lossy().into_owned());
        }
    }
}

/// The datasets read from their own source (`[datasets.*]`; a `contract` entry without a
/// `location` is the default and changes nothing).
pub fn configured_datasets(config: &Config) -> BTreeMap<DatasetName, DatasetSource> {
    config
        .datasets
        .iter()
        .filter(|(_, source)| source.format != SourceFormat::Contract || source.location.is_some())
        .filter_map(|(name, source)| DatasetName::from_name(name).map(|dataset| (dataset, source.clone())))
        .collect()
}

/// `--timezone` or the configuration's time zone.
pub fn time_zone(flag: Option<&str>, config: &Config) -> Result<Tz, Failure> {
    match flag {
        Some(name) => parse_time_zone(name).map_err(Failure::bad_input),
        None => Ok(config.timezone.0),
    }
}

/// `--generated-on YYYY-MM-DD`, default the day after the period.
pub fn generated_on(flag: Option<&str>, period: &ReportPeriod) -> Result<chrono::NaiveDate, Failure> {
    match flag {
        None => Ok(period.default_generated_on()),
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Failure::bad_input(anyhow::anyhow!("invalid --generated-on {text:?}: write the date as YYYY-MM-DD")))
            .and_then(|date| check_date(date, "--generated-on").map_err(Failure::bad_input)),
    }
}

/// The branding logo, read from `[branding] logo` (relative paths: to the working directory).
pub fn logo(config: &Config) -> Result<Option<(String, Vec<u8>)>, Failure> {
    let Some(path) = &config.branding.logo else {
        return Ok(None);
    };
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if !matches!(extension.as_str(), "svg" | "png" | "jpg" | "jpeg") {
        return Err(Failure::bad_input(anyhow::anyhow!("branding.logo {}: use an SVG, PNG or JPEG file", path.display())));
    }
    let bytes = input::read_file(path, "branding.logo", input::LOGO_MAX_BYTES)
        .map_err(|error| Failure::bad_input(anyhow::anyhow!("{error}")))?;
    Ok(Some((extension, bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    }

    #[test]
    fn scheduler_variables_override_the_file() {
        let mut config = Config::default();
        apply_environment(
            &mut config,
            environment(&[
                ("OPSREPORT_ATHENA_DATABASE", "ops"),
                ("OPSREPORT_ATHENA_WORKGROUP", "reports"),
                ("OPSREPORT_ATHENA_CATALOG", "Other"),
                ("OPSREPORT_ATHENA_OUTPUT_LOCATION", "s3://results/opsreport/"),
                ("OPSREPORT_ATHENA_DATA_LOCATION", "s3://data/ops"),
                ("OPSREPORT_ATHENA_CONCURRENCY", "3"),
                ("OPSREPORT_S3_FORCE_PATH_STYLE", "true"),
                ("OPSREPORT_CONSOLE_USERS", r#"{"dana@example.com": ["123456789012"]}"#),
                ("OPSREPORT_CONSOLE_GROUPS", r#"{"ops": ["*"]}"#),
                ("OPSREPORT_CONSOLE_ALB_ARN", "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/c/1"),
                ("OPSREPORT_CONSOLE_SEND_FROM", "csdm@example.com"),
            ]),
        )
        .unwrap();
        assert_eq!(config.console.users["dana@example.com"], ["123456789012"]);
        assert_eq!(config.console.groups["ops"], ["*"]);
        assert!(config.console.alb_arn.as_deref().is_some_and(|arn| arn.ends_with("app/c/1")));
        assert_eq!(config.console.send.from.as_deref(), Some("csdm@example.com"));
        assert_eq!(config.athena.database, "ops");
        assert_eq!(config.athena.workgroup, "reports");
        assert_eq!(config.athena.catalog, "Other");
        assert_eq!(config.athena.output_location.as_deref(), Some("s3://results/opsreport/"));
        assert_eq!(config.athena.data_location.as_deref(), Some("s3://data/ops"));
        assert_eq!(config.athena.concurrency, 3);
        assert!(config.s3.force_path_style);
    }

    #[test]
    fn malformed_variables_are_named() {
        for (pairs, name) in [
            (&[("OPSREPORT_ATHENA_CONCURRENCY", "0")][..], "OPSREPORT_ATHENA_CONCURRENCY"),
            (&[("OPSREPORT_ATHENA_OUTPUT_LOCATION", "/tmp/x")][..], "OPSREPORT_ATHENA_OUTPUT_LOCATION"),
            (&[("OPSREPORT_S3_FORCE_PATH_STYLE", "maybe")][..], "OPSREPORT_S3_FORCE_PATH_STYLE"),
            (&[("OPSREPORT_CONSOLE_USERS", "dana=1")][..], "OPSREPORT_CONSOLE_USERS"),
        ] {
            let pairs: &'static [(&'static str, &'static str)] = pairs;
            let error = apply_environment(&mut Config::default(), environment(pairs)).unwrap_err();
            assert_eq!(error.code, 2);
            assert!(error.error.to_string().contains(name), "{}", error.error);
        }
    }
}
