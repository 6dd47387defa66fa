//! ASL definitions as JSON text: parse and validate (Standard and Express), and emit what
//! is accepted, which must be accepted again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepfn::{check, check_value, emit, CheckOptions, MachineType};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for machine_type in [MachineType::Standard, MachineType::Express] {
        let options = CheckOptions::new().with_machine_type(machine_type);
        if let Ok(machine) = check(text, &options) {
            let emitted = emit::to_value(&machine);
            if let Err(problems) = check_value(&emitted, &options) {
                panic!("an accepted definition, emitted, is refused: {problems:?}\n{emitted}");
            }
        }
    }
    let _ = stepfn::parse::from_str(text);
});
