//! The one parser for filters (RFC 7644 §3.4.2.2, Figure 1) and PATCH paths
//! (§3.5.2, Figure 7): recursive descent over [`super::lex`] tokens.
//!
//! ```text
//! filter  = and *("or" and)                 ; "or" binds loosest
//! and     = unary *("and" unary)
//! unary   = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath
//! attrExp = attrPath "pr" / attrPath compareOp compValue
//! ```
//!
//! Hostile input is bounded before any work: [`MAX_FILTER_LEN`] bytes, and
//! [`MAX_DEPTH`] levels of nesting, checked before each descent (kanidm's
//! second denial-of-service fix moved its limiter there). `and`/`or` chains
//! are built by loops, not recursion.

use serde_json::Number;

use super::lex::{Tok, Token, tokenize};
use super::{CompValue, CompareOp, Filter, MAX_DEPTH, MAX_FILTER_LEN};
use crate::path::{
    AttrPath, PatchPath, SyntaxError, ValuePath, attr_path_from_word, sub_attr_from_word,
};

/// Parses a whole filter.
pub(crate) fn filter(input: &str) -> Result<Filter, SyntaxError> {
    let mut parser = Parser::new(input)?;
    let filter = parser.or_expr(false)?;
    parser.expect_end("\"and\", \"or\" or the end of the filter")?;
    Ok(filter)
}

/// Parses a PATCH path: `attrPath / valuePath [subAttr]`.
pub(crate) fn patch_path(input: &str) -> Result<PatchPath, SyntaxError> {
    let mut parser = Parser::new(input)?;
    let path = parser.attr_path()?;
    if parser.peek() != &Tok::LBracket {
        parser.expect_end("\"[\" or the end of the path")?;
        return Ok(PatchPath::Attr(path));
    }
    let open = parser.next();
    let path = parser.value_path(path, open.pos, false)?;
    let sub_attr = parser.trailing_sub_attr()?;
    parser.expect_end("\".subAttr\" or the end of the path")?;
    Ok(PatchPath::Value { path, sub_attr })
}

/// Parses a bare attribute path.
pub(crate) fn attr_path(input: &str) -> Result<AttrPath, SyntaxError> {
    let mut parser = Parser::new(input)?;
    let path = parser.attr_path()?;
    parser.expect_end("the end of the attribute path")?;
    Ok(path)
}

struct Parser<'a> {
    tokens: std::iter::Peekable<std::vec::IntoIter<Token<'a>>>,
    /// Offset of the end of the input, for errors after the last token.
    end: usize,
    /// Open `(`, `not (` and `[` around the current token.
    depth: usize,
}

static END: Tok<'static> = Tok::End;

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Result<Self, SyntaxError> {
        if input.len() > MAX_FILTER_LEN {
            return Err(SyntaxError::new(
                MAX_FILTER_LEN,
                format!(
                    "the input is {} bytes long; at most {MAX_FILTER_LEN} are accepted",
                    input.len()
                ),
            ));
        }
        Ok(Self {
            tokens: tokenize(input)?.into_iter().peekable(),
            end: input.len(),
            depth: 0,
        })
    }

    fn peek(&mut self) -> &Tok<'a> {
        self.tokens.peek().map_or(&END, |t| &t.tok)
    }

    fn next(&mut self) -> Token<'a> {
        self.tokens.next().unwrap_or(Token {
            tok: Tok::End,
            pos: self.end,
        })
    }

    /// Consumes the next token if it is the keyword `keyword`, in any case.
    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = matches!(self.peek(), Tok::Word(w) if w.eq_ignore_ascii_case(keyword));
        if found {
            self.next();
        }
        found
    }

    fn expect(&mut self, tok: &Tok<'_>, what: &str) -> Result<(), SyntaxError> {
        let token = self.next();
        if &token.tok == tok {
            Ok(())
        } else {
            Err(expected(what, &token))
        }
    }

    fn expect_end(&mut self, what: &str) -> Result<(), SyntaxError> {
        self.expect(&Tok::End, what)
    }

    /// Called before every descent, so nesting is bounded before the stack grows.
    fn descend(&mut self, pos: usize) -> Result<(), SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(SyntaxError::new(
                pos,
                format!("nesting is deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn ascend(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// `inner` is true inside `[...]`, where RFC 7644 §3.4.2.2 `valFilter`
    /// allows no further value path.
    fn or_expr(&mut self, inner: bool) -> Result<Filter, SyntaxError> {
        let mut left = self.and_expr(inner)?;
        while self.eat_keyword("or") {
            let right = self.and_expr(inner)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, inner: bool) -> Result<Filter, SyntaxError> {
        let mut left = self.unary(inner)?;
        while self.eat_keyword("and") {
            let right = self.unary(inner)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, inner: bool) -> Result<Filter, SyntaxError> {
        let token = self.next();
        match token.tok {
            Tok::LParen => self.group(token.pos, inner),
            // `not` is a keyword only before "(" (RFC 7644 §3.4.2.2 `"not" "(" FILTER ")"`).
            Tok::Word(word) if word.eq_ignore_ascii_case("not") && self.peek() == &Tok::LParen => {
                let open = self.next();
                Ok(Filter::Not(Box::new(self.group(open.pos, inner)?)))
            }
            Tok::Word(word) => self.attr_exp(word, token.pos, inner),
            _ => Err(expected("an attribute path, \"(\" or \"not (\"", &token)),
        }
    }

    /// The rest of a group whose "(" was at `open`.
    fn group(&mut self, open: usize, inner: bool) -> Result<Filter, SyntaxError> {
        self.descend(open)?;
        let filter = self.or_expr(inner)?;
        self.expect(&Tok::RParen, "\"and\", \"or\" or \")\"")?;
        self.ascend();
        Ok(filter)
    }

    fn attr_path(&mut self) -> Result<AttrPath, SyntaxError> {
        let token = self.next();
        match token.tok {
            Tok::Word(word) => attr_path_from_word(word, token.pos),
            _ => Err(expected("an attribute path", &token)),
        }
    }

    fn attr_exp(&mut self, word: &str, pos: usize, inner: bool) -> Result<Filter, SyntaxError> {
        let path = attr_path_from_word(word, pos)?;
        if self.peek() != &Tok::LBracket {
            return self.comparison(path);
        }
        let open = self.next();
        let mut value_path = self.value_path(path, open.pos, inner)?;
        // `emails[type eq "work"].value eq "x"`: the PATCH form of RFC 7644
        // §3.5.2 followed by an operator, meaning the same as
        // `emails[type eq "work" and value eq "x"]`, which is what we build.
        if let Tok::Word(word) = self.peek()
            && word.starts_with('.')
        {
            let sub = self.trailing_sub_attr()?.unwrap_or_default();
            let comparison = self.comparison(AttrPath::new(sub))?;
            let selector = value_path.filter;
            value_path.filter = Box::new(Filter::And(selector, Box::new(comparison)));
        }
        Ok(Filter::ValuePath(value_path))
    }

    /// `pr`, or an operator and a value, after `path`.
    fn comparison(&mut self, path: AttrPath) -> Result<Filter, SyntaxError> {
        let token = self.next();
        let Tok::Word(keyword) = token.tok else {
            return Err(expected(OPERATORS, &token));
        };
        if keyword.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(path));
        }
        // RFC 7644 §3.4.2.2: an unknown operator is named in the error.
        let Some(op) = CompareOp::from_keyword(keyword) else {
            return Err(expected(OPERATORS, &token));
        };
        let value = self.comp_value()?;
        Ok(Filter::Compare { path, op, value })
    }

    fn comp_value(&mut self) -> Result<CompValue, SyntaxError> {
        let token = self.next();
        let value = match &token.tok {
            Tok::Str(s) => Some(CompValue::String(s.clone())),
            Tok::Word(word) => literal(word),
            _ => None,
        };
        value.ok_or_else(|| {
            expected(
                "a value (a \"quoted string\", a number, true, false or null)",
                &token,
            )
        })
    }

    /// The rest of `path[valFilter]` after the "[" at `open`.
    fn value_path(
        &mut self,
        path: AttrPath,
        open: usize,
        inner: bool,
    ) -> Result<ValuePath, SyntaxError> {
        if inner {
            return Err(SyntaxError::new(
                open,
                "a value filter cannot contain another \"[...]\" (RFC 7644 §3.4.2.2 valFilter)",
            ));
        }
        if let Some(sub) = &path.sub_attr {
            return Err(SyntaxError::new(
                open,
                format!("\"[\" must follow an attribute, not the sub-attribute \"{sub}\""),
            ));
        }
        self.descend(open)?;
        let filter = self.or_expr(true)?;
        self.expect(&Tok::RBracket, "\"and\", \"or\" or \"]\"")?;
        self.ascend();
        Ok(ValuePath {
            urn: path.urn,
            attr: path.attr,
            filter: Box::new(filter),
        })
    }

    /// `.subAttr` right after a value filter's "]", if there is one.
    fn trailing_sub_attr(&mut self) -> Result<Option<String>, SyntaxError> {
        let Tok::Word(word) = self.peek() else {
            return Ok(None);
        };
        if !word.starts_with('.') {
            return Ok(None);
        }
        let token = self.next();
        match token.tok {
            Tok::Word(word) => sub_attr_from_word(word, token.pos).map(Some),
            _ => Ok(None),
        }
    }
}

const OPERATORS: &str = "an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr)";

/// `true`, `false`, `null` (case-insensitive, as ABNF literals are, RFC 5234
/// §2.3) or a JSON number (RFC 7159 §6).
fn literal(word: &str) -> Option<CompValue> {
    if word.eq_ignore_ascii_case("true") {
        return Some(CompValue::Bool(true));
    }
    if word.eq_ignore_ascii_case("false") {
        return Some(CompValue::Bool(false));
    }
    if word.eq_ignore_ascii_case("null") {
        return Some(CompValue::Null);
    }
    number(word).map(CompValue::Number)
}

/// A JSON number (RFC 7159 §6), integers kept exact. Parsed with `str::parse`,
/// which rounds correctly, so that printing and re-parsing gives the same
/// `f64` (serde_json's default float parser is not exact).
fn number(word: &str) -> Option<Number> {
    if !is_json_number(word.as_bytes()) {
        return None;
    }
    let integer = !word.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if integer {
        if let Ok(n) = word.parse::<i64>() {
            return Some(n.into());
        }
        if let Ok(n) = word.parse::<u64>() {
            return Some(n.into());
        }
    }
    word.parse::<f64>().ok().and_then(Number::from_f64)
}

/// `[ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ("e" / "E") [ "+" / "-" ] 1*DIGIT ]`
fn is_json_number(b: &[u8]) -> bool {
    let rest = b.strip_prefix(b"-").unwrap_or(b);
    let rest = match rest {
        [b'0', rest @ ..] => rest,
        [b'1'..=b'9', ..] => skip_digits(rest),
        _ => return false,
    };
    let rest = match rest.strip_prefix(b".") {
        Some(fraction) => match skip_digits(fraction) {
            after if after.len() < fraction.len() => after,
            _ => return false,
        },
        None => rest,
    };
    let rest = match rest {
        [b'e' | b'E', exponent @ ..] => {
            let digits = exponent
                .strip_prefix(b"+")
                .or_else(|| exponent.strip_prefix(b"-"));
            let digits = digits.unwrap_or(exponent);
            let after = skip_digits(digits);
            if after.len() == digits.len() {
                return false;
            }
            after
        }
        _ => rest,
    };
    rest.is_empty()
}

fn skip_digits(b: &[u8]) -> &[u8] {
    let count = b.iter().take_while(|d| d.is_ascii_digit()).count();
    b.get(count..).unwrap_or_default()
}

fn expected(what: &str, found: &Token<'_>) -> SyntaxError {
    SyntaxError::new(
        found.pos,
        format!("expected {what}, found {}", found.tok.describe()),
    )
}

#[cfg(test)]
mod tests;
