//! Number pictures (`$formatNumber`, after XPath's `format-number`), simple integer pictures,
//! and ISO 8601 timestamps for `$toMillis` / `$fromMillis`.

use crate::error::Error;
use crate::value::{Object, Value};

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

struct Properties {
    decimal: char,
    grouping: char,
    exponent: char,
    minus: char,
    percent: char,
    per_mille: char,
    zero: char,
    digit: char,
    pattern: char,
}

struct Picture {
    prefix: String,
    suffix: String,
    integer_groups: Vec<usize>,
    regular_grouping: usize,
    min_integer: usize,
    scaling: usize,
    fraction_groups: Vec<usize>,
    min_fraction: usize,
    max_fraction: usize,
    min_exponent: usize,
    has_fraction_part: bool,
    text: String,
}

/// `$formatNumber(value, picture, options)`.
pub fn format_number(value: f64, picture: &str, options: Option<&Object>) -> Result<String, Error> {
    let mut p = Properties {
        decimal: '.',
        grouping: ',',
        exponent: 'e',
        minus: '-',
        percent: '%',
        per_mille: '\u{2030}',
        zero: '0',
        digit: '#',
        pattern: ';',
    };
    if let Some(options) = options {
        for (k, v) in options {
            let Some(c) = v.as_str().and_then(|s| s.chars().next()) else {
                continue;
            };
            match k.as_str() {
                "decimal-separator" => p.decimal = c,
                "grouping-separator" => p.grouping = c,
                "exponent-separator" => p.exponent = c,
                "minus-sign" => p.minus = c,
                "percent" => p.percent = c,
                "per-mille" => p.per_mille = c,
                "zero-digit" => p.zero = c,
                "digit" => p.digit = c,
                "pattern-separator" => p.pattern = c,
                _ => {}
            }
        }
    }
    let family: Vec<char> = (0..10)
        .filter_map(|i| char::from_u32(p.zero as u32 + i))
        .collect();
    let subpictures: Vec<&str> = picture.split(p.pattern).collect();
    if subpictures.len() > 2 {
        return Err(err(
            "D3080",
            "The picture string must only contain a maximum of two sub-pictures",
        ));
    }
    let mut pictures = Vec::new();
    for sub in &subpictures {
        pictures.push(analyse(sub, &p, &family)?);
    }
    if pictures.len() == 1 {
        let first = &pictures[0];
        pictures.push(Picture {
            prefix: format!("{}{}", p.minus, first.prefix),
            suffix: first.suffix.clone(),
            integer_groups: first.integer_groups.clone(),
            regular_grouping: first.regular_grouping,
            min_integer: first.min_integer,
            scaling: first.scaling,
            fraction_groups: first.fraction_groups.clone(),
            min_fraction: first.min_fraction,
            max_fraction: first.max_fraction,
            min_exponent: first.min_exponent,
            has_fraction_part: first.has_fraction_part,
            text: first.text.clone(),
        });
    }
    let pic = if value >= 0.0 {
        &pictures[0]
    } else {
        &pictures[1]
    };
    let adjusted = if pic.text.contains(p.percent) {
        value * 100.0
    } else if pic.text.contains(p.per_mille) {
        value * 1000.0
    } else {
        value
    };
    let (mut mantissa, mut exponent) = (adjusted, None);
    if pic.min_exponent > 0 {
        let max = 10f64.powi(pic.scaling as i32);
        let min = 10f64.powi(pic.scaling as i32 - 1);
        let mut e = 0;
        if mantissa != 0.0 {
            while mantissa.abs() < min {
                mantissa *= 10.0;
                e -= 1;
            }
            while mantissa.abs() > max {
                mantissa /= 10.0;
                e += 1;
            }
        }
        exponent = Some(e);
    }
    let rounded = round_half_even(mantissa, pic.max_fraction as i32);
    let digits_text = |v: f64, dp: usize| -> String {
        format!("{:.*}", dp, v.abs())
            .chars()
            // A zero digit near the surrogates or the end of Unicode has fewer than ten
            // successors that are characters: the others are written as ASCII digits.
            .map(|c| match c.to_digit(10) {
                Some(d) => family.get(d as usize).copied().unwrap_or(c),
                None => c,
            })
            .collect()
    };
    let mut s: Vec<char> = digits_text(rounded, pic.max_fraction).chars().collect();
    match s.iter().position(|c| *c == '.') {
        Some(i) => s[i] = p.decimal,
        None => s.push(p.decimal),
    }
    while s.first() == Some(&p.zero) {
        s.remove(0);
    }
    while s.last() == Some(&p.zero) {
        s.pop();
    }
    let decimal_pos = s.iter().position(|c| *c == p.decimal).unwrap_or(s.len());
    let pad_left = pic.min_integer as isize - decimal_pos as isize;
    let pad_right = pic.min_fraction as isize - (s.len() as isize - decimal_pos as isize - 1);
    if pad_left > 0 {
        let mut padded = vec![p.zero; pad_left as usize];
        padded.extend(s);
        s = padded;
    }
    if pad_right > 0 {
        s.extend(std::iter::repeat_n(p.zero, pad_right as usize));
    }
    let mut decimal_pos = s.iter().position(|c| *c == p.decimal).unwrap_or(s.len());
    if let Some(groups) = decimal_pos
        .saturating_sub(1)
        .checked_div(pic.regular_grouping)
    {
        for g in 1..=groups {
            s.insert(decimal_pos - g * pic.regular_grouping, p.grouping);
        }
    } else {
        for pos in &pic.integer_groups {
            if *pos <= decimal_pos {
                s.insert(decimal_pos - pos, p.grouping);
                decimal_pos += 1;
            }
        }
    }
    let decimal_pos = s.iter().position(|c| *c == p.decimal).unwrap_or(s.len());
    for pos in &pic.fraction_groups {
        let at = pos + decimal_pos + 1;
        if at <= s.len() {
            s.insert(at, p.grouping);
        }
    }
    let decimal_pos = s.iter().position(|c| *c == p.decimal);
    if !pic.has_fraction_part || decimal_pos == Some(s.len() - 1) {
        s.pop();
    }
    let mut out: String = s.into_iter().collect();
    if let Some(e) = exponent {
        let mut e_text = digits_text(e as f64, 0);
        let e_len = e_text.chars().count();
        if pic.min_exponent > e_len {
            e_text = format!(
                "{}{e_text}",
                p.zero.to_string().repeat(pic.min_exponent - e_len)
            );
        }
        out.push(p.exponent);
        if e < 0 {
            out.push(p.minus);
        }
        out.push_str(&e_text);
    }
    Ok(format!("{}{out}{}", pic.prefix, pic.suffix))
}

fn analyse(sub: &str, p: &Properties, family: &[char]) -> Result<Picture, Error> {
    let chars: Vec<char> = sub.chars().collect();
    // The exponent separator is active inside the picture but cannot start or end the active
    // part, so a prefix or suffix may hold it.
    let is_active = |c: char| {
        family.contains(&c) || c == p.digit || c == p.decimal || c == p.grouping || c == p.pattern
    };
    // A picture without any active character is all active part, as in the reference
    // implementation, so it is reported as such (D3085, D3086) rather than taken as a prefix.
    let (prefix_end, suffix_start) = match (
        chars.iter().position(|c| is_active(*c)),
        chars.iter().rposition(|c| is_active(*c)),
    ) {
        (Some(first), Some(last)) => (first, last + 1),
        _ => (0, chars.len()),
    };
    let prefix: String = chars[..prefix_end].iter().collect();
    let suffix: String = chars[suffix_start..].iter().collect();
    let active = &chars[prefix_end..suffix_start];
    let exponent_at = chars
        .iter()
        .enumerate()
        .skip(prefix_end)
        .find(|(_, c)| **c == p.exponent)
        .map(|(i, _)| i)
        .filter(|i| *i <= suffix_start);
    let (mantissa, exponent): (&[char], Option<&[char]>) = match exponent_at {
        Some(i) => (
            &chars[prefix_end..i],
            Some(&chars[(i + 1).min(suffix_start)..suffix_start]),
        ),
        None => (active, None),
    };
    let decimal_at = mantissa.iter().position(|c| *c == p.decimal);
    let (integer, fraction, has_fraction_part): (&[char], &[char], bool) = match decimal_at {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..], true),
        None => (mantissa, &[], false),
    };
    validate(
        &chars, active, mantissa, integer, fraction, exponent, p, family,
    )?;
    let is_digit = |c: &char| family.contains(c) || *c == p.digit;
    let mut integer_groups = Vec::new();
    for (i, c) in integer.iter().enumerate() {
        if *c == p.grouping {
            integer_groups.push(integer[i..].iter().filter(|c| is_digit(c)).count());
        }
    }
    let regular_grouping = regular(&integer_groups);
    let mut fraction_groups = Vec::new();
    for (i, c) in fraction.iter().enumerate() {
        if *c == p.grouping {
            fraction_groups.push(fraction[..i].iter().filter(|c| is_digit(c)).count());
        }
    }
    let mut min_integer = integer.iter().filter(|c| family.contains(c)).count();
    let scaling = min_integer;
    let mut min_fraction = fraction.iter().filter(|c| family.contains(c)).count();
    let mut max_fraction = fraction.iter().filter(|c| is_digit(c)).count();
    let exponent_present = exponent.is_some();
    if min_integer == 0 && max_fraction == 0 {
        if exponent_present {
            min_fraction = 1;
            max_fraction = 1;
        } else {
            min_integer = 1;
        }
    }
    if exponent_present && min_integer == 0 && integer.contains(&p.digit) {
        min_integer = 1;
    }
    if min_integer == 0 && min_fraction == 0 {
        min_fraction = 1;
    }
    let min_exponent = exponent
        .as_ref()
        .map(|e| e.iter().filter(|c| family.contains(c)).count())
        .unwrap_or(0);
    Ok(Picture {
        prefix,
        suffix,
        integer_groups,
        regular_grouping,
        min_integer,
        scaling,
        fraction_groups,
        min_fraction,
        max_fraction,
        min_exponent,
        has_fraction_part,
        text: sub.to_string(),
    })
}

/// The picture-string rules of XPath F&O 4.7.3, checked in the reference implementation's
/// order: when several are broken, the last one checked is the one reported.
#[allow(clippy::too_many_arguments)]
fn validate(
    picture: &[char],
    active: &[char],
    mantissa: &[char],
    integer: &[char],
    fraction: &[char],
    exponent: Option<&[char]>,
    p: &Properties,
    family: &[char],
) -> Result<(), Error> {
    let count = |c: char| picture.iter().filter(|x| **x == c).count();
    let is_family = |c: &char| family.contains(c);
    let mut error = None;
    if count(p.decimal) > 1 {
        error = Some(("D3081",
            "The sub-picture must not contain more than one instance of the 'decimal-separator' character",
        ));
    }
    if count(p.percent) > 1 {
        error = Some((
            "D3082",
            "The sub-picture must not contain more than one instance of the 'percent' character",
        ));
    }
    if count(p.per_mille) > 1 {
        error = Some((
            "D3083",
            "The sub-picture must not contain more than one instance of the 'per-mille' character",
        ));
    }
    let percent_or_per_mille = count(p.percent) > 0 || count(p.per_mille) > 0;
    if count(p.percent) > 0 && count(p.per_mille) > 0 {
        error = Some((
            "D3084",
            "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
        ));
    }
    if !mantissa.iter().any(|c| is_family(c) || *c == p.digit) {
        error = Some(("D3085",
            "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'",
        ));
    }
    let is_active = |c: &char| {
        is_family(c) || [p.decimal, p.exponent, p.grouping, p.digit, p.pattern].contains(c)
    };
    if !active.iter().all(is_active) {
        error = Some(("D3086",
            "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character",
        ));
    }
    match picture.iter().position(|c| *c == p.decimal) {
        Some(at) => {
            let before = at.checked_sub(1).and_then(|i| picture.get(i));
            if before == Some(&p.grouping) || picture.get(at + 1) == Some(&p.grouping) {
                error = Some(("D3087",
            "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character",
        ));
            }
        }
        None => {
            if integer.last() == Some(&p.grouping) {
                error = Some(("D3088",
            "The sub-picture must not contain a 'grouping-separator' at the end of the integer part",
        ));
            }
        }
    }
    if picture
        .windows(2)
        .any(|w| w[0] == p.grouping && w[1] == p.grouping)
    {
        error = Some(("D3089",
            "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character",
        ));
    }
    if integer
        .iter()
        .skip_while(|c| !is_family(c))
        .any(|c| *c == p.digit)
    {
        error = Some(("D3090",
            "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'",
        ));
    }
    if fraction
        .iter()
        .skip_while(|c| **c != p.digit)
        .any(is_family)
    {
        error = Some(("D3091",
            "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'",
        ));
    }
    if let Some(exponent) = exponent {
        if !exponent.is_empty() && percent_or_per_mille {
            error = Some(("D3092",
            "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'",
        ));
        }
        if exponent.is_empty() || !exponent.iter().all(is_family) {
            error = Some(("D3093",
            "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'",
        ));
        }
    }
    match error {
        Some((code, message)) => Err(err(code, message)),
        None => Ok(()),
    }
}

fn regular(positions: &[usize]) -> usize {
    if positions.is_empty() {
        return 0;
    }
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let factor = positions.iter().copied().reduce(gcd).unwrap_or(0);
    if factor == 0 {
        return 0;
    }
    for i in 1..=positions.len() {
        if !positions.contains(&(i * factor)) {
            return 0;
        }
    }
    factor
}

/// Rounds half to even at `places` decimals, shifting through decimal text as the reference
/// implementation does.
pub fn round_half_even(n: f64, places: i32) -> f64 {
    let shift = |x: f64, by: i32| -> f64 {
        let text = crate::value::js_number(x);
        let (m, e) = match text.split_once('e') {
            Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        format!("{m}e{}", e + by).parse().unwrap_or(x)
    };
    let x = if places != 0 { shift(n, places) } else { n };
    let mut r = (x + 0.5).floor();
    if (r - x).abs() == 0.5 && (r % 2.0).abs() == 1.0 {
        r -= 1.0;
    }
    if places != 0 {
        r = shift(r, -places);
    }
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// An ISO 8601 date or timestamp as milliseconds since the epoch.
pub fn iso_to_millis(s: &str) -> Result<Option<f64>, Error> {
    let bad = || err("D3110", format!("The timestamp '{s}' is not ISO 8601"));
    // The shapes the reference implementation accepts without a picture; its `\d` is ASCII
    // only, where the regex crate's is any Unicode digit.
    static ISO_8601: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
    let shape = ISO_8601.get_or_init(|| {
        regex_lite::Regex::new(r"^[0-9]{4}(-[01][0-9])*(-[0-3][0-9])*(T[0-2][0-9]:[0-5][0-9]:[0-5][0-9])*(\.[0-9]+)?([+-][0-2][0-9]:?[0-5][0-9]|Z)?$")
            .expect("a valid pattern")
    });
    if !shape.is_match(s) {
        return Err(bad());
    }
    let num = |t: &str| t.parse::<i64>().map_err(|_| bad());
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let (y, m, d) = match parts.as_slice() {
        [y] => (num(y)?, 1, 1),
        [y, m] => (num(y)?, num(m)?, 1),
        [y, m, d] => (num(y)?, num(m)?, num(d)?),
        _ => return Err(bad()),
    };
    let mut ms = crate::datetime::days_from_civil(y, m, d) * 86_400_000;
    if let Some(t) = time {
        let (clock, offset_ms) = if let Some(c) = t.strip_suffix('Z') {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let (c, off) = t.split_at(i);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 {
                return Err(bad());
            }
            (
                c,
                sign * (num(&digits[..2])? * 3_600_000 + num(&digits[2..])? * 60_000),
            )
        } else {
            (t, 0)
        };
        let hms: Vec<&str> = clock.split(':').collect();
        let h = num(hms.first().ok_or_else(bad)?)?;
        let mi = hms.get(1).map(|x| num(x)).transpose()?.unwrap_or(0);
        let (sec, frac) = match hms.get(2) {
            Some(x) => match x.split_once('.') {
                Some((s, f)) => (
                    num(s)?,
                    format!("{f:0<3}")[..3].parse::<i64>().map_err(|_| bad())?,
                ),
                None => (num(x)?, 0),
            },
            None => (0, 0),
        };
        ms += h * 3_600_000 + mi * 60_000 + sec * 1000 + frac - offset_ms;
    }
    let _ = Value::Undefined;
    Ok(Some(ms as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_errors_are_the_last_rule_broken() {
        for (picture, code) in [
            ("0+.e0", "D3086"),
            ("0,.e0", "D3087"),
            ("0,", "D3088"),
            ("#0.0e0%", "D3092"),
            ("#0.0e0,0", "D3093"),
            ("%%", "D3086"),
            ("---", "D3086"),
            ("0;0;0", "D3080"),
        ] {
            let e = format_number(20.0, picture, None).unwrap_err();
            assert_eq!(e.code, code, "{picture}");
        }
        assert_eq!(format_number(1234.5, "#,##0.00", None).unwrap(), "1,234.50");
    }

    #[test]
    fn a_zero_digit_near_the_surrogates_does_not_panic() {
        // U+D7FA has six successors before the surrogates: digits past them stay ASCII.
        let mut options = Object::new();
        options.insert("zero-digit".into(), Value::string("\u{D7FA}"));
        assert_eq!(format_number(7.0, "\u{D7FA}", Some(&options)).unwrap(), "7");
    }

    #[test]
    fn iso_timestamps_take_ascii_digits_only() {
        // A Unicode digit in the fraction was cut through its bytes.
        let e = iso_to_millis("2018-01-01T00:00:00.\u{663}\u{663}").unwrap_err();
        assert_eq!(e.code, "D3110");
        assert_eq!(
            iso_to_millis("2018-01-01T00:00:00.5Z").unwrap(),
            Some(1_514_764_800_500.0)
        );
    }
}
