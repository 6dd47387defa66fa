/// True when `s` is an RFC 3339 date-time as Step Functions accepts it: `T` and `Z` in upper
/// case, a real calendar date, seconds and optional fraction, and a `Z` or `+hh:mm` offset.
pub fn is_rfc3339_timestamp(s: &str) -> bool {
    parse_rfc3339(s).is_some()
}

/// The instant `s` names, in nanoseconds since the Unix epoch, when it is an RFC 3339
/// date-time as [`is_rfc3339_timestamp`] accepts it.
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return None;
    }
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos: i128 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + i128::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    let offset_minutes: i128 = match b.get(i) {
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let (oh, om) = (digits(i + 1, 2)?, digits(i + 4, 2)?);
            if b.get(i + 3) != Some(&b':') || oh > 23 || om > 59 || i + 6 != b.len() {
                return None;
            }
            let minutes = i128::from(oh * 60 + om);
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let days = i128::from(days_from_civil(i64::from(year), month, day));
    let seconds =
        days * 86_400 + i128::from(hour * 3600 + minute * 60 + second) - offset_minutes * 60;
    Some(seconds * 1_000_000_000 + nanos)
}

/// Formats milliseconds since the Unix epoch the way Step Functions shows times in the
/// context object: `2024-05-01T12:00:00.123Z`.
pub fn format_rfc3339_millis(epoch_millis: i64) -> String {
    let days = epoch_millis.div_euclid(86_400_000);
    let in_day = epoch_millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil algorithm: proleptic Gregorian calendar, day 0 = 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339_timestamp as ok;

    #[test]
    fn instants_and_formatting() {
        use super::{format_rfc3339_millis, parse_rfc3339};
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2016-03-14T01:59:00+01:00"),
            parse_rfc3339("2016-03-14T00:59:00Z")
        );
        let nanos = parse_rfc3339("2024-02-29T23:59:59.123Z").unwrap();
        assert_eq!(
            format_rfc3339_millis((nanos / 1_000_000) as i64),
            "2024-02-29T23:59:59.123Z"
        );
    }

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
