//! The account of a request, checked once: an extractor that signs the user in, reads the
//! `{account}` of the path and lets the handler run only if the user may see that account (a
//! refused account, a missing one and a malformed id get the same 403 page). Report routes take
//! the period of their `{kind}` and `{period}` too (a period that is not one of that kind is 404).

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::Response;
use opsreport_model::{AccountId, PeriodKind, ReportPeriod, Subject};

use super::Console;
use super::auth::User;
use super::pages::{CurrentUser, not_found_page};

/// A signed-in user and an account they may see.
pub struct Allowed {
    /// The user.
    pub user: User,
    /// The account of the path.
    pub account: AccountId,
}

/// A signed-in user, an account (`{account}`) or customer (`{customer}`) they may see, and a
/// period of the path's kind.
pub struct AllowedReport {
    /// The user.
    pub user: User,
    /// The account or customer of the path.
    pub subject: Subject,
    /// The period of the path.
    pub period: ReportPeriod,
}

/// The path's parameters by name (as the router captured them).
async fn path_value(parts: &mut Parts, console: &Arc<Console>, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, console).await.ok()?;
    params.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_owned())
}

impl FromRequestParts<Arc<Console>> for Allowed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Arc<Console>) -> Result<Self, Response> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, console).await?;
        let id = path_value(parts, console, "account").await.unwrap_or_default();
        let account = console.account(&user, &id)?;
        Ok(Self { user, account })
    }
}

impl FromRequestParts<Arc<Console>> for AllowedReport {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Arc<Console>) -> Result<Self, Response> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, console).await?;
        let subject = match path_value(parts, console, "customer").await {
            Some(id) => Subject::Customer(console.customer(&user, &id)?),
            None => {
                let id = path_value(parts, console, "account").await.unwrap_or_default();
                Subject::Account(console.account(&user, &id)?)
            }
        };
        let kind = path_value(parts, console, "kind").await;
        let label = path_value(parts, console, "period").await;
        let kind = kind.as_deref().and_then(PeriodKind::parse);
        let (Some(kind), Some(label)) = (kind, label) else { return Err(not_found_page(&user)) };
        let period = console.period(&user, kind, &label)?;
        Ok(Self { user, subject, period })
    }
}
