//! Aggregation: opinion groups, counts, competition ranks, 【再掲】 placement,
//! cross-tables and 二次連携 pairs, as plain data for the renderers.
