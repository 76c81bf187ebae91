//! Times as the store writes them: one form on SQLite, so that SQL compares times as times.
//!
//! SQLite has no time type: a time column holds whatever text was written, and
//! `expires_at > $1` or `ORDER BY at` compare that text byte by byte. sqlx writes an
//! `OffsetDateTime` as RFC 3339 with as few fraction digits as the value needs and with the
//! value's own offset (`…:05Z`, `…:05.5Z`, `…:05.123456Z`, `…T12:00:00+02:00`), and those do
//! not sort as the times they name: `…:05Z` sorts after `…:05.5Z` ('Z' > '.'), and an offset
//! shifts the text by hours. Every time the store binds goes through [`Timestamp`] instead.
//!
//! The form chosen is UTC text with exactly six fraction digits,
//! `YYYY-MM-DDTHH:MM:SS.ffffffZ`: fixed width, so text order is time order; still RFC 3339,
//! so existing rows, `sqlite3` sessions and SQLite's own date functions read it; and
//! microseconds are what PostgreSQL's `timestamptz` keeps, so both backends hold the same
//! value (finer digits are dropped, as sqlx does for PostgreSQL). Integer microseconds would
//! compare as well but would have meant rewriting every column's type and losing readable
//! rows for no gain. PostgreSQL keeps `timestamptz`, which compares natively.
//!
//! Reading needs no such care: sqlx parses any of these forms, so rows are read as
//! `OffsetDateTime` directly (and rows written before migration 0008 still decode).

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// A point in time bound into a query; see the module documentation for why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub OffsetDateTime);

/// The one form SQLite stores (six fraction digits: truncated, never rounded).
const SQLITE_FORM: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

impl Timestamp {
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    /// The text SQLite stores for this time. Only years 0 to 9999 have a fixed width.
    pub fn sqlite_text(self) -> Result<String, BoxDynError> {
        let utc = self.0.to_offset(UtcOffset::UTC);
        if !(0..=9999).contains(&utc.year()) {
            return Err(format!("time {utc} is outside the years 0 to 9999").into());
        }
        Ok(utc.format(SQLITE_FORM)?)
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Self(t)
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl Type<Sqlite> for Timestamp {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <OffsetDateTime as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Timestamp {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.sqlite_text()?, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Timestamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        <OffsetDateTime as Decode<Sqlite>>::decode(value).map(Self)
    }
}

impl Type<Postgres> for Timestamp {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Timestamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }

    fn size_hint(&self) -> usize {
        Encode::<Postgres>::size_hint(&self.0)
    }
}

impl<'r> Decode<'r, Postgres> for Timestamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <OffsetDateTime as Decode<Postgres>>::decode(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn sqlite_text_is_utc_with_six_fraction_digits() {
        let text = |t: OffsetDateTime| Timestamp(t).sqlite_text().expect("formats");
        assert_eq!(
            text(datetime!(2026-01-31 09:00:05 UTC)),
            "2026-01-31T09:00:05.000000Z"
        );
        assert_eq!(
            text(datetime!(2026-01-31 09:00:05.5 UTC)),
            "2026-01-31T09:00:05.500000Z"
        );
        assert_eq!(
            text(datetime!(2026-01-31 09:00:05.123456789 UTC)),
            "2026-01-31T09:00:05.123456Z",
            "truncated to microseconds, as PostgreSQL keeps them"
        );
        assert_eq!(
            text(datetime!(2026-01-31 12:00:05.25 +02:00)),
            "2026-01-31T10:00:05.250000Z"
        );
    }

    #[test]
    fn text_order_is_time_order() {
        let times = [
            datetime!(2026-01-31 09:00:05 UTC),
            datetime!(2026-01-31 09:00:05.123456 UTC),
            datetime!(2026-01-31 11:00:05.2 +02:00),
            datetime!(2026-01-31 09:00:05.5 UTC),
            datetime!(2026-01-31 05:00:06 -04:00),
        ];
        for pair in times.windows(2) {
            let (a, b) = (Timestamp(pair[0]), Timestamp(pair[1]));
            assert!(a.0 < b.0);
            assert!(a.sqlite_text().ok() < b.sqlite_text().ok(), "{a:?} < {b:?}");
        }
    }

    #[test]
    fn years_without_four_digits_are_refused() {
        let far = datetime!(2026-01-31 09:00 UTC)
            .replace_year(-1)
            .expect("year");
        assert!(Timestamp(far).sqlite_text().is_err());
    }
}
