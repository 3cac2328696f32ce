//! `cargo xtask face-assets`: the face detector's files, served in `face/` beside the component
//! and fetched only when a face step opens:
//!
//! - the weights: MediaPipe's BlazeFace short-range model, fetched from the npm package
//!   `@mediapipe/face_detection` (once, into the tools cache, its SHA-256 checked) and converted
//!   into the file `idcheck_core::face` reads, named by its digest;
//! - `idcheck-face.wasm`: the `idcheck-face` crate built for speed (`--profile face`, WebAssembly
//!   SIMD) and run through wasm-opt.
//!
//! Both go to `target/face-assets/`; run as Trunk's post-build hook (`Trunk.toml`), the task also copies
//! that folder into the build as `face/`, so a plain `trunk build` is complete. Skips whatever is
//! already present and up to date.
//!
//! The conversion reads the `.tflite` with [`crate::tflite`], checks that its graph is the network
//! `idcheck_core::face` implements (the operators, strides, paddings, activations and channel
//! paddings it assumes), and writes each layer's float16 weights reordered for the kernels.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::tflite::{self, Model, Operator};
use crate::{cmd, setup};

pub const PACKAGE: &str = "@mediapipe/face_detection";
pub const PACKAGE_VERSION: &str = "0.4.1657300184";
const MODEL_FILE: &str = "face_detection_short_range.tflite";
const MODEL_SHA256: &str = "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633";

/// Where the converted weights go (and Trunk's hook copies from).
pub fn assets_dir() -> PathBuf {
    cmd::root().join("target/face-assets")
}

/// The converted weights file, made if missing. Its name carries its digest
/// (`idcheck_core::face::WEIGHTS_FILE`), so a change of either side is caught here.
pub fn weights() -> Result<PathBuf, String> {
    let dir = assets_dir();
    let out = dir.join(idcheck_core::face::WEIGHTS_FILE);
    if out.exists() && digest(&read(&out)?) == idcheck_core::face::WEIGHTS_SHA256 {
        return Ok(out);
    }
    let model = model()?;
    println!(
        "face: converting {} into {}",
        model.display(),
        out.display()
    );
    let bytes = convert(&read(&model)?)?;
    let found = digest(&bytes);
    if found != idcheck_core::face::WEIGHTS_SHA256 {
        return Err(format!(
            "the converted weights' SHA-256 is {found}, but idcheck_core::face::WEIGHTS_SHA256 \
             says {}: if the conversion or the model changed on purpose, update WEIGHTS_SHA256 \
             and WEIGHTS_FILE",
            idcheck_core::face::WEIGHTS_SHA256
        ));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    write(&out, &bytes)?;
    write(&dir.join("NOTICE.txt"), NOTICE.as_bytes())?;
    Ok(out)
}

const NOTICE: &str = "\
The face detector's weights in this folder are Google's BlazeFace short-range model, as shipped
in the npm package @mediapipe/face_detection 0.4.1657300184 (face_detection_short_range.tflite),
licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
Modified: converted by idcheck's `cargo xtask face-assets` from TensorFlow Lite into a plain
float16 layout (same values, reordered).
";

/// The face module's file name (the component fetches `face/idcheck-face.wasm`).
pub const MODULE_FILE: &str = "idcheck-face.wasm";

/// The task: the weights and the module, and when run by Trunk's hook, both copied into the build.
pub fn run() -> Result<(), String> {
    let weights = weights()?;
    let module = module()?;
    if let Some(staging) = std::env::var_os("TRUNK_STAGING_DIR") {
        let into = Path::new(&staging).join("face");
        std::fs::create_dir_all(&into)
            .map_err(|err| format!("cannot create {}: {err}", into.display()))?;
        for file in [weights.as_path(), &module, &assets_dir().join("NOTICE.txt")] {
            let name = file.file_name().expect("a file name");
            std::fs::copy(file, into.join(name)).map_err(|err| {
                format!(
                    "cannot copy {} into {}: {err}",
                    file.display(),
                    into.display()
                )
            })?;
        }
    }
    Ok(())
}

/// Builds `idcheck-face` for the browser (cargo skips it when nothing changed) and optimises it
/// with wasm-opt into `target/face-assets/idcheck-face.wasm` when the build is newer.
pub fn module() -> Result<PathBuf, String> {
    setup::ensure_wasm_target()?;
    cmd::run(
        cmd::cargo()
            // Only this build gets SIMD: the component itself must load in every browser.
            .env_remove("RUSTFLAGS")
            .env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+simd128")
            .args([
                "build",
                "--quiet",
                "-p",
                "idcheck-face",
                "--lib",
                "--profile",
                "face",
                "--target",
                "wasm32-unknown-unknown",
            ]),
    )?;
    let built = cmd::root().join("target/wasm32-unknown-unknown/face/idcheck_face.wasm");
    let out = assets_dir().join(MODULE_FILE);
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    if modified(&out).is_some() && modified(&out) >= modified(&built) {
        return Ok(out);
    }
    std::fs::create_dir_all(assets_dir())
        .map_err(|err| format!("cannot create {}: {err}", assets_dir().display()))?;
    let wasm_opt = setup::wasm_opt()?;
    println!("face: optimising the face module with wasm-opt");
    cmd::run(
        Command::new(&wasm_opt)
            .arg(&built)
            .args(["-O3", "--enable-simd"])
            .args(crate::wasm::WASM_FEATURES)
            .args([
                "--strip-debug",
                "--strip-producers",
                "-o",
            ])
            .arg(&out),
    )?;
    Ok(out)
}

/// The `.tflite`, installed with npm into the tools cache unless it is there with its digest.
fn model() -> Result<PathBuf, String> {
    let prefix = setup::tools_home().join(format!("face-detection-{PACKAGE_VERSION}"));
    let file = prefix.join("node_modules").join(PACKAGE).join(MODEL_FILE);
    if file.exists() && digest(&read(&file)?) == MODEL_SHA256 {
        return Ok(file);
    }
    if cmd::output("npm", &["--version"]).is_none() {
        return Err("npm is missing: install Node.js and npm, which fetch the face model".into());
    }
    println!("face: installing {PACKAGE}@{PACKAGE_VERSION} with npm (5 MB, once)");
    std::fs::create_dir_all(&prefix)
        .map_err(|err| format!("cannot create {}: {err}", prefix.display()))?;
    cmd::run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&prefix)
            .arg(format!("{PACKAGE}@{PACKAGE_VERSION}")),
    )?;
    let found = digest(&read(&file)?);
    if found != MODEL_SHA256 {
        return Err(format!(
            "{} has SHA-256 {found}, expected {MODEL_SHA256}: not the model this build was made for",
            file.display()
        ));
    }
    Ok(file)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|err| format!("cannot write {}: {err}", path.display()))
}

pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A convolution of the graph, its weights traced back through their `DEQUANTIZE` to float16.
struct Conv<'a> {
    op: &'a Operator,
    depthwise: bool,
    /// `[out][ky][kx][in]` (depthwise: `[1][ky][kx][channel]`).
    shape: Vec<i32>,
    kernel: Vec<u16>,
    bias: Vec<u16>,
}

/// The `.tflite` → the weights file (layout in `idcheck_core::face`'s `weights` module).
pub fn convert(tflite_bytes: &[u8]) -> Result<Vec<u8>, String> {
    let model = Model::parse(tflite_bytes.to_vec())?;
    check_graph(&model)?;
    let convs = convolutions(&model)?;
    // The file's order: the stem, each block's depthwise and pointwise, then the heads as
    // (16×16 scores, 16×16 boxes, 8×8 scores, 8×8 boxes). The graph computes the heads in
    // another order; each is recognised by its shape.
    let (body, heads): (Vec<&Conv>, Vec<&Conv>) = convs.iter().partition(|c| !is_head(&model, c));
    let head = |outputs: i32, inputs: i32| {
        heads
            .iter()
            .find(|c| c.shape[0] == outputs && c.shape[3] == inputs)
            .copied()
            .ok_or(format!(
                "no head with {outputs} outputs over {inputs} channels"
            ))
    };
    let ordered: Vec<&Conv> = body
        .into_iter()
        .chain([head(2, 88)?, head(32, 88)?, head(6, 96)?, head(96, 96)?])
        .collect();
    let mut out = b"BLZF".to_vec();
    out.push(1);
    out.push(u8::try_from(ordered.len()).map_err(|_| "too many layers")?);
    out.push(0);
    for conv in ordered {
        let [o, kh, kw, i] = conv.shape[..] else {
            return Err(format!("kernel shape {:?}", conv.shape));
        };
        let (o, kh, kw, i) = (o as usize, kh as usize, kw as usize, i as usize);
        let stride = model.option(conv.op, 1, false, 1)?;
        let (kind, inputs, outputs, values): (u8, usize, usize, Vec<u16>) = if conv.depthwise {
            // Already [ky][kx][channel].
            (1, i, i, conv.kernel.clone())
        } else if kh == 1 && kw == 1 {
            // [out][in] → [in][out].
            let mut t = vec![0u16; i * o];
            for oi in 0..o {
                for ii in 0..i {
                    t[ii * o + oi] = conv.kernel[oi * i + ii];
                }
            }
            (2, i, o, t)
        } else {
            // [out][ky][kx][in] → [ky][kx][in][out].
            let mut t = vec![0u16; o * kh * kw * i];
            for oi in 0..o {
                for y in 0..kh {
                    for x in 0..kw {
                        for ii in 0..i {
                            t[((y * kw + x) * i + ii) * o + oi] =
                                conv.kernel[((oi * kh + y) * kw + x) * i + ii];
                        }
                    }
                }
            }
            (0, i, o, t)
        };
        out.extend([kind, kh as u8, stride as u8, 0]);
        out.extend((inputs as u16).to_le_bytes());
        out.extend((outputs as u16).to_le_bytes());
        out.extend(values.iter().flat_map(|v| v.to_le_bytes()));
        out.extend(conv.bias.iter().flat_map(|v| v.to_le_bytes()));
    }
    Ok(out)
}

/// The heads are the convolutions whose output is reshaped into the anchors' list.
fn is_head(model: &Model, conv: &Conv) -> bool {
    let output = conv.op.outputs[0];
    model
        .operators
        .iter()
        .any(|op| op.code == tflite::RESHAPE && op.inputs.first() == Some(&output))
}

/// Every convolution, in the graph's order, with its float16 kernel and bias.
fn convolutions(model: &Model) -> Result<Vec<Conv<'_>>, String> {
    let halves = |tensor: usize| -> Result<(Vec<i32>, Vec<u16>), String> {
        // The convolution reads the output of a DEQUANTIZE whose input holds the float16 data.
        let source = model
            .operators
            .iter()
            .find(|op| op.code == tflite::DEQUANTIZE && op.outputs == [tensor])
            .map_or(tensor, |op| op.inputs[0]);
        let t = &model.tensors[source];
        if t.kind != tflite::FLOAT16 {
            return Err(format!("{} is of type {}, not float16", t.name, t.kind));
        }
        let count: i32 = t.shape.iter().product();
        if t.data.len() != count as usize * 2 {
            return Err(format!(
                "{} holds {} bytes for shape {:?}",
                t.name,
                t.data.len(),
                t.shape
            ));
        }
        let values = t
            .data
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        Ok((t.shape.clone(), values))
    };
    let mut out = Vec::new();
    for op in &model.operators {
        let depthwise = match op.code {
            tflite::CONV_2D => false,
            tflite::DEPTHWISE_CONV_2D => true,
            _ => continue,
        };
        let (shape, kernel) = halves(op.inputs[1])?;
        let (_, bias) = halves(op.inputs[2])?;
        // Options: padding (byte, 0 = SAME), stride w and h; the fused activation is field 3 of
        // Conv2DOptions and field 4 of DepthwiseConv2DOptions; dilations must be 1.
        let name = &model.tensors[op.outputs[0]].name;
        let activation = model.option(op, if depthwise { 4 } else { 3 }, true, 0)?;
        let (stride_w, stride_h) = (
            model.option(op, 1, false, 1)?,
            model.option(op, 2, false, 1)?,
        );
        let padding = model.option(op, 0, true, 0)?;
        let dilations = if depthwise { (5, 6) } else { (4, 5) };
        let dilation = (
            model.option(op, dilations.0, false, 1)?,
            model.option(op, dilations.1, false, 1)?,
        );
        let kernel_side = shape[1];
        if activation != 0
            || stride_w != stride_h
            || !(1..=2).contains(&stride_w)
            || (kernel_side > 1 && padding != 0)
            || dilation != (1, 1)
            || (depthwise && model.option(op, 3, false, 1)? != 1)
        {
            return Err(format!(
                "{name}: activation {activation}, strides {stride_w}×{stride_h}, padding {padding}, \
                 dilation {dilation:?}: not what the detector implements"
            ));
        }
        out.push(Conv {
            op,
            depthwise,
            shape,
            kernel,
            bias,
        });
    }
    Ok(out)
}

/// The graph around the convolutions is BlazeFace's: a 128×128 RGB input, the two outputs, and
/// the counts of each operator; every `PAD` pads channels at the end only, every `MAX_POOL_2D`
/// is 2×2 with stride 2.
fn check_graph(model: &Model) -> Result<(), String> {
    let shape = |t: usize| model.tensors[t].shape.clone();
    if model.inputs.len() != 1 || shape(model.inputs[0]) != [1, 128, 128, 3] {
        return Err("the model's input is not one 128×128 RGB image".into());
    }
    let mut outputs: Vec<Vec<i32>> = model.outputs.iter().map(|&t| shape(t)).collect();
    outputs.sort();
    if outputs != [vec![1, 896, 1], vec![1, 896, 16]] {
        return Err(format!(
            "the model's outputs are {outputs:?}, not 896 scores and boxes"
        ));
    }
    let count = |code: i32| model.operators.iter().filter(|op| op.code == code).count();
    let expected = [
        (tflite::CONV_2D, 21, "CONV_2D"),
        (tflite::DEPTHWISE_CONV_2D, 16, "DEPTHWISE_CONV_2D"),
        (tflite::ADD, 16, "ADD"),
        (tflite::RELU, 17, "RELU"),
        (tflite::MAX_POOL_2D, 3, "MAX_POOL_2D"),
        (tflite::PAD, 11, "PAD"),
        (tflite::RESHAPE, 4, "RESHAPE"),
        (tflite::CONCATENATION, 2, "CONCATENATION"),
    ];
    for (code, wanted, name) in expected {
        if count(code) != wanted {
            return Err(format!(
                "{} {name} operators where BlazeFace has {wanted}",
                count(code)
            ));
        }
    }
    for op in &model.operators {
        match op.code {
            tflite::PAD => {
                let paddings = &model.tensors[op.inputs[1]];
                let values: Vec<i32> = paddings
                    .data
                    .chunks_exact(4)
                    .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect();
                if paddings.kind != tflite::INT32
                    || values.len() != 8
                    || values[..7].iter().any(|&v| v != 0)
                    || values[7] <= 0
                {
                    return Err(format!(
                        "a PAD other than zero channels at the end: {values:?}"
                    ));
                }
            }
            tflite::MAX_POOL_2D => {
                let fields: Vec<i32> = (1..=4)
                    .map(|f| model.option(op, f, false, 0))
                    .collect::<Result<_, _>>()?;
                if fields != [2, 2, 2, 2] {
                    return Err(format!("a MAX_POOL_2D other than 2×2 stride 2: {fields:?}"));
                }
            }
            tflite::ADD if model.option(op, 0, true, 0)? != 0 => {
                return Err("an ADD with a fused activation".into());
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_lowercase_hex() {
        assert_eq!(
            digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
