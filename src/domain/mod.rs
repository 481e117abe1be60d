//! The typed domain of entente: its closed vocabularies, its records and their snapshots.
//! Pure: no SQL, no HTTP, no templates. The store reads and writes these types, the web
//! layer renders them, imports parse into them.

/// What an editor asks to save: validated form fields and status changes.
pub mod edit;
/// A timeline view: its filter, sort and page cursor.
pub mod filter;
/// Folding names for matching, and slugs for addresses.
pub mod names;
/// What an event's sources say, weighed: claims by topic, preferred values, disputes.
pub mod provenance;
/// Figures that sources claim, structured: bound, figure or range, unit, as-of date.
pub mod quantity;
/// The records: an event with everything it cites, an actor, a source.
pub mod records;
/// A reader's search, checked and turned into FTS5 syntax, and highlighting.
pub mod search;
/// Records as revisions keep them: serde form plus a schema number.
pub mod snapshot;
/// What text entente stores: no control characters, visible names, lengths.
pub mod text;
/// Closed vocabularies (event type, status, actor kind, role…), each defined once.
pub mod vocabulary;

pub use quantity::Quantity;
pub use records::{
    Actor, Citation, Claim, Event, KeyDates, Outlet, Participant, Relation, Source, address_problem,
    first_reported, source_problems,
};
pub use vocabulary::{
    ActorKind, AgreementKind, Bound, Entity, EventStatus, EventType, OutletKind, Rank, RelationKind,
    RevisionAction, Role, Verification,
};
