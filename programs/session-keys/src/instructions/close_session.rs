use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::SessionClosed;
use crate::state::{Policy, Session, SessionStatus};

#[derive(Accounts)]
pub struct CloseSession<'info> {
    pub admin: Signer<'info>,

    #[account(has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: AccountLoader<'info, Policy>,

    #[account(
        mut,
        has_one = policy @ SessionKeysError::SessionPolicyMismatch,
        close = rent_receiver,
    )]
    pub session: AccountLoader<'info, Session>,

    /// Gets the session's rent back; the admin chooses it (often the payer).
    #[account(mut)]
    pub rent_receiver: SystemAccount<'info>,
}

impl CloseSession<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let slot = Clock::get()?.slot;
        let policy = ctx.accounts.policy.load()?;
        let session = ctx.accounts.session.load()?;

        // A live session is never closed under its delegate's feet; under a
        // released policy nothing can approve, so every session is closable.
        let status = session.status(slot, policy.epoch);
        require!(
            status != SessionStatus::Active || !policy.is_active(),
            SessionKeysError::SessionStillLive
        );
        // Closing cannot let the id be reused: ids come only from
        // `policy.next_session_id`, which never goes back.

        emit!(SessionClosed {
            policy: ctx.accounts.policy.key(),
            session: ctx.accounts.session.key(),
            session_id: session.session_id,
            status,
            rent_receiver: ctx.accounts.rent_receiver.key(),
        });
        Ok(())
    }
}
