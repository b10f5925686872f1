//! A panic while reading one file ends that file, not the run.
//!
//! calamine, zip and chrono are large and a hostile workbook can reach code
//! in them that panics (issue 12: a huge serial in a date cell panicked in
//! chrono). [`read`] runs one file's read under `catch_unwind`; the panic
//! becomes that file's reason ([`Panicked::reason`]) and the other files
//! are read as usual. While any read runs, [`QuietPanics`] keeps the panic
//! hook from printing a backtrace for a contained panic: the reason line is
//! all staff see. A panic anywhere else reaches the hook installed before
//! (and, in the binary, `commands::crash`).
//!
//! This needs `panic = "unwind"` (lib.rs refuses to build with "abort").

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Mutex};

/// What a contained panic left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    /// The sheet being read, when the panic happened inside one.
    pub sheet: Option<String>,
    /// The panic message and where it was raised, for a bug report.
    pub detail: String,
}

impl Panicked {
    /// The file's reason for staff.
    pub fn reason(&self) -> String {
        let at = match &self.sheet {
            Some(s) => format!("（シート「{s}」）"),
            None => String::new(),
        };
        format!(
            "{PANIC_REASON}{at}。Excel で開いて保存し直すと読めることがあります。（詳細: {}）",
            self.detail
        )
    }
}

/// How [`Panicked::reason`] begins (tests and the fuzzer look for it).
pub const PANIC_REASON: &str =
    "読み込み中に想定外の問題が起きたため、このファイルは読みませんでした";

thread_local! {
    /// True while this thread runs a [`read`]: the hook stays silent.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
    /// The sheet this thread is reading, set by [`in_sheet`].
    static SHEET: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Filled by the hook at the moment of a contained panic (before the
    /// unwinding clears [`SHEET`]).
    static LAST: RefCell<Option<Panicked>> = const { RefCell::new(None) };
}

/// Runs `f` (one file's read); a panic inside it is returned as
/// [`Panicked`] instead of unwinding further. Call it while a
/// [`QuietPanics`] is alive, or the default hook prints the panic.
pub fn read<T>(f: impl FnOnce() -> T) -> Result<T, Panicked> {
    let was_inside = INSIDE.with(|i| i.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    INSIDE.with(|i| i.set(was_inside));
    result.map_err(|payload| {
        LAST.with(|l| l.borrow_mut().take())
            .unwrap_or_else(|| Panicked {
                sheet: None,
                detail: message(payload.as_ref()),
            })
    })
}

/// Runs `f` as the reading of sheet `name`, so a panic names the sheet.
pub fn in_sheet<T>(name: &str, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<String>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            SHEET.with(|s| *s.borrow_mut() = previous);
        }
    }
    let _reset = Reset(SHEET.with(|s| s.borrow_mut().replace(name.to_string())));
    f()
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// The hook in place before the first [`QuietPanics`], and how many are alive.
struct Installed {
    users: usize,
    previous: Option<Arc<Hook>>,
}

static INSTALLED: Mutex<Installed> = Mutex::new(Installed {
    users: 0,
    previous: None,
});

/// While alive, a panic inside [`read`] prints nothing; any other panic goes
/// to the hook that was in place before. Counted, so reads on several
/// threads (or tests) may overlap; the last one out puts the old hook back.
pub struct QuietPanics(());

impl QuietPanics {
    pub fn install() -> QuietPanics {
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        if installed.users == 0 {
            let previous: Arc<Hook> = Arc::new(panic::take_hook());
            let fallback = Arc::clone(&previous);
            panic::set_hook(Box::new(move |info| {
                if !take_if_inside(info) {
                    fallback(info);
                }
            }));
            installed.previous = Some(previous);
        }
        installed.users += 1;
        QuietPanics(())
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        installed.users -= 1;
        // A hook cannot be changed while this thread panics; the quiet hook
        // then stays, and passes every panic outside a read on unchanged.
        if installed.users > 0 || std::thread::panicking() {
            return;
        }
        if let Some(previous) = installed.previous.take() {
            drop(panic::take_hook()); // ours, holding the other reference
            match Arc::try_unwrap(previous) {
                Ok(hook) => panic::set_hook(hook),
                Err(shared) => panic::set_hook(Box::new(move |info| shared(info))),
            }
        }
    }
}

/// For a panic hook: a panic inside [`read`] is kept for `read` to return
/// (true: print nothing); any other is left to the caller (false). Every
/// hook renkei installs asks this first, so whichever hook is in place when
/// a read panics, the panic stays quiet.
pub fn take_if_inside(info: &PanicHookInfo<'_>) -> bool {
    if !INSIDE.with(Cell::get) {
        return false;
    }
    let mut detail = message(info.payload());
    if let Some(at) = info.location() {
        detail.push_str(&format!(" at {}:{}", short_path(at.file()), at.line()));
    }
    let sheet = SHEET.with(|s| s.borrow().clone());
    LAST.with(|l| *l.borrow_mut() = Some(Panicked { sheet, detail }));
    true
}

/// The text of a panic payload (`panic!` gives `&str` or `String`).
pub fn message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    };
    // A message can quote file content: keep the line short.
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// `…/.cargo/registry/src/index…/chrono-0.4.45/src/lib.rs` → `chrono-0.4.45/src/lib.rs`.
fn short_path(file: &str) -> &str {
    match file.rfind("/src/") {
        Some(i) => {
            let head = &file[..i];
            let start = head.rfind(['/', '\\']).map_or(0, |j| j + 1);
            &file[start..]
        }
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_read_is_returned_with_its_sheet() {
        let _quiet = QuietPanics::install();
        let r: Result<(), Panicked> = read(|| in_sheet("名簿", || panic!("boom {}", 1)));
        let p = r.unwrap_err();
        assert_eq!(p.sheet.as_deref(), Some("名簿"));
        assert!(p.detail.starts_with("boom 1 at "), "{}", p.detail);
        assert!(p.reason().contains("（シート「名簿」）"), "{}", p.reason());
        assert!(p
            .reason()
            .starts_with("読み込み中に想定外の問題が起きたため"));
        // Outside a sheet, and with a payload that is not text.
        let p = read(|| std::panic::panic_any(7u8)).unwrap_err();
        assert_eq!(p.sheet, None);
        assert!(p.detail.starts_with("panic at "), "{}", p.detail);
        // No panic: the value.
        assert_eq!(read(|| 5), Ok(5));
    }

    #[test]
    fn paths_and_messages_are_short() {
        assert_eq!(
            short_path("/root/.cargo/registry/src/index.crates.io-1949/chrono-0.4.45/src/lib.rs"),
            "chrono-0.4.45/src/lib.rs"
        );
        assert_eq!(short_path("src/ingest/cell.rs"), "src/ingest/cell.rs");
        let long = "あ".repeat(300);
        assert_eq!(message(&long).chars().count(), 201);
    }
}
