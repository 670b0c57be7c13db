//! The `.npy` format read as a stream: the header (dtype, memory order, shape), then the values in
//! file order, converted to f64 one block at a time. A reader never holds the file's bytes and the
//! array at once, so a feature file can go straight into the arrays that keep it (see
//! `npy::NpyFeatures`). Format: numpy.lib.format (versions 1.0, 2.0 and 3.0).

use std::io::Read;

/// Values converted per block: 64 KiB of f64, whatever the dtype.
const BLOCK: usize = 1 << 13;

/// A supported element type: kind, size in bytes, byte order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dtype {
    kind: Kind,
    size: usize,
    big_endian: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Float,
    Int,
    Uint,
    Bool,
}

impl Dtype {
    /// Whether every value is a whole number by type (integer and bool dtypes).
    pub fn integer(&self) -> bool {
        self.kind != Kind::Float
    }

    /// A NumPy type string (`'<f8'`, `'|u1'`, `'|b1'`, ...), if it is a supported numeric type.
    fn parse(descr: &str) -> Option<Dtype> {
        let mut chars = descr.chars();
        let big_endian = match chars.next()? {
            '<' | '|' => false,
            '>' => true,
            '=' => cfg!(target_endian = "big"),
            _ => return None,
        };
        let kind = match chars.next()? {
            'f' => Kind::Float,
            'i' => Kind::Int,
            'u' => Kind::Uint,
            'b' => Kind::Bool,
            _ => return None,
        };
        let size: usize = chars.as_str().parse().ok()?;
        let allowed = match kind {
            Kind::Float => [4, 8].contains(&size),
            Kind::Int | Kind::Uint => [1, 2, 4, 8].contains(&size),
            Kind::Bool => size == 1,
        };
        allowed.then_some(Dtype {
            kind,
            size,
            big_endian,
        })
    }

    /// The value of one element's bytes (`bytes.len() == self.size`).
    #[inline]
    fn value(&self, bytes: &[u8]) -> f64 {
        let mut b = [0u8; 8];
        b[..self.size].copy_from_slice(bytes);
        if self.big_endian {
            b[..self.size].reverse();
        }
        match (self.kind, self.size) {
            (Kind::Float, 8) => f64::from_le_bytes(b),
            (Kind::Float, _) => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            (Kind::Int, 8) => i64::from_le_bytes(b) as f64,
            (Kind::Int, 4) => f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            (Kind::Int, 2) => f64::from(i16::from_le_bytes([b[0], b[1]])),
            (Kind::Int, _) => f64::from(b[0] as i8),
            (Kind::Uint, _) => u64::from_le_bytes(b) as f64,
            (Kind::Bool, _) => f64::from(u8::from(b[0] != 0)),
        }
    }
}

/// What a `.npy` header says.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub dtype: Dtype,
    /// Column-major (Fortran) order: the first index varies fastest in the file.
    pub fortran_order: bool,
    pub shape: Vec<usize>,
}

impl Header {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Why a stream is not a readable `.npy` array; `Dtype` carries the unsupported type as written.
#[derive(Debug, PartialEq)]
pub enum FormatError {
    Dtype(String),
    Other(String),
}

/// Reads the header, leaving `r` at the first value.
pub fn read_header(r: &mut impl Read) -> Result<Header, FormatError> {
    let bad = |m: &str| FormatError::Other(m.to_string());
    let mut start = [0u8; 8];
    r.read_exact(&mut start)
        .map_err(|_| bad("the file is too short for a .npy header"))?;
    if &start[..6] != b"\x93NUMPY" {
        return Err(bad("the file does not start with the .npy magic string"));
    }
    let len = match start[6] {
        1 => {
            let mut l = [0u8; 2];
            r.read_exact(&mut l).map_err(|_| bad("truncated header"))?;
            usize::from(u16::from_le_bytes(l))
        }
        2 | 3 => {
            let mut l = [0u8; 4];
            r.read_exact(&mut l).map_err(|_| bad("truncated header"))?;
            u32::from_le_bytes(l) as usize
        }
        v => return Err(FormatError::Other(format!("unknown .npy version {v}"))),
    };
    let mut text = vec![0u8; len];
    r.read_exact(&mut text)
        .map_err(|_| bad("truncated header"))?;
    let text = String::from_utf8(text).map_err(|_| bad("the header is not text"))?;
    parse_header(&text)
}

/// The header's dictionary, e.g. `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }`.
fn parse_header(text: &str) -> Result<Header, FormatError> {
    let bad = |m: String| FormatError::Other(m);
    let value = |key: &str| -> Result<&str, FormatError> {
        let at = ["'", "\""]
            .iter()
            .find_map(|q| {
                text.find(&format!("{q}{key}{q}"))
                    .map(|i| i + key.len() + 2)
            })
            .ok_or_else(|| bad(format!("the header has no '{key}'")))?;
        let rest = text[at..].trim_start();
        let rest = rest
            .strip_prefix(':')
            .ok_or_else(|| bad(format!("the header's '{key}' has no value")))?;
        Ok(rest.trim_start())
    };
    let descr = value("descr")?;
    let descr_text = match descr.chars().next() {
        Some(q @ ('\'' | '"')) => descr[1..].split(q).next().unwrap_or(""),
        // A structured dtype (a list of fields).
        _ => descr.split(", '").next().unwrap_or(descr),
    };
    let dtype =
        Dtype::parse(descr_text).ok_or_else(|| FormatError::Dtype(format!("'{descr_text}'")))?;
    let order = value("fortran_order")?;
    let fortran_order = if order.starts_with("True") {
        true
    } else if order.starts_with("False") {
        false
    } else {
        return Err(bad(
            "the header's 'fortran_order' is neither True nor False".into(),
        ));
    };
    let shape = value("shape")?;
    let inner = shape
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| bad("the header's 'shape' is not a tuple".into()))?;
    let shape = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            bad(format!(
                "the header's shape ({inner}) is not a list of sizes"
            ))
        })?;
    Ok(Header {
        dtype,
        fortran_order,
        shape,
    })
}

/// Calls `each` with every value of the array, in file order, as f64; `r` stands after the header.
pub fn for_each_value(
    r: &mut impl Read,
    header: &Header,
    mut each: impl FnMut(f64),
) -> Result<(), FormatError> {
    let size = header.dtype.size;
    let total = header.len();
    let mut block = vec![0u8; BLOCK * size];
    let mut done = 0;
    while done < total {
        let n = (total - done).min(BLOCK);
        r.read_exact(&mut block[..n * size]).map_err(|_| {
            FormatError::Other(format!(
                "the file ends after {done} of the {total} values its header announces"
            ))
        })?;
        for bytes in block[..n * size].chunks_exact(size) {
            each(header.dtype.value(bytes));
        }
        done += n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2, ShapeBuilder};
    use ndarray_npy::WriteNpyExt;

    fn bytes_of<W: WriteNpyExt>(a: &W) -> Vec<u8> {
        let mut out = Vec::new();
        a.write_npy(&mut out).unwrap();
        out
    }

    fn values(bytes: &[u8]) -> (Header, Vec<f64>) {
        let mut r = bytes;
        let h = read_header(&mut r).unwrap();
        let mut v = Vec::new();
        for_each_value(&mut r, &h, |x| v.push(x)).unwrap();
        (h, v)
    }

    #[test]
    fn every_numeric_dtype_reads_as_the_values_written() {
        let (h, v) = values(&bytes_of(&array![[1.5f64, -2.0], [3.0, 4.25]]));
        assert_eq!((h.shape, h.fortran_order), (vec![2, 2], false));
        assert_eq!(v, [1.5, -2.0, 3.0, 4.25]);
        assert_eq!(values(&bytes_of(&array![0.5f32, -8.0])).1, [0.5, -8.0]);
        assert_eq!(values(&bytes_of(&array![-3i8, 7])).1, [-3.0, 7.0]);
        assert_eq!(values(&bytes_of(&array![-300i16, 7])).1, [-300.0, 7.0]);
        assert_eq!(values(&bytes_of(&array![-70000i32, 7])).1, [-70000.0, 7.0]);
        assert_eq!(
            values(&bytes_of(&array![-(1i64 << 40), 7])).1,
            [-(2f64.powi(40)), 7.0]
        );
        assert_eq!(values(&bytes_of(&array![255u8, 0])).1, [255.0, 0.0]);
        assert_eq!(values(&bytes_of(&array![65535u16])).1, [65535.0]);
        assert_eq!(values(&bytes_of(&array![4_000_000_000u32])).1, [4e9]);
        assert_eq!(values(&bytes_of(&array![1u64 << 50])).1, [2f64.powi(50)]);
        let (h, v) = values(&bytes_of(&array![true, false, true]));
        assert!(h.dtype.integer());
        assert_eq!(v, [1.0, 0.0, 1.0]);
    }

    #[test]
    fn fortran_order_and_big_endian_are_read_as_numpy_writes_them() {
        // Column-major 2 × 3: the file holds column 0, then 1, then 2.
        let f = Array2::from_shape_vec((2, 3).f(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]).unwrap();
        let (h, v) = values(&bytes_of(&f));
        assert!(h.fortran_order);
        assert_eq!(v, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        // np.array([1, -2], dtype='>i4') as NumPy 2 writes it.
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        let dict = "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }";
        let header = format!("{dict:<117}\n");
        file.extend((header.len() as u16).to_le_bytes());
        file.extend(header.bytes());
        file.extend([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(values(&file).1, [1.0, -2.0]);
    }

    #[test]
    fn unsupported_or_broken_files_are_refused_with_the_reason() {
        let text = bytes_of(&array![1.0f64]);
        let at = text.windows(3).position(|w| w == b"<f8").unwrap();
        let mut as_unicode = text.clone();
        as_unicode[at..at + 3].copy_from_slice(b"<U5");
        let mut r = as_unicode.as_slice();
        assert_eq!(read_header(&mut r), Err(FormatError::Dtype("'<U5'".into())));
        let mut short: &[u8] = &text[..text.len() - 3];
        let h = read_header(&mut short).unwrap();
        let err = for_each_value(&mut short, &h, |_| {}).unwrap_err();
        assert_eq!(
            err,
            FormatError::Other("the file ends after 0 of the 1 values its header announces".into())
        );
        let mut not_npy: &[u8] = b"x,y\n1,2\n";
        assert!(matches!(
            read_header(&mut not_npy),
            Err(FormatError::Other(_))
        ));
    }
}
