//! Tests of the date module: parsing, bounds, precision and rendering.

use super::*;

fn parsed(text: &str) -> EventDate {
    match EventDate::parse(text) {
        Ok(date) => date,
        Err(e) => panic!("{text:?} should parse: {e}"),
    }
}

fn refusal(text: &str) -> String {
    match EventDate::parse(text) {
        Ok(date) => panic!("{text:?} should be refused, got {date:?}"),
        Err(e) => e.to_string(),
    }
}

fn day(text: &str) -> Date {
    parse_iso_day(text).unwrap()
}

fn bounds(text: &str) -> (String, String) {
    let date = parsed(text);
    (iso_day(date.earliest()), iso_day(date.latest()))
}

fn shown(text: &str) -> String {
    parsed(text).display()
}

/// Every form of the subset, qualified and not.
const VALID: &[&str] = &[
    "2023",
    "2023-05",
    "2023-07-31",
    "2024-02-29",
    "2000-02-29",
    "1000",
    "2999",
    "1000-01-01",
    "2999-12-31",
    "2022-21",
    "2022-22",
    "2022-23",
    "2022-24",
    "2023~",
    "2023?",
    "2023%",
    "2023-05~",
    "2023-05?",
    "2023-05%",
    "2023-07-31~",
    "2023-07-31?",
    "2023-07-31%",
    "2022-22~",
    "2023-06/2023-07-31",
    "2023-06/2023-07",
    "2022-12/2023-01",
    "2025-03-11/2025-03-13",
    "2022/2023",
    "2023-05-01~/2023-05-15~",
    "2023-05~/2023-07-31",
    "2023-05/2023-07-31?",
    "2022-21/2022-23",
    "2022-24/2023-06",
    "2022-06/..",
    "../2023-05",
    "2022-06~/..",
    "../2023-05?",
    "2023/2023",
    "2023-07-31/2023-07-31",
];

// ---------------------------------------------------------------- accepted forms

#[test]
fn year_month_and_day_parse_with_their_precision() {
    assert_eq!(parsed("2023").precision(), DatePrecision::Year);
    assert_eq!(parsed("2023-05").precision(), DatePrecision::Month);
    assert_eq!(parsed("2023-07-31").precision(), DatePrecision::Day);
    assert_eq!(parsed("2022-22").precision(), DatePrecision::Season);
}

#[test]
fn every_form_of_the_subset_parses() {
    for text in VALID {
        parsed(text);
    }
}

#[test]
fn surrounding_whitespace_is_trimmed() {
    assert_eq!(parsed("  2023-05 \n").edtf(), "2023-05");
    assert_eq!(parsed("\t2023-06/2023-07-31 ").edtf(), "2023-06/2023-07-31");
    assert_eq!(parsed(" 2023 "), parsed("2023"));
}

#[test]
fn from_str_is_parse() {
    let date: EventDate = "2023-05~".parse().unwrap();
    assert_eq!(date, parsed("2023-05~"));
    assert!("2023-13".parse::<EventDate>().is_err());
}

#[test]
fn interval_ends_may_fall_on_the_same_days() {
    assert_eq!(bounds("2023-07/2023-07-01"), bounds("2023-07-01"));
    assert_eq!(
        bounds("2023-07-31/2023-07"),
        ("2023-07-31".into(), "2023-07-31".into())
    );
    parsed("2023/2023-01-01");
    parsed("2023-07-31/2023-07-31");
}

// ---------------------------------------------------------------- refusals

#[test]
fn february_30_is_rejected_with_a_message() {
    assert_eq!(
        refusal("2023-02-30"),
        "“2023-02-30” is not a real day: February 2023 has 28 days."
    );
}

#[test]
fn february_29_exists_only_in_leap_years() {
    assert_eq!(parsed("2024-02-29").latest(), day("2024-02-29"));
    assert_eq!(parsed("2000-02-29").earliest(), day("2000-02-29"));
    assert_eq!(
        refusal("2023-02-29"),
        "“2023-02-29” is not a real day: February 2023 has 28 days."
    );
    assert_eq!(
        refusal("1900-02-29"),
        "“1900-02-29” is not a real day: February 1900 has 28 days."
    );
}

#[test]
fn days_past_the_end_of_the_month_are_rejected() {
    assert_eq!(
        refusal("2023-04-31"),
        "“2023-04-31” is not a real day: April 2023 has 30 days."
    );
    assert!(refusal("2023-01-32").contains("January 2023 has 31 days"));
    assert!(refusal("2023-05-00").contains("days are numbered from 01"));
    assert!(refusal("2023-12-99").contains("December 2023 has 31 days"));
}

#[test]
fn a_bad_day_inside_an_interval_is_named() {
    assert_eq!(
        refusal("2023-02-30/2023-03-05"),
        "“2023-02-30/2023-03-05” contains 2023-02-30, which is not a real day: \
         February 2023 has 28 days."
    );
    assert!(refusal("2023-01/2023-02-29~").contains("contains 2023-02-29, which"));
}

#[test]
fn day_validity_matches_the_calendar_for_every_month_and_day() {
    for year in [1900, 2000, 2023, 2024] {
        for month in 0..=99u8 {
            for d in 0..=99u8 {
                let text = format!("{year}-{month:02}-{d:02}");
                let real = Month::try_from(month)
                    .ok()
                    .and_then(|m| Date::from_calendar_date(year, m, d).ok());
                match (EventDate::parse(&text), real) {
                    (Ok(date), Some(real)) => {
                        assert_eq!((date.earliest(), date.latest()), (real, real), "{text}");
                    }
                    (Err(e), None) => assert!(e.to_string().contains(&text), "{e}"),
                    (result, real) => panic!("{text}: {result:?} but calendar {real:?}"),
                }
            }
        }
    }
}

#[test]
fn month_13_and_month_00_are_rejected() {
    assert_eq!(
        refusal("2023-13"),
        "“2023-13” has no month 13: months are 01 to 12, and 21 to 24 are spring, \
         summer, autumn and winter."
    );
    assert!(refusal("2023-00").contains("has no month 00"));
    assert!(refusal("2023-20").contains("has no month 20"));
    assert!(refusal("2023-99-01").contains("has no month 99"));
    assert!(refusal("2023-13-01/2024").contains("has no month 13"));
}

#[test]
fn seasons_other_than_the_four_are_rejected() {
    for text in ["2023-25", "2023-29", "2023-33", "2023-41"] {
        assert!(
            refusal(text).contains("division of the year entente does not support"),
            "{text}"
        );
    }
    assert!(refusal("2023-42").contains("has no month 42"));
}

#[test]
fn a_season_cannot_carry_a_day() {
    assert_eq!(
        refusal("2022-22-01"),
        "“2022-22-01” gives a day within a season: write the season alone (2022-22) or \
         a month and day."
    );
}

#[test]
fn empty_input_is_rejected_with_a_message() {
    let expected = "No date was given: write 2023, 2023-07 or 2023-07-31 (see the date help).";
    assert_eq!(refusal(""), expected);
    assert_eq!(refusal("   \t\n"), expected);
}

#[test]
fn foreign_day_orders_are_rejected_with_the_date_help() {
    assert_eq!(
        refusal("31/07/2023"),
        "“31/07/2023” is not a date entente understands: write 2023, 2023-07 or \
         2023-07-31 (see the date help)."
    );
    for text in ["07/31/2023", "31.07.2023", "July 2023", "2023/07/31", "20230731x"] {
        assert!(refusal(text).contains(&format!("“{text}”")), "{text}");
    }
}

#[test]
fn times_of_day_are_rejected_and_the_day_is_suggested() {
    assert_eq!(
        refusal("2023-05-01T10:00"),
        "“2023-05-01T10:00” has a time of day, but entente records days only: drop the \
         time and write 2023-05-01."
    );
    assert!(refusal("2023-05-01 10:00").contains("write 2023-05-01."));
    assert!(refusal("2023-05-01T10:00:00Z").contains("drop the time"));
    assert!(refusal("10:00").contains("has a time of day"));
    assert!(refusal("2023-05-01T10:00/2023-05-02").contains("write 2023-05-01"));
    assert!(refusal("2023-05-01 ~").contains("is not a date entente understands"));
    assert!(refusal("Tuesday").contains("is not a date entente understands"));
}

#[test]
fn years_outside_1000_to_2999_are_rejected() {
    for text in ["0999", "0000", "3000", "9999-12-31", "0500/2023"] {
        assert_eq!(
            refusal(text),
            format!(
                "“{text}” is outside the years entente accepts: use a year from 1000 to \
                 2999."
            )
        );
    }
}

#[test]
fn winter_2999_is_rejected_because_it_ends_in_3000() {
    assert!(refusal("2999-24").contains("runs into 3000"));
    parsed("2999-23");
    assert_eq!(parsed("2998-24").latest(), day("2999-02-28"));
}

#[test]
fn years_need_four_digits() {
    for text in ["23", "023", "02023", "9999999999", "23-05"] {
        assert!(refusal(text).contains("years have four digits"), "{text}");
    }
}

#[test]
fn single_digit_months_and_days_get_a_padded_suggestion() {
    assert_eq!(
        refusal("2023-5-1"),
        "“2023-5-1” needs two-digit months and days: write 2023-05-01."
    );
    assert!(refusal("2023-7").contains("write 2023-07."));
    assert!(refusal("2023-123").contains("is not a date entente understands"));
}

#[test]
fn unspecified_digits_are_rejected_with_an_alternative() {
    for text in ["202X", "2023-XX", "2023-05-XX", "2023-X5"] {
        assert!(refusal(text).contains("uses X for unknown digits"), "{text}");
    }
}

#[test]
fn qualifiers_must_come_once_after_the_date() {
    for text in [
        "?2023",
        "2023-~05",
        "2004-06~-11",
        "2023~~",
        "~2023-05-01",
        "2023?~",
    ] {
        assert!(refusal(text).contains("qualifier before or inside"), "{text}");
    }
    assert!(refusal("~").contains("is not a date entente understands"));
}

#[test]
fn an_interval_that_ends_before_it_starts_is_rejected() {
    assert_eq!(
        refusal("2023/2022"),
        "“2023/2022” ends before it starts: write the earlier date first (2022/2023)."
    );
    assert!(refusal("2023-07-15/2023-07-10").contains("ends before it starts"));
    assert!(refusal("2023-08/2023-07-31~").contains("ends before it starts"));
    assert!(refusal("2023-21/2023-02").contains("ends before it starts"));
}

#[test]
fn unknown_interval_ends_are_rejected_with_the_open_form_suggested() {
    assert_eq!(
        refusal("/2023"),
        "“/2023” leaves one end of the interval empty, and entente does not record \
         unknown ends: write ../2023 for “until 2023”, or give the start."
    );
    assert!(refusal("2022-06/").contains("write 2022-06/.. for “since 2022-06”, or give the end."));
    assert!(refusal("/").contains("is not a date entente understands"));
    assert!(refusal("/garbage").contains("is not a date entente understands"));
}

#[test]
fn an_interval_open_at_both_ends_is_rejected() {
    assert!(refusal("../..").contains("has no date at either end"));
    assert!(refusal("..").contains("is not a date entente understands"));
}

#[test]
fn on_or_before_and_on_or_after_notation_is_rejected() {
    for text in ["..2023", "2023..", "..2023/2024", "2022/2023.."] {
        assert!(refusal(text).contains("open at one end"), "{text}");
    }
}

#[test]
fn sets_and_extra_slashes_are_rejected() {
    for text in ["[2023,2024]", "{2023..2025}", "2023/2024/2025", "2023//2024"] {
        assert!(
            refusal(text).contains("is not a date entente understands"),
            "{text}"
        );
    }
}

#[test]
fn other_edtf_features_are_rejected() {
    for text in [
        "-2023",
        "Y12345",
        "2023S2",
        "1985-04-12T23:20:30",
        "2023-05-01~-02",
    ] {
        EventDate::parse(text).unwrap_err();
    }
}

#[test]
fn full_width_digits_are_named_as_the_problem() {
    assert_eq!(
        refusal("２０２３"),
        "“２０２３” uses digits entente cannot read: type the plain digits 0–9, as in \
         2023-07-31."
    );
    assert!(refusal("٢٠٢٣").contains("uses digits entente cannot read"));
    assert!(refusal("2023📅").contains("is not a date entente understands"));
}

#[test]
fn long_input_is_rejected_and_shortened_in_the_message() {
    let long = "2023".repeat(100);
    let message = refusal(&long);
    assert!(message.starts_with(&format!("“{}…”", &long[..40])), "{message}");
    assert!(message.contains("too long"));
    assert!(message.len() < 200);
}

#[test]
fn every_error_message_names_the_input() {
    for text in [
        "2023-02-30",
        "2023-13",
        "2023-00",
        "2023/2022",
        "garbage",
        "2023-05-01T10:00",
        "/2023",
        "2023/",
        "../..",
        "..2023",
        "0999",
        "9999999999",
        "202X",
        "?2023",
        "2023-25",
        "2022-22-01",
        "2023-5-1",
        "２０２３",
        "2999-24",
        "2023-05-",
    ] {
        let error = EventDate::parse(text).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(&format!("“{text}”")), "{message}");
        assert!(message.ends_with('.'), "{message}");
        assert_eq!(error.input(), text);
    }
}

#[test]
fn the_error_keeps_the_trimmed_input() {
    let error = EventDate::parse("  2023-13 ").unwrap_err();
    assert_eq!(error.input(), "2023-13");
    assert!(error.to_string().starts_with("“2023-13”"));
}

#[test]
fn control_characters_are_not_repeated_in_messages() {
    let message = refusal("2023\u{0}-05");
    assert!(!message.contains('\u{0}'));
    assert!(message.contains('\u{FFFD}'));
}

#[test]
fn odd_inputs_never_panic() {
    let long_garbage = "x".repeat(10_000);
    let long_slashes = "/".repeat(5_000);
    let odd = [
        "",
        " ",
        "/",
        "//",
        "..",
        "../..",
        ".../...",
        "2023-",
        "-2023",
        "--",
        "2023--05",
        "2023-05-",
        "2023-05-01-",
        "２０２３",
        "2023-05-01T10:00",
        "T",
        ":",
        "9999999999",
        "99999999999999999999999999999999",
        "😀",
        "2023😀",
        "2023-0😀",
        "\u{0}",
        "2023\u{0}",
        "~",
        "?",
        "%",
        "~/~",
        "..~",
        "2023~/..~",
        "[",
        "{}",
        "[..]",
        "Y",
        "Y-",
        "2023-05/..2023",
        "2023-5-",
        "2023-1-",
        "2023-05-1/",
        "é",
        "2023-é",
        long_garbage.as_str(),
        long_slashes.as_str(),
    ];
    for text in odd {
        check_invariants(text);
    }
}

#[test]
fn short_strings_and_mutated_dates_never_panic() {
    let alphabet: Vec<char> = "0123456789-/.~?%X T:".chars().collect();
    let mut inputs: Vec<String> = Vec::new();
    for a in &alphabet {
        for b in &alphabet {
            for c in &alphabet {
                inputs.push([*a, *b, *c].iter().collect());
            }
        }
    }
    for valid in VALID {
        let chars: Vec<char> = valid.chars().collect();
        for i in 0..=chars.len() {
            let mut removed = chars.clone();
            if i < chars.len() {
                removed.remove(i);
                inputs.push(removed.iter().collect());
            }
            for c in &alphabet {
                let mut inserted = chars.clone();
                inserted.insert(i, *c);
                inputs.push(inserted.iter().collect());
                if i < chars.len() {
                    let mut replaced = chars.clone();
                    replaced[i] = *c;
                    inputs.push(replaced.iter().collect());
                }
            }
        }
    }
    for text in &inputs {
        check_invariants(text);
    }
}

/// Whatever the input: no panic; an accepted date is consistent, a refusal names the
/// input (trimmed, possibly shortened) unless it is empty.
fn check_invariants(text: &str) {
    match EventDate::parse(text) {
        Ok(date) => {
            assert!(date.earliest() <= date.latest(), "{text}");
            assert!(
                date.earliest() >= OPEN_START && date.latest() <= OPEN_END,
                "{text}"
            );
            assert_eq!(EventDate::parse(&date.edtf()).as_ref(), Ok(&date), "{text}");
            assert!(!date.display().is_empty(), "{text}");
            assert_eq!(date.agreement_with(&date), DateAgreement::Same);
        }
        Err(error) => {
            let message = error.to_string();
            let trimmed = text.trim();
            assert_eq!(error.input(), trimmed);
            if !trimmed.is_empty() {
                assert!(message.starts_with('“'), "{text:?}: {message}");
            }
            assert!(message.ends_with('.'), "{text:?}: {message}");
        }
    }
}

// ---------------------------------------------------------------- bounds

#[test]
fn a_day_is_its_own_bounds() {
    assert_eq!(bounds("2023-07-31"), ("2023-07-31".into(), "2023-07-31".into()));
}

#[test]
fn a_year_runs_from_january_1_to_december_31() {
    assert_eq!(bounds("2023"), ("2023-01-01".into(), "2023-12-31".into()));
}

#[test]
fn a_month_ends_on_its_last_day() {
    assert_eq!(bounds("2023-05"), ("2023-05-01".into(), "2023-05-31".into()));
    assert_eq!(bounds("2023-02").1, "2023-02-28");
    assert_eq!(bounds("2024-02").1, "2024-02-29");
    assert_eq!(bounds("1900-02").1, "1900-02-28");
    assert_eq!(bounds("2000-02").1, "2000-02-29");
    assert_eq!(bounds("2023-04").1, "2023-04-30");
    assert_eq!(bounds("2023-12").1, "2023-12-31");
}

#[test]
fn seasons_cover_their_three_months() {
    assert_eq!(bounds("2022-21"), ("2022-03-01".into(), "2022-05-31".into()));
    assert_eq!(bounds("2022-22"), ("2022-06-01".into(), "2022-08-31".into()));
    assert_eq!(bounds("2022-23"), ("2022-09-01".into(), "2022-11-30".into()));
}

#[test]
fn winter_runs_into_the_next_year() {
    assert_eq!(bounds("2022-24"), ("2022-12-01".into(), "2023-02-28".into()));
    assert_eq!(bounds("2023-24"), ("2023-12-01".into(), "2024-02-29".into()));
}

#[test]
fn an_interval_runs_from_the_start_earliest_to_the_end_latest() {
    assert_eq!(
        bounds("2023-06/2023-07-31"),
        ("2023-06-01".into(), "2023-07-31".into())
    );
    assert_eq!(bounds("2022/2023"), ("2022-01-01".into(), "2023-12-31".into()));
    assert_eq!(
        bounds("2022-24/2023-06"),
        ("2022-12-01".into(), "2023-06-30".into())
    );
    assert_eq!(
        bounds("2023-05-01~/2023-05-15~"),
        ("2023-05-01".into(), "2023-05-15".into())
    );
}

#[test]
fn open_ends_use_the_range_entente_accepts() {
    assert_eq!(bounds("2022-06/.."), ("2022-06-01".into(), "2999-12-31".into()));
    assert_eq!(bounds("../2023-05"), ("1000-01-01".into(), "2023-05-31".into()));
}

#[test]
fn qualifiers_do_not_move_bounds() {
    for (plain, qualified) in [
        ("2023", "2023~"),
        ("2023-05", "2023-05?"),
        ("2023-07-31", "2023-07-31%"),
    ] {
        assert_eq!(bounds(plain), bounds(qualified));
    }
}

// ---------------------------------------------------------------- properties

#[test]
fn the_precision_of_an_interval_is_that_of_its_start() {
    assert_eq!(parsed("2023-06/2023-07-31").precision(), DatePrecision::Month);
    assert_eq!(parsed("2023-07-31/2023-08").precision(), DatePrecision::Day);
    assert_eq!(parsed("2022-22/2023").precision(), DatePrecision::Season);
    assert_eq!(parsed("2022-06/..").precision(), DatePrecision::Month);
}

#[test]
fn the_precision_of_an_open_start_is_that_of_the_end() {
    assert_eq!(parsed("../2023-05").precision(), DatePrecision::Month);
    assert_eq!(parsed("../2023").precision(), DatePrecision::Year);
}

#[test]
fn precision_has_a_stored_word_and_a_label() {
    let all = [
        (DatePrecision::Year, "year", "known to the year"),
        (DatePrecision::Season, "season", "known to the season"),
        (DatePrecision::Month, "month", "known to the month"),
        (DatePrecision::Day, "day", "known to the day"),
    ];
    for (precision, word, label) in all {
        assert_eq!(precision.as_str(), word);
        assert_eq!(precision.label(), label);
    }
}

#[test]
fn only_intervals_are_intervals() {
    assert!(!parsed("2023-05~").is_interval());
    assert!(!parsed("2022-24").is_interval());
    assert!(parsed("2023-06/2023-07-31").is_interval());
    assert!(parsed("2022-06/..").is_interval());
    assert!(parsed("../2023-05").is_interval());
}

#[test]
fn qualifiers_set_the_approximate_and_uncertain_flags() {
    let flags = |text: &str| {
        let date = parsed(text);
        (date.is_approximate(), date.is_uncertain())
    };
    assert_eq!(flags("2023"), (false, false));
    assert_eq!(flags("2023~"), (true, false));
    assert_eq!(flags("2023-05?"), (false, true));
    assert_eq!(flags("2023-07-31%"), (true, true));
    assert_eq!(flags("2022-22~"), (true, false));
}

#[test]
fn a_qualifier_on_any_part_of_an_interval_counts() {
    let flags = |text: &str| {
        let date = parsed(text);
        (date.is_approximate(), date.is_uncertain())
    };
    assert_eq!(flags("2023-05~/2023-07-31"), (true, false));
    assert_eq!(flags("2023-05/2023-07-31?"), (false, true));
    assert_eq!(flags("2023-05~/2023-07-31?"), (true, true));
    assert_eq!(flags("../2023-05%"), (true, true));
    assert_eq!(flags("2023-05/2023-07"), (false, false));
}

// ---------------------------------------------------------------- canonical text

#[test]
fn canonical_text_round_trips_through_parse() {
    for text in VALID {
        let date = parsed(text);
        assert_eq!(date.edtf(), *text);
        assert_eq!(parsed(&date.edtf()), date, "{text}");
    }
}

#[test]
fn canonical_text_agrees_with_edtf_core() {
    for text in VALID {
        let theirs = Edtf::parse(text).unwrap().to_string();
        assert_eq!(parsed(text).edtf(), theirs);
    }
}

#[test]
fn flags_agree_with_edtf_core() {
    for text in VALID {
        let theirs = Edtf::parse(text).unwrap();
        let ours = parsed(text);
        assert_eq!(ours.is_approximate(), theirs.is_approximate(), "{text}");
        assert_eq!(ours.is_uncertain(), theirs.is_uncertain(), "{text}");
    }
}

// ---------------------------------------------------------------- human rendering

#[test]
fn single_dates_render_at_their_precision() {
    assert_eq!(shown("2023-07-31"), "31 Jul 2023");
    assert_eq!(shown("2023-05-01"), "1 May 2023");
    assert_eq!(shown("2023-05"), "May 2023");
    assert_eq!(shown("2023"), "2023");
    assert_eq!(shown("2022-21"), "Spring 2022");
    assert_eq!(shown("2022-22"), "Summer 2022");
    assert_eq!(shown("2022-23"), "Autumn 2022");
}

#[test]
fn every_month_has_its_abbreviation() {
    let expected = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    for (index, abbr) in expected.iter().enumerate() {
        assert_eq!(shown(&format!("2023-{:02}", index + 1)), format!("{abbr} 2023"));
    }
}

#[test]
fn winter_names_both_of_its_years() {
    assert_eq!(shown("2022-24"), "Winter 2022–23");
    assert_eq!(shown("1999-24"), "Winter 1999–2000");
    assert_eq!(shown("2009-24"), "Winter 2009–10");
}

#[test]
fn qualifiers_render_as_circa_and_question_mark() {
    assert_eq!(shown("2023~"), "c. 2023");
    assert_eq!(shown("2023-05~"), "c. May 2023");
    assert_eq!(shown("2023?"), "2023?");
    assert_eq!(shown("2023-07-31?"), "31 Jul 2023?");
    assert_eq!(shown("2023%"), "c. 2023?");
    assert_eq!(shown("2022-22~"), "c. Summer 2022");
}

#[test]
fn intervals_elide_the_shared_year_and_month() {
    assert_eq!(shown("2023-06/2023-07-31"), "Jun – 31 Jul 2023");
    assert_eq!(shown("2023-06/2023-07"), "Jun – Jul 2023");
    assert_eq!(shown("2022-12/2023-01"), "Dec 2022 – Jan 2023");
    assert_eq!(shown("2025-03-11/2025-03-13"), "11 – 13 Mar 2025");
    assert_eq!(shown("2023-05-31/2023-06-02"), "31 May – 2 Jun 2023");
    assert_eq!(shown("2023-07-31/2023-08"), "31 Jul – Aug 2023");
    assert_eq!(shown("2022/2023"), "2022 – 2023");
    assert_eq!(shown("2023/2023-07"), "2023 – Jul 2023");
    assert_eq!(shown("2022-21/2022-23"), "Spring – Autumn 2022");
    assert_eq!(shown("2022-24/2023-06"), "Winter 2022–23 – Jun 2023");
    assert_eq!(shown("2022-06/2022-24"), "Jun 2022 – Winter 2022–23");
}

#[test]
fn a_qualifier_shared_by_both_ends_is_shown_once() {
    assert_eq!(shown("2023-05-01~/2023-05-15~"), "c. 1 – 15 May 2023");
    assert_eq!(shown("2022?/2023?"), "2022 – 2023?");
    assert_eq!(shown("2023-06%/2023-07%"), "c. Jun – Jul 2023?");
}

#[test]
fn different_qualifiers_are_shown_on_each_end() {
    assert_eq!(shown("2023-05~/2023-07-31"), "c. May – 31 Jul 2023");
    assert_eq!(shown("2023-05/2023-07-31~"), "May – c. 31 Jul 2023");
    assert_eq!(shown("2023-05?/2023-07-31"), "May? – 31 Jul 2023");
    assert_eq!(shown("2022~/2023?"), "c. 2022 – 2023?");
}

#[test]
fn open_intervals_render_as_since_and_until() {
    assert_eq!(shown("2022-06/.."), "since Jun 2022");
    assert_eq!(shown("../2023-05"), "until May 2023");
    assert_eq!(shown("2022-06~/.."), "since c. Jun 2022");
    assert_eq!(shown("../2023?"), "until 2023?");
    assert_eq!(shown("2022-22/.."), "since Summer 2022");
}

#[test]
fn the_display_trait_gives_the_same_text() {
    for text in VALID {
        let date = parsed(text);
        assert_eq!(format!("{date}"), date.display());
    }
}

// ---------------------------------------------------------------- agreement

#[test]
fn identical_dates_are_the_same() {
    assert_eq!(
        parsed("2023-07-31").agreement_with(&parsed(" 2023-07-31")),
        DateAgreement::Same
    );
    assert_eq!(
        parsed("2023-06/2023-07-31").agreement_with(&parsed("2023-06/2023-07-31")),
        DateAgreement::Same
    );
}

#[test]
fn overlapping_dates_are_compatible() {
    let pairs = [
        ("2023-07", "2023-07-31"),
        ("2023", "2023-05"),
        ("2023~", "2023"),
        ("2022-22", "2022-07-14"),
        ("2022-24", "2023-01"),
        ("2023-06/2023-07-31", "2023-07"),
        ("2022-06/..", "2025"),
        ("../2023-05", "2023-05-31"),
    ];
    for (a, b) in pairs {
        assert_eq!(parsed(a).agreement_with(&parsed(b)), DateAgreement::Compatible);
        assert_eq!(parsed(b).agreement_with(&parsed(a)), DateAgreement::Compatible);
    }
}

#[test]
fn disjoint_dates_conflict() {
    let pairs = [
        ("2023-06", "2023-07-31"),
        ("2022", "2023"),
        ("2022-24", "2023-03"),
        ("2023-06/2023-07-30", "2023-07-31"),
        ("2023-06/..", "2023-05"),
        ("../2023-05", "2023-06-01"),
    ];
    for (a, b) in pairs {
        assert_eq!(parsed(a).agreement_with(&parsed(b)), DateAgreement::Conflict);
        assert_eq!(parsed(b).agreement_with(&parsed(a)), DateAgreement::Conflict);
    }
}

// ---------------------------------------------------------------- stored days

#[test]
fn iso_day_pads_with_zeros() {
    let early = Date::from_calendar_date(1000, Month::January, 5).unwrap();
    assert_eq!(iso_day(early), "1000-01-05");
    assert_eq!(iso_day(day("2023-07-31")), "2023-07-31");
}

#[test]
fn parse_iso_day_reads_back_what_iso_day_writes() {
    for text in VALID {
        let date = parsed(text);
        for bound in [date.earliest(), date.latest()] {
            assert_eq!(parse_iso_day(&iso_day(bound)), Some(bound));
        }
    }
    assert_eq!(
        parse_iso_day("2024-02-29"),
        Date::from_calendar_date(2024, Month::February, 29).ok()
    );
}

#[test]
fn parse_iso_day_refuses_anything_else() {
    for text in [
        "",
        "2023",
        "2023-07",
        "2023-7-31",
        "2023-02-30",
        "2023-13-01",
        "2023-07-31T00:00",
        " 2023-07-31",
        "+023-07-31",
        "2023/07/31",
        "２０２３-07-31",
        "2023-0７-31",
    ] {
        assert_eq!(parse_iso_day(text), None, "{text}");
    }
}

#[test]
fn an_open_start_is_filed_under_its_known_end() {
    let until = EventDate::parse("../2023-05").unwrap();
    assert_eq!(until.sort_day(), date!(2023 - 05 - 31));
    assert_eq!(until.earliest(), date!(1000 - 01 - 01));
    let since = EventDate::parse("2022-06/..").unwrap();
    assert_eq!(since.sort_day(), date!(2022 - 06 - 01));
    let day = EventDate::parse("2023-07-31").unwrap();
    assert_eq!(day.sort_day(), day.earliest());
}
