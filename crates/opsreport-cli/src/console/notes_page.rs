//! The notes editor's handlers: the form of a period's notes or of the profile, with the action
//! items carried over from earlier notes, and its save — checked like the file loader, and
//! written only over the version the form was opened at.

use std::collections::BTreeMap;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use opsreport_model::memory::{self, Profile};
use opsreport_model::notes::ActionItem;
use opsreport_model::{AccountId, Notes, ReportPeriod};
use serde::Deserialize;

use super::Console;
use super::allowed::Allowed;
use super::auth::User;
use super::notes_form::{self, FieldErrors, SectionSpec, Values};
use super::pages::{Shared, assembled_notes, message, not_found_page, page, store_failed};
use super::store::{Expect, StoreError};
use super::views::{CarriedView, CellView, NotesPage, RowView, SectionView};
use opsreport_model::notes::ACTION_ITEM_STATUSES;

/// `?period=` of the notes opener.
#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

/// `GET /accounts/{account}/notes?period=…`: opens the notes of a period typed in.
pub async fn notes_for(State(console): Shared, Allowed { user, account }: Allowed, Query(query): Query<PeriodQuery>) -> Response {
    let label = query.period.unwrap_or_default().trim().to_owned();
    match notes_period(&console, &label) {
        Some(_) => Redirect::to(&format!("/accounts/{account}/notes/{label}")).into_response(),
        None => {
            let text =
                format!("{label:?} is not a period: write 2026-10 for a month, 2026-W43 for a week, 2026-Q3 for a quarter.");
            message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &user.email,
                "Not a period",
                &text,
                "error",
                Some(("Back", &format!("/accounts/{account}"))),
            )
        }
    }
}

/// The period of a notes label (`None` for `profile` or a label that is not a period's).
fn notes_period(console: &Console, label: &str) -> Option<Option<ReportPeriod>> {
    if label == "profile" {
        return Some(None);
    }
    ReportPeriod::from_label(label, console.zone).ok().filter(|period| period.label() == label).map(Some)
}

/// The notes form as the template shows it: the profile's sections, or those of the period's
/// kind of meeting (and any other that holds values).
fn section_views(values: &Values, errors: &FieldErrors, period: Option<&ReportPeriod>) -> Vec<SectionView> {
    let sections = match period {
        Some(period) => notes_form::sections_of_kind(period.kind(), values),
        None => notes_form::sections(true),
    };
    sections
        .into_iter()
        .map(|section| SectionView {
            title: section.title,
            help: section.help,
            list: section.list,
            labels: section.fields.iter().map(|field| field.label).collect(),
            rows: row_views(section, values, errors),
        })
        .collect()
}

fn row_views(section: &SectionSpec, values: &Values, errors: &FieldErrors) -> Vec<RowView> {
    let cells = |row: Option<usize>| {
        section
            .fields
            .iter()
            .map(|field| {
                let name = notes_form::name(section, row, field);
                let value = values.get(&name).cloned().unwrap_or_default();
                let choices = field.kind.choices();
                CellView {
                    unlisted: !choices.is_empty() && !value.is_empty() && notes_form::choice(choices, &value).is_none(),
                    value,
                    error: errors.get(&name).cloned(),
                    label: field.label,
                    kind: field.kind.name(),
                    choices,
                    name,
                }
            })
            .collect()
    };
    if !section.list {
        return vec![RowView { cells: cells(None), remove: None }];
    }
    let mut rows = notes_form::rows(section, values);
    // Two empty rows to add to the list (without JavaScript).
    let next = rows.last().map_or(0, |last| last + 1);
    rows.extend([next, next + 1]);
    rows.into_iter().map(|row| RowView { cells: cells(Some(row)), remove: Some(notes_form::remove_name(section, row)) }).collect()
}

/// What the notes page shows besides the form's values.
struct NotesState {
    values: Values,
    errors: FieldErrors,
    problems: Vec<String>,
    version: String,
    saved: bool,
    /// Submitted statuses of carried items, by identity.
    carried_status: BTreeMap<String, String>,
}

async fn notes_page(
    console: &Console,
    user: &User,
    account: &AccountId,
    label: &str,
    period: Option<ReportPeriod>,
    state: NotesState,
    status: StatusCode,
) -> Response {
    let mut problems = state.problems;
    let carried = match &period {
        Some(period) => match assembled_notes(console, account.as_str(), period).await {
            Ok(notes) => notes.action_items,
            Err(problem) => {
                problems.push(format!("Earlier notes could not be read for the items they carry over: {problem}"));
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let carried = carried
        .iter()
        .filter(|item| item.carried)
        .map(|item| {
            let key = memory::identity(item);
            let status = state.carried_status.get(&key).cloned().unwrap_or_else(|| item.status.clone().unwrap_or_default());
            CarriedView {
                unlisted: !status.is_empty() && notes_form::choice(ACTION_ITEM_STATUSES, &status).is_none(),
                status,
                key,
                title: item.title.clone(),
                owner: item.owner.clone().unwrap_or_default(),
                due: item.due.clone().unwrap_or_default(),
                since: item.first_noted.map(|noted| noted.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let heading = match &period {
        Some(period) => format!("Notes · {}", opsreport_render::format::period_label(period.id())),
        None => "Account profile".to_owned(),
    };
    let view = NotesPage {
        user: user.email.clone(),
        account: account.to_string(),
        label: label.to_owned(),
        heading,
        location: format!("notes/{account}/{label}.toml"),
        statuses: ACTION_ITEM_STATUSES,
        saved: state.saved,
        problems,
        csrf: console.csrf(user),
        version: state.version,
        carried,
        sections: section_views(&state.values, &state.errors, period.as_ref()),
    };
    page(status, &view)
}

/// `?saved=1` after a save.
#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /accounts/{account}/notes/{label}`: the editor of a period's notes or of the profile.
pub async fn notes(
    State(console): Shared,
    Allowed { user, account }: Allowed,
    Path((_, label)): Path<(String, String)>,
    Query(query): Query<SavedQuery>,
) -> Response {
    let Some(period) = notes_period(&console, &label) else { return not_found_page(&user) };
    let path = format!("{account}/{label}.toml");
    let file = match console.notes.get(&path).await {
        Ok(file) => file,
        Err(error) => return store_failed(&user, error),
    };
    let (shown, profile) = (path_shown(&path), period.is_none());
    // Parsed and checked off the async workers (a notes file may be 256 KiB of TOML).
    let read = tokio::task::spawn_blocking(move || match file {
        Some(file) => {
            let problem = validate(&file.bytes, &shown, profile).err();
            let problems =
                problem.map(|problem| format!("The saved file has a problem the reports refuse, fix it here: {problem}"));
            (saved_values(&file.bytes, profile), file.version, problems.into_iter().collect())
        }
        None => (Values::new(), String::new(), Vec::new()),
    });
    let (values, version, problems) = read.await.unwrap_or_default();
    let state = NotesState {
        values,
        errors: FieldErrors::new(),
        problems,
        version,
        saved: query.saved.is_some(),
        carried_status: BTreeMap::new(),
    };
    notes_page(&console, &user, &account, &label, period, state, StatusCode::OK).await
}

/// The file loader's verdict on a notes or profile file.
fn validate(bytes: &[u8], origin: &str, profile: bool) -> Result<(), String> {
    if profile {
        Profile::from_bytes(bytes, origin).map(|_| ()).map_err(|error| error.message)
    } else {
        Notes::from_bytes(bytes, origin).map(|_| ()).map_err(|error| error.message)
    }
}

/// `POST /accounts/{account}/notes/{label}`: checks the form like the file loader, then saves
/// it if nobody saved the file since it was opened.
pub async fn save_notes(
    State(console): Shared,
    Allowed { user, account }: Allowed,
    Path((_, label)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Some(period) = notes_period(&console, &label) else { return not_found_page(&user) };
    let field = |name: &str| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    if let Err(refused) = console.check_csrf(&user, field("csrf").as_deref()) {
        return refused;
    }
    let version = field("version").unwrap_or_default();
    let (values, carried_status) = tokio::task::spawn_blocking(move || {
        let values: Values = pairs.iter().filter(|(key, _)| !key.starts_with("carried[")).cloned().collect();
        (values, carried_statuses(&pairs))
    })
    .await
    .unwrap_or_default();
    let mut state = NotesState {
        values: values.clone(),
        errors: FieldErrors::new(),
        problems: Vec::new(),
        version: version.clone(),
        saved: false,
        carried_status,
    };
    let profile = period.is_none();
    let path = format!("{account}/{label}.toml");
    let refused = match checked_table(&console, &path, &values, profile).await {
        Err(error) => return store_failed(&user, error),
        Ok(Err(errors)) => {
            state.errors = errors;
            Err("Some fields need a change; they are marked below. Nothing was saved.".to_owned())
        }
        Ok(Ok(table)) => carried_status_problem(&state.carried_status).map_or(Ok(table), Err),
    };
    let mut table = match refused {
        Ok(table) => table,
        Err(problem) => {
            state.problems.push(problem);
            return notes_page(&console, &user, &account, &label, period, state, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    if let Some(period) = &period {
        let carried =
            assembled_notes(&console, account.as_str(), period).await.map(|notes| notes.action_items).unwrap_or_default();
        add_carried_updates(&mut table, &carried, &state.carried_status);
    }
    let text = notes_text(&table, &account, &label, &user);
    let (shown, checked_text) = (path_shown(&path), text.clone());
    let verdict = tokio::task::spawn_blocking(move || validate(checked_text.as_bytes(), &shown, profile)).await;
    if let Err(problem) = verdict.unwrap_or_else(|_| Err("the notes could not be checked".into())) {
        state.problems.push(format!("The notes were not saved: {problem}"));
        return notes_page(&console, &user, &account, &label, period, state, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let expect = if version.is_empty() { Expect::Absent } else { Expect::Version(version) };
    match console.notes.put(&path, text.into_bytes(), expect).await {
        Ok(_) => {
            tracing::info!("console: {} saved {}", user.email, console.notes.describe(&path));
            Redirect::to(&format!("/accounts/{account}/notes/{label}?saved=1")).into_response()
        }
        Err(StoreError::Conflict(_)) => {
            state.problems.push(
                "Someone else saved these notes since you opened them. Your changes are below and were not saved: open the notes again to see theirs, then repeat your changes.".into(),
            );
            notes_page(&console, &user, &account, &label, period, state, StatusCode::CONFLICT).await
        }
        Err(error) => store_failed(&user, error),
    }
}

/// The form checked field by field (off the async workers), a status the saved file already
/// holds kept as it is.
async fn checked_table(
    console: &Console,
    path: &str,
    values: &Values,
    profile: bool,
) -> Result<Result<toml::Table, FieldErrors>, StoreError> {
    let saved = console.notes.get(path).await?;
    let form = values.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let kept = saved.map(|file| notes_form::kept_choices(&saved_values(&file.bytes, profile), profile)).unwrap_or_default();
        notes_form::table_of(&form, profile, &kept)
    })
    .await;
    Ok(checked.unwrap_or_else(|_| Err(FieldErrors::new())))
}

/// A carried item's new status that is not one of an action item's.
fn carried_status_problem(statuses: &BTreeMap<String, String>) -> Option<String> {
    let status =
        statuses.values().find(|status| !status.is_empty() && notes_form::choice(ACTION_ITEM_STATUSES, status).is_none())?;
    Some(format!(
        "{status:?} is not a status of an action item (choose one of {}); nothing was saved.",
        ACTION_ITEM_STATUSES.join(", ")
    ))
}

/// `carried[i].key` and `carried[i].status` of a submitted form, by identity (one pass over the
/// form, whatever its size).
fn carried_statuses(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    let mut rows: BTreeMap<&str, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for (name, value) in pairs {
        let Some(rest) = name.strip_prefix("carried[") else { continue };
        let Some((row, field)) = rest.split_once("].") else { continue };
        let entry = rows.entry(row).or_default();
        match field {
            "key" => entry.0 = entry.0.or(Some(value.as_str())),
            "status" => entry.1 = entry.1.or(Some(value.as_str())),
            _ => {}
        }
    }
    rows.into_values()
        .filter_map(|(key, status)| Some((key?.trim().to_owned(), status.unwrap_or_default().trim().to_owned())))
        .collect()
}

/// The form values of a saved file (none when it is no TOML).
fn saved_values(bytes: &[u8], profile: bool) -> Values {
    let table = std::str::from_utf8(bytes).ok().and_then(|text| toml::from_str::<toml::Table>(text).ok());
    table.map(|table| notes_form::values_of(&table, profile)).unwrap_or_default()
}

/// A notes file as messages name it: by its place among the notes, not on the server.
fn path_shown(path: &str) -> String {
    format!("notes/{path}")
}

/// A carried item whose status was changed goes into the period's notes with its new status
/// (unless the period's own items already name it).
fn add_carried_updates(table: &mut toml::Table, carried: &[ActionItem], statuses: &BTreeMap<String, String>) {
    let own: std::collections::HashSet<String> = table
        .get("action_items")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| toml::Value::try_into::<ActionItem>(item.clone()).ok())
        .map(|item| memory::identity(&item))
        .collect();
    for item in carried.iter().filter(|item| item.carried) {
        let key = memory::identity(item);
        let Some(status) = statuses.get(&key).filter(|status| !status.is_empty()) else { continue };
        if Some(status.as_str()) == item.status.as_deref() || own.contains(&key) {
            continue;
        }
        let mut entry = toml::Table::new();
        if let Some(id) = &item.id {
            entry.insert("id".into(), toml::Value::String(id.clone()));
        }
        entry.insert("title".into(), toml::Value::String(item.title.clone()));
        for (key, value) in [("owner", &item.owner), ("due", &item.due)] {
            if let Some(value) = value {
                entry.insert(key.into(), toml::Value::String(value.clone()));
            }
        }
        entry.insert("status".into(), toml::Value::String(status.clone()));
        let items = table.entry("action_items").or_insert_with(|| toml::Value::Array(Vec::new()));
        if let Some(items) = items.as_array_mut() {
            items.push(toml::Value::Table(entry));
        }
    }
}

/// The saved file: a comment naming who saved it, then the TOML.
fn notes_text(table: &toml::Table, account: &AccountId, label: &str, user: &User) -> String {
    let what = if label == "profile" { "Profile".to_owned() } else { format!("Notes of {label}") };
    let body = toml::to_string(table).unwrap_or_default();
    format!(
        "# {what} for account {account}, saved in the opsreport console by {} on {}.\n{body}",
        user.email,
        chrono::Utc::now().format("%Y-%m-%d")
    )
}
