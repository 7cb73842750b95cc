//! Executes docs/protocol.md: every `json request` block is played, in order,
//! against one fresh in-memory store, and its answer must equal the `json
//! answer` block that follows, byte for byte once both are compact.
//! `UPDATE_DOCS=1` rewrites the answer blocks instead (review the diff).

use std::path::PathBuf;
use stockbook_core::engine::execute_json;
use stockbook_core::protocol::COMMAND_NAMES;
use stockbook_core::store::memory::MemoryStore;
use stockbook_core::Error;

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/protocol.md")
}

fn reformat(json: &str, pretty: bool) -> String {
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(json);
    let r = if pretty {
        serde_transcode::transcode(&mut de, &mut serde_json::Serializer::pretty(&mut out))
    } else {
        serde_transcode::transcode(&mut de, &mut serde_json::Serializer::new(&mut out))
    };
    r.unwrap_or_else(|e| panic!("bad JSON in docs/protocol.md: {e}\n{json}"));
    String::from_utf8(out).unwrap()
}

/// (start, end) byte ranges of the bodies of fenced blocks with this info string.
fn blocks(doc: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = doc[pos..].find("```json ") {
        let start = pos + i;
        let line_end = start + doc[start..].find('\n').unwrap();
        let kind = doc[start + 8..line_end].trim().to_string();
        let body_end = line_end + 1 + doc[line_end + 1..].find("```").unwrap();
        out.push((kind, line_end + 1, body_end));
        pos = body_end + 3;
    }
    out
}

#[test]
fn protocol_examples_are_true() {
    let update = std::env::var("UPDATE_DOCS").is_ok();
    let doc = std::fs::read_to_string(doc_path()).unwrap();
    let bs = blocks(&doc);
    let mut store = MemoryStore::new();
    let mut new_doc = String::new();
    let mut copied = 0;
    let mut seen_cmds = std::collections::BTreeSet::new();
    let mut seen_codes = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let mut i = 0;
    while i < bs.len() {
        let (kind, s, e) = &bs[i];
        assert_eq!(
            kind, "request",
            "a `json answer` block without a request before it"
        );
        let request = reformat(&doc[*s..*e], false);
        let v: serde_json::Value = serde_json::from_str(&request).unwrap();
        seen_cmds.insert(v["cmd"].as_str().unwrap_or("").to_string());
        let answer = execute_json(&mut store, &request);
        let a: serde_json::Value = serde_json::from_str(&answer).unwrap();
        if let Some(code) = a["error"]["code"].as_str() {
            seen_codes.insert(code.to_string());
        }
        let (akind, as_, ae) = bs
            .get(i + 1)
            .cloned()
            .unwrap_or_else(|| panic!("request without answer block: {request}"));
        assert_eq!(akind, "answer");
        let written = doc[as_..ae].trim();
        if update {
            new_doc.push_str(&doc[copied..as_]);
            new_doc.push_str(&reformat(&answer, true));
            new_doc.push('\n');
            copied = ae;
        } else if written.is_empty() || reformat(written, false) != answer {
            failures.push(format!(
                "request: {request}\n  doc:    {}\n  actual: {answer}",
                if written.is_empty() {
                    "(empty)".into()
                } else {
                    reformat(written, false)
                }
            ));
        }
        i += 2;
    }
    if update {
        new_doc.push_str(&doc[copied..]);
        std::fs::write(doc_path(), new_doc).unwrap();
    }
    assert!(
        failures.is_empty(),
        "docs/protocol.md is out of date (UPDATE_DOCS=1 to rewrite):\n{}",
        failures.join("\n")
    );
    for name in COMMAND_NAMES {
        assert!(
            seen_cmds.contains(*name),
            "docs/protocol.md has no example of `{name}`"
        );
    }
    for code in Error::CODES {
        assert!(
            seen_codes.contains(code),
            "docs/protocol.md shows no `{code}` answer"
        );
    }
}
