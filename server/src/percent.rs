//! Percent-encoding as AWS's query protocol, S3's paths and the console's URLs want it:
//! RFC 3986's unreserved characters kept, every other byte written `%XX`.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What is left as it is: letters, digits, `-`, `.`, `_` and `~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` percent-encoded, its unreserved characters kept.
pub(crate) fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}
