use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::SessionRevoked;
use crate::state::Session;

/// The delegate gives up its own session (e.g. a bot shutting down, or a
/// delegate key it believes leaked). No policy account needed.
#[derive(Accounts)]
pub struct RenounceSession<'info> {
    pub delegate: Signer<'info>,

    #[account(mut, has_one = delegate @ SessionKeysError::NotDelegate)]
    pub session: AccountLoader<'info, Session>,
}

impl RenounceSession<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let mut session = ctx.accounts.session.load_mut()?;
        session.revoke()?;

        emit!(SessionRevoked {
            policy: session.policy,
            session: ctx.accounts.session.key(),
            session_id: session.session_id,
            revoked_by: ctx.accounts.delegate.key(),
        });
        Ok(())
    }
}
