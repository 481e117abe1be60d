//! Quantities that sources claim: "over 400 drones", "above 1,000", "up to 100,000 a
//! year", "$497 million", "300–400 engineers as of May 2023". A claim whose value reads
//! as one keeps it structured (a figure or a range, how it bounds the true figure, a unit
//! and an as-of date), so that the same quantity is always shown the same way and two
//! sources' figures compare as figures, not as wording. Anything else stays text.
//!
//! [`Quantity::parse`] and [`Quantity::display`] are each other's inverse: what is shown
//! reads back as the same quantity.

use serde::{Deserialize, Serialize};

use super::vocabulary::Bound;
use crate::dates::{DatePrecision, EventDate};

/// A figure a source gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// How the figure bounds the true one ("more than 400": `more_than`).
    #[serde(default)]
    pub bound: Bound,
    /// The figure, or the low end of a range.
    pub low: f64,
    /// The high end of a range ("300–400"), above `low`.
    #[serde(default)]
    pub high: Option<f64>,
    /// What is counted, or the currency as an ISO 4217 code for "$", "€" and "£":
    /// "drones", "a year", "USD"; empty for a bare number.
    #[serde(default)]
    pub unit: String,
    /// The day, month or year the figure stood at ("as of May 2023").
    #[serde(default)]
    pub as_of: Option<EventDate>,
}

/// Phrases before a figure, longest first where one starts another.
const BOUNDS: &[(&str, Bound)] = &[
    ("more than", Bound::MoreThan),
    ("in excess of", Bound::MoreThan),
    ("upwards of", Bound::MoreThan),
    ("over", Bound::MoreThan),
    ("above", Bound::MoreThan),
    ("at least", Bound::AtLeast),
    ("no fewer than", Bound::AtLeast),
    ("no less than", Bound::AtLeast),
    ("a minimum of", Bound::AtLeast),
    ("up to", Bound::UpTo),
    ("as many as", Bound::UpTo),
    ("at most", Bound::UpTo),
    ("no more than", Bound::UpTo),
    ("a maximum of", Bound::UpTo),
    ("less than", Bound::LessThan),
    ("fewer than", Bound::LessThan),
    ("under", Bound::LessThan),
    ("below", Bound::LessThan),
    ("about", Bound::About),
    ("around", Bound::About),
    ("approximately", Bound::About),
    ("roughly", Bound::About),
    ("nearly", Bound::About),
    ("almost", Bound::About),
    ("an estimated", Bound::About),
    ("estimated", Bound::About),
    ("some", Bound::About),
    ("c.", Bound::About),
    ("~", Bound::About),
    ("exactly", Bound::Exactly),
];

/// Currency signs written before a figure, and the code kept as the unit.
const CURRENCIES: &[(&str, &str)] = &[("US$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP")];

/// Words and abbreviations that scale a figure, with their power of ten.
const SCALES: &[(&str, i32)] = &[
    ("thousand", 3),
    ("million", 6),
    ("billion", 9),
    ("trillion", 12),
    ("mn", 6),
    ("bn", 9),
    ("tn", 12),
    ("k", 3),
    ("m", 6),
];

/// Figures written as words.
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
];

/// Separators of a range's two ends ("300–400", "300 to 400", "between 300 and 400").
const RANGE_SEPARATORS: &[&str] = &["–", "—", "-", " to ", " and "];

impl Quantity {
    /// Reads `text` as a quantity, or `None` when it is not one (a name, a place, a date,
    /// a sentence). A bare year ("2023") is not a quantity; "1,500" or "2023 drones" is.
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (text, as_of) = match find_ignoring_case(text, " as of ") {
            Some(at) => {
                let date = EventDate::parse_written(&text[at + " as of ".len()..]).ok()?;
                let single = !date.is_interval() && !date.edtf().contains('/');
                if !single || date.precision() == DatePrecision::Season {
                    return None;
                }
                (text[..at].trim(), Some(date))
            }
            None => (text, None),
        };
        let (bound, rest) = match BOUNDS
            .iter()
            .find_map(|(phrase, bound)| strip_phrase(text, phrase).map(|rest| (*bound, rest)))
        {
            Some(found) => found,
            None => (Bound::Exactly, text),
        };
        let (between, rest) = match strip_phrase(rest, "between") {
            Some(rest) if bound == Bound::Exactly => (true, rest),
            _ => (false, rest),
        };
        let (currency, rest) = strip_currency(rest);
        let (low, rest) = read_figure(rest)?;
        let mut range = None;
        for separator in RANGE_SEPARATORS {
            if *separator == " and " && !between {
                continue;
            }
            if let Some(after) = strip_prefix_ignoring_case(rest.trim_start(), separator.trim_start()) {
                let after = after.trim_start();
                let (second_currency, after) = strip_currency(after);
                if second_currency.is_some() && second_currency != currency {
                    return None;
                }
                range = Some(read_figure(after)?);
                break;
            }
        }
        if between && range.is_none() {
            return None;
        }
        let year_like = low.year_like || range.as_ref().is_some_and(|(high, _)| high.year_like);
        let word = low.word || range.as_ref().is_some_and(|(high, _)| high.word);
        let (low, high, rest) = match range {
            // "1–2 billion": the scale of the second end applies to both.
            Some((high, rest)) => {
                let low = if low.scale == 0 {
                    low.scaled(high.scale)
                } else {
                    low.value()
                };
                let high = high.value();
                if high <= low {
                    return None;
                }
                (low, Some(high), rest)
            }
            None => (low.value(), None, rest),
        };
        // A unit stands apart from its figure ("400 drones", "40%"): "1990s", "5G" and
        // "4th" are words, not quantities.
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with('%')) {
            return None;
        }
        let unit = rest.trim();
        // "2022–2023", "c. 1990": years, however they are bounded.
        if year_like && unit.is_empty() && currency.is_none() {
            return None;
        }
        // "Five Eyes", "one of the largest": a number word counts only something.
        if word && !counts_something(unit) {
            return None;
        }
        let unit = match (currency, unit) {
            (Some(code), "") => code.to_owned(),
            (Some(_), _) => return None,
            (None, "percent" | "per cent") => "%".to_owned(),
            (None, unit) => unit.to_owned(),
        };
        if !unit_is_plausible(&unit) {
            return None;
        }
        if !low.is_finite() {
            return None;
        }
        Some(Quantity {
            bound,
            low,
            high,
            unit,
            as_of,
        })
    }

    /// The quantity as every page shows it: "more than 400 drones", "$497 million",
    /// "about 300–400 engineers as of May 2023".
    pub fn display(&self) -> String {
        let figure = match self.high {
            Some(high) => {
                let scale = scale_of(high).filter(|&scale| scaled_is_short(self.low, scale));
                match scale {
                    Some((word, power)) => format!(
                        "{}–{} {word}",
                        short(self.low / 10f64.powi(power)),
                        short(high / 10f64.powi(power))
                    ),
                    None => format!("{}–{}", short(self.low), short(high)),
                }
            }
            None => figure(self.low),
        };
        let symbol = CURRENCIES
            .iter()
            .rev()
            .find(|(_, code)| *code == self.unit)
            .map(|(symbol, _)| *symbol);
        let mut text = String::new();
        let bound = self.bound.label();
        if !bound.is_empty() {
            text.push_str(bound);
            text.push(' ');
        }
        match symbol {
            Some(symbol) => {
                text.push_str(symbol);
                text.push_str(&figure);
            }
            None if self.unit == "%" => {
                text.push_str(&figure);
                text.push('%');
            }
            None if self.unit.is_empty() => text.push_str(&figure),
            None => {
                text.push_str(&figure);
                text.push(' ');
                text.push_str(&self.unit);
            }
        }
        if let Some(as_of) = &self.as_of {
            text.push_str(" as of ");
            text.push_str(&as_of.display());
        }
        text
    }
}

/// A figure as written: its digits, the places after the point, and its scale.
#[derive(Debug, Clone, Copy)]
struct Figure {
    digits: u64,
    decimals: i32,
    scale: i32,
    /// Written as a year would be: four plain digits from 1000 to 2999.
    year_like: bool,
    /// Written as a word ("two").
    word: bool,
}

impl Figure {
    fn value(self) -> f64 {
        self.scaled(self.scale)
    }

    /// The value at `scale` (a power of ten) rather than its own: exact for whole results.
    fn scaled(self, scale: i32) -> f64 {
        let power = scale - self.decimals;
        if power >= 0 {
            self.digits as f64 * 10f64.powi(power)
        } else {
            self.digits as f64 / 10f64.powi(-power)
        }
    }
}

/// Reads a figure at the start of `text` ("1,500", "2.5 million", "497m", "two") and
/// returns it with the rest.
fn read_figure(text: &str) -> Option<(Figure, &str)> {
    let text = text.trim_start();
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == ',' || *c == '.'))
        .map_or(text.len(), |(i, _)| i);
    let written = text[..end].trim_end_matches([',', '.']);
    let rest = &text[written.len()..];
    let figure = if written.is_empty() {
        let word_end = text.find(|c: char| !c.is_alphabetic()).unwrap_or(text.len());
        let word = text[..word_end].to_lowercase();
        let n = NUMBER_WORDS.iter().position(|w| *w == word)?;
        return Some((
            Figure {
                digits: n as u64 + 1,
                decimals: 0,
                scale: 0,
                year_like: false,
                word: true,
            },
            &text[word_end..],
        ));
    } else {
        read_digits(written)?
    };
    // A scale word or abbreviation, after a space or attached ("$1.5bn").
    let after = rest.trim_start();
    for (word, power) in SCALES {
        let Some(tail) = strip_prefix_ignoring_case(after, word) else {
            continue;
        };
        if tail.chars().next().is_some_and(char::is_alphanumeric) {
            continue;
        }
        if word.len() <= 2 && after.len() != rest.len() && *word != "bn" && *word != "mn" {
            // "400 m" is more likely metres than millions.
            continue;
        }
        return Some((
            Figure {
                scale: *power,
                year_like: false,
                ..figure
            },
            tail,
        ));
    }
    Some((figure, rest))
}

/// Digits with thousands separators in groups of three and an optional decimal point.
fn read_digits(written: &str) -> Option<Figure> {
    let (whole, fraction) = match written.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (written, None),
    };
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_well = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_well || whole.is_empty() {
        return None;
    }
    let fraction = fraction.unwrap_or("");
    if fraction.contains([',', '.']) || fraction.len() > 6 {
        return None;
    }
    let digits: String = groups.concat() + fraction;
    if digits.len() > 15 {
        return None;
    }
    let plain = groups.len() == 1 && fraction.is_empty() && !written.contains('.');
    let digits: u64 = digits.parse().ok()?;
    Some(Figure {
        digits,
        decimals: i32::try_from(fraction.len()).ok()?,
        scale: 0,
        year_like: plain && whole.len() == 4 && (1000..3000).contains(&digits),
        word: false,
    })
}

/// `text` after a leading currency sign, and the sign's code.
fn strip_currency(text: &str) -> (Option<&'static str>, &str) {
    for (sign, code) in CURRENCIES {
        if let Some(rest) = text.strip_prefix(sign) {
            return (Some(code), rest.trim_start());
        }
    }
    (None, text)
}

/// `text` after `phrase` and the space that ends it (or a figure right after "~").
fn strip_phrase<'a>(text: &'a str, phrase: &str) -> Option<&'a str> {
    let rest = strip_prefix_ignoring_case(text, phrase)?;
    let next = rest.chars().next()?;
    let glued =
        phrase == "~" && (next.is_ascii_digit() || CURRENCIES.iter().any(|(s, _)| rest.starts_with(s)));
    (next.is_whitespace() || glued).then(|| rest.trim_start())
}

fn strip_prefix_ignoring_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn find_ignoring_case(text: &str, needle: &str) -> Option<usize> {
    text.to_ascii_lowercase().rfind(needle)
}

/// Whether what follows a figure reads as its unit: words, not a date or more figures
/// ("31 July 2023", "2023-07-31" and "12 May" are dates, not quantities).
fn unit_is_plausible(unit: &str) -> bool {
    if unit.is_empty() || unit == "%" {
        return true;
    }
    let first = unit.chars().next().unwrap_or(' ');
    if !first.is_alphabetic() {
        return false;
    }
    let mut words = unit.split_whitespace();
    let starts_with_month = words.next().is_some_and(|word| {
        let word = word.trim_end_matches([',', '.']).to_lowercase();
        (1..=12).any(|n| {
            let name = crate::dates::month_name(n).to_lowercase();
            word == name || (word.len() == 3 && name.starts_with(&word))
        })
    });
    let has_bare_number = unit.split_whitespace().any(|word| {
        word.trim_end_matches([',', '.', ';'])
            .chars()
            .all(|c| c.is_ascii_digit())
    });
    !starts_with_month && !has_bare_number
}

/// Whether a number word's unit names what is counted: a lower-case word that is not a
/// function word ("two flights", not "one of", "Five Eyes").
fn counts_something(unit: &str) -> bool {
    const FUNCTION_WORDS: &[&str] = &[
        "of", "the", "a", "an", "in", "on", "at", "by", "for", "to", "and", "or", "more", "another",
    ];
    let Some(first) = unit.split_whitespace().next() else {
        return true;
    };
    first.chars().next().is_some_and(char::is_lowercase) && !FUNCTION_WORDS.contains(&first)
}

/// The largest scale word a value of at least a million reads with.
fn scale_of(value: f64) -> Option<(&'static str, i32)> {
    [("trillion", 12), ("billion", 9), ("million", 6)]
        .into_iter()
        .find(|(_, power)| value >= 10f64.powi(*power))
}

/// Whether `value` at `scale` needs at most two decimals ("1.25 million").
fn scaled_is_short(value: f64, (_, power): (&str, i32)) -> bool {
    let scaled = value / 10f64.powi(power) * 100.0;
    (scaled - scaled.round()).abs() < 1e-9
}

/// A figure as shown: "400", "100,000", "497 million", "1.5 billion", "2.5".
fn figure(value: f64) -> String {
    match scale_of(value).filter(|&scale| scaled_is_short(value, scale)) {
        Some((word, power)) => format!("{} {word}", short(value / 10f64.powi(power))),
        None => short(value),
    }
}

/// A number with thousands separators and no trailing zeros after the point.
fn short(value: f64) -> String {
    let rounded = (value * 1e6).round() / 1e6;
    let whole = rounded.trunc();
    let mut digits = format!("{whole:.0}");
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    grouped = digits + &grouped;
    let fraction = format!("{:.6}", rounded - whole);
    let fraction = fraction.trim_start_matches('0').trim_end_matches('0');
    if fraction == "." || fraction.is_empty() {
        grouped
    } else {
        grouped + fraction
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Quantity {
        match Quantity::parse(text) {
            Some(q) => q,
            None => panic!("{text:?} should read as a quantity"),
        }
    }

    #[test]
    fn the_issues_examples_read_and_show_alike() {
        let cases = [
            (
                "over 400 drones",
                Bound::MoreThan,
                400.0,
                None,
                "drones",
                "more than 400 drones",
            ),
            (
                "above 1,000",
                Bound::MoreThan,
                1000.0,
                None,
                "",
                "more than 1,000",
            ),
            (
                "up to 100,000 a year",
                Bound::UpTo,
                100_000.0,
                None,
                "a year",
                "up to 100,000 a year",
            ),
            ("$497 million", Bound::Exactly, 497e6, None, "USD", "$497 million"),
            (
                "about 300–400 drones",
                Bound::About,
                300.0,
                Some(400.0),
                "drones",
                "about 300–400 drones",
            ),
            (
                "between 300 and 400 engineers",
                Bound::Exactly,
                300.0,
                Some(400.0),
                "engineers",
                "300–400 engineers",
            ),
            ("$1-2bn", Bound::Exactly, 1e9, Some(2e9), "USD", "$1–2 billion"),
            ("at least 12", Bound::AtLeast, 12.0, None, "", "at least 12"),
            (
                "fewer than 50 people",
                Bound::LessThan,
                50.0,
                None,
                "people",
                "less than 50 people",
            ),
            ("~2.5 million", Bound::About, 2.5e6, None, "", "about 2.5 million"),
            ("40 percent", Bound::Exactly, 40.0, None, "%", "40%"),
            (
                "two transport flights",
                Bound::Exactly,
                2.0,
                None,
                "transport flights",
                "2 transport flights",
            ),
            ("1,500", Bound::Exactly, 1500.0, None, "", "1,500"),
            (
                "12 Su-35 jets",
                Bound::Exactly,
                12.0,
                None,
                "Su-35 jets",
                "12 Su-35 jets",
            ),
        ];
        for (text, bound, low, high, unit, shown) in cases {
            let q = read(text);
            assert_eq!(
                (q.bound, q.low, q.high, q.unit.as_str()),
                (bound, low, high, unit),
                "{text}"
            );
            assert_eq!(q.display(), shown, "{text}");
            assert_eq!(read(shown), q, "{shown} reads back");
        }
    }

    #[test]
    fn an_as_of_date_is_kept_and_shown() {
        let q = read("more than 400 drones as of 2023-05");
        assert_eq!(q.as_of.as_ref().map(EventDate::edtf).as_deref(), Some("2023-05"));
        assert_eq!(q.display(), "more than 400 drones as of May 2023");
        assert_eq!(read(&q.display()), q);
        let day = read("about 3,000 as of 31 July 2023");
        assert_eq!(day.display(), "about 3,000 as of 31 Jul 2023");
        assert_eq!(read(&day.display()), day);
    }

    #[test]
    fn text_that_is_not_a_quantity_stays_text() {
        for text in [
            "2023",
            "31 July 2023",
            "2023-07-31",
            "12 May",
            "Shahed-136",
            "since the summer of 2022",
            "Tehran",
            "dozens of drones",
            "between 300",
            "400–300 drones",
            "1,00 drones",
            "$400 drones",
            "400 as of the spring",
            "400 as of summer 2022",
            "2022–2023",
            "2022-2023",
            "c. 1990",
            "around 2020",
            "1990s",
            "4th of July",
            "5G",
            "Five Eyes",
            "one of the largest",
            "",
            "over",
        ] {
            assert_eq!(Quantity::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn figures_show_with_separators_and_scales() {
        assert_eq!(figure(1_234_567.0), "1,234,567");
        assert_eq!(figure(1_250_000.0), "1.25 million");
        assert_eq!(figure(0.5), "0.5");
        assert_eq!(figure(999_999.0), "999,999");
        assert_eq!(figure(3e12), "3 trillion");
    }
}
