//! One event at its permalink `/events/{id}/{slug}`: what happened, who took part, and
//! every source with the passage relied on and what it claims. Where sources disagree
//! (on the date, or on a figure), the page says so plainly.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::extract::PathParams;
use super::session::Viewer;
use super::view::{human_date, machine_date, web_link};
use crate::dates::{DateAgreement, EventDate};
use crate::domain::{ActorKind, AgreementKind, EventStatus, Rank, Verification};
use crate::error::{Error, Result};
use crate::markdown::to_safe_html;
use crate::store::ActorRef;
use crate::store::events::{Citation, EventDetail, Participant};

#[derive(Template, WebTemplate)]
#[template(path = "event_show.html")]
pub struct EventPage {
    title: String,
    canonical_url: String,
    /// `/events/{id}`: the short permalink to copy.
    short_url: String,
    /// The event's card for other sites' pages.
    embed_url: String,
    /// What a shared link's preview says: type, date and the start of the summary.
    share_description: String,
    /// "Cite this event" (published events only): the plain-text citation, and the
    /// files.
    citation: String,
    citation_files: Vec<(&'static str, String)>,
    type_label: &'static str,
    agreement_label: Option<&'static str>,
    date: DateView,
    /// Announced, signed, entered into force, where sources give them: (label, date).
    key_dates: Vec<(&'static str, String)>,
    /// The earliest publication among the sources: its date and outlet.
    first_reported: Option<(String, String)>,
    place: Option<String>,
    /// Why the editors give the place when no cited passage does.
    place_inference: Option<String>,
    location_country: Option<ActorRef>,
    countries: Vec<Participant>,
    participants: Vec<Participant>,
    summary_html: String,
    tags: Vec<String>,
    relations: Vec<RelationView>,
    citations: Vec<CitationView>,
    /// Every source's date for the event, preferred first.
    date_claims: Vec<DateClaimView>,
    /// Alternatives stand against the page's date.
    date_disputed: bool,
    /// Some source's date is listed in the "Sources disagree" box.
    date_disagreement: bool,
    claim_topics: Vec<ClaimTopic>,
    /// "3 sources", "5 sources, 3 independent".
    sources_label: String,
    /// The status shown: the editors' override, else the one the sources give.
    verification: Verification,
    /// The editors' reason, when they override the sources' status, and that status.
    verification_override: Option<(String, &'static str)>,
    /// Whether the "Sources disagree" box is shown.
    has_disagreement: bool,
    updated_at: String,
    /// For editors: the event's status when it is not published, and why.
    status: Option<StatusBanner>,
    /// For editors: the tools of the page (edit, history, status changes).
    editor: Option<EditorTools>,
    /// Changes since the event was first published, oldest first.
    corrections: Vec<super::event_version::Correction>,
    /// This version's own address, to cite.
    version_url: Option<String>,
}

/// For editors, above an event that readers do not see as it is.
pub struct StatusBanner {
    /// A draft; otherwise retracted.
    pub draft: bool,
    /// Why it was retracted.
    pub reason: String,
}

/// What an editor sees on an event's page beyond what readers see.
pub struct EditorTools {
    pub edit_url: String,
    pub history_url: String,
    pub status_url: String,
    pub delete_url: String,
    pub version: i64,
    pub status: EventStatus,
    pub csrf: String,
    /// Admins may delete the event for good.
    pub admin: bool,
    /// A status change that met a newer version: what happened, shown above the tools,
    /// and the retraction reason that was typed, kept in its field.
    pub conflict: Option<String>,
    pub retract_reason: String,
}

impl EditorTools {
    /// The tools of an event's page for the viewer, an editor.
    pub(super) fn new(detail: &EventDetail, viewer: &Viewer) -> EditorTools {
        EditorTools {
            edit_url: crate::paths::event_edit(detail.event.id),
            history_url: crate::paths::history(crate::domain::Entity::Event, detail.event.id),
            status_url: crate::paths::event_status(detail.event.id),
            delete_url: crate::paths::event_delete(detail.event.id),
            version: detail.event.version,
            status: detail.event.status,
            csrf: viewer.csrf.clone(),
            admin: viewer.is_admin(),
            conflict: None,
            retract_reason: String::new(),
        }
    }
}

/// The event's date with everything a careful reader needs to weigh it.
pub struct DateView {
    pub display: String,
    pub edtf: String,
    pub machine: Option<String>,
    /// Why the note is the editors' inference, when no cited passage supports it.
    pub note_inference: Option<String>,
    pub precision: &'static str,
    pub approximate: bool,
    pub uncertain: bool,
    pub note: String,
}

pub struct RelationView {
    /// Why the editors relate the events when no cited passage does.
    pub inference: Option<String>,
    pub label: &'static str,
    pub url: String,
    pub title: String,
    pub date: String,
    pub note: String,
}

pub struct CitationView {
    /// 1-based number, the citation's anchor (`#source-2`).
    pub number: usize,
    /// The source's edit form, coming back to this event.
    pub edit_url: String,
    pub outlet: String,
    pub title: String,
    pub url: Option<String>,
    /// The source this one derives from ("outlet, “title”"), and how.
    pub derived_from: Option<String>,
    pub derived_note: String,
    /// An archived copy's address, linked as "archived copy".
    pub archive_url: Option<String>,
    /// The day an editor retrieved the source.
    pub retrieved: Option<String>,
    pub published: Option<String>,
    pub author: Option<String>,
    pub notes: String,
    pub passage: String,
    pub note: String,
    pub claimed_date: Option<String>,
    /// How the source's own date compares with the event's: "agrees", "less precise"...
    pub date_verdict: Option<&'static str>,
    pub date_conflicts: bool,
    /// "alternative" or "deprecated" for a date not preferred, and why.
    pub date_rank: Option<&'static str>,
    pub date_rank_reason: String,
    pub claims: Vec<ClaimView>,
}

pub struct ClaimView {
    pub topic: String,
    pub value: String,
    pub attributed_to: Option<String>,
    /// "alternative" or "deprecated"; nothing for a preferred claim.
    pub rank: Option<&'static str>,
    pub rank_reason: String,
}

/// A source's date for the event, as the "Sources disagree" box and "What the sources
/// say" show it.
pub struct DateClaimView {
    pub number: usize,
    pub outlet: String,
    pub claimed: String,
    /// How it compares with the page's date: "agrees", "disagrees"…
    pub verdict: &'static str,
    pub conflicts: bool,
    pub rank: Rank,
    pub rank_reason: String,
}

impl DateClaimView {
    /// Whether the "Sources disagree" box lists it: an alternative date, or a preferred
    /// one that differs from the page's date (not yet ranked when it conflicts).
    pub fn disagrees(&self) -> bool {
        match self.rank {
            Rank::Alternative => true,
            Rank::Preferred => self.verdict != "agrees",
            Rank::Deprecated => false,
        }
    }
}

/// All claims on one topic across the event's sources, as the editors rank them.
pub struct ClaimTopic {
    pub topic: String,
    /// The anchor of the topic in "What the sources say".
    pub anchor: String,
    /// The values the editors hold as best (usually one).
    pub preferred: Vec<String>,
    /// Alternatives stand against the preferred value.
    pub disputed: bool,
    /// The sources give different values that the editors have not ranked.
    pub unranked: bool,
    /// Every claim: preferred first, then alternative, then deprecated.
    pub values: Vec<ClaimValue>,
}

pub struct ClaimValue {
    pub value: String,
    pub attributed_to: Option<String>,
    pub number: usize,
    pub outlet: String,
    pub rank: Rank,
    pub rank_reason: String,
}

/// `/events/{id}` leads to the canonical address.
pub async fn redirect_to_canonical(
    State(state): State<AppState>,
    viewer: Viewer,
    PathParams(id): PathParams<String>,
) -> Result<Redirect> {
    let detail = find_visible(&state, &viewer, &id).await?;
    Ok(Redirect::permanent(&canonical_url(&detail)))
}

/// The event page; an outdated or wrong slug leads to the canonical address.
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    PathParams((id, slug)): PathParams<(String, String)>,
) -> Result<Response> {
    let detail = find_visible(&state, &viewer, &id).await?;
    if detail.event.slug != slug {
        return Ok(Redirect::permanent(&canonical_url(&detail)).into_response());
    }
    let editor = viewer.is_editor().then(|| EditorTools::new(&detail, &viewer));
    let origin = super::event_cite::origin(&state, &headers);
    let citation = super::event_cite::EventCitation::new(&detail, &origin).plain();
    let revisions = state
        .db
        .revisions_of(crate::domain::Entity::Event, detail.event.id)
        .await?;
    let corrections = super::event_version::corrections(detail.event.id, &detail.event.slug, &revisions);
    // The version a reader cites: the current one, once a revision keeps it.
    let version_url = revisions
        .iter()
        .any(|r| r.version == detail.event.version)
        .then(|| crate::paths::event_version(detail.event.id, &detail.event.slug, detail.event.version));
    let mut page = EventPage::new(detail);
    page.editor = editor;
    page.citation = citation;
    page.corrections = corrections;
    page.version_url = version_url;
    Ok(page.into_response())
}

/// The event if this viewer may see it: drafts do not exist for readers, retracted
/// events say why they were withdrawn; editors see every event, its status marked.
pub(super) async fn find_visible(state: &AppState, viewer: &Viewer, id: &str) -> Result<EventDetail> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let Some(detail) = state.db.event(id).await? else {
        // A deleted event's address says so, with the reason its history keeps.
        return Err(match state.db.deletion_reason(id).await? {
            Some(reason) => Error::Deleted(reason),
            None => Error::NotFound,
        });
    };
    match detail.event.status {
        EventStatus::Published => Ok(detail),
        _ if viewer.is_editor() => Ok(detail),
        EventStatus::Retracted => Err(Error::Gone(detail.event.status_reason)),
        EventStatus::Draft => Err(Error::NotFound),
    }
}

/// What a shared link's preview says of an event: its type, its date at the precision
/// known, and the start of its summary as plain text.
pub(super) fn share_description(detail: &EventDetail) -> String {
    let summary = crate::markdown::to_plain_text(&detail.event.summary);
    let mut text = format!(
        "{}, {}. {}",
        detail.event.event_type.label(),
        human_date(&detail.event.date_edtf),
        summary.trim()
    );
    if text.chars().count() > 200 {
        text = text.chars().take(199).collect::<String>().trim_end().to_owned() + "…";
    }
    text.trim_end_matches([' ', '.']).to_owned()
}

fn canonical_url(detail: &EventDetail) -> String {
    crate::paths::event(detail.event.id, &detail.event.slug)
}

impl EventPage {
    /// The page of an event for an editor, with `tools`.
    pub(super) fn for_editor(detail: EventDetail, tools: EditorTools) -> Self {
        let mut page = EventPage::new(detail);
        page.editor = Some(tools);
        page
    }

    fn new(detail: EventDetail) -> Self {
        let event_date = EventDate::parse(&detail.event.date_edtf).ok();
        let date = DateView {
            display: human_date(&detail.event.date_edtf),
            machine: machine_date(&detail.event.date_edtf),
            precision: event_date.as_ref().map_or("", |d| d.precision().label()),
            approximate: event_date.as_ref().is_some_and(EventDate::is_approximate),
            uncertain: event_date.as_ref().is_some_and(EventDate::is_uncertain),
            edtf: detail.event.date_edtf.clone(),
            note: detail.event.date_note.clone(),
            note_inference: detail.event.date_note_inference.clone(),
        };

        let citations: Vec<CitationView> = detail
            .citations
            .iter()
            .enumerate()
            .map(|(i, c)| citation_view(i + 1, detail.event.id, c, event_date.as_ref()))
            .collect();
        let mut date_claims: Vec<DateClaimView> = detail
            .citations
            .iter()
            .zip(&citations)
            .filter_map(|(citation, view)| {
                Some(DateClaimView {
                    number: view.number,
                    outlet: view.outlet.clone(),
                    claimed: view.claimed_date.clone()?,
                    verdict: view.date_verdict.unwrap_or("agrees"),
                    conflicts: view.date_conflicts,
                    rank: citation.claimed_date_rank,
                    rank_reason: citation.claimed_date_rank_reason.clone(),
                })
            })
            .collect();
        date_claims.sort_by_key(|d| d.rank);
        let date_disputed = date_claims.iter().any(|d| d.rank == Rank::Alternative);
        let claim_topics = claim_topics(&detail.citations);
        let date_disagreement = date_claims.iter().any(DateClaimView::disagrees);
        let has_disagreement = date_disagreement || claim_topics.iter().any(|t| t.disputed || t.unranked);

        let canonical_url = canonical_url(&detail);
        let share_description = share_description(&detail);
        let (countries, participants) = detail
            .participants
            .into_iter()
            .partition(|p| p.actor.kind == ActorKind::Country);

        EventPage {
            canonical_url,
            short_url: crate::paths::event_short(detail.event.id),
            embed_url: crate::paths::event_embed(detail.event.id),
            citation: String::new(),
            citation_files: [("CSL-JSON", "json"), ("BibTeX", "bib"), ("RIS", "ris")]
                .into_iter()
                .map(|(name, ending)| (name, crate::paths::event_citation(detail.event.id, ending)))
                .collect(),
            share_description,
            type_label: detail.event.event_type.label(),
            agreement_label: detail.event.agreement_kind.map(AgreementKind::label),
            key_dates: [
                ("Announced", &detail.event.announced_edtf),
                ("Signed", &detail.event.signed_edtf),
                ("Entered into force", &detail.event.in_force_edtf),
            ]
            .into_iter()
            .filter_map(|(label, edtf)| Some((label, human_date(edtf.as_deref()?))))
            .collect(),
            first_reported: crate::domain::first_reported(
                detail.citations.iter().map(|c| (c.source_id, &c.source)),
            )
            .and_then(|(_, source)| {
                let published = source.published.as_ref()?;
                Some((published.display(), source.outlet.clone()))
            }),
            date,
            place_inference: detail
                .event
                .place_inference
                .clone()
                .filter(|_| detail.event.place.is_some()),
            place: detail.event.place,
            location_country: detail.location_country,
            countries,
            participants,
            summary_html: to_safe_html(&detail.event.summary),
            tags: detail.tags,
            relations: detail
                .relations
                .into_iter()
                .map(|r| RelationView {
                    label: if r.inverse {
                        r.relation.inverse_label()
                    } else {
                        r.relation.label()
                    },
                    url: crate::paths::event(r.id, &r.slug),
                    date: human_date(&r.date_edtf),
                    title: r.title,
                    note: r.note,
                    inference: r.inference,
                })
                .collect(),
            citations,
            sources_label: super::view::sources_label(
                detail.citations.len() as i64,
                detail.independent_sources,
            ),
            verification: detail.event.verification.unwrap_or(detail.derived_verification),
            verification_override: detail.event.verification.map(|_| {
                (
                    detail.event.verification_reason.clone(),
                    detail.derived_verification.label(),
                )
            }),
            date_claims,
            date_disputed,
            date_disagreement,
            claim_topics,
            has_disagreement,
            title: detail.event.title,
            updated_at: detail.event.updated_at,
            status: (detail.event.status != EventStatus::Published).then(|| StatusBanner {
                draft: detail.event.status == EventStatus::Draft,
                reason: detail.event.status_reason.clone(),
            }),
            editor: None,
            corrections: Vec::new(),
            version_url: None,
        }
    }
}

fn citation_view(
    number: usize,
    event_id: i64,
    citation: &Citation,
    event_date: Option<&EventDate>,
) -> CitationView {
    let claimed = citation
        .claimed_date_edtf
        .as_deref()
        .and_then(|d| EventDate::parse(d).ok());
    let agreement = match (&claimed, event_date) {
        (Some(claimed), Some(event)) => Some(claimed.agreement_with(event)),
        _ => None,
    };
    CitationView {
        number,
        edit_url: crate::paths::source_edit_then(citation.source_id, &crate::paths::event_short(event_id)),
        outlet: citation.source.outlet.clone(),
        title: citation.source.title.clone(),
        url: web_link(citation.source.url.as_deref()),
        derived_from: citation.derived_from.clone(),
        derived_note: citation.source.derived_note.clone(),
        archive_url: web_link(citation.source.archive_url.as_deref()),
        retrieved: citation.source.retrieved.as_ref().map(EventDate::display),
        published: citation.source.published.as_ref().map(|d| human_date(&d.edtf())),
        author: citation.source.author.clone(),
        notes: citation.source.notes.clone(),
        passage: citation.passage.clone(),
        note: citation.note.clone(),
        claimed_date: claimed.as_ref().map(EventDate::display),
        date_verdict: agreement.map(|a| match a {
            DateAgreement::Same => "agrees",
            DateAgreement::Compatible => "consistent, at a different precision",
            DateAgreement::Conflict => "disagrees",
        }),
        date_conflicts: agreement == Some(DateAgreement::Conflict),
        date_rank: (!citation.claimed_date_rank.is_preferred()).then(|| citation.claimed_date_rank.as_str()),
        date_rank_reason: citation.claimed_date_rank_reason.clone(),
        claims: citation
            .claims
            .iter()
            .map(|c| ClaimView {
                topic: c.topic.clone(),
                value: c.value.clone(),
                attributed_to: c.attributed_to.clone(),
                rank: (!c.rank.is_preferred()).then(|| c.rank.as_str()),
                rank_reason: c.rank_reason.clone(),
            })
            .collect(),
    }
}

/// The event's claims by topic, as `domain::provenance` weighs them.
fn claim_topics(citations: &[Citation]) -> Vec<ClaimTopic> {
    crate::domain::provenance::topics(citations.iter().map(|c| c.claims.as_slice()))
        .into_iter()
        .enumerate()
        .map(|(i, topic)| ClaimTopic {
            topic: topic.topic.to_owned(),
            anchor: format!("claim-topic-{}", i + 1),
            preferred: topic.preferred().iter().map(|c| c.value.clone()).collect(),
            disputed: topic.disputed(),
            unranked: topic.unranked(),
            values: topic
                .claims
                .iter()
                .map(|(index, claim)| ClaimValue {
                    value: claim.value.clone(),
                    attributed_to: claim.attributed_to.clone(),
                    number: index + 1,
                    outlet: citations[*index].source.outlet.clone(),
                    rank: claim.rank,
                    rank_reason: claim.rank_reason.clone(),
                })
                .collect(),
        })
        .collect()
}
