use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::AdminProposed;
use crate::state::Policy;

#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: AccountLoader<'info, Policy>,
}

impl ProposeAdmin<'_> {
    /// `new_admin` = the default key cancels a pending proposal.
    pub fn handler(ctx: Context<Self>, new_admin: Pubkey) -> Result<()> {
        let mut policy = ctx.accounts.policy.load_mut()?;
        policy.propose_admin(new_admin);

        emit!(AdminProposed {
            policy: ctx.accounts.policy.key(),
            admin: policy.admin,
            pending_admin: new_admin,
        });
        Ok(())
    }
}
