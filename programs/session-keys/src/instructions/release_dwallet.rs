use anchor_lang::prelude::*;

use crate::constants::SEED_CPI_AUTHORITY;
use crate::errors::SessionKeysError;
use crate::events::DwalletReleased;
use crate::ika;
use crate::program::SessionKeys;
use crate::state::Policy;

#[derive(Accounts)]
pub struct ReleaseDwallet<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: AccountLoader<'info, Policy>,

    /// CHECK: must be the policy's dWallet, owned by Ika; Ika writes the new
    /// authority; re-read and checked after the CPI.
    #[account(
        mut,
        address = policy.load()?.dwallet @ SessionKeysError::DwalletMismatch,
        constraint = dwallet.owner == &ika::ID @ SessionKeysError::DwalletOwnerMismatch,
    )]
    pub dwallet: UncheckedAccount<'info>,

    /// CHECK: Ika's dWallet program, the pinned id; the CPI goes to it.
    #[account(address = ika::ID @ SessionKeysError::InvalidDwalletProgram)]
    pub dwallet_program: UncheckedAccount<'info>,

    /// This program (Ika's `caller_program`).
    pub caller_program: Program<'info, SessionKeys>,

    /// CHECK: this program's CPI authority PDA, stored bump; signs the CPI.
    #[account(seeds = [SEED_CPI_AUTHORITY], bump = policy.load()?.cpi_authority_bump)]
    pub cpi_authority: UncheckedAccount<'info>,
}

impl ReleaseDwallet<'_> {
    pub fn handler(ctx: Context<Self>, new_authority: Pubkey) -> Result<()> {
        let policy_key = ctx.accounts.policy.key();
        let mut policy = ctx.accounts.policy.load_mut()?;
        require!(policy.is_active(), SessionKeysError::PolicyNotActive);
        require!(
            new_authority != Pubkey::default(),
            SessionKeysError::InvalidNewAuthority
        );
        // Releasing to ourselves would strand the dWallet: the policy would be
        // Released, yet no key could ever sign as the CPI authority to re-init.
        require!(
            new_authority != ctx.accounts.cpi_authority.key(),
            SessionKeysError::ReleaseToCpiAuthority
        );

        let dwallet = ctx.accounts.dwallet.to_account_info();
        let bump = [policy.cpi_authority_bump];
        let cpi_authority_seeds: [&[u8]; 2] = [SEED_CPI_AUTHORITY, &bump];
        ika::transfer_ownership_by_cpi(
            &ctx.accounts.dwallet_program.to_account_info(),
            &ctx.accounts.caller_program.to_account_info(),
            &ctx.accounts.cpi_authority.to_account_info(),
            &dwallet,
            &cpi_authority_seeds,
            &new_authority,
        )?;
        let after = ika::read_dwallet(&dwallet)?;
        require_keys_eq!(
            after.authority,
            new_authority,
            SessionKeysError::DwalletHandOverFailed
        );

        // Nothing approves through this policy again, unless the dWallet's
        // authority puts it back under control (`initialize_policy`).
        policy.release();

        emit!(DwalletReleased {
            policy: policy_key,
            dwallet: policy.dwallet,
            new_authority,
        });
        Ok(())
    }
}
