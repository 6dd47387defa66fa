//! Choice rules in both query languages.

use serde_json::Value;

use super::fields::{Lang, Obj, A, B, P};
use super::template::kind_of;
use super::Decoder;
use crate::model::*;

const COMBINATORS: [&str; 3] = ["And", "Or", "Not"];

impl Decoder {
    pub(crate) fn choice_rules(&mut self, obj: &Obj<'_>) -> Vec<ChoiceRule> {
        let Some(v) = obj.get("Choices") else {
            return Vec::new();
        };
        let ptr = obj.at("Choices");
        let Value::Array(items) = v else {
            self.report(
                &ptr,
                format!("The field 'Choices' must be an array, found {}", kind_of(v)),
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.report(&ptr, "Value cannot be empty");
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = ptr.index(i);
            let Some(map) = self.object(item, &at, "A choice rule") else {
                continue;
            };
            let rule = Obj {
                map,
                ptr: at,
                lang: obj.lang,
            };
            if let Some(r) = self.top_rule(&rule) {
                out.push(r);
            }
        }
        out
    }

    fn top_rule(&mut self, rule: &Obj<'_>) -> Option<ChoiceRule> {
        let extra: &[(&str, Lang)] = &[
            ("Next", B),
            ("Assign", B),
            ("Output", A),
            ("Comment", B),
            ("Condition", A),
        ];
        let condition = match rule.lang {
            QueryLanguage::Jsonata => {
                self.check_fields(rule, extra, &["Condition", "Next"]);
                self.jsonata_condition(rule)
            }
            QueryLanguage::JsonPath => self.jsonpath_condition(rule, extra),
        };
        if !rule.map.contains_key("Next") && rule.lang == QueryLanguage::JsonPath {
            self.report(&rule.ptr, "These fields are required: [Next]");
        }
        let next = self.string(rule, "Next").unwrap_or_default();
        let assign = self.assign_field(rule);
        let output = self.template_field(rule, "Output");
        Some(ChoiceRule {
            comment: self.string(rule, "Comment"),
            condition: condition?,
            next,
            assign,
            output,
        })
    }

    fn jsonata_condition(&mut self, rule: &Obj<'_>) -> Option<Condition> {
        let v = rule.get("Condition")?;
        if let Some(j) = self.jsonata_string(rule.lang, v, &rule.at("Condition")) {
            return j.map(|j| Condition::Jsonata(MaybeJsonata::Jsonata(j)));
        }
        match v {
            Value::Bool(b) => Some(Condition::Jsonata(MaybeJsonata::Literal(*b))),
            _ => {
                self.report(
                    &rule.at("Condition"),
                    "The field 'Condition' must be a boolean or a JSONata expression",
                );
                None
            }
        }
    }

    /// A JSONPath rule: `And`/`Or`/`Not`, or `Variable` and exactly one operator. `extra`
    /// holds the fields a rule at this level may have besides the test.
    fn jsonpath_condition(&mut self, rule: &Obj<'_>, extra: &[(&str, Lang)]) -> Option<Condition> {
        let mut allowed: Vec<(&str, Lang)> = extra.to_vec();
        allowed.extend(COMBINATORS.iter().map(|c| (*c, P)));
        allowed.push(("Variable", P));
        allowed.extend(ComparisonOperator::ALL.iter().map(|op| (op.name(), P)));
        self.check_fields(rule, &allowed, &[]);

        let combinators: Vec<&str> = COMBINATORS
            .iter()
            .copied()
            .filter(|c| rule.map.contains_key(*c))
            .collect();
        let operators: Vec<ComparisonOperator> = rule
            .map
            .keys()
            .filter_map(|k| ComparisonOperator::from_name(k))
            .collect();
        let has_variable = rule.map.contains_key("Variable");
        match (combinators.as_slice(), operators.as_slice(), has_variable) {
            ([combinator], [], false) => self.combinator(rule, combinator),
            ([], [operator], true) => self.comparison(rule, *operator),
            ([], [], true) => {
                self.report(
                    &rule.ptr,
                    "A choice rule with 'Variable' needs exactly one comparison operator",
                );
                None
            }
            ([], [_], false) => {
                self.report(&rule.ptr, "These fields are required: [Variable]");
                None
            }
            ([], [], false) => {
                self.report(&rule.ptr, "A choice rule needs 'And', 'Or', 'Not', or 'Variable' with one comparison operator");
                None
            }
            _ => {
                self.report(&rule.ptr, "A choice rule may hold only one of 'And', 'Or', 'Not', or 'Variable' with one comparison operator");
                None
            }
        }
    }

    fn combinator(&mut self, rule: &Obj<'_>, combinator: &str) -> Option<Condition> {
        let v = rule.get(combinator)?;
        let ptr = rule.at(combinator);
        if combinator == "Not" {
            let nested = self.nested_rule(v, &ptr, rule.lang)?;
            return Some(Condition::Not(Box::new(nested)));
        }
        let Value::Array(items) = v else {
            self.report(
                &ptr,
                format!("The field '{combinator}' must be an array of choice rules"),
            );
            return None;
        };
        if items.is_empty() {
            self.report(&ptr, "Value cannot be empty");
        }
        let nested: Vec<NestedRule> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.nested_rule(item, &ptr.index(i), rule.lang))
            .collect();
        if nested.len() != items.len() {
            return None;
        }
        Some(if combinator == "And" {
            Condition::And(nested)
        } else {
            Condition::Or(nested)
        })
    }

    fn nested_rule(
        &mut self,
        v: &Value,
        ptr: &crate::Pointer,
        lang: QueryLanguage,
    ) -> Option<NestedRule> {
        let map = self.object(v, ptr, "A choice rule")?;
        let rule = Obj {
            map,
            ptr: ptr.clone(),
            lang,
        };
        let condition = self.jsonpath_condition(&rule, &[("Comment", B)]);
        Some(NestedRule {
            comment: self.string(&rule, "Comment"),
            condition: condition?,
        })
    }

    fn comparison(&mut self, rule: &Obj<'_>, operator: ComparisonOperator) -> Option<Condition> {
        let variable = self.path(rule, "Variable", false);
        let name = operator.name();
        let v = rule.get(name)?;
        let ptr = rule.at(name);
        let value = match (operator.operand(), v) {
            (OperandKind::String, Value::String(s)) => Some(ComparisonValue::String(s.clone())),
            (OperandKind::Timestamp, Value::String(s)) => Some(ComparisonValue::String(s.clone())),
            (OperandKind::Number, Value::Number(n)) => Some(ComparisonValue::Number(n.clone())),
            (OperandKind::Bool, Value::Bool(b)) => Some(ComparisonValue::Bool(*b)),
            (OperandKind::Path, Value::String(_)) => {
                self.path(rule, name, false).map(ComparisonValue::Path)
            }
            (kind, other) => {
                let expected = match kind {
                    OperandKind::String => "a string",
                    OperandKind::Timestamp => "a timestamp string",
                    OperandKind::Number => "a number",
                    OperandKind::Bool => "a boolean",
                    OperandKind::Path => "a JSONPath string",
                };
                self.report(
                    &ptr,
                    format!(
                        "The value of '{name}' must be {expected}, found {}",
                        kind_of(other)
                    ),
                );
                None
            }
        };
        Some(Condition::Compare(Comparison {
            variable: variable?,
            operator,
            value: value?,
        }))
    }
}
