//! The web layer's one error type, mapped once to an HTTP status. What the body looks like
//! (a site's 404 page, JSON for the API, the list of sites for an unknown host) is decided in
//! `web::errors_page`, which sees every error response.

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
    MethodNotAllowed(&'static str),
    #[error("U moet inloggen.")]
    Unauthorized,
    #[error("U mag dit niet doen.")]
    Forbidden,
    /// The edit was based on an older revision.
    #[error("{0}")]
    Conflict(String, i64),
    #[error("De invoer klopt niet: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.")]
    TooManyRequests,
    /// Still in use elsewhere.
    #[error("{0}")]
    InUse(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedType(String),
    #[error("media files: {0}")]
    Media(String),
    #[error("database error: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("the server is shutting down")]
    Blocking,
    #[error("search failed: {0}")]
    Search(String),
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
            EditError::Conflict { current, .. } => AppError::Conflict(e.to_string(), current),
            EditError::Invalid(problems) => AppError::Invalid(problems),
            EditError::InUse(_) => AppError::InUse(format!("Dit kan niet weg: {e}.")),
            EditError::Media(m) => m.into(),
            EditError::Db(db) => AppError::Db(db),
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
            MediaError::Encode(_) | MediaError::Io(_) => AppError::Media(e.to_string()),
        }
    }
}

impl AppError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            AppError::NotFound | AppError::Redirect { .. } => ErrorKind::NotFound,
            AppError::UnknownHost => ErrorKind::UnknownHost,
            AppError::BadRequest(_)
            | AppError::MethodNotAllowed(_)
            | AppError::Unauthorized
            | AppError::Forbidden
            | AppError::Conflict(..)
            | AppError::Invalid(_)
            | AppError::TooManyRequests
            | AppError::InUse(_)
            | AppError::TooLarge(_)
            | AppError::UnsupportedType(_) => ErrorKind::BadRequest,
            AppError::Db(_) | AppError::Pool(_) | AppError::Render(_) | AppError::Blocking | AppError::Search(_) | AppError::Media(_) => {
                ErrorKind::Internal
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        AppError::Blocking
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
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Conflict(..) => StatusCode::PRECONDITION_FAILED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::InUse(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Pool(_) | AppError::Blocking => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Render(_) | AppError::Search(_) | AppError::Media(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
        let message = if self.kind() == ErrorKind::Internal {
            tracing::error!(error = %self, "request failed");
            "Er ging iets mis aan onze kant. Probeer het later opnieuw.".to_owned()
        } else {
            self.to_string()
        };
        let mut response = HttpResponse::build(status).content_type("text/plain; charset=utf-8").body(message.clone());
        match self {
            AppError::Unauthorized => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::MethodNotAllowed(allow) => {
                response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            AppError::Conflict(_, current) => {
                response.extensions_mut().insert(ErrorDetails(serde_json::json!({ "current_revision": current })));
            }
            AppError::Invalid(problems) => {
                response.extensions_mut().insert(ErrorDetails(serde_json::json!({ "problems": problems })));
            }
            _ => {}
        }
        response.extensions_mut().insert(self.kind());
        response.extensions_mut().insert(ErrorMessage(message));
        response
    }
}
