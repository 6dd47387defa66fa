//! Evaluating what a JSONata-mode definition computes: `{% %}` expressions over `$states` and
//! the workflow's variables, and templates with expressions nested anywhere (`Arguments`,
//! `Output`, `Assign`, `ItemSelector`...).
//!
//! Every failure is `States.QueryEvaluationError`, worded as Step Functions words it, naming the
//! expression and the field (`Output/result`) it was written in.

use std::cell::OnceCell;

use stepfn_codegen::jsonata::{number_json, Limits, Object, Value as JValue};
use stepfn_codegen::{Jsonata, MaybeJsonata, Template};

use crate::data::{self, Data};
use crate::error::{names, StatesError};
use crate::expr::context::ContextObject;
use crate::expr::scope::compact;
use crate::expr::variables::VariableScope;

/// What `$states` and `$name` mean where an expression is evaluated.
#[derive(Clone, Copy)]
pub struct JsonataScope<'a> {
    /// `$states.input`: the state's input as it entered.
    pub input: &'a Data,
    /// `$states.context`.
    pub context: &'a ContextObject,
    /// `$states.result`: in a Task, Parallel or Map state's `Output` and `Assign`.
    pub result: Option<&'a Data>,
    /// `$states.errorOutput`: in a catcher's `Output` and `Assign`.
    pub error_output: Option<&'a Data>,
    /// The workflow variables.
    pub variables: Option<&'a VariableScope<'a>>,
    /// How long and how deep each expression may evaluate.
    pub limits: Limits,
}

/// The JSON type a field requires of its expression, as AWS names it in its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Any JSON value.
    Any,
    /// An array (Map `Items`).
    Array,
    /// A boolean (Choice `Condition`).
    Boolean,
    /// A string (Fail `Error`/`Cause`, Wait `Timestamp`).
    String,
    /// A number (Map `ToleratedFailurePercentage`).
    Number,
    /// A whole number (`Seconds`, `TimeoutSeconds`, `MaxConcurrency`...).
    Integer,
}

impl<'a> JsonataScope<'a> {
    /// A scope with only `$states.input`, `$states.context` and the variables.
    pub fn new(
        input: &'a Data,
        context: &'a ContextObject,
        variables: Option<&'a VariableScope<'a>>,
    ) -> Self {
        JsonataScope {
            input,
            context,
            result: None,
            error_output: None,
            variables,
            limits: crate::expr::limits::EXPRESSION_LIMITS,
        }
    }

    /// The same scope with expressions evaluated within `limits`.
    pub fn with_limits(self, limits: Limits) -> Self {
        JsonataScope { limits, ..self }
    }

    /// The same scope with `$states.result` bound.
    pub fn with_result(self, result: &'a Data) -> Self {
        JsonataScope {
            result: Some(result),
            ..self
        }
    }

    /// The same scope with `$states.errorOutput` bound.
    pub fn with_error_output(self, error_output: &'a Data) -> Self {
        JsonataScope {
            error_output: Some(error_output),
            ..self
        }
    }

    /// Evaluates one expression written in `field`; the result must be a JSON value of the
    /// `expected` type.
    pub fn evaluate(
        &self,
        expression: &Jsonata,
        field: &str,
        expected: Expected,
    ) -> Result<Data, StatesError> {
        self.evaluate_sharing(expression, field, expected, &OnceCell::new())
    }

    /// [`JsonataScope::evaluate`], with `$states` converted at most once for all the
    /// expressions that share `states` (the fields of one template).
    fn evaluate_sharing(
        &self,
        expression: &Jsonata,
        field: &str,
        expected: Expected,
        states: &OnceCell<JValue>,
    ) -> Result<Data, StatesError> {
        let compiled = expression.compiled();
        let result = compiled.evaluate_data(
            None,
            |name| match name {
                "states" => Some(states.get_or_init(|| self.states_value()).clone()),
                _ => self.variables.and_then(|v| v.get(name)).map(to_jsonata),
            },
            self.limits,
        );
        let shown = expression.expression().trim();
        let failure = |what: String| {
            query_evaluation_error(
                format!(
                    "The JSONata expression '{shown}' specified for the field '{field}' {what}"
                ),
                field,
            )
        };
        let value = match result {
            Err(e) => {
                return Err(failure(format!(
                    "threw an error during evaluation. {}: {}",
                    e.code, e.message
                )))
            }
            Ok(JValue::Undefined) => return Err(failure("returned nothing (undefined).".into())),
            Ok(JValue::Function(_)) => {
                return Err(failure("returned an unsupported result type.".into()))
            }
            Ok(v) => from_jsonata(&v).unwrap_or(Data::Null),
        };
        check_type(&value, expected).map_err(|actual| {
            failure(format!(
                "returned an unexpected result type. Expected '{}', but was '{actual}' for value: {}",
                expected_name(expected),
                compact(&value)
            ))
        })?;
        Ok(value)
    }

    /// Evaluates a template written in `field`: every `{% %}` string in it is evaluated,
    /// everything else copied.
    pub fn evaluate_template(&self, template: &Template, field: &str) -> Result<Data, StatesError> {
        self.template_sharing(template, field, &OnceCell::new())
    }

    /// [`JsonataScope::evaluate_template`] for several templates of one state (its `Assign`
    /// members): `states` carries `$states`, converted once for all of them.
    pub(crate) fn template_sharing(
        &self,
        template: &Template,
        field: &str,
        states: &OnceCell<JValue>,
    ) -> Result<Data, StatesError> {
        Ok(match template {
            Template::Literal(v) => Data::from(v),
            Template::Jsonata(j) => self.evaluate_sharing(j, field, Expected::Any, states)?,
            Template::Object(members) => {
                let mut out = data::Object::with_capacity(members.len());
                for (name, member) in members {
                    let value =
                        self.template_sharing(member, &format!("{field}/{name}"), states)?;
                    out.insert(name.into(), value);
                }
                Data::object(out)
            }
            Template::Array(items) => Data::array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, t)| self.template_sharing(t, &format!("{field}/{i}"), states))
                    .collect::<Result<_, _>>()?,
            ),
            Template::Query(q) => {
                return Err(StatesError::runtime(format!(
                    "The JSONPath '{}' in '{field}' cannot be evaluated in a JSONata state",
                    q.source()
                )))
            }
        })
    }

    /// A field that is a literal or an expression giving a whole number of at least `min`.
    pub fn integer(
        &self,
        field_value: &MaybeJsonata<u64>,
        field: &str,
        min: u64,
    ) -> Result<u64, StatesError> {
        let expression = match field_value {
            MaybeJsonata::Literal(n) => return Ok(*n),
            MaybeJsonata::Jsonata(j) => j,
        };
        let value = self.evaluate(expression, field, Expected::Integer)?;
        match value.as_u64().filter(|n| *n >= min) {
            Some(n) => Ok(n),
            None => Err(query_evaluation_error(
                format!(
                    "The JSONata expression '{}' specified for the field '{field}' returned an invalid value. Expected an integer of at least {min}, but was {}",
                    expression.expression().trim(),
                    compact(&value)
                ),
                field,
            )),
        }
    }

    /// A field that is a literal string or an expression giving one.
    pub fn string(
        &self,
        field_value: &MaybeJsonata<String>,
        field: &str,
    ) -> Result<String, StatesError> {
        match field_value {
            MaybeJsonata::Literal(s) => Ok(s.clone()),
            MaybeJsonata::Jsonata(j) => match self.evaluate(j, field, Expected::String)? {
                Data::String(s) => Ok(s.to_string()),
                _ => unreachable!("checked as a string"),
            },
        }
    }

    /// `$states`, built from the parts this scope has.
    fn states_value(&self) -> JValue {
        let mut states = Object::default();
        states.insert("input".into(), to_jsonata(self.input));
        states.insert("context".into(), to_jsonata(self.context));
        if let Some(result) = self.result {
            states.insert("result".into(), to_jsonata(result));
        }
        if let Some(error_output) = self.error_output {
            states.insert("errorOutput".into(), to_jsonata(error_output));
        }
        JValue::object(states)
    }
}

/// A payload as a JSONata value (a copy: JSONata values are not shared across threads).
pub fn to_jsonata(data: &Data) -> JValue {
    match data {
        Data::Null => JValue::Null,
        Data::Bool(b) => JValue::Bool(*b),
        Data::Number(n) => JValue::Number(n.as_f64().unwrap_or(0.0)),
        Data::String(s) => JValue::string(&**s),
        Data::Array(items) => JValue::array(items.iter().map(to_jsonata).collect()),
        Data::Object(members) => JValue::object(
            members
                .iter()
                .map(|(k, v)| (k.to_string(), to_jsonata(v)))
                .collect(),
        ),
    }
}

/// A JSONata result as a payload: `None` for undefined; undefined inside an array becomes
/// `null` and inside an object is left out, and functions become `""`, as JSON.stringify
/// would have them.
fn from_jsonata(value: &JValue) -> Option<Data> {
    Some(match value {
        JValue::Undefined => return None,
        JValue::Null => Data::Null,
        JValue::Bool(b) => Data::Bool(*b),
        JValue::Number(n) => Data::from(number_json(*n)),
        JValue::String(s) => Data::from(&**s),
        JValue::Array(items, _) => items
            .iter()
            .map(|v| from_jsonata(v).unwrap_or(Data::Null))
            .collect(),
        JValue::Object(members) => Data::object(
            members
                .iter()
                .filter_map(|(k, v)| from_jsonata(v).map(|d| (k.as_str().into(), d)))
                .collect(),
        ),
        JValue::Function(_) => Data::from(""),
    })
}

/// `States.QueryEvaluationError` for the expression in `field`; the executor prefixes the
/// cause with the state and records the `EvaluationFailed` event.
pub fn query_evaluation_error(cause: String, field: &str) -> StatesError {
    let mut e = StatesError::new(names::QUERY_EVALUATION_ERROR, cause);
    e.unlocated = true;
    e.evaluation_field = Some(field.to_string());
    e
}

fn type_name(value: &Data) -> &'static str {
    match value {
        Data::Null => "null",
        Data::Bool(_) => "boolean",
        Data::Number(_) => "number",
        Data::String(_) => "string",
        Data::Array(_) => "array",
        Data::Object(_) => "object",
    }
}

fn expected_name(expected: Expected) -> &'static str {
    match expected {
        Expected::Any => "any",
        Expected::Array => "array",
        Expected::Boolean => "boolean",
        Expected::String => "string",
        Expected::Number => "number",
        Expected::Integer => "integer",
    }
}

/// Ok when `value` has the expected type, else the name of the type it has.
fn check_type(value: &Data, expected: Expected) -> Result<(), &'static str> {
    let ok = match expected {
        Expected::Any => true,
        Expected::Array => value.is_array(),
        Expected::Boolean => value.is_boolean(),
        Expected::String => value.is_string(),
        Expected::Number => value.is_number(),
        Expected::Integer => value.as_f64().is_some_and(|n| n.fract() == 0.0),
    };
    if ok {
        Ok(())
    } else {
        Err(type_name(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::data;

    fn expr(s: &str) -> Jsonata {
        Jsonata::parse(s).unwrap()
    }

    #[test]
    fn states_and_variables_are_bound() {
        let context = ContextObject::from_value(serde_json::json!({"Execution": {"Name": "e"}}));
        let vars = VariableScope::with_values([("x".to_string(), data!(2))]);
        let input = data!({"a": 3});
        let result = data!([1]);
        let scope = JsonataScope::new(&input, &context, Some(&vars)).with_result(&result);
        let v = scope
            .evaluate(
                &expr("$states.input.a * $x & $states.context.Execution.Name & $count($states.result)"),
                "Output",
                Expected::Any,
            )
            .unwrap();
        assert_eq!(v, data!("6e1"));
    }

    #[test]
    fn failures_name_the_expression_and_field() {
        let context = ContextObject::from_value(serde_json::json!({}));
        let input = data!({});
        let scope = JsonataScope::new(&input, &context, None);
        let e = scope
            .evaluate(&expr(" $nothing "), "Output/x", Expected::Any)
            .unwrap_err();
        assert_eq!(
            e.cause.as_deref(),
            Some("The JSONata expression '$nothing' specified for the field 'Output/x' returned nothing (undefined).")
        );
        assert_eq!(e.evaluation_field.as_deref(), Some("Output/x"));
        let e = scope
            .evaluate(&expr("1"), "Items", Expected::Array)
            .unwrap_err();
        assert!(e.cause.unwrap().ends_with(
            "returned an unexpected result type. Expected 'array', but was 'number' for value: 1"
        ));
        let e = scope
            .evaluate(&expr("$x()"), "Output", Expected::Any)
            .unwrap_err();
        assert!(e.cause.unwrap().ends_with(
            "threw an error during evaluation. T1006: Attempted to invoke a non-function"
        ));
    }
}
