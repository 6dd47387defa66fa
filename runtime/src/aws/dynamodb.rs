//! `arn:aws:states:::dynamodb:getItem`, `putItem`, `updateItem` and `deleteItem`.
//!
//! Items and keys are the user's structs whose fields are typed attribute values ([`S`],
//! [`N`], [`Bool`], [`M`], [`L`], [`Ss`], [`Null`]), as DynamoDB writes them:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use stepfn::aws::dynamodb::{N, S};
//!
//! #[derive(Clone, Serialize, Deserialize, stepfn::Payload)]
//! pub struct OrderRow { pub order_id: S, pub total: N }
//!
//! let row = OrderRow { order_id: S::new("o-1"), total: N::new(12.5) };
//! assert_eq!(
//!     serde_json::to_value(&row).unwrap(),
//!     serde_json::json!({"order_id": {"S": "o-1"}, "total": {"N": "12.5"}})
//! );
//! ```
//!
//! In a template, `order_id: S { s: .id }` fills the string from a path, and `total: N { n:
//! json_to_string(.total) }` writes a number as the string DynamoDB keeps it in.

use serde_json::Value;

use super::{action, shape, RequestOf, ResponseOf};

shape! {
    /// A string attribute: `{"S": "..."}`.
    pub struct S {
        /// The string.
        s: String => "S";
    }
}

shape! {
    /// A number attribute: `{"N": "12.5"}` (DynamoDB keeps numbers as decimal strings).
    pub struct N {
        /// The number, as text.
        n: String => "N";
    }
}

shape! {
    /// A boolean attribute: `{"BOOL": true}`.
    pub struct Bool {
        /// The boolean.
        bool: bool => "BOOL";
    }
}

shape! {
    /// A null attribute: `{"NULL": true}`.
    pub struct Null {
        /// Always true.
        null: bool => "NULL";
    }
}

shape! {
    /// A string set: `{"SS": ["a", "b"]}`.
    pub struct Ss {
        /// The strings.
        ss: Vec<String> => "SS";
    }
}

shape! {
    /// A map attribute: `{"M": {...}}`, its members a struct of attribute values.
    pub struct M<T = Value> {
        /// The members.
        m: T => "M";
    }
}

shape! {
    /// A list attribute: `{"L": [...]}`, of attribute values.
    pub struct L<T = Value> {
        /// The elements.
        l: Vec<T> => "L";
    }
}

impl S {
    /// The attribute holding `s`.
    pub fn new(s: impl Into<String>) -> Self {
        S { s: s.into() }
    }
}

impl N {
    /// The attribute holding `n`, written as DynamoDB writes numbers.
    pub fn new(n: impl std::fmt::Display) -> Self {
        N { n: n.to_string() }
    }

    /// The number, if the text is one.
    pub fn as_f64(&self) -> Option<f64> {
        self.n.parse().ok()
    }
}

impl Bool {
    /// The attribute holding `b`.
    pub fn new(b: bool) -> Self {
        Bool { bool: b }
    }
}

shape! {
    /// GetItem's request.
    pub struct GetItem<K = Value> {
        /// The table's name or ARN.
        table_name: String => "TableName";
        /// The item's key.
        key: K => "Key";
        /// Strongly consistent read.
        #[serde(skip_serializing_if = "Option::is_none")]
        consistent_read: Option<bool> => "ConsistentRead";
        /// The attributes to read.
        #[serde(skip_serializing_if = "Option::is_none")]
        projection_expression: Option<String> => "ProjectionExpression";
        /// Names for `#placeholders` in the expression.
        #[serde(skip_serializing_if = "Option::is_none")]
        expression_attribute_names: Option<Value> => "ExpressionAttributeNames";
    }
}

shape! {
    /// GetItem's response: `Item` is absent when no item has the key.
    pub struct GetItemOutput<I = Value> {
        /// The item.
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<I> => "Item";
    }
}

shape! {
    /// PutItem's request.
    pub struct PutItem<I = Value> {
        /// The table's name or ARN.
        table_name: String => "TableName";
        /// The item, key included.
        item: I => "Item";
        /// A condition the existing item must meet.
        #[serde(skip_serializing_if = "Option::is_none")]
        condition_expression: Option<String> => "ConditionExpression";
        /// Names for `#placeholders` in the expression.
        #[serde(skip_serializing_if = "Option::is_none")]
        expression_attribute_names: Option<Value> => "ExpressionAttributeNames";
        /// Values for `:placeholders` in the expression.
        #[serde(skip_serializing_if = "Option::is_none")]
        expression_attribute_values: Option<Value> => "ExpressionAttributeValues";
        /// `ALL_OLD` to get the replaced item back.
        #[serde(skip_serializing_if = "Option::is_none")]
        return_values: Option<String> => "ReturnValues";
    }
}

shape! {
    /// The response of PutItem and DeleteItem: the old item, when `ReturnValues` asked.
    pub struct WriteItemOutput<I = Value> {
        /// The item before the call.
        #[serde(skip_serializing_if = "Option::is_none")]
        attributes: Option<I> => "Attributes";
    }
}

shape! {
    /// UpdateItem's request; `V` holds the `:placeholders` of the expressions.
    pub struct UpdateItem<K = Value, V = Value> {
        /// The table's name or ARN.
        table_name: String => "TableName";
        /// The item's key.
        key: K => "Key";
        /// `SET #status = :status`...
        update_expression: String => "UpdateExpression";
        /// Values for `:placeholders`: a struct of attribute values.
        expression_attribute_values: V => "ExpressionAttributeValues";
        /// Names for `#placeholders`.
        #[serde(skip_serializing_if = "Option::is_none")]
        expression_attribute_names: Option<Value> => "ExpressionAttributeNames";
        /// A condition the existing item must meet.
        #[serde(skip_serializing_if = "Option::is_none")]
        condition_expression: Option<String> => "ConditionExpression";
        /// `ALL_NEW`, `UPDATED_OLD`...: what `Attributes` holds in the response.
        #[serde(skip_serializing_if = "Option::is_none")]
        return_values: Option<String> => "ReturnValues";
    }
}

shape! {
    /// UpdateItem's response.
    pub struct UpdateItemOutput<A = Value> {
        /// The attributes `ReturnValues` asked for.
        #[serde(skip_serializing_if = "Option::is_none")]
        attributes: Option<A> => "Attributes";
    }
}

shape! {
    /// DeleteItem's request.
    pub struct DeleteItem<K = Value> {
        /// The table's name or ARN.
        table_name: String => "TableName";
        /// The item's key.
        key: K => "Key";
        /// A condition the existing item must meet.
        #[serde(skip_serializing_if = "Option::is_none")]
        condition_expression: Option<String> => "ConditionExpression";
        /// Names for `#placeholders` in the expression.
        #[serde(skip_serializing_if = "Option::is_none")]
        expression_attribute_names: Option<Value> => "ExpressionAttributeNames";
        /// Values for `:placeholders` in the expression.
        #[serde(skip_serializing_if = "Option::is_none")]
        expression_attribute_values: Option<Value> => "ExpressionAttributeValues";
        /// `ALL_OLD` to get the deleted item back.
        #[serde(skip_serializing_if = "Option::is_none")]
        return_values: Option<String> => "ReturnValues";
    }
}

impl<I> Default for GetItemOutput<I> {
    fn default() -> Self {
        GetItemOutput { item: None }
    }
}

impl<I> Default for WriteItemOutput<I> {
    fn default() -> Self {
        WriteItemOutput { attributes: None }
    }
}

impl<A> Default for UpdateItemOutput<A> {
    fn default() -> Self {
        UpdateItemOutput { attributes: None }
    }
}

impl<K> RequestOf<action::DynamoDbGetItem> for GetItem<K> {}
impl<I> ResponseOf<action::DynamoDbGetItem> for GetItemOutput<I> {}
impl<I> RequestOf<action::DynamoDbPutItem> for PutItem<I> {}
impl<I> ResponseOf<action::DynamoDbPutItem> for WriteItemOutput<I> {}
impl<K, V> RequestOf<action::DynamoDbUpdateItem> for UpdateItem<K, V> {}
impl<A> ResponseOf<action::DynamoDbUpdateItem> for UpdateItemOutput<A> {}
impl<K> RequestOf<action::DynamoDbDeleteItem> for DeleteItem<K> {}
impl<I> ResponseOf<action::DynamoDbDeleteItem> for WriteItemOutput<I> {}
