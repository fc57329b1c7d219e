//! The web layer's one error type, mapped once to an HTTP status. What the body looks like
//! (a site's 404 page, JSON for the API, the list of sites for an unknown host) is decided in
//! `web::errors_page`, which sees every error response.
//!
//! # Error policy
//!
//! - Outside requests (start-up, commands) errors are `anyhow`-like messages for operators.
//! - Models return `diesel::QueryResult`; each layer above has one typed error: `AccountError`
//!   (auth), `EditError` (edit), `MediaError` (media), `ImportError` (content) and this
//!   `AppError` for handlers. Each converts into the next exactly once, below, with `From`.
//! - Every kind has its true status: what the client did wrong is 4xx with a message that says
//!   what and where; what failed on our side is 500 (logged, never shown: the client gets a
//!   generic sentence); a resource that is busy or not connected is 503 with `Retry-After`.
//!   An internal failure is never 400.
//! - Refusals (401, 403) say nothing about whether the item exists in another scope; the
//!   `Editor` audits them.
//! - Handlers never build error responses themselves, except admin forms that show their
//!   problems on the page (422 with the form).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::render::templates::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("Deze pagina bestaat niet.")]
    NotFound,
    #[error("Deze website is hier niet bekend.")]
    UnknownHost,
    #[error("redirect to {location}")]
    Redirect { location: String, permanent: bool },
    #[error("{0}")]
    BadRequest(String),
    /// With the methods the resource does allow, for the `Allow` header.
    #[error("Deze methode is hier niet toegestaan.")]
    MethodNotAllowed(String),
    #[error("U moet inloggen.")]
    Unauthorized,
    #[error("U mag dit niet doen.")]
    Forbidden,
    /// Four eyes: the author of a change may not approve it.
    #[error("U kunt uw eigen wijziging niet goedkeuren of terugsturen: dat doet een andere redacteur.")]
    OwnChange,
    /// The change was kept as a proposal that waits for approval (202, not an error to the
    /// writer: the admin API answers it as such, the admin pages say so).
    #[error("Uw wijziging wacht op goedkeuring door een andere redacteur (voorstel {0}).")]
    AwaitingApproval(i64),
    /// Staged in a release (202): it is published with the release.
    #[error("Uw wijziging staat in release {0} (wijziging {1}) en wordt met die release gepubliceerd.")]
    Staged(i64, i64),
    /// The edit was based on an older revision.
    #[error("{0}")]
    Conflict(String, i64),
    /// Another save of the same item came in between; its revision is not known here.
    #[error("Iemand anders sloeg dit tegelijk op. Laad het opnieuw en probeer het nog eens.")]
    ChangedMeanwhile,
    /// An update of an existing item that does not say which revision it is based on.
    #[error("Zeg op welke versie deze wijziging is gebaseerd: stuur If-Match met de revisie (of revision in de inhoud). De huidige revisie is {0}.")]
    PreconditionRequired(i64),
    #[error("De invoer klopt niet: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// Too many requests from this client: try again after this many seconds.
    #[error("Te veel verzoeken. Probeer het over {0} seconden opnieuw.")]
    TooManyRequests(u64),
    /// Still in use elsewhere.
    #[error("{0}")]
    InUse(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedType(String),
    /// Busy or not connected: try again soon.
    #[error("De website is even te druk. Probeer het zo opnieuw.")]
    Unavailable(String),
    /// Anything that failed on our side; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("{0}")]
    Render(#[from] RenderError),
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("no database connection: {e}"))
    }
}

impl From<crate::auth::accounts::AccountError> for AppError {
    fn from(e: crate::auth::accounts::AccountError) -> Self {
        use crate::auth::accounts::AccountError;
        use crate::auth::secrets::SecretError;
        match e {
            AccountError::Db(db) => AppError::Db(db),
            AccountError::Pool(p) => p.into(),
            AccountError::Invalid(m) => AppError::Invalid(vec![m]),
            AccountError::Secret(e @ (SecretError::TooShort | SecretError::TooLong)) => AppError::Invalid(vec![e.to_string()]),
            AccountError::Secret(SecretError::Busy) => AppError::Unavailable(SecretError::Busy.to_string()),
            AccountError::Secret(other) => AppError::Internal(other.to_string()),
        }
    }
}

/// The kind of an error response, kept on the response for `errors_page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    UnknownHost,
    BadRequest,
    Internal,
}

/// The message of an error response, for residents or API clients.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

/// More about an error, for API clients (the problems of invalid input, the current revision).
#[derive(Debug, Clone)]
pub struct ErrorDetails(pub serde_json::Value);

impl From<crate::edit::EditError> for AppError {
    fn from(e: crate::edit::EditError) -> Self {
        use crate::edit::EditError;
        match e {
            EditError::NotFound => AppError::NotFound,
            EditError::Forbidden => AppError::Forbidden,
            EditError::OwnChange => AppError::OwnChange,
            EditError::AwaitingApproval { id } => AppError::AwaitingApproval(id),
            EditError::Staged { release, id } => AppError::Staged(release, id),
            EditError::Conflict { current, .. } => AppError::Conflict(e.to_string(), current),
            EditError::Invalid(problems) => AppError::Invalid(problems.iter().map(ToString::to_string).collect()),
            EditError::InUse(_) => AppError::InUse(format!("Dit kan niet weg: {e}.")),
            EditError::PreconditionRequired { current } => AppError::PreconditionRequired(current),
            EditError::Media(m) => m.into(),
            EditError::ChangedMeanwhile => AppError::ChangedMeanwhile,
            EditError::Db(db) => AppError::Db(db),
            EditError::Unavailable(m) => AppError::Unavailable(m),
            EditError::Internal(m) => AppError::Internal(m),
        }
    }
}

impl From<crate::media::MediaError> for AppError {
    fn from(e: crate::media::MediaError) -> Self {
        use crate::media::MediaError;
        let message = format!("De afbeelding is niet opgeslagen: {e}.");
        match e {
            MediaError::TooLarge { .. } | MediaError::TooManyPixels { .. } => AppError::TooLarge(message),
            MediaError::Unsupported(_) => AppError::UnsupportedType(message),
            MediaError::Mismatch(_) | MediaError::Corrupt(_) | MediaError::Polyglot(_) => AppError::Invalid(vec![message]),
            MediaError::Busy => AppError::Unavailable(e.to_string()),
            MediaError::Encode(_) | MediaError::Io(_) => AppError::Internal(format!("media files: {e}")),
        }
    }
}

impl AppError {
    pub fn kind(&self) -> ErrorKind {
        match self.status_code() {
            StatusCode::NOT_FOUND if matches!(self, AppError::UnknownHost) => ErrorKind::UnknownHost,
            StatusCode::NOT_FOUND | StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => ErrorKind::NotFound,
            s if s.is_server_error() => ErrorKind::Internal,
            _ => ErrorKind::BadRequest,
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    /// The blocking pool is gone (shutting down) or the work on it panicked: ours either way.
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task failed: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::UnknownHost => StatusCode::NOT_FOUND,
            AppError::Redirect { permanent: true, .. } => StatusCode::MOVED_PERMANENTLY,
            AppError::Redirect { permanent: false, .. } => StatusCode::FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::OwnChange => StatusCode::FORBIDDEN,
            AppError::AwaitingApproval(_) | AppError::Staged(..) => StatusCode::ACCEPTED,
            AppError::Conflict(..) | AppError::ChangedMeanwhile => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::InUse(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) | AppError::Db(_) | AppError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let AppError::Redirect { location, .. } = self {
            let mut response = HttpResponse::build(status).finish();
            if let Ok(value) = HeaderValue::from_str(location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            return response;
        }
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            "Er ging iets mis aan onze kant. Probeer het later opnieuw.".to_owned()
        } else if let AppError::Unavailable(why) = self {
            tracing::warn!(reason = %why, "request refused: busy");
            self.to_string()
        } else {
            self.to_string()
        };
        let mut response = HttpResponse::build(status).content_type("text/plain; charset=utf-8").body(message.clone());
        match self {
            AppError::Unauthorized => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::MethodNotAllowed(allow) => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.headers_mut().insert(header::ALLOW, value);
                }
            }
            AppError::Conflict(_, current) | AppError::PreconditionRequired(current) => {
                response.extensions_mut().insert(ErrorDetails(serde_json::json!({ "current_revision": current })));
            }
            AppError::TooManyRequests(seconds) => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*seconds));
            }
            AppError::Unavailable(_) => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            AppError::Invalid(problems) => {
                // Each problem also as its field (a JSON pointer into the document) and message.
                let fields: Vec<crate::content::limits::Problem> = problems.iter().map(|p| p.as_str().into()).collect();
                response.extensions_mut().insert(ErrorDetails(serde_json::json!({ "problems": problems, "fields": fields })));
            }
            _ => {}
        }
        response.extensions_mut().insert(self.kind());
        response.extensions_mut().insert(ErrorMessage(message));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every kind, with the status it must have. The match is exhaustive, so a new kind
    /// does not compile until it is listed here.
    fn every_kind() -> Vec<(AppError, u16)> {
        let all = vec![
            (AppError::NotFound, 404),
            (AppError::UnknownHost, 404),
            (AppError::Redirect { location: "/x".into(), permanent: true }, 301),
            (AppError::Redirect { location: "/x".into(), permanent: false }, 302),
            (AppError::BadRequest("x".into()), 400),
            (AppError::MethodNotAllowed("GET".into()), 405),
            (AppError::Unauthorized, 401),
            (AppError::Forbidden, 403),
            (AppError::OwnChange, 403),
            (AppError::AwaitingApproval(1), 202),
            (AppError::Staged(1, 2), 202),
            (AppError::Conflict("x".into(), 3), 412),
            (AppError::ChangedMeanwhile, 412),
            (AppError::PreconditionRequired(3), 428),
            (AppError::Invalid(vec!["x".into()]), 422),
            (AppError::TooManyRequests(7), 429),
            (AppError::InUse("x".into()), 409),
            (AppError::TooLarge("x".into()), 413),
            (AppError::UnsupportedType("x".into()), 415),
            (AppError::Unavailable("x".into()), 503),
            (AppError::Internal("x".into()), 500),
            (AppError::Db(diesel::result::Error::BrokenTransactionManager), 500),
            (AppError::Render(RenderError::Template("x".into())), 500),
        ];
        for (e, _) in &all {
            match e {
                AppError::NotFound
                | AppError::UnknownHost
                | AppError::Redirect { .. }
                | AppError::BadRequest(_)
                | AppError::MethodNotAllowed(_)
                | AppError::Unauthorized
                | AppError::Forbidden
                | AppError::OwnChange
                | AppError::AwaitingApproval(_)
                | AppError::Staged(..)
                | AppError::Conflict(..)
                | AppError::ChangedMeanwhile
                | AppError::PreconditionRequired(_)
                | AppError::Invalid(_)
                | AppError::TooManyRequests(_)
                | AppError::InUse(_)
                | AppError::TooLarge(_)
                | AppError::UnsupportedType(_)
                | AppError::Unavailable(_)
                | AppError::Internal(_)
                | AppError::Db(_)
                | AppError::Render(_) => {}
            }
        }
        all
    }

    #[test]
    fn every_kind_has_its_status() {
        for (error, status) in every_kind() {
            let response = error.error_response();
            assert_eq!(response.status().as_u16(), status, "{error:?}");
            if status >= 500 {
                assert_eq!(error.kind(), ErrorKind::Internal, "{error:?}");
            }
            if status == 500 {
                let message = response.extensions().get::<ErrorMessage>().map(|m| m.0.clone()).unwrap_or_default();
                assert!(!message.contains("x") || message.starts_with("Er ging"), "internal details stay in the log: {message}");
            }
        }
        let throttled = AppError::TooManyRequests(7).error_response();
        assert_eq!(throttled.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("7"));
        assert!(AppError::Unavailable("x".into()).error_response().headers().contains_key(header::RETRY_AFTER));
    }

    #[test]
    fn lower_layers_map_to_their_true_status() {
        use crate::auth::accounts::AccountError;
        use crate::auth::secrets::SecretError;
        use crate::edit::EditError;
        let cases: Vec<(AppError, u16)> = vec![
            (EditError::NotFound.into(), 404),
            (EditError::Forbidden.into(), 403),
            (EditError::OwnChange.into(), 403),
            (EditError::AwaitingApproval { id: 1 }.into(), 202),
            (EditError::Staged { release: 1, id: 2 }.into(), 202),
            (EditError::Conflict { based_on: 1, current: 2 }.into(), 412),
            (EditError::ChangedMeanwhile.into(), 412),
            (EditError::PreconditionRequired { current: 2 }.into(), 428),
            (EditError::Invalid(vec!["x".into()]).into(), 422),
            (EditError::InUse(vec!["x".into()]).into(), 409),
            (EditError::Unavailable("x".into()).into(), 503),
            (EditError::Internal("x".into()).into(), 500),
            (EditError::Db(diesel::result::Error::NotFound).into(), 500),
            (AccountError::Secret(SecretError::Hash("x".into())).into(), 500),
            (AccountError::Secret(SecretError::Random("x".into())).into(), 500),
            (AccountError::Secret(SecretError::TooShort).into(), 422),
            (AccountError::Secret(SecretError::Busy).into(), 503),
            (AccountError::Invalid("x".into()).into(), 422),
            (crate::media::MediaError::Busy.into(), 503),
            (crate::media::MediaError::Io(std::io::Error::other("x")).into(), 500),
            (crate::media::MediaError::Unsupported("x".into()).into(), 415),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code().as_u16(), status, "{error:?}");
        }
    }
}
