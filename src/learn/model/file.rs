//! The shipped model's file (`OUT_DIR/model.bin`, written by `build.rs`
//! and compiled into renkei): outputs, vocabulary, bfloat16 weights and
//! f32 biases, little-endian, behind a magic line that names the format.

use half::bf16;

use super::{Model, Output};
use crate::learn::features::Vocabulary;

impl Model {
    /// The model as bytes (for the build: `OUT_DIR/model.bin`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        put_u32(&mut b, self.max_n as u32);
        put_u32(&mut b, self.outputs.len() as u32);
        for o in &self.outputs {
            match o {
                Output::Category(c) => {
                    b.push(0);
                    put_u32(&mut b, c.len() as u32);
                    b.extend_from_slice(c.as_bytes());
                }
                Output::Idea => b.push(1),
                Output::Location(l) => {
                    b.push(2);
                    b.push(*l);
                }
                Output::Party(p) => {
                    b.push(3);
                    put_u32(&mut b, p.len() as u32);
                    b.extend_from_slice(p.as_bytes());
                }
                Output::Own => b.push(4),
            }
        }
        put_u32(&mut b, self.vocab.len() as u32);
        for f in &self.vocab.raw {
            b.extend_from_slice(&f.to_le_bytes());
        }
        for w in &self.weights {
            b.extend_from_slice(&w.to_bits().to_le_bytes());
        }
        for w in &self.biases {
            b.extend_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// A model from [`Model::to_bytes`]; `None` if the bytes are not one.
    pub fn from_bytes(b: &[u8]) -> Option<Model> {
        let mut r = Reader(b.strip_prefix(MAGIC)?);
        let max_n = r.u32()? as usize;
        let n = r.u32()? as usize;
        let mut outputs = Vec::with_capacity(n);
        for _ in 0..n {
            outputs.push(match r.take(1)?[0] {
                0 => {
                    let len = r.u32()? as usize;
                    Output::Category(String::from_utf8(r.take(len)?.to_vec()).ok()?)
                }
                1 => Output::Idea,
                2 => Output::Location(r.take(1)?[0]),
                3 => {
                    let len = r.u32()? as usize;
                    Output::Party(String::from_utf8(r.take(len)?.to_vec()).ok()?)
                }
                4 => Output::Own,
                _ => return None,
            });
        }
        let dim = r.u32()? as usize;
        let raw: Vec<u64> = r
            .take(dim * 8)?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        let weights: Vec<bf16> = r
            .take(dim * n * 2)?
            .chunks_exact(2)
            .map(|c| bf16::from_bits(u16::from_le_bytes(c.try_into().unwrap_or_default())))
            .collect();
        let biases: Vec<f32> = r
            .take(n * 4)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        if !r.0.is_empty() {
            return None;
        }
        Some(Model {
            max_n,
            vocab: Vocabulary::from_raw(raw),
            outputs,
            weights,
            biases,
        })
    }
}

const MAGIC: &[u8] = b"renkei-model-2\n";

fn put_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}
