//! The detector's weights file: the BlazeFace short-range model's kernels and biases, converted
//! from MediaPipe's `.tflite` at build time (`cargo xtask face-assets`) into the layout the
//! kernels of [`super::network`] read, as half-precision floats (the model's own precision, so
//! nothing is lost, and half the bytes of `f32`).
//!
//! Layout, little-endian: the magic `BLZF`, a format version (`1`), the number of layers, a zero
//! byte; then each layer: its kind (0 full convolution, 1 depthwise, 2 pointwise), kernel side,
//! stride, a zero byte, input and output channels (`u16` each), the kernel's `f16` values and the
//! bias' `f16` values. Kernels are stored as `[ky][kx][in][out]` (full), `[ky][kx][channel]`
//! (depthwise) and `[in][out]` (pointwise): the output channel varies fastest, so the inner loops
//! run over contiguous memory.

use super::FaceError;

pub(crate) const MAGIC: &[u8; 4] = b"BLZF";
pub(crate) const VERSION: u8 = 1;

/// What a layer computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A full convolution over every input channel.
    Conv,
    /// One filter per channel.
    Depthwise,
    /// A 1×1 convolution: a matrix product per pixel.
    Pointwise,
}

/// One layer's shape and parameters, widened to `f32`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layer {
    pub kind: Kind,
    pub kernel: usize,
    pub stride: usize,
    pub inputs: usize,
    pub outputs: usize,
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Layer {
    /// How many kernel values the file holds for this shape.
    pub fn kernel_len(kind: Kind, kernel: usize, inputs: usize, outputs: usize) -> usize {
        match kind {
            Kind::Conv => kernel * kernel * inputs * outputs,
            Kind::Depthwise => kernel * kernel * inputs,
            Kind::Pointwise => inputs * outputs,
        }
    }
}

/// Reads every layer of a weights file.
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<Layer>, FaceError> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(4)? != MAGIC {
        return Err(FaceError::NotWeights);
    }
    let version = reader.u8()?;
    if version != VERSION {
        return Err(FaceError::WeightsVersion { found: version });
    }
    let count = reader.u8()?;
    reader.u8()?;
    let mut layers = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let kind = match reader.u8()? {
            0 => Kind::Conv,
            1 => Kind::Depthwise,
            2 => Kind::Pointwise,
            other => return Err(FaceError::WeightsCorrupt(format!("layer kind {other}"))),
        };
        let kernel = usize::from(reader.u8()?);
        let stride = usize::from(reader.u8()?);
        reader.u8()?;
        let inputs = usize::from(reader.u16()?);
        let outputs = usize::from(reader.u16()?);
        let weights = reader.halves(Layer::kernel_len(kind, kernel, inputs, outputs))?;
        let bias = reader.halves(outputs)?;
        layers.push(Layer {
            kind,
            kernel,
            stride,
            inputs,
            outputs,
            weights,
            bias,
        });
    }
    if reader.at != bytes.len() {
        return Err(FaceError::WeightsCorrupt(format!(
            "{} bytes after the last layer",
            bytes.len() - reader.at
        )));
    }
    Ok(layers)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], FaceError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| FaceError::WeightsCorrupt("the file ends inside a layer".into()))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, FaceError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, FaceError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn halves(&mut self, count: usize) -> Result<Vec<f32>, FaceError> {
        let bytes = self.take(count * 2)?;
        Ok(bytes
            .chunks_exact(2)
            .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
            .collect())
    }
}

/// IEEE 754 half to single precision, subnormals, infinities and NaN included.
pub(crate) fn f16_to_f32(half: u16) -> f32 {
    let sign = u32::from(half >> 15) << 31;
    let exponent = u32::from((half >> 10) & 0x1f);
    let mantissa = u32::from(half & 0x3ff);
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: shift the mantissa up until its leading one is the implicit bit.
            let shift = m.leading_zeros() - 21;
            let m = (m << shift) & 0x3ff;
            sign | ((127 - 15 + 1 - shift) << 23) | (m << 13)
        }
        (31, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_widen_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        // The smallest subnormal, 2^-24, and the largest, (1023/1024)·2^-14.
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x03ff), 1023.0 / 1024.0 * 2f32.powi(-14));
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    fn layer_bytes(
        kind: u8,
        kernel: u8,
        stride: u8,
        inputs: u16,
        outputs: u16,
        values: usize,
    ) -> Vec<u8> {
        let mut out = vec![kind, kernel, stride, 0];
        out.extend(inputs.to_le_bytes());
        out.extend(outputs.to_le_bytes());
        for i in 0..values {
            // 1.0, 2.0, 1.0, 2.0…
            out.extend(if i % 2 == 0 { 0x3c00u16 } else { 0x4000 }.to_le_bytes());
        }
        out
    }

    #[test]
    fn reads_layers_and_refuses_what_is_not_a_weights_file() {
        let mut file = b"BLZF\x01\x02\x00".to_vec();
        file.extend(layer_bytes(1, 3, 2, 4, 4, 3 * 3 * 4 + 4));
        file.extend(layer_bytes(2, 1, 1, 4, 2, 4 * 2 + 2));
        let layers = parse(&file).unwrap();
        assert_eq!(layers.len(), 2);
        assert_eq!(layers[0].kind, Kind::Depthwise);
        assert_eq!((layers[0].kernel, layers[0].stride), (3, 2));
        assert_eq!(layers[0].weights.len(), 36);
        assert_eq!(layers[0].bias, vec![1.0, 2.0, 1.0, 2.0]);
        assert_eq!(layers[1].kind, Kind::Pointwise);
        assert_eq!((layers[1].inputs, layers[1].outputs), (4, 2));
        assert_eq!(
            layers[1].weights,
            vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
        );

        assert_eq!(parse(b"GIF89a\x01\x00"), Err(FaceError::NotWeights));
        assert_eq!(
            parse(b"BLZF\x02\x00\x00"),
            Err(FaceError::WeightsVersion { found: 2 })
        );
        assert!(matches!(
            parse(&file[..file.len() - 1]),
            Err(FaceError::WeightsCorrupt(_))
        ));
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(parse(&longer), Err(FaceError::WeightsCorrupt(_))));
        let mut unknown = file.clone();
        unknown[7] = 9;
        assert!(matches!(parse(&unknown), Err(FaceError::WeightsCorrupt(_))));
    }
}
