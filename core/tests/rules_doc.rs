//! Keeps docs/rules.md (RULES.md rule by rule -> the tests that check it)
//! true: every test it names must exist, every RULES section must keep its
//! table, and every rule row must name a test or point at the Gaps list.
//!
//! References it understands (paths from the repository root):
//! - `<path>.rs::<name>`: the file holds `fn <name>(` under a test attribute;
//! - `<path>.json` optionally followed by `(step N)` / `(steps N-M, K)`: the
//!   file exists and has that many scenario steps (request lines);
//! - `<path>.mjs` optionally followed by `: "<title>"`: the file exists and
//!   contains the title.

use std::collections::BTreeSet;
use std::path::PathBuf;

/// Section numbers of RULES.md; each must keep a table in the doc.
const SECTIONS: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "7a", "8", "9"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_./-".contains(&b)
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ref {
    Rust { path: String, name: String },
    Json { path: String, steps: Vec<usize> },
    Node { path: String, title: Option<String> },
}

/// Start of the path that ends just before byte `end` of `line`.
fn path_start(line: &[u8], end: usize) -> usize {
    let mut s = end;
    while s > 0 && is_path_byte(line[s - 1]) {
        s -= 1;
    }
    s
}

/// Every reference on one line of the doc.
fn refs_in_line(line: &str) -> Vec<Ref> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // Bytes, not `&str`: `i` may fall inside a multi-byte character.
        let rest = &b[i..];
        if rest.starts_with(b".rs::") {
            let start = path_start(b, i);
            let name_start = i + 5;
            let mut e = name_start;
            while e < b.len() && is_ident_byte(b[e]) {
                e += 1;
            }
            if start < i && e > name_start {
                out.push(Ref::Rust {
                    path: line[start..i + 3].to_string(),
                    name: line[name_start..e].to_string(),
                });
            }
            i = e.max(i + 1);
            continue;
        }
        for ext in [".json", ".mjs"] {
            let end = i + ext.len();
            if !rest.starts_with(ext.as_bytes()) || (end < b.len() && is_path_byte(b[end])) {
                continue;
            }
            let start = path_start(b, i);
            if start == i {
                continue;
            }
            let path = line[start..end].to_string();
            let after = &line[end..];
            if ext == ".json" {
                // `(step 3)`, `(steps 1-29)`, `(steps 8, 12)`, after an optional backtick.
                let tail = after.trim_start_matches('`').trim_start();
                let mut steps = Vec::new();
                if tail.starts_with("(step") {
                    let inner = &tail[..tail.find(')').unwrap_or(tail.len())];
                    steps = inner
                        .split(|c: char| !c.is_ascii_digit())
                        .filter(|n| !n.is_empty())
                        .map(|n| n.parse().unwrap_or(usize::MAX))
                        .collect();
                    if steps.is_empty() {
                        steps.push(usize::MAX); // "(step X)": reported as bad
                    }
                }
                out.push(Ref::Json { path, steps });
            } else {
                let title = after
                    .strip_prefix(": \"")
                    .and_then(|t| t.find('"').map(|q| t[..q].to_string()));
                out.push(Ref::Node { path, title });
            }
        }
        i += 1;
    }
    out
}

/// What is wrong with one reference; `None` when it is good.
fn check_ref(r: &Ref) -> Option<String> {
    let path = match r {
        Ref::Rust { path, .. } | Ref::Json { path, .. } | Ref::Node { path, .. } => path,
    };
    let text = match std::fs::read_to_string(root().join(path)) {
        Ok(t) => t,
        Err(e) => return Some(format!("{path}: cannot read ({e})")),
    };
    match r {
        Ref::Rust { name, .. } => {
            let needle = format!("fn {name}(");
            let lines: Vec<&str> = text.lines().collect();
            let mut found = false;
            for (n, l) in lines.iter().enumerate() {
                if !l.contains(&needle) {
                    continue;
                }
                found = true;
                // Walk up over attributes, doc comments and blank lines.
                let mut k = n;
                while k > 0 {
                    let t = lines[k - 1].trim();
                    if t.starts_with("#[") {
                        if t.contains("test") {
                            return None;
                        }
                    } else if !(t.is_empty() || t.starts_with("//")) {
                        break;
                    }
                    k -= 1;
                }
            }
            Some(if found {
                format!("{path}::{name}: `{needle}` is not a test function")
            } else {
                format!("{path}::{name}: no `{needle}` in the file")
            })
        }
        Ref::Json { steps, .. } => {
            // Scenario files are written one line per request and per answer
            // (see `formatScenario` in tests/conformance.test.mjs); counting
            // the request lines also works where serde_json's nesting limit
            // refuses a file (malformed.json nests 300 levels on purpose).
            let count = text
                .lines()
                .filter(|l| l.trim_start().starts_with("\"request\":"))
                .count();
            let bad: Vec<String> = steps
                .iter()
                .filter(|s| **s == 0 || **s > count)
                .map(|s| {
                    if *s == usize::MAX {
                        "?".to_string()
                    } else {
                        s.to_string()
                    }
                })
                .collect();
            (!bad.is_empty()).then(|| {
                format!(
                    "{path}: step {} named, but the scenario has {count} steps",
                    bad.join(", ")
                )
            })
        }
        Ref::Node { title, .. } => title
            .as_ref()
            .filter(|t| !text.contains(t.as_str()))
            .map(|t| format!("{path}: no test titled \"{t}\"")),
    }
}

/// The body of `## <id>. ...` up to the next `## ` heading, with the line
/// number (1-based) of its heading.
fn section<'a>(lines: &[&'a str], id: &str) -> Option<(usize, Vec<&'a str>)> {
    let head = format!("## {id}. ");
    let at = lines.iter().position(|l| l.starts_with(&head))?;
    let body = lines[at + 1..]
        .iter()
        .take_while(|l| !l.starts_with("## "))
        .copied()
        .collect();
    Some((at + 1, body))
}

#[test]
fn rules_doc_names_only_tests_that_exist_and_covers_every_section() {
    let doc_path = root().join("docs/rules.md");
    let doc = std::fs::read_to_string(&doc_path)
        .unwrap_or_else(|e| panic!("{}: {e}", doc_path.display()));
    let lines: Vec<&str> = doc.lines().collect();
    let mut problems = Vec::new();

    // Every reference, checked once, reported with the lines that use it.
    let mut refs: Vec<(Ref, usize)> = Vec::new();
    for (n, l) in lines.iter().enumerate() {
        refs.extend(refs_in_line(l).into_iter().map(|r| (r, n + 1)));
    }
    let distinct: BTreeSet<&Ref> = refs.iter().map(|(r, _)| r).collect();
    for r in &distinct {
        if let Some(p) = check_ref(r) {
            let at: Vec<String> = refs
                .iter()
                .filter(|(q, _)| q == *r)
                .map(|(_, n)| n.to_string())
                .collect();
            problems.push(format!("line {}: {p}", at.join(", ")));
        }
    }
    let rust = distinct
        .iter()
        .filter(|r| matches!(r, Ref::Rust { .. }))
        .count();
    assert!(
        rust > 100,
        "only {rust} Rust tests found: is the parser broken?"
    );

    // Every section keeps a table, and every row names a test or a gap.
    let gaps = match lines.iter().position(|l| l.trim() == "## Gaps") {
        Some(at) => lines[at + 1..].join("\n"),
        None => {
            problems.push("no `## Gaps` section".into());
            String::new()
        }
    };
    let mut ids = BTreeSet::new();
    for id in SECTIONS {
        let Some((head, body)) = section(&lines, id) else {
            problems.push(format!("RULES section {id}: no `## {id}. ...` heading"));
            continue;
        };
        let rows: Vec<&str> = body
            .iter()
            .copied()
            .filter(|l| l.starts_with('|'))
            .collect();
        let has_table = rows.len() >= 3 && rows[1].starts_with("|---");
        if !has_table {
            problems.push(format!(
                "RULES section {id} (line {head}): no table with at least one rule"
            ));
            continue;
        }
        for row in &rows[2..] {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            // "| rule | tests | note |" splits into ["", rule, tests, note, ""].
            if cells.len() != 5 {
                problems.push(format!("section {id}: a row without 3 cells: {row}"));
                continue;
            }
            let rule_id = cells[1].split_whitespace().next().unwrap_or("");
            if !rule_id.starts_with(&format!("{id}.")) || !ids.insert(rule_id.to_string()) {
                problems.push(format!(
                    "section {id}: rule id `{rule_id}` is not `{id}.N` or is used twice"
                ));
            }
            let tests = cells[2];
            let named =
                !refs_in_line(tests).is_empty() || tests.to_lowercase().contains("property test");
            if !named && !tests.contains("Gaps") {
                problems.push(format!("rule {rule_id}: names no test and no gap"));
            }
            if row.contains("see Gaps") && !gaps.contains(&format!("**{rule_id} ")) {
                problems.push(format!(
                    "rule {rule_id} says \"see Gaps\", but the Gaps list has no `**{rule_id} ...` item"
                ));
            }
        }
    }

    assert!(
        problems.is_empty(),
        "docs/rules.md is out of date ({} problem(s)):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
