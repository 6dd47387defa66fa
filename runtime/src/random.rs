//! Randomness: version-4 ids (execution names, Map Run ids, task tokens, `States.UUID`) and
//! retry jitter, from one fast generator seeded per thread by the standard library.
//!
//! It is not a cryptographic generator: these values name things in a local engine and never
//! protect a secret, and a 45-crate build for DSL users leaves no room for one.

/// A random (version 4, variant RFC 4122) UUID.
pub fn uuid_v4() -> uuid::Uuid {
    let bytes = fastrand::u128(..).to_le_bytes();
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A number drawn uniformly from `0.0..=max`, `max` non-negative.
pub(crate) fn up_to(max: f64) -> f64 {
    // f64() is in [0, 1): the top of the range is reached only through rounding, as with any
    // float generator.
    fastrand::f64() * max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_4_and_differ() {
        let a = uuid_v4();
        let b = uuid_v4();
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..1000 {
            let x = up_to(2.5);
            assert!((0.0..=2.5).contains(&x));
        }
        assert_eq!(up_to(0.0), 0.0);
    }
}
