use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::SessionRevoked;
use crate::state::{Policy, Session};

#[derive(Accounts)]
pub struct RevokeSession<'info> {
    pub admin: Signer<'info>,

    #[account(has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: Box<Account<'info, Policy>>,

    #[account(mut, has_one = policy @ SessionKeysError::SessionPolicyMismatch)]
    pub session: Box<Account<'info, Session>>,
}

impl RevokeSession<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let session = &mut ctx.accounts.session;
        session.revoke()?;

        emit!(SessionRevoked {
            policy: session.policy,
            session: session.key(),
            session_id: session.session_id,
            revoked_by: ctx.accounts.admin.key(),
        });
        Ok(())
    }
}
