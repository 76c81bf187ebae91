//! Splits filter and PATCH path text into tokens, without recursion.

use crate::path::{SyntaxError, excerpt, is_word_byte};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// An attribute path, operator, keyword or number; the parser decides which.
    Word(&'a str),
    /// A JSON string, already unescaped.
    Str(String),
    End,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) tok: Tok<'a>,
    /// Byte offset of the token in the input.
    pub(crate) pos: usize,
}

impl Tok<'_> {
    /// How an error message names this token.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::LParen => "\"(\"".to_owned(),
            Self::RParen => "\")\"".to_owned(),
            Self::LBracket => "\"[\"".to_owned(),
            Self::RBracket => "\"]\"".to_owned(),
            Self::Word(word) => format!("\"{}\"", excerpt(word)),
            Self::Str(s) => format!("the string {:?}", excerpt(s)),
            Self::End => "the end of the input".to_owned(),
        }
    }
}

/// The tokens of `input`, ending with [`Tok::End`]. Whitespace separates
/// tokens; RFC 7644 §3.4.2.2 asks for exactly one SP, but clients that send
/// two (or a tab) mean the same filter.
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token<'_>>, SyntaxError> {
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let single = match b {
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            _ => None,
        };
        if let Some(tok) = single {
            tokens.push(Token { tok, pos: i });
            i += 1;
        } else if b.is_ascii_whitespace() {
            i += 1;
        } else if b == b'"' {
            let (s, end) = string_at(input, i)?;
            tokens.push(Token {
                tok: Tok::Str(s),
                pos: i,
            });
            i = end;
        } else if is_word_byte(b) {
            let end = word_end(bytes, i);
            let word = input.get(i..end).unwrap_or_default();
            tokens.push(Token {
                tok: Tok::Word(word),
                pos: i,
            });
            i = end;
        } else {
            return Err(unexpected_char(input, i));
        }
    }
    tokens.push(Token {
        tok: Tok::End,
        pos: input.len(),
    });
    Ok(tokens)
}

fn word_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
        end += 1;
    }
    end
}

/// The JSON string starting at the `"` at `start`, and the offset after its
/// closing quote. `"` and `\` never occur inside a multi-byte UTF-8
/// sequence, so scanning bytes finds the real closing quote.
fn string_at(input: &str, start: usize) -> Result<(String, usize), SyntaxError> {
    let bytes = input.as_bytes();
    let mut i = start + 1;
    loop {
        match bytes.get(i) {
            None => {
                return Err(SyntaxError::new(
                    start,
                    "unterminated string: expected a closing '\"'",
                ));
            }
            Some(b'\\') => i += 2,
            Some(b'"') => break,
            Some(_) => i += 1,
        }
    }
    let literal = input.get(start..=i).unwrap_or_default();
    // RFC 7644 §3.4.2.2: compValue strings follow JSON (RFC 7159 §7).
    let value = serde_json::from_str::<String>(literal).map_err(|_| {
        SyntaxError::new(
            start,
            "invalid string: expected JSON string syntax (escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, no control characters)",
        )
    })?;
    Ok((value, i + 1))
}

fn unexpected_char(input: &str, at: usize) -> SyntaxError {
    let found = input
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or_else(|| "a byte".to_owned(), |c| format!("{c:?}"));
    SyntaxError::new(
        at,
        format!(
            "unexpected character {found}: expected an attribute path, an operator, a value, \
             \"(\", \")\", \"[\" or \"]\""
        ),
    )
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn toks(input: &str) -> Vec<Tok<'_>> {
        tokenize(input)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn splits_words_strings_and_brackets() {
        assert_eq!(
            toks(r#"emails[type eq "work"].value"#),
            vec![
                Tok::Word("emails"),
                Tok::LBracket,
                Tok::Word("type"),
                Tok::Word("eq"),
                Tok::Str("work".to_owned()),
                Tok::RBracket,
                Tok::Word(".value"),
                Tok::End,
            ]
        );
    }

    #[test]
    fn unescapes_json_strings() {
        assert_eq!(
            toks(r#""a\"b\\c\u00e9\n""#),
            vec![Tok::Str("a\"b\\cé\n".to_owned()), Tok::End]
        );
    }

    #[test]
    fn keeps_non_ascii_inside_strings() {
        assert_eq!(
            toks(r#""Zoë ✓""#),
            vec![Tok::Str("Zoë ✓".to_owned()), Tok::End]
        );
    }

    #[test]
    fn records_byte_offsets() {
        let tokens = tokenize(r#"a  eq "x""#).unwrap();
        let positions: Vec<usize> = tokens.iter().map(|t| t.pos).collect();
        assert_eq!(positions, vec![0, 3, 6, 9]);
    }

    #[test]
    fn rejects_bad_input_with_a_position() {
        let cases = [
            (r#"userName eq "abc"#, 12, "unterminated"),
            (r#"userName eq "a\qb""#, 12, "invalid string"),
            ("userName = \"x\"", 9, "unexpected character '='"),
            ("userName eq \"tab\there\"", 12, "invalid string"),
            ("userName eq \"x\\", 12, "unterminated"),
        ];
        for (input, pos, message) in cases {
            let error = tokenize(input).unwrap_err();
            assert_eq!(error.pos, pos, "position for {input:?}");
            assert!(
                error.message.contains(message),
                "{input:?}: {}",
                error.message
            );
        }
    }
}
