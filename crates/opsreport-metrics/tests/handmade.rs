//! Every section on the hand-made fixture (`fixtures/handmade`, rows in
//! `crates/opsreport-fixtures/src/handmade.rs`), against numbers worked out by hand. Each
//! expectation says how it was computed. Default configuration; report month 2026-10.

use opsreport_extract::{LocalSource, Source};
use opsreport_metrics::{MetricsContext, MetricsInput, compute};
use opsreport_model::metrics::Metrics;
use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, Config, ReportPeriod, YearMonth};

fn metrics_for(month: &str, zone: &str) -> Metrics {
    // The directory cargo gives the running test (a binary reused from another checkout keeps
    // that checkout's compiled-in path).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let root = format!("{manifest_dir}/../../fixtures/handmade");
    let source = LocalSource::new(&root).unwrap();
    let account = AccountId::parse("000000000001").unwrap();
    let period = ReportPeriod::new(YearMonth::parse(month).unwrap(), parse_time_zone(zone).unwrap());
    let data = source.load_account(&account, &period).unwrap();
    let input =
        MetricsInput { frames: data.frames(), histories: data.histories(), quality: data.quality(), several_accounts: false };
    let context = MetricsContext {
        subject: opsreport_model::Subject::Account(account.clone()),
        period,
        config: Config::default(),
        generated_on: period.default_generated_on(),
        generator_version: "opsreport test".into(),
        input_fingerprint: "test".into(),
    };
    compute(&input, &context).unwrap()
}

fn october() -> Metrics {
    metrics_for("2026-10", "UTC")
}

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap_or_else(|| panic!("expected {expected}, found null"));
    assert!((actual - expected).abs() < 1e-9, "expected {expected}, found {actual}");
}

#[test]
fn incident_volumes_and_open_at_end() {
    let incidents = october().incidents;
    // Created in October: INC-2 (High); INC-3, INC-6 (Medium); INC-4, INC-5, INC-7 (Low).
    assert_eq!((incidents.opened.high, incidents.opened.medium, incidents.opened.low, incidents.opened.total), (1, 2, 3, 6));
    // Resolved in October: INC-1 (created in September), INC-2; INC-3, INC-6; INC-7.
    assert_eq!(
        (incidents.resolved.high, incidents.resolved.medium, incidents.resolved.low, incidents.resolved.total),
        (2, 2, 1, 5)
    );
    // Not resolved before 1 November: INC-4 and INC-5.
    assert_eq!(incidents.open_at_end, Some(2));
}

#[test]
fn mttr_and_resolution_sla_use_eligible_incidents_resolved_in_the_month() {
    let incidents = october().incidents;
    // High: INC-1 22:00→01:00 = 180 min, INC-2 10:00→16:00 = 360 min; mean 270.
    close(incidents.mttr_minutes.high, 270.0);
    // Nearest rank of 2 values at 90 %: rank ⌈1.8⌉ = 2 → 360.
    close(incidents.mttr_p90_minutes.high, 360.0);
    // Medium: INC-3 waited 600 min on the customer in a 240-min incident: floored at 0.
    // INC-6 is a non-incident and does not count.
    close(incidents.mttr_minutes.medium, 0.0);
    // Low: INC-7 00:00→10:00 = 600 min.
    close(incidents.mttr_minutes.low, 600.0);
    // Resolution targets 240/720/2880: High 180 met, 360 missed → 50 %; Medium 0 ≤ 720; Low 600 ≤ 2880.
    close(incidents.resolution_sla_pct.high, 50.0);
    close(incidents.resolution_sla_pct.medium, 100.0);
    close(incidents.resolution_sla_pct.low, 100.0);
}

#[test]
fn mtta_and_response_sla_follow_the_clock_rules() {
    let incidents = october().incidents;
    // Acknowledged: INC-2 after 15 min, INC-3 after 90, INC-7 after 60 (INC-6 is not eligible).
    close(incidents.mtta_minutes.high, 15.0);
    close(incidents.mtta_minutes.medium, 90.0);
    close(incidents.mtta_minutes.low, 60.0);
    // INC-2 acknowledged exactly at its 15-min target: met.
    close(incidents.response_sla_pct.high, 100.0);
    // INC-3: 90 > 60: missed.
    close(incidents.response_sla_pct.medium, 0.0);
    // Low: INC-7 met; INC-4 never acknowledged, deadline 20 Oct 04:00 passed: missed; INC-5
    // (created 31 Oct 23:00) deadline 1 Nov 03:00 not passed at the end: not counted → 1 of 2.
    close(incidents.response_sla_pct.low, 50.0);
}

#[test]
fn recurring_groups_and_key_events() {
    let incidents = october().incidents;
    // 90 days before 1 Nov start on 3 Aug: stack-a/Availability has INC-1, INC-2, INC-7;
    // stack-b/Performance has INC-8 (15 Aug), INC-3, INC-4. Equal counts: sorted by target.
    let groups: Vec<(String, String, u64, Vec<String>)> = incidents
        .recurring
        .iter()
        .map(|group| (group.target.clone(), group.category.clone(), group.count, group.case_ids.clone()))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("stack-a".into(), "Availability".into(), 3, vec!["INC-1".into(), "INC-2".into(), "INC-7".into()]),
            ("stack-b".into(), "Performance".into(), 3, vec!["INC-3".into(), "INC-4".into(), "INC-8".into()]),
        ]
    );
    // High incidents resolved in October, oldest first.
    let events: Vec<(&str, f64)> =
        incidents.key_events.iter().map(|event| (event.case_id.as_str(), event.resolution_minutes)).collect();
    assert_eq!(events, vec![("INC-1", 180.0), ("INC-2", 360.0)]);
    assert_eq!(incidents.key_events[0].root_cause.as_deref(), Some("Expired certificate"));
    assert_eq!(incidents.key_events[0].rca_status.as_deref(), Some("Completed"));
}

#[test]
fn incident_trends_reuse_the_monthly_rules() {
    let incidents = october().incidents;
    let months: Vec<String> = incidents.trend_months.iter().map(|point| point.month.to_string()).collect();
    assert_eq!(months, ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]);
    // August: INC-8 opened and resolved (1 day = 1440 min).
    assert_eq!(incidents.trend_months[3].opened.low, 1);
    close(incidents.trend_months[3].mttr_minutes.low, 1440.0);
    // September: INC-1 opened, nothing resolved.
    assert_eq!((incidents.trend_months[4].opened.high, incidents.trend_months[4].resolved.total), (1, 0));
    // The last point is the headline month.
    assert_eq!(incidents.trend_months[5].opened, incidents.opened);
    assert_eq!(incidents.trend_months[5].mttr_minutes, incidents.mttr_minutes);
    // 12 weeks ending with the week of Saturday 31 October (Monday 26 October).
    assert_eq!(incidents.trend_weeks.len(), 12);
    assert_eq!(incidents.trend_weeks[11].week_start.to_string(), "2026-10-26");
    // Week of 26 Oct: INC-5 opened on the 31st.
    assert_eq!((incidents.trend_weeks[11].opened, incidents.trend_weeks[11].resolved), (Some(1), Some(0)));
    // Week of 28 Sep: INC-1 opened 30 Sep, INC-1 resolved 1 Oct, INC-7 opened and resolved 3 Oct.
    let week = incidents.trend_weeks.iter().find(|week| week.week_start.to_string() == "2026-09-28").unwrap();
    assert_eq!((week.opened, week.resolved), (Some(2), Some(2)));
    assert!(incidents.trend_weeks.iter().all(|week| week.opened.is_some()), "the August partition covers all 12 weeks");
    // September's 12 weeks start on 13 July, but the incidents data starts with the August
    // partition: a week that ends before 1 August has no counts (null), not zeros; the week of
    // 27 July (ending 3 August) has counts.
    let september = metrics_for("2026-09", "UTC").incidents;
    let before: Vec<String> =
        september.trend_weeks.iter().filter(|week| week.opened.is_none()).map(|week| week.week_start.to_string()).collect();
    assert_eq!(before, ["2026-07-13", "2026-07-20"]);
    assert!(september.trend_weeks.iter().filter(|week| week.opened.is_some()).all(|week| week.resolved.is_some()));
}

#[test]
fn a_zone_where_the_month_starts_at_four_utc() {
    // October in New York runs from 1 Oct 04:00Z to 1 Nov 04:00Z.
    let incidents = metrics_for("2026-10", "America/New_York").incidents;
    // INC-1 was resolved at 01:00Z on 1 Oct = 21:00 on 30 Sep in New York: not in October.
    assert_eq!(incidents.resolved.high, 1);
    close(incidents.mttr_minutes.high, 360.0);
    // INC-5 (31 Oct 23:00Z = 19:00 local) is in October; its response deadline 1 Nov 03:00Z is
    // before the end (04:00Z) and it was never acknowledged: now it counts as missed.
    close(incidents.response_sla_pct.low, 100.0 / 3.0);
}

#[test]
fn service_requests() {
    let requests = october().service_requests;
    assert_eq!((requests.opened.high, requests.opened.medium, requests.opened.low, requests.opened.total), (1, 1, 1, 3));
    assert_eq!((requests.resolved.high, requests.resolved.low, requests.resolved.total), (1, 1, 2));
    // SR-1 answered in 30 min, SR-2 in 24 h 30 min = 1470 min: mean 750.
    close(requests.mean_response_minutes, 750.0);
    // Targets 60/240/1440: SR-1 met; SR-2 1470 > 1440 missed; SR-3 never answered, deadline passed.
    close(requests.response_sla_pct.high, 100.0);
    close(requests.response_sla_pct.medium, 0.0);
    close(requests.response_sla_pct.low, 0.0);
    close(requests.response_sla_pct.total, 100.0 / 3.0);
    // Ratings 5 and 3 on the two resolved requests.
    close(requests.csat_avg, 4.0);
    assert_eq!(requests.csat_responses, Some(2));
}

#[test]
fn change_management() {
    let rfcs = october().rfcs;
    assert_eq!((rfcs.created, rfcs.completed, rfcs.succeeded, rfcs.failed), (Some(4), Some(3), Some(2), Some(1)));
    close(rfcs.success_rate_pct, 200.0 / 3.0);
    assert_eq!((rfcs.rejected, rfcs.canceled), (Some(1), Some(0)));
    // RFC-1 and RFC-3 automated of 3 completed.
    close(rfcs.automated_pct, 200.0 / 3.0);
    // Executions 30, 60 and 15 min.
    close(rfcs.mean_execution_minutes, 35.0);
    // With a requested start: RFC-1 started 15 min late (within the grace), RFC-2 60 min late.
    close(rfcs.on_time_pct, 50.0);
    let types: Vec<(&str, u64)> = rfcs.top_change_types.iter().map(|kind| (kind.change_type_id.as_str(), kind.count)).collect();
    assert_eq!(types, vec![("ct-1e1xtak34nx76", 2), ("ct-2tylseo8rxfsc", 2)]);
}

#[test]
fn alerts_and_availability() {
    let metrics = october();
    let alerts = metrics.alerts;
    assert_eq!(alerts.total, Some(4));
    close(alerts.auto_remediated_pct, 50.0);
    close(alerts.incident_rate_pct, 25.0);
    close(alerts.false_positive_pct, 25.0);
    assert_eq!(alerts.by_source.get("CloudWatch"), Some(&2));
    // Console: 10 probes, 5 failed → 50 %; one 5-minute window fully down → 5 min.
    let console = metrics.availability.console;
    close(console.pct, 50.0);
    close(console.downtime_minutes, 5.0);
    assert_eq!(console.target_met, Some(false));
    // API: 1 of 10 failed → 90 %; 5 min × 1/5 = 1 min.
    close(metrics.availability.api.pct, 90.0);
    close(metrics.availability.api.downtime_minutes, 1.0);
    assert_eq!(console.daily.len(), 1);
    assert_eq!(console.daily[0].date, "2026-10-01");
}

#[test]
fn backups_and_restores() {
    let backups = october().backups;
    // JOB-1 reported RUNNING then COMPLETED: the later report wins. JOB-2 COMPLETED, JOB-3 FAILED.
    assert_eq!(backups.jobs, Some(3));
    assert_eq!(backups.by_status.get("COMPLETED"), Some(&2));
    close(backups.success_rate_pct, 200.0 / 3.0);
    // i-a protected, i-b only failed.
    assert_eq!((backups.resources, backups.resources_protected), (Some(2), Some(1)));
    close(backups.coverage_pct, 50.0);
    // i-b: no completed backup, the whole month (744 h) is one gap. i-a: completed 1 Oct 03:00 and
    // 15 Oct 03:00; the last gap to 1 Nov 00:00 is 405 h, the longest. Both exceed 24 h.
    assert_eq!(backups.rpo_breaches, Some(2));
    let gaps: Vec<(&str, f64)> =
        backups.rpo_breach_resources.iter().map(|breach| (breach.resource_id.as_str(), breach.longest_gap_hours)).collect();
    assert_eq!(gaps, vec![("i-b", 744.0), ("i-a", 405.0)]);
    assert_eq!(backups.stored_bytes, Some(3000));
    assert_eq!((backups.restores, backups.restores_succeeded), (Some(2), Some(1)));
    assert_eq!(backups.failed_jobs.len(), 1);
    assert_eq!(backups.failed_jobs[0].status_message.as_deref(), Some("Access denied to KMS key"));
}

#[test]
fn stacks_patching_and_storage_from_snapshots() {
    let metrics = october();
    let stacks = metrics.stacks;
    // 31 Oct: stack-a, stack-b, stack-d exist (stack-c is DELETE_COMPLETE); a and d are stable.
    assert_eq!((stacks.total, stacks.active, stacks.created_in_period), (Some(3), Some(2), Some(1)));
    // 30 Sep: a, b, c → 3; no change.
    assert_eq!(stacks.total_change, Some(0));
    assert_eq!(stacks.snapshot_date.as_deref(), Some("2026-10-31"));

    let patching = metrics.patching;
    // 31 Oct without the terminated i-d: i-a, i-b, i-c; i-b non-compliant.
    assert_eq!((patching.instances, patching.compliant), (Some(3), Some(2)));
    close(patching.compliance_pct, 200.0 / 3.0);
    let missing = patching.missing_by_severity.unwrap();
    assert_eq!((missing.critical, missing.high, patching.missing_total), (1, 1, Some(2)));
    // Maintenance window on i-a and i-c.
    close(patching.mw_coverage_pct, 200.0 / 3.0);
    // stack-a all compliant; stack-b has i-b.
    assert_eq!((patching.stacks_fully_patched, patching.stacks_with_instances), (Some(1), Some(2)));
    // Critical and older than 30 days: i-b (KB1, 45 days) and i-d ("critical", 90 days).
    assert_eq!(patching.critical_overdue, Some(2));
    // In both 1 Oct and 31 Oct: i-a 100→110 (+10), i-b 50→48 (0).
    assert_eq!(patching.patches_installed, Some(10));

    let storage = metrics.storage;
    assert_eq!(storage.used_bytes.get("total"), Some(&1500));
    assert_eq!(storage.provisioned_bytes.get("EBS"), Some(&1000));
    // 1000 used in September → +50 %.
    close(storage.growth_pct, 50.0);
    assert_eq!(storage.near_capacity.len(), 1);
    close(Some(storage.near_capacity[0].ratio), 0.9);
}

#[test]
fn trusted_advisor_cost_and_ood() {
    let metrics = october();
    let advisor = metrics.trusted_advisor;
    assert_eq!(advisor.resources_flagged, Some(5));
    close(advisor.estimated_monthly_savings, 120.5);
    // c-2 was ok in September; c-1 was already in warning.
    let new: Vec<&str> = advisor.new_findings.iter().map(|finding| finding.check_id.as_str()).collect();
    assert_eq!(new, vec!["c-2"]);
    assert_eq!(advisor.by_category["security"].error, 1);

    let cost = metrics.cost;
    // EC2 1400 + S3 100 AWS; AMS a tenth of each.
    close(cost.aws_charges, 1500.0);
    close(cost.ams_charges, 150.0);
    close(cost.total, 1650.0);
    close(cost.ri_sp_charges, 200.0);
    // September: 1100 + 110 = 1210 → (1650 − 1210) / 1210.
    close(cost.mom_change_pct, 440.0 / 1210.0 * 100.0);
    assert_eq!(cost.by_product[0].product_name, "Amazon Elastic Compute Cloud");

    let ood = metrics.ood;
    // E-1 (monthly, approved 20 Sep → October) is active; E-3 (one-time, approved 10 Aug →
    // September) was a purchase for September only, so its October hours bill nothing; E-2,
    // approved 21 Sep, starts in November.
    let ids: Vec<&str> = ood.engagements.iter().map(|engagement| engagement.engagement_id.as_str()).collect();
    assert_eq!(ids, vec!["E-1"]);
    let monthly = &ood.engagements[0];
    // 25 h of 40: ⌈25/20⌉ = 2 blocks billed, 15 h left.
    assert_eq!((monthly.hours_used, monthly.hours_remaining, monthly.billed_blocks), (Some(25.0), Some(15.0), Some(2)));
    assert_eq!(ood.billed_blocks, Some(2));
}

#[test]
fn operations_on_demand_bills_used_blocks_in_the_engagements_month_as_the_service_terms_say() {
    // September: E-3 (one-time, 1 block) starts; 12 h used → ⌈12/20⌉ = 1 block billed, 8 h left.
    let september = metrics_for("2026-09", "UTC").ood;
    let ids: Vec<&str> = september.engagements.iter().map(|engagement| engagement.engagement_id.as_str()).collect();
    assert_eq!(ids, vec!["E-3"]);
    let one_time = &september.engagements[0];
    assert_eq!((one_time.hours_used, one_time.hours_remaining, one_time.billed_blocks), (Some(12.0), Some(8.0), Some(1)));
    // November: no ood_hours partition — hours and billing are unknown, never 0.
    let november = metrics_for("2026-11", "UTC").ood;
    assert!(november.engagements.iter().all(|engagement| engagement.hours_used.is_none() && engagement.billed_blocks.is_none()));
    assert!(!november.engagements.is_empty(), "E-1 and E-2 are active in November");
    assert_eq!(november.billed_blocks, None);
}

#[test]
fn a_month_without_data_is_missing_not_zero() {
    // November has no partitions or snapshots in the hand-made fixture.
    let metrics = metrics_for("2026-11", "UTC");
    for (section, status) in [
        ("incidents", &metrics.incidents.status),
        ("alerts", &metrics.alerts.status),
        ("availability", &metrics.availability.status),
        ("backups", &metrics.backups.status),
        ("rfcs", &metrics.rfcs.status),
        ("stacks", &metrics.stacks.status),
        ("patching", &metrics.patching.status),
        ("storage", &metrics.storage.status),
        ("trusted_advisor", &metrics.trusted_advisor.status),
        ("cost", &metrics.cost.status),
    ] {
        assert!(!status.available, "{section} must be missing");
        assert!(
            status.missing_reason.as_deref().is_some_and(|reason| reason.contains("2026-11")),
            "{section}: {:?}",
            status.missing_reason
        );
    }
    assert_eq!(metrics.incidents.open_at_end, None);
    assert_eq!(metrics.alerts.total, None);
    assert_eq!(metrics.cost.total, None);
    // A missing section's JSON has nulls, not zeros.
    let json = serde_json::to_value(&metrics).unwrap();
    assert!(json["alerts"]["auto_remediated_pct"].is_null());
    assert_eq!(json["alerts"]["available"], serde_json::Value::Bool(false));
}

#[test]
fn insights_are_ordered_and_worded_deterministically() {
    let first = october().insights;
    assert_eq!(first, october().insights);
    let severities: Vec<_> = first.iter().map(|insight| insight.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort();
    assert_eq!(severities, sorted);
    let metrics: Vec<&str> = first.iter().map(|insight| insight.metric.as_str()).collect();
    // High resolution SLA 50 %, Medium/Low response SLA below 95 %, console and API below 99.9 %.
    for expected in [
        "incidents.resolution_sla_pct.High",
        "incidents.response_sla_pct.Medium",
        "incidents.response_sla_pct.Low",
        "availability.console.pct",
        "availability.api.pct",
        "patching.compliance_pct",
        "patching.critical_overdue",
        "backups.rpo_breaches",
        "incidents.recurring",
        "cost.mom_change_pct",
        "storage.near_capacity",
        "rfcs.success_rate_pct",
        "alerts.auto_remediated_pct",
        "patching.patches_installed",
        "backups.restores",
    ] {
        assert!(metrics.contains(&expected), "missing insight {expected}: {metrics:?}");
    }
    let cost = first.iter().find(|insight| insight.metric == "cost.mom_change_pct").unwrap();
    assert!(cost.message.contains("Amazon Elastic Compute Cloud grew most (+$440.00)"), "{}", cost.message);
}
