use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::AllSessionsRevoked;
use crate::state::Policy;

#[derive(Accounts)]
pub struct RevokeAllSessions<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: Box<Account<'info, Policy>>,
}

impl RevokeAllSessions<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let policy = &mut ctx.accounts.policy;
        // Every session stores the epoch it was created in; they no longer match.
        let new_epoch = policy.bump_epoch()?;

        emit!(AllSessionsRevoked {
            policy: policy.key(),
            new_epoch,
        });
        Ok(())
    }
}
