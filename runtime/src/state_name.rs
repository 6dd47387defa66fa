//! [`StateName`]: a state's name as every history event, context object and task request of
//! an execution carries it.
//!
//! An execution records its state's name in two events per state and hands it to the context
//! object and to task handlers. A shared, reference-counted string costs an atomic increment
//! and decrement each time, which on a short execution is a measurable share of its cost. State
//! names are instead interned once per process: a `StateName` is a copyable pointer to text
//! that is never freed. The text is the state names of the machines the process loaded, each
//! distinct name kept once. (A general-purpose interner crate was measured first: its tables
//! start at several MiB of resident memory, more than all the names of a large machine.)

use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{LazyLock, Mutex};

/// A state's name, interned: `Copy`, compared and hashed by address, dereferences to `str`.
#[derive(Clone, Copy)]
pub struct StateName(&'static str);

impl StateName {
    /// The interned name `name` (interned now if it was not before).
    pub fn new(name: &str) -> Self {
        static INTERNED: LazyLock<Mutex<HashSet<&'static str, foldhash::fast::RandomState>>> =
            LazyLock::new(Default::default);
        let mut interned = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = interned.get(name) {
            return StateName(known);
        }
        let text: &'static str = Box::leak(Box::from(name));
        interned.insert(text);
        StateName(text)
    }

    /// The name's text.
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

/// Interned: the same text is the same address.
impl PartialEq for StateName {
    fn eq(&self, other: &StateName) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for StateName {}

impl Hash for StateName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.0, state)
    }
}

impl Deref for StateName {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for StateName {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl From<&str> for StateName {
    fn from(name: &str) -> Self {
        StateName::new(name)
    }
}

impl PartialEq<str> for StateName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for StateName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for StateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for StateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_the_same_name() {
        let a = StateName::new("Check order");
        let b = StateName::from(String::from("Check order").as_str());
        assert_eq!(a, b);
        assert_eq!(a.as_str().as_ptr(), b.as_str().as_ptr());
        assert_eq!(&*a, "Check order");
        assert_ne!(a, StateName::new("Check"));
        assert_eq!(format!("{a} {a:?}"), "Check order \"Check order\"");
    }
}
