//! One module a subcommand: each takes its parsed arguments, calls the
//! pipeline stages and returns the exit status.
