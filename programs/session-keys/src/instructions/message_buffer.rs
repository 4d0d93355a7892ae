//! `open_message_buffer`, `write_message_buffer`, `close_message_buffer`:
//! the delegate stages a `solana` message too large for one transaction.

use anchor_lang::prelude::*;

use crate::constants::SEED_MESSAGE_BUFFER;
use crate::errors::SessionKeysError;
use crate::state::{MessageBuffer, Session, FORMAT_OPAQUE};

#[derive(Accounts)]
#[instruction(len: u16)]
pub struct OpenMessageBuffer<'info> {
    pub delegate: Signer<'info>,

    #[account(mut)]
    pub payer: Signer<'info>,

    #[account(constraint = session.load()?.delegate == delegate.key() @ SessionKeysError::NotDelegate)]
    pub session: AccountLoader<'info, Session>,

    #[account(
        init,
        payer = payer,
        space = MessageBuffer::space(len),
        seeds = [SEED_MESSAGE_BUFFER, session.key().as_ref()],
        bump,
    )]
    pub message_buffer: AccountLoader<'info, MessageBuffer>,

    pub system_program: Program<'info, System>,
}

impl OpenMessageBuffer<'_> {
    pub fn handler(ctx: Context<Self>, len: u16) -> Result<()> {
        require!(
            ctx.accounts.session.load()?.format != FORMAT_OPAQUE,
            SessionKeysError::WrongMessageFormat
        );
        MessageBuffer::validate_len(len)?;
        let mut buffer = ctx.accounts.message_buffer.load_init()?;
        *buffer = MessageBuffer {
            session: ctx.accounts.session.key(),
            payer: ctx.accounts.payer.key(),
            len,
            written: 0,
            reserved: [0; 4],
        };
        Ok(())
    }
}

#[derive(Accounts)]
pub struct WriteMessageBuffer<'info> {
    pub delegate: Signer<'info>,

    #[account(constraint = session.load()?.delegate == delegate.key() @ SessionKeysError::NotDelegate)]
    pub session: AccountLoader<'info, Session>,

    #[account(mut, has_one = session @ SessionKeysError::BufferSessionMismatch)]
    pub message_buffer: AccountLoader<'info, MessageBuffer>,
}

impl WriteMessageBuffer<'_> {
    pub fn handler(ctx: Context<Self>, offset: u16, bytes: Vec<u8>) -> Result<()> {
        let range = ctx.accounts.message_buffer.load_mut()?.append(offset, bytes.len())?;
        let info = ctx.accounts.message_buffer.to_account_info();
        let mut data = info.try_borrow_mut_data()?;
        data.get_mut(range)
            .ok_or_else(|| error!(SessionKeysError::CorruptAccount))?
            .copy_from_slice(&bytes);
        Ok(())
    }
}

#[derive(Accounts)]
pub struct CloseMessageBuffer<'info> {
    pub delegate: Signer<'info>,

    #[account(constraint = session.load()?.delegate == delegate.key() @ SessionKeysError::NotDelegate)]
    pub session: AccountLoader<'info, Session>,

    #[account(
        mut,
        has_one = session @ SessionKeysError::BufferSessionMismatch,
        has_one = payer @ SessionKeysError::BufferPayerMismatch,
        close = payer,
    )]
    pub message_buffer: AccountLoader<'info, MessageBuffer>,

    /// CHECK: the buffer's payer (`has_one`), which gets its rent back.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
}

impl CloseMessageBuffer<'_> {
    pub fn handler(_ctx: Context<Self>) -> Result<()> {
        Ok(())
    }
}
