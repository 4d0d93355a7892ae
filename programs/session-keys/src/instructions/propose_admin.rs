use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::AdminProposed;
use crate::state::Policy;

#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: Box<Account<'info, Policy>>,
}

impl ProposeAdmin<'_> {
    /// `new_admin` = the default key cancels a pending proposal.
    pub fn handler(ctx: Context<Self>, new_admin: Pubkey) -> Result<()> {
        let policy = &mut ctx.accounts.policy;
        policy.propose_admin(new_admin);

        emit!(AdminProposed {
            policy: policy.key(),
            admin: policy.admin,
            pending_admin: new_admin,
        });
        Ok(())
    }
}
