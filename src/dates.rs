//! The one date module: how entente reads, checks, bounds and shows the date of an event.
//!
//! Reported dates come at every precision ("2023", "in May", "31 July", "since the summer
//! of 2022"), and an event known only to the month must never be shown as the 1st of that
//! month. Editors therefore type dates in a small subset of EDTF (Extended Date/Time
//! Format, ISO 8601-2), and this module turns that text into an [`EventDate`] that knows
//! - its canonical EDTF text, which is what the database stores ([`EventDate::edtf`]);
//! - the earliest and latest day it can stand for, to sort and to filter
//!   ([`EventDate::earliest`], [`EventDate::latest`]): a date-range filter matches an
//!   event whose possible days overlap the range;
//! - a human rendering that shows the precision honestly ("May 2023", "c. 2023",
//!   "Jun – 31 Jul 2023", [`EventDate::display`]).
//!
//! The subset entente accepts (anything else is refused with a sentence an editor
//! understands, never a panic):
//! - level 0: `2023`, `2023-05`, `2023-07-31`, and intervals `2023-06/2023-07-31` whose
//!   start is not after their end;
//! - level 1: a qualifier after a date, `~` approximate, `?` uncertain, `%` both
//!   (`2023-05~`, `2023?`, `2023-05-01~/2023-05-15~`); the seasons `2022-21` to `2022-24`
//!   (spring Mar–May, summer Jun–Aug, autumn Sep–Nov, winter Dec–Feb of the next year);
//!   open interval ends `../2023-05` (until) and `2022-06/..` (since);
//! - four-digit years from 1000 to 2999; surrounding whitespace is ignored.
//!
//! Division of labour: this module reads the *shape* of what was typed, decides what
//! entente accepts and explains every refusal in an editor's words. The `edtf-core`
//! crate is the authority on whether the calendar agrees (real days and leap years,
//! month and season codes, interval ends in order) and computes the day bounds, including
//! month ends and winter's crossing into the next year.

use std::fmt;
use std::str::FromStr;

use edtf_core::{Bound, BoundDate, Edtf};
use time::macros::date;
use time::{Date, Month};

/// The first year an editor may write.
const FIRST_YEAR: i32 = 1000;
/// The last year an editor may write.
const LAST_YEAR: i32 = 2999;
/// The day an open start (`../2023-05`) stands for, so that it sorts and filters first.
const OPEN_START: Date = date!(1000 - 01 - 01);
/// The day an open end (`2022-06/..`) stands for, so that it sorts and filters last.
const OPEN_END: Date = date!(2999 - 12 - 31);
/// Longer input cannot be a date of the subset (the longest is 23 characters).
const MAX_INPUT_CHARS: usize = 64;
/// How much of a refused input an error message repeats.
const SHOWN_INPUT_CHARS: usize = 40;
/// The end of most refusals: what to write instead.
const HOW_TO_WRITE: &str = "write 2023, 2023-07 or 2023-07-31 (see the date help)";

/// An event's date as the editor knows it: a day, month, season or year, possibly
/// approximate or uncertain, or an interval between two of those (possibly open at one
/// end). It exists so that every part of entente stores, sorts, filters and shows dates
/// the same way, and never pretends to more precision than the sources give.
///
/// Build one with [`EventDate::parse`]; every value is valid by construction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDate {
    shape: Shape,
    earliest: Date,
    latest: Date,
}

/// How fine the known part of a date is; stored next to the date so that lists can group
/// and label events honestly ("known to the month").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatePrecision {
    /// Only the year is known (`2023`).
    Year,
    /// The season is known (`2022-22`, summer 2022).
    Season,
    /// The month is known (`2023-05`).
    Month,
    /// The day is known (`2023-07-31`).
    Day,
}

/// How two dates for the same event relate, for example the date a source claims and the
/// date the editor settled on; it exists so that a page can flag sources that disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateAgreement {
    /// The same date, written the same way (identical canonical EDTF).
    Same,
    /// Different, but the days they can stand for overlap, so both can be true
    /// (`2023-07` and `2023-07-31`: one is less precise).
    Compatible,
    /// No day fits both (`2023-06` and `2023-07-31`).
    Conflict,
}

/// Why a date was refused, as one sentence an editor understands; it names the input and
/// says what to write instead, so forms and dataset imports can show it as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DateError {
    input: String,
    message: String,
}

impl DateError {
    fn new(input: &str, message: String) -> Self {
        DateError {
            input: input.to_owned(),
            message,
        }
    }

    /// The refused text (trimmed), so a form can show it again for correction.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl EventDate {
    /// Reads a date typed by an editor (or stored earlier) in entente's EDTF subset; see
    /// the module documentation for what is accepted. Surrounding whitespace is ignored.
    ///
    /// # Errors
    ///
    /// A [`DateError`] whose message names the input and says what to write instead.
    pub fn parse(input: &str) -> Result<EventDate, DateError> {
        let text = input.trim();
        let written = read(text)?;
        let edtf = Edtf::parse(text).map_err(|refusal| explain_refusal(text, written, refusal))?;
        let shape = written.validated().ok_or_else(|| not_understood(text))?;
        let bounds = edtf.bounds();
        let (Some(earliest), Some(latest)) = (earliest_day(bounds.earliest), latest_day(bounds.latest))
        else {
            return Err(not_understood(text));
        };
        if latest > OPEN_END {
            // Only winter 2999 gets here: it ends in February 3000.
            return Err(DateError::new(
                text,
                format!(
                    "{} runs into {}, after the last year entente accepts: use years from \
                     {FIRST_YEAR} to {LAST_YEAR}.",
                    quoted(text),
                    latest.year()
                ),
            ));
        }
        Ok(EventDate {
            shape,
            earliest,
            latest,
        })
    }

    /// Reads a single day, month or year as people write it and as [`EventDate::display`]
    /// shows it ("31 Jul 2023", "31 July 2023", "July 31, 2023", "May 2023", "2023", with
    /// "c. " before an approximate one), or else as EDTF. Quantities' "as of" dates are
    /// read this way, so that their rendering reads back.
    ///
    /// # Errors
    ///
    /// The [`DateError`] of [`EventDate::parse`] for text that is neither.
    pub fn parse_written(input: &str) -> Result<EventDate, DateError> {
        let text = input.trim();
        let (text, qualifier) = match text.strip_prefix("c. ") {
            Some(rest) => (rest.trim(), "~"),
            None => (text, ""),
        };
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let month = |word: &str| {
            let word = word.trim_end_matches('.').to_lowercase();
            (1..=12usize).find(|&n| {
                let name = month_name(n).to_lowercase();
                word.len() >= 3 && name.starts_with(&word) && (word.len() == 3 || word == name)
            })
        };
        let number = |word: &str| word.parse::<u32>().ok().filter(|_| word.len() <= 4);
        let edtf = match words.as_slice() {
            [m, y] if month(m).is_some() && number(y).is_some() => month(m).map(|m| format!("{}-{m:02}", y)),
            [d, m, y] | [m, d, y] if month(m).is_some() && number(d).is_some_and(|d| d <= 31) => {
                month(m).map(|m| format!("{y}-{m:02}-{d:0>2}"))
            }
            _ => None,
        };
        match edtf {
            Some(edtf) => {
                EventDate::parse(&format!("{edtf}{qualifier}")).map_err(|_| not_understood(input.trim()))
            }
            None if qualifier.is_empty() => EventDate::parse(text),
            None => EventDate::parse(&format!("{text}{qualifier}")),
        }
    }

    /// The canonical EDTF text, as stored in the database; `parse(edtf())` gives the same
    /// date back.
    pub fn edtf(&self) -> String {
        match self.shape {
            Shape::Single(point) => point.edtf(),
            Shape::Between(start, end) => format!("{}/{}", start.edtf(), end.edtf()),
            Shape::Since(start) => format!("{}/..", start.edtf()),
            Shape::Until(end) => format!("../{}", end.edtf()),
        }
    }

    /// The first day the date can stand for (1000-01-01 for an open start); the sort key
    /// and the lower end of the range a filter compares with.
    pub fn earliest(&self) -> Date {
        self.earliest
    }

    /// The last day the date can stand for (2999-12-31 for an open end); the upper end of
    /// the range a filter compares with.
    pub fn latest(&self) -> Date {
        self.latest
    }

    /// The day a timeline files the date under: its earliest day, or its latest when the
    /// start is open (`../2023-05` belongs with May 2023, not with the year 1000).
    pub fn sort_day(&self) -> Date {
        match self.shape {
            Shape::Until(_) => self.latest,
            _ => self.earliest,
        }
    }

    /// The precision of the start, or of the end when the start is open.
    pub fn precision(&self) -> DatePrecision {
        match self.shape {
            Shape::Single(point) | Shape::Between(point, _) | Shape::Since(point) | Shape::Until(point) => {
                point.unit.precision()
            }
        }
    }

    /// Whether the date is an interval (`2023-06/2023-07-31`, `2022-06/..`, `../2023-05`).
    pub fn is_interval(&self) -> bool {
        !matches!(self.shape, Shape::Single(_))
    }

    /// Whether any part is marked approximate (`~` or `%`).
    pub fn is_approximate(&self) -> bool {
        self.points().any(|point| point.qualifier.is_approximate())
    }

    /// Whether any part is marked uncertain (`?` or `%`).
    pub fn is_uncertain(&self) -> bool {
        self.points().any(|point| point.qualifier.is_uncertain())
    }

    /// The human rendering ("31 Jul 2023", "c. May 2023", "Jun – 31 Jul 2023",
    /// "since Jun 2022"); the same text as the [`fmt::Display`] implementation.
    pub fn display(&self) -> String {
        self.to_string()
    }

    /// Compares two dates for the same event: [`DateAgreement::Same`] when they are
    /// written identically, [`DateAgreement::Compatible`] when the days they can stand for
    /// overlap, [`DateAgreement::Conflict`] otherwise.
    pub fn agreement_with(&self, other: &EventDate) -> DateAgreement {
        if self.edtf() == other.edtf() {
            DateAgreement::Same
        } else if self.earliest <= other.latest && other.earliest <= self.latest {
            DateAgreement::Compatible
        } else {
            DateAgreement::Conflict
        }
    }

    /// The dated parts: one, or two for an interval closed at both ends.
    fn points(&self) -> impl Iterator<Item = Point> {
        let (first, second) = match self.shape {
            Shape::Single(point) | Shape::Since(point) | Shape::Until(point) => (point, None),
            Shape::Between(start, end) => (start, Some(end)),
        };
        std::iter::once(first).chain(second)
    }
}

/// The same as [`EventDate::parse`], for `str::parse` and generic code.
impl FromStr for EventDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventDate::parse(s)
    }
}

/// Today's date (UTC) as `yyyy-mm-dd`: the access date of a citation.
pub fn today() -> String {
    iso_day(time::OffsetDateTime::now_utc().date())
}

/// The English name of month `number` (1 to 12), for headings and chart labels.
pub fn month_name(number: usize) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES.get(number.wrapping_sub(1)).copied().unwrap_or("")
}

/// Snapshots, datasets and the API carry a date as its canonical EDTF text.
impl serde::Serialize for EventDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.edtf())
    }
}

/// In the API's OpenAPI document: a string of EDTF text.
impl utoipa::PartialSchema for EventDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "A date in the Extended Date/Time Format (ISO 8601-2, level 1): a day, a month \
                 or a year (`2023-07-31`, `2023-07`, `2023`), a season (`2023-21`), marked \
                 approximate (`~`) or uncertain (`?`), or an interval (`2023-06/2023-07-31`, \
                 `2022-06/..`).",
            ))
            .examples(["2023-07-31", "2023-06~", "2022-06/.."])
            .into()
    }
}

impl utoipa::ToSchema for EventDate {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Edtf")
    }
}

/// Reads EDTF text; a date that does not parse is refused with the editor's message.
impl<'de> serde::Deserialize<'de> for EventDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        EventDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The human rendering; see [`EventDate::display`].
impl fmt::Display for EventDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shape {
            Shape::Single(point) => f.write_str(&point.shown(Omit::Nothing)),
            Shape::Since(start) => write!(f, "since {}", start.shown(Omit::Nothing)),
            Shape::Until(end) => write!(f, "until {}", end.shown(Omit::Nothing)),
            Shape::Between(start, end) => f.write_str(&between(start, end)),
        }
    }
}

impl DatePrecision {
    /// The word stored in the database and used in URLs: "year", "season", "month", "day".
    pub fn as_str(&self) -> &'static str {
        match self {
            DatePrecision::Year => "year",
            DatePrecision::Season => "season",
            DatePrecision::Month => "month",
            DatePrecision::Day => "day",
        }
    }

    /// The phrase shown to readers: "known to the year", "known to the season", ...
    pub fn label(&self) -> &'static str {
        match self {
            DatePrecision::Year => "known to the year",
            DatePrecision::Season => "known to the season",
            DatePrecision::Month => "known to the month",
            DatePrecision::Day => "known to the day",
        }
    }
}

/// Reads a day stored as `2023-07-31` (as [`iso_day`] writes it), for bounds read back
/// from SQL. `None` for anything else, including days the calendar does not have.
pub fn parse_iso_day(s: &str) -> Option<Date> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = s.as_bytes() else {
        return None;
    };
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
        })
    };
    let year = i32::from(number(&[y0, y1, y2, y3])?);
    let month = Month::try_from(u8::try_from(number(&[m0, m1])?).ok()?).ok()?;
    let day = u8::try_from(number(&[d0, d1])?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Writes a day as `2023-07-31` (zero-padded, so text order is date order), for storing
/// bounds in SQL.
pub fn iso_day(d: Date) -> String {
    let (year, month, day) = d.to_calendar_date();
    let sign = if year < 0 { "-" } else { "" };
    format!("{sign}{:04}-{:02}-{day:02}", year.unsigned_abs(), u8::from(month))
}

// ------------------------------------------------------------------ the accepted model

/// The accepted forms, with no room for an interval open at both ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Single(Point),
    Between(Point, Point),
    Since(Point),
    Until(Point),
}

/// One dated part of an accepted date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Point {
    year: i32,
    unit: Unit,
    qualifier: Qualifier,
}

/// What a point names within its year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Year,
    Season(Season),
    Month(Month),
    /// A month and a day the calendar has (checked by edtf-core before this is built).
    Day(Month, u8),
}

/// The northern-hemisphere seasons of EDTF level 1 (codes 21–24).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Season {
    Spring,
    Summer,
    Autumn,
    Winter,
}

/// EDTF's trailing qualifier on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Qualifier {
    Exact,
    Approximate,
    Uncertain,
    Both,
}

/// Which parts of a point an interval's start leaves to its end ("Jun – 31 Jul 2023").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Omit {
    Nothing,
    Year,
    MonthAndYear,
}

impl Point {
    fn edtf(self) -> String {
        let body = match self.unit {
            Unit::Year => format!("{:04}", self.year),
            Unit::Season(season) => format!("{:04}-{}", self.year, season.code()),
            Unit::Month(month) => format!("{:04}-{:02}", self.year, u8::from(month)),
            Unit::Day(month, day) => format!("{:04}-{:02}-{day:02}", self.year, u8::from(month)),
        };
        format!("{body}{}", self.qualifier.symbol())
    }

    /// The rendering without qualifier, leaving out what `omit` says the end shows.
    fn label(self, omit: Omit) -> String {
        let year = self.year;
        match (self.unit, omit) {
            (Unit::Year, _) => year.to_string(),
            (Unit::Season(season), Omit::Nothing) => {
                format!("{} {}", season.name(), season.year_label(year))
            }
            (Unit::Season(season), _) => season.name().to_owned(),
            (Unit::Month(month), Omit::Nothing) => format!("{} {year}", month_abbr(month)),
            (Unit::Month(month), _) => month_abbr(month).to_owned(),
            (Unit::Day(month, day), Omit::Nothing) => {
                format!("{day} {} {year}", month_abbr(month))
            }
            (Unit::Day(month, day), Omit::Year) => format!("{day} {}", month_abbr(month)),
            (Unit::Day(_, day), Omit::MonthAndYear) => day.to_string(),
        }
    }

    /// The rendering with its own qualifier.
    fn shown(self, omit: Omit) -> String {
        self.qualifier.wrap(&self.label(omit))
    }
}

/// An interval closed at both ends, eliding what the end repeats: "Jun – 31 Jul 2023",
/// "11 – 13 Mar 2025", "Dec 2022 – Jan 2023". A qualifier both ends share is shown once.
fn between(start: Point, end: Point) -> String {
    let same_year = start.year == end.year && start.unit.names_its_year() && end.unit.names_its_year();
    let same_month =
        same_year && matches!((start.unit, end.unit), (Unit::Day(a, _), Unit::Day(b, _)) if a == b);
    let omit = if same_month {
        Omit::MonthAndYear
    } else if same_year {
        Omit::Year
    } else {
        Omit::Nothing
    };
    if start.qualifier == end.qualifier {
        let range = format!("{} – {}", start.label(omit), end.label(Omit::Nothing));
        start.qualifier.wrap(&range)
    } else {
        format!("{} – {}", start.shown(omit), end.shown(Omit::Nothing))
    }
}

impl Unit {
    fn precision(self) -> DatePrecision {
        match self {
            Unit::Year => DatePrecision::Year,
            Unit::Season(_) => DatePrecision::Season,
            Unit::Month(_) => DatePrecision::Month,
            Unit::Day(..) => DatePrecision::Day,
        }
    }

    /// Whether the rendering ends in the plain year, so an interval's start may leave it
    /// to the end. A bare year would vanish, and winter names two years.
    fn names_its_year(self) -> bool {
        match self {
            Unit::Year | Unit::Season(Season::Winter) => false,
            Unit::Season(_) | Unit::Month(_) | Unit::Day(..) => true,
        }
    }
}

impl Season {
    fn from_code(code: u8) -> Option<Season> {
        match code {
            21 => Some(Season::Spring),
            22 => Some(Season::Summer),
            23 => Some(Season::Autumn),
            24 => Some(Season::Winter),
            _ => None,
        }
    }

    fn code(self) -> u8 {
        match self {
            Season::Spring => 21,
            Season::Summer => 22,
            Season::Autumn => 23,
            Season::Winter => 24,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Season::Spring => "Spring",
            Season::Summer => "Summer",
            Season::Autumn => "Autumn",
            Season::Winter => "Winter",
        }
    }

    /// Winter 2022 runs from December 2022 to February 2023, so it is shown as
    /// "Winter 2022–23" rather than a "Winter 2022" a reader could place in January 2022.
    fn year_label(self, year: i32) -> String {
        let next = year + 1;
        match self {
            Season::Winter if next / 100 == year / 100 => format!("{year}–{:02}", next % 100),
            Season::Winter => format!("{year}–{next}"),
            _ => year.to_string(),
        }
    }
}

impl Qualifier {
    fn from_symbol(symbol: char) -> Option<Qualifier> {
        match symbol {
            '~' => Some(Qualifier::Approximate),
            '?' => Some(Qualifier::Uncertain),
            '%' => Some(Qualifier::Both),
            _ => None,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            Qualifier::Approximate => "~",
            Qualifier::Uncertain => "?",
            Qualifier::Both => "%",
        }
    }

    fn is_approximate(self) -> bool {
        matches!(self, Qualifier::Approximate | Qualifier::Both)
    }

    fn is_uncertain(self) -> bool {
        matches!(self, Qualifier::Uncertain | Qualifier::Both)
    }

    /// "c. " before an approximate date, "?" after an uncertain one.
    fn wrap(self, text: &str) -> String {
        let circa = if self.is_approximate() { "c. " } else { "" };
        let query = if self.is_uncertain() { "?" } else { "" };
        format!("{circa}{text}{query}")
    }
}

fn month_abbr(month: Month) -> &'static str {
    match month {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    }
}

fn earliest_day(bound: Bound) -> Option<Date> {
    match bound {
        Bound::NegativeInfinity => Some(OPEN_START),
        Bound::Date(day) => calendar_day(day),
        Bound::PositiveInfinity | Bound::Unknown => None,
    }
}

fn latest_day(bound: Bound) -> Option<Date> {
    match bound {
        Bound::PositiveInfinity => Some(OPEN_END),
        Bound::Date(day) => calendar_day(day),
        Bound::NegativeInfinity | Bound::Unknown => None,
    }
}

fn calendar_day(day: BoundDate) -> Option<Date> {
    let year = i32::try_from(day.year).ok()?;
    let month = Month::try_from(day.month).ok()?;
    Date::from_calendar_date(year, month, day.day).ok()
}

// ------------------------------------------------------------------ reading the shape

/// What the editor wrote, read for shape only: the numbers are not yet checked against
/// the calendar (edtf-core does that).
#[derive(Clone, Copy, Debug)]
enum Written {
    Single(WrittenPoint),
    Between(WrittenPoint, WrittenPoint),
    Since(WrittenPoint),
    Until(WrittenPoint),
}

/// One dated part as written: a four-digit year in range, and two-digit month (or
/// season) and day fields of any value.
#[derive(Clone, Copy, Debug)]
struct WrittenPoint {
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
    qualifier: Qualifier,
}

/// One side of an interval's `/`.
enum Side {
    Open,
    Dated(WrittenPoint),
}

impl Written {
    /// The accepted model; `None` only if the calendar check let through something the
    /// model cannot hold, which the caller turns into an ordinary refusal.
    fn validated(self) -> Option<Shape> {
        Some(match self {
            Written::Single(point) => Shape::Single(point.validated()?),
            Written::Between(start, end) => Shape::Between(start.validated()?, end.validated()?),
            Written::Since(start) => Shape::Since(start.validated()?),
            Written::Until(end) => Shape::Until(end.validated()?),
        })
    }

    fn points(self) -> impl Iterator<Item = WrittenPoint> {
        let (first, second) = match self {
            Written::Single(point) | Written::Since(point) | Written::Until(point) => (point, None),
            Written::Between(start, end) => (start, Some(end)),
        };
        std::iter::once(first).chain(second)
    }
}

impl WrittenPoint {
    fn validated(self) -> Option<Point> {
        let unit = match (self.month, self.day) {
            (None, None) => Unit::Year,
            (Some(code), None) => match Season::from_code(code) {
                Some(season) => Unit::Season(season),
                None => Unit::Month(Month::try_from(code).ok()?),
            },
            (Some(month), Some(day)) => Unit::Day(Month::try_from(month).ok()?, day),
            (None, Some(_)) => return None,
        };
        Some(Point {
            year: self.year,
            unit,
            qualifier: self.qualifier,
        })
    }

    /// The point as written, without its qualifier, for messages.
    fn plain(self) -> String {
        let fields = [self.month, self.day]
            .into_iter()
            .flatten()
            .map(|field| format!("-{field:02}"));
        std::iter::once(format!("{:04}", self.year))
            .chain(fields)
            .collect()
    }
}

/// Reads the shape of the whole (trimmed) input.
fn read(text: &str) -> Result<Written, DateError> {
    if text.is_empty() {
        return Err(DateError::new(
            text,
            format!("No date was given: {HOW_TO_WRITE}."),
        ));
    }
    if text.chars().count() > MAX_INPUT_CHARS {
        return Err(DateError::new(
            text,
            format!("{} is too long to be a date: {HOW_TO_WRITE}.", quoted(text)),
        ));
    }
    if !text.is_ascii() {
        if text.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()) {
            return Err(DateError::new(
                text,
                format!(
                    "{} uses digits entente cannot read: type the plain digits 0–9, as in \
                     2023-07-31.",
                    quoted(text)
                ),
            ));
        }
        return Err(not_understood(text));
    }
    let sides: Vec<&str> = text.split('/').collect();
    match sides.as_slice() {
        [single] => match read_side(text, single)? {
            Side::Dated(point) => Ok(Written::Single(point)),
            Side::Open => Err(not_understood(text)),
        },
        [start, end] => read_interval(text, start, end),
        _ => Err(not_understood(text)),
    }
}

fn read_interval(text: &str, start: &str, end: &str) -> Result<Written, DateError> {
    if start.is_empty() || end.is_empty() {
        return Err(unknown_end(text, start, end));
    }
    match (read_side(text, start)?, read_side(text, end)?) {
        (Side::Dated(start), Side::Dated(end)) => Ok(Written::Between(start, end)),
        (Side::Dated(start), Side::Open) => Ok(Written::Since(start)),
        (Side::Open, Side::Dated(end)) => Ok(Written::Until(end)),
        (Side::Open, Side::Open) => Err(DateError::new(
            text,
            format!(
                "{} has no date at either end: give at least one, as in 2022-06/.. \
                 (since June 2022) or ../2023-05 (until May 2023).",
                quoted(text)
            ),
        )),
    }
}

/// Reads one date, or `..` (open) when it is a side of an interval.
fn read_side(text: &str, side: &str) -> Result<Side, DateError> {
    if side == ".." {
        return Ok(Side::Open);
    }
    if side.starts_with("..") || side.ends_with("..") {
        return Err(DateError::new(
            text,
            format!(
                "{} is not a date entente understands: for an interval open at one end \
                 write ../2023-05 (until May 2023) or 2022-06/.. (since June 2022).",
                quoted(text)
            ),
        ));
    }
    if let Some(advice) = time_advice(side) {
        return Err(DateError::new(
            text,
            format!(
                "{} has a time of day, but entente records days only: {advice}.",
                quoted(text)
            ),
        ));
    }
    let qualifier = side.chars().next_back().and_then(Qualifier::from_symbol);
    // The qualifier symbols are one byte each (ASCII), so this slice ends on a character
    // boundary.
    let body = match qualifier {
        Some(_) => &side[..side.len() - 1],
        None => side,
    };
    if body.contains(['~', '?', '%']) {
        return Err(DateError::new(
            text,
            format!(
                "{} has a qualifier before or inside the date: put ~ (approximate), \
                 ? (uncertain) or % (both) once, at the end, as in 2023-05~.",
                quoted(text)
            ),
        ));
    }
    if body.contains('X') {
        return Err(DateError::new(
            text,
            format!(
                "{} uses X for unknown digits, which entente does not support: write the \
                 known part (2023 rather than 2023-XX) or an interval (2020/2029 rather \
                 than 202X).",
                quoted(text)
            ),
        ));
    }
    let mut fields = body.split('-');
    let year = read_year(text, fields.next().unwrap_or_default())?;
    let month = fields.next();
    let day = fields.next();
    if fields.next().is_some() {
        return Err(not_understood(text));
    }
    let (Some(month), Some(day)) = (
        month.map_or(Some(None), |m| two_digits(m).map(Some)),
        day.map_or(Some(None), |d| two_digits(d).map(Some)),
    ) else {
        return Err(match padded(body) {
            Some(suggestion) => DateError::new(
                text,
                format!(
                    "{} needs two-digit months and days: write {suggestion}.",
                    quoted(text)
                ),
            ),
            None => not_understood(text),
        });
    };
    if month.is_some_and(|code| (25..=41).contains(&code)) {
        return Err(DateError::new(
            text,
            format!(
                "{} uses a division of the year entente does not support: the seasons are \
                 21 (spring), 22 (summer), 23 (autumn) and 24 (winter), as in 2022-22.",
                quoted(text)
            ),
        ));
    }
    Ok(Side::Dated(WrittenPoint {
        year,
        month,
        day,
        qualifier: qualifier.unwrap_or(Qualifier::Exact),
    }))
}

/// A four-digit year from 1000 to 2999.
fn read_year(text: &str, field: &str) -> Result<i32, DateError> {
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_understood(text));
    }
    if field.len() != 4 {
        return Err(DateError::new(
            text,
            format!(
                "{} is not a date entente understands: years have four digits, as in 2023.",
                quoted(text)
            ),
        ));
    }
    let year = field
        .bytes()
        .fold(0, |year, digit| year * 10 + i32::from(digit - b'0'));
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(DateError::new(
            text,
            format!(
                "{} is outside the years entente accepts: use a year from {FIRST_YEAR} \
                 to {LAST_YEAR}.",
                quoted(text)
            ),
        ));
    }
    Ok(year)
}

/// The value of exactly two ASCII digits.
fn two_digits(field: &str) -> Option<u8> {
    match field.as_bytes() {
        [tens @ b'0'..=b'9', ones @ b'0'..=b'9'] => Some((tens - b'0') * 10 + (ones - b'0')),
        _ => None,
    }
}

/// `2023-5-1` as `2023-05-01`, when padding with zeros is all it needs.
fn padded(body: &str) -> Option<String> {
    let mut fields = body.split('-');
    let year = fields.next()?.to_owned();
    let padded_fields = fields.map(|field| {
        let digits = !field.is_empty() && field.len() <= 2 && field.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| format!("-{field:0>2}"))
    });
    std::iter::once(Some(year)).chain(padded_fields).collect()
}

/// What to write instead when the side carries a time of day (`2023-05-01T10:00`,
/// `2023-05-01 10:00`, `10:00`); `None` when it does not.
fn time_advice(side: &str) -> Option<String> {
    let plain_day = |day: &str| {
        let bytes = day.as_bytes();
        bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            })
    };
    if let Some((day, time)) = side.split_once(['T', 't', ' '])
        && plain_day(day)
        && time.bytes().any(|b| b.is_ascii_digit())
    {
        return Some(format!("drop the time and write {day}"));
    }
    side.contains(':').then(|| HOW_TO_WRITE.to_owned())
}

// ------------------------------------------------------------------ refusals

/// The input as quoted in a message: trimmed already, shortened when long, control
/// characters replaced so the sentence stays readable.
fn quoted(text: &str) -> String {
    let mut shown: String = text
        .chars()
        .take(SHOWN_INPUT_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().count() > SHOWN_INPUT_CHARS {
        shown.push('…');
    }
    format!("“{shown}”")
}

fn not_understood(text: &str) -> DateError {
    DateError::new(
        text,
        format!(
            "{} is not a date entente understands: {HOW_TO_WRITE}.",
            quoted(text)
        ),
    )
}

/// `/2023` or `2023/`: EDTF's "unknown" end, which entente does not record.
fn unknown_end(text: &str, start: &str, end: &str) -> DateError {
    let is_date = |side: &str| matches!(read_side(text, side), Ok(Side::Dated(_)));
    let advice = if start.is_empty() && is_date(end) {
        format!("write ../{end} for “until {end}”, or give the start")
    } else if end.is_empty() && is_date(start) {
        format!("write {start}/.. for “since {start}”, or give the end")
    } else {
        return not_understood(text);
    };
    DateError::new(
        text,
        format!(
            "{} leaves one end of the interval empty, and entente does not record unknown \
             ends: {advice}.",
            quoted(text)
        ),
    )
}

/// Turns edtf-core's refusal of a well-shaped input into the editor's terms: a month or
/// day the calendar does not have, a season with a day, or an interval that ends before
/// it starts.
fn explain_refusal(text: &str, written: Written, refusal: edtf_core::ParseError) -> DateError {
    for point in written.points() {
        if let Some(problem) = calendar_problem(text, written, point) {
            return problem;
        }
    }
    if let Written::Between(start, end) = written
        && ends_before_start(start, end)
    {
        let swapped = match text.split_once('/') {
            Some((first, second)) => format!(" ({second}/{first})"),
            None => String::new(),
        };
        return DateError::new(
            text,
            format!(
                "{} ends before it starts: write the earlier date first{swapped}.",
                quoted(text)
            ),
        );
    }
    DateError::new(
        text,
        format!(
            "{} is not a date entente understands ({}): {HOW_TO_WRITE}.",
            quoted(text),
            refusal.message
        ),
    )
}

fn calendar_problem(text: &str, written: Written, point: WrittenPoint) -> Option<DateError> {
    let code = point.month?;
    let season = Season::from_code(code);
    if season.is_none() && !(1..=12).contains(&code) {
        return Some(DateError::new(
            text,
            format!(
                "{} has no month {code:02}: months are 01 to 12, and 21 to 24 are spring, \
                 summer, autumn and winter.",
                quoted(text)
            ),
        ));
    }
    let day = point.day?;
    if season.is_some() {
        return Some(DateError::new(
            text,
            format!(
                "{} gives a day within a season: write the season alone ({:04}-{code}) or \
                 a month and day.",
                quoted(text),
                point.year
            ),
        ));
    }
    let month = Month::try_from(code).ok()?;
    let length = month.length(point.year);
    if day != 0 && day <= length {
        return None;
    }
    let reason = if day == 0 {
        "days are numbered from 01".to_owned()
    } else {
        format!("{month} {} has {length} days", point.year)
    };
    let subject = match written {
        Written::Single(_) => format!("{} is", quoted(text)),
        _ => format!("{} contains {}, which is", quoted(text), point.plain()),
    };
    Some(DateError::new(
        text,
        format!("{subject} not a real day: {reason}."),
    ))
}

/// Whether `start` cannot begin before `end` is over: its earliest day comes after the
/// latest day of `end`, by edtf-core's bounds of each side alone.
fn ends_before_start(start: WrittenPoint, end: WrittenPoint) -> bool {
    let bounds = |point: WrittenPoint| Edtf::parse(&point.plain()).ok().map(|e| e.bounds());
    match (bounds(start), bounds(end)) {
        (Some(start), Some(end)) => match (start.earliest, end.latest) {
            (Bound::Date(first), Bound::Date(last)) => first > last,
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests;
