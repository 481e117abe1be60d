//! Checking an event form on the server: every field and row, all problems at once, each
//! beside its field; actors, sources and related events resolved against the store.

use super::AppState;
use super::event_form::{
    EventForm, FieldError, MAX_ROWS, MAX_SUMMARY_CHARS, MAX_TAG_CHARS, MAX_TITLE_CHARS, ParticipantRow,
    RelationRow, SourceRow,
};
use super::extract::FormFields;
use crate::dates::EventDate;
use crate::domain::edit::{
    ActorChoice, CitationInput, CitationTarget, EventFields, ParticipantInput, RelationInput, SourceChoice,
};
use crate::domain::text;
use crate::domain::{ActorKind, AgreementKind, EventType, RelationKind, Verification};
use crate::domain::{Claim, Rank};
use crate::error::{Error, Result};
use crate::store::listing::ActorFinder;

/// The event form's own fields (not rows), whose problems link to them.
const FORM_FIELDS: &[&str] = &[
    "title",
    "event_type",
    "agreement_kind",
    "date",
    "date_note",
    "announced",
    "signed",
    "in_force",
    "place",
    "place_inference",
    "date_note_inference",
    "location_country",
    "summary",
    "tags",
    "verification",
    "verification_reason",
    "edit_summary",
];

/// Checks every field; all problems are reported at once.
pub(super) async fn validate(
    state: &AppState,
    form: &mut EventForm,
    sent: &FormFields,
) -> Result<Result<EventFields, Vec<FieldError>>> {
    // A character entente does not store, in any field or row: named beside its field
    // (rows by their field's name), with everything typed kept.
    let mut errors: Vec<FieldError> = sent
        .refusals()
        .into_iter()
        .map(|(field, message)| FieldError {
            // Fields of their own are linked from the list of problems; rows are not.
            field: if FORM_FIELDS.contains(&field.as_str()) {
                field
            } else {
                String::new()
            },
            message,
        })
        .collect();
    // Rows past the limit are refused before any of them is looked up.
    let rows = [
        (
            "participants",
            form.participants.iter().filter(|r| !r.is_blank()).count(),
        ),
        ("sources", form.sources.iter().filter(|r| !r.is_blank()).count()),
        (
            "related events",
            form.relations.iter().filter(|r| !r.is_blank()).count(),
        ),
    ];
    for (what, count) in rows {
        if count > MAX_ROWS {
            errors.push(FieldError {
                field: String::new(),
                message: format!(
                    "The form has {count} rows of {what}; one save takes at most {MAX_ROWS}. Save \
                     the first {MAX_ROWS}, then add the rest."
                ),
            });
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let (participants, participant_errors) = check_participants(state, &mut form.participants).await?;
    errors.extend(participant_errors);
    let (citations, removed_citations, source_errors) = check_sources(state, &mut form.sources).await?;
    errors.extend(source_errors);
    let (relations, relation_errors) = check_relations(state, &mut form.relations).await?;
    errors.extend(relation_errors);
    let mut refuse = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    let title = form.title.trim();
    if !text::has_visible(title) {
        refuse("title", "Give the event a title.".to_owned());
    } else if title.chars().count() > MAX_TITLE_CHARS {
        refuse(
            "title",
            format!("Keep the title under {MAX_TITLE_CHARS} characters."),
        );
    }
    for (field, label, value, max) in [
        (
            "date_note",
            "how the date was established",
            &form.date_note,
            text::MAX_NOTE_CHARS,
        ),
        ("place", "the place", &form.place, text::MAX_NAME_CHARS),
        (
            "date_note_inference",
            "the reason for the date note",
            &form.date_note_inference,
            text::MAX_NOTE_CHARS,
        ),
        (
            "place_inference",
            "the reason for the place",
            &form.place_inference,
            text::MAX_NOTE_CHARS,
        ),
        (
            "verification_reason",
            "the reason for the status",
            &form.verification_reason,
            text::MAX_NOTE_CHARS,
        ),
        (
            "edit_summary",
            "the note on your change",
            &form.edit_summary,
            text::MAX_NOTE_CHARS,
        ),
    ] {
        if let Some(message) = text::too_long(label, value.trim(), max) {
            refuse(field, message);
        }
    }
    let place = form.place.trim();
    if let Some(message) =
        text::name_refusal("the place", place, text::MAX_NAME_CHARS).filter(|_| !place.is_empty())
    {
        refuse("place", message);
    }
    let event_type = EventType::parse(&form.event_type);
    if event_type.is_none() {
        refuse("event_type", "Choose the type of event.".to_owned());
    }
    let kind = form.agreement_kind.trim();
    let agreement_kind = AgreementKind::parse(kind);
    if !kind.is_empty() {
        if event_type != Some(EventType::Agreement) {
            refuse(
                "agreement_kind",
                "Only agreements have a kind; leave it empty or choose the type Agreement.".to_owned(),
            );
        } else if agreement_kind.is_none() {
            refuse(
                "agreement_kind",
                "Choose a kind of agreement from the list.".to_owned(),
            );
        }
    }
    let date = if form.date.trim().is_empty() {
        refuse(
            "date",
            "Give the date as far as it is known: 2023, 2023-05, 2023-07-31, a range such as \
             2023-06/2023-07-31, or 2023-05~ when approximate."
                .to_owned(),
        );
        None
    } else {
        match EventDate::parse(&form.date) {
            Ok(date) => Some(date),
            Err(e) => {
                refuse("date", e.to_string());
                None
            }
        }
    };
    let location_country_id = match form.location_country.trim() {
        "" => None,
        iso => {
            let id = state.db.country_by_iso(iso).await?;
            if id.is_none() {
                refuse(
                    "location_country",
                    format!("There is no country with the code “{iso}”."),
                );
            }
            id
        }
    };
    if form.summary.chars().count() > MAX_SUMMARY_CHARS {
        refuse(
            "summary",
            format!("Keep the summary under {MAX_SUMMARY_CHARS} characters."),
        );
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in form
        .tags
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > MAX_TAG_CHARS {
            refuse(
                "tags",
                format!("“{tag}” is too long for a tag (at most {MAX_TAG_CHARS} characters)."),
            );
        } else if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let mut further = |field: &'static str, text: &str| match text.trim() {
        "" => None,
        text => match EventDate::parse(text) {
            Ok(date) => Some(date),
            Err(e) => {
                refuse(field, e.to_string());
                None
            }
        },
    };
    let key_dates = crate::domain::KeyDates {
        announced: further("announced", &form.announced),
        signed: further("signed", &form.signed),
        in_force: further("in_force", &form.in_force),
    };
    let verification = match form.verification.trim() {
        "" => None,
        text => match Verification::parse(text) {
            Some(status) => {
                if form.verification_reason.trim().is_empty() {
                    refuse(
                        "verification_reason",
                        "Say why the status differs from the one the sources give.".to_owned(),
                    );
                }
                Some(status)
            }
            None => {
                refuse(
                    "verification",
                    format!("Choose a status among {}.", Verification::terms()),
                );
                None
            }
        },
    };
    match (date, event_type) {
        (Some(date), Some(event_type)) if errors.is_empty() => Ok(Ok(EventFields {
            title: title.to_owned(),
            event_type,
            agreement_kind,
            date,
            date_note: form.date_note.trim().to_owned(),
            key_dates,
            place: Some(form.place.trim().to_owned()).filter(|p| !p.is_empty()),
            date_note_inference: Some(form.date_note_inference.trim().to_owned())
                .filter(|r| !r.is_empty() && !form.date_note.trim().is_empty()),
            place_inference: Some(form.place_inference.trim().to_owned())
                .filter(|r| !r.is_empty() && !form.place.trim().is_empty()),
            location_country_id,
            summary: form.summary.trim().to_owned(),
            tags,
            participants,
            citations,
            removed_citations,
            relations,
            verification,
            verification_reason: form.verification_reason.trim().to_owned(),
        })),
        _ => Ok(Err(errors)),
    }
}

/// Resolves each participant row to an actor: `#id`, or a name or alias in any script
/// that names exactly one actor, or a new actor when a kind is chosen. A row's problem is
/// shown beside it.
pub(super) async fn check_participants(
    state: &AppState,
    rows: &mut [ParticipantRow],
) -> Result<(Vec<ParticipantInput>, Vec<FieldError>)> {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    // Names are looked up in one reading of every actor's names, however many rows.
    let mut finder = None;
    for (i, row) in rows.iter_mut().enumerate() {
        if row.is_blank() {
            continue;
        }
        let text = row.actor.trim();
        let too_long = text::first_refusal(&[
            ("the actor's name", text, text::MAX_NAME_CHARS),
            ("the role", &row.role, text::MAX_LINE_CHARS),
            ("the title", &row.title, text::MAX_LINE_CHARS),
        ]);
        if let Some(message) = too_long {
            row.error = Some(message.clone());
            errors.push(FieldError {
                field: format!("p-{i}-actor"),
                message: format!("Participant {}: {message}", i + 1),
            });
            continue;
        }
        let by_id = text
            .strip_prefix('#')
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|id| id.parse::<i64>().ok());
        let choice = if text.is_empty() {
            Err("Name the actor, or leave the row empty.".to_owned())
        } else if !row.kind.is_empty() {
            let refusal = text::name_refusal("a new actor's name", text, text::MAX_NAME_CHARS);
            match (ActorKind::parse(&row.kind), refusal) {
                (None, _) => Err("Choose the kind of the new actor from the list.".to_owned()),
                (Some(_), Some(refusal)) => Err(refusal),
                (Some(kind), None) => {
                    let same: Vec<_> = finder_of(state, &mut finder)
                        .await?
                        .find(text)
                        .into_iter()
                        .filter(|a| crate::store::fold(&a.name) == crate::store::fold(text))
                        .collect();
                    match same.first() {
                        Some(existing) => Err(format!(
                            "An actor called “{}” exists already (#{}): leave “new” unset to use it.",
                            existing.name, existing.id
                        )),
                        None => Ok(ActorChoice::New {
                            kind,
                            name: text.to_owned(),
                        }),
                    }
                }
            }
        } else if let Some(id) = by_id {
            match state.db.actor_ref(id).await? {
                Some(_) => Ok(ActorChoice::Existing(id)),
                // An actor merged since the form was loaded: the one it became.
                None => match state.db.actor_redirect(id).await? {
                    Some(new_id) => Ok(ActorChoice::Existing(new_id)),
                    None => Err(format!("There is no actor #{id}.")),
                },
            }
        } else {
            let found = finder_of(state, &mut finder).await?.find(text);
            match found.as_slice() {
                [one] => {
                    // Shown again as the actor it resolved to, so a re-shown form is exact.
                    row.actor = format!("#{} {}", one.id, one.name);
                    Ok(ActorChoice::Existing(one.id))
                }
                [] => Err(format!(
                    "No actor is called “{text}” in any spelling entente knows. To add one, \
                     choose its kind under “New?”."
                )),
                many => Err(format!(
                    "“{text}” matches several actors: {}. Type the number of the one you mean \
                     (such as #{}).",
                    many.iter()
                        .take(8)
                        .map(|a| format!("{} (#{})", a.name, a.id))
                        .collect::<Vec<_>>()
                        .join(", "),
                    many[0].id
                )),
            }
        };
        let role = row.role.trim();
        let choice = choice.and_then(|choice| {
            if role.is_empty() {
                Err("Give the actor's role (participant, host, signatory…).".to_owned())
            } else {
                Ok(choice)
            }
        });
        match choice {
            Ok(actor) => {
                let duplicate = inputs
                    .iter()
                    .any(|p: &ParticipantInput| p.actor == actor && p.role == role);
                if !duplicate {
                    inputs.push(ParticipantInput {
                        actor,
                        role: role.to_owned(),
                        title: Some(row.title.trim().to_owned()).filter(|t| !t.is_empty()),
                        inference: Some(row.inference.trim().to_owned()).filter(|r| !r.is_empty()),
                    });
                }
            }
            Err(message) => {
                row.error = Some(message.clone());
                errors.push(FieldError {
                    field: format!("p-{i}-actor"),
                    message: format!("Participant {}: {message}", i + 1),
                });
            }
        }
    }
    Ok((inputs, errors))
}

/// The actor finder of a request, read on first use.
async fn finder_of<'a>(state: &AppState, finder: &'a mut Option<ActorFinder>) -> Result<&'a ActorFinder> {
    let read = match finder.take() {
        Some(read) => read,
        None => state.db.actor_finder().await?,
    };
    Ok(finder.insert(read))
}

/// Checks each source row: existing citations keep their source and may change their
/// passage, date and note (or be removed); new ones need an outlet, a title and the
/// passage relied on, and reuse a known source with the same address (or outlet and
/// title).
pub(super) async fn check_sources(
    state: &AppState,
    rows: &mut [SourceRow],
) -> Result<(Vec<CitationInput>, Vec<i64>, Vec<FieldError>)> {
    let mut inputs = Vec::new();
    let mut removed = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if row.is_blank() {
            continue;
        }
        let citation_id = match row.citation.trim() {
            "" => None,
            id => Some(
                id.parse::<i64>()
                    .map_err(|_| Error::BadRequest("A source row of the form is malformed.".to_owned()))?,
            ),
        };
        if row.remove {
            if let Some(id) = citation_id {
                removed.push(id);
            }
            continue;
        }
        let mut problems = Vec::new();
        problems.extend(text::first_refusal(&[
            ("the outlet", &row.outlet, text::MAX_NAME_CHARS),
            ("the title", &row.title, text::MAX_LINE_CHARS),
            ("the address", &row.url, text::MAX_URL_CHARS),
            ("the passage", &row.passage, text::MAX_TEXT_CHARS),
            ("the claims", &row.claims, text::MAX_TEXT_CHARS),
            (
                "the reason for its date's rank",
                &row.claimed_reason,
                text::MAX_NOTE_CHARS,
            ),
            ("the note", &row.note, text::MAX_NOTE_CHARS),
        ]));
        let claimed_date = match row.claimed.trim() {
            "" => None,
            text => match EventDate::parse(text) {
                Ok(date) => Some(date),
                Err(e) => {
                    problems.push(format!("its date for the event: {e}"));
                    None
                }
            },
        };
        let claimed_date_rank = match row.claimed_rank.trim() {
            "" => Rank::Preferred,
            text => Rank::parse(text).unwrap_or_else(|| {
                problems.push(format!("rank its date as one of {}", Rank::terms()));
                Rank::Preferred
            }),
        };
        if claimed_date.is_none()
            && (!claimed_date_rank.is_preferred() || !row.claimed_reason.trim().is_empty())
        {
            problems.push("a rank for its date needs the date the source gives".to_owned());
        }
        let target = match citation_id {
            Some(id) => Some(CitationTarget::Existing(id)),
            None => {
                let outlet = row.outlet.trim();
                let title = row.title.trim();
                let url = Some(row.url.trim()).filter(|u| !u.is_empty());
                if !text::has_visible(outlet) {
                    problems.push("name the outlet (BelTA, IRNA, The Cradle…)".to_owned());
                } else if let Some(message) = text::name_refusal("the outlet", outlet, text::MAX_NAME_CHARS) {
                    problems.push(message);
                }
                if !text::has_visible(title) {
                    problems.push("give the title of the article or document".to_owned());
                }
                if url.is_some() && super::view::web_link(url).is_none() {
                    problems.push("the address must start with http:// or https://".to_owned());
                }
                if row.passage.trim().is_empty() {
                    problems.push("quote the passage the event relies on".to_owned());
                }
                let published = match row.published.trim() {
                    "" => None,
                    text => match EventDate::parse(text) {
                        Ok(date) => Some(date),
                        Err(e) => {
                            problems.push(format!("its publication date: {e}"));
                            None
                        }
                    },
                };
                let source = match state.db.find_source(url, outlet, title).await? {
                    Some(id) => SourceChoice::Existing(id),
                    None => SourceChoice::New {
                        outlet: outlet.to_owned(),
                        title: title.to_owned(),
                        url: url.map(str::to_owned),
                        published,
                    },
                };
                Some(CitationTarget::New(source))
            }
        };
        let mut claims = Vec::new();
        for (n, line) in row
            .claims
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            match parse_claim(line) {
                Ok(claim) => claims.push(claim),
                Err(refusal) => problems.push(format!("claim {}: {refusal}", n + 1)),
            }
        }
        if let (true, Some(target)) = (problems.is_empty(), target) {
            inputs.push(CitationInput {
                claims,
                target,
                passage: row.passage.trim().to_owned(),
                claimed_date,
                claimed_date_rank,
                claimed_date_rank_reason: row.claimed_reason.trim().to_owned(),
                note: row.note.trim().to_owned(),
            });
        } else {
            let message = format!("Source {}: {}.", i + 1, problems.join("; "));
            row.error = Some(message.clone());
            errors.push(FieldError {
                field: format!("s-{i}-outlet"),
                message,
            });
        }
    }
    Ok((inputs, removed, errors))
}

/// Resolves each relation row to an event: `#12`, `12` or an address `/events/12/…`.
pub(super) async fn check_relations(
    state: &AppState,
    rows: &mut [RelationRow],
) -> Result<(Vec<RelationInput>, Vec<FieldError>)> {
    let mut inputs: Vec<RelationInput> = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if row.is_blank() {
            continue;
        }
        let text = row.event.trim();
        let number = crate::paths::event_id_in(text);
        let too_long = text::first_refusal(&[
            ("the other event", text, text::MAX_LINE_CHARS),
            ("the note", &row.note, text::MAX_NOTE_CHARS),
            ("the inference's reason", &row.inference, text::MAX_NOTE_CHARS),
        ]);
        let outcome = match number {
            _ if too_long.is_some() => Err(too_long.unwrap_or_default()),
            None => Err(format!(
                "give the other event as #number or paste its address (“{text}” is neither)"
            )),
            Some(id) if !state.db.event_exists(id).await? => Err(format!("there is no event #{id}")),
            Some(id) => RelationKind::parse(&row.relation)
                .map(|relation| (id, relation))
                .ok_or_else(|| "choose how the events are related".to_owned()),
        };
        match outcome {
            Ok((to, relation)) => {
                if !inputs.iter().any(|r| r.to == to && r.relation == relation) {
                    inputs.push(RelationInput {
                        to,
                        relation,
                        note: row.note.trim().to_owned(),
                        inference: Some(row.inference.trim().to_owned()).filter(|r| !r.is_empty()),
                    });
                }
            }
            Err(message) => {
                let message = format!("Related event {}: {message}.", i + 1);
                row.error = Some(message.clone());
                errors.push(FieldError {
                    field: format!("r-{i}-event"),
                    message,
                });
            }
        }
    }
    Ok((inputs, errors))
}

/// Reads one claim line: `topic: value`, optionally followed by `(according to who)`
/// and then by the claim's rank, `[alternative: why]`, `[deprecated: why]` or
/// `[preferred: why]`; a claim is preferred when no rank is given. The value becomes a
/// quantity when it reads as one. The refusal says what to write.
pub(super) fn parse_claim(line: &str) -> std::result::Result<Claim, String> {
    let needs_form = || {
        format!(
            "“{line}” needs the form topic: value, optionally followed by (according to who) \
             and a rank in brackets"
        )
    };
    let (topic, rest) = line.split_once(':').ok_or_else(needs_form)?;
    let mut rest = rest.trim();
    let mut rank = (Rank::Preferred, "");
    // A rank is the last bracket that opens with a rank's name; other brackets are part
    // of the value ("Minsk [Belarus]", "400 [sic]") or of the reason.
    if let Some(inner) = rest.strip_suffix(']') {
        let lower = inner.to_lowercase();
        let opening = Rank::ALL
            .iter()
            .filter_map(|r| {
                let at = lower.rfind(&format!("[{}", r.as_str()))?;
                let after = &lower[at + 1 + r.as_str().len()..];
                (after.is_empty() || after.starts_with(':') || after.starts_with(' ')).then_some((at, *r))
            })
            .max_by_key(|(at, _)| *at);
        if let Some((at, parsed)) = opening {
            let ranked = &inner[at + 1 + parsed.as_str().len()..];
            let reason = ranked.trim_start().strip_prefix(':').unwrap_or(ranked);
            rank = (parsed, reason.trim());
            rest = inner[..at].trim();
        }
    }
    let (value, attributed_to) = match rest
        .strip_suffix(')')
        .and_then(|r| r.rsplit_once("(according to "))
    {
        Some((value, who)) => (
            value.trim(),
            Some(who.trim().to_owned()).filter(|w| !w.is_empty()),
        ),
        None => (rest, None),
    };
    if topic.trim().is_empty() || value.is_empty() {
        return Err(needs_form());
    }
    Ok(Claim::new(topic, value, attributed_to).ranked(rank.0, rank.1))
}
