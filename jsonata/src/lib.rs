//! A JSONata engine: expressions are parsed and planned once, then evaluated any number of
//! times with the reference implementation's semantics (sequences, path flattening, tuple
//! streams for `@` and `#`, function signatures, error codes).
//!
//! Evaluation is the `eval` feature (on by default). Without it the crate reads expressions
//! only: [`Expression::parse`] still reports every syntax and planning error, which is what a
//! proc-macro or a validator needs, without compiling the evaluator and its function library.
//!
//! ```
//! # #[cfg(feature = "eval")] {
//! use stepfn_jsonata::Expression;
//! let e = Expression::parse("$sum(items.(price * qty))").unwrap();
//! let input = serde_json::json!({"items": [{"price": 2, "qty": 3}, {"price": 1, "qty": 4}]});
//! assert_eq!(e.evaluate(&input).unwrap(), Some(serde_json::json!(10)));
//! # }
//! ```

#![warn(missing_docs)]

// Reading an expression: always compiled (the macros and the validator check syntax with it).
mod ast;
mod error;
mod lexer;
mod parser;
mod plan;
mod signature;

// Running one: the `eval` feature.
#[cfg(feature = "eval")]
mod arguments;
#[cfg(feature = "eval")]
mod datetime;
#[cfg(feature = "eval")]
mod eval;
#[cfg(feature = "eval")]
mod format;
#[cfg(feature = "eval")]
mod functions;
#[cfg(feature = "eval")]
mod value;

#[cfg(feature = "eval")]
use std::collections::HashMap;
use std::sync::Arc;

pub use ast::{BinaryOp, Expr};
pub use error::{Error, SyntaxError};
#[cfg(feature = "eval")]
pub use eval::Limits;
pub use parser::parse;
#[cfg(feature = "eval")]
pub use value::{number_json, Object, Value};

/// A parsed and planned expression, ready to evaluate (with the `eval` feature).
#[derive(Clone, Debug)]
pub struct Expression {
    source: String,
    // Planned whether or not it will run here: planning finds errors (a bad regular expression
    // or signature, a literal used as a path step) that the reference reports before running.
    #[cfg_attr(not(feature = "eval"), allow(dead_code))]
    plan: Arc<plan::Node>,
    variables: Arc<[String]>,
    member_reads: Arc<[(String, String)]>,
}

/// Extra functions a host binds alongside the built-ins (Step Functions binds `$states`).
#[cfg(feature = "eval")]
pub type Bindings = HashMap<String, serde_json::Value>;

impl Expression {
    /// Parses `source`. Syntax errors carry the reference implementation's codes.
    pub fn parse(source: &str) -> Result<Expression, Error> {
        let expr = parser::parse(source)?;
        let plan = plan::plan(&expr)?;
        Ok(Expression {
            source: source.to_string(),
            plan: Arc::new(plan),
            variables: expr.variable_names().into(),
            member_reads: expr.member_reads().into(),
        })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The `$name`s the expression mentions (without the `$`), each once.
    pub fn variable_names(&self) -> &[String] {
        &self.variables
    }

    /// Every `$variable.field` step in the expression, as (variable, field): Step Functions
    /// checks with it where `$states.result` and `$states.errorOutput` are read.
    pub fn member_reads(&self) -> &[(String, String)] {
        &self.member_reads
    }
}

#[cfg(feature = "eval")]
impl Expression {
    /// Evaluates against `input`. `None` is JSONata's undefined.
    pub fn evaluate(&self, input: &serde_json::Value) -> Result<Option<serde_json::Value>, Error> {
        self.evaluate_with(Some(input), &Bindings::new(), Limits::default())
    }

    /// Evaluates with variable bindings and limits; `input` `None` is undefined.
    pub fn evaluate_with(
        &self,
        input: Option<&serde_json::Value>,
        bindings: &Bindings,
        limits: Limits,
    ) -> Result<Option<serde_json::Value>, Error> {
        let result = self.evaluate_data(
            input,
            |name| bindings.get(name).map(Value::from_json),
            limits,
        )?;
        Ok(result.to_json())
    }

    /// Evaluates with the host's variables: `variable` is asked once for each name in
    /// [`Expression::variable_names`] and binds what it returns. The result is the engine's
    /// own value, so a host can tell a function result from a JSON one, and call it.
    pub fn evaluate_bound(
        &self,
        input: Option<&serde_json::Value>,
        variable: impl FnMut(&str) -> Option<Value>,
        limits: Limits,
    ) -> Result<Value, Error> {
        self.evaluate_keeping(input, variable, limits, true)
    }

    /// [`Expression::evaluate_bound`] for a host that takes data only: a function result
    /// still comes back (to be recognised and refused) but cannot be called, as the frames it
    /// closed over are emptied. That frees every frame of the evaluation, where a function
    /// kept whole would keep its own frame alive (the two hold each other).
    pub fn evaluate_data(
        &self,
        input: Option<&serde_json::Value>,
        variable: impl FnMut(&str) -> Option<Value>,
        limits: Limits,
    ) -> Result<Value, Error> {
        self.evaluate_keeping(input, variable, limits, false)
    }

    fn evaluate_keeping(
        &self,
        input: Option<&serde_json::Value>,
        mut variable: impl FnMut(&str) -> Option<Value>,
        limits: Limits,
        keep_functions: bool,
    ) -> Result<Value, Error> {
        let mut input = input.map(Value::from_json).unwrap_or_default();
        if let Value::Array(items, mut flags) = input {
            flags.sequence = true;
            flags.outer_wrapper = true;
            input = Value::Array(
                std::rc::Rc::new(vec![Value::Array(items, Default::default())]),
                flags,
            );
        }
        let env = value::Frame::root();
        env.bind("$", input.clone());
        for name in self.variables.iter() {
            if let Some(value) = variable(name) {
                env.bind(name, value);
            }
        }
        let mut evaluator = eval::Evaluator::new(limits);
        evaluator.remember(&env);
        let result = evaluator.evaluate(&self.plan, &input, &env);
        // The frames are needed no more, unless the result is a function to be kept callable.
        if !(keep_functions && result.as_ref().is_ok_and(Value::holds_function)) {
            evaluator.release_frames();
        }
        Ok(output(result?))
    }
}

#[cfg(feature = "eval")]
/// The final result: sequences of one collapse and empty ones are undefined, as the
/// reference implementation's `evaluate` returns them.
fn output(v: Value) -> Value {
    match &v {
        Value::Array(items, f) if f.sequence && !f.keep_singleton && items.len() == 1 => {
            output(items[0].clone())
        }
        Value::Array(items, f) if f.sequence && items.is_empty() => Value::Undefined,
        _ => v,
    }
}

#[cfg(all(test, feature = "eval"))]
mod tests {
    use std::rc::Rc;

    use super::*;

    /// Evaluates `source` over a root frame the test watches, and tells whether that frame
    /// was freed once the evaluation was over.
    fn frees_its_frames(source: &str) -> bool {
        let expression = Expression::parse(source).unwrap();
        let root = value::Frame::root();
        let watched = Rc::downgrade(&root);
        let mut evaluator = eval::Evaluator::new(Limits::default());
        evaluator.remember(&root);
        let result = evaluator.evaluate(&expression.plan, &Value::Undefined, &root);
        assert!(result.is_ok());
        evaluator.release_frames();
        drop(result);
        drop(root);
        watched.upgrade().is_none()
    }

    #[test]
    fn a_lambda_bound_to_a_variable_does_not_keep_its_frames_alive() {
        assert!(frees_its_frames("($f := function($x){ $x + 1 }; $f(1))"));
        assert!(frees_its_frames("$f := function($x){ $x }"));
        assert!(frees_its_frames(
            "($fact := function($n){ $n <= 1 ? 1 : $n * $fact($n - 1) }; $fact(10))"
        ));
    }

    #[test]
    fn deep_recursion_fails_with_u1001_instead_of_overflowing_the_thread() {
        let deep = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let expression = Expression::parse(
                    "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))",
                )
                .unwrap();
                expression.evaluate(&serde_json::Value::Null).unwrap_err()
            })
            .unwrap();
        assert_eq!(deep.join().unwrap().code, "U1001");
    }

    #[test]
    fn regular_expressions_keep_javascript_whitespace_and_refuse_what_they_cannot_match() {
        let matches = |source: &str| {
            Expression::parse(source)
                .unwrap()
                .evaluate(&serde_json::Value::Null)
                .unwrap()
        };
        assert_eq!(
            matches("$contains('a\\u00a0b', /a\\sb/)"),
            Some(serde_json::json!(true))
        );
        assert_eq!(
            matches("$contains('a\\u00a0b', /a[\\s]b/)"),
            Some(serde_json::json!(true))
        );
        assert_eq!(
            matches("$contains('a\\u00a0b', /a\\Sb/)"),
            Some(serde_json::json!(false))
        );
        assert_eq!(
            matches("$contains('a]b', /a[]]b/)"),
            Some(serde_json::json!(true))
        );
        let unicode_class = Expression::parse("$contains('a', /\\p{L}/)").unwrap_err();
        assert_eq!(unicode_class.code, "S0302");
    }

    /// The frame a lambda result closed over.
    fn closed_over(result: &Value) -> value::Env {
        let Value::Function(function) = result else {
            panic!("not a function: {result:?}");
        };
        let value::Function::Lambda { env, .. } = function.as_ref() else {
            panic!("not a lambda");
        };
        env.clone()
    }

    #[test]
    fn a_data_evaluation_frees_even_a_function_results_frames() {
        let expression = Expression::parse("($f := function($x){ $f($x) }; $f)").unwrap();
        let function = expression
            .evaluate_data(None, |_| None, Limits::default())
            .unwrap();
        let frame = Rc::downgrade(&closed_over(&function));
        drop(function);
        assert!(frame.upgrade().is_none());
    }

    #[test]
    fn a_function_result_keeps_the_frames_it_closed_over() {
        let expression = Expression::parse("($k := 3; function($x){ $x + $k })").unwrap();
        let function = expression
            .evaluate_bound(None, |_| None, Limits::default())
            .unwrap();
        let env = closed_over(&function);
        assert!(matches!(env.lookup("k"), Some(Value::Number(n)) if n == 3.0));
    }
}
