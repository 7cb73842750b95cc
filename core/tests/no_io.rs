//! RULES §0.2: the core reads no clock, file, network or randomness.
//!
//! Two checks, both on the text of the repository:
//! - every non-test source file of `core/src` is scanned for the APIs that
//!   would read a clock, a file, the network, the environment, another
//!   process or randomness; a hit fails naming `file:line`;
//! - `core/Cargo.toml` depends only on the crates allowed below, and the
//!   workspace's `chrono` is built without its clock.
//!
//! Test-only code is left out of the scan, because tests may read files (the
//! scenarios): files declared by `#[cfg(test)] mod x;` (with or without a
//! `#[path = ...]`) and inline `#[cfg(test)] mod x { ... }` blocks.
//! `testkit.rs` is compiled into the library, so it IS scanned.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What the core must never call or name.
const FORBIDDEN: [&str; 11] = [
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "std::fs",
    "std::net",
    "std::env",
    "std::process",
    "rand::",
    "getrandom",
    "env!(",
];

/// The crates `core/Cargo.toml` may depend on (what it has today): none of
/// them reads a clock, a file, the network or randomness.
const ALLOWED_DEPENDENCIES: [&str; 7] = [
    "serde",
    "serde_json",
    "itoa",
    "rust_decimal",
    "chrono",
    "thiserror",
    "rustc-hash",
];

fn core_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file a `mod name;` declared in `file` lives in.
fn module_file(file: &Path, name: &str, path_attr: Option<&str>) -> PathBuf {
    let dir = file.parent().unwrap();
    if let Some(p) = path_attr {
        return dir.join(p);
    }
    let stem = file.file_stem().unwrap().to_str().unwrap();
    let base = if stem == "mod" || stem == "lib" {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    let flat = base.join(format!("{name}.rs"));
    if flat.exists() {
        flat
    } else {
        base.join(name).join("mod.rs")
    }
}

/// Splits a source file into its lines, with test-only lines blanked, and
/// collects the files its `#[cfg(test)] mod x;` declarations name.
fn non_test_lines(file: &Path, text: &str, test_files: &mut BTreeSet<PathBuf>) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[cfg(test)]" {
            i += 1;
            continue;
        }
        // Attributes between `#[cfg(test)]` and the item.
        let mut j = i + 1;
        let mut path_attr = None;
        while j < lines.len() && lines[j].trim_start().starts_with("#[") {
            let t = lines[j].trim();
            if let Some(rest) = t.strip_prefix("#[path = \"") {
                path_attr = rest.strip_suffix("\"]").map(str::to_string);
            }
            j += 1;
        }
        let item = lines.get(j).map(|l| l.trim()).unwrap_or("");
        let indent = lines
            .get(j)
            .map(|l| l.len() - l.trim_start().len())
            .unwrap_or(0);
        let decl = item.strip_prefix("pub ").unwrap_or(item);
        if let Some(rest) = decl.strip_prefix("mod ") {
            if let Some(name) = rest.strip_suffix(';') {
                test_files.insert(module_file(file, name.trim(), path_attr.as_deref()));
                for l in &mut out[i..=j] {
                    l.clear();
                }
                i = j + 1;
                continue;
            }
        }
        // Any other item under `#[cfg(test)]` (an inline module, a function):
        // it ends at the first line closing it at its own indentation
        // (`cargo fmt` keeps this true), or at its own line for a one-liner.
        let close = format!("{}}}", " ".repeat(indent));
        let end = if item.ends_with('{') {
            (j + 1..lines.len())
                .find(|&e| lines[e] == close)
                .unwrap_or_else(|| panic!("{}:{}: unclosed test item", file.display(), j + 1))
        } else {
            j
        };
        for l in &mut out[i..=end] {
            l.clear();
        }
        i = end + 1;
    }
    out
}

/// `// ...` comments are prose (the crate docs say "reads no clock"): only
/// code counts.
fn code_part(line: &str) -> &str {
    match line.find("//") {
        Some(i) if !line[..i].contains('"') => &line[..i],
        _ => line,
    }
}

#[test]
fn the_core_names_no_clock_file_network_or_randomness() {
    let src = core_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut test_files = BTreeSet::new();
    let mut texts = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines = non_test_lines(f, &text, &mut test_files);
        texts.push((f.clone(), lines));
    }
    for t in &test_files {
        assert!(t.exists(), "test module file {} not found", t.display());
    }
    // The scan must still see the library: a blanking bug must not hide it.
    assert!(
        texts.iter().any(
            |(f, ls)| f.ends_with("engine.rs") && ls.iter().any(|l| l.contains("execute_json"))
        ),
        "engine.rs was not scanned"
    );
    let mut hits = Vec::new();
    let mut scanned = 0;
    for (f, lines) in &texts {
        if test_files.contains(f) {
            continue;
        }
        scanned += 1;
        for (n, line) in lines.iter().enumerate() {
            let code = code_part(line);
            for bad in FORBIDDEN {
                if code.contains(bad) {
                    let rel = f.strip_prefix(core_dir()).unwrap_or(f);
                    hits.push(format!(
                        "{}:{}: `{bad}`: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(scanned > 20, "only {scanned} files scanned");
    assert!(
        hits.is_empty(),
        "the core must read no clock, file, network or randomness (RULES §0.2):\n{}",
        hits.join("\n")
    );
}

/// The test files found above are the ones named like tests: nothing else is
/// left out of the scan.
#[test]
fn only_test_modules_are_left_out_of_the_scan() {
    let src = core_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut test_files = BTreeSet::new();
    for f in &files {
        non_test_lines(f, &std::fs::read_to_string(f).unwrap(), &mut test_files);
    }
    for t in &test_files {
        let name = t.file_name().unwrap().to_str().unwrap();
        assert!(
            name == "tests.rs" || name.ends_with("_tests.rs"),
            "{} is left out of the scan as a test module but is not named like one",
            t.display()
        );
    }
    // And the blanking keeps real code: a `#[cfg(test)]` block ends where it
    // closes.
    let mut t = BTreeSet::new();
    let lines = non_test_lines(
        Path::new("x.rs"),
        "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() {\n    }\n}\nfn c() { std::fs::read(\"x\"); }\n",
        &mut t,
    );
    assert_eq!(lines[0], "fn a() {}");
    assert!(lines[1..6].iter().all(String::is_empty), "{lines:?}");
    assert!(lines[6].contains("std::fs"));
}

/// The `[dependencies]` of `core/Cargo.toml`, by name.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut deps = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == "[dependencies]";
            continue;
        }
        if inside && !t.is_empty() && !t.starts_with('#') {
            let name = t.split(['=', '.', ' ']).next().unwrap().trim();
            deps.push(name.trim_matches('"').to_string());
        }
    }
    deps
}

#[test]
fn the_core_depends_on_no_io_clock_or_random_crate() {
    let manifest = std::fs::read_to_string(core_dir().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\n[dependencies]\n"));
    assert!(
        !manifest.contains("[target."),
        "no platform-specific dependencies in the core"
    );
    let deps = dependencies(&manifest);
    assert!(deps.contains(&"serde".to_string()), "{deps:?}");
    for d in &deps {
        assert!(
            ALLOWED_DEPENDENCIES.contains(&d.as_str()),
            "core/Cargo.toml depends on `{d}`, which is not on the allowlist of crates that \
             read no clock, file, network or randomness (RULES §0.2)"
        );
    }
    // chrono's `clock` feature is what gives `Utc::now`; the workspace builds
    // the core's chrono without it (and without its default features).
    let workspace = std::fs::read_to_string(core_dir().join("../Cargo.toml")).unwrap();
    let chrono = workspace
        .lines()
        .find(|l| l.trim_start().starts_with("chrono"))
        .expect("chrono in the workspace dependencies");
    assert!(chrono.contains("default-features = false"), "{chrono}");
    for feature in ["clock", "now", "wasmbind"] {
        assert!(
            !chrono.contains(&format!("\"{feature}\"")),
            "{chrono}: chrono's `{feature}` reads the clock"
        );
    }
}
