//! The synthetic account: a persistent world (stacks, instances, storage, engagements) and the
//! monthly events it produces, written in the contract's Hive layout.

use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::{AccountId, DatasetName, YearMonth};

use opsreport_model::memory::PROFILE_FILE;

use crate::notes::{meeting_notes, notes_toml, profile_toml};
use crate::rng::Rng;
use crate::table::{Table, write_parquet, write_text};
use crate::{FixtureError, FixtureOptions};

/// What `generate` wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct FixtureSummary {
    /// The accounts, in generation order.
    pub accounts: Vec<AccountId>,
    /// The months, oldest first.
    pub months: Vec<YearMonth>,
    /// Parquet and notes files written.
    pub files: usize,
    /// Rows written over all datasets.
    pub rows: u64,
}

/// The account id of the `index`-th generated account: even indexes get a leading zero, so the
/// "12 digits, leading zeros kept" rule is always exercised.
pub fn account_id(seed: u64, index: u32) -> AccountId {
    let mut rng = Rng::for_stream(seed, &["account-id", &index.to_string()]);
    let digits = if index.is_multiple_of(2) {
        10_000_000_000 + rng.next_u64() % 89_999_999_999
    } else {
        100_000_000_000 + rng.next_u64() % 899_999_999_999
    };
    AccountId::parse(&format!("{digits:012}")).expect("12 digits")
}

/// Writes the whole synthetic dataset under `out`.
pub fn generate(out: &Path, options: &FixtureOptions) -> Result<FixtureSummary, FixtureError> {
    if !(1..=100_000).contains(&options.accounts) {
        return Err(FixtureError::Options(format!("--accounts {} must be 1 to 100000", options.accounts)));
    }
    if !(1..=120).contains(&options.months) {
        return Err(FixtureError::Options(format!("--months {} must be 1 to 120", options.months)));
    }
    if !(options.scale > 0.0 && options.scale <= 1000.0) {
        return Err(FixtureError::Options(format!("--scale {} must be greater than 0 and at most 1000", options.scale)));
    }
    let months = options.last_month.plus_months(-(options.months as i32 - 1)).through(options.last_month);
    let mut summary = FixtureSummary { accounts: Vec::new(), months: months.clone(), files: 0, rows: 0 };
    for index in 0..options.accounts {
        let account = account_id(options.seed, index);
        let world = World::new(options, index, &account, &months);
        world.write(out, &mut summary)?;
        summary.accounts.push(account);
    }
    Ok(summary)
}

fn month_start(month: YearMonth) -> DateTime<Utc> {
    Utc.from_utc_datetime(&month.first_day().and_hms_opt(0, 0, 0).expect("midnight"))
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(hour, minute, 0).expect("valid time"))
}

fn minutes(value: f64) -> Duration {
    Duration::seconds((value * 60.0).round() as i64)
}

/// Days a snapshot dataset is taken in a month: weekly plus the month's last day.
fn snapshot_days(month: YearMonth) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> =
        [1, 8, 15, 22].iter().map(|day| NaiveDate::from_ymd_opt(month.year(), month.month(), *day).expect("day")).collect();
    days.push(month.last_day());
    days
}

fn hex(rng: &mut Rng, digits: usize) -> String {
    (0..digits).map(|_| char::from_digit((rng.next_u64() % 16) as u32, 16).expect("hex digit")).collect()
}

/// A stack of the account.
struct Stack {
    id: String,
    name: String,
    category: &'static str,
    environment: &'static str,
    stack_type: &'static str,
    created: DateTime<Utc>,
    deleted: Option<DateTime<Utc>>,
    /// A failed state from this instant on (a stack stuck after a bad update).
    failed_since: Option<(DateTime<Utc>, &'static str)>,
}

impl Stack {
    fn exists_at(&self, instant: DateTime<Utc>) -> bool {
        self.created <= instant && self.deleted.is_none_or(|deleted| instant < deleted)
    }
}

/// An EC2 instance of a stack.
struct Instance {
    id: String,
    name: String,
    stack: usize,
    platform: &'static str,
    patch_group: &'static str,
    base_patches: i64,
    volume_gib: i64,
    volume_fill: f64,
}

/// A resource a backup plan protects: its id, type, stack and size in GiB.
type BackupResource = (String, &'static str, Option<String>, i64);

/// An Operations on Demand engagement.
struct Engagement {
    id: String,
    offering: &'static str,
    blocks: i64,
    basis: &'static str,
    approved: NaiveDate,
    start_override: Option<NaiveDate>,
    ended: Option<NaiveDate>,
    /// Mean hours a month (monthly) or in all (one-time).
    hours: f64,
}

struct World<'a> {
    options: &'a FixtureOptions,
    index: u32,
    account: &'a AccountId,
    months: &'a [YearMonth],
    scale: f64,
    stacks: Vec<Stack>,
    instances: Vec<Instance>,
    hot_stack: usize,
    engagements: Vec<Engagement>,
}

const CATEGORIES: &[(&str, f64)] =
    &[("EC2", 0.38), ("RDS", 0.12), ("ELB", 0.1), ("ASG", 0.12), ("EKS", 0.05), ("S3", 0.16), ("Other", 0.07)];
const INCIDENT_CATEGORIES: &[&str] = &["Availability", "Performance", "Security", "Backup", "Patching", "Networking", "Access"];
const ROOT_CAUSES: &[&str] = &[
    "Expired TLS certificate on the load balancer",
    "Database storage exhausted by unrotated logs",
    "Security group change outside change management",
    "Auto Scaling group launch template referenced a deleted AMI",
    "Upstream AWS service event in the region",
    "Memory leak in the application after a release",
];

/// The account's stacks over `months` (some created, deleted or failed on the way), and the one
/// EC2 production stack the incidents concentrate on.
fn stacks(rng: &mut Rng, months: &[YearMonth], scale: f64) -> (Vec<Stack>, usize) {
    let first = month_start(months[0]);
    let horizon = month_start(months[months.len() - 1].next());
    let span_seconds = (horizon - first).num_seconds();
    let initial = ((300.0 * scale).round() as usize).max(12);
    let mut stacks = Vec::new();
    let environments = [("PROD", 0.4), ("NONPROD", 0.6)];
    let types = [("Customer stack", 0.7), ("AMS stack", 0.3)];
    let stack_count = initial + (initial as f64 * 0.03 * months.len() as f64).round() as usize;
    for number in 0..stack_count {
        let category = *rng.weighted(CATEGORIES);
        let created = if number < initial {
            first - Duration::days(rng.range(20, 720))
        } else {
            first + Duration::seconds(rng.range(0, span_seconds - 1))
        };
        let deleted =
            if rng.chance(0.08) { Some(created.max(first) + Duration::seconds(rng.range(86_400, span_seconds))) } else { None };
        let failed_since = if rng.chance(0.02) {
            Some((
                first + Duration::seconds(rng.range(0, span_seconds - 1)),
                *rng.pick(&["UPDATE_ROLLBACK_FAILED", "UPDATE_IN_PROGRESS", "ROLLBACK_COMPLETE"]),
            ))
        } else {
            None
        };
        let suffix = hex(rng, 8);
        stacks.push(Stack {
            id: format!("stack-{suffix}{number:04x}"),
            name: format!("{}-{}-{:03}", category.to_lowercase(), if rng.chance(0.5) { "app" } else { "svc" }, number),
            category,
            environment: rng.pick_weighted(&environments),
            stack_type: rng.pick_weighted(&types),
            created,
            deleted: deleted.filter(|deleted| *deleted < horizon),
            failed_since,
        });
    }
    let hot_stack =
        stacks.iter().position(|stack| stack.category == "EC2" && stack.deleted.is_none() && stack.created < first).unwrap_or(0);
    stacks[hot_stack].environment = "PROD";
    stacks[hot_stack].failed_since = None;
    (stacks, hot_stack)
}

/// The instances of the EC2, ASG and EKS stacks, a few volumes close to full.
fn instances(rng: &mut Rng, stacks: &[Stack]) -> Vec<Instance> {
    let mut instances = Vec::new();
    for (stack_index, stack) in stacks.iter().enumerate() {
        let count = match stack.category {
            "EC2" => rng.range(1, 2),
            "ASG" => rng.range(2, 3),
            "EKS" => rng.range(2, 3),
            _ => 0,
        };
        for number in 0..count {
            let platform = if rng.chance(0.7) { "Linux" } else { "Windows" };
            instances.push(Instance {
                id: format!("i-0{}", hex(rng, 16)),
                name: format!("{}-{number}", stack.name),
                stack: stack_index,
                platform,
                patch_group: rng.pick_weighted(&[("DEFAULT", 0.7), ("CUSTOMER", 0.25), ("NOT_ASSIGNED", 0.05)]),
                base_patches: rng.range(40, 400),
                volume_gib: *rng.pick(&[50, 100, 200, 500, 1000]),
                volume_fill: 0.25 + rng.unit() * 0.55,
            });
        }
    }
    // A few volumes run close to full so the near-capacity table has rows.
    let near_full = (instances.len() / 25).max(2).min(instances.len());
    for instance in instances.iter_mut().take(near_full) {
        instance.volume_fill = 0.84 + rng.unit() * 0.1;
    }
    instances
}

/// The account's four Operations on Demand engagements, dated from `months`.
fn engagements(account: &AccountId, months: &[YearMonth], scale: f64) -> Vec<Engagement> {
    let day = |month: YearMonth, day: u32| NaiveDate::from_ymd_opt(month.year(), month.month(), day).expect("day");
    let m = |offset: usize| months[offset.min(months.len() - 1)];
    vec![
        Engagement {
            id: format!("ood-{}-eks", &account.as_str()[8..]),
            offering: "Amazon EKS maintenance",
            blocks: 2,
            basis: "monthly",
            approved: day(months[0].previous(), 20),
            start_override: None,
            ended: None,
            hours: 36.0 * scale.clamp(0.5, 2.0),
        },
        Engagement {
            id: format!("ood-{}-ct", &account.as_str()[8..]),
            offering: "AWS Control Tower operations",
            blocks: 3,
            basis: "monthly",
            approved: day(months[0], 21),
            start_override: None,
            ended: None,
            hours: 24.0,
        },
        Engagement {
            id: format!("ood-{}-sap", &account.as_str()[8..]),
            offering: "SAP cluster management",
            blocks: 2,
            basis: "one_time",
            approved: day(m(months.len().saturating_sub(4)), 12),
            start_override: Some(m(months.len().saturating_sub(3)).first_day()),
            ended: None,
            hours: 34.0,
        },
        Engagement {
            id: format!("ood-{}-mig", &account.as_str()[8..]),
            offering: "Database migration support",
            blocks: 1,
            basis: "monthly",
            approved: day(months[0].plus_months(-3), 5),
            start_override: None,
            ended: Some(m(1).last_day()),
            hours: 15.0,
        },
    ]
}

impl<'a> World<'a> {
    fn new(options: &'a FixtureOptions, index: u32, account: &'a AccountId, months: &'a [YearMonth]) -> Self {
        let scale = options.scale;
        let mut rng = Rng::for_stream(options.seed, &[account.as_str(), "world"]);
        let (stacks, hot_stack) = stacks(&mut rng, months, scale);
        let instances = instances(&mut rng, &stacks);
        let engagements = engagements(account, months, scale);
        Self { options, index, account, months, scale, stacks, instances, hot_stack, engagements }
    }

    fn rng(&self, parts: &[&str]) -> Rng {
        let mut all = vec![self.account.as_str()];
        all.extend_from_slice(parts);
        Rng::for_stream(self.options.seed, &all)
    }

    fn partition(&self, out: &Path, dataset: DatasetName, month: Option<YearMonth>) -> std::path::PathBuf {
        let folder = out.join(dataset.as_str()).join(format!("{ACCOUNT_COLUMN}={}", self.account));
        match month {
            Some(month) => folder.join(format!("month={month}")).join("part-00000.parquet"),
            None => folder.join("part-00000.parquet"),
        }
    }

    fn write_table(
        &self,
        out: &Path,
        month: Option<YearMonth>,
        table: Table,
        summary: &mut FixtureSummary,
    ) -> Result<(), FixtureError> {
        if table.is_empty() {
            return Ok(());
        }
        let dataset = table.dataset();
        let path = self.partition(out, dataset, month);
        let mut frame = table.into_frame().map_err(|source| FixtureError::Polars { path: path.clone(), source })?;
        summary.rows += frame.height() as u64;
        summary.files += 1;
        write_parquet(&path, &mut frame)
    }

    fn write(&self, out: &Path, summary: &mut FixtureSummary) -> Result<(), FixtureError> {
        for (offset, month) in self.months.iter().enumerate() {
            let month = *month;
            let tables = [
                self.incidents(month, offset),
                self.service_requests(month, offset),
                self.rfcs(month, offset),
                self.alerts(month, offset),
                self.availability(month, offset),
                self.backup_jobs(month, offset),
                self.restore_jobs(month),
                self.billing(month, offset),
                self.ood_hours(month),
                self.stacks_snapshot(month),
                self.patch_details(month, offset),
                self.missing_patches(month, offset),
                self.storage(month, offset),
                self.trusted_advisor(month, offset),
            ];
            for table in tables {
                self.write_table(out, Some(month), table, summary)?;
            }
            let notes = notes_toml(self.options.seed, self.index, self.account, month, self.months.len() - 1 - offset);
            write_text(&out.join("notes").join(self.account.as_str()).join(format!("{month}.toml")), &notes)?;
            summary.files += 1;
        }
        write_text(&out.join("notes").join(self.account.as_str()).join(PROFILE_FILE), &profile_toml(self.index))?;
        summary.files += 1;
        // The meeting notes of the weekly and quarterly reviews the latest month's data closes.
        if let Some(latest) = self.months.last() {
            for (label, text) in meeting_notes(*latest) {
                write_text(&out.join("notes").join(self.account.as_str()).join(format!("{label}.toml")), &text)?;
                summary.files += 1;
            }
        }
        self.write_table(out, None, self.ood_engagements(), summary)
    }

    fn volume(&self, base: f64, floor: usize, rng: &mut Rng, offset: usize) -> usize {
        // A gentle seasonal wave so trends move, on top of the linear scale.
        let wave = 1.0 + 0.12 * ((offset as f64 + self.index as f64) * 1.3).sin();
        rng.count_around(base * self.scale * wave).max(floor)
    }

    fn random_instant(rng: &mut Rng, month: YearMonth) -> DateTime<Utc> {
        let start = month_start(month);
        let seconds = (month_start(month.next()) - start).num_seconds();
        start + Duration::seconds(rng.range(0, seconds - 1))
    }

    fn horizon(&self) -> DateTime<Utc> {
        month_start(self.months[self.months.len() - 1].next())
    }

    fn live_stacks(&self, instant: DateTime<Utc>) -> Vec<usize> {
        (0..self.stacks.len()).filter(|index| self.stacks[*index].exists_at(instant)).collect()
    }

    fn incidents(&self, month: YearMonth, offset: usize) -> Table {
        let mut rng = self.rng(&["incidents", &month.to_string()]);
        let mut table = Table::new(DatasetName::Incidents);
        let count = self.volume(60.0, 10, &mut rng, offset);
        let live = self.live_stacks(month_start(month));
        let horizon = self.horizon();
        let last_month = offset == self.months.len() - 1;
        let code = format!("{}{:02}", month.year(), month.month());
        let hot = &self.stacks[self.hot_stack];
        for sequence in 0..count + 4 {
            let recurring = sequence >= count;
            let priority = if recurring {
                if sequence % 2 == 0 { "Low" } else { "Medium" }
            } else {
                *rng.weighted(&[("Low", 0.68), ("Medium", 0.23), ("High", 0.09)])
            };
            let created = Self::random_instant(&mut rng, month);
            let (response_target, resolution_median) = match priority {
                "High" => (15.0, 150.0),
                "Medium" => (60.0, 420.0),
                _ => (240.0, 1500.0),
            };
            // The last month's P1s run slower, so MTTR rises against the 3-month mean.
            let slow = if last_month && priority == "High" { 1.8 } else { 1.0 };
            let acknowledged =
                if rng.chance(0.03) { None } else { Some(created + minutes(rng.log_normal(response_target * 0.35, 0.75))) };
            let wait = if rng.chance(0.25) { Some((rng.log_normal(240.0, 0.9) * 10.0).round() / 10.0) } else { None };
            let working = rng.log_normal(resolution_median * slow, 0.7);
            let elapsed = working + wait.unwrap_or(0.0);
            // Customer wait is sometimes recorded larger than the elapsed time (a data quirk the
            // resolution-time floor at 0 handles).
            let wait = if sequence == 1 { Some(elapsed + 600.0) } else { wait };
            let mut resolved = Some(created + minutes(elapsed));
            if rng.chance(0.03) || resolved.is_some_and(|resolved| resolved >= horizon) {
                resolved = None;
            }
            let status = match resolved {
                Some(_) => "Resolved",
                None => *rng.pick(&["Work-in-progress", "Pending-customer-action", "Opened"]),
            };
            let (stack, category, subject) = if recurring {
                (hot, "Availability", format!("Health check failing on {}", hot.name))
            } else {
                let stack = &self.stacks[*rng.pick(&live)];
                let category = *rng.pick(INCIDENT_CATEGORIES);
                (stack, category, format!("{category} issue on {}", stack.name))
            };
            let resource = self
                .instances
                .iter()
                .find(|instance| self.stacks[instance.stack].id == stack.id)
                .map(|instance| instance.id.clone());
            let (root_cause, rca_status) = if priority == "High" {
                (Some(*rng.pick(ROOT_CAUSES)), Some(*rng.weighted(&[("Completed", 0.6), ("Pending", 0.3), ("None", 0.1)])))
            } else {
                (None, None)
            };
            table
                .text("case_id", Some(format!("{code}{sequence:05}")))
                .text("priority", Some(priority))
                .text(
                    "severity",
                    Some(match priority {
                        "High" => "Critical",
                        "Medium" => "Major",
                        _ => "Minor",
                    }),
                )
                .text("status", Some(status))
                .text("yuma_category", Some(category))
                .text("subject", Some(subject))
                .timestamp("created_at", Some(created))
                .timestamp("acknowledged_at", acknowledged)
                .timestamp("resolved_at", resolved)
                .double("customer_wait_minutes", wait)
                .boolean("non_incident", Some(!recurring && rng.chance(0.04)))
                .boolean("best_effort", Some(!recurring && rng.chance(0.03)))
                .text("resource_id", resource)
                .text("stack_id", Some(stack.id.clone()))
                .text("root_cause", root_cause)
                .text("rca_status", rca_status);
        }
        table
    }

    fn service_requests(&self, month: YearMonth, offset: usize) -> Table {
        let mut rng = self.rng(&["service_requests", &month.to_string()]);
        let mut table = Table::new(DatasetName::ServiceRequests);
        let count = self.volume(90.0, 10, &mut rng, offset);
        let horizon = self.horizon();
        let code = format!("{}{:02}", month.year(), month.month());
        let categories = ["Access", "Configuration", "Information", "Patching", "Backup", "Monitoring"];
        for sequence in 0..count {
            let priority = *rng.weighted(&[("Low", 0.65), ("Medium", 0.28), ("High", 0.07)]);
            let created = Self::random_instant(&mut rng, month);
            let target = match priority {
                "High" => 60.0,
                "Medium" => 240.0,
                _ => 1440.0,
            };
            let first_response = if rng.chance(0.04) { None } else { Some(created + minutes(rng.log_normal(target * 0.3, 0.8))) };
            let wait = if rng.chance(0.2) { Some(rng.log_normal(180.0, 0.8).round()) } else { None };
            let mut resolved = Some(created + minutes(rng.log_normal(target * 1.5, 0.8) + wait.unwrap_or(0.0)));
            if resolved.is_some_and(|resolved| resolved >= horizon) {
                resolved = None;
            }
            let csat = if resolved.is_some() && rng.chance(0.55) {
                Some(*rng.weighted(&[(5, 0.55), (4, 0.3), (3, 0.1), (2, 0.03), (1, 0.02)]))
            } else {
                None
            };
            let category = *rng.pick(&categories);
            table
                .text("case_id", Some(format!("SR{code}{sequence:05}")))
                .text("priority", Some(priority))
                .text("category", Some(category))
                .text("status", Some(if resolved.is_some() { "Resolved" } else { "Work-in-progress" }))
                .text("subject", Some(format!("{category} request #{sequence}")))
                .timestamp("created_at", Some(created))
                .timestamp("first_response_at", first_response)
                .timestamp("resolved_at", resolved)
                .double("customer_wait_minutes", wait)
                .int("csat_score", csat);
        }
        table
    }

    fn rfcs(&self, month: YearMonth, offset: usize) -> Table {
        let mut rng = self.rng(&["rfcs", &month.to_string()]);
        let mut table = Table::new(DatasetName::Rfcs);
        let count = self.volume(140.0, 12, &mut rng, offset);
        let horizon = self.horizon();
        let change_types: &[(&str, &str, f64)] = &[
            ("ct-1e1xtak34nx76", "Create EC2 stack", 0.18),
            ("ct-2tylseo8rxfsc", "Update security group", 0.14),
            ("ct-3yq29tubhz6o5", "Create S3 bucket", 0.1),
            ("ct-0ikkz1ggzg1kt", "Patch instance (on demand)", 0.12),
            ("ct-1a68ck03fn98r", "Grant IAM access", 0.1),
            ("ct-2zxya20wmf5bf", "Update RDS instance", 0.08),
            ("ct-3cp96z7r065e2", "Create backup plan", 0.06),
            ("ct-0xdawir96cy7k", "Update Auto Scaling group", 0.08),
            ("ct-1gi93jkfg2b7z", "Restore from backup", 0.04),
            ("ct-36cn2avfrrj9v", "Other change (manual)", 0.1),
        ];
        let weighted: Vec<(usize, f64)> = change_types.iter().enumerate().map(|(index, entry)| (index, entry.2)).collect();
        let code = format!("{}{:02}", month.year(), month.month());
        let last_month = offset == self.months.len() - 1;
        for sequence in 0..count {
            let kind = &change_types[*rng.weighted(&weighted)];
            let created = Self::random_instant(&mut rng, month);
            let scheduled = rng.chance(0.6);
            let requested_start = if scheduled { Some(created + Duration::hours(rng.range(2, 96))) } else { None };
            let failure_rate = if last_month { 0.11 } else { 0.04 };
            let mut status = *rng.weighted(&[
                ("Success", 0.86 - failure_rate),
                ("Failure", failure_rate),
                ("Rejected", 0.03),
                ("Canceled", 0.04),
                ("PendingApproval", 0.03),
            ]);
            let start = if matches!(status, "Success" | "Failure") {
                let base = requested_start.unwrap_or(created + Duration::minutes(rng.range(5, 120)));
                let late = if rng.chance(0.12) { rng.range(16, 180) } else { rng.range(-5, 10) };
                Some(base + Duration::minutes(late))
            } else {
                None
            };
            let end = start.map(|start| start + minutes(rng.log_normal(25.0, 0.8)));
            let (start, end) = match end {
                Some(end) if end >= horizon => {
                    status = "Scheduled";
                    (None, None)
                }
                _ => (start, end),
            };
            let automated = !kind.1.contains("manual") && rng.chance(0.8);
            table
                .text("rfc_id", Some(format!("{code}-{sequence:05}-{}", hex(&mut rng, 6))))
                .text("title", Some(kind.1))
                .text("change_type_id", Some(kind.0))
                .text("change_type_version", Some(format!("{}.0", rng.range(1, 4))))
                .text("status", Some(status))
                .text("automation_status", Some(if automated { "Automated" } else { "Manual" }))
                .text("created_by", Some(*rng.pick(&["ams-automation", "customer-ops", "csdm", "cloud-architect"])))
                .timestamp("created_time", Some(created))
                .timestamp("requested_start_time", requested_start)
                .timestamp("requested_end_time", requested_start.map(|start| start + Duration::hours(2)))
                .timestamp("actual_start_time", start)
                .timestamp("actual_end_time", end);
        }
        if last_month {
            self.planned_rfcs(&mut table, month, change_types, &code, count);
        }
        table
    }

    /// Planned maintenance: a few changes created in the latest month and scheduled for the next
    /// (their own random stream, so the other rows stay as they were).
    fn planned_rfcs(&self, table: &mut Table, month: YearMonth, change_types: &[(&str, &str, f64)], code: &str, first: usize) {
        let mut rng = self.rng(&["rfcs-planned", &month.to_string()]);
        for sequence in first..first + rng.range(2, 5) as usize {
            let kind = rng.pick(change_types);
            let created = Self::random_instant(&mut rng, month);
            let start = Self::random_instant(&mut rng, month.next());
            table
                .text("rfc_id", Some(format!("{code}-{sequence:05}-{}", hex(&mut rng, 6))))
                .text("title", Some(kind.1))
                .text("change_type_id", Some(kind.0))
                .text("change_type_version", Some("1.0"))
                .text("status", Some("Scheduled"))
                .text("automation_status", Some(if kind.1.contains("manual") { "Manual" } else { "Automated" }))
                .text("created_by", Some("csdm"))
                .timestamp("created_time", Some(created))
                .timestamp("requested_start_time", Some(start))
                .timestamp("requested_end_time", Some(start + Duration::hours(2)))
                .timestamp("actual_start_time", None)
                .timestamp("actual_end_time", None);
        }
    }

    fn alerts(&self, month: YearMonth, offset: usize) -> Table {
        let mut rng = self.rng(&["alerts", &month.to_string()]);
        let mut table = Table::new(DatasetName::Alerts);
        let count = self.volume(20_000.0, 200, &mut rng, offset);
        let code = format!("{}{:02}", month.year(), month.month());
        let sources = [("CloudWatch", 0.6), ("Config", 0.15), ("GuardDuty", 0.1), ("Health", 0.1), ("Macie", 0.05)];
        let severities = [("Informational", 0.35), ("Low", 0.3), ("Medium", 0.2), ("High", 0.12), ("Critical", 0.03)];
        let outcomes = [("AutoRemediated", 0.38), ("Informational", 0.42), ("FalsePositive", 0.17), ("Open", 0.03)];
        let incident_count = self.volume(60.0, 10, &mut self.rng(&["incidents", &month.to_string()]), offset);
        let linked = (incident_count * 6 / 10).min(count);
        for sequence in 0..count {
            let created = Self::random_instant(&mut rng, month);
            let (outcome, incident) = if sequence < linked {
                ("IncidentCreated", Some(format!("{code}{sequence:05}")))
            } else {
                (*rng.weighted(&outcomes), None)
            };
            let closed = if outcome == "Open" { None } else { Some(created + minutes(rng.log_normal(12.0, 1.0))) };
            let resource = if self.instances.is_empty() {
                None
            } else {
                Some(self.instances[(rng.next_u64() % self.instances.len() as u64) as usize].id.clone())
            };
            table
                .text("alert_id", Some(format!("al-{code}-{sequence:07}")))
                .text("source", Some(*rng.weighted(&sources)))
                .text("severity", Some(*rng.weighted(&severities)))
                .text("resource_id", resource)
                .timestamp("created_at", Some(created))
                .timestamp("closed_at", closed)
                .text("outcome", Some(outcome))
                .text("incident_case_id", incident);
        }
        table
    }

    fn availability(&self, month: YearMonth, offset: usize) -> Table {
        let mut rng = self.rng(&["availability", &month.to_string()]);
        let mut table = Table::new(DatasetName::Availability);
        let start = month_start(month);
        let windows = (month_start(month.next()) - start).num_minutes() / 5;
        let last_month = offset == self.months.len() - 1;
        // The last month has a 45-minute console outage; an earlier one a 20-minute API brown-out.
        let console_outage = if last_month { Some(windows / 2..windows / 2 + 9) } else { None };
        let api_outage = if offset + 3 == self.months.len() { Some(windows / 3..windows / 3 + 4) } else { None };
        for (endpoint, outage) in [("console", console_outage), ("api", api_outage)] {
            for window in 0..windows {
                let failed = match &outage {
                    Some(range) if range.contains(&window) => {
                        if endpoint == "console" {
                            5
                        } else {
                            3
                        }
                    }
                    _ if rng.chance(0.0004) => 1,
                    _ => 0,
                };
                table
                    .text("endpoint", Some(endpoint))
                    .timestamp("window_start", Some(start + Duration::minutes(window * 5)))
                    .int("window_minutes", Some(5))
                    .int("checks_total", Some(5))
                    .int("checks_failed", Some(failed));
            }
        }
        table
    }

    /// What the backup plans protect: most instances, the RDS stacks, a table and a file
    /// system, with their stack and size (GiB).
    fn backup_resources(&self) -> Vec<BackupResource> {
        let mut resources: Vec<BackupResource> = Vec::new();
        for (number, instance) in self.instances.iter().enumerate() {
            if number % 10 < 7 {
                resources.push((instance.id.clone(), "EC2", Some(self.stacks[instance.stack].id.clone()), instance.volume_gib));
            }
        }
        for stack in self.stacks.iter().filter(|stack| stack.category == "RDS") {
            resources.push((
                format!("arn:aws:rds:us-east-1:{}:db:{}", self.account, stack.name),
                "RDS",
                Some(stack.id.clone()),
                200,
            ));
        }
        resources.push((format!("arn:aws:dynamodb:us-east-1:{}:table/orders", self.account), "DynamoDB", None, 20));
        resources.push((format!("fs-0{}", &self.account.as_str()[4..]), "EFS", None, 300));
        resources
    }

    fn backup_jobs(&self, month: YearMonth, offset: usize) -> Table {
        let mut rng = self.rng(&["backup_jobs", &month.to_string()]);
        let mut table = Table::new(DatasetName::BackupJobs);
        let last_month = offset == self.months.len() - 1;
        let resources = self.backup_resources();
        let failures = [
            "Backup job failed because the instance was stopped during the snapshot",
            "Access denied: the backup role cannot use the KMS key",
            "Snapshot quota exceeded in the region",
            "Resource was deleted before the backup window",
        ];
        let first_day = month.first_day();
        let days = month.last_day().day();
        let skipped_resource = if last_month { Some(resources.len() / 2) } else { None };
        for day in 0..days {
            let date = first_day + Duration::days(day as i64);
            // Every 12 hours, at a time and for a duration fixed per resource (as a backup plan
            // runs), so completed backups are exactly 12 h apart and a single failure leaves a
            // 24-hour gap: within the default RPO. Two missed nights are a breach.
            for (slot, (number, (resource, resource_type, stack, gib))) in
                [0u32, 12].into_iter().flat_map(|slot| resources.iter().enumerate().map(move |entry| (slot, entry)))
            {
                // One resource misses two nights in the last month: an RPO breach.
                if skipped_resource == Some(number) && (10..12).contains(&day) {
                    continue;
                }
                let created = at(date, 2 + slot, 0) + Duration::minutes((number as i64 * 7) % 90);
                let duration = Duration::minutes(4 + (number as i64 * 13) % 120);
                let status = *rng.weighted(&[
                    ("COMPLETED", 0.969),
                    ("FAILED", 0.015),
                    ("ABORTED", 0.005),
                    ("EXPIRED", 0.004),
                    ("PARTIAL", 0.004),
                    ("RUNNING", 0.003),
                ]);
                let completed = if status == "RUNNING" { None } else { Some(created + duration) };
                let size = if status == "COMPLETED" && *resource_type != "DynamoDB" {
                    Some(gib * 1_073_741_824 / rng.range(8, 20))
                } else {
                    Some(0)
                };
                let job_id = format!("{}-{}", hex(&mut rng, 8).to_uppercase(), hex(&mut rng, 4).to_uppercase());
                let message = if matches!(status, "FAILED" | "ABORTED" | "PARTIAL") { Some(*rng.pick(&failures)) } else { None };
                let report_next_day = at(date + Duration::days(1), 6, 0);
                // One job in ten shows first as RUNNING in the same day's report.
                if status != "RUNNING" && rng.chance(0.1) {
                    push_backup(
                        &mut table,
                        &job_id,
                        "RUNNING",
                        created + Duration::hours(1),
                        created,
                        None,
                        None,
                        resource,
                        resource_type,
                        stack,
                        None,
                    );
                }
                push_backup(
                    &mut table,
                    &job_id,
                    status,
                    report_next_day,
                    created,
                    completed,
                    size,
                    resource,
                    resource_type,
                    stack,
                    message,
                );
            }
        }
        table
    }

    fn restore_jobs(&self, month: YearMonth) -> Table {
        let mut rng = self.rng(&["restore_jobs", &month.to_string()]);
        let mut table = Table::new(DatasetName::RestoreJobs);
        for _ in 0..rng.range(2, 4) {
            let created = Self::random_instant(&mut rng, month);
            let status = *rng.weighted(&[("COMPLETED", 0.85), ("FAILED", 0.15)]);
            table
                .text("restore_job_id", Some(hex(&mut rng, 32).to_uppercase()))
                .text("job_status", Some(status))
                .text("resource_type", Some(*rng.pick(&["EC2", "EBS", "RDS"])))
                .timestamp("creation_date", Some(created))
                .timestamp("completion_date", Some(created + Duration::minutes(rng.range(10, 120))));
        }
        table
    }

    fn billing(&self, month: YearMonth, offset: usize) -> Table {
        let mut rng = self.rng(&["billing", &month.to_string()]);
        let mut table = Table::new(DatasetName::Billing);
        let last_month = offset == self.months.len() - 1;
        let products: &[(&str, f64)] = &[
            ("Amazon Elastic Compute Cloud", 12_000.0),
            ("Amazon Relational Database Service", 4_500.0),
            ("Amazon Elastic Block Store", 2_800.0),
            ("Amazon Elastic Kubernetes Service", 2_000.0),
            ("Amazon Simple Storage Service", 1_200.0),
            ("Elastic Load Balancing", 600.0),
            ("Amazon CloudWatch", 450.0),
            ("AWS Backup", 380.0),
            ("Amazon DynamoDB", 300.0),
            ("Amazon Virtual Private Cloud", 250.0),
            ("Amazon GuardDuty", 140.0),
            ("AWS Lambda", 120.0),
            ("AWS Config", 90.0),
            ("AWS Key Management Service", 60.0),
            ("Amazon Route 53", 40.0),
            ("AWS CloudTrail", 30.0),
        ];
        let payer = format!("{:012}", 999_000_000_000u64 + u64::from(self.index % 3));
        for (product, base) in products {
            let growth = 1.0 + 0.01 * offset as f64;
            let surge = match (*product, last_month) {
                ("Amazon Elastic Kubernetes Service", true) => 3.5,
                ("Amazon Elastic Compute Cloud", true) => 1.15,
                _ => 1.0,
            };
            let aws = round_cents(base * self.scale * growth * surge * (0.97 + rng.unit() * 0.06));
            let (ri, sp) = match *product {
                "Amazon Elastic Compute Cloud" => (Some(round_cents(aws * 0.3)), Some(round_cents(aws * 0.15))),
                "Amazon Relational Database Service" => (Some(round_cents(aws * 0.25)), None),
                _ => (None, None),
            };
            table
                .date("date", Some(month.first_day()))
                .text("payer_account_id", Some(payer.clone()))
                .text("linked_account_id", Some(self.account.to_string()))
                .text("product_name", Some(*product))
                .double("aws_charges", Some(aws))
                .double("ris_charges", ri)
                .double("sp_charges", sp)
                .double("ams_charges", Some(round_cents(aws * 0.11)));
        }
        table
    }

    fn ood_engagements(&self) -> Table {
        let mut table = Table::new(DatasetName::OodEngagements);
        for engagement in &self.engagements {
            table
                .text("engagement_id", Some(engagement.id.clone()))
                .text("offering", Some(engagement.offering))
                .int("blocks", Some(engagement.blocks))
                .text("basis", Some(engagement.basis))
                .date("approved_at", Some(engagement.approved))
                .date("start_override", engagement.start_override)
                .date("ended_at", engagement.ended)
                // The Control Tower request was approved in part: 3 of the 4 blocks asked for.
                .int("requested_blocks", engagement.offering.contains("Control Tower").then_some(engagement.blocks + 1))
                .text("modifies", None::<String>);
        }
        table
    }

    fn ood_hours(&self, month: YearMonth) -> Table {
        let mut rng = self.rng(&["ood_hours", &month.to_string()]);
        let mut table = Table::new(DatasetName::OodHours);
        for engagement in &self.engagements {
            let start = engagement.start_override.unwrap_or_else(|| {
                let approved = YearMonth::of_date(engagement.approved);
                if engagement.approved.day() <= 20 { approved.next().first_day() } else { approved.plus_months(2).first_day() }
            });
            if month.last_day() < start || engagement.ended.is_some_and(|ended| ended < month.first_day()) {
                continue;
            }
            let mut target = if engagement.basis == "one_time" { engagement.hours / 3.0 } else { engagement.hours };
            // Every third month the EKS engagement runs over its allocation.
            if engagement.offering.contains("EKS") && month.month().is_multiple_of(3) {
                target *= 1.3;
            }
            let mut spent = 0.0;
            while spent < target {
                let hours = (rng.range(2, 12) as f64 / 2.0).min(target - spent).max(0.5);
                let day = rng.range(1, month.last_day().day() as i64) as u32;
                let date = NaiveDate::from_ymd_opt(month.year(), month.month(), day).expect("day");
                table
                    .text("engagement_id", Some(engagement.id.clone()))
                    .date("work_date", Some(date))
                    .double("hours", Some(hours))
                    .text(
                        "description",
                        Some(format!(
                            "{}: {}",
                            engagement.offering,
                            rng.pick(&["planning", "upgrade", "health review", "runbook update", "incident follow-up"])
                        )),
                    );
                spent += hours;
            }
        }
        table
    }

    fn stacks_snapshot(&self, month: YearMonth) -> Table {
        let mut table = Table::new(DatasetName::Stacks);
        for date in snapshot_days(month) {
            let instant = at(date, 0, 0);
            for stack in &self.stacks {
                if stack.created > instant {
                    continue;
                }
                let status = match (stack.deleted, stack.failed_since) {
                    (Some(deleted), _) if deleted <= instant => {
                        if (instant - deleted).num_days() > 10 {
                            continue;
                        }
                        "DELETE_COMPLETE"
                    }
                    (_, Some((since, status))) if since <= instant => status,
                    _ if (stack.created.timestamp() / 86_400) % 3 == 0 => "UPDATE_COMPLETE",
                    _ => "CREATE_COMPLETE",
                };
                table
                    .date("snapshot_date", Some(date))
                    .text("stack_id", Some(stack.id.clone()))
                    .text("stack_name", Some(stack.name.clone()))
                    .text("instance_stack_type", Some(stack.stack_type))
                    .text("category", Some(stack.category))
                    .text("environment", Some(stack.environment))
                    .text("stack_status", Some(status))
                    .timestamp("created_time", Some(stack.created));
            }
        }
        table
    }

    /// Whether an instance is compliant at a snapshot, and its missing patches by severity.
    fn patch_state(&self, instance: usize, date: NaiveDate, offset: usize) -> Option<[i64; 6]> {
        let mut rng = self.rng(&["patch_state", &self.instances[instance].id, &date.to_string()]);
        // Compliance dips in the middle of the window and recovers: the trend has a shape.
        let miss_rate = 0.05 + 0.05 * ((offset as f64 * 0.9).sin().abs());
        if !rng.chance(miss_rate) {
            return None;
        }
        let mut counts = [rng.range(0, 2), rng.range(0, 3), rng.range(0, 3), rng.range(0, 2), rng.range(0, 1), rng.range(0, 1)];
        if counts.iter().sum::<i64>() == 0 {
            counts[1] = 1;
        }
        Some(counts)
    }

    fn instance_state(&self, instance: usize, month: YearMonth) -> &'static str {
        let mut rng = self.rng(&["instance_state", &self.instances[instance].id, &month.to_string()]);
        rng.pick_weighted(&[("running", 0.92), ("stopped", 0.06), ("terminated", 0.02)])
    }

    fn patch_details(&self, month: YearMonth, offset: usize) -> Table {
        let mut table = Table::new(DatasetName::PatchDetails);
        for (snapshot_number, date) in snapshot_days(month).into_iter().enumerate() {
            let instant = at(date, 0, 0);
            for (index, instance) in self.instances.iter().enumerate() {
                let stack = &self.stacks[instance.stack];
                if !stack.exists_at(instant) {
                    continue;
                }
                let missing = self.patch_state(index, date, offset);
                let counts = missing.unwrap_or([0; 6]);
                let installed = instance.base_patches + (offset as i64 * 5 + snapshot_number as i64) * 3 + (index as i64 % 4);
                let covered = (index % 20) != 7;
                let days_back = (date.weekday().num_days_from_sunday() as i64 + 1) % 7 + 1;
                table
                    .date("snapshot_date", Some(date))
                    .text("instance_id", Some(instance.id.clone()))
                    .text("instance_name", Some(instance.name.clone()))
                    .text("instance_state", Some(self.instance_state(index, month)))
                    .text("instance_platform_type", Some(instance.platform))
                    .text("instance_stack_name", Some(stack.name.clone()))
                    .text("instance_patch_group_type", Some(instance.patch_group))
                    .boolean("mw_covered_flag", Some(covered))
                    .timestamp(
                        "last_execution_window",
                        if covered { Some(at(date - Duration::days(days_back), 3, 0)) } else { None },
                    )
                    .text("patch_status", Some(if missing.is_some() { "NON_COMPLIANT" } else { "COMPLIANT" }))
                    .int("compliant_total", Some(installed))
                    .int("noncompliant_critical", Some(counts[0]))
                    .int("noncompliant_high", Some(counts[1]))
                    .int("noncompliant_medium", Some(counts[2]))
                    .int("noncompliant_low", Some(counts[3]))
                    .int("noncompliant_informational", Some(counts[4]))
                    .int("noncompliant_unspecified", Some(counts[5]))
                    .int("noncompliant_total", Some(counts.iter().sum()));
            }
        }
        table
    }

    fn missing_patches(&self, month: YearMonth, offset: usize) -> Table {
        let mut table = Table::new(DatasetName::MissingPatches);
        let severities = ["Critical", "Important", "Moderate", "Low", "Informational", "Unspecified"];
        let classes = ["SecurityUpdates", "SecurityUpdates", "Bugfix", "Enhancement", "Recommended", "Other"];
        for date in snapshot_days(month) {
            let instant = at(date, 0, 0);
            for (index, instance) in self.instances.iter().enumerate() {
                if !self.stacks[instance.stack].exists_at(instant) {
                    continue;
                }
                let Some(counts) = self.patch_state(index, date, offset) else {
                    continue;
                };
                let mut rng = self.rng(&["missing_patches", &instance.id, &date.to_string()]);
                for (severity, count) in counts.iter().enumerate() {
                    for number in 0..*count {
                        let days = if severity == 0 && rng.chance(0.4) { rng.range(31, 75) } else { rng.range(2, 28) };
                        // Unique per instance: the severity and the patch's number within it.
                        let patch_id = if instance.platform == "Windows" {
                            format!("KB50{severity}{number:02}{:03}", rng.range(100, 999))
                        } else {
                            format!("ALAS2-2026-{severity}{number:02}{:02}", rng.range(10, 99))
                        };
                        table
                            .date("snapshot_date", Some(date))
                            .text("instance_id", Some(instance.id.clone()))
                            .text("patch_id", Some(patch_id))
                            .text("patch_sev", Some(severities[severity]))
                            .text("patch_class", Some(classes[severity]))
                            .timestamp("release_dt_utc", Some(at(date - Duration::days(days), 0, 0)))
                            .int("days_unpatched", Some(days));
                    }
                }
            }
        }
        table
    }

    fn storage(&self, month: YearMonth, offset: usize) -> Table {
        let mut table = Table::new(DatasetName::Storage);
        const GIB: f64 = 1_073_741_824.0;
        let growth = 1.0 + 0.025 * offset as f64;
        for date in snapshot_days(month) {
            let instant = at(date, 0, 0);
            let mut push = |resource: String, kind: &str, provisioned: Option<i64>, used: i64| {
                table
                    .date("snapshot_date", Some(date))
                    .text("resource_id", Some(resource))
                    .text("storage_type", Some(kind))
                    .int("provisioned_bytes", provisioned)
                    .int("used_bytes", Some(used));
            };
            for instance in &self.instances {
                if !self.stacks[instance.stack].exists_at(instant) {
                    continue;
                }
                let provisioned = instance.volume_gib as f64 * GIB;
                let fill = (instance.volume_fill * growth).min(0.99);
                push(format!("vol-0{}", &instance.id[3..]), "EBS", Some(provisioned as i64), (provisioned * fill) as i64);
                push(format!("snap-0{}", &instance.id[3..]), "EBSSnapshot", None, (provisioned * fill * 0.4) as i64);
            }
            for stack in self.stacks.iter().filter(|stack| stack.category == "S3" && stack.exists_at(instant)) {
                let base = (stack.created.timestamp().rem_euclid(400) + 20) as f64 * GIB;
                push(format!("arn:aws:s3:::{}", stack.name), "S3", None, (base * growth) as i64);
            }
            push(
                format!("fs-0{}", &self.account.as_str()[4..]),
                "EFS",
                None,
                (300.0 * GIB * growth * self.scale.max(0.1)) as i64,
            );
            push(
                format!("arn:aws:backup:us-east-1:{}:backup-vault:Default", self.account),
                "BackupVault",
                None,
                (2_000.0 * GIB * growth * self.scale.max(0.1)) as i64,
            );
        }
        table
    }

    fn trusted_advisor(&self, month: YearMonth, offset: usize) -> Table {
        let mut table = Table::new(DatasetName::TrustedAdvisor);
        let checks: &[(&str, &str, &str)] = &[
            ("Qch7DwouX1", "Low Utilization Amazon EC2 Instances", "cost_optimizing"),
            ("hjLMh88uM8", "Idle Load Balancers", "cost_optimizing"),
            ("DAvU99Dc4C", "Underutilized Amazon EBS Volumes", "cost_optimizing"),
            ("Ti39halfu8", "Amazon RDS Idle DB Instances", "cost_optimizing"),
            ("1e93e4c0b5", "Amazon EC2 Reserved Instance Lease Expiration", "cost_optimizing"),
            ("HCP4007jGY", "Security Groups - Specific Ports Unrestricted", "security"),
            ("1iG5NDGVre", "Security Groups - Unrestricted Access", "security"),
            ("zXCkfM1nI3", "IAM Use", "security"),
            ("Pfx0RwqBli", "Amazon S3 Bucket Permissions", "security"),
            ("7DAFEmoDos", "MFA on Root Account", "security"),
            ("Yw2K9puPzl", "IAM Password Policy", "security"),
            ("H7IgTzjTYb", "Amazon EBS Snapshots", "fault_tolerance"),
            ("wuy7G1zxql", "Amazon EC2 Availability Zone Balance", "fault_tolerance"),
            ("f2iK5R6Dep", "Amazon RDS Multi-AZ", "fault_tolerance"),
            ("opQPADkZvH", "Amazon RDS Backups", "fault_tolerance"),
            ("8CNsSllI5v", "Auto Scaling Group Resources", "fault_tolerance"),
            ("ZRxQlPsb6c", "High Utilization Amazon EC2 Instances", "performance"),
            ("8M012Ph3U5", "CloudFront Content Delivery Optimization", "performance"),
            ("tfg86AVHAZ", "Large Number of Rules in an EC2 Security Group", "performance"),
            ("eW7HH0l7J9", "Auto Scaling Groups", "service_limits"),
            ("aW7HH0l7J9", "VPC", "service_limits"),
            ("fW7HH0l7J9", "EBS Active Volumes", "service_limits"),
            ("c1dfprch01", "AWS Well-Architected high risk issues for reliability", "operational_excellence"),
            ("c1dfprch02", "Amazon CloudWatch Log Group Retention Period", "operational_excellence"),
        ];
        let last_month = offset == self.months.len() - 1;
        for date in snapshot_days(month) {
            for (number, (id, name, category)) in checks.iter().enumerate() {
                let mut rng = self.rng(&["trusted_advisor", id, &month.to_string()]);
                let mut status = *rng.weighted(&[("ok", 0.62), ("warning", 0.25), ("error", 0.08), ("not_available", 0.05)]);
                // Two security checks turn red in the last month: new findings.
                if last_month && (number == 5 || number == 8) {
                    status = "error";
                } else if !last_month && (number == 5 || number == 8) {
                    status = "ok";
                }
                let flagged = if status == "ok" || status == "not_available" {
                    0
                } else {
                    rng.range(1, (20.0 * self.scale).max(3.0) as i64)
                };
                let savings = if *category == "cost_optimizing" && flagged > 0 {
                    Some(round_cents(flagged as f64 * (40.0 + rng.unit() * 120.0)))
                } else {
                    None
                };
                table
                    .date("snapshot_date", Some(date))
                    .text("check_id", Some(*id))
                    .text("check_name", Some(*name))
                    .text("check_category", Some(*category))
                    .text("status", Some(status))
                    .int("resources_flagged", Some(flagged))
                    .int("resources_ignored", Some(if flagged > 2 { 1 } else { 0 }))
                    .double("estimated_monthly_savings", savings);
            }
        }
        table
    }
}

#[allow(clippy::too_many_arguments)]
fn push_backup(
    table: &mut Table,
    job_id: &str,
    status: &str,
    reported: DateTime<Utc>,
    created: DateTime<Utc>,
    completed: Option<DateTime<Utc>>,
    size: Option<i64>,
    resource: &str,
    resource_type: &str,
    stack: &Option<String>,
    message: Option<&str>,
) {
    table
        .timestamp("dataset_datetime", Some(reported))
        .text("backup_job_id", Some(job_id))
        .text("backup_job_status", Some(status))
        .text("backup_type", Some(if resource_type == "EC2" { "AMI" } else { "Snapshot" }))
        .timestamp("start_by_dt_utc", Some(at(created.date_naive(), 2, 0) + Duration::hours(8)))
        .timestamp("creation_dt_utc", Some(created))
        .timestamp("completion_dt_utc", completed)
        .int("backup_size_in_bytes", size)
        .text("backup_plan_name", Some("ams-default-backup-plan"))
        .text("backup_vault_name", Some("ams-backup-vault"))
        .text("resource_id", Some(resource))
        .text("resource_type", Some(resource_type))
        .text("stack_id", stack.clone())
        .text("status_message", message)
        .boolean("recovery_point_is_encrypted", Some(true));
}

fn round_cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
