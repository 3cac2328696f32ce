//! Just enough of TensorFlow Lite's model format (a FlatBuffer, `schema.fbs`) to read a small
//! convolutional model: its tensors (shape, type, data) and its operators (builtin code, inputs,
//! outputs, options). Every offset is checked, so a damaged file is an error, never a panic.

/// A tensor of the model's first subgraph.
#[derive(Debug, Clone)]
pub struct Tensor {
    pub name: String,
    pub shape: Vec<i32>,
    /// `TensorType`: 0 float32, 1 float16, 2 int32…
    pub kind: u8,
    /// The constant data, empty for activations.
    pub data: Vec<u8>,
}

/// An operator of the model's first subgraph.
#[derive(Debug, Clone)]
pub struct Operator {
    /// `BuiltinOperator`.
    pub code: i32,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
    options: Option<usize>,
}

pub const FLOAT16: u8 = 1;
pub const INT32: u8 = 2;

pub const ADD: i32 = 0;
pub const CONCATENATION: i32 = 2;
pub const CONV_2D: i32 = 3;
pub const DEPTHWISE_CONV_2D: i32 = 4;
pub const DEQUANTIZE: i32 = 6;
pub const MAX_POOL_2D: i32 = 17;
pub const RELU: i32 = 19;
pub const RESHAPE: i32 = 22;
pub const PAD: i32 = 34;

pub struct Model {
    bytes: Vec<u8>,
    pub tensors: Vec<Tensor>,
    pub operators: Vec<Operator>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
}

impl Model {
    pub fn parse(bytes: Vec<u8>) -> Result<Model, String> {
        let fb = Flat { bytes: &bytes };
        let root = fb.indirect(0)?;
        let model = fb.table(root)?;
        let codes = fb.vector_of_tables(model.field(1))?;
        let mut builtin = Vec::new();
        for code in codes {
            let t = fb.table(code)?;
            // `builtin_code` (field 3) supersedes the deprecated byte (field 0) when present.
            let value = match t.field(3) {
                Some(at) => fb.i32(at)?,
                None => t.field(0).map(|at| fb.u8(at)).transpose()?.unwrap_or(0) as i32,
            };
            builtin.push(value);
        }
        let buffers = fb.vector_of_tables(model.field(4))?;
        let mut buffer_data = Vec::new();
        for buffer in buffers {
            let t = fb.table(buffer)?;
            buffer_data.push(match t.field(0) {
                Some(at) => fb.bytes(at)?.to_vec(),
                None => Vec::new(),
            });
        }
        let subgraphs = fb.vector_of_tables(model.field(2))?;
        let graph = fb.table(*subgraphs.first().ok_or("the model has no subgraph")?)?;
        let mut tensors = Vec::new();
        for tensor in fb.vector_of_tables(graph.field(0))? {
            let t = fb.table(tensor)?;
            let buffer = t.field(2).map(|at| fb.u32(at)).transpose()?.unwrap_or(0) as usize;
            tensors.push(Tensor {
                name: t
                    .field(3)
                    .map(|at| fb.string(at))
                    .transpose()?
                    .unwrap_or_default(),
                shape: fb.i32_vector(t.field(0))?,
                kind: t.field(1).map(|at| fb.u8(at)).transpose()?.unwrap_or(0),
                data: buffer_data.get(buffer).cloned().unwrap_or_default(),
            });
        }
        let index = |v: i32| -> Result<usize, String> {
            usize::try_from(v)
                .ok()
                .filter(|&i| i < tensors.len())
                .ok_or(format!("tensor index {v} out of range"))
        };
        let indices = |v: Vec<i32>| v.into_iter().map(index).collect::<Result<Vec<_>, _>>();
        let mut operators = Vec::new();
        for op in fb.vector_of_tables(graph.field(3))? {
            let t = fb.table(op)?;
            let opcode = t.field(0).map(|at| fb.u32(at)).transpose()?.unwrap_or(0) as usize;
            operators.push(Operator {
                code: *builtin.get(opcode).ok_or("operator code out of range")?,
                inputs: indices(fb.i32_vector(t.field(1))?)?,
                outputs: indices(fb.i32_vector(t.field(2))?)?,
                options: t.field(4).map(|at| fb.indirect(at)).transpose()?,
            });
        }
        let inputs = indices(fb.i32_vector(graph.field(1))?)?;
        let outputs = indices(fb.i32_vector(graph.field(2))?)?;
        Ok(Model {
            bytes,
            tensors,
            operators,
            inputs,
            outputs,
        })
    }

    /// A scalar field of an operator's options table (`Conv2DOptions`…), read as `i32` for the
    /// `int` fields and as a byte for the enum ones; `default` when absent.
    pub fn option(
        &self,
        op: &Operator,
        field: usize,
        byte: bool,
        default: i32,
    ) -> Result<i32, String> {
        let fb = Flat { bytes: &self.bytes };
        let Some(table) = op.options else {
            return Ok(default);
        };
        match fb.table(table)?.field(field) {
            None => Ok(default),
            Some(at) if byte => Ok(i32::from(fb.u8(at)? as i8)),
            Some(at) => fb.i32(at),
        }
    }
}

struct Flat<'a> {
    bytes: &'a [u8],
}

struct Table {
    at: usize,
    /// The vtable's field offsets.
    fields: Vec<u16>,
}

impl Table {
    fn field(&self, index: usize) -> Option<usize> {
        match self.fields.get(index) {
            Some(&0) | None => None,
            Some(&offset) => Some(self.at + usize::from(offset)),
        }
    }
}

impl Flat<'_> {
    fn slice(&self, at: usize, len: usize) -> Result<&[u8], String> {
        at.checked_add(len)
            .and_then(|end| self.bytes.get(at..end))
            .ok_or(format!(
                "offset {at}+{len} beyond the file's {} bytes",
                self.bytes.len()
            ))
    }

    fn u8(&self, at: usize) -> Result<u8, String> {
        Ok(self.slice(at, 1)?[0])
    }

    fn u16(&self, at: usize) -> Result<u16, String> {
        let b = self.slice(at, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&self, at: usize) -> Result<u32, String> {
        let b = self.slice(at, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i32(&self, at: usize) -> Result<i32, String> {
        Ok(self.u32(at)? as i32)
    }

    /// Follows the unsigned offset stored at `at`.
    fn indirect(&self, at: usize) -> Result<usize, String> {
        at.checked_add(self.u32(at)? as usize)
            .filter(|&to| to < self.bytes.len())
            .ok_or(format!("offset at {at} points outside the file"))
    }

    fn table(&self, at: usize) -> Result<Table, String> {
        let vtable = (at as i64 - i64::from(self.i32(at)?)) as usize;
        let vtable_len = usize::from(self.u16(vtable)?);
        let count = vtable_len.saturating_sub(4) / 2;
        let fields = (0..count)
            .map(|i| self.u16(vtable + 4 + 2 * i))
            .collect::<Result<_, _>>()?;
        Ok(Table { at, fields })
    }

    /// A vector's first element and length.
    fn vector(&self, field: Option<usize>) -> Result<(usize, usize), String> {
        let Some(at) = field else {
            return Ok((0, 0));
        };
        let start = self.indirect(at)?;
        Ok((start + 4, self.u32(start)? as usize))
    }

    fn bytes(&self, at: usize) -> Result<&[u8], String> {
        let (start, len) = self.vector(Some(at))?;
        self.slice(start, len)
    }

    fn string(&self, at: usize) -> Result<String, String> {
        Ok(String::from_utf8_lossy(self.bytes(at)?).into_owned())
    }

    fn i32_vector(&self, field: Option<usize>) -> Result<Vec<i32>, String> {
        let (start, len) = self.vector(field)?;
        (0..len).map(|i| self.i32(start + 4 * i)).collect()
    }

    fn vector_of_tables(&self, field: Option<usize>) -> Result<Vec<usize>, String> {
        let (start, len) = self.vector(field)?;
        (0..len).map(|i| self.indirect(start + 4 * i)).collect()
    }
}
