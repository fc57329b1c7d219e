//! Turning content into what residents get: sanitised Markdown, templates, themes.

pub mod diff;
pub mod markdown;
pub mod paths;
pub mod templates;
pub mod tokens;
pub mod views;
