//! Intrinsic functions: `call NUL document`. Parses the call and runs it with the document
//! as `$`, a context object as `$$` and a few variables.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepfn::data::Data;
use stepfn::intrinsics;
use stepfn::query::Roots;
use stepfn::IntrinsicCall;
use stepfn_fuzz::{context, split, variables};

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let Ok(call) = IntrinsicCall::parse(text) else {
        return;
    };
    let input = Data::from(doc);
    let context = context();
    let variables = variables();
    let scope = Roots {
        context: &context,
        variables: Some(&variables),
    }
    .scope(&input);
    if let Ok(result) = intrinsics::call(&call, &scope) {
        let _ = result.to_json_string();
    }
});
