//! Prints the cell values of every workbook under a folder, one row a line
//! (`file`, `sheet`, `row`, then the cells, tab-separated; tabs and line
//! breaks inside a cell escaped), so two output folders can be compared by
//! value with `diff`. `tools/windows-smoke.sh` compares the Windows build's
//! outputs with the Linux build's this way.
//!
//!     cargo run --release --example dump_outputs -- 出力 > values.tsv

use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

fn main() {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("使い方: dump_outputs フォルダ");
        std::process::exit(2);
    };
    let mut books = Vec::new();
    collect(&root, &mut books);
    books.sort();
    for path in books {
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let mut wb = open_workbook_auto(&path).unwrap_or_else(|e| {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        });
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).expect("sheet listed");
            for (i, row) in range.rows().enumerate() {
                let cells: Vec<String> = row.iter().map(cell).collect();
                println!("{shown}\t{name}\t{}\t{}", i + 1, cells.join("\t"));
            }
        }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "xlsx") {
            out.push(p);
        }
    }
}

fn cell(c: &Data) -> String {
    let text = match c {
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}
