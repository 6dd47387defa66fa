//! `with_*` builder methods for the option structs, which are `#[non_exhaustive]` so that they
//! can grow without breaking users: one line per field. Exported (hidden) so that stepfn and
//! stepfn-server build their options the same way.

/// Expands `into with_x(x: T);` (takes `impl Into<T>`), `some with_x(x: T);` (sets `Some`)
/// and `set with_x(x: T);` (takes `T` as is) into documented, `#[must_use]` builder methods.
#[doc(hidden)]
#[macro_export]
macro_rules! __setters {
    ($($kind:ident $with:ident($field:ident: $t:ty);)*) => {
        $($crate::__setters!(@one $kind $with $field $t);)*
    };
    (@one into $with:ident $field:ident $t:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        #[must_use]
        pub fn $with(mut self, $field: impl Into<$t>) -> Self {
            self.$field = $field.into();
            self
        }
    };
    (@one some $with:ident $field:ident $t:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        #[must_use]
        pub fn $with(mut self, $field: impl Into<$t>) -> Self {
            self.$field = Some($field.into());
            self
        }
    };
    (@one set $with:ident $field:ident $t:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        #[must_use]
        pub fn $with(mut self, $field: $t) -> Self {
            self.$field = $field;
            self
        }
    };
}
