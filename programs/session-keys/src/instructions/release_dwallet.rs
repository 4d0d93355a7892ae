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

    /// CHECK: must be the policy's dWallet, owned by its dWallet program; Ika
    /// writes the new authority; re-read and checked after the CPI.
    #[account(
        mut,
        address = policy.load()?.dwallet @ SessionKeysError::DwalletMismatch,
        constraint = dwallet.owner == &policy.load()?.dwallet_program @ SessionKeysError::DwalletOwnerMismatch,
    )]
    pub dwallet: UncheckedAccount<'info>,

    /// CHECK: must be the policy's dWallet program, and executable.
    #[account(
        address = policy.load()?.dwallet_program @ SessionKeysError::DwalletProgramMismatch,
        constraint = dwallet_program.executable @ SessionKeysError::InvalidDwalletProgram,
    )]
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
        let after = ika::read_dwallet_authority(&dwallet, &policy.dwallet_program)?;
        require_keys_eq!(
            after,
            new_authority,
            SessionKeysError::DwalletHandOverFailed
        );

        // Terminal: nothing approves through this policy again.
        policy.release();

        emit!(DwalletReleased {
            policy: policy_key,
            dwallet: policy.dwallet,
            new_authority,
        });
        Ok(())
    }
}
