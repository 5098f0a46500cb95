//! Notes files of the synthetic accounts: what a service delivery manager would write, with a
//! few characters that mean something in markup languages, so literal printing is exercised.

use opsreport_model::{AccountId, PeriodKind, ReportPeriod, YearMonth};

use crate::rng::Rng;

const CUSTOMERS: &[&str] =
    &["Northwind Logistics", "Contoso Health", "Fabrikam Retail", "Tailspin Travel", "Wide World Importers"];

fn quote(text: &str) -> String {
    let mut quoted = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// The TOML text of one account's profile (`notes/<id>/profile.toml`): who the customer is, in
/// every month.
pub fn profile_toml(index: u32) -> String {
    let customer = CUSTOMERS[index as usize % CUSTOMERS.len()];
    let mut text = String::new();
    text.push_str("# The account's profile: its identity and contacts, whatever the month.\n");
    text.push_str(&format!("customer_name = {}\n", quote(customer)));
    text.push_str(&format!(
        "account_name = {}\n",
        quote(&format!("{customer} - production ({})", if index.is_multiple_of(2) { "primary" } else { "analytics" }))
    ));
    text.push_str("csdm = { name = \"Dana Whitfield\", email = \"dana.whitfield@example.com\" }\n\n");
    for (role, name, email, phone) in [
        ("Cloud Service Delivery Manager", "Dana Whitfield", "dana.whitfield@example.com", "+1 206 555 0100"),
        ("Cloud Architect", "Sam Okafor", "sam.okafor@example.com", "+1 206 555 0101"),
        ("Customer application owner", "Priya Raman", "priya.raman@example.com", "+1 312 555 0142"),
        ("Operations escalation (24x7)", "Operations on call", "ops-oncall@example.com", "+1 800 555 0199"),
    ] {
        text.push_str(&format!(
            "[[contacts]]\nrole = {}\nname = {}\nemail = {}\nphone = {}\n\n",
            quote(role),
            quote(name),
            quote(email),
            quote(phone)
        ));
    }
    text
}

/// The TOML text of one account's notes for `month`, the month `back` months before the latest.
/// Action items follow a life across months: one raised two months back is never mentioned again
/// (it carries over, open and overdue), one in progress last month is done in the latest, and a
/// new one is raised in the latest.
pub fn notes_toml(seed: u64, index: u32, account: &AccountId, month: YearMonth, back: usize) -> String {
    let mut rng = Rng::for_stream(seed, &[account.as_str(), "notes", &month.to_string()]);
    let next = month.next();
    let mut text = String::new();
    text.push_str("# Notes written by the service delivery manager for this account and month.\n");
    // Onboarding is a call-out while it lasts: the account onboards until its latest month.
    if index.is_multiple_of(2) && back > 0 {
        text.push_str("onboarding_status = \"In progress: 2 of 3 workloads onboarded\"\n");
    }
    text.push_str("scope_changes = \"Added AWS Control Tower operations to the Operations on Demand catalogue; no change to subcontractors.\"\n\n");
    let issues = [
        (
            "Nightly batch overruns its window",
            "Open",
            "Batch jobs on the *reporting* cluster finish after 07:00; tuning is tracked in RFC #2 [phase 1].",
        ),
        ("Legacy AMI still in use", "Mitigating", "Two instances run an AMI older than 18 months; replacement is scheduled."),
        ("Cost spike on EKS", "Investigating", "EKS node groups grew after the autoscaler change; see cost section."),
    ];
    for (title, status, detail) in issues.iter().take(rng.range(1, 3) as usize) {
        text.push_str(&format!(
            "[[issues]]\ntitle = {}\nstatus = {}\ndetail = {}\n\n",
            quote(title),
            quote(status),
            quote(detail)
        ));
    }
    text.push_str("[[risks]]\ntitle = \"Single-AZ database for the orders service\"\nmitigation = \"Multi-AZ conversion planned; until then backups every 4 hours.\"\n\n");
    text.push_str(&format!(
        "[[upcoming]]\ntitle = \"Disaster-recovery test\"\ndate = {}\n\n[[upcoming]]\ntitle = \"Windows Server 2016 end-of-support migration\"\ndate = \"next quarter\"\n\n",
        next.first_day().with_day_safe(14)
    ));
    text.push_str(
        "[[feature_requests]]\ntitle = \"Self-service restore of single files\"\nstatus = \"Submitted to product team\"\n\n",
    );
    text.push_str("[[feature_requests]]\ntitle = \"Weekly patch report by e-mail\"\nstatus = \"Planned\"\n\n");
    text.push_str(&action_items(month, back));
    text.push_str(&initiatives(month, back));
    text
}

/// The quarter a month is in, as a notes file writes it (`2026-Q4`).
fn quarter_of(month: YearMonth) -> String {
    format!("{}-Q{}", month.year(), (month.month() - 1) / 3 + 1)
}

/// The initiatives a month's notes mention: a rightsizing raised two months back from a Trusted
/// Advisor finding, approved the next month and under way in the latest; a second region
/// proposed two months back and declined in the latest; patch reporting, proposed in the
/// quarterly review, approved in the latest.
fn initiatives(month: YearMonth, back: usize) -> String {
    let rightsize =
        "[[initiatives]]\ntitle = \"Rightsize idle EC2 instances flagged by Trusted Advisor\"\nowner = \"Sam Okafor\"\n";
    let region = "[[initiatives]]\ntitle = \"Second region for disaster recovery\"\nowner = \"Priya Raman\"\n";
    let patching = "[[initiatives]]\ntitle = \"Automate patch reporting for application owners\"\nowner = \"Dana Whitfield\"\n";
    match back {
        2 => format!(
            "{rightsize}status = \"Proposed\"\nestimated_cost = 2400.0\nestimated_monthly_saving = 1850.0\ntarget_quarter = \"{}\"\nrecommendation = \"Trusted Advisor: low-utilization EC2 instances\"\n\n\
             {region}status = \"Proposed\"\nestimated_cost = 48000.0\ntarget_quarter = \"{}\"\ndetail = \"Warm standby of the orders service in a second region.\"\n\n",
            quarter_of(month.plus_months(2)),
            quarter_of(month.plus_months(9)),
        ),
        1 => format!("{rightsize}status = \"Approved\"\ndecided = {}\n\n", month.first_day().with_day_safe(12)),
        0 => format!(
            "{rightsize}status = \"In progress\"\n\n{region}status = \"Declined\"\ndecided = {}\ndetail = \"Not this year: the budget goes to the Multi-AZ conversion.\"\n\n\
             {patching}status = \"Approved\"\ndecided = {}\n\n",
            month.first_day().with_day_safe(8),
            month.first_day().with_day_safe(8),
        ),
        _ => String::new(),
    }
}

/// The notes of the last full week and the last full quarter by the end of `latest` (the
/// periods the demo reports on), as `(label, TOML)`: agenda, attendees, next meeting, and the
/// kind's own notes (the weekend's schedule; plans and initiatives).
pub fn meeting_notes(latest: YearMonth) -> Vec<(String, String)> {
    let end = ReportPeriod::new(latest, chrono_tz::Tz::UTC).end();
    let week = ReportPeriod::previous_full(PeriodKind::Weekly, end, chrono_tz::Tz::UTC);
    let quarter = ReportPeriod::previous_full(PeriodKind::Quarterly, end, chrono_tz::Tz::UTC);
    let attendees = "[[attendees]]\nname = \"Priya Raman\"\norganisation = \"Customer: application owner\"\nattended = true\n\n\
                     [[attendees]]\nname = \"Sam Okafor\"\norganisation = \"Provider: cloud architect\"\nattended = true\n\n\
                     [[attendees]]\nname = \"Dana Whitfield\"\norganisation = \"Provider: CSDM\"\nattended = true\n\n\
                     [[attendees]]\nname = \"Lee Chen\"\norganisation = \"Customer: finance\"\nattended = false\n\n";
    let agenda = |items: &[(&str, &str)]| {
        items
            .iter()
            .map(|(item, owner)| format!("[[agenda]]\nitem = {}\nowner = {}\n\n", quote(item), quote(owner)))
            .collect::<String>()
    };
    let weekly = format!(
        "# Notes of the weekly status review.\nnext_meeting = {}\n\n{}{attendees}\
         [[issues]]\ntitle = \"Checkout latency after the cache resize\"\nstatus = \"Application operator investigating\"\n\n\
         [[weekend_schedule]]\nwhen = \"Saturday 02:00-04:00\"\nwhat = \"Patch window: production web tier\"\nowner = \"Operations on call\"\n\n\
         [[weekend_schedule]]\nwhen = \"Sunday 06:00\"\nwhat = \"Quarterly restore test of the orders database\"\nowner = \"Sam Okafor\"\n\n\
         [[action_items]]\ntitle = \"Share the cache-resize load test results\"\nowner = \"Priya Raman\"\ndue = {}\nstatus = \"Open\"\n\n",
        week.last_day() + chrono::Duration::days(8),
        agenda(&[
            ("Actions from last week", "Dana Whitfield"),
            ("Open incidents and problem records", "Operations on call"),
            ("Security events", "Sam Okafor"),
            ("Patching and the coming change window", "Sam Okafor"),
            ("Application-operator concerns", "Priya Raman"),
            ("Weekend schedule", "Dana Whitfield"),
        ]),
        week.last_day() + chrono::Duration::days(5),
    );
    let quarterly = format!(
        "# Notes of the quarterly business review.\nnext_meeting = {}\n\n{attendees}\
         [[risks]]\ntitle = \"Single-AZ database for the orders service\"\nmitigation = \"Multi-AZ conversion in the next quarter; backups every 4 hours until then.\"\n\n\
         [[risks]]\ntitle = \"Windows Server 2016 end of support\"\nmitigation = \"Migration plan agreed; two workloads left.\"\n\n\
         [[plans]]\ntitle = \"Multi-AZ conversion of the orders database\"\nhorizon_months = 3\ndetail = \"Change window approved by the application owner.\"\n\n\
         [[plans]]\ntitle = \"Migrate the reporting cluster to Graviton\"\nhorizon_months = 6\n\n\
         [[plans]]\ntitle = \"Second region for disaster recovery\"\nhorizon_months = 12\ndetail = \"Pending budget approval.\"\n\n\
         [[initiatives]]\ntitle = \"Automate patch reporting for application owners\"\nowner = \"Dana Whitfield\"\nstatus = \"Proposed\"\nestimated_cost = 6500.0\ntarget_quarter = \"{}\"\nrecommendation = \"Patch compliance below target in two of the last six months\"\n\n\
         [[initiatives]]\ntitle = \"Rightsize idle EC2 instances flagged by Trusted Advisor\"\nowner = \"Sam Okafor\"\nstatus = \"Approved\"\n\n",
        quarter.last_day() + chrono::Duration::days(30),
        quarter.id().next().next(),
    );
    vec![(week.label(), weekly), (quarter.label(), quarterly)]
}

/// The action items a month's notes mention (see [`notes_toml`]).
fn action_items(month: YearMonth, back: usize) -> String {
    let next = month.next().first_day();
    let item = |title: &str, owner: &str, due: Option<chrono::NaiveDate>, status: &str| {
        let due = due.map(|due| format!("due = {due}\n")).unwrap_or_default();
        format!("[[action_items]]\ntitle = {}\nowner = {}\n{due}status = {}\n\n", quote(title), quote(owner), quote(status))
    };
    match back {
        2 => item("Approve the Multi-AZ change window", "Priya Raman", Some(next.with_day_safe(10)), "Open"),
        1 => item("Review Trusted Advisor security findings", "Sam Okafor", Some(next.with_day_safe(20)), "In progress"),
        0 => {
            item("Review Trusted Advisor security findings", "Sam Okafor", None, "Done")
                + &item("Confirm the disaster-recovery test date", "Dana Whitfield", Some(next.with_day_safe(5)), "Open")
        }
        _ => String::new(),
    }
}

trait WithDaySafe {
    fn with_day_safe(self, day: u32) -> chrono::NaiveDate;
}

impl WithDaySafe for chrono::NaiveDate {
    fn with_day_safe(self, day: u32) -> chrono::NaiveDate {
        use chrono::Datelike;
        self.with_day(day).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsreport_model::Notes;

    #[test]
    fn generated_notes_and_profiles_parse() {
        let account = AccountId::parse("012345678901").unwrap();
        for (index, back) in [(0, 0), (0, 1), (1, 2)] {
            let text = notes_toml(42, index, &account, YearMonth::parse("2026-10").unwrap(), back);
            let notes = Notes::from_toml(&text, "generated").unwrap();
            assert_eq!(notes.onboarding_status.is_some(), index == 0 && back > 0, "onboarding until the latest month");
            assert_eq!(notes.action_items.len(), if back == 0 { 2 } else { 1 });
            assert_eq!(notes.initiatives.len(), [3, 1, 2][back]);
            let profile = opsreport_model::memory::Profile::from_bytes(profile_toml(index).as_bytes(), "profile").unwrap();
            assert_eq!(profile.contacts.len(), 4);
        }
        let meetings = meeting_notes(YearMonth::parse("2026-10").unwrap());
        let labels: Vec<&str> = meetings.iter().map(|(label, _)| label.as_str()).collect();
        assert_eq!(labels, ["2026-W43", "2026-Q3"]);
        for (label, text) in &meetings {
            let notes = Notes::from_toml(text, label).unwrap();
            assert_eq!(notes.attendees.len(), 4);
            assert!(notes.next_meeting.is_some());
        }
    }
}
