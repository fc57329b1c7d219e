//! Reading a `multipart/form-data` upload: one file part (`file`) and short text fields, with
//! the size limit enforced while the body streams in, so an oversized upload is refused before
//! it is held in memory.

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::StreamExt;

use super::error::AppError;
use crate::edit::Upload;

/// The longest text field (alt text, CSRF token, revision).
const MAX_FIELD: usize = 8 * 1024;
/// The most parts a form may have.
const MAX_PARTS: usize = 16;

/// The parts of an upload form.
pub struct UploadForm {
    /// The `file` part, if one was sent.
    pub file: Option<Upload>,
    pub fields: HashMap<String, String>,
}

impl UploadForm {
    /// The file, with the alt text and decorative mark of the form.
    pub fn upload(mut self) -> Result<(Upload, HashMap<String, String>), AppError> {
        let mut upload = self.file.take().ok_or_else(|| AppError::Invalid(vec!["file: kies een afbeelding om te uploaden".into()]))?;
        upload.alt = self.fields.get("alt").cloned().unwrap_or_default();
        // The admin's checkbox sends "true" when ticked and nothing when not; the API says
        // "true" or "false". Anything else is a mistake, not a "no".
        upload.decorative = match self.fields.get("decorative").map(|v| v.trim()) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => return Err(AppError::Invalid(vec![format!("decorative: {other:?} is not true or false")])),
        };
        Ok((upload, self.fields))
    }
}

/// Reads an upload form; a file larger than `max_bytes` is refused as soon as it passes it.
pub async fn read(mut payload: Multipart, max_bytes: usize) -> Result<UploadForm, AppError> {
    let malformed = |e: actix_multipart::MultipartError| AppError::BadRequest(format!("send the upload as multipart/form-data ({e})"));
    let mut form = UploadForm { file: None, fields: HashMap::new() };
    let mut parts = 0;
    while let Some(part) = payload.next().await {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(AppError::BadRequest(format!("an upload form has at most {MAX_PARTS} parts")));
        }
        let mut part = part.map_err(malformed)?;
        let name = part.name().unwrap_or("").to_owned();
        let filename = part.content_disposition().and_then(|d| d.get_filename()).map(str::to_owned);
        let content_type = part.content_type().map(|m| m.essence_str().to_owned());
        let is_file = name == "file";
        let limit = if is_file { max_bytes } else { MAX_FIELD };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            if bytes.len() + chunk.len() > limit {
                return Err(if is_file {
                    AppError::TooLarge(format!("De afbeelding is niet opgeslagen: het bestand is groter dan {} MB.", max_bytes / (1024 * 1024)))
                } else {
                    AppError::BadRequest(format!("field {name:?} is too long"))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        // A form sent without choosing a file has an empty, nameless file part.
        if is_file && bytes.is_empty() && filename.as_deref().unwrap_or("").is_empty() {
            continue;
        }
        if is_file {
            if form.file.is_some() {
                return Err(AppError::Invalid(vec!["file: upload één afbeelding tegelijk".into()]));
            }
            form.file = Some(Upload { bytes, filename, content_type, ..Upload::default() });
        } else if !name.is_empty() {
            let text = String::from_utf8(bytes).map_err(|_| AppError::BadRequest(format!("field {name:?} is not UTF-8 text")))?;
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}
