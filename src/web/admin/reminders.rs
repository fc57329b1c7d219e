//! `/admin/herinneringen`: an editor chooses whether they get an e-mail digest of what needs
//! them (`edit::digest`), daily, weekly or not at all.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Choice, admin_context, check_csrf, page, see_other, signed_in, with_editor};
use crate::edit::digest::{DigestChoice, Frequency};
use crate::render::views::Link;
use crate::web::AppState;
use crate::web::error::AppError;

const CHOICES: [(Frequency, &str, &str); 3] =
    [(Frequency::Off, "uit", "Geen e-mail"), (Frequency::Daily, "dagelijks", "Elke dag"), (Frequency::Weekly, "wekelijks", "Elke maandag")];

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    let choice = with_editor(&req, &state, &signed, |ed, _| Ok(ed.digest_choice()?)).await?;
    let mut c = admin_context(&state, Some(&signed), "Herinneringen per e-mail", vec![Link { title: "Overzicht".into(), url: "/admin".into() }]);
    c.insert("choices", &CHOICES.iter().map(|(f, value, label)| Choice { value: (*value).into(), label: (*label).into(), selected: *f == choice.frequency }).collect::<Vec<_>>());
    c.insert("mail", &state.config.smtp_url.is_some());
    c.insert("saved", &req.query_string().contains("opgeslagen"));
    page(&state, StatusCode::OK, "admin/reminders.html", &c)
}

pub async fn save(req: HttpRequest, state: web::Data<AppState>, form: web::Form<HashMap<String, String>>) -> Result<HttpResponse, AppError> {
    let signed = signed_in(&req, &state).await?;
    check_csrf(&form, &signed)?;
    let wanted = form.get("frequentie").map(String::as_str).unwrap_or("");
    let frequency = CHOICES.iter().find(|(_, value, _)| *value == wanted).map(|(f, _, _)| *f).ok_or_else(|| AppError::Invalid(vec![format!("frequentie: kies uit, dagelijks of wekelijks, niet {wanted:?}")]))?;
    with_editor(&req, &state, &signed, move |ed, _| Ok(ed.set_digest_choice(DigestChoice { frequency })?)).await?;
    Ok(see_other("/admin/herinneringen?opgeslagen=1"))
}
