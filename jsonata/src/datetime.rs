//! XPath picture strings for integers and timestamps, as the reference implementation reads
//! them: `$formatInteger`, `$parseInteger`, and `$fromMillis` / `$toMillis` / `$now` with a
//! picture (`[Y0001]-[M01]-[D01]`, `[FNn], [D1o] [MNn]`, `[h]:[m01][P]`...).

use regex_lite::Regex;

use crate::error::Error;

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

// ---------------------------------------------------------------------------------------------
// Integer pictures
// ---------------------------------------------------------------------------------------------

/// How an integer is written.
#[derive(Clone, Debug, PartialEq)]
enum Style {
    /// Digits of one decimal family, with grouping separators.
    Decimal,
    /// `a`..`z`, `aa`.. (spreadsheet columns).
    Letters,
    /// Roman numerals.
    Roman,
    /// English words.
    Words,
    /// A numbering sequence this engine does not know.
    Sequence(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Case {
    Upper,
    Lower,
    Title,
}

/// Grouping separators of a decimal picture, counted in digits from the right.
#[derive(Clone, Debug)]
enum Grouping {
    /// The same separator every `every` digits.
    Regular { every: usize, separator: char },
    /// Separators at fixed positions only.
    Fixed(Vec<(usize, char)>),
}

/// An analysed integer picture.
#[derive(Clone, Debug)]
struct IntegerPicture {
    style: Style,
    case: Case,
    ordinal: bool,
    /// The code point of the zero digit of the decimal family.
    zero: u32,
    mandatory: usize,
    optional: usize,
    grouping: Grouping,
    /// Year, month and day markers: the digits to match when parsing (`None`: any number).
    width: Option<usize>,
}

/// The zero digits of the Unicode decimal digit families a picture may use.
const DIGIT_ZEROS: [u32; 37] = [
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

fn digit_family(c: char) -> Option<u32> {
    let code = c as u32;
    DIGIT_ZEROS
        .iter()
        .copied()
        .find(|zero| (*zero..=zero + 9).contains(&code))
}

impl IntegerPicture {
    fn analyse(picture: &str) -> Result<IntegerPicture, Error> {
        let (primary, ordinal) = match picture.rfind(';') {
            Some(i) => (&picture[..i], picture[i + 1..].starts_with('o')),
            None => (picture, false),
        };
        let mut p = IntegerPicture {
            style: Style::Decimal,
            case: Case::Lower,
            ordinal,
            zero: 0x30,
            mandatory: 0,
            optional: 0,
            grouping: Grouping::Fixed(Vec::new()),
            width: None,
        };
        match primary {
            "A" | "a" => {
                p.style = Style::Letters;
                p.case = if primary == "A" {
                    Case::Upper
                } else {
                    Case::Lower
                };
            }
            "I" | "i" => {
                p.style = Style::Roman;
                p.case = if primary == "I" {
                    Case::Upper
                } else {
                    Case::Lower
                };
            }
            "W" => (p.style, p.case) = (Style::Words, Case::Upper),
            "Ww" => (p.style, p.case) = (Style::Words, Case::Title),
            "w" => p.style = Style::Words,
            _ => p.analyse_digits(primary)?,
        }
        Ok(p)
    }

    fn analyse_digits(&mut self, primary: &str) -> Result<(), Error> {
        let mut zero = None;
        let mut position = 0;
        let mut separators = Vec::new();
        for c in primary.chars().rev() {
            if let Some(family) = digit_family(c) {
                self.mandatory += 1;
                position += 1;
                match zero {
                    None => zero = Some(family),
                    Some(z) if z != family => {
                        return Err(err(
                            "D3131",
                            "A decimal digit pattern mixes digits of different families",
                        ))
                    }
                    Some(_) => {}
                }
            } else if c == '#' {
                position += 1;
                self.optional += 1;
            } else {
                separators.push((position, c));
            }
        }
        if self.mandatory == 0 {
            self.style = Style::Sequence(primary.to_string());
            return Ok(());
        }
        self.zero = zero.unwrap_or(0x30);
        self.grouping = match regular_interval(&separators) {
            Some(every) => Grouping::Regular {
                every,
                separator: separators[0].1,
            },
            None => Grouping::Fixed(separators),
        };
        Ok(())
    }

    fn format(&self, value: i64) -> Result<String, Error> {
        self.format_number(value as f64)
    }

    /// Formats a whole number given as a JSON number (words reach past `i64`).
    fn format_number(&self, value: f64) -> Result<String, Error> {
        let magnitude = value.abs() as u64;
        let mut text = match &self.style {
            Style::Letters => letters(magnitude, self.case == Case::Upper),
            Style::Roman => {
                // Past the hundreds, roman numerals are one `m` per thousand: a huge number
                // would be a string too long to hold.
                if magnitude > MAX_ROMAN {
                    return Err(err(
                        "D3130",
                        format!("Writing {magnitude} in roman numerals is more than this implementation supports (at most {MAX_ROMAN})"),
                    ));
                }
                let r = roman(magnitude);
                if self.case == Case::Upper {
                    r.to_uppercase()
                } else {
                    r
                }
            }
            Style::Words => {
                let w = words(value.abs(), self.ordinal);
                match self.case {
                    Case::Upper => w.to_uppercase(),
                    Case::Lower => w.to_lowercase(),
                    Case::Title => w,
                }
            }
            Style::Decimal => self.decimal(magnitude),
            Style::Sequence(token) => {
                return Err(err(
                    "D3130",
                    format!(
                    "The picture '{token}' is a numbering sequence this engine does not support"
                ),
                ))
            }
        };
        if value < 0.0 {
            text.insert(0, '-');
        }
        Ok(text)
    }

    fn decimal(&self, magnitude: u64) -> String {
        let plain = format!("{magnitude:0>width$}", width = self.mandatory);
        let mut digits: Vec<char> = plain
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x30 + self.zero).unwrap_or(c))
            .collect();
        match &self.grouping {
            Grouping::Regular { every, separator } => {
                let groups = (digits.len() - 1) / every;
                for i in (1..=groups).rev() {
                    let at = digits.len() - i * every;
                    digits.insert(at, *separator);
                }
            }
            Grouping::Fixed(separators) => {
                for (position, separator) in separators.iter().rev() {
                    let at = digits.len().saturating_sub(*position);
                    digits.insert(at, *separator);
                }
            }
        }
        let mut text: String = digits.into_iter().collect();
        if self.ordinal {
            let tail: Vec<char> = text.chars().rev().take(2).collect();
            let suffix = match (tail.first(), tail.get(1)) {
                (_, Some('1')) => "th",
                (Some('1'), _) => "st",
                (Some('2'), _) => "nd",
                (Some('3'), _) => "rd",
                _ => "th",
            };
            text.push_str(suffix);
        }
        text
    }

    /// The regular expression matching a number written with this picture.
    fn pattern(&self) -> Result<String, Error> {
        Ok(match &self.style {
            Style::Letters if self.case == Case::Upper => "[A-Z]+".into(),
            Style::Letters => "[a-z]+".into(),
            Style::Roman if self.case == Case::Upper => "[MDCLXVI]+".into(),
            Style::Roman => "[mdclxvi]+".into(),
            Style::Words => {
                let mut alternatives: Vec<String> =
                    word_values().into_iter().map(|(w, _)| w).collect();
                // Longest first, so a word is never cut at a shorter one.
                alternatives.sort_by_key(|w| std::cmp::Reverse(w.len()));
                alternatives.push("and".into());
                alternatives.push("[\\-, ]".into());
                format!("(?:{})+", alternatives.join("|"))
            }
            Style::Decimal => {
                let count = match self.width {
                    Some(n) if n > 0 && self.optional == 0 => format!("{{{n}}}"),
                    Some(n) if n > 0 => format!("{{{},{n}}}", n.saturating_sub(self.optional)),
                    _ => "+".into(),
                };
                let digit = if self.zero == 0x30 {
                    "[0-9]".to_string()
                } else {
                    format!(
                        "[{}-{}]",
                        char::from_u32(self.zero).unwrap_or('0'),
                        char::from_u32(self.zero + 9).unwrap_or('9')
                    )
                };
                let separators: String = match &self.grouping {
                    Grouping::Regular { separator, .. } => {
                        regex_lite::escape(&separator.to_string())
                    }
                    Grouping::Fixed(s) => s
                        .iter()
                        .map(|(_, c)| regex_lite::escape(&c.to_string()))
                        .collect(),
                };
                let mut p = if separators.is_empty() {
                    format!("{digit}{count}")
                } else {
                    format!("(?:{digit}|[{separators}]){count}")
                };
                if self.ordinal {
                    p.push_str("(?:th|st|nd|rd)");
                }
                p
            }
            Style::Sequence(token) => {
                return Err(err(
                    "D3130",
                    format!(
                    "The picture '{token}' is a numbering sequence this engine does not support"
                ),
                ))
            }
        })
    }

    /// Reads a number written with this picture.
    fn parse(&self, text: &str) -> Result<Option<f64>, Error> {
        Ok(match &self.style {
            Style::Letters => Some(from_letters(text, self.case == Case::Upper)),
            Style::Roman => Some(from_roman(&text.to_uppercase())),
            Style::Words => from_words(&text.to_lowercase()),
            Style::Decimal => {
                let mut digits = text;
                if self.ordinal {
                    // The suffix is two characters, which need not be two bytes of the text.
                    if let Some((end, _)) = digits.char_indices().rev().nth(1) {
                        digits = &digits[..end];
                    }
                }
                let cleaned: String = digits
                    .chars()
                    .filter_map(|c| {
                        let code = c as u32;
                        if (self.zero..=self.zero + 9).contains(&code) {
                            char::from_u32(code - self.zero + 0x30)
                        } else if c.is_ascii_digit() {
                            Some(c)
                        } else {
                            None
                        }
                    })
                    .collect();
                cleaned.parse::<f64>().ok()
            }
            Style::Sequence(token) => {
                return Err(err(
                    "D3130",
                    format!(
                    "The picture '{token}' is a numbering sequence this engine does not support"
                ),
                ))
            }
        })
    }
}

/// The interval of regularly spaced, identical separators, if they are.
fn regular_interval(separators: &[(usize, char)]) -> Option<usize> {
    let (_, first) = *separators.first()?;
    if separators.iter().any(|(_, c)| *c != first) {
        return None;
    }
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let factor = separators.iter().map(|(p, _)| *p).fold(0, gcd);
    // A separator after the last digit (`###0[`) gives no interval: it is written at its
    // fixed place, as the reference implementation does.
    if factor == 0 {
        return None;
    }
    let positions: Vec<usize> = separators.iter().map(|(p, _)| *p).collect();
    (1..=positions.len())
        .all(|i| positions.contains(&(i * factor)))
        .then_some(factor)
}

fn letters(mut n: u64, upper: bool) -> String {
    let a = if upper { b'A' } else { b'a' };
    let mut out = Vec::new();
    while n > 0 {
        out.push((((n - 1) % 26) as u8 + a) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

fn from_letters(text: &str, upper: bool) -> f64 {
    let a = if upper { 'A' } else { 'a' } as i64;
    text.chars()
        .rev()
        .enumerate()
        .map(|(i, c)| (c as i64 - a + 1) as f64 * 26f64.powi(i as i32))
        .sum()
}

/// The largest number written in roman numerals (a million `m`s).
const MAX_ROMAN: u64 = 1_000_000_000;

const ROMAN: [(u64, &str); 13] = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
];

fn roman(mut n: u64) -> String {
    let mut out = String::new();
    for (value, numeral) in ROMAN {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

fn from_roman(text: &str) -> f64 {
    let value = |c: char| match c {
        'M' => 1000,
        'D' => 500,
        'C' => 100,
        'L' => 50,
        'X' => 10,
        'V' => 5,
        'I' => 1,
        _ => 0,
    };
    let mut total = 0i64;
    let mut max = 1;
    for c in text.chars().rev() {
        let v = value(c);
        if v < max {
            total -= v;
        } else {
            max = v;
            total += v;
        }
    }
    total as f64
}

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];
const TENS: [&str; 8] = [
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
];
const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];

/// English words for `n`, in title case (`One Hundred and Twenty-Third`). Numbers past the
/// trillions repeat the largest word (`Ten Billion Trillion Trillion Trillion`).
fn words(n: f64, ordinal: bool) -> String {
    fn say(n: f64, after: bool, ordinal: bool) -> String {
        if n >= 1000.0 {
            // Compared with powers of ten rather than through `log10`, whose rounding could
            // put 1000 below magnitude 1.
            let magnitude = (1..=MAGNITUDES.len())
                .rev()
                .find(|m| n >= 10f64.powi(3 * *m as i32))
                .unwrap_or(1);
            let factor = 10f64.powi(3 * magnitude as i32);
            let lead = (n / factor).floor();
            let rest = n - lead * factor;
            let mut w = format!(
                "{}{} {}",
                if after { ", " } else { "" },
                say(lead, false, false),
                MAGNITUDES[magnitude - 1]
            );
            if rest > 0.0 {
                w.push_str(&say(rest, true, ordinal));
            } else if ordinal {
                w.push_str("th");
            }
            return w;
        }
        let n = n as u64;
        if n <= 19 {
            let w = if ordinal {
                ORDINALS[n as usize]
            } else {
                FEW[n as usize]
            };
            format!("{}{w}", if after { " and " } else { "" })
        } else if n < 100 {
            let mut w = format!(
                "{}{}",
                if after { " and " } else { "" },
                TENS[n as usize / 10 - 2]
            );
            if n % 10 > 0 {
                w.push('-');
                w.push_str(&say((n % 10) as f64, false, ordinal));
            } else if ordinal {
                w.pop();
                w.push_str("ieth");
            }
            w
        } else {
            let mut w = format!(
                "{}{} Hundred",
                if after { ", " } else { "" },
                FEW[n as usize / 100]
            );
            if n % 100 > 0 {
                w.push_str(&say((n % 100) as f64, true, ordinal));
            } else if ordinal {
                w.push_str("th");
            }
            w
        }
    }
    say(n, false, ordinal)
}

/// Every number word, lower case, with its value.
fn word_values() -> Vec<(String, u64)> {
    let mut values = Vec::new();
    for (i, w) in FEW.iter().enumerate() {
        values.push((w.to_lowercase(), i as u64));
    }
    for (i, w) in ORDINALS.iter().enumerate() {
        values.push((w.to_lowercase(), i as u64));
    }
    for (i, w) in TENS.iter().enumerate() {
        let lower = w.to_lowercase();
        let value = (i as u64 + 2) * 10;
        values.push((format!("{}ieth", &lower[..lower.len() - 1]), value));
        values.push((lower, value));
    }
    values.push(("hundred".into(), 100));
    values.push(("hundredth".into(), 100));
    for (i, w) in MAGNITUDES.iter().enumerate() {
        let lower = w.to_lowercase();
        let value = 10u64.pow(3 * (i as u32 + 1));
        values.push((format!("{lower}th"), value));
        values.push((lower, value));
    }
    values
}

fn from_words(text: &str) -> Option<f64> {
    let splitter = Regex::new(r",\s|\sand\s|[\s\\-]").expect("a valid pattern");
    let values = word_values();
    let mut segments: Vec<f64> = vec![0.0];
    for part in splitter.split(text) {
        let value = values.iter().find(|(w, _)| w == part)?.1 as f64;
        if value < 100.0 {
            let mut top = segments.pop().unwrap_or(0.0);
            if top >= 1000.0 {
                segments.push(top);
                top = 0.0;
            }
            segments.push(top + value);
        } else {
            let top = segments.pop().unwrap_or(0.0);
            segments.push(top * value);
        }
    }
    Some(segments.iter().sum())
}

/// `$formatInteger(number, picture)`.
pub fn format_integer(n: f64, picture: &str) -> Result<String, Error> {
    IntegerPicture::analyse(picture)?.format_number(n.floor())
}

/// `$parseInteger(string, picture)`.
pub fn parse_integer(text: &str, picture: &str) -> Result<Option<f64>, Error> {
    IntegerPicture::analyse(picture)?.parse(text)
}

// ---------------------------------------------------------------------------------------------
// Date/time pictures
// ---------------------------------------------------------------------------------------------

/// One piece of a date/time picture.
#[derive(Clone, Debug)]
enum Part {
    Literal(String),
    Marker(Marker),
}

/// `[component presentation, width]`.
#[derive(Clone, Debug)]
struct Marker {
    component: char,
    /// `N`, `n` or `Nn`: the component is written as a name.
    names: Option<Case>,
    /// The second presentation modifier (`o`, `t`, `c`, `a`).
    modifier: Option<char>,
    max_width: Option<usize>,
    integer: Option<IntegerPicture>,
}

const DAYS: [&str; 8] = [
    "",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn default_presentation(component: char) -> Option<&'static str> {
    Some(match component {
        'Y' | 'M' | 'D' | 'd' | 'W' | 'w' | 'X' | 'x' | 'H' | 'h' | 'f' => "1",
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => return None,
    })
}

fn analyse_date_picture(picture: &str) -> Result<Vec<Part>, Error> {
    let mut parts = Vec::new();
    let chars: Vec<char> = picture.chars().collect();
    let mut literal = String::new();
    let mut i = 0;
    let flush = |literal: &mut String, parts: &mut Vec<Part>| {
        if !literal.is_empty() {
            parts.push(Part::Literal(std::mem::take(literal).replace("]]", "]")));
        }
    };
    while i < chars.len() {
        if chars[i] != '[' {
            literal.push(chars[i]);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'[') {
            flush(&mut literal, &mut parts);
            parts.push(Part::Literal("[".into()));
            i += 2;
            continue;
        }
        flush(&mut literal, &mut parts);
        let Some(close) = chars[i..].iter().position(|c| *c == ']') else {
            return Err(err(
                "D3135",
                "A variable marker in the picture has no closing ']'",
            ));
        };
        let marker: String = chars[i + 1..i + close]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect();
        parts.push(Part::Marker(analyse_marker(&marker)?));
        i += close + 1;
    }
    flush(&mut literal, &mut parts);
    Ok(parts)
}

fn analyse_marker(marker: &str) -> Result<Marker, Error> {
    let component = marker.chars().next().unwrap_or(' ');
    let rest = &marker[component.len_utf8().min(marker.len())..];
    let (presentation, width) = match rest.rfind(',') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let parse_width = |w: Option<&str>| -> Result<Option<usize>, Error> {
        let Some(width) = w
            .filter(|w| *w != "*")
            .and_then(|w| w.parse::<usize>().ok())
        else {
            return Ok(None);
        };
        // A width is padding the engine writes out: a huge one would exhaust memory.
        if width > MAX_WIDTH {
            return Err(err(
                "D3130",
                format!(
                    "A width modifier of {width} is more than this implementation supports (at most {MAX_WIDTH})"
                ),
            ));
        }
        Ok(Some(width))
    };
    let (min_width, max_width) = match width {
        None => (None, None),
        Some(w) => match w.find('-') {
            Some(dash) => (
                parse_width(Some(&w[..dash]))?,
                parse_width(Some(&w[dash + 1..]))?,
            ),
            None => (parse_width(Some(w))?, None),
        },
    };
    let mut modifier = None;
    let first =
        if presentation.chars().count() > 1 && presentation.ends_with(|c| "atco".contains(c)) {
            modifier = presentation.chars().last();
            presentation[..presentation.len() - 1].to_string()
        } else if presentation.is_empty() {
            match default_presentation(component) {
                Some(p) => p.to_string(),
                None => {
                    return Err(err(
                        "D3132",
                        format!("Unknown component specifier '{component}' in a date/time picture"),
                    ))
                }
            }
        } else {
            presentation.to_string()
        };
    let names = if first.starts_with('n') {
        Some(Case::Lower)
    } else if first.starts_with("Nn") {
        Some(Case::Title)
    } else if first.starts_with('N') {
        Some(Case::Upper)
    } else {
        None
    };
    let mut integer = None;
    if names.is_none() && "YMDdFWwXxHhmsf".contains(component) {
        let pattern = match modifier {
            Some(m) => format!("{first};{m}"),
            None => first.clone(),
        };
        let mut p = IntegerPicture::analyse(&pattern)?;
        if let Some(min) = min_width {
            p.mandatory = p.mandatory.max(min);
        }
        if "YMD".contains(component) {
            if let Some(max) = max_width {
                p.width = Some(max);
                p.mandatory = max;
            } else if p.mandatory + p.optional >= 2 {
                p.width = Some(p.mandatory + p.optional);
            }
        } else if p.mandatory + p.optional >= 2 && component != 'f' {
            // Fixed-width fields next to each other (`[H00][m00]`) must each take only their
            // own digits when read back.
            p.width = Some(p.mandatory + p.optional);
        }
        integer = Some(p);
    }
    if component == 'Z' || component == 'z' {
        integer = Some(IntegerPicture::analyse(&first)?);
    }
    Ok(Marker {
        component,
        names,
        modifier,
        max_width,
        integer,
    })
}

const DAY_MILLIS: i64 = 86_400_000;

/// The widest width modifier a date/time marker may have.
const MAX_WIDTH: usize = 1_000;

/// JavaScript dates, and so the reference implementation's, span ±100,000,000 days from the
/// epoch; past that it has no calendar fields to write.
const MAX_MILLIS: i64 = 100_000_000 * DAY_MILLIS;

/// The largest component value a parsed timestamp may give: beyond it the moment is past
/// [`MAX_MILLIS`] anyway, and the arithmetic stays within `i64`.
const MAX_COMPONENT: i64 = 100_000_000;

/// Days from 1970-01-01 to the proleptic Gregorian date `y`-`m`-`d`.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Milliseconds of `year`-`month`(0-based, may overflow into the next year)-`day` at midnight.
fn utc_millis(year: i64, month0: i64, day: i64) -> i64 {
    let year = year + month0.div_euclid(12);
    let month = month0.rem_euclid(12) + 1;
    (days_from_civil(year, month, 1) + day - 1) * DAY_MILLIS
}

/// A moment's calendar fields in UTC.
struct Moment {
    millis: i64,
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    milli: i64,
    weekday: i64,
}

impl Moment {
    fn at(millis: i64) -> Moment {
        let days = millis.div_euclid(DAY_MILLIS);
        let in_day = millis.rem_euclid(DAY_MILLIS);
        let (year, month, day) = civil_from_days(days);
        Moment {
            millis,
            year,
            month,
            day,
            hour: in_day / 3_600_000,
            minute: in_day / 60_000 % 60,
            second: in_day / 1000 % 60,
            milli: in_day % 1000,
            // 1970-01-01 was a Thursday; ISO numbers Monday 1 to Sunday 7.
            weekday: (days + 3).rem_euclid(7) + 1,
        }
    }

    fn midnight(&self) -> i64 {
        utc_millis(self.year, self.month - 1, self.day)
    }

    /// The start of week 1 of a year or month: the Monday of the week holding its first
    /// Thursday.
    fn first_week_start(year: i64, month0: i64) -> i64 {
        let first = utc_millis(year, month0, 1);
        let weekday = Moment::at(first).weekday;
        if weekday > 4 {
            first + (8 - weekday) * DAY_MILLIS
        } else {
            first - (weekday - 1) * DAY_MILLIS
        }
    }

    fn weeks_since(start: i64, day: i64) -> f64 {
        (day - start) as f64 / (DAY_MILLIS * 7) as f64 + 1.0
    }

    fn component(&self, c: char) -> i64 {
        match c {
            'Y' => self.year,
            'M' => self.month,
            'D' => self.day,
            'd' => (self.midnight() - utc_millis(self.year, 0, 1)) / DAY_MILLIS + 1,
            'F' => self.weekday,
            'W' => {
                let start = Moment::first_week_start(self.year, 0);
                let today = self.midnight();
                let mut week = Moment::weeks_since(start, today);
                if week > 52.0 {
                    if today >= Moment::first_week_start(self.year + 1, 0) {
                        week = 1.0;
                    }
                } else if week < 1.0 {
                    week = Moment::weeks_since(Moment::first_week_start(self.year - 1, 0), today);
                }
                week.floor() as i64
            }
            'w' => {
                let month0 = self.month - 1;
                let start = Moment::first_week_start(self.year, month0);
                let today = self.midnight();
                let mut week = Moment::weeks_since(start, today);
                if week > 4.0 {
                    if today >= Moment::first_week_start(self.year, month0 + 1) {
                        week = 1.0;
                    }
                } else if week < 1.0 {
                    week =
                        Moment::weeks_since(Moment::first_week_start(self.year, month0 - 1), today);
                }
                week.floor() as i64
            }
            'X' => {
                if self.millis < Moment::first_week_start(self.year, 0) {
                    self.year - 1
                } else if self.millis >= Moment::first_week_start(self.year + 1, 0) {
                    self.year + 1
                } else {
                    self.year
                }
            }
            'x' => {
                let month0 = self.month - 1;
                if self.millis < Moment::first_week_start(self.year, month0) {
                    (month0 - 1).rem_euclid(12) + 1
                } else if self.millis >= Moment::first_week_start(self.year, month0 + 1) {
                    (month0 + 1).rem_euclid(12) + 1
                } else {
                    self.month
                }
            }
            'H' => self.hour,
            'h' => match self.hour % 12 {
                0 => 12,
                h => h,
            },
            'm' => self.minute,
            's' => self.second,
            'f' => self.milli,
            _ => 0,
        }
    }
}

fn apply_case(text: &str, case: Case) -> String {
    match case {
        Case::Upper => text.to_uppercase(),
        Case::Lower => text.to_lowercase(),
        Case::Title => text.to_string(),
    }
}

/// `$fromMillis(millis, picture, timezone)`: `picture` `None` is ISO 8601; `timezone` is
/// `±HHMM`.
pub fn format_date_time(
    millis: i64,
    picture: Option<&str>,
    timezone: Option<&str>,
) -> Result<String, Error> {
    let (offset_hours, offset_minutes) = match timezone {
        Some(tz) => {
            let offset: i64 = leading_integer(tz).unwrap_or(0);
            (offset.div_euclid(100), offset % 100)
        }
        None => (0, 0),
    };
    let picture = picture.unwrap_or("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]");
    let parts = analyse_date_picture(picture)?;
    let local = offset_hours
        .checked_mul(60)
        .and_then(|m| m.checked_add(offset_minutes))
        .and_then(|m| m.checked_mul(60_000))
        .and_then(|shift| millis.checked_add(shift))
        .filter(|local| (-MAX_MILLIS..=MAX_MILLIS).contains(local))
        .ok_or_else(|| {
            err(
                "D3110",
                format!(
                    "The moment {millis} ms with the timezone offset is outside the range of dates (±{MAX_MILLIS} ms)"
                ),
            )
        })?;
    let moment = Moment::at(local);
    let mut out = String::new();
    for part in &parts {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::Marker(m) => {
                out.push_str(&format_marker(m, &moment, offset_hours, offset_minutes)?)
            }
        }
    }
    Ok(out)
}

/// JavaScript's `parseInt`: the integer at the start of `text`, if any.
fn leading_integer(text: &str) -> Option<i64> {
    let text = text.trim_start();
    let digits_start = usize::from(text.starts_with(['+', '-']));
    let end = text[digits_start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(text.len(), |i| i + digits_start);
    // Beyond `i64` the number saturates rather than reading as nothing: as in JavaScript it is
    // still a (huge) number, which the caller's range checks reject.
    let digits = &text[..end];
    digits.parse().ok().or_else(|| {
        digits
            .parse::<f64>()
            .ok()
            .filter(|_| digits.len() > digits_start)
            .map(|n| n as i64)
    })
}

fn format_marker(
    m: &Marker,
    moment: &Moment,
    offset_hours: i64,
    offset_minutes: i64,
) -> Result<String, Error> {
    let c = m.component;
    if "YMDdFWwXxHhms".contains(c) {
        let mut value = moment.component(c);
        if c == 'Y' {
            if let Some(n) = m.integer.as_ref().and_then(|p| p.width) {
                value %= 10i64.pow(n.min(18) as u32);
            }
        }
        if let Some(case) = m.names {
            let name = match c {
                'M' | 'x' => MONTHS[(value - 1).clamp(0, 11) as usize],
                'F' => DAYS[value.clamp(0, 7) as usize],
                _ => {
                    return Err(err(
                        "D3133",
                        format!("The component '{c}' cannot be written as a name"),
                    ))
                }
            };
            let mut name = apply_case(name, case);
            if let Some(max) = m.max_width {
                name = name.chars().take(max).collect();
            }
            return Ok(name);
        }
        return integer_marker(m)?.format(value);
    }
    match c {
        'f' => integer_marker(m)?.format(moment.milli),
        'Z' | 'z' => {
            let p = integer_marker(m)?;
            let offset = offset_hours * 100 + offset_minutes;
            let mut text = match &p.grouping {
                Grouping::Regular { .. } => p.format(offset)?,
                _ => match p.mandatory {
                    1 | 2 => {
                        let mut t = p.format(offset_hours)?;
                        if offset_minutes != 0 {
                            t.push(':');
                            t.push_str(&format_integer(offset_minutes as f64, "00")?);
                        }
                        t
                    }
                    3 | 4 => p.format(offset)?,
                    n => {
                        return Err(err(
                            "D3134",
                            format!("A timezone picture cannot have {n} digits"),
                        ))
                    }
                },
            };
            if offset >= 0 {
                text.insert(0, '+');
            }
            if c == 'z' {
                text.insert_str(0, "GMT");
            }
            if offset == 0 && m.modifier == Some('t') {
                text = "Z".into();
            }
            Ok(text)
        }
        'P' => {
            let text = if moment.hour >= 12 { "pm" } else { "am" };
            Ok(match m.names {
                Some(case) => apply_case(text, case),
                None => text.into(),
            })
        }
        'C' | 'E' => Ok("ISO".into()),
        _ => Err(err(
            "D3132",
            format!("Unknown component specifier '{c}' in a date/time picture"),
        )),
    }
}

fn integer_marker(m: &Marker) -> Result<&IntegerPicture, Error> {
    m.integer.as_ref().ok_or_else(|| {
        err(
            "D3132",
            format!("The component '{}' has no number format", m.component),
        )
    })
}

/// How one marker of a picture reads its text back.
enum Reader {
    Integer(IntegerPicture),
    Names(Vec<(String, i64)>),
    Offset { gmt: bool, separator: Option<char> },
}

/// `$toMillis(timestamp, picture)`: the moment `text` names, `None` when it does not match
/// the picture. Missing components left of those given default to `now`'s, missing ones right
/// of them to their start.
pub fn parse_date_time(text: &str, picture: &str, now_millis: i64) -> Result<Option<f64>, Error> {
    let parts = analyse_date_picture(picture)?;
    let mut pattern = String::from("(?i)^");
    let mut readers: Vec<Option<(char, Reader)>> = Vec::new();
    for part in &parts {
        let (regex, reader) = match part {
            Part::Literal(l) => (regex_lite::escape(l), None),
            Part::Marker(m) => {
                let (regex, reader) = marker_reader(m)?;
                (regex, Some((m.component, reader)))
            }
        };
        pattern.push('(');
        pattern.push_str(&regex);
        pattern.push(')');
        readers.push(reader);
    }
    pattern.push('$');
    let matcher = Regex::new(&pattern)
        .map_err(|e| err("D3136", format!("The picture cannot be matched: {e}")))?;
    let Some(captures) = matcher.captures(text) else {
        return Ok(None);
    };
    let mut found: std::collections::HashMap<char, i64> = std::collections::HashMap::new();
    for (i, reader) in readers.iter().enumerate() {
        let Some((component, reader)) = reader else {
            continue;
        };
        let captured = captures.get(i + 1).map_or("", |m| m.as_str());
        let value = match reader {
            // Fractional seconds are a fraction: `5` is 500 ms, `01987` is 19 ms.
            Reader::Integer(_) if *component == 'f' => {
                let digits: String = captured.chars().filter(char::is_ascii_digit).collect();
                format!("{digits:0<3}")[..3].parse().ok()
            }
            Reader::Integer(p) => p.parse(captured)?.map(|v| v as i64),
            Reader::Names(names) => names
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(captured))
                .map(|(_, v)| *v),
            Reader::Offset { gmt, separator } => Some(read_offset(captured, *gmt, *separator)),
        };
        if let Some(v) = value {
            found.insert(*component, v);
        }
    }
    if found.is_empty() {
        return Ok(None);
    }
    if found
        .values()
        .any(|v| v.unsigned_abs() > MAX_COMPONENT.unsigned_abs())
    {
        return Ok(None);
    }
    let given: String = found.keys().collect();
    let has = |c: char| given.contains(c);
    let mask = |set: &str| set.chars().fold(0u32, |m, c| (m << 1) | u32::from(has(c)));
    let is_type = |mask: u32, shape: u32| mask & !shape == 0 && mask & shape != 0;
    let date_mask = mask("YXMxWwdD");
    let date_a = is_type(date_mask, 0b1010_0001);
    let date_b = !date_a && is_type(date_mask, 0b1000_0010);
    let date_c = is_type(date_mask, 0b0101_0100);
    let date_d = !date_c && is_type(date_mask, 0b0100_1000);
    let time_mask = mask("PHhmsf");
    let time_a = is_type(time_mask, 0b01_0111);
    let time_b = !time_a && is_type(time_mask, 0b10_1111);
    let date_components = if date_b {
        "Yd"
    } else if date_c {
        "XxwF"
    } else if date_d {
        "XWF"
    } else {
        "YMD"
    };
    let time_components = if time_b { "Phmsf" } else { "Hmsf" };
    let now = Moment::at(now_millis);
    let (mut started, mut ended) = (false, false);
    for c in date_components.chars().chain(time_components.chars()) {
        if has(c) {
            started = true;
            if ended {
                return Err(err(
                    "D3136",
                    "The date/time components given leave a gap: the timestamp cannot be determined",
                ));
            }
        } else if started {
            found.insert(c, i64::from("MDd".contains(c)));
            ended = true;
        } else {
            let value = if c == 'P' {
                i64::from(now.hour >= 12)
            } else {
                now.component(c)
            };
            found.insert(c, value);
        }
    }
    if date_c || date_d {
        return Err(err(
            "D3136",
            "Timestamps given by week number cannot be parsed yet",
        ));
    }
    let get = |c: char| found.get(&c).copied().unwrap_or(0);
    let (mut month0, mut day) = ((get('M') - 1).max(0), get('D'));
    if date_b {
        let derived = Moment::at(utc_millis(get('Y'), 0, 1) + (get('d') - 1) * DAY_MILLIS);
        month0 = derived.month - 1;
        day = derived.day;
    }
    let hour = if time_b {
        let h = if get('h') == 12 { 0 } else { get('h') };
        h + if get('P') == 1 { 12 } else { 0 }
    } else {
        get('H')
    };
    let mut millis = utc_millis(get('Y'), month0, day)
        + hour * 3_600_000
        + get('m') * 60_000
        + get('s') * 1000
        + get('f');
    let offset = found
        .get(&'Z')
        .or_else(|| found.get(&'z'))
        .copied()
        .unwrap_or(0);
    millis -= offset * 60_000;
    // Outside JavaScript's dates the reference implementation has no moment either.
    if !(-MAX_MILLIS..=MAX_MILLIS).contains(&millis) {
        return Ok(None);
    }
    Ok(Some(millis as f64))
}

fn marker_reader(m: &Marker) -> Result<(String, Reader), Error> {
    let c = m.component;
    if c == 'Z' || c == 'z' {
        let separator = match m.integer.as_ref().map(|p| &p.grouping) {
            Some(Grouping::Regular { separator, .. }) => Some(*separator),
            _ => None,
        };
        let mut regex = String::new();
        if c == 'z' {
            regex.push_str("GMT");
        }
        regex.push_str("[-+][0-9]+");
        if let Some(s) = separator {
            regex.push_str(&regex_lite::escape(&s.to_string()));
            regex.push_str("[0-9]+");
        }
        return Ok((
            regex,
            Reader::Offset {
                gmt: c == 'z',
                separator,
            },
        ));
    }
    if let Some(p) = &m.integer {
        return Ok((p.pattern()?, Reader::Integer(p.clone())));
    }
    let shorten = |name: &str| match m.max_width {
        Some(max) => name.chars().take(max).collect(),
        None => name.to_string(),
    };
    let names: Vec<(String, i64)> = match c {
        'M' | 'x' => MONTHS
            .iter()
            .enumerate()
            .map(|(i, n)| (shorten(n), i as i64 + 1))
            .collect(),
        'F' => DAYS
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, n)| (shorten(n), i as i64))
            .collect(),
        'P' => vec![("am".into(), 0), ("pm".into(), 1)],
        _ => {
            return Err(err(
                "D3133",
                format!("The component '{c}' cannot be read as a name"),
            ))
        }
    };
    Ok(("[a-zA-Z]+".into(), Reader::Names(names)))
}

fn read_offset(text: &str, gmt: bool, separator: Option<char>) -> i64 {
    let text = if gmt {
        &text[3.min(text.len())..]
    } else {
        text
    };
    let (hours, minutes) = match separator.and_then(|s| text.find(s)) {
        Some(i) => (
            leading_integer(&text[..i]).unwrap_or(0),
            leading_integer(&text[i + 1..]).unwrap_or(0),
        ),
        None if text.len() <= 3 => (leading_integer(text).unwrap_or(0), 0),
        None => (
            leading_integer(&text[..3]).unwrap_or(0),
            leading_integer(&text[3..]).unwrap_or(0),
        ),
    };
    hours.saturating_mul(60).saturating_add(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_every_style() {
        assert_eq!(format_integer(1234.0, "#,##0").unwrap(), "1,234");
        assert_eq!(
            format_integer(123.0, "w").unwrap(),
            "one hundred and twenty-three"
        );
        assert_eq!(format_integer(21.0, "Ww;o").unwrap(), "Twenty-First");
        assert_eq!(format_integer(1999.0, "I").unwrap(), "MCMXCIX");
        assert_eq!(format_integer(28.0, "a").unwrap(), "ab");
        assert_eq!(format_integer(3.0, "0;o").unwrap(), "3rd");
        assert_eq!(
            parse_integer("one thousand, two hundred and thirty-four", "w").unwrap(),
            Some(1234.0)
        );
        assert_eq!(parse_integer("MCMXCIX", "I").unwrap(), Some(1999.0));
        assert_eq!(format_integer(1.0, "xyz").unwrap_err().code, "D3130");
    }

    #[test]
    fn timestamps_round_trip_through_pictures() {
        let millis = 1_521_801_216_617; // 2018-03-23T10:33:36.617Z, a Friday
        assert_eq!(
            format_date_time(millis, None, None).unwrap(),
            "2018-03-23T10:33:36.617Z"
        );
        assert_eq!(
            format_date_time(millis, Some("[FNn], [D1o] [MNn] [Y] [h]:[m01][P]"), None).unwrap(),
            "Friday, 23rd March 2018 10:33am"
        );
        assert_eq!(
            format_date_time(millis, Some("[H01]:[m01] [Z]"), Some("-0500")).unwrap(),
            "05:33 -05:00"
        );
        assert_eq!(
            parse_date_time("23 March 2018", "[D1] [MNn] [Y0001]", 0).unwrap(),
            Some(1_521_763_200_000.0)
        );
        assert_eq!(parse_date_time("nonsense", "[Y0001]", 0).unwrap(), None);
    }

    #[test]
    fn a_separator_after_the_last_digit_stays_in_place() {
        // Once a division by a zero grouping interval; the reference writes the same.
        assert_eq!(format_integer(12.0, "###0[").unwrap(), "12[");
        assert_eq!(
            format_date_time(1_521_801_216_617, Some("[Y0001]-[M01[]-[D01]"), None).unwrap(),
            "2018-03[-23"
        );
    }

    #[test]
    fn odd_pictures_and_values_are_errors_or_undefined_not_panics() {
        // The ordinal suffix is cut by characters, not bytes.
        assert_eq!(parse_integer("\u{661}a", "0;o").unwrap(), None);
        assert_eq!(format_integer(1000.0, "w").unwrap(), "one thousand");
        // Widths and roman numerals that would exhaust memory.
        let wide = format_date_time(0, Some("[Y,1000000000000]"), None).unwrap_err();
        assert_eq!(wide.code, "D3130");
        assert_eq!(format_integer(1e21, "I").unwrap_err().code, "D3130");
        // Moments and offsets past JavaScript's dates, which overflowed the arithmetic.
        for (millis, timezone) in [
            (i64::MIN, None),
            (i64::MAX, Some("+0100")),
            (0, Some("-9223372036854775808")),
            (0, Some("99999999999999999999")),
        ] {
            let e = format_date_time(millis, Some("[Y]-[M]"), timezone).unwrap_err();
            assert_eq!(e.code, "D3110", "{millis} {timezone:?}");
        }
        assert_eq!(
            parse_date_time("99999999999999999999", "[Y]", 0).unwrap(),
            None
        );
        assert_eq!(
            parse_date_time("2018 -9223372036854775808", "[Y] [Z]", 0).unwrap(),
            None
        );
        assert_eq!(
            parse_date_time("2018 +99999999999999999999", "[Y] [Z]", 0).unwrap(),
            None
        );
    }
}
