//! The order lists are shown in: by meeting date. Meetings are read in the
//! order of their files' paths, which is not the order they were held in
//! (a folder per association, files named by hand), and a list read on
//! paper is followed by date.

use crate::model::Batch;

/// Each meeting's place in date order: dated meetings by date, then round,
/// then as read; undated ones after them, as read.
pub(crate) fn meeting_ranks(batch: &Batch) -> Vec<usize> {
    let mut order: Vec<usize> = (0..batch.meetings.len()).collect();
    order.sort_by_key(|&i| {
        let m = &batch.meetings[i];
        (m.date.is_none(), m.date, m.round, i)
    });
    let mut ranks = vec![0; order.len()];
    for (rank, &i) in order.iter().enumerate() {
        ranks[i] = rank;
    }
    ranks
}

/// The meetings `meetings` (indices) in date order.
pub(crate) fn meetings_by_date(batch: &Batch, mut meetings: Vec<usize>) -> Vec<usize> {
    let ranks = meeting_ranks(batch);
    meetings.sort_by_key(|&m| ranks.get(m).copied().unwrap_or(usize::MAX));
    meetings
}

/// The remarks `remarks` (indices) in the date order of their meetings, in
/// reading order within a meeting. `ranks` from [`meeting_ranks`].
pub(crate) fn remarks_by_date(
    batch: &Batch,
    ranks: &[usize],
    mut remarks: Vec<usize>,
) -> Vec<usize> {
    let rank = |r: usize| {
        batch
            .remarks
            .get(r)
            .and_then(|r| ranks.get(r.meeting))
            .copied()
            .unwrap_or(usize::MAX)
    };
    // Stable: reading order is kept within a meeting.
    remarks.sort_by_key(|&r| rank(r));
    remarks
}
