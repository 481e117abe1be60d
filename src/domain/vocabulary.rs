//! The closed vocabularies of entente, each defined once: its stored text (the same in
//! the database, in snapshots, in datasets and in query strings), its order in forms, and
//! the label a reader sees. The database's CHECK constraints list the same texts; a test
//! in `tests/data.rs` keeps them in step.

/// Defines a vocabulary: an enum whose variants are stored as `text` and shown as
/// `label`, with serde and sqlx encodings that use the text.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] #[sqlx(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in the order forms and facets list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value stored as `text`, if it is one.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// Every stored text, for messages: "meeting, visit, …".
            pub fn terms() -> String {
                [$($text),+].join(", ")
            }

            /// What a reader sees.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        /// In the API's OpenAPI document: a string, one of the stored texts.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownTerm;
            fn from_str(text: &str) -> Result<$name, UnknownTerm> {
                $name::parse(text).ok_or(UnknownTerm)
            }
        }
    };
}

/// A text that is not a term of the vocabulary asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a known term")]
pub struct UnknownTerm;

vocabulary! {
    /// What kind of event happened.
    EventType {
        Meeting = "meeting", "Meeting";
        Visit = "visit", "Visit";
        /// MOU, treaty, roadmap, contract: the kind is [`AgreementKind`].
        Agreement = "agreement", "Agreement";
        Statement = "statement", "Statement";
        /// Setting up or running arms production.
        Production = "production", "Production";
        /// Deliveries of weapons or materiel.
        Transfer = "transfer", "Transfer";
        Deployment = "deployment", "Deployment";
        IntelligenceClaim = "intelligence_claim", "Intelligence claim";
        Exercise = "exercise", "Exercise";
        Sanction = "sanction", "Sanction";
        Other = "other", "Other";
    }
}

vocabulary! {
    /// The kind of an agreement (only for events of type [`EventType::Agreement`]).
    AgreementKind {
        Mou = "mou", "Memorandum of understanding";
        Treaty = "treaty", "Treaty";
        Roadmap = "roadmap", "Roadmap";
        Contract = "contract", "Contract";
        Protocol = "protocol", "Protocol";
        Other = "other", "Other agreement";
    }
}

vocabulary! {
    /// Who may see an event.
    EventStatus {
        Published = "published", "Published";
        /// Seen by editors only, until published.
        Draft = "draft", "Draft";
        /// Withdrawn with a reason that readers see.
        Retracted = "retracted", "Retracted";
    }
}

/// A listing without a status filter shows what readers see.
impl Default for EventStatus {
    fn default() -> EventStatus {
        EventStatus::Published
    }
}

vocabulary! {
    /// How one event relates to another, read as "this event <relation> that event".
    RelationKind {
        FollowsFrom = "follows_from", "Follows from";
        PartOf = "part_of", "Part of";
        SameAs = "same_as", "Same event as";
        Contradicts = "contradicts", "Contradicted by or contradicts";
        RelatedTo = "related_to", "Related to";
    }
}

impl RelationKind {
    /// How the relation reads from the other event's side ("Led to" for "Follows from").
    pub fn inverse_label(self) -> &'static str {
        match self {
            RelationKind::FollowsFrom => "Led to",
            RelationKind::PartOf => "Includes",
            other => other.label(),
        }
    }
}

vocabulary! {
    /// How the editors hold a claim (or a source's date for an event) against the others
    /// on the same topic, as Wikidata ranks statements. Every claim has a rank, with the
    /// editor's reason.
    #[derive(Default)]
    Rank {
        /// The value the editors hold as best; a claim is preferred until ranked otherwise.
        #[default]
        Preferred = "preferred", "Preferred";
        /// A value the editors do not hold as best but which stands: the topic is disputed.
        Alternative = "alternative", "Alternative";
        /// Superseded, or withdrawn by its source: kept to be seen, not relied on.
        Deprecated = "deprecated", "Deprecated";
    }
}

impl Rank {
    /// Whether this is the default rank (files leave it out).
    pub fn is_preferred(&self) -> bool {
        *self == Rank::Preferred
    }
}

vocabulary! {
    /// How a quantity bounds the true figure: "about 400", "over 400", "up to 400"…
    #[derive(Default)]
    Bound {
        #[default]
        Exactly = "exactly", "";
        About = "about", "about";
        AtLeast = "at_least", "at least";
        MoreThan = "more_than", "more than";
        UpTo = "up_to", "up to";
        LessThan = "less_than", "less than";
    }
}

vocabulary! {
    /// What an actor is.
    ActorKind {
        /// A state; it has an ISO 3166-1 alpha-2 code.
        Country = "country", "Country";
        /// A person, with a role and title at the time of each event.
        Person = "person", "Person";
        /// A ministry, agency, company, think tank or news agency.
        Organization = "organization", "Organization";
        /// A plant or a base.
        Facility = "facility", "Facility";
    }
}

impl ActorKind {
    /// The label in the plural, for headings.
    pub fn plural(self) -> &'static str {
        match self {
            ActorKind::Country => "Countries",
            ActorKind::Person => "People",
            ActorKind::Organization => "Organizations",
            ActorKind::Facility => "Facilities",
        }
    }
}

vocabulary! {
    /// What an account may do. Readers need no account.
    Role {
        /// Creates, edits, publishes and retracts events.
        Editor = "editor", "Editor";
        /// An editor who also manages accounts and deletes events.
        Admin = "admin", "Admin";
    }
}

vocabulary! {
    /// The kinds of record that keep a history of revisions.
    Entity {
        Event = "event", "Event";
        Actor = "actor", "Actor";
        Source = "source", "Source";
        Outlet = "outlet", "Outlet";
    }
}

vocabulary! {
    /// How well an event is established, derived from its sources and claims (see
    /// [`super::provenance::weigh`]) unless an editor overrides it with a reason.
    Verification {
        /// No source is cited yet.
        Unsourced = "unsourced", "No source";
        /// One independent source (however many rewrite it).
        SingleSource = "single_source", "Single source";
        /// Two or more independent sources.
        Corroborated = "corroborated", "Corroborated";
        /// An official statement of a participating country is cited.
        OfficiallyConfirmed = "officially_confirmed", "Officially confirmed";
        /// Alternative claims stand, from sources independent of the preferred ones.
        Disputed = "disputed", "Disputed";
        /// A party denies it (an editor's judgement).
        Denied = "denied", "Denied";
    }
}

vocabulary! {
    /// What kind of publisher an outlet is: how close it stands to the parties, which
    /// decides what its reports can confirm.
    #[derive(Default)]
    OutletKind {
        /// A government, ministry or party's own statement or channel.
        Official = "official", "Official statement";
        StateMedia = "state_media", "State media";
        NewsAgency = "news_agency", "News agency";
        IndependentPress = "independent_press", "Independent press";
        ThinkTank = "think_tank", "Think tank";
        MilitaryIntelligence = "military_intelligence", "Military or intelligence agency";
        SocialMedia = "social_media", "Social media";
        /// Not known, or not yet described by an editor.
        #[default]
        Unidentified = "unidentified", "Unidentified";
    }
}

vocabulary! {
    /// What a revision did to its record.
    RevisionAction {
        Create = "create", "Created";
        Edit = "edit", "Edited";
        Publish = "publish", "Published";
        Unpublish = "unpublish", "Back to draft";
        Retract = "retract", "Retracted";
        Restore = "restore", "Restored as draft";
        /// An earlier version's content brought back.
        Revert = "revert", "Earlier version brought back";
        /// The record as loaded from a dataset, kept before its first change.
        Import = "import", "As loaded from the dataset";
        /// Two actors made one.
        Merge = "merge", "Merged";
        /// Removed for good by an admin; the snapshot keeps its last state.
        Delete = "delete", "Deleted";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_parses_back_from_its_text() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        for t in RevisionAction::ALL {
            assert_eq!(t.as_str().parse::<RevisionAction>(), Ok(*t));
        }
        assert_eq!(EventType::parse("Meeting"), None);
        assert_eq!(EventType::IntelligenceClaim.label(), "Intelligence claim");
    }

    #[test]
    fn serde_uses_the_stored_text() {
        assert_eq!(
            serde_json::to_string(&EventType::IntelligenceClaim)
                .ok()
                .as_deref(),
            Some("\"intelligence_claim\"")
        );
        let kind: Option<AgreementKind> = serde_json::from_str("\"mou\"").ok();
        assert_eq!(kind, Some(AgreementKind::Mou));
        assert!(serde_json::from_str::<ActorKind>("\"planet\"").is_err());
    }

    #[test]
    fn relations_read_both_ways() {
        assert_eq!(RelationKind::FollowsFrom.label(), "Follows from");
        assert_eq!(RelationKind::FollowsFrom.inverse_label(), "Led to");
        assert_eq!(RelationKind::SameAs.inverse_label(), "Same event as");
    }
}
