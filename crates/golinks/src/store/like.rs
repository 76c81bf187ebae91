//! LIKE patterns: the one place that escapes LIKE's wildcards. Every LIKE in the store is
//! written `LIKE ? ESCAPE '\'` (both backends take the same clause), so `\`, `%` and `_` in a
//! value are escaped with `\` and match only themselves.

/// The clause that follows every `LIKE ?`.
pub(super) const ESCAPE: &str = " ESCAPE '\\'";

/// Where the text must appear in the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Anywhere,
    Start,
    End,
}

/// A pattern matching values with `text` at `place`, literally.
pub(super) fn pattern(text: &str, place: Place) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    match place {
        Place::Anywhere => format!("%{escaped}%"),
        Place::Start => format!("{escaped}%"),
        Place::End => format!("%{escaped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_text_are_escaped() {
        assert_eq!(pattern("a%b_c\\", Place::Start), "a\\%b\\_c\\\\%");
        assert_eq!(pattern("a%b_c\\", Place::End), "%a\\%b\\_c\\\\");
        assert_eq!(pattern("a%b_c\\", Place::Anywhere), "%a\\%b\\_c\\\\%");
        assert_eq!(pattern("", Place::Anywhere), "%%");
    }
}
