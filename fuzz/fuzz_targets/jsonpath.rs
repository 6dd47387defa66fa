//! JSONPath: `path NUL document`. Parses the path (as a path and as a reference path) and
//! evaluates it from each root (`$`, `$$`, `$name`) against the document; a reference path is
//! also written into the document, as `ResultPath` writes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepfn::data::Data;
use stepfn::internals::jsonpath;
use stepfn::model::Path;
use stepfn_fuzz::{in_scope, split};

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let input = Data::from(doc);
    if let Ok(path) = Path::parse(text) {
        in_scope(&input, |scope| {
            let _ = scope.select(&path);
            let _ = scope.select_io_path(&path);
        });
        let _ = jsonpath::select(&path, &input);
    }
    if let Ok(path) = Path::parse_reference(text) {
        let mut target = input.clone();
        let _ = jsonpath::put(&mut target, path.segments(), Data::from("written"));
    }
});
