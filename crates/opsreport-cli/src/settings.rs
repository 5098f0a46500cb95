//! Reading `opsreport.toml` and resolving the period flags shared by subcommands.

use std::path::Path;

use chrono::Utc;
use chrono_tz::Tz;
use opsreport_model::period::parse_time_zone;
use opsreport_model::{Config, ReportPeriod, YearMonth};

use crate::failure::Failure;

/// The default configuration file, used when it exists.
pub const DEFAULT_CONFIG_FILE: &str = "opsreport.toml";

/// The configuration: `--config FILE` (must exist), else `./opsreport.toml` if present, else
/// the built-in defaults.
pub fn load_config(path: Option<&Path>) -> Result<Config, Failure> {
    let (path, required) = match path {
        Some(path) => (path.to_owned(), true),
        None => (Path::new(DEFAULT_CONFIG_FILE).to_owned(), false),
    };
    if !required && !path.exists() {
        return Ok(Config::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|error| {
        Failure::bad_input(anyhow::anyhow!(
            "cannot read config file {}: {error}; pass --config with a readable TOML file",
            path.display()
        ))
    })?;
    Config::from_toml(&text, &path.display().to_string()).map_err(Failure::bad_input)
}

/// `--timezone` or the configuration's time zone.
pub fn time_zone(flag: Option<&str>, config: &Config) -> Result<Tz, Failure> {
    match flag {
        Some(name) => parse_time_zone(name).map_err(Failure::bad_input),
        None => Ok(config.timezone.0),
    }
}

/// `--month YYYY-MM | previous` in a time zone (`previous`: the last full month before now).
pub fn period(month: &str, zone: Tz) -> Result<ReportPeriod, Failure> {
    if month == "previous" {
        return Ok(ReportPeriod::previous_full_month(Utc::now(), zone));
    }
    let month = YearMonth::parse(month).map_err(Failure::bad_input)?;
    Ok(ReportPeriod::new(month, zone))
}

/// `--generated-on YYYY-MM-DD`, default the day after the period.
pub fn generated_on(flag: Option<&str>, period: &ReportPeriod) -> Result<chrono::NaiveDate, Failure> {
    match flag {
        None => Ok(period.default_generated_on()),
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Failure::bad_input(anyhow::anyhow!("invalid --generated-on {text:?}: write the date as YYYY-MM-DD"))),
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
    let bytes = std::fs::read(path)
        .map_err(|error| Failure::bad_input(anyhow::anyhow!("cannot read branding.logo {}: {error}", path.display())))?;
    Ok(Some((extension, bytes)))
}
