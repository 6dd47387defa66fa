//! AWS's rules for the names of executions (and of state machines and activities, which
//! follow the same ones).

/// The most characters a name may have.
pub const MAX_NAME_CHARS: usize = 80;

/// A name AWS refuses, and the rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    /// No characters at all.
    #[error("a name has 1 to 80 characters, and this one is empty")]
    Empty,
    /// More than [`MAX_NAME_CHARS`] characters (the count it has).
    #[error("a name has 1 to 80 characters, and this one has {0}")]
    TooLong(usize),
    /// A whitespace character.
    #[error("a name cannot contain whitespace")]
    Whitespace,
    /// One of `< > { } [ ]`.
    #[error("a name cannot contain brackets (< > {{ }} [ ]), and this one has '{0}'")]
    Bracket(char),
    /// `?` or `*`.
    #[error("a name cannot contain wildcards (? *), and this one has '{0}'")]
    Wildcard(char),
    /// One of `" # % \ ^ | ~ ` $ & , ; : /`.
    #[error("a name cannot contain any of \" # % \\ ^ | ~ ` $ & , ; : /, and this one has '{0}'")]
    Special(char),
    /// A control character (U+0000 to U+001F, U+007F to U+009F).
    #[error("a name cannot contain control characters, and this one has U+{:04X}", u32::from(*.0))]
    Control(char),
}

/// Checks `name` against AWS's rules for an execution's name: 1 to 80 characters, none of
/// them whitespace, brackets, wildcards, special characters or control characters.
pub fn check_name(name: &str) -> Result<(), InvalidName> {
    let count = name.chars().count();
    if count == 0 {
        return Err(InvalidName::Empty);
    }
    if count > MAX_NAME_CHARS {
        return Err(InvalidName::TooLong(count));
    }
    for c in name.chars() {
        // Control before whitespace: tab and newline are both, and the first rule they
        // break is the more specific one.
        if c.is_control() {
            return Err(InvalidName::Control(c));
        }
        if c.is_whitespace() {
            return Err(InvalidName::Whitespace);
        }
        match c {
            '<' | '>' | '{' | '}' | '[' | ']' => return Err(InvalidName::Bracket(c)),
            '?' | '*' => return Err(InvalidName::Wildcard(c)),
            '"' | '#' | '%' | '\\' | '^' | '|' | '~' | '`' | '$' | '&' | ',' | ';' | ':' | '/' => {
                return Err(InvalidName::Special(c))
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_rules() {
        for good in ["a", "order-42_retry.1", "Ünïcödé", &"x".repeat(80)] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        assert_eq!(check_name(""), Err(InvalidName::Empty));
        assert_eq!(check_name(&"é".repeat(81)), Err(InvalidName::TooLong(81)));
        assert_eq!(check_name("a b"), Err(InvalidName::Whitespace));
        assert_eq!(check_name("a\u{a0}b"), Err(InvalidName::Whitespace));
        assert_eq!(check_name("a\tb"), Err(InvalidName::Control('\t')));
        assert_eq!(check_name("a\u{85}"), Err(InvalidName::Control('\u{85}')));
        assert_eq!(check_name("run[1]"), Err(InvalidName::Bracket('[')));
        assert_eq!(check_name("run*"), Err(InvalidName::Wildcard('*')));
        assert_eq!(check_name("a:b"), Err(InvalidName::Special(':')));
        assert_eq!(check_name("a/b"), Err(InvalidName::Special('/')));
        assert_eq!(
            InvalidName::Control('\u{7f}').to_string(),
            "a name cannot contain control characters, and this one has U+007F"
        );
    }
}
