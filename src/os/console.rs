//! The console window of a double-clicked program. Started from Explorer (or
//! by dropping a folder on the icon), renkei gets a console of its own that
//! Windows closes the moment it exits, before the summary can be read; so it
//! then waits for Enter. Started from a terminal (cmd, PowerShell, which
//! share their console) or with its input or messages redirected, it does
//! not wait. Tried under Wine by `tools/windows-smoke.sh`.

/// Waits for Enter when the console is renkei's own (see the module doc);
/// does nothing elsewhere, and at most once a process.
pub fn pause_if_double_clicked() {
    #[cfg(windows)]
    {
        use std::io::IsTerminal;
        use std::sync::atomic::{AtomicBool, Ordering};

        static PAUSED: AtomicBool = AtomicBool::new(false);
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        if interactive && own_console() && !PAUSED.swap(true, Ordering::SeqCst) {
            eprintln!("Enter キーを押すと閉じます…");
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        }
    }
}

/// True when no other process (cmd.exe, PowerShell) shares our console.
#[cfg(windows)]
fn own_console() -> bool {
    use windows_sys::Win32::System::Console::GetConsoleProcessList;

    let mut pids = [0u32; 4];
    // SAFETY: the buffer holds `pids.len()` process ids, the count passed.
    let n = unsafe { GetConsoleProcessList(pids.as_mut_ptr(), pids.len() as u32) };
    n == 1
}
