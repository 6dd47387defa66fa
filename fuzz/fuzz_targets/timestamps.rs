//! RFC 3339 timestamps as `Wait`'s `Timestamp` and the `TimestampEquals` family read them.
//! What parses as an instant a millisecond-precision formatter can write is written and
//! read back to the same millisecond.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepfn::model::{format_rfc3339_millis, is_rfc3339_timestamp, parse_rfc3339};

fuzz_target!(|data: &[u8]| {
    if data.len() == 8 {
        let millis = i64::from_le_bytes(data.try_into().unwrap());
        let _ = format_rfc3339_millis(millis);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_rfc3339(text);
    assert_eq!(parsed.is_some(), is_rfc3339_timestamp(text));
    if let Some(nanos) = parsed {
        let millis = nanos.div_euclid(1_000_000);
        // Years 0000 to 9999 only: the formatter writes four digits.
        if (-62_135_596_800_000..=253_402_300_799_999).contains(&millis) {
            let written = format_rfc3339_millis(millis as i64);
            let again = parse_rfc3339(&written)
                .unwrap_or_else(|| panic!("{text:?} written as {written:?} does not parse"));
            assert_eq!(
                again.div_euclid(1_000_000),
                millis,
                "{text:?} -> {written:?}"
            );
        }
    }
});
