//! The Succeed state: ends its branch with its input as the output.

use std::borrow::Cow;

use stepfn_codegen::Succeed;

use crate::data::Data;
use crate::error::StatesError;
use crate::exec::io;
use crate::exec::visit::{jsonata_output, Step, Visit};

pub(crate) fn succeed<'s>(
    visit: &Visit<'_>,
    s: &Succeed,
    raw: Data,
) -> Result<Step<'s>, StatesError> {
    let context = visit.fields_context();
    if visit.is_jsonata() {
        return Ok(Step::End(jsonata_output(
            visit,
            None,
            s.output.as_ref(),
            raw,
            &context,
        )?));
    }
    let roots = visit.roots(&context);
    let effective = io::input_path(Cow::Owned(raw), s.input_path.as_ref(), roots)?;
    let output = io::output_path(effective.into_owned(), s.output_path.as_ref(), roots)?;
    Ok(Step::End(output))
}
