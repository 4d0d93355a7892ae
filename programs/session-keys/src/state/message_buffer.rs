//! The MessageBuffer account: a `solana` message too large for one
//! transaction, written by the delegate in chunks and consumed by
//! `approve_solana_message` (docs/verified-sessions.md, "Message buffers").

use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::solana_message::MAX_MESSAGE_LEN;

/// PDA `["message_buffer", session]`: a 72-byte header, then `len` message bytes.
#[account(zero_copy)]
#[derive(Debug)]
pub struct MessageBuffer {
    /// The session whose delegate writes it and whose use consumes it.
    pub session: Pubkey,
    /// Paid its rent; gets it back when the buffer is consumed or closed.
    pub payer: Pubkey,
    /// Message length (1..=1232).
    pub len: u16,
    /// Bytes written so far, from the start; complete when `written == len`.
    pub written: u16,
    /// Keeps the header a multiple of 8; always zero.
    pub reserved: [u8; 4],
}

impl MessageBuffer {
    /// Discriminator and header: where the message starts in the account data.
    pub const HEADER_LEN: usize = 8 + std::mem::size_of::<MessageBuffer>();

    pub fn space(len: u16) -> usize {
        Self::HEADER_LEN + len as usize
    }

    pub fn validate_len(len: u16) -> Result<()> {
        require!(
            len >= 1 && len as usize <= MAX_MESSAGE_LEN,
            SessionKeysError::InvalidBufferLength
        );
        Ok(())
    }

    /// Appends `bytes` at `offset`, which must be where the last write ended.
    /// Returns the range of the account data to copy them to.
    pub fn append(&mut self, offset: u16, bytes: usize) -> Result<core::ops::Range<usize>> {
        let end = (offset as usize).checked_add(bytes);
        require!(
            offset == self.written && end.is_some_and(|end| end <= self.len as usize),
            SessionKeysError::BufferWriteOutOfOrder
        );
        let end = end.unwrap_or_default();
        // cannot truncate: end <= len, a u16
        self.written = end as u16;
        Ok(Self::HEADER_LEN + offset as usize..Self::HEADER_LEN + end)
    }

    /// The complete message in the account's `data`; a length past the
    /// account's data is a corrupt account (fails closed).
    pub fn message<'d>(&self, data: &'d [u8]) -> Result<&'d [u8]> {
        require!(self.written == self.len, SessionKeysError::BufferIncomplete);
        data.get(Self::HEADER_LEN..Self::HEADER_LEN + self.len as usize)
            .ok_or_else(|| error!(SessionKeysError::CorruptAccount))
    }
}

/// Closes a buffer in place: its lamports to the payer, its discriminator
/// zeroed (nothing can load it again in this transaction; the runtime drops
/// an account with no lamports when the transaction ends).
pub fn close_buffer(buffer_lamports: &mut u64, payer_lamports: &mut u64, data: &mut [u8]) -> Result<()> {
    *payer_lamports = payer_lamports
        .checked_add(*buffer_lamports)
        .ok_or_else(|| error!(SessionKeysError::CounterOverflow))?;
    *buffer_lamports = 0;
    let disc = data.len().min(8);
    data[..disc].fill(0);
    Ok(())
}
