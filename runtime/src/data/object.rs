//! [`Object`]: the members of a JSON object, in the order they were written.
//!
//! Payloads are mostly small objects, and the executor copies an object each time a state
//! changes one the history still holds. A hash map pays two allocations and a hash table per
//! copy; here an object of up to [`SMALL`] members is a plain list searched in order (one
//! allocation to copy, nothing hashed), and only larger ones keep an index by name.

use std::fmt;

use indexmap::IndexMap;

use super::{Data, Key};

/// Objects up to this many members are searched in order; larger ones are hashed.
pub const SMALL: usize = 8;

/// The members of a JSON object, in the order they were written. A small object (up to 8
/// members) is a plain list searched in order; a larger one also keeps an index by name.
pub struct Object {
    repr: Repr,
}

/// A copy is nearly always made to be changed (copy-on-write), and the commonest change adds
/// a member: a small object's copy has room for one more, so that does not reallocate.
impl Clone for Object {
    fn clone(&self) -> Self {
        let repr = match &self.repr {
            Repr::List(list) => {
                let mut copy = Vec::with_capacity(list.len() + 1);
                copy.extend(list.iter().cloned());
                Repr::List(copy)
            }
            Repr::Indexed(map) => Repr::Indexed(map.clone()),
        };
        Object { repr }
    }
}

enum Repr {
    List(Vec<(Key, Data)>),
    /// Hashed with foldhash (randomly seeded): SipHash showed in profiles.
    Indexed(IndexMap<Key, Data, foldhash::fast::RandomState>),
}

impl Default for Object {
    fn default() -> Self {
        Object::new()
    }
}

impl Object {
    /// An empty object.
    pub const fn new() -> Self {
        Object {
            repr: Repr::List(Vec::new()),
        }
    }

    /// An empty object with room for `capacity` members.
    pub fn with_capacity(capacity: usize) -> Self {
        let repr = if capacity <= SMALL {
            Repr::List(Vec::with_capacity(capacity))
        } else {
            Repr::Indexed(IndexMap::with_capacity_and_hasher(
                capacity,
                Default::default(),
            ))
        };
        Object { repr }
    }

    /// How many members it has.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::List(list) => list.len(),
            Repr::Indexed(map) => map.len(),
        }
    }

    /// True when it has no members.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of the member `key`.
    pub fn get(&self, key: &str) -> Option<&Data> {
        match &self.repr {
            Repr::List(list) => list.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Repr::Indexed(map) => map.get(key),
        }
    }

    /// The value of the member `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Data> {
        match &mut self.repr {
            Repr::List(list) => list.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            Repr::Indexed(map) => map.get_mut(key),
        }
    }

    /// True when it has a member `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The member at `index` in writing order.
    pub fn get_index(&self, index: usize) -> Option<(&Key, &Data)> {
        match &self.repr {
            Repr::List(list) => list.get(index).map(|(k, v)| (k, v)),
            Repr::Indexed(map) => map.get_index(index),
        }
    }

    /// Sets the member `key` to `value`, returning its old value. A new member goes last; an
    /// existing one keeps its place.
    pub fn insert(&mut self, key: Key, value: Data) -> Option<Data> {
        if let Some(slot) = self.get_mut(&key) {
            return Some(std::mem::replace(slot, value));
        }
        self.push_new(key, value);
        None
    }

    /// The value of the member `key`, added with `make()` first when missing.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> Data) -> &mut Data {
        let position = match &self.repr {
            Repr::List(list) => list.iter().position(|(k, _)| k == key),
            Repr::Indexed(map) => map.get_index_of(key),
        };
        let position = match position {
            Some(p) => p,
            None => {
                self.push_new(key.into(), make());
                self.len() - 1
            }
        };
        match &mut self.repr {
            Repr::List(list) => &mut list[position].1,
            Repr::Indexed(map) => &mut map[position],
        }
    }

    /// Appends a member known to be new.
    fn push_new(&mut self, key: Key, value: Data) {
        match &mut self.repr {
            Repr::List(list) if list.len() < SMALL => list.push((key, value)),
            Repr::List(list) => {
                let mut map =
                    IndexMap::with_capacity_and_hasher(list.len() * 2, Default::default());
                map.extend(std::mem::take(list));
                map.insert(key, value);
                self.repr = Repr::Indexed(map);
            }
            Repr::Indexed(map) => {
                map.insert(key, value);
            }
        }
    }

    /// Removes the member `key`, keeping the others in order, and returns its value.
    pub fn shift_remove(&mut self, key: &str) -> Option<Data> {
        match &mut self.repr {
            Repr::List(list) => {
                let position = list.iter().position(|(k, _)| k == key)?;
                Some(list.remove(position).1)
            }
            Repr::Indexed(map) => map.shift_remove(key),
        }
    }

    /// The members in writing order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.repr {
            Repr::List(list) => IterRepr::List(list.iter()),
            Repr::Indexed(map) => IterRepr::Indexed(map.iter()),
        })
    }

    /// The members in writing order, values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(match &mut self.repr {
            Repr::List(list) => IterMutRepr::List(list.iter_mut()),
            Repr::Indexed(map) => IterMutRepr::Indexed(map.iter_mut()),
        })
    }

    /// The member names in writing order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    /// The member values in writing order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Data> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }
}

/// The members of an [`Object`], borrowed, in writing order.
pub struct Iter<'a>(IterRepr<'a>);

enum IterRepr<'a> {
    List(std::slice::Iter<'a, (Key, Data)>),
    Indexed(indexmap::map::Iter<'a, Key, Data>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Data);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::List(it) => it.next().map(|(k, v)| (k, v)),
            IterRepr::Indexed(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::List(it) => it.size_hint(),
            IterRepr::Indexed(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::List(it) => it.next_back().map(|(k, v)| (k, v)),
            IterRepr::Indexed(it) => it.next_back(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The members of an [`Object`], values to change, in writing order.
pub struct IterMut<'a>(IterMutRepr<'a>);

enum IterMutRepr<'a> {
    List(std::slice::IterMut<'a, (Key, Data)>),
    Indexed(indexmap::map::IterMut<'a, Key, Data>),
}

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a Key, &'a mut Data);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterMutRepr::List(it) => it.next().map(|(k, v)| (&*k, v)),
            IterMutRepr::Indexed(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterMutRepr::List(it) => it.size_hint(),
            IterMutRepr::Indexed(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for IterMut<'_> {}

/// The members of an [`Object`], owned, in writing order.
pub struct IntoIter(IntoIterRepr);

enum IntoIterRepr {
    List(std::vec::IntoIter<(Key, Data)>),
    Indexed(indexmap::map::IntoIter<Key, Data>),
}

impl Iterator for IntoIter {
    type Item = (Key, Data);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IntoIterRepr::List(it) => it.next(),
            IntoIterRepr::Indexed(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IntoIterRepr::List(it) => it.size_hint(),
            IntoIterRepr::Indexed(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Object {
    type Item = (Key, Data);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(match self.repr {
            Repr::List(list) => IntoIterRepr::List(list.into_iter()),
            Repr::Indexed(map) => IntoIterRepr::Indexed(map.into_iter()),
        })
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a Key, &'a Data);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Object {
    type Item = (&'a Key, &'a mut Data);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl Extend<(Key, Data)> for Object {
    fn extend<I: IntoIterator<Item = (Key, Data)>>(&mut self, members: I) {
        for (key, value) in members {
            self.insert(key, value);
        }
    }
}

impl FromIterator<(Key, Data)> for Object {
    fn from_iter<I: IntoIterator<Item = (Key, Data)>>(members: I) -> Self {
        let members = members.into_iter();
        let mut object = Object::with_capacity(members.size_hint().0);
        object.extend(members);
        object
    }
}

impl<const N: usize> From<[(Key, Data); N]> for Object {
    fn from(members: [(Key, Data); N]) -> Self {
        members.into_iter().collect()
    }
}

/// Equal when both have the same members with equal values, in any order (as JSON objects).
impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|w| v == w))
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: usize) -> Key {
        format!("k{i}").into()
    }

    #[test]
    fn keeps_writing_order_and_places_across_the_switch_to_an_index() {
        for size in [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL] {
            let mut object = Object::new();
            for i in (0..size).rev() {
                assert_eq!(object.insert(key(i), Data::from(i)), None);
            }
            // Replacing keeps the member where it was.
            if size > 0 {
                assert_eq!(
                    object.insert(key(0), Data::from("zero")),
                    Some(Data::from(0))
                );
            }
            let names: Vec<_> = object.keys().cloned().collect();
            let expected: Vec<_> = (0..size).rev().map(key).collect();
            assert_eq!(names, expected, "size {size}");
            assert_eq!(object.len(), size);
            for i in 1..size {
                assert_eq!(object.get(&key(i)), Some(&Data::from(i)));
            }
            assert!(object.get("absent").is_none());
            if size > 2 {
                assert_eq!(object.shift_remove(&key(1)), Some(Data::from(1)));
                assert_eq!(object.len(), size - 1);
                assert!(!object.contains_key(&key(1)));
                assert_eq!(
                    object.get_index(size - 2).map(|(k, _)| k.clone()),
                    Some(key(0))
                );
            }
        }
    }

    #[test]
    fn get_or_insert_with_adds_once() {
        let mut object = Object::new();
        *object.get_or_insert_with("a", || Data::from(1)) = Data::from(2);
        assert_eq!(
            object.get_or_insert_with("a", || Data::from(9)),
            &Data::from(2)
        );
        for i in 0..2 * SMALL {
            object.get_or_insert_with(&key(i), || Data::from(i));
        }
        assert_eq!(object.len(), 2 * SMALL + 1);
        assert_eq!(object.get(&key(SMALL + 3)), Some(&Data::from(SMALL + 3)));
    }

    #[test]
    fn equality_ignores_order() {
        let a: Object = [(key(1), Data::from(1)), (key(2), Data::from(2))].into();
        let b: Object = [(key(2), Data::from(2)), (key(1), Data::from(1))].into();
        let c: Object = [(key(2), Data::from(2)), (key(1), Data::from(3))].into();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
