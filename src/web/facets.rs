//! Facets and the histogram of a timeline view: counts within the current result, each
//! a link that narrows the view to that value or period.

use super::timeline::View;
use crate::dates::EventDate;
use crate::domain::filter::TimelineFilter;
use crate::domain::{EventType, Verification};
use crate::store::summary::{PeriodCount, Summary};

/// Values shown at once in a facet; the rest sit behind "More".
const SHOWN_VALUES: usize = 6;

/// A facet value as a link (or as the current value, without one).
pub struct FacetLink {
    pub label: String,
    pub count: i64,
    /// None when the view is already narrowed to this value.
    pub url: Option<String>,
}

/// One facet: its heading and values, most frequent first.
pub struct FacetGroup {
    pub id: &'static str,
    pub heading: &'static str,
    pub shown: Vec<FacetLink>,
    pub more: Vec<FacetLink>,
    pub more_label: &'static str,
}

/// The facets of a view, in the order the page shows them.
pub fn facet_groups(view: &View, summary: &Summary) -> Vec<FacetGroup> {
    let filter = &view.filter;
    let narrowed = |change: &dyn Fn(&mut TimelineFilter)| {
        let mut narrower = view.first_page();
        change(&mut narrower.filter);
        narrower.url()
    };
    let mut groups = Vec::new();

    let countries = summary
        .countries
        .iter()
        .map(|c| FacetLink {
            label: c.label.clone(),
            count: c.count,
            url: (!filter.countries.contains(&c.value)).then(|| {
                narrowed(&|f| {
                    f.countries.push(c.value.clone());
                    f.countries.sort();
                })
            }),
        })
        .collect();
    groups.push(group("facet-countries", "Countries", countries, "More countries"));

    let types = summary
        .types
        .iter()
        .filter_map(|t| EventType::parse(&t.value).map(|event_type| (event_type, t.count)))
        .map(|(event_type, count)| FacetLink {
            label: event_type.label().to_owned(),
            count,
            url: (filter.types != [event_type]).then(|| narrowed(&|f| f.types = vec![event_type])),
        })
        .collect();
    groups.push(group("facet-types", "Types", types, "More types"));

    let verification = summary
        .verification
        .iter()
        .filter_map(|v| Verification::parse(&v.value).map(|status| (status, v.count)))
        .map(|(status, count)| FacetLink {
            label: status.label().to_owned(),
            count,
            url: (filter.verification != [status]).then(|| narrowed(&|f| f.verification = vec![status])),
        })
        .collect();
    groups.push(group(
        "facet-verification",
        "Verification",
        verification,
        "More statuses",
    ));

    let actors = summary
        .actors
        .iter()
        .map(|a| {
            let id = a.value.parse::<i64>().ok();
            FacetLink {
                label: a.label.clone(),
                count: a.count,
                url: (filter.actor != id).then(|| narrowed(&|f| f.actor = id)),
            }
        })
        .collect();
    groups.push(group(
        "facet-actors",
        "People and organizations",
        actors,
        "More actors",
    ));

    let tags = summary
        .tags
        .iter()
        .map(|t| FacetLink {
            label: t.label.clone(),
            count: t.count,
            url: (filter.tag.as_ref() != Some(&t.value))
                .then(|| narrowed(&|f| f.tag = Some(t.value.clone()))),
        })
        .collect();
    groups.push(group("facet-tags", "Tags", tags, "More tags"));

    groups.retain(|g| !g.shown.is_empty());
    groups
}

fn group(
    id: &'static str,
    heading: &'static str,
    mut links: Vec<FacetLink>,
    more_label: &'static str,
) -> FacetGroup {
    let more = links.split_off(links.len().min(SHOWN_VALUES));
    FacetGroup {
        id,
        heading,
        shown: links,
        more,
        more_label,
    }
}

/// One bar of the histogram, in SVG user units.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// "March 2023: 12 events", the bar's accessible name and tooltip.
    pub label: String,
    /// The view narrowed to the bar's period; None for empty periods.
    pub url: Option<String>,
}

/// An axis label under the bars.
pub struct Tick {
    pub x: u32,
    pub text: String,
}

/// The shape of the view over time.
pub struct Histogram {
    pub caption: String,
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    /// Said under the chart: what the bars leave out.
    pub note: Option<String>,
}

/// Up to this many years are drawn per month; longer spans per year.
const MONTHLY_UP_TO_YEARS: i32 = 4;
const BAR_AREA_HEIGHT: u32 = 100;
const AXIS_HEIGHT: u32 = 18;

/// The histogram of a view, or None when it has no events.
pub fn histogram(view: &View, summary: &Summary) -> Option<Histogram> {
    let first: i32 = summary.years.first()?.period.parse().ok()?;
    let last: i32 = summary.years.last()?.period.parse().ok()?;
    let monthly = last - first < MONTHLY_UP_TO_YEARS && !summary.months.is_empty();
    let periods: Vec<(String, String, i64)> = if monthly {
        (first..=last)
            .flat_map(|year| (1..=12).map(move |month| (year, month)))
            .map(|(year, month)| {
                let period = format!("{year}-{month:02}");
                let count = count_of(&summary.months, &period);
                (
                    period,
                    format!("{} {year}", crate::dates::month_name(month)),
                    count,
                )
            })
            .collect()
    } else {
        (first..=last)
            .map(|year| {
                let period = year.to_string();
                let count = count_of(&summary.years, &period);
                (period.clone(), period, count)
            })
            .collect()
    };
    let max = periods.iter().map(|(_, _, n)| *n).max().unwrap_or(0).max(1);
    let step: u32 = if monthly { 14 } else { 24 };
    let bars = periods
        .iter()
        .enumerate()
        .map(|(i, (period, name, count))| {
            let height = ((*count as f64 / max as f64) * BAR_AREA_HEIGHT as f64).round() as u32;
            let height = if *count > 0 { height.max(2) } else { 0 };
            Bar {
                x: i as u32 * step,
                y: BAR_AREA_HEIGHT - height,
                width: step - 2,
                height,
                label: format!("{name}: {}", events(*count)),
                url: (*count > 0).then(|| period_view(view, period)),
            }
        })
        .collect();
    let tick_every = if monthly { 12 } else { (periods.len() / 8).max(1) };
    let ticks = periods
        .iter()
        .enumerate()
        .filter(|(i, _)| i % tick_every == 0)
        .map(|(i, (period, _, _))| Tick {
            x: i as u32 * step,
            text: period.get(..4).unwrap_or(period).to_owned(),
        })
        .collect();
    let in_months: i64 = summary.months.iter().map(|m| m.count).sum();
    let note = (monthly && in_months < summary.total).then(|| {
        format!(
            "{} dated only to a year or a season {} not drawn in the monthly bars.",
            events(summary.total - in_months),
            if summary.total - in_months == 1 {
                "is"
            } else {
                "are"
            }
        )
    });
    Some(Histogram {
        caption: format!(
            "Matching events per {}, {first}–{last}. Each bar links to the events of its period.",
            if monthly { "month" } else { "year" }
        ),
        width: periods.len() as u32 * step,
        height: BAR_AREA_HEIGHT + AXIS_HEIGHT,
        bars,
        ticks,
        note,
    })
}

fn count_of(periods: &[PeriodCount], period: &str) -> i64 {
    periods.iter().find(|p| p.period == period).map_or(0, |p| p.count)
}

fn events(n: i64) -> String {
    if n == 1 {
        "1 event".to_owned()
    } else {
        format!("{n} events")
    }
}

/// The view narrowed to one year or month (replacing its own range).
fn period_view(view: &View, period: &str) -> String {
    let mut narrower = view.first_page();
    let date = EventDate::parse(period).ok();
    narrower.filter.from = date.clone();
    narrower.filter.to = date;
    narrower.url()
}
