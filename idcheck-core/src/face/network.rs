//! BlazeFace short range's fixed network, run in `f32`: a 5×5 stride-2 convolution, sixteen
//! BlazeBlocks (a 3×3 depthwise convolution, a 1×1 convolution, and the block's input added back,
//! max-pooled when the block halves the size and padded with zero channels when it widens), and
//! two heads, one on the 16×16 features and one on the 8×8. Activations are kept `[y][x][channel]`.
//!
//! Padding is TensorFlow's `SAME`, which is not symmetric: a stride-2 layer over an even size
//! pads one pixel after and none before (the 3×3 depthwise), or one before and two after (the
//! 5×5 stem). Getting that wrong shifts every box by a pixel and lowers every score.
//!
//! Nearly all the work (about 31 million multiply-adds a frame) is in the 1×1 convolutions and
//! the stem, which [`matmul`] computes four pixels by eight output channels at a time: the 32
//! sums stay in eight four-lane registers while the input channels stream past. The vectors are
//! `wide`'s `f32x4`: SSE natively, WebAssembly SIMD in the face module (and plain arrays in a
//! build without it). The compiler does not find this shape by itself.

use wide::f32x4;

use super::FaceError;
use super::weights::{Kind, Layer};

/// The model's input side, in pixels.
pub(crate) const INPUT: usize = 128;
/// Anchors of the 16×16 head (two a cell) and of the 8×8 head (six a cell).
pub(crate) const ANCHORS: usize = 16 * 16 * 2 + 8 * 8 * 6;
/// Values a box is regressed with: centre, size and six keypoints.
pub(crate) const COORDS: usize = 16;

const STEM_OUT: usize = 24;
/// Every BlazeBlock: input channels, output channels, stride.
const BLOCKS: [(usize, usize, usize); 16] = [
    (24, 24, 1),
    (24, 28, 1),
    (28, 32, 2),
    (32, 36, 1),
    (36, 42, 1),
    (42, 48, 2),
    (48, 56, 1),
    (56, 64, 1),
    (64, 72, 1),
    (72, 80, 1),
    (80, 88, 1),
    (88, 96, 2),
    (96, 96, 1),
    (96, 96, 1),
    (96, 96, 1),
    (96, 96, 1),
];
/// The 16×16 head reads the output of this block (the last one before the third halving).
const HEAD_16_AFTER: usize = 10;
/// Output channels computed together by [`matmul`].
const TILE: usize = 8;
/// Pixels computed together by [`matmul`].
const ROWS: usize = 4;

/// The shapes the weights file must hold, in its order: `(kind, kernel, stride, in, out)`.
pub(crate) fn architecture() -> Vec<(Kind, usize, usize, usize, usize)> {
    let mut layers = vec![(Kind::Conv, 5, 2, 3, STEM_OUT)];
    for (inputs, outputs, stride) in BLOCKS {
        layers.push((Kind::Depthwise, 3, stride, inputs, inputs));
        layers.push((Kind::Pointwise, 1, 1, inputs, outputs));
    }
    // Scores and boxes of the 16×16 head (2 anchors a cell), then of the 8×8 head (6).
    layers.push((Kind::Pointwise, 1, 1, 88, 2));
    layers.push((Kind::Pointwise, 1, 1, 88, 2 * COORDS));
    layers.push((Kind::Pointwise, 1, 1, 96, 6));
    layers.push((Kind::Pointwise, 1, 1, 96, 6 * COORDS));
    layers
}

/// Eight output channels' values in two vectors.
type Octet = [f32x4; 2];

fn octet(values: &[f32]) -> Octet {
    let mut lanes = [0.0f32; TILE];
    lanes[..values.len()].copy_from_slice(values);
    [
        f32x4::new([lanes[0], lanes[1], lanes[2], lanes[3]]),
        f32x4::new([lanes[4], lanes[5], lanes[6], lanes[7]]),
    ]
}

/// A 1×1 convolution (or the stem, through im2col) with its weights in tiles of [`TILE`] output
/// channels: `[tile][input]`, zero beyond the last output.
struct Dense {
    inputs: usize,
    outputs: usize,
    tiles: Vec<Octet>,
    /// One per tile.
    bias: Vec<Octet>,
}

impl Dense {
    /// From `[input][output]` weights.
    fn new(inputs: usize, outputs: usize, weights: &[f32], bias: &[f32]) -> Dense {
        let mut tiles = Vec::with_capacity(outputs.div_ceil(TILE) * inputs);
        let mut biases = Vec::new();
        for o0 in (0..outputs).step_by(TILE) {
            let o1 = outputs.min(o0 + TILE);
            for i in 0..inputs {
                tiles.push(octet(&weights[i * outputs + o0..i * outputs + o1]));
            }
            biases.push(octet(&bias[o0..o1]));
        }
        Dense {
            inputs,
            outputs,
            tiles,
            bias: biases,
        }
    }
}

struct Depthwise {
    channels: usize,
    stride: usize,
    /// `[ky][kx][channel]`.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

struct Block {
    depthwise: Depthwise,
    pointwise: Dense,
}

/// The raw outputs for every anchor, in anchor order.
pub(crate) struct Output {
    /// Logits.
    pub scores: Vec<f32>,
    /// [`COORDS`] values per anchor.
    pub boxes: Vec<f32>,
}

/// The network with its weights and working memory (about 2.6 MB, allocated once).
pub(crate) struct Network {
    stem: Dense,
    blocks: Vec<Block>,
    /// Scores and boxes of one head computed together: 2 + 32 outputs, and 6 + 96.
    head_16: Dense,
    head_8: Dense,
    buffers: [Vec<f32>; 4],
    output: Output,
}

impl Network {
    pub fn new(layers: Vec<Layer>) -> Result<Network, FaceError> {
        let expected = architecture();
        if layers.len() != expected.len() {
            return Err(FaceError::WrongModel(format!(
                "{} layers where BlazeFace short range has {}",
                layers.len(),
                expected.len()
            )));
        }
        for (index, (layer, &(kind, kernel, stride, inputs, outputs))) in
            layers.iter().zip(&expected).enumerate()
        {
            let found = (
                layer.kind,
                layer.kernel,
                layer.stride,
                layer.inputs,
                layer.outputs,
            );
            if found != (kind, kernel, stride, inputs, outputs) {
                return Err(FaceError::WrongModel(format!(
                    "layer {index} is {found:?}, expected {:?}",
                    (kind, kernel, stride, inputs, outputs)
                )));
            }
        }
        let mut layers = layers.into_iter();
        let mut next = || layers.next().expect("the count was checked");
        let stem = next();
        let stem = Dense::new(5 * 5 * 3, STEM_OUT, &stem.weights, &stem.bias);
        let mut blocks = Vec::with_capacity(BLOCKS.len());
        for (inputs, outputs, stride) in BLOCKS {
            let depthwise = next();
            let pointwise = next();
            blocks.push(Block {
                depthwise: Depthwise {
                    channels: inputs,
                    stride,
                    weights: depthwise.weights,
                    bias: depthwise.bias,
                },
                pointwise: Dense::new(inputs, outputs, &pointwise.weights, &pointwise.bias),
            });
        }
        let head_16 = fuse(&next(), &next());
        let head_8 = fuse(&next(), &next());
        // The stem's patches, then the widest activations (64×64×28).
        let patches = 64 * 64 * 5 * 5 * 3;
        let widest = 64 * 64 * 28;
        Ok(Network {
            stem,
            blocks,
            head_16,
            head_8,
            buffers: [
                vec![0.0; patches],
                vec![0.0; widest],
                vec![0.0; widest],
                vec![0.0; widest],
            ],
            output: Output {
                scores: vec![0.0; ANCHORS],
                boxes: vec![0.0; ANCHORS * COORDS],
            },
        })
    }

    /// Runs the network on a `128×128×3` input in `[-1, 1]`.
    pub fn run(&mut self, input: &[f32]) -> &Output {
        assert_eq!(input.len(), INPUT * INPUT * 3, "the input is 128×128 RGB");
        let [a, b, c, d] = &mut self.buffers;
        let mut size = INPUT / 2;
        im2col_stem(input, a);
        matmul(
            &self.stem,
            &a[..size * size * 75],
            size * size,
            None,
            true,
            b,
        );
        // `x` holds the current activations; `a`, `c` and `d` are scratch.
        let mut x = b;
        let mut spare = c;
        for (index, block) in self.blocks.iter().enumerate() {
            let Block {
                depthwise,
                pointwise,
            } = block;
            let inputs = depthwise.channels;
            let out_size = size / depthwise.stride;
            depthwise_3x3(depthwise, &x[..size * size * inputs], size, a);
            let residual: &[f32] = if depthwise.stride == 2 {
                max_pool_2x2(&x[..size * size * inputs], size, inputs, d);
                &d[..out_size * out_size * inputs]
            } else {
                &x[..size * size * inputs]
            };
            let pixels = out_size * out_size;
            matmul(
                pointwise,
                &a[..pixels * inputs],
                pixels,
                Some((residual, inputs)),
                true,
                spare,
            );
            std::mem::swap(&mut x, &mut spare);
            size = out_size;
            if index == HEAD_16_AFTER {
                let pixels = size * size;
                matmul(&self.head_16, &x[..pixels * 88], pixels, None, false, d);
                split_head(&d[..pixels * 34], 2, 0, &mut self.output);
            }
        }
        let pixels = size * size;
        matmul(&self.head_8, &x[..pixels * 96], pixels, None, false, d);
        split_head(&d[..pixels * 102], 6, 16 * 16 * 2, &mut self.output);
        &self.output
    }
}

/// One dense layer computing a head's scores and boxes together: `[scores | boxes]` per pixel.
fn fuse(scores: &Layer, boxes: &Layer) -> Dense {
    let inputs = scores.inputs;
    let outputs = scores.outputs + boxes.outputs;
    let mut weights = vec![0.0; inputs * outputs];
    for i in 0..inputs {
        let row = &mut weights[i * outputs..(i + 1) * outputs];
        row[..scores.outputs]
            .copy_from_slice(&scores.weights[i * scores.outputs..(i + 1) * scores.outputs]);
        row[scores.outputs..]
            .copy_from_slice(&boxes.weights[i * boxes.outputs..(i + 1) * boxes.outputs]);
    }
    let bias: Vec<f32> = scores.bias.iter().chain(&boxes.bias).copied().collect();
    Dense::new(inputs, outputs, &weights, &bias)
}

/// Spreads a head's `[scores | boxes]` per cell into the anchors' order (cell by cell, then the
/// cell's anchors), starting at anchor `first`.
fn split_head(head: &[f32], per_cell: usize, first: usize, output: &mut Output) {
    let width = per_cell * (1 + COORDS);
    for (cell, values) in head.chunks_exact(width).enumerate() {
        let anchor = first + cell * per_cell;
        output.scores[anchor..anchor + per_cell].copy_from_slice(&values[..per_cell]);
        output.boxes[anchor * COORDS..(anchor + per_cell) * COORDS]
            .copy_from_slice(&values[per_cell..]);
    }
}

/// The stem's 5×5 stride-2 patches as rows of 75 values (`[ky][kx][channel]`), zero outside the
/// image: `SAME` padding of one pixel before and two after.
fn im2col_stem(input: &[f32], out: &mut [f32]) {
    let size = INPUT / 2;
    for oy in 0..size {
        for ox in 0..size {
            let row = &mut out[(oy * size + ox) * 75..(oy * size + ox + 1) * 75];
            for ky in 0..5 {
                let iy = (oy * 2 + ky).wrapping_sub(1);
                for kx in 0..5 {
                    let ix = (ox * 2 + kx).wrapping_sub(1);
                    let at = (ky * 5 + kx) * 3;
                    if iy < INPUT && ix < INPUT {
                        let from = (iy * INPUT + ix) * 3;
                        row[at..at + 3].copy_from_slice(&input[from..from + 3]);
                    } else {
                        row[at..at + 3].fill(0.0);
                    }
                }
            }
        }
    }
}

/// `out[p][o] = bias[o] + Σ_i input[p][i]·w[i][o]`, plus `residual[p][o]` for the residual's
/// channels (the others are its zero padding), then ReLU if asked. `pixels` is a multiple of
/// [`ROWS`].
fn matmul(
    layer: &Dense,
    input: &[f32],
    pixels: usize,
    residual: Option<(&[f32], usize)>,
    relu: bool,
    out: &mut [f32],
) {
    let (inputs, outputs) = (layer.inputs, layer.outputs);
    debug_assert_eq!(pixels % ROWS, 0);
    debug_assert_eq!(input.len(), pixels * inputs);
    for p in (0..pixels).step_by(ROWS) {
        let block = &input[p * inputs..(p + ROWS) * inputs];
        let (r0, rest) = block.split_at(inputs);
        let (r1, rest) = rest.split_at(inputs);
        let (r2, r3) = rest.split_at(inputs);
        for (tile, (weights, &bias)) in layer
            .tiles
            .chunks_exact(inputs)
            .zip(&layer.bias)
            .enumerate()
        {
            let mut acc = [bias; ROWS];
            let inputs = r0.iter().zip(r1).zip(r2.iter().zip(r3));
            for (w, ((&x0, &x1), (&x2, &x3))) in weights.iter().zip(inputs) {
                for (a, x) in acc.iter_mut().zip([x0, x1, x2, x3]) {
                    let x = f32x4::splat(x);
                    a[0] += x * w[0];
                    a[1] += x * w[1];
                }
            }
            let o0 = tile * TILE;
            let lanes = TILE.min(outputs - o0);
            for (r, sums) in acc.iter().enumerate() {
                let pixel = p + r;
                let [low, high] = sums.map(f32x4::to_array);
                let mut sums = [0.0f32; TILE];
                sums[..4].copy_from_slice(&low);
                sums[4..].copy_from_slice(&high);
                if let Some((residual, channels)) = residual {
                    let from = pixel * channels;
                    for l in 0..lanes.min(channels.saturating_sub(o0)) {
                        sums[l] += residual[from + o0 + l];
                    }
                }
                let dst = &mut out[pixel * outputs + o0..pixel * outputs + o0 + lanes];
                for (d, &s) in dst.iter_mut().zip(sums.iter()) {
                    *d = if relu { s.max(0.0) } else { s };
                }
            }
        }
    }
}

/// A 3×3 depthwise convolution, `SAME` padding: one pixel each side at stride 1, one after and
/// none before at stride 2 (over the even sizes of this network).
fn depthwise_3x3(layer: &Depthwise, input: &[f32], size: usize, out: &mut [f32]) {
    let (c, stride) = (layer.channels, layer.stride);
    let out_size = size / stride;
    let before = if stride == 1 { 1 } else { 0 };
    for oy in 0..out_size {
        for ox in 0..out_size {
            let dst = &mut out[(oy * out_size + ox) * c..(oy * out_size + ox + 1) * c];
            dst.copy_from_slice(&layer.bias);
            for ky in 0..3 {
                let iy = (oy * stride + ky).wrapping_sub(before);
                if iy >= size {
                    continue;
                }
                for kx in 0..3 {
                    let ix = (ox * stride + kx).wrapping_sub(before);
                    if ix >= size {
                        continue;
                    }
                    let src = &input[(iy * size + ix) * c..(iy * size + ix + 1) * c];
                    let w = &layer.weights[(ky * 3 + kx) * c..(ky * 3 + kx + 1) * c];
                    for ((d, &s), &w) in dst.iter_mut().zip(src).zip(w) {
                        *d += s * w;
                    }
                }
            }
        }
    }
}

/// 2×2 max pooling with stride 2 (the residual of a halving block).
fn max_pool_2x2(input: &[f32], size: usize, c: usize, out: &mut [f32]) {
    let half = size / 2;
    for oy in 0..half {
        for ox in 0..half {
            let dst = &mut out[(oy * half + ox) * c..(oy * half + ox + 1) * c];
            let at = |y: usize, x: usize| &input[(y * size + x) * c..(y * size + x + 1) * c];
            let (a, b) = (at(oy * 2, ox * 2), at(oy * 2, ox * 2 + 1));
            let (e, f) = (at(oy * 2 + 1, ox * 2), at(oy * 2 + 1, ox * 2 + 1));
            for i in 0..c {
                dst[i] = a[i].max(b[i]).max(e[i].max(f[i]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random sequence in [-1, 1].
    fn noise(len: usize, seed: u32) -> Vec<f32> {
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state % 2001) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn matmul_equals_the_textbook_sum_with_residual_and_padding() {
        // 6 outputs: one partial tile; a residual of 4 channels padded to 6.
        let (pixels, inputs, outputs) = (8, 5, 11);
        let weights = noise(inputs * outputs, 1);
        let bias = noise(outputs, 2);
        let input = noise(pixels * inputs, 3);
        let residual = noise(pixels * 4, 4);
        let layer = Dense::new(inputs, outputs, &weights, &bias);
        let mut out = vec![f32::NAN; pixels * outputs];
        matmul(&layer, &input, pixels, Some((&residual, 4)), true, &mut out);
        for p in 0..pixels {
            for o in 0..outputs {
                let mut sum = bias[o];
                for i in 0..inputs {
                    sum += input[p * inputs + i] * weights[i * outputs + o];
                }
                if o < 4 {
                    sum += residual[p * 4 + o];
                }
                let expected = sum.max(0.0);
                assert!(
                    (out[p * outputs + o] - expected).abs() < 1e-5,
                    "pixel {p} output {o}: {} vs {expected}",
                    out[p * outputs + o]
                );
            }
        }
    }

    #[test]
    fn depthwise_pads_as_tensorflow_same_does() {
        let c = 2;
        // A 4×4 image of ones, a kernel of ones: each output counts the taps inside the image.
        let layer = |stride| Depthwise {
            channels: c,
            stride,
            weights: vec![1.0; 9 * c],
            bias: vec![0.0; c],
        };
        let input = vec![1.0; 4 * 4 * c];
        let mut out = vec![0.0; 4 * 4 * c];
        depthwise_3x3(&layer(1), &input, 4, &mut out);
        let counts: Vec<f32> = out.iter().step_by(c).copied().collect();
        assert_eq!(
            counts,
            [
                4., 6., 6., 4., 6., 9., 9., 6., 6., 9., 9., 6., 4., 6., 6., 4.
            ]
        );
        // Stride 2: windows start at 0 and 2, so the first row and column see no padding and
        // the last ones see one pixel of it.
        depthwise_3x3(&layer(2), &input, 4, &mut out);
        let counts: Vec<f32> = out[..4 * c].iter().step_by(c).copied().collect();
        assert_eq!(counts, [9., 6., 6., 4.]);
    }

    #[test]
    fn the_stem_pads_one_before_and_two_after() {
        let input: Vec<f32> = (0..INPUT * INPUT * 3).map(|i| (i % 7) as f32).collect();
        let mut out = vec![f32::NAN; 64 * 64 * 75];
        im2col_stem(&input, &mut out);
        // Output (0, 0) reads rows and columns -1..=3: the first row and column are padding.
        let first = &out[..75];
        assert!(first[..15].iter().all(|&v| v == 0.0));
        assert_eq!(&first[18..21], &input[..3]);
        // Output (63, 63) reads 125..=129: the last two are padding.
        let last = &out[(64 * 64 - 1) * 75..];
        let at = |ky: usize, kx: usize| &last[(ky * 5 + kx) * 3..(ky * 5 + kx) * 3 + 3];
        assert_eq!(
            at(0, 0),
            &input[(125 * INPUT + 125) * 3..(125 * INPUT + 125) * 3 + 3]
        );
        assert_eq!(
            at(2, 2),
            &input[(127 * INPUT + 127) * 3..(127 * INPUT + 127) * 3 + 3]
        );
        assert_eq!(at(3, 2), &[0.0; 3]);
        assert_eq!(at(2, 3), &[0.0; 3]);
    }

    #[test]
    fn max_pool_takes_the_largest_of_each_square() {
        let input = [
            1.0, 5.0, 2.0, 0.0, 3.0, 4.0, 9.0, 8.0, 0.0, 0.0, 0.0, 0.0, 7.0, 6.0, 0.0, -1.0,
        ];
        let mut out = [0.0; 4];
        max_pool_2x2(&input, 4, 1, &mut out);
        assert_eq!(out, [5.0, 9.0, 7.0, 0.0]);
    }
}
