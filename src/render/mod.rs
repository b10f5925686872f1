//! Renderers: finished aggregates in, workbooks out. They never re-read inputs.
