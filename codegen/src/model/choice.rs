use serde_json::Number;

use super::{Assign, MaybeJsonata, Nullable, Path, QueryLanguage, Template};

/// A Choice state: picks the next state from the first rule that matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Choice {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `Choices`, tried in order.
    pub choices: Vec<ChoiceRule>,
    /// `Default`: where to go when no rule matches.
    pub default: Option<String>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<Nullable<Path>>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<Nullable<Path>>,
    /// `Output` (JSONata), used when `Default` is taken.
    pub output: Option<Template>,
    /// `Assign`, used when `Default` is taken.
    pub assign: Option<Assign>,
}

/// A top-level rule of a Choice state.
#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceRule {
    /// `Comment`.
    pub comment: Option<String>,
    /// The test: a JSONPath boolean expression or a JSONata `Condition`.
    pub condition: Condition,
    /// `Next`.
    pub next: String,
    /// `Assign` applied when this rule matches.
    pub assign: Option<Assign>,
    /// `Output` (JSONata) applied when this rule matches.
    pub output: Option<Template>,
}

/// A rule inside `And`, `Or` or `Not`.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedRule {
    /// `Comment`.
    pub comment: Option<String>,
    /// The test.
    pub condition: Condition,
}

/// What a Choice rule tests.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `And`: every rule matches.
    And(Vec<NestedRule>),
    /// `Or`: some rule matches.
    Or(Vec<NestedRule>),
    /// `Not`: the rule does not match.
    Not(Box<NestedRule>),
    /// `Variable` with one comparison operator (JSONPath).
    Compare(Comparison),
    /// `Condition` (JSONata): a boolean literal or an expression.
    Jsonata(MaybeJsonata<bool>),
}

/// A data test: `"Variable": path` and one comparison operator with its operand.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// `Variable`.
    pub variable: Path,
    /// The operator.
    pub operator: ComparisonOperator,
    /// Its operand.
    pub value: ComparisonValue,
}

/// The operand of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum ComparisonValue {
    /// For string and timestamp operators.
    String(String),
    /// For numeric operators.
    Number(Number),
    /// For `BooleanEquals` and the type tests.
    Bool(bool),
    /// For the `...Path` operators.
    Path(Path),
}

/// What operand an operator takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    /// A string.
    String,
    /// An RFC 3339 timestamp string.
    Timestamp,
    /// A number.
    Number,
    /// A boolean.
    Bool,
    /// A path to compare against.
    Path,
}

macro_rules! operators {
    ($($variant:ident => $name:literal, $kind:ident;)*) => {
        /// The comparison operators of JSONPath Choice rules.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ComparisonOperator {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl ComparisonOperator {
            /// Every operator.
            pub const ALL: &'static [ComparisonOperator] = &[$(ComparisonOperator::$variant,)*];

            /// The field name used in ASL.
            pub fn name(self) -> &'static str {
                match self { $(ComparisonOperator::$variant => $name,)* }
            }

            /// The operand it takes.
            pub fn operand(self) -> OperandKind {
                match self { $(ComparisonOperator::$variant => OperandKind::$kind,)* }
            }

            /// The operator whose field name is `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(ComparisonOperator::$variant),)* _ => None }
            }
        }
    };
}

operators! {
    StringEquals => "StringEquals", String;
    StringEqualsPath => "StringEqualsPath", Path;
    StringLessThan => "StringLessThan", String;
    StringLessThanPath => "StringLessThanPath", Path;
    StringGreaterThan => "StringGreaterThan", String;
    StringGreaterThanPath => "StringGreaterThanPath", Path;
    StringLessThanEquals => "StringLessThanEquals", String;
    StringLessThanEqualsPath => "StringLessThanEqualsPath", Path;
    StringGreaterThanEquals => "StringGreaterThanEquals", String;
    StringGreaterThanEqualsPath => "StringGreaterThanEqualsPath", Path;
    StringMatches => "StringMatches", String;
    NumericEquals => "NumericEquals", Number;
    NumericEqualsPath => "NumericEqualsPath", Path;
    NumericLessThan => "NumericLessThan", Number;
    NumericLessThanPath => "NumericLessThanPath", Path;
    NumericGreaterThan => "NumericGreaterThan", Number;
    NumericGreaterThanPath => "NumericGreaterThanPath", Path;
    NumericLessThanEquals => "NumericLessThanEquals", Number;
    NumericLessThanEqualsPath => "NumericLessThanEqualsPath", Path;
    NumericGreaterThanEquals => "NumericGreaterThanEquals", Number;
    NumericGreaterThanEqualsPath => "NumericGreaterThanEqualsPath", Path;
    BooleanEquals => "BooleanEquals", Bool;
    BooleanEqualsPath => "BooleanEqualsPath", Path;
    TimestampEquals => "TimestampEquals", Timestamp;
    TimestampEqualsPath => "TimestampEqualsPath", Path;
    TimestampLessThan => "TimestampLessThan", Timestamp;
    TimestampLessThanPath => "TimestampLessThanPath", Path;
    TimestampGreaterThan => "TimestampGreaterThan", Timestamp;
    TimestampGreaterThanPath => "TimestampGreaterThanPath", Path;
    TimestampLessThanEquals => "TimestampLessThanEquals", Timestamp;
    TimestampLessThanEqualsPath => "TimestampLessThanEqualsPath", Path;
    TimestampGreaterThanEquals => "TimestampGreaterThanEquals", Timestamp;
    TimestampGreaterThanEqualsPath => "TimestampGreaterThanEqualsPath", Path;
    IsNull => "IsNull", Bool;
    IsPresent => "IsPresent", Bool;
    IsNumeric => "IsNumeric", Bool;
    IsString => "IsString", Bool;
    IsBoolean => "IsBoolean", Bool;
    IsTimestamp => "IsTimestamp", Bool;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_nine_operators() {
        assert_eq!(ComparisonOperator::ALL.len(), 39);
        for op in ComparisonOperator::ALL {
            assert_eq!(ComparisonOperator::from_name(op.name()), Some(*op));
            assert_eq!(
                op.name().ends_with("Path"),
                op.operand() == OperandKind::Path
            );
        }
    }
}
