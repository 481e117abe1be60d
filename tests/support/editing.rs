//! Forms of the editors' pages, filled as a browser would.

use axum::http::StatusCode;

use super::{Agent, Page, TestApp};

/// A complete, valid form for a new event, with `changes` applied: a known actor named
/// by an alias in another script, and one new source.
pub fn event_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("rows", "1"),
        ("p_actor", "Хренин"),
        ("p_role", "visitor"),
        ("p_title", "Defense Minister"),
        ("p_kind", ""),
        ("s_citation", ""),
        ("s_outlet", "BelTA"),
        ("s_title", "Belarusian military delegation visits Iran"),
        ("s_url", "https://example.org/belta/visit"),
        ("s_published", "2024-04-02"),
        ("s_passage", "The delegation visited a plant in Isfahan in March."),
        ("s_claimed", "2024-03"),
        ("s_note", ""),
        ("s_claims", ""),
        ("title", "Belarusian delegation tours a drone plant in Isfahan"),
        ("event_type", "visit"),
        ("agreement_kind", ""),
        ("date", "2024-03"),
        ("date_note", "Reported on 2 April; the visit was in March."),
        ("place", "Isfahan"),
        ("location_country", "IR"),
        ("summary", "The delegation *toured* the plant."),
        ("tags", "drones, Industry"),
        ("edit_summary", "From the BelTA report"),
    ];
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => fields.push((key, value)),
        }
    }
    fields
}

/// The edit form of an existing event as the page fills it (its participants and
/// citations as rows), with `changes` applied to its single fields.
pub async fn edit_fields(app: &TestApp, id: i64, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let detail = app.app.db.event(id).await.expect("query").expect("event");
    let event = &detail.event;
    let location = match event.location_country_id {
        Some(country) => app
            .app
            .db
            .country_iso(country)
            .await
            .expect("query")
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut fields: Vec<(String, String)> = vec![
        ("rows".into(), "1".into()),
        ("title".into(), event.title.clone()),
        ("event_type".into(), event.event_type.as_str().to_owned()),
        (
            "agreement_kind".into(),
            event
                .agreement_kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("date".into(), event.date_edtf.clone()),
        ("date_note".into(), event.date_note.clone()),
        ("place".into(), event.place.clone().unwrap_or_default()),
        ("location_country".into(), location),
        ("summary".into(), event.summary.clone()),
        ("tags".into(), detail.tags.join(", ")),
        (
            "verification".into(),
            event
                .verification
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("verification_reason".into(), event.verification_reason.clone()),
        (
            "place_inference".into(),
            event.place_inference.clone().unwrap_or_default(),
        ),
        (
            "date_note_inference".into(),
            event.date_note_inference.clone().unwrap_or_default(),
        ),
        (
            "announced".into(),
            event.announced_edtf.clone().unwrap_or_default(),
        ),
        ("signed".into(), event.signed_edtf.clone().unwrap_or_default()),
        ("in_force".into(), event.in_force_edtf.clone().unwrap_or_default()),
        ("version".into(), event.version.to_string()),
    ];
    for p in &detail.participants {
        fields.push(("p_actor".into(), format!("#{} {}", p.actor.id, p.actor.name)));
        fields.push(("p_role".into(), p.role.clone()));
        fields.push(("p_title".into(), p.title.clone().unwrap_or_default()));
        fields.push(("p_kind".into(), String::new()));
        fields.push(("p_inference".into(), p.inference.clone().unwrap_or_default()));
    }
    for c in &detail.citations {
        for (key, value) in [
            ("s_citation", c.id.to_string()),
            ("s_outlet", c.source.outlet.clone()),
            ("s_title", c.source.title.clone()),
            ("s_url", c.source.url.clone().unwrap_or_default()),
            (
                "s_published",
                c.source.published.as_ref().map(|d| d.edtf()).unwrap_or_default(),
            ),
            ("s_passage", c.passage.clone()),
            ("s_claimed", c.claimed_date_edtf.clone().unwrap_or_default()),
            ("s_note", c.note.clone()),
            ("s_claims", claims_text(&c.claims)),
            ("s_claimed_rank", c.claimed_date_rank.as_str().to_owned()),
            ("s_claimed_reason", c.claimed_date_rank_reason.clone()),
        ] {
            fields.push((key.into(), value));
        }
    }
    for (to, relation, note, title, inference) in app.app.db.outgoing_relations(id).await.expect("relations")
    {
        fields.push(("r_event".into(), format!("#{to} {title}")));
        fields.push(("r_relation".into(), relation.as_str().to_owned()));
        fields.push(("r_note".into(), note));
        fields.push(("r_inference".into(), inference.unwrap_or_default()));
    }
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

/// Claims as the form writes them: `topic: value (according to who) [rank: why]`.
pub fn claims_text(claims: &[entente::domain::Claim]) -> String {
    claims
        .iter()
        .map(|claim| {
            let mut line = format!("{}: {}", claim.topic, claim.value);
            if let Some(who) = &claim.attributed_to {
                line.push_str(&format!(" (according to {who})"));
            }
            if !claim.rank.is_preferred() || !claim.rank_reason.is_empty() {
                line.push_str(&format!(" [{}: {}]", claim.rank, claim.rank_reason));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Follows a redirect to the event and its canonical address, as the editor.
pub async fn open_event(app: &TestApp, agent: &Agent, location: &str) -> Page {
    let page = app.get_as(agent, location).await;
    match page.status {
        StatusCode::PERMANENT_REDIRECT => app.get_as(agent, page.location().expect("location")).await,
        _ => page,
    }
}

/// The id in `/events/{id}…`.
pub fn event_id(location: &str) -> i64 {
    location
        .trim_start_matches("/events/")
        .split('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("an event address")
}

pub async fn version_of(app: &TestApp, id: i64) -> String {
    let detail = app.app.db.event(id).await.expect("query").expect("event");
    detail.event.version.to_string()
}

/// An actor's version now, as its forms carry it.
pub async fn actor_version(app: &TestApp, id: i64) -> String {
    let (_, version) = app.app.db.actor_record(id).await.expect("query").expect("actor");
    version.to_string()
}

/// A source's version now, as its form carries it.
pub async fn source_version(app: &TestApp, id: i64) -> String {
    let (_, version) = app
        .app
        .db
        .source_record(id)
        .await
        .expect("query")
        .expect("source");
    version.to_string()
}
