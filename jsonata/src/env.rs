//! Variable scopes: each block, lambda call and tuple binding opens a frame over its parent.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::value::Value;

/// A scope.
pub type Env = Rc<Frame>;

/// One frame of variables.
#[derive(Default)]
pub struct Frame {
    vars: RefCell<HashMap<String, Value>>,
    parent: Option<Env>,
}

impl Frame {
    /// A frame over `parent`.
    pub fn child(parent: &Env) -> Env {
        Rc::new(Frame {
            vars: RefCell::new(HashMap::new()),
            parent: Some(parent.clone()),
        })
    }

    /// The outermost frame.
    pub fn root() -> Env {
        Rc::new(Frame::default())
    }

    /// Binds `name` in this frame.
    pub fn bind(&self, name: &str, value: Value) {
        self.vars.borrow_mut().insert(name.to_string(), value);
    }

    /// Drops every binding of this frame.
    pub fn clear(&self) {
        self.vars.borrow_mut().clear();
    }

    /// The value of `name` here or in an enclosing frame.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }
}
