//! What an event's sources say, weighed: the claims on each topic gathered across the
//! citations, the value the editors hold as best, and whether the topic is disputed
//! (alternatives stand against it) or the sources differ without the editors having
//! ranked them. Pages, feeds and filters read these judgements; none of them recomputes
//! its own.

use super::records::Claim;
use super::vocabulary::{Rank, Verification};

/// The claims on one topic across an event's citations.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic<'a> {
    /// The topic as first written.
    pub topic: &'a str,
    /// Every claim with the index of its citation: preferred first, then alternative,
    /// then deprecated, each in citation order.
    pub claims: Vec<(usize, &'a Claim)>,
}

impl<'a> Topic<'a> {
    /// The distinct values the editors hold as best (usually one).
    pub fn preferred(&self) -> Vec<&'a Claim> {
        let mut values: Vec<&'a Claim> = Vec::new();
        for (_, claim) in &self.claims {
            if claim.rank == Rank::Preferred && !values.iter().any(|v| v.same_value(claim)) {
                values.push(claim);
            }
        }
        values
    }

    /// Whether alternatives stand against the preferred value: the topic is disputed.
    pub fn disputed(&self) -> bool {
        self.claims
            .iter()
            .any(|(_, claim)| claim.rank == Rank::Alternative)
    }

    /// Whether sources give different values that the editors have not ranked: more
    /// than one preferred value.
    pub fn unranked(&self) -> bool {
        self.preferred().len() > 1
    }
}

/// Gathers the claims of `citations` (each citation's claims, in citation order) by
/// topic, topics in order of first mention; topics match up to case, spacing and
/// diacritics.
pub fn topics<'a>(citations: impl IntoIterator<Item = &'a [Claim]>) -> Vec<Topic<'a>> {
    let mut topics: Vec<(String, Topic<'a>)> = Vec::new();
    for (index, claims) in citations.into_iter().enumerate() {
        for claim in claims {
            let key = super::names::fold(&claim.topic);
            match topics.iter_mut().find(|(k, _)| *k == key) {
                Some((_, topic)) => topic.claims.push((index, claim)),
                None => topics.push((
                    key,
                    Topic {
                        topic: &claim.topic,
                        claims: vec![(index, claim)],
                    },
                )),
            }
        }
    }
    topics
        .into_iter()
        .map(|(_, mut topic)| {
            // A stable sort keeps citation order within each rank.
            topic.claims.sort_by_key(|(_, claim)| claim.rank);
            topic
        })
        .collect()
}

/// A source an event cites, as verification weighs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CitedSource {
    /// The source the citation's source derives from, through any chain (itself when
    /// it derives from none): sources with one root are one independent source.
    pub root: i64,
    /// For an official statement (its outlet's kind), the outlet's country.
    pub official_for: Option<i64>,
    /// How the editors rank the source's own date for the event, if it gives one.
    pub date_rank: Option<Rank>,
    /// What it claims: the topic folded for matching, and the rank.
    pub claims: Vec<(String, Rank)>,
}

/// What an event's sources establish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weighed {
    /// Distinct roots of the cited sources.
    pub independent: usize,
    /// The status the sources give (before any editor's override).
    pub verification: Verification,
    /// Some claim, or some source's date, is ranked alternative.
    pub alternatives: bool,
}

/// Weighs an event's cited sources: the status follows the first rule that holds of
/// - disputed: an alternative claim (or date) comes from a source independent of those
///   the preferred value on its topic (or the other sources, for a date) rests on;
/// - officially confirmed: an official statement of a participating country is cited;
/// - corroborated: two or more independent sources;
/// - single source: one; no source: none.
///
/// "Denied" is an editor's judgement: only an override gives it.
pub fn weigh(cited: &[CitedSource], participating: &[i64]) -> Weighed {
    let mut roots: Vec<i64> = cited.iter().map(|c| c.root).collect();
    roots.sort_unstable();
    roots.dedup();
    let alternatives = cited.iter().any(|c| {
        c.date_rank == Some(Rank::Alternative) || c.claims.iter().any(|(_, rank)| *rank == Rank::Alternative)
    });
    // The roots the preferred value of a topic rests on.
    let preferred_roots = |topic: &str| -> Vec<i64> {
        cited
            .iter()
            .filter(|c| c.claims.iter().any(|(t, r)| t == topic && *r == Rank::Preferred))
            .map(|c| c.root)
            .collect()
    };
    let claim_disputed = cited.iter().any(|alternative| {
        alternative.claims.iter().any(|(topic, rank)| {
            let roots = preferred_roots(topic);
            *rank == Rank::Alternative && !roots.is_empty() && !roots.contains(&alternative.root)
        })
    });
    let date_disputed = cited.iter().any(|alternative| {
        alternative.date_rank == Some(Rank::Alternative)
            && cited.iter().any(|other| other.root != alternative.root)
    });
    let official = cited.iter().any(|c| {
        c.official_for
            .is_some_and(|country| participating.contains(&country))
    });
    let verification = if claim_disputed || date_disputed {
        Verification::Disputed
    } else if official {
        Verification::OfficiallyConfirmed
    } else {
        match roots.len() {
            0 => Verification::Unsourced,
            1 => Verification::SingleSource,
            _ => Verification::Corroborated,
        }
    };
    Weighed {
        independent: roots.len(),
        verification,
        alternatives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(topic: &str, value: &str, rank: Rank) -> Claim {
        Claim::new(topic, value, None).ranked(rank, "")
    }

    #[test]
    fn ranks_decide_the_preferred_value_and_the_dispute() {
        let first = [claim("Drones delivered", "over 400", Rank::Preferred)];
        let second = [
            claim("drones  delivered", "more than 400 drones", Rank::Preferred),
            claim("Date of the MOU", "June 2023", Rank::Deprecated),
        ];
        let third = [claim("Drones delivered", "about 300", Rank::Alternative)];
        let found = topics([&first[..], &second[..], &third[..]]);
        assert_eq!(found.len(), 2);
        let drones = &found[0];
        assert_eq!(drones.topic, "Drones delivered");
        assert_eq!(
            drones.claims.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            [0, 1, 2],
            "preferred first, in citation order"
        );
        // "over 400" and "more than 400 drones" differ in unit: two preferred values.
        assert_eq!(drones.preferred().len(), 2);
        assert!(drones.unranked());
        assert!(drones.disputed());
        let mou = &found[1];
        assert!(!mou.disputed(), "a deprecated claim disputes nothing");
        assert!(mou.preferred().is_empty());
    }

    #[test]
    fn equal_quantities_are_one_preferred_value() {
        let a = [claim("Drones", "over 400", Rank::Preferred)];
        let b = [claim("Drones", "more than 400", Rank::Preferred)];
        let found = topics([&a[..], &b[..]]);
        assert_eq!(found[0].preferred().len(), 1);
        assert!(!found[0].unranked());
        assert!(!found[0].disputed());
    }

    fn cited(root: i64, claims: &[(&str, Rank)]) -> CitedSource {
        CitedSource {
            root,
            official_for: None,
            date_rank: None,
            claims: claims.iter().map(|(t, r)| ((*t).to_owned(), *r)).collect(),
        }
    }

    #[test]
    fn verification_follows_independent_sources_officials_and_disputes() {
        assert_eq!(weigh(&[], &[]).verification, Verification::Unsourced);
        // Three rewrites of one wire story are one source.
        let rewrites = [cited(7, &[]), cited(7, &[]), cited(7, &[])];
        let weighed = weigh(&rewrites, &[]);
        assert_eq!(
            (weighed.independent, weighed.verification),
            (1, Verification::SingleSource)
        );
        let two = [cited(7, &[]), cited(8, &[])];
        assert_eq!(weigh(&two, &[]).verification, Verification::Corroborated);
        // An official statement counts when its country takes part.
        let mut official = cited(9, &[]);
        official.official_for = Some(100);
        assert_eq!(
            weigh(&[official.clone()], &[100]).verification,
            Verification::OfficiallyConfirmed
        );
        assert_eq!(
            weigh(&[official], &[200]).verification,
            Verification::SingleSource
        );
        // An alternative from an independent source disputes; from the same root it
        // does not (a source disagreeing with its own rewrite is no second voice).
        let disputed = [
            cited(1, &[("drones", Rank::Preferred)]),
            cited(2, &[("drones", Rank::Alternative)]),
        ];
        let weighed = weigh(&disputed, &[]);
        assert_eq!(
            (weighed.verification, weighed.alternatives),
            (Verification::Disputed, true)
        );
        // Nor does an alternative sharing a root with the preferred value, even when
        // another independent source also prefers it.
        let shared = [
            cited(1, &[("drones", Rank::Preferred)]),
            cited(1, &[("drones", Rank::Alternative)]),
            cited(2, &[("drones", Rank::Preferred)]),
        ];
        assert_eq!(weigh(&shared, &[]).verification, Verification::Corroborated);
        let same_root = [
            cited(1, &[("drones", Rank::Preferred)]),
            cited(1, &[("drones", Rank::Alternative)]),
        ];
        let weighed = weigh(&same_root, &[]);
        assert_eq!(
            (weighed.verification, weighed.alternatives),
            (Verification::SingleSource, true)
        );
        // A deprecated claim disputes nothing.
        let deprecated = [
            cited(1, &[("drones", Rank::Preferred)]),
            cited(2, &[("drones", Rank::Deprecated)]),
        ];
        assert_eq!(weigh(&deprecated, &[]).verification, Verification::Corroborated);
        // An alternative date from another source disputes the date.
        let mut date = cited(2, &[]);
        date.date_rank = Some(Rank::Alternative);
        assert_eq!(
            weigh(&[cited(1, &[]), date], &[]).verification,
            Verification::Disputed
        );
    }

    #[test]
    fn alternatives_sort_after_the_preferred_value() {
        let a = [claim(
            "Start",
            "since the onset of the 2022 invasion",
            Rank::Alternative,
        )];
        let b = [claim("Start", "since the summer of 2022", Rank::Preferred)];
        let found = topics([&a[..], &b[..]]);
        assert_eq!(found[0].claims[0].1.value, "since the summer of 2022");
        assert_eq!(found[0].claims[0].0, 1);
        assert!(found[0].disputed());
    }
}
