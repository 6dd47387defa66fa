//! The Pass state: its input, shaped, as its output.

use std::borrow::Cow;

use stepfn_codegen::Pass;

use crate::data::Data;
use crate::error::StatesError;
use crate::exec::io;
use crate::exec::visit::{follow, jsonata_output, Step, Visit};

pub(crate) fn pass<'s>(visit: &Visit<'_>, s: &'s Pass, raw: Data) -> Result<Step<'s>, StatesError> {
    let context = visit.fields_context();
    if visit.is_jsonata() {
        let output = jsonata_output(visit, s.assign.as_ref(), s.output.as_ref(), raw, &context)?;
        return Ok(follow(&s.transition, output));
    }
    let roots = visit.roots(&context);
    let result_path = s.result_path.as_ref();
    let mut raw = Cow::Owned(raw);
    let input = io::pipeline_input(&mut raw, result_path);
    let effective = io::input_path(input, s.input_path.as_ref(), roots)?;
    let effective = io::parameters(effective, s.parameters.as_ref(), roots)?;
    let result = match (&visit.facts.pass_result, &s.result) {
        (Some(converted), _) => converted.clone(),
        (None, Some(result)) => Data::from(result),
        (None, None) => effective.into_owned(),
    };
    visit.assign(s.assign.as_ref(), &visit.fields(&result, &context))?;
    let output = io::result_path(raw, result, result_path)?;
    let output = io::output_path(output, s.output_path.as_ref(), roots)?;
    // Without Result, Parameters or a merge, the output is a part of the input, which was
    // already within the limit.
    if s.result.is_some() || s.parameters.is_some() || io::keeps_raw(result_path) {
        io::check_size(&output, visit.name)?;
    }
    Ok(follow(&s.transition, output))
}
