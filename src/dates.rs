//! Meeting dates as staff write them: 和暦, `R4.4.1`, `2022/4/1`, Excel serials.
