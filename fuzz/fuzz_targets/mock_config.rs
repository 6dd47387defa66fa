//! MockConfigFiles: parse, pick every test case named in the file, and ask each mocked
//! state for a few answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use stepfn::tasks::MockConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = MockConfig::from_json(text) else {
        return;
    };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Some(machines) = value.get("StateMachines").and_then(Value::as_object) else {
        return;
    };
    for (machine, body) in machines {
        let Some(cases) = body.get("TestCases").and_then(Value::as_object) else {
            continue;
        };
        for (case, states) in cases {
            let _ = config.test_case(None, case);
            let Ok(test_case) = config.test_case(Some(machine), case) else {
                panic!("test case {case:?} of {machine:?} is in the file but not found");
            };
            for state in states.as_object().into_iter().flat_map(|s| s.keys()) {
                assert!(test_case.mocks_state(state));
                for _ in 0..4 {
                    let _ = test_case.next_answer(state);
                }
            }
            let _ = test_case.next_answer("not a mocked state");
        }
    }
});
