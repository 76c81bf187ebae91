//! The dateTime values SCIM exchanges (RFC 7643 §2.3.5: xsd:dateTime, in
//! practice the RFC 3339 §5.6 profile), parsed only far enough to compare
//! them chronologically (RFC 7644 §3.4.2.2 "gt": "for DateTime types, it is a
//! chronological comparison"). The crate takes no clock and no time library.

/// An instant: seconds since 1970-01-01T00:00:00Z and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`.
    ///
    /// `T` and `Z` may be lower-case (RFC 3339 §5.6 NOTE). A value without an
    /// offset is read as UTC: xsd:dateTime allows it, and RFC 7643 §2.3.5
    /// examples are all UTC. Leap second 60 is accepted (RFC 3339 §5.7) and
    /// orders as the next minute's first second. Digits past nanoseconds are
    /// checked, then ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        let separators_ok = b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && matches!(b.get(10), Some(b'T' | b't'))
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':');
        let in_range = separators_ok
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour <= 23
            && minute <= 59
            && second <= 60;
        if !in_range {
            return None;
        }
        let (nanos, rest) = fraction(b.get(19..)?)?;
        let offset = offset_seconds(rest)?;
        let days = days_from_civil(i64::from(year), month, day);
        let time = i64::from(hour * 3600 + minute * 60 + second);
        Some(Self {
            seconds: days * 86_400 + time - offset,
            nanos,
        })
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> i64 {
        self.seconds
    }

    /// The sub-second part, in nanoseconds.
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }
}

/// The number made of `count` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, count: usize) -> Option<u32> {
    let slice = b.get(at..at.checked_add(count)?)?;
    slice.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// `.123456789` (optional) and what follows it.
fn fraction(b: &[u8]) -> Option<(u32, &[u8])> {
    let Some(rest) = b.strip_prefix(b".") else {
        return Some((0, b));
    };
    let count = rest.iter().take_while(|d| d.is_ascii_digit()).count();
    if count == 0 {
        return None;
    }
    let mut nanos = 0u32;
    for position in 0..9 {
        let digit = rest
            .get(position)
            .filter(|_| position < count)
            .map_or(0, |d| d - b'0');
        nanos = nanos * 10 + u32::from(digit);
    }
    Some((nanos, rest.get(count..)?))
}

/// The offset east of UTC in seconds: `Z`, `±HH:MM`, or nothing (UTC).
fn offset_seconds(b: &[u8]) -> Option<i64> {
    match b {
        [] | [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), ..] if b.len() == 6 && b.get(3) == Some(&b':') => {
            let hours = digits(b, 1, 2)?;
            let minutes = digits(b, 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = i64::from(hours * 3600 + minutes * 60);
            Some(if *sign == b'-' { -magnitude } else { magnitude })
        }
        _ => None,
    }
}

const fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`, <https://howardhinnant.github.io/date_algorithms.html>).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let shifted_month = i64::from((month + 9) % 12);
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn parses_the_epoch_and_rfc_examples() {
        assert_eq!(ts("1970-01-01T00:00:00Z").unix_seconds(), 0);
        // RFC 7644 §3.4.2.2 filter example value.
        assert_eq!(ts("2011-05-13T04:42:34Z").unix_seconds(), 1_305_261_754);
        // RFC 7643 §8.2 meta.created.
        assert_eq!(ts("2010-01-23T04:56:22Z").unix_seconds(), 1_264_222_582);
        assert_eq!(ts("1969-12-31T23:59:59Z").unix_seconds(), -1);
        assert_eq!(ts("2000-02-29T00:00:00Z").unix_seconds(), 951_782_400);
    }

    #[test]
    fn offsets_move_the_instant() {
        assert_eq!(ts("2011-05-13T06:42:34+02:00"), ts("2011-05-13T04:42:34Z"));
        assert_eq!(ts("2011-05-12T23:12:34-05:30"), ts("2011-05-13T04:42:34Z"));
        assert_eq!(ts("2011-05-13t04:42:34z"), ts("2011-05-13T04:42:34Z"));
        assert_eq!(ts("2011-05-13T04:42:34"), ts("2011-05-13T04:42:34Z"));
    }

    #[test]
    fn fractions_order_within_a_second() {
        let whole = ts("2011-05-13T04:42:34Z");
        let half = ts("2011-05-13T04:42:34.5Z");
        assert_eq!(half.subsec_nanos(), 500_000_000);
        assert!(whole < half);
        assert!(half < ts("2011-05-13T04:42:35Z"));
        assert_eq!(
            ts("2011-05-13T04:42:34.123456789123Z").subsec_nanos(),
            123_456_789
        );
    }

    #[test]
    fn leap_second_orders_as_the_next_minute() {
        assert_eq!(ts("2016-12-31T23:59:60Z"), ts("2017-01-01T00:00:00Z"));
    }

    #[test]
    fn rejects_what_is_not_a_date_time() {
        let bad = [
            "",
            "2011-05-13",
            "2011-05-13T04:42Z",
            "2011-13-13T04:42:34Z",
            "2011-02-29T04:42:34Z",
            "2011-05-32T04:42:34Z",
            "2011-05-13T24:00:00Z",
            "2011-05-13T04:60:00Z",
            "2011-05-13T04:42:61Z",
            "2011-05-13 04:42:34Z",
            "2011-05-13T04:42:34.Z",
            "2011-05-13T04:42:34+2:00",
            "2011-05-13T04:42:34+24:00",
            "2011-05-13T04:42:34+02:60",
            "2011-05-13T04:42:34ZZ",
            "2011-05-13T04:42:34+0200",
            "20x1-05-13T04:42:34Z",
            "２011-05-13T04:42:34Z",
        ];
        for text in bad {
            assert_eq!(Timestamp::parse(text), None, "{text:?} should not parse");
        }
    }

    #[test]
    fn order_matches_text_order_for_utc_values() {
        let mut texts = vec![
            "2011-05-13T04:42:34Z",
            "1999-12-31T23:59:59Z",
            "2011-05-13T04:42:33Z",
            "2024-02-29T12:00:00Z",
        ];
        let mut by_instant = texts.clone();
        by_instant.sort_by_key(|t| ts(t));
        texts.sort();
        assert_eq!(texts, by_instant);
    }
}
