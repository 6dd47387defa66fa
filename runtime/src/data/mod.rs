//! The JSON value states pass to each other: persistent, so copies share structure.
//!
//! An execution hands its payload from state to state and records it in the history at every
//! step. With a plain tree every recorded snapshot, and every `ResultPath` merge into an input
//! the history still holds, would copy the whole payload: cost per state would grow with the
//! payload. Here arrays and objects sit behind [`Arc`]s: cloning a [`Data`] is a reference count
//! bump, and changing one copies only the nodes on the path to the change (see
//! [`Data::object_mut`]). Every array and object also remembers its size as compact JSON once
//! counted, so the 256 KiB payload check of a merged value counts only what is new.
//!
//! Conversions to and from [`serde_json::Value`] happen where a payload leaves the executor's
//! hands (task handlers, JSONata, the final output); they copy.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

mod object;

pub use object::{IntoIter, Iter, IterMut, Object};

/// An object member's name: short names (nearly all of them) are stored inline, so copying an
/// object copies its names without allocating. (`smol_str` was tried in its place: 5% fewer
/// transitions per second on the pass_chain benchmark, for four crates fewer.)
pub type Key = compact_str::CompactString;
/// The items of a JSON array.
pub type Array = Vec<Data>;

/// A JSON value with shared, copy-on-write arrays and objects. See the [module](self) docs.
#[derive(Clone, Default)]
pub enum Data {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json keeps it.
    Number(Number),
    /// A string.
    String(Arc<str>),
    /// An array.
    Array(Arc<Node<Array>>),
    /// An object.
    Object(Arc<Node<Object>>),
}

/// The items of an array or the members of an object, with their size as compact JSON
/// remembered once counted.
pub struct Node<T> {
    items: T,
    /// The size plus one, or 0 before it is counted. Two threads counting at once store the
    /// same number, so no lock is needed.
    json_len: AtomicUsize,
}

impl<T> Node<T> {
    fn new(items: T) -> Self {
        Node {
            items,
            json_len: AtomicUsize::new(0),
        }
    }

    fn counted(&self, count: impl FnOnce(&T) -> usize) -> usize {
        match self.json_len.load(Ordering::Relaxed) {
            0 => {
                let len = count(&self.items);
                self.json_len.store(len + 1, Ordering::Relaxed);
                len
            }
            known => known - 1,
        }
    }

    /// The size as compact JSON, if counted already.
    fn known(&self) -> Option<usize> {
        self.json_len.load(Ordering::Relaxed).checked_sub(1)
    }

    /// Records the size as compact JSON, known without counting.
    fn remember(&self, len: usize) {
        self.json_len.store(len + 1, Ordering::Relaxed);
    }

    /// The items, taken out of the node.
    pub fn into_inner(self) -> T {
        self.items
    }
}

impl<T: Clone> Clone for Node<T> {
    fn clone(&self) -> Self {
        Node {
            items: self.items.clone(),
            json_len: AtomicUsize::new(self.json_len.load(Ordering::Relaxed)),
        }
    }
}

impl<T> std::ops::Deref for Node<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.items
    }
}

impl<T: PartialEq> PartialEq for Node<T> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

/// `null`, for lookups that find nothing.
static NULL: Data = Data::Null;

impl Data {
    /// An object of `members`.
    pub fn object(members: Object) -> Data {
        Data::Object(Arc::new(Node::new(members)))
    }

    /// An array of `items`.
    pub fn array(items: Array) -> Data {
        Data::Array(Arc::new(Node::new(items)))
    }

    /// An empty object.
    pub fn empty_object() -> Data {
        Data::object(Object::default())
    }

    /// The members, when this is an object.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Data::Object(node) => Some(&node.items),
            _ => None,
        }
    }

    /// The items, when this is an array.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Data::Array(node) => Some(&node.items),
            _ => None,
        }
    }

    /// The members, to change, when this is an object. Copies the members (not their values)
    /// when another copy of this value shares them.
    pub fn object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Data::Object(node) => {
                let node = Arc::make_mut(node);
                *node.json_len.get_mut() = 0;
                Some(&mut node.items)
            }
            _ => None,
        }
    }

    /// The items, to change, when this is an array; copied first when shared.
    pub fn array_mut(&mut self) -> Option<&mut Array> {
        match self {
            Data::Array(node) => {
                let node = Arc::make_mut(node);
                *node.json_len.get_mut() = 0;
                Some(&mut node.items)
            }
            _ => None,
        }
    }

    /// The text, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Data::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value, when this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Data::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, when this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Data::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `f64`, when this is one.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The number as `i64`, when it is a whole number that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as `u64`, when it is a non-negative whole number that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Data::Null)
    }

    /// True for an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Data::Object(_))
    }

    /// True for an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Data::Array(_))
    }

    /// True for a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Data::String(_))
    }

    /// True for a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Data::Number(_))
    }

    /// True for `true` or `false`.
    pub fn is_boolean(&self) -> bool {
        matches!(self, Data::Bool(_))
    }

    /// The member `key`, when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Data> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// A deep copy as a [`serde_json::Value`].
    pub fn to_value(&self) -> Value {
        match self {
            Data::Null => Value::Null,
            Data::Bool(b) => Value::Bool(*b),
            Data::Number(n) => Value::Number(n.clone()),
            Data::String(s) => Value::String(s.to_string()),
            Data::Array(a) => Value::Array(a.iter().map(Data::to_value).collect()),
            Data::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// Compact JSON text.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The length of [`Data::to_json_string`], counted without building the text. Arrays and
    /// objects remember their count, so asking again after a change to a shared value counts
    /// only the nodes the change copied.
    pub fn json_len(&self) -> usize {
        match self {
            Data::Null => 4,
            Data::Bool(true) => 4,
            Data::Bool(false) => 5,
            Data::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => decimal_digits(u),
                (None, Some(i)) => 1 + decimal_digits(i.unsigned_abs()),
                _ => counted(n),
            },
            Data::String(s) => string_json_len(s),
            Data::Array(node) => node.counted(|items| {
                // Brackets, then each item and the commas between them.
                2 + items.iter().map(Data::json_len).sum::<usize>() + items.len().saturating_sub(1)
            }),
            Data::Object(node) => node.counted(|members| {
                2 + members
                    .iter()
                    .map(|(k, v)| string_json_len(k) + 1 + v.json_len())
                    .sum::<usize>()
                    + members.len().saturating_sub(1)
            }),
        }
    }

    /// The length of [`Data::to_json_string`] if it costs nothing to know: a scalar's, or an
    /// array's or object's already counted.
    pub(crate) fn known_json_len(&self) -> Option<usize> {
        match self {
            Data::Array(node) => node.known(),
            Data::Object(node) => node.known(),
            scalar => Some(scalar.json_len()),
        }
    }

    /// Sets the member `key` of this object to `value` (see [`Object::insert`]), keeping its
    /// JSON length counted when it was: a merge into a counted payload then costs the size of
    /// the change, not of the payload. `None` when this is not an object.
    pub(crate) fn insert_member(&mut self, key: &str, value: Data) -> Option<()> {
        let before = self.known_json_len();
        let value_len = value.json_len();
        let members = self.object_mut()?;
        let after = match members.insert(key.into(), value) {
            // The member keeps the old one's place: only the value's length changes.
            Some(old) => before.map(|len| len - old.json_len() + value_len),
            None => {
                // `"key":value`, and a comma when other members precede it.
                let member = string_json_len(key) + 1 + value_len + usize::from(members.len() > 1);
                before.map(|len| len + member)
            }
        };
        if let (Some(len), Data::Object(node)) = (after, &*self) {
            node.remember(len);
        }
        Some(())
    }

    /// True when both are the very same shared node (or equal scalars): a cheap test that
    /// never compares contents.
    pub fn shares(&self, other: &Data) -> bool {
        match (self, other) {
            (Data::Array(a), Data::Array(b)) => Arc::ptr_eq(a, b),
            (Data::Object(a), Data::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The length of `s` as a JSON string. Most strings need no escapes: then it is their bytes
/// and the quotes.
fn string_json_len(s: &str) -> usize {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        s.len() + 2
    } else {
        counted(s)
    }
}

/// How many digits `n` has in decimal.
fn decimal_digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |digits| digits as usize + 1)
}

/// The length of `value` as compact JSON.
fn counted<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

impl PartialEq for Data {
    fn eq(&self, other: &Data) -> bool {
        match (self, other) {
            (Data::Null, Data::Null) => true,
            (Data::Bool(a), Data::Bool(b)) => a == b,
            (Data::Number(a), Data::Number(b)) => a == b,
            (Data::String(a), Data::String(b)) => a == b,
            (Data::Array(a), Data::Array(b)) => Arc::ptr_eq(a, b) || a == b,
            (Data::Object(a), Data::Object(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

impl PartialEq<Value> for Data {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Data::Null, Value::Null) => true,
            (Data::Bool(a), Value::Bool(b)) => a == b,
            (Data::Number(a), Value::Number(b)) => a == b,
            (Data::String(a), Value::String(b)) => **a == **b,
            (Data::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Data::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k.as_str()).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<&str> for Data {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl std::ops::Index<&str> for Data {
    type Output = Data;

    /// The member `key`, or `null` when there is none (as `serde_json::Value` indexes).
    fn index(&self, key: &str) -> &Data {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Data {
    type Output = Data;

    fn index(&self, i: usize) -> &Data {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

impl fmt::Debug for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

impl From<Value> for Data {
    fn from(value: Value) -> Data {
        match value {
            Value::Null => Data::Null,
            Value::Bool(b) => Data::Bool(b),
            Value::Number(n) => Data::Number(n),
            Value::String(s) => Data::String(s.into()),
            Value::Array(a) => Data::array(a.into_iter().map(Data::from).collect()),
            Value::Object(m) => Data::object(
                m.into_iter()
                    .map(|(k, v)| (k.into(), Data::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<&Value> for Data {
    fn from(value: &Value) -> Data {
        match value {
            Value::Null => Data::Null,
            Value::Bool(b) => Data::Bool(*b),
            Value::Number(n) => Data::Number(n.clone()),
            Value::String(s) => Data::String(s.as_str().into()),
            Value::Array(a) => Data::array(a.iter().map(Data::from).collect()),
            Value::Object(m) => {
                Data::object(m.iter().map(|(k, v)| (k.into(), Data::from(v))).collect())
            }
        }
    }
}

impl From<Data> for Value {
    fn from(data: Data) -> Value {
        data.to_value()
    }
}

impl From<&str> for Data {
    fn from(s: &str) -> Data {
        Data::String(s.into())
    }
}

impl From<String> for Data {
    fn from(s: String) -> Data {
        Data::String(s.into())
    }
}

impl From<Arc<str>> for Data {
    fn from(s: Arc<str>) -> Data {
        Data::String(s)
    }
}

impl From<bool> for Data {
    fn from(b: bool) -> Data {
        Data::Bool(b)
    }
}

impl From<Number> for Data {
    fn from(n: Number) -> Data {
        Data::Number(n)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Data {
            fn from(n: $t) -> Data {
                Data::Number(Number::from(n))
            }
        }
    )*};
}
from_integer!(i32, i64, u32, u64, usize);

impl From<Object> for Data {
    fn from(members: Object) -> Data {
        Data::object(members)
    }
}

impl From<Array> for Data {
    fn from(items: Array) -> Data {
        Data::array(items)
    }
}

impl FromIterator<Data> for Data {
    fn from_iter<I: IntoIterator<Item = Data>>(iter: I) -> Data {
        Data::array(iter.into_iter().collect())
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::Null => serializer.serialize_unit(),
            Data::Bool(b) => serializer.serialize_bool(*b),
            Data::Number(n) => n.serialize(serializer),
            Data::String(s) => serializer.serialize_str(s),
            Data::Array(a) => {
                let mut seq = serializer.serialize_seq(Some(a.len()))?;
                for item in a.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Data::Object(m) => {
                let mut map = serializer.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Data, D::Error> {
        struct DataVisitor;

        impl<'de> Visitor<'de> for DataVisitor {
            type Value = Data;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }

            fn visit_bool<E>(self, b: bool) -> Result<Data, E> {
                Ok(Data::Bool(b))
            }

            fn visit_i64<E>(self, n: i64) -> Result<Data, E> {
                Ok(Data::Number(n.into()))
            }

            fn visit_u64<E>(self, n: u64) -> Result<Data, E> {
                Ok(Data::Number(n.into()))
            }

            fn visit_f64<E>(self, f: f64) -> Result<Data, E> {
                Ok(Number::from_f64(f).map_or(Data::Null, Data::Number))
            }

            fn visit_str<E>(self, s: &str) -> Result<Data, E> {
                Ok(Data::String(s.into()))
            }

            fn visit_string<E>(self, s: String) -> Result<Data, E> {
                Ok(Data::String(s.into()))
            }

            fn visit_unit<E>(self) -> Result<Data, E> {
                Ok(Data::Null)
            }

            fn visit_none<E>(self) -> Result<Data, E> {
                Ok(Data::Null)
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
                Deserialize::deserialize(d)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Data, A::Error> {
                let mut items = Array::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Data::array(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
                // serde_json hands arbitrary-precision numbers and raw values over as maps; this
                // crate does not enable those features, so a map is always an object.
                let mut members = Object::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, v)) = map.next_entry::<Key, Data>()? {
                    members.insert(k, v);
                }
                Ok(Data::object(members))
            }
        }

        deserializer
            .deserialize_any(DataVisitor)
            .map_err(de::Error::custom)
    }
}

/// `data!({...})`: a [`Data`] written as `serde_json::json!` literals, for tests.
#[cfg(test)]
macro_rules! data_from_json {
    ($($json:tt)+) => {
        $crate::data::Data::from(serde_json::json!($($json)+))
    };
}
#[cfg(test)]
pub(crate) use data_from_json as data;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_both_ways_keeping_member_order() {
        let value = json!({"b": [1, 2.5, "x", null, true], "a": {"c": {}}});
        let data = Data::from(&value);
        assert_eq!(data.to_value(), value);
        assert_eq!(
            data.to_json_string(),
            serde_json::to_string(&value).unwrap()
        );
        let parsed: Data = serde_json::from_str(&value.to_string()).unwrap();
        assert_eq!(parsed, data);
        assert!(data == value);
    }

    #[test]
    fn json_len_matches_the_text_after_changes() {
        let mut data = Data::from(json!({"s": "quote \" and é", "n": [1, -2.5e10, {"x": []}]}));
        assert_eq!(data.json_len(), data.to_json_string().len());
        let before = data.clone();
        data.object_mut()
            .unwrap()
            .insert("added".into(), Data::from("more"));
        assert_eq!(data.json_len(), data.to_json_string().len());
        assert_eq!(before.json_len(), before.to_json_string().len());
        assert!(before.get("added").is_none());
    }

    #[test]
    fn insert_member_keeps_a_counted_length_true() {
        let cases = [
            json!({}),
            json!({"a": 1}),
            json!({"a": {"b": [1, 2]}, "c": "x"}),
        ];
        let values = [
            json!("plain"),
            json!({"n": [1, "é\""]}),
            json!(-12),
            json!(null),
        ];
        for case in &cases {
            for key in ["a", "new", "quote\"d"] {
                for value in &values {
                    for counted_first in [true, false] {
                        let mut data = Data::from(case);
                        if counted_first {
                            data.json_len();
                        }
                        let shared = data.clone();
                        data.insert_member(key, Data::from(value)).unwrap();
                        assert_eq!(
                            data.json_len(),
                            data.to_json_string().len(),
                            "{case} {key} {value}"
                        );
                        assert_eq!(shared.json_len(), shared.to_json_string().len());
                    }
                }
            }
        }
        assert!(Data::from(json!([1]))
            .insert_member("a", Data::Null)
            .is_none());
    }

    #[test]
    fn json_len_counts_every_kind_of_scalar_as_the_text_does() {
        let values = json!([
            0, 7, 10, 99, 100, u64::MAX, -1, -10, i64::MIN, 0.5, -3.25e-7, 1e300,
            "", "plain", "tab\there", "\u{1}", "back\\slash", "quote\"", "ünï€ode", "\u{7f}",
            {"key \" with escapes\n": true, "k": null, "": false}
        ]);
        for value in values.as_array().unwrap() {
            let data = Data::from(value);
            assert_eq!(data.json_len(), data.to_json_string().len(), "{value}");
        }
    }

    #[test]
    fn changing_a_copy_shares_the_untouched_members() {
        let original = Data::from(json!({"blob": {"big": [1, 2, 3]}, "acc": {}}));
        let mut changed = original.clone();
        changed
            .object_mut()
            .unwrap()
            .insert("x".into(), Data::from(1));
        assert!(changed["blob"].shares(&original["blob"]));
        assert!(!changed.shares(&original));
        assert!(original.get("x").is_none());
    }
}
