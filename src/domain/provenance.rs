//! What an event's sources say, weighed: the claims on each topic gathered across the
//! citations, the value the editors hold as best, and whether the topic is disputed
//! (alternatives stand against it) or the sources differ without the editors having
//! ranked them. Pages, feeds and filters read these judgements; none of them recomputes
//! its own.

use super::records::Claim;
use super::vocabulary::Rank;

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
