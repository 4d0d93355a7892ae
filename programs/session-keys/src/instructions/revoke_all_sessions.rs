use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::AllSessionsRevoked;
use crate::state::Policy;

#[derive(Accounts)]
pub struct RevokeAllSessions<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: AccountLoader<'info, Policy>,
}

impl RevokeAllSessions<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let mut policy = ctx.accounts.policy.load_mut()?;
        // Every session stores the epoch it was created in; they no longer match.
        let new_epoch = policy.bump_epoch()?;

        emit!(AllSessionsRevoked {
            policy: ctx.accounts.policy.key(),
            new_epoch,
        });
        Ok(())
    }
}
