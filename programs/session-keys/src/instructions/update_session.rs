use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::events::SessionUpdated;
use crate::state::{Policy, Session};

/// Each `Some` field replaces that limit; `None` keeps it. At least one must be set.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateSessionArgs {
    /// >= the current slot.
    pub expiry_slot: Option<u64>,
    /// >= 1 and >= `session.uses`.
    pub max_uses: Option<u32>,
    pub max_amount_per_tx: Option<u128>,
    /// >= `session.spent`; `u128::MAX` for none.
    pub max_total_amount: Option<u128>,
    /// A non-empty subset of the dWallet curve's schemes (bit `i` = scheme `i`).
    pub allowed_schemes: Option<u8>,
    /// 1..=8 distinct programs, none the default key; replaces the whole list.
    pub allowed_programs: Option<Vec<Pubkey>>,
}

impl UpdateSessionArgs {
    pub fn is_empty(&self) -> bool {
        self.expiry_slot.is_none()
            && self.max_uses.is_none()
            && self.max_amount_per_tx.is_none()
            && self.max_total_amount.is_none()
            && self.allowed_schemes.is_none()
            && self.allowed_programs.is_none()
    }
}

#[derive(Accounts)]
pub struct UpdateSession<'info> {
    pub admin: Signer<'info>,

    #[account(has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: AccountLoader<'info, Policy>,

    #[account(mut, has_one = policy @ SessionKeysError::SessionPolicyMismatch)]
    pub session: AccountLoader<'info, Session>,
}

impl UpdateSession<'_> {
    pub fn handler(ctx: Context<Self>, args: UpdateSessionArgs) -> Result<()> {
        let slot = Clock::get()?.slot;
        let policy = ctx.accounts.policy.load()?;
        require!(policy.is_active(), SessionKeysError::PolicyNotActive);

        let mut session = ctx.accounts.session.load_mut()?;
        session.apply_update(&policy, slot, &args)?;

        emit!(SessionUpdated {
            policy: ctx.accounts.policy.key(),
            session: ctx.accounts.session.key(),
            session_id: session.session_id,
            expiry_slot: session.expiry_slot,
            max_uses: session.max_uses,
            max_amount_per_tx: session.max_amount_per_tx(),
            max_total_amount: session.max_total_amount(),
            allowed_schemes: session.allowed_schemes,
            allowed_programs: session.allowed_programs()?.to_vec(),
        });
        Ok(())
    }
}
