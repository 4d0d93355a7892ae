use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::SessionRevoked;
use crate::state::{Policy, Session};

#[derive(Accounts)]
pub struct RevokeSession<'info> {
    pub admin: Signer<'info>,

    #[account(has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: AccountLoader<'info, Policy>,

    #[account(mut, has_one = policy @ SessionKeysError::SessionPolicyMismatch)]
    pub session: AccountLoader<'info, Session>,
}

impl RevokeSession<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let mut session = ctx.accounts.session.load_mut()?;
        session.revoke()?;

        emit!(SessionRevoked {
            policy: session.policy,
            session: ctx.accounts.session.key(),
            session_id: session.session_id,
            revoked_by: ctx.accounts.admin.key(),
        });
        Ok(())
    }
}
