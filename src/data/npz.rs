//! NumPy `.npz` archives (`np.savez`, `np.savez_compressed`): a zip file of `.npy` members, one per
//! array name. Only what those two functions write is read: stored or deflated members, with or
//! without zip64 records (NumPy forces zip64 on every member). The zip structure is read from the
//! central directory (APPNOTE.TXT 4.3.12, 4.3.16, 4.5.3).

use super::DataError;
use std::io::Read;

const END: u32 = 0x0605_4b50;
const END64_LOCATOR: u32 = 0x0706_4b50;
const END64: u32 = 0x0606_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

/// One member of the archive: its name and where its bytes are.
struct Member {
    name: String,
    method: u16,
    compressed: u64,
    local_offset: u64,
}

/// The bytes of the `.npy` member named `key` (as given to `np.savez(file, key=array)`).
pub fn member(file: &str, bytes: &[u8], key: &str) -> Result<Vec<u8>, DataError> {
    let fail = |message: String| DataError::File {
        path: file.to_string(),
        message,
    };
    let members = directory(bytes)
        .ok_or_else(|| fail("not a readable .npz file (no zip central directory found)".into()))?;
    let wanted = format!("{key}.npy");
    let Some(m) = members.iter().find(|m| m.name == wanted || m.name == key) else {
        let names: Vec<&str> = members
            .iter()
            .map(|m| m.name.strip_suffix(".npy").unwrap_or(&m.name))
            .collect();
        return Err(fail(format!(
            "no array named \"{key}\" in the archive; arrays: {}",
            names.join(", ")
        )));
    };
    let data =
        local_data(bytes, m).ok_or_else(|| fail(format!("member {} is truncated", m.name)))?;
    match m.method {
        0 => Ok(data.to_vec()),
        8 => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(data)
                .read_to_end(&mut out)
                .map_err(|e| fail(format!("member {} cannot be inflated: {e}", m.name)))?;
            Ok(out)
        }
        other => Err(fail(format!(
            "member {} uses zip compression method {other}; only stored (np.savez) and deflate (np.savez_compressed) are read",
            m.name
        ))),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The central directory's members, or `None` if the bytes are not a zip archive.
fn directory(b: &[u8]) -> Option<Vec<Member>> {
    let end = (0..=b.len().checked_sub(22)?)
        .rev()
        .take(22 + usize::from(u16::MAX))
        .find(|&i| u32_at(b, i) == Some(END))?;
    let mut count = u64::from(u16_at(b, end + 10)?);
    let mut offset = u64::from(u32_at(b, end + 16)?);
    if end >= 20 && u32_at(b, end - 20) == Some(END64_LOCATOR) {
        let at = usize::try_from(u64_at(b, end - 12)?).ok()?;
        if u32_at(b, at)? == END64 {
            count = u64_at(b, at + 32)?;
            offset = u64_at(b, at + 48)?;
        }
    }
    let mut at = usize::try_from(offset).ok()?;
    let mut out = Vec::new();
    for _ in 0..count {
        if u32_at(b, at)? != CENTRAL {
            return None;
        }
        let name_len = usize::from(u16_at(b, at + 28)?);
        let extra_len = usize::from(u16_at(b, at + 30)?);
        let comment_len = usize::from(u16_at(b, at + 32)?);
        let name = String::from_utf8_lossy(b.get(at + 46..at + 46 + name_len)?).into_owned();
        let extra = b.get(at + 46 + name_len..at + 46 + name_len + extra_len)?;
        let mut compressed = u64::from(u32_at(b, at + 20)?);
        let uncompressed = u32_at(b, at + 24)?;
        let mut local_offset = u64::from(u32_at(b, at + 42)?);
        // Zip64 extra field: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
        if let Some(z) = zip64_extra(extra) {
            let mut k = 0;
            if uncompressed == u32::MAX {
                k += 8;
            }
            if compressed == u64::from(u32::MAX) {
                compressed = u64_at(z, k)?;
                k += 8;
            }
            if local_offset == u64::from(u32::MAX) {
                local_offset = u64_at(z, k)?;
            }
        }
        out.push(Member {
            name,
            method: u16_at(b, at + 10)?,
            compressed,
            local_offset,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(out)
}

/// The data of the zip64 extended-information extra field (id 1), if present.
fn zip64_extra(mut extra: &[u8]) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0)?;
        let len = usize::from(u16_at(extra, 2)?);
        let data = extra.get(4..4 + len)?;
        if id == 1 {
            return Some(data);
        }
        extra = &extra[4 + len..];
    }
    None
}

/// A member's stored bytes, after its local header.
fn local_data<'a>(b: &'a [u8], m: &Member) -> Option<&'a [u8]> {
    let at = usize::try_from(m.local_offset).ok()?;
    if u32_at(b, at)? != LOCAL {
        return None;
    }
    let start = at + 30 + usize::from(u16_at(b, at + 26)?) + usize::from(u16_at(b, at + 28)?);
    b.get(start..start.checked_add(usize::try_from(m.compressed).ok()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built archive of one stored member, as `np.savez` writes it without zip64.
    fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
        let mut z = Vec::new();
        let n = name.len() as u16;
        let size = data.len() as u32;
        z.extend(LOCAL.to_le_bytes());
        z.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend(size.to_le_bytes());
        z.extend(size.to_le_bytes());
        z.extend(n.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.extend(name.as_bytes());
        z.extend(data);
        let central = z.len() as u32;
        z.extend(CENTRAL.to_le_bytes());
        z.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        z.extend(size.to_le_bytes());
        z.extend(size.to_le_bytes());
        z.extend(n.to_le_bytes());
        z.extend([0u8; 12]);
        z.extend(0u32.to_le_bytes());
        z.extend(name.as_bytes());
        let central_size = z.len() as u32 - central;
        z.extend(END.to_le_bytes());
        z.extend([0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend(central_size.to_le_bytes());
        z.extend(central.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z
    }

    #[test]
    fn a_stored_member_is_found_by_its_array_name() {
        let z = stored_zip("aggre_label.npy", b"payload");
        assert_eq!(member("f.npz", &z, "aggre_label").unwrap(), b"payload");
        let e = member("f.npz", &z, "worse_label").unwrap_err().to_string();
        assert_eq!(
            e,
            "f.npz: no array named \"worse_label\" in the archive; arrays: aggre_label"
        );
        assert!(member("f.npz", b"not a zip", "k").is_err());
    }
}
