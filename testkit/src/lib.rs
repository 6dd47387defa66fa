//! What stepfn's tests share: where the shared test corpus is (`../shared` next to the
//! repository, or `$STEPFN_SHARED`), and the one skip-list format with its loader.
//!
//! A skip list names the cases a test does not expect to pass yet, one per line:
//!
//! ```text
//! # Comments and blank lines are allowed.
//! group/case-file.json | why it cannot pass yet
//! ```
//!
//! The reason is required and a case may be listed once. After a run, [`SkipList::stale`]
//! names the listed cases that pass now or no longer exist, and a test that finds any fails:
//! the list only shrinks.

#![warn(missing_docs)]

pub mod moto;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The shared test corpus: `$STEPFN_SHARED`, else `../shared` next to the repository.
pub fn shared() -> PathBuf {
    std::env::var_os("STEPFN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// The conformance corpus (`shared()/conformance`); panics, saying where it looked, when it
/// is missing.
pub fn conformance() -> PathBuf {
    let dir = shared().join("conformance");
    assert!(
        dir.is_dir(),
        "the conformance corpus is missing: expected it at {} (set STEPFN_SHARED)",
        dir.display()
    );
    dir
}

/// The benchmark workloads (`shared()/bench`); panics, saying where it looked, when they are
/// missing.
pub fn bench() -> PathBuf {
    let dir = shared().join("bench");
    assert!(
        dir.join("meta.json").is_file(),
        "the bench workloads are missing: expected them at {} (set STEPFN_SHARED)",
        dir.display()
    );
    dir
}

/// A skip list: the cases a test does not expect to pass yet, each with its reason.
#[derive(Debug, Clone)]
pub struct SkipList {
    path: PathBuf,
    /// Case -> (line number, reason).
    entries: BTreeMap<String, (usize, String)>,
}

/// Why a skip list could not be loaded.
pub struct LoadError {
    path: PathBuf,
    line: Option<usize>,
    message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl fmt::Debug for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for LoadError {}

impl SkipList {
    /// Reads the skip list at `path`: `case | reason` per line, `#` comments and blank lines
    /// allowed. A missing file, a line without a reason and a case listed twice are errors.
    pub fn load(path: impl AsRef<Path>) -> Result<SkipList, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| LoadError {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read the skip list: {e}"),
        })?;
        SkipList::parse(path, &text)
    }

    /// Reads a skip list from `text`; `path` names it in errors and messages.
    pub fn parse(path: impl AsRef<Path>, text: &str) -> Result<SkipList, LoadError> {
        let path = path.as_ref().to_path_buf();
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |message: String| LoadError {
                path: path.clone(),
                line: Some(n),
                message,
            };
            let (case, reason) = line
                .split_once('|')
                .map(|(c, r)| (c.trim(), r.trim()))
                .ok_or_else(|| error(format!("expected `case | reason`, found {line:?}")))?;
            if case.is_empty() {
                return Err(error(format!("no case before the `|`: {line:?}")));
            }
            if reason.is_empty() {
                return Err(error(format!("{case}: no reason after the `|`")));
            }
            if let Some((first, _)) = entries.get(case) {
                return Err(error(format!(
                    "{case} is listed twice (first on line {first})"
                )));
            }
            entries.insert(case.to_string(), (n, reason.to_string()));
        }
        Ok(SkipList { path, entries })
    }

    /// Whether `case` is on the list.
    pub fn contains(&self, case: &str) -> bool {
        self.entries.contains_key(case)
    }

    /// The reason `case` is on the list, if it is.
    pub fn reason(&self, case: &str) -> Option<&str> {
        self.entries.get(case).map(|(_, r)| r.as_str())
    }

    /// The listed cases, in order.
    pub fn cases(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// How many cases are listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no case is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the list is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// After a run: `seen` is every case the run looked at, `passing` those of them that pass
    /// now. Returns the listed cases that pass now and those the run never saw.
    pub fn stale<S, P>(
        &self,
        seen: impl IntoIterator<Item = S>,
        passing: impl IntoIterator<Item = P>,
    ) -> Stale
    where
        S: AsRef<str>,
        P: AsRef<str>,
    {
        let seen: HashSet<String> = seen.into_iter().map(|s| s.as_ref().to_string()).collect();
        let mut now_passing: Vec<String> = passing
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .filter(|c| self.contains(c))
            .collect();
        now_passing.sort();
        now_passing.dedup();
        let missing = self
            .cases()
            .filter(|c| !seen.contains(*c))
            .map(str::to_string)
            .collect();
        Stale {
            path: self.path.clone(),
            now_passing,
            missing,
        }
    }

    /// [`SkipList::stale`], failing the test when a listed case passes now or no longer exists.
    #[track_caller]
    pub fn assert_not_stale<S, P>(
        &self,
        seen: impl IntoIterator<Item = S>,
        passing: impl IntoIterator<Item = P>,
    ) where
        S: AsRef<str>,
        P: AsRef<str>,
    {
        let stale = self.stale(seen, passing);
        assert!(stale.is_empty(), "{stale}");
    }
}

/// Listed cases that should come off a skip list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    path: PathBuf,
    /// Listed cases that pass now.
    pub now_passing: Vec<String>,
    /// Listed cases the run did not see.
    pub missing: Vec<String>,
}

impl Stale {
    /// Whether nothing should come off the list.
    pub fn is_empty(&self) -> bool {
        self.now_passing.is_empty() && self.missing.is_empty()
    }
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        if !self.now_passing.is_empty() {
            writeln!(f, "these cases pass now; take them off {path}:")?;
            for case in &self.now_passing {
                writeln!(f, "  {case}")?;
            }
        }
        if !self.missing.is_empty() {
            writeln!(
                f,
                "these listed cases no longer exist; take them off {path}:"
            )?;
            for case in &self.missing {
                writeln!(f, "  {case}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cases_and_reasons() {
        let list =
            SkipList::parse("t.txt", "# c\n\na/b.json | why | with a bar\n c | d \n").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.reason("a/b.json"), Some("why | with a bar"));
        assert!(list.contains("c") && !list.contains("d"));
    }

    #[test]
    fn a_reason_is_required() {
        let e = SkipList::parse("t.txt", "a\n").unwrap_err().to_string();
        assert!(e.starts_with("t.txt:1: "), "{e}");
        let e = SkipList::parse("t.txt", "# x\na |  \n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.txt:2: a: no reason"), "{e}");
    }

    #[test]
    fn a_case_is_listed_once() {
        let e = SkipList::parse("t.txt", "a | x\nb | y\na | z\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "t.txt:3: a is listed twice (first on line 1)");
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let e = SkipList::load("/nonexistent/skips.txt")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/skips.txt: cannot read"), "{e}");
    }

    #[test]
    fn stale_names_passing_and_missing_cases() {
        let list = SkipList::parse("t.txt", "a | x\nb | y\nc | z\n").unwrap();
        let stale = list.stale(["a", "b", "d"], ["b", "d"]);
        assert_eq!(stale.now_passing, ["b"]);
        assert_eq!(stale.missing, ["c"]);
        assert!(list.stale(["a", "b", "c"], ["d"]).is_empty());
    }
}
