//! Plain-text tables for people.

use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `println!` that ignores a closed stdout (`stockbook ... | head`).
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}
pub(crate) use say;

/// A cell's text: strings without quotes, `null` empty.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => other.to_string(),
    }
}

/// The widest a table cell is shown, in terminal columns; longer text is cut.
const MAX_CELL: usize = 60;

/// `text` cut to at most `max` terminal columns, never inside a character (a
/// wide one that would straddle the limit is left out whole).
fn truncate(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > max {
            return &text[..i];
        }
    }
    text
}

/// The lines of a table with left-aligned columns. Widths are terminal
/// columns (`unicode-width`), not characters: a CJK character or an emoji
/// takes two, a combining mark none, so names in any script line up.
fn table_lines(headers: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    // A cell is one line: line breaks and tabs (notes may hold them) become
    // spaces, or the row would break the table.
    let cut = |cells: Vec<&str>| -> Vec<String> {
        cells
            .into_iter()
            .map(|c| {
                let one_line: String = c
                    .chars()
                    .map(|ch| if ch.is_control() { ' ' } else { ch })
                    .collect();
                truncate(&one_line, MAX_CELL).to_string()
            })
            .collect()
    };
    let all: Vec<Vec<String>> = std::iter::once(cut(headers.to_vec()))
        .chain(
            rows.iter()
                .map(|r| cut(r.iter().map(String::as_str).collect())),
        )
        .collect();
    let mut width: Vec<usize> = vec![0; headers.len()];
    for r in &all {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    all.iter()
        .map(|cells| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                s.push_str(c);
                if i + 1 < cells.len() {
                    let w = width.get(i).copied().unwrap_or(0);
                    s.extend(std::iter::repeat_n(' ', w.saturating_sub(c.width()) + 2));
                }
            }
            s.trim_end().to_string()
        })
        .collect()
}

/// Prints a table with left-aligned columns.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    for line in table_lines(headers, rows) {
        say!("{line}");
    }
}

/// Prints `key: value` lines.
pub fn fields(pairs: &[(&str, String)]) {
    let w = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in pairs {
        say!("{k:<w$}  {v}");
    }
}

#[cfg(test)]
mod tests {
    use super::{table_lines, truncate};
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn wide_characters_and_combining_marks_line_up() {
        let rows = vec![
            vec!["1".to_string(), "東京ボルト".to_string(), "5".to_string()],
            vec!["2".to_string(), "Box 📦".to_string(), "6".to_string()],
            // `e` and a combining acute accent: one column.
            vec!["3".to_string(), "Cafe\u{301}".to_string(), "7".to_string()],
            vec!["4".to_string(), "Bolt".to_string(), "8".to_string()],
        ];
        let lines = table_lines(&["ID", "NAME", "ON HAND"], &rows);
        // The last column starts at the same terminal column on every line.
        let starts: Vec<usize> = lines
            .iter()
            .zip(["ON HAND", "5", "6", "7", "8"])
            .map(|(l, last)| l.strip_suffix(last).expect(l).width())
            .collect();
        assert_eq!(starts, [16; 5], "{lines:#?}");
    }

    #[test]
    fn a_cell_with_line_breaks_stays_on_its_row() {
        let rows = vec![vec![
            "Deliver to\ndock 2\r\n\tgate B".to_string(),
            "x".to_string(),
        ]];
        let lines = table_lines(&["NOTES", "X"], &rows);
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert_eq!(lines[1], "Deliver to dock 2   gate B  x");
    }

    #[test]
    fn long_cells_are_cut_at_60_columns_without_splitting_a_character() {
        let wide = "東".repeat(40);
        assert_eq!(truncate(&wide, 60), "東".repeat(30));
        let odd = format!("a{wide}");
        // 1 + 29 x 2 = 59: the 30th wide character would straddle column 60.
        assert_eq!(truncate(&odd, 60), format!("a{}", "東".repeat(29)));
        assert_eq!(truncate("short", 60), "short");
        let lines = table_lines(&["NAME", "X"], &[vec![odd, "x".to_string()]]);
        assert_eq!(lines[1].width(), 59 + 2 + 1, "{lines:#?}");
    }
}
