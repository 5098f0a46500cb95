//! The tiny hand-made fixture (`fixtures/handmade/`): a few rows per dataset for one account,
//! written out by hand so that every expected metric in the tests can be worked out on paper.
//!
//! Account `000000000001`, report month 2026-10 (UTC), with September and August rows for
//! comparisons and trends. The rows carry the boundary cases the metrics tests need: an incident
//! created in September and resolved in October, one acknowledged exactly at its target, one whose
//! customer wait exceeds its elapsed time, one created an hour before the month ends and not yet
//! acknowledged, a backup job reported twice with different statuses, an engagement approved on
//! the 20th and one on the 21st. Change a row here and the expectations in the tests must change.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use opsreport_model::contract::ACCOUNT_COLUMN;
use opsreport_model::{AccountId, DatasetName, YearMonth};

use crate::FixtureError;
use crate::table::{Table, write_parquet, write_text};

/// The hand-made account.
pub const HANDMADE_ACCOUNT: &str = "000000000001";
/// The hand-made report month.
pub const HANDMADE_MONTH: &str = "2026-10";

fn ts(text: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(text).expect("hand-written timestamp").with_timezone(&Utc))
}

fn day(text: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("hand-written date"))
}

/// Writes the hand-made fixture under `out`.
pub fn write_handmade(out: &Path) -> Result<usize, FixtureError> {
    let account = AccountId::parse(HANDMADE_ACCOUNT).expect("valid");
    let mut files = 0;
    for (dataset, month, table) in tables() {
        let folder = out.join(dataset.as_str()).join(format!("{ACCOUNT_COLUMN}={account}"));
        let path = match month {
            Some(month) => folder.join(format!("month={month}")).join("part-00000.parquet"),
            None => folder.join("part-00000.parquet"),
        };
        let mut frame = table.into_frame().map_err(|source| FixtureError::Polars { path: path.clone(), source })?;
        write_parquet(&path, &mut frame)?;
        files += 1;
    }
    write_text(&out.join("notes").join(HANDMADE_ACCOUNT).join(format!("{HANDMADE_MONTH}.toml")), NOTES)?;
    Ok(files + 1)
}

const NOTES: &str = r##"# Hand-made notes: every markup character a report must print literally.
customer_name = "Hand-made Ltd #1"
account_name = "Sandbox *bold* _under_ $math$ [link] \\ <tag> @ref `code`"
onboarding_status = "Complete"
scope_changes = "#import \"/etc/passwd\": #read(\"x\") stays text"
csdm = { name = "Alex Example", email = "alex@example.com" }

[[contacts]]
role = "CSDM"
name = "Alex Example"
email = "alex@example.com"
phone = "+1 555 0100"

[[issues]]
title = "Ticket #42 [urgent]"
status = "Open"
detail = "Uses * and _ and $ on purpose"

[[risks]]
title = "Single NAT gateway"
mitigation = "Second gateway planned"

[[upcoming]]
title = "DR test"
date = 2026-11-14

[[feature_requests]]
title = "CSV export"
status = "Planned"

[[action_items]]
title = "Approve maintenance window"
owner = "Customer"
due = 2026-11-10
status = "Open"
"##;

fn month(text: &str) -> Option<YearMonth> {
    Some(YearMonth::parse(text).expect("hand-written month"))
}

#[allow(clippy::too_many_arguments)]
fn incident(
    table: &mut Table,
    id: &str,
    priority: &str,
    created: &str,
    acknowledged: Option<&str>,
    resolved: Option<&str>,
    wait: Option<f64>,
    non_incident: bool,
    stack: &str,
    category: &str,
) {
    table
        .text("case_id", Some(id))
        .text("priority", Some(priority))
        .text("severity", None::<String>)
        .text("status", Some(if resolved.is_some() { "Resolved" } else { "Work-in-progress" }))
        .text("yuma_category", Some(category))
        .text("subject", Some(format!("{category} on {stack}")))
        .timestamp("created_at", ts(created))
        .timestamp("acknowledged_at", acknowledged.and_then(ts))
        .timestamp("resolved_at", resolved.and_then(ts))
        .double("customer_wait_minutes", wait)
        .boolean("non_incident", Some(non_incident))
        .boolean("best_effort", Some(false))
        .text("resource_id", Some(format!("i-{stack}")))
        .text("stack_id", Some(stack))
        .text("root_cause", if priority == "High" { Some("Expired certificate") } else { None })
        .text("rca_status", if priority == "High" { Some("Completed") } else { None });
}

/// One table of the fixture: its dataset, its month partition (none for reference data), its rows.
type Row = (DatasetName, Option<YearMonth>, Table);

/// Every table of the fixture.
fn tables() -> Vec<Row> {
    let mut all = Vec::new();
    incidents(&mut all);
    tickets(&mut all);
    monitoring(&mut all);
    continuity(&mut all);
    billing_and_ood(&mut all);
    snapshots(&mut all);
    all
}

/// Incidents in three months, each row a case of the SLA, MTTR or recurrence rules (see the comments).
fn incidents(all: &mut Vec<Row>) {
    // Incidents. Targets (defaults): response H15 M60 L240, resolution H240 M720 L2880 minutes.
    let mut august = Table::new(DatasetName::Incidents);
    incident(
        &mut august,
        "INC-8",
        "Low",
        "2026-08-15T00:00:00Z",
        Some("2026-08-15T01:00:00Z"),
        Some("2026-08-16T00:00:00Z"),
        None,
        false,
        "stack-b",
        "Performance",
    );
    all.push((DatasetName::Incidents, month("2026-08"), august));
    let mut september = Table::new(DatasetName::Incidents);
    // Created in September, resolved in October: 180 min, within the 240 min High target.
    incident(
        &mut september,
        "INC-1",
        "High",
        "2026-09-30T22:00:00Z",
        Some("2026-09-30T22:10:00Z"),
        Some("2026-10-01T01:00:00Z"),
        None,
        false,
        "stack-a",
        "Availability",
    );
    all.push((DatasetName::Incidents, month("2026-09"), september));
    let mut october = Table::new(DatasetName::Incidents);
    // Acknowledged exactly at the 15 min target (met); resolved after 360 min (missed).
    incident(
        &mut october,
        "INC-2",
        "High",
        "2026-10-05T10:00:00Z",
        Some("2026-10-05T10:15:00Z"),
        Some("2026-10-05T16:00:00Z"),
        None,
        false,
        "stack-a",
        "Availability",
    );
    // Response 90 min (missed); customer wait 600 min > 240 min elapsed: resolution floors at 0.
    incident(
        &mut october,
        "INC-3",
        "Medium",
        "2026-10-10T08:00:00Z",
        Some("2026-10-10T09:30:00Z"),
        Some("2026-10-10T12:00:00Z"),
        Some(600.0),
        false,
        "stack-b",
        "Performance",
    );
    // Never acknowledged, open at the end; its 240 min target passed long before the end.
    incident(&mut october, "INC-4", "Low", "2026-10-20T00:00:00Z", None, None, None, false, "stack-b", "Performance");
    // Created one hour before the end, not acknowledged: target not passed, not counted.
    incident(&mut october, "INC-5", "Low", "2026-10-31T23:00:00Z", None, None, None, false, "stack-c", "Access");
    // Closed as not an incident: no SLA applies.
    incident(
        &mut october,
        "INC-6",
        "Medium",
        "2026-10-12T00:00:00Z",
        Some("2026-10-12T00:05:00Z"),
        Some("2026-10-12T01:00:00Z"),
        None,
        true,
        "stack-c",
        "Access",
    );
    // Response 60 min, resolution 600 min: both met. Third stack-a/Availability in 90 days.
    incident(
        &mut october,
        "INC-7",
        "Low",
        "2026-10-03T00:00:00Z",
        Some("2026-10-03T01:00:00Z"),
        Some("2026-10-03T10:00:00Z"),
        None,
        false,
        "stack-a",
        "Availability",
    );
    all.push((DatasetName::Incidents, month("2026-10"), october));
}

/// Service requests and change requests of October.
fn tickets(all: &mut Vec<Row>) {
    let mut requests = Table::new(DatasetName::ServiceRequests);
    for (id, priority, created, response, resolved, csat) in [
        ("SR-1", "High", "2026-10-01T09:00:00Z", Some("2026-10-01T09:30:00Z"), Some("2026-10-01T12:00:00Z"), Some(5)),
        ("SR-2", "Low", "2026-10-02T09:00:00Z", Some("2026-10-03T09:30:00Z"), Some("2026-10-04T09:00:00Z"), Some(3)),
        ("SR-3", "Medium", "2026-10-30T09:00:00Z", None, None, None),
    ] {
        requests
            .text("case_id", Some(id))
            .text("priority", Some(priority))
            .text("category", Some("Access"))
            .text("status", Some(if resolved.is_some() { "Resolved" } else { "Opened" }))
            .text("subject", Some("Access request"))
            .timestamp("created_at", ts(created))
            .timestamp("first_response_at", response.and_then(ts))
            .timestamp("resolved_at", resolved.and_then(ts))
            .double("customer_wait_minutes", None)
            .int("csat_score", csat);
    }
    all.push((DatasetName::ServiceRequests, month("2026-10"), requests));

    let mut rfcs = Table::new(DatasetName::Rfcs);
    for (id, change_type, status, automation, created, requested, start, end) in [
        (
            "RFC-1",
            "ct-1e1xtak34nx76",
            "Success",
            "Automated",
            "2026-10-01T08:00:00Z",
            Some("2026-10-02T08:00:00Z"),
            Some("2026-10-02T08:15:00Z"),
            Some("2026-10-02T08:45:00Z"),
        ),
        (
            "RFC-2",
            "ct-1e1xtak34nx76",
            "Failure",
            "Manual",
            "2026-10-05T08:00:00Z",
            Some("2026-10-06T08:00:00Z"),
            Some("2026-10-06T09:00:00Z"),
            Some("2026-10-06T10:00:00Z"),
        ),
        (
            "RFC-3",
            "ct-2tylseo8rxfsc",
            "Success",
            "Automated",
            "2026-10-07T08:00:00Z",
            None,
            Some("2026-10-07T08:05:00Z"),
            Some("2026-10-07T08:20:00Z"),
        ),
        ("RFC-4", "ct-2tylseo8rxfsc", "Rejected", "Manual", "2026-10-08T08:00:00Z", None, None, None),
    ] {
        rfcs.text("rfc_id", Some(id))
            .text("title", Some("Change"))
            .text("change_type_id", Some(change_type))
            .text("change_type_version", Some("1.0"))
            .text("status", Some(status))
            .text("automation_status", Some(automation))
            .text("created_by", Some("ops"))
            .timestamp("created_time", ts(created))
            .timestamp("requested_start_time", requested.and_then(ts))
            .timestamp("requested_end_time", None)
            .timestamp("actual_start_time", start.and_then(ts))
            .timestamp("actual_end_time", end.and_then(ts));
    }
    all.push((DatasetName::Rfcs, month("2026-10"), rfcs));
}

/// Alerts and availability probes of October.
fn monitoring(all: &mut Vec<Row>) {
    let mut alerts = Table::new(DatasetName::Alerts);
    for (id, source, severity, outcome, incident) in [
        ("AL-1", "CloudWatch", "High", "IncidentCreated", Some("INC-2")),
        ("AL-2", "CloudWatch", "Low", "AutoRemediated", None),
        ("AL-3", "GuardDuty", "Medium", "AutoRemediated", None),
        ("AL-4", "Config", "Informational", "FalsePositive", None),
    ] {
        alerts
            .text("alert_id", Some(id))
            .text("source", Some(source))
            .text("severity", Some(severity))
            .text("resource_id", Some("i-stack-a"))
            .timestamp("created_at", ts("2026-10-05T09:55:00Z"))
            .timestamp("closed_at", ts("2026-10-05T10:30:00Z"))
            .text("outcome", Some(outcome))
            .text("incident_case_id", incident);
    }
    all.push((DatasetName::Alerts, month("2026-10"), alerts));

    let mut availability = Table::new(DatasetName::Availability);
    for (endpoint, start, failed) in [
        ("console", "2026-10-01T00:00:00Z", 0),
        ("console", "2026-10-01T00:05:00Z", 5),
        ("api", "2026-10-01T00:00:00Z", 1),
        ("api", "2026-10-01T00:05:00Z", 0),
    ] {
        availability
            .text("endpoint", Some(endpoint))
            .timestamp("window_start", ts(start))
            .int("window_minutes", Some(5))
            .int("checks_total", Some(5))
            .int("checks_failed", Some(failed));
    }
    all.push((DatasetName::Availability, month("2026-10"), availability));
}

/// Backup and restore jobs of October.
fn continuity(all: &mut Vec<Row>) {
    let mut backups = Table::new(DatasetName::BackupJobs);
    for (reported, id, status, created, completed, size, resource) in [
        // Reported twice: RUNNING on the 1st, COMPLETED on the 2nd (latest report wins).
        ("2026-10-01T06:00:00Z", "JOB-1", "RUNNING", "2026-10-01T02:00:00Z", None, None, "i-a"),
        ("2026-10-02T06:00:00Z", "JOB-1", "COMPLETED", "2026-10-01T02:00:00Z", Some("2026-10-01T03:00:00Z"), Some(1000), "i-a"),
        ("2026-10-16T06:00:00Z", "JOB-2", "COMPLETED", "2026-10-15T02:00:00Z", Some("2026-10-15T03:00:00Z"), Some(2000), "i-a"),
        ("2026-10-16T06:00:00Z", "JOB-3", "FAILED", "2026-10-15T02:00:00Z", None, Some(0), "i-b"),
    ] {
        backups
            .timestamp("dataset_datetime", ts(reported))
            .text("backup_job_id", Some(id))
            .text("backup_job_status", Some(status))
            .text("backup_type", Some("AMI"))
            .timestamp("start_by_dt_utc", None)
            .timestamp("creation_dt_utc", ts(created))
            .timestamp("completion_dt_utc", completed.and_then(ts))
            .int("backup_size_in_bytes", size)
            .text("backup_plan_name", Some("plan"))
            .text("backup_vault_name", Some("vault"))
            .text("resource_id", Some(resource))
            .text("resource_type", Some("EC2"))
            .text("stack_id", Some("stack-a"))
            .text("status_message", if status == "FAILED" { Some("Access denied to KMS key") } else { None })
            .boolean("recovery_point_is_encrypted", Some(true));
    }
    all.push((DatasetName::BackupJobs, month("2026-10"), backups));

    let mut restores = Table::new(DatasetName::RestoreJobs);
    for (id, status) in [("R-1", "COMPLETED"), ("R-2", "FAILED")] {
        restores
            .text("restore_job_id", Some(id))
            .text("job_status", Some(status))
            .text("resource_type", Some("EBS"))
            .timestamp("creation_date", ts("2026-10-20T10:00:00Z"))
            .timestamp("completion_date", ts("2026-10-20T11:00:00Z"));
    }
    all.push((DatasetName::RestoreJobs, month("2026-10"), restores));
}

/// Billing, Operations on Demand engagements and their hours.
fn billing_and_ood(all: &mut Vec<Row>) {
    for (billing_month, ec2, s3) in [("2026-09", 1000.0, 100.0), ("2026-10", 1400.0, 100.0)] {
        let mut billing = Table::new(DatasetName::Billing);
        for (product, aws, ri) in
            [("Amazon Elastic Compute Cloud", ec2, Some(200.0)), ("Amazon Simple Storage Service", s3, None)]
        {
            billing
                .date("date", day(&format!("{billing_month}-01")))
                .text("payer_account_id", Some("999999999999"))
                .text("linked_account_id", Some(HANDMADE_ACCOUNT))
                .text("product_name", Some(product))
                .double("aws_charges", Some(aws))
                .double("ris_charges", ri)
                .double("sp_charges", None)
                .double("ams_charges", Some(aws / 10.0));
        }
        all.push((DatasetName::Billing, month(billing_month), billing));
    }

    let mut engagements = Table::new(DatasetName::OodEngagements);
    for (id, offering, blocks, basis, approved) in [
        // Approved on the 20th: starts 2026-10-01.
        ("E-1", "Amazon EKS maintenance", 2, "monthly", "2026-09-20"),
        // Approved on the 21st: starts 2026-11-01, not active in October.
        ("E-2", "SAP cluster management", 1, "monthly", "2026-09-21"),
        ("E-3", "AWS Control Tower operations", 1, "one_time", "2026-08-10"),
    ] {
        engagements
            .text("engagement_id", Some(id))
            .text("offering", Some(offering))
            .int("blocks", Some(blocks))
            .text("basis", Some(basis))
            .date("approved_at", day(approved))
            .date("start_override", None)
            .date("ended_at", None)
            .int("requested_blocks", None)
            .text("modifies", None::<String>);
    }
    all.push((DatasetName::OodEngagements, None, engagements));

    for (hours_month, rows) in [
        ("2026-09", &[("E-3", "2026-09-10", 12.0)][..]),
        ("2026-10", &[("E-1", "2026-10-05", 15.0), ("E-1", "2026-10-06", 10.0), ("E-3", "2026-10-10", 12.0)][..]),
    ] {
        let mut hours = Table::new(DatasetName::OodHours);
        for (id, date, amount) in rows {
            hours
                .text("engagement_id", Some(*id))
                .date("work_date", day(date))
                .double("hours", Some(*amount))
                .text("description", Some("work"));
        }
        all.push((DatasetName::OodHours, month(hours_month), hours));
    }
}

/// Month-end snapshots: stacks, patches, missing patches, storage, Trusted Advisor.
fn snapshots(all: &mut Vec<Row>) {
    stack_snapshots(all);
    patch_snapshots(all);
    capacity_snapshots(all);
}

/// The stacks at the end of September and October (one deleted, one new in October).
fn stack_snapshots(all: &mut Vec<Row>) {
    for (snapshot_month, dates) in [("2026-09", ["2026-09-30"]), ("2026-10", ["2026-10-31"])] {
        let mut stacks = Table::new(DatasetName::Stacks);
        for date in dates {
            let october = snapshot_month == "2026-10";
            for (id, category, environment, status, created) in [
                ("stack-a", "EC2", "PROD", "CREATE_COMPLETE", "2026-01-01T00:00:00Z"),
                ("stack-b", "RDS", "NONPROD", "UPDATE_ROLLBACK_FAILED", "2026-02-01T00:00:00Z"),
                (
                    "stack-c",
                    "EC2",
                    "NONPROD",
                    if october { "DELETE_COMPLETE" } else { "CREATE_COMPLETE" },
                    "2026-03-01T00:00:00Z",
                ),
                (
                    "stack-d",
                    "S3",
                    "PROD",
                    "UPDATE_COMPLETE",
                    if october { "2026-10-10T00:00:00Z" } else { "2026-09-10T00:00:00Z" },
                ),
            ] {
                if !october && id == "stack-d" {
                    continue;
                }
                stacks
                    .date("snapshot_date", day(date))
                    .text("stack_id", Some(id))
                    .text("stack_name", Some(id))
                    .text("instance_stack_type", Some("Customer stack"))
                    .text("category", Some(category))
                    .text("environment", Some(environment))
                    .text("stack_status", Some(status))
                    .timestamp("created_time", ts(created));
            }
        }
        all.push((DatasetName::Stacks, month(snapshot_month), stacks));
    }
}

/// The October patch snapshots and the missing patches at its end.
fn patch_snapshots(all: &mut Vec<Row>) {
    let mut patches = Table::new(DatasetName::PatchDetails);
    for (date, instance, state, stack, status, installed, critical, high) in [
        ("2026-10-01", "i-a", "running", "stack-a", "COMPLIANT", 100, 0, 0),
        ("2026-10-01", "i-b", "running", "stack-b", "NON_COMPLIANT", 50, 1, 2),
        ("2026-10-31", "i-a", "running", "stack-a", "COMPLIANT", 110, 0, 0),
        ("2026-10-31", "i-b", "running", "stack-b", "NON_COMPLIANT", 48, 1, 1),
        ("2026-10-31", "i-c", "stopped", "stack-b", "COMPLIANT", 30, 0, 0),
        ("2026-10-31", "i-d", "terminated", "stack-c", "NON_COMPLIANT", 10, 3, 0),
    ] {
        patches
            .date("snapshot_date", day(date))
            .text("instance_id", Some(instance))
            .text("instance_name", Some(instance))
            .text("instance_state", Some(state))
            .text("instance_platform_type", Some("Linux"))
            .text("instance_stack_name", Some(stack))
            .text("instance_patch_group_type", Some("DEFAULT"))
            .boolean("mw_covered_flag", Some(instance != "i-b"))
            .timestamp("last_execution_window", None)
            .text("patch_status", Some(status))
            .int("compliant_total", Some(installed))
            .int("noncompliant_critical", Some(critical))
            .int("noncompliant_high", Some(high))
            .int("noncompliant_medium", Some(0))
            .int("noncompliant_low", Some(0))
            .int("noncompliant_informational", Some(0))
            .int("noncompliant_unspecified", Some(0))
            .int("noncompliant_total", Some(critical + high));
    }
    all.push((DatasetName::PatchDetails, month("2026-10"), patches));

    let mut missing = Table::new(DatasetName::MissingPatches);
    for (instance, patch, severity, days) in
        [("i-b", "KB1", "Critical", 45), ("i-b", "KB2", "High", 50), ("i-d", "KB3", "critical", 90)]
    {
        missing
            .date("snapshot_date", day("2026-10-31"))
            .text("instance_id", Some(instance))
            .text("patch_id", Some(patch))
            .text("patch_sev", Some(severity))
            .text("patch_class", Some("SecurityUpdates"))
            .timestamp("release_dt_utc", None)
            .int("days_unpatched", Some(days));
    }
    all.push((DatasetName::MissingPatches, month("2026-10"), missing));
}

/// Storage and Trusted Advisor at the end of September and October.
fn capacity_snapshots(all: &mut Vec<Row>) {
    for (snapshot_month, date, ebs_used) in [("2026-09", "2026-09-30", 400), ("2026-10", "2026-10-31", 900)] {
        let mut storage = Table::new(DatasetName::Storage);
        for (resource, kind, provisioned, used) in [("vol-1", "EBS", Some(1000), ebs_used), ("bucket-1", "S3", None, 600)] {
            storage
                .date("snapshot_date", day(date))
                .text("resource_id", Some(resource))
                .text("storage_type", Some(kind))
                .int("provisioned_bytes", provisioned)
                .int("used_bytes", Some(used));
        }
        all.push((DatasetName::Storage, month(snapshot_month), storage));
    }

    for (snapshot_month, date, security_status) in [("2026-09", "2026-09-30", "ok"), ("2026-10", "2026-10-31", "error")] {
        let mut advisor = Table::new(DatasetName::TrustedAdvisor);
        for (id, name, category, status, flagged, savings) in [
            ("c-1", "Low Utilization Amazon EC2 Instances", "cost_optimizing", "warning", 2, Some(120.5)),
            (
                "c-2",
                "Security Groups - Unrestricted Access",
                "security",
                security_status,
                if security_status == "ok" { 0 } else { 3 },
                None,
            ),
        ] {
            advisor
                .date("snapshot_date", day(date))
                .text("check_id", Some(id))
                .text("check_name", Some(name))
                .text("check_category", Some(category))
                .text("status", Some(status))
                .int("resources_flagged", Some(flagged))
                .int("resources_ignored", Some(0))
                .double("estimated_monthly_savings", savings);
        }
        all.push((DatasetName::TrustedAdvisor, month(snapshot_month), advisor));
    }
}
