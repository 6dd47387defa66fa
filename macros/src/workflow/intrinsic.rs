//! Intrinsic functions a template field may call (`format("Order {}", .id)`, `uuid()`,
//! `array_partition(.items, 10)`...): how the DSL names each one, the `States.*` function it
//! emits, and how many arguments it takes.

use syn::Ident;

/// One intrinsic function.
#[derive(Debug)]
pub struct Intrinsic {
    /// Its name in the DSL, which is also its checking function in
    /// `stepfn::__private::intrinsic`.
    pub dsl: &'static str,
    /// `States.Format`...
    pub asl: &'static str,
    /// The fewest and the most arguments (`None`: any number more).
    pub arity: (usize, Option<usize>),
}

/// Every intrinsic function of Step Functions, by its DSL name.
pub const INTRINSICS: &[Intrinsic] = &[
    intrinsic("format", "States.Format", 1, None),
    intrinsic("string_to_json", "States.StringToJson", 1, Some(1)),
    intrinsic("json_to_string", "States.JsonToString", 1, Some(1)),
    intrinsic("array", "States.Array", 0, None),
    intrinsic("array_partition", "States.ArrayPartition", 2, Some(2)),
    intrinsic("array_contains", "States.ArrayContains", 2, Some(2)),
    intrinsic("array_range", "States.ArrayRange", 3, Some(3)),
    intrinsic("array_get_item", "States.ArrayGetItem", 2, Some(2)),
    intrinsic("array_length", "States.ArrayLength", 1, Some(1)),
    intrinsic("array_unique", "States.ArrayUnique", 1, Some(1)),
    intrinsic("base64_encode", "States.Base64Encode", 1, Some(1)),
    intrinsic("base64_decode", "States.Base64Decode", 1, Some(1)),
    intrinsic("hash", "States.Hash", 2, Some(2)),
    // The DSL's json_merge is the shallow merge, the only one AWS accepts: `false` is added.
    intrinsic("json_merge", "States.JsonMerge", 2, Some(2)),
    intrinsic("math_random", "States.MathRandom", 2, Some(2)),
    intrinsic("math_add", "States.MathAdd", 2, Some(2)),
    intrinsic("string_split", "States.StringSplit", 2, Some(2)),
    intrinsic("uuid", "States.UUID", 0, Some(0)),
];

const fn intrinsic(
    dsl: &'static str,
    asl: &'static str,
    min: usize,
    max: Option<usize>,
) -> Intrinsic {
    Intrinsic {
        dsl,
        asl,
        arity: (min, max),
    }
}

/// The intrinsic `name` names, or an error at it that suggests the nearest.
pub fn resolve(name: &Ident) -> syn::Result<&'static Intrinsic> {
    let written = name.to_string();
    if let Some(found) = INTRINSICS.iter().find(|f| f.dsl == written) {
        return Ok(found);
    }
    let nearest = stepfn_codegen::similar::nearest(&written, INTRINSICS.iter().map(|f| f.dsl));
    let all: Vec<&str> = INTRINSICS.iter().map(|f| f.dsl).collect();
    let message = match nearest {
        Some(n) => format!(
            "unknown intrinsic function `{written}`: did you mean `{n}`? (the functions are {})",
            all.join(", ")
        ),
        None => format!(
            "unknown intrinsic function `{written}`: the functions are {}",
            all.join(", ")
        ),
    };
    Err(syn::Error::new(name.span(), message))
}
