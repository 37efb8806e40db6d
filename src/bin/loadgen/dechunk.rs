//! Reading a chunked body as it arrives, in pieces cut anywhere.

use bytes::{Buf, BytesMut};

use crate::client::Failure;

/// Decodes `Transfer-Encoding: chunked` as it arrives.
#[derive(Debug, Default)]
pub struct Dechunk {
    state: ChunkState,
}

#[derive(Debug, Default)]
enum ChunkState {
    #[default]
    Size,
    Data(usize),
    Crlf,
    Done,
}

impl Dechunk {
    /// Moves what `input` holds of the body into `out`; true when the body ended.
    pub fn feed(&mut self, input: &mut BytesMut, out: &mut BytesMut) -> Result<bool, Failure> {
        loop {
            match self.state {
                ChunkState::Done => return Ok(true),
                ChunkState::Size => {
                    let Some(end) = memchr::memmem::find(input, b"\r\n") else {
                        return Ok(false);
                    };
                    let line = &input[..end];
                    let hex = line.split(|b| *b == b';').next().unwrap_or_default();
                    let size = std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| usize::from_str_radix(h.trim(), 16).ok())
                        .ok_or_else(|| Failure::Http("bad chunk size".to_owned()))?;
                    input.advance(end + 2);
                    self.state = if size == 0 {
                        ChunkState::Done
                    } else {
                        ChunkState::Data(size)
                    };
                }
                ChunkState::Data(left) => {
                    if input.is_empty() {
                        return Ok(false);
                    }
                    let take = left.min(input.len());
                    out.extend_from_slice(&input[..take]);
                    input.advance(take);
                    self.state = if take == left {
                        ChunkState::Crlf
                    } else {
                        ChunkState::Data(left - take)
                    };
                }
                ChunkState::Crlf => {
                    if input.len() < 2 {
                        return Ok(false);
                    }
                    input.advance(2);
                    self.state = ChunkState::Size;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_anywhere_decode_whole() {
        let wire = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        for cut in 0..wire.len() {
            let mut chunks = Dechunk::default();
            let mut out = BytesMut::new();
            let mut input = BytesMut::from(&wire[..cut]);
            let first = chunks.feed(&mut input, &mut out).expect("valid");
            input.extend_from_slice(&wire[cut..]);
            let done = first || chunks.feed(&mut input, &mut out).expect("valid");
            assert!(done);
            assert_eq!(&out[..], b"hello world");
        }
    }
}
