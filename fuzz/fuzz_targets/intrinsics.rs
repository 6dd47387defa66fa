//! Intrinsic functions: `call NUL document`. Parses the call and runs it with the document
//! as `$`, a context object as `$$` and a few variables.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepfn::data::Data;
use stepfn::internals::intrinsics;
use stepfn::model::IntrinsicCall;
use stepfn_fuzz::{in_scope, split};

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let Ok(call) = IntrinsicCall::parse(text) else {
        return;
    };
    let input = Data::from(doc);
    in_scope(&input, |scope| {
        if let Ok(result) = intrinsics::call(&call, scope) {
            let _ = result.to_json_string();
        }
    });
});
