/// True when `s` is an RFC 3339 date-time as Step Functions accepts it: `T` and `Z` in upper
/// case, a real calendar date, seconds and optional fraction, and a `Z` or `+hh:mm` offset.
pub fn is_rfc3339_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day)) = (digits(0, 4), digits(5, 2), digits(8, 2)) else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day == 0 || day > month_days[month as usize - 1] {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(11, 2), digits(14, 2), digits(17, 2))
    else {
        return false;
    };
    if b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || hour > 23
        || minute > 59
        || second > 60
    {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let (Some(oh), Some(om)) = (digits(i + 1, 2), digits(i + 4, 2)) else {
                return false;
            };
            b.get(i + 3) == Some(&b':') && oh <= 23 && om <= 59 && i + 6 == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339_timestamp as ok;

    #[test]
    fn accepts_rfc3339() {
        assert!(ok("2016-03-14T01:59:00Z"));
        assert!(ok("2016-03-14T01:59:00.123Z"));
        assert!(ok("2024-02-29T23:59:59+05:30"));
    }

    #[test]
    fn rejects_the_rest() {
        for s in [
            "2016-03-14t01:59:00Z",
            "2016-03-14 01:59:00Z",
            "2016-03-14T01:59:00",
            "2016-02-30T01:59:00Z",
            "2023-02-29T01:59:00Z",
            "2016-13-14T01:59:00Z",
            "2016-03-14T25:59:00Z",
            "2016-03-14T01:59Z",
            "2016-03-14T01:59:00.Z",
            "2016-03-14T01:59:00Zx",
            "2016-03-14T01:59:00+0530",
            "",
            "{% $now() %}",
        ] {
            assert!(!ok(s), "{s}");
        }
    }
}
