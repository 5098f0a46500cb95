//! The console in a real browser: headless Chromium driven over WebDriver. The load balancer is
//! played by a header the browser sends with every request (a token signed by the test load
//! balancer). A CSDM sees only their accounts, adds an action item in the notes form, regenerates
//! the report, waits on the job page, opens the report page with its preview, and the new PDF's
//! text has the item; a second user cannot open the first user's account.

use std::time::Duration;

use opsreport_tests::console::{ACCOUNT_A, ACCOUNT_B, Console, with_reports};
use opsreport_tests::webdriver::{self, Browser};

#[test]
fn a_csdm_adds_an_action_item_and_regenerates_in_a_browser() {
    if !webdriver::available() {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium and chromium-driver (.ci/run installs them)");
        eprintln!("skipped: no /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
        return;
    }
    let directory = tempfile::tempdir().unwrap();
    let alb = with_reports(directory.path(), "");
    let console = Console::start(directory.path(), &[], &[]);
    let browser = Browser::start(&directory.path().join("profile"));

    // Dana signs in (the load balancer's header) and sees her account only.
    browser.set_header("x-amzn-oidc-data", &alb.token("dana@example.com", &[]));
    browser.open(&console.url("/"));
    let accounts = browser.source();
    assert!(accounts.contains(ACCOUNT_A) && !accounts.contains(ACCOUNT_B), "{accounts}");
    browser.click(&browser.find(&format!("a[href='/accounts/{ACCOUNT_A}']")));
    browser.click(&browser.find(&format!("a[href='/accounts/{ACCOUNT_A}/notes/2026-10']")));

    // She adds an action item in the first empty row and saves.
    let titles = browser.find_all("input[name^='action_items['][name$='].title']");
    let empty = titles.iter().find(|title| browser.property(title, "value") == "").expect("an empty row").clone();
    let name = browser.property(&empty, "name").as_str().unwrap().to_owned();
    browser.type_into(&empty, "Rehearse the failover runbook");
    browser.type_into(&browser.find(&format!("input[name='{}']", name.replace(".title", ".owner"))), "Dana Whitfield");
    browser.click(&browser.find("form.notes button[type='submit']"));
    browser.wait_for("id=\"saved\"", Duration::from_secs(10));

    // She regenerates October's report and waits on the job page.
    browser.open(&console.url(&format!("/accounts/{ACCOUNT_A}")));
    browser.type_into(&browser.find("input[name='period']"), "2026-10");
    browser.click(&browser.find("form.card button[type='submit']"));
    browser.wait_for("id=\"job-report\"", Duration::from_secs(120));
    assert!(browser.source().contains("Written"), "{}", browser.source());
    browser.click(&browser.find("#job-report"));
    let report = browser.wait_for("Preview", Duration::from_secs(10));
    assert!(report.contains("<iframe class=\"pdf\""), "{report}");
    let first_page = browser.find(".pages img");
    let started = std::time::Instant::now();
    while browser.property(&first_page, "naturalWidth").as_u64().unwrap_or(0) == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "the page image did not load");
        std::thread::sleep(Duration::from_millis(200));
    }

    let pdf = directory.path().join(format!("out/{ACCOUNT_A}/2026-10/report.pdf"));
    let text = std::process::Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Rehearse the failover runbook"), "{text}");

    // Sam, of the other customer, cannot open Dana's account.
    browser.set_header("x-amzn-oidc-data", &alb.token("sam@example.com", &["contoso"]));
    browser.open(&console.url(&format!("/accounts/{ACCOUNT_A}")));
    let refused = browser.source();
    assert!(refused.contains("Not available") && !refused.contains("Northwind"), "{refused}");
    browser.open(&console.url("/"));
    let sams = browser.source();
    assert!(sams.contains(ACCOUNT_B) && !sams.contains(ACCOUNT_A), "{sams}");
}
