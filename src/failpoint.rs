//! Debug builds only: `RENKEI_FAILPOINT=<point>` (or `<point>:<what>`) makes
//! that point panic, so tests can run the real binary through a panic where
//! no real input can cause one any more (a file's read, classification).
//! Release builds compile every point to nothing.

/// Panics when `RENKEI_FAILPOINT` is `point` or `point:what` (debug builds
/// only; `what` names the file or item at hand).
#[inline]
#[track_caller]
pub fn hit(point: &str, what: &str) {
    #[cfg(debug_assertions)]
    if let Some(v) = std::env::var_os("RENKEI_FAILPOINT") {
        let v = v.to_string_lossy();
        if v == point || v.strip_prefix(point).and_then(|r| r.strip_prefix(':')) == Some(what) {
            panic!("failpoint {v}");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (point, what);
}
