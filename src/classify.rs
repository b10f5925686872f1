//! Classification: compiled rules × one remark → [`crate::model::Labels`]. No I/O.
