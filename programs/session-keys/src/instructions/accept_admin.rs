use anchor_lang::prelude::*;

use crate::events::AdminChanged;
use crate::state::Policy;

#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// Checked against `policy.pending_admin` in `Policy::accept_admin`.
    pub new_admin: Signer<'info>,

    #[account(mut)]
    pub policy: AccountLoader<'info, Policy>,
}

impl AcceptAdmin<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let new_admin = ctx.accounts.new_admin.key();
        let mut policy = ctx.accounts.policy.load_mut()?;
        let old_admin = policy.accept_admin(&new_admin)?;

        emit!(AdminChanged {
            policy: ctx.accounts.policy.key(),
            old_admin,
            new_admin,
        });
        Ok(())
    }
}
