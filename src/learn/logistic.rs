//! Binary logistic regression with L2 regularization over sparse features,
//! trained by stochastic gradient descent.
//!
//! Why by hand: the model is one-vs-rest over a few thousand short texts and
//! a hundred thousand or so sparse features, trained when renkei is built
//! and fine-tuned at each run on the office's labels. linfa's
//! and smartcore's logistic regressions take dense matrices (thousands ×
//! tens of thousands of f64, hundreds of MB); this is about a hundred lines,
//! has no dependency, and fine-tunes every label of the model on an office's
//! labels in about a tenth of a second. The weights returned are the average of those at the
//! end of each epoch of the second half, which settles SGD's last steps; the
//! visiting order comes from a fixed seed, so the same data always gives the
//! same model.

use super::features::Sparse;

/// Training settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// L2 strength (per example).
    pub lambda: f64,
    pub epochs: usize,
    /// Initial step size.
    pub eta0: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            lambda: 5e-6,
            epochs: 16,
            eta0: 1.0,
        }
    }
}

/// A trained binary classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    pub weights: Vec<f32>,
    pub bias: f32,
}

impl Binary {
    pub fn logit(&self, x: &Sparse) -> f32 {
        x.dot(&self.weights) + self.bias
    }

    pub fn prob(&self, x: &Sparse) -> f32 {
        sigmoid(self.logit(x))
    }
}

pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// One training example: its features, its target (0 or 1) and its weight.
#[derive(Debug, Clone, Copy)]
pub struct Sample<'a> {
    pub x: &'a Sparse,
    pub y: bool,
    pub weight: f32,
}

/// Where training starts from (fine-tuning): weights over the same `dim`
/// features, and a bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    pub weights: Vec<f32>,
    pub bias: f32,
}

/// Trains on `samples` over `dim` features, from zero or from `start`;
/// `scale_by`, when given, multiplies every feature's value (NB-LR's
/// log-count ratios) and is folded into the weights returned, so they apply
/// to the unscaled features.
pub fn train(
    samples: &[Sample<'_>],
    dim: usize,
    params: Params,
    seed: u64,
    scale_by: Option<&[f32]>,
    start: Option<Start>,
) -> Binary {
    let ones;
    let r: &[f32] = match scale_by {
        Some(r) => r,
        None => {
            ones = vec![1.0f32; dim];
            &ones
        }
    };
    // The weights are `scale * v`, so the L2 shrink of every weight at each
    // step is one multiplication.
    let (mut v, mut bias) = match start {
        // Weights over scaled features are the given ones divided by the scale.
        Some(s) => (
            s.weights.iter().zip(r).map(|(w, r)| w / r).collect(),
            f64::from(s.bias),
        ),
        None => (vec![0.0f32; dim], 0.0f64),
    };
    let mut scale = 1.0f64;
    // The average of the weights at the end of each epoch of the second half.
    let mut sum = vec![0.0f64; dim];
    let mut bias_sum = 0.0f64;
    let mut snapshots = 0u32;
    let mut order: Vec<usize> = (0..samples.len()).collect();
    let mut rng = seed | 1;
    let mut t = 0.0f64;
    for epoch in 0..params.epochs {
        shuffle(&mut order, &mut rng);
        for &i in &order {
            let s = &samples[i];
            let eta = params.eta0 / (1.0 + params.eta0 * params.lambda * t);
            t += 1.0;
            let dot: f64 =
                s.x.idx
                    .iter()
                    .zip(&s.x.val)
                    .map(|(&j, &x)| f64::from(v[j as usize] * x * r[j as usize]))
                    .sum();
            let p = 1.0 / (1.0 + (-(dot * scale + bias)).exp());
            let g = (p - if s.y { 1.0 } else { 0.0 }) * f64::from(s.weight);
            scale *= 1.0 - eta * params.lambda;
            if scale < 1e-6 {
                v.iter_mut().for_each(|x| *x *= scale as f32);
                scale = 1.0;
            }
            let step = (eta * g / scale) as f32;
            for (&j, &x) in s.x.idx.iter().zip(&s.x.val) {
                v[j as usize] -= step * x * r[j as usize];
            }
            bias -= eta * g;
        }
        if 2 * epoch >= params.epochs {
            for (s, &x) in sum.iter_mut().zip(&v) {
                *s += f64::from(x) * scale;
            }
            bias_sum += bias;
            snapshots += 1;
        }
    }
    let n = f64::from(snapshots.max(1));
    Binary {
        weights: sum
            .iter()
            .zip(r)
            .map(|(&x, &r)| (x / n) as f32 * r)
            .collect(),
        bias: (bias_sum / n) as f32,
    }
}

/// Fisher–Yates with xorshift64*.
fn shuffle(order: &mut [usize], state: &mut u64) {
    for i in (1..order.len()).rev() {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        order.swap(i, (r % (i as u64 + 1)) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(idx: &[u32]) -> Sparse {
        let v = 1.0 / (idx.len() as f32).sqrt();
        Sparse {
            idx: idx.to_vec(),
            val: vec![v; idx.len()],
        }
    }

    #[test]
    fn separable_data_is_learned_and_the_same_seed_gives_the_same_model() {
        // Feature 0 means yes, feature 1 means no; 2 is noise on both.
        let data: Vec<(Sparse, bool)> = (0..40)
            .map(|i| (x(&[if i % 2 == 0 { 0 } else { 1 }, 2]), i % 2 == 0))
            .collect();
        let samples: Vec<Sample> = data
            .iter()
            .map(|(x, y)| Sample {
                x,
                y: *y,
                weight: 1.0,
            })
            .collect();
        let m = train(&samples, 3, Params::default(), 7, None, None);
        assert!(m.prob(&x(&[0, 2])) > 0.9);
        assert!(m.prob(&x(&[1, 2])) < 0.1);
        assert_eq!(m, train(&samples, 3, Params::default(), 7, None, None));
    }

    #[test]
    fn weight_counts_like_repetition() {
        // One positive against three negatives of the same features: the
        // probability follows the weights.
        let a = x(&[0]);
        let samples = [
            Sample {
                x: &a,
                y: true,
                weight: 3.0,
            },
            Sample {
                x: &a,
                y: false,
                weight: 1.0,
            },
        ];
        let params = Params {
            epochs: 200,
            eta0: 0.5,
            ..Params::default()
        };
        let m = train(&samples, 1, params, 1, None, None);
        let p = m.prob(&a);
        assert!((0.6..0.85).contains(&p), "{p}");
    }
}
