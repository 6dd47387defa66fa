//! ASL definitions as YAML text, read as `stepfn validate` reads a `.yaml` file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepfn::{check_value, CheckOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = serde_norway::from_str::<serde_json::Value>(text) {
        let _ = check_value(&value, &CheckOptions::default());
    }
});
