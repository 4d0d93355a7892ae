use anchor_lang::prelude::*;

use crate::constants::{SEED_CPI_AUTHORITY, SEED_POLICY};
use crate::errors::SessionKeysError;
use crate::events::PolicyInitialized;
use crate::ika;
use crate::state::{init_authority_hash, Policy, PolicyStatus};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializePolicyArgs {
    /// Who will administer sessions (may equal `init_authority`).
    pub admin: Pubkey,
}

#[derive(Accounts)]
pub struct InitializePolicy<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,

    /// The dWallet's current authority. Checked against the dWallet account in
    /// the handler; its key hash is a seed, so nobody else can take this address.
    pub init_authority: Signer<'info>,

    #[account(
        init,
        payer = payer,
        space = Policy::LEN,
        seeds = [SEED_POLICY, dwallet.key().as_ref(), &init_authority_hash(&init_authority.key())],
        bump,
    )]
    pub policy: AccountLoader<'info, Policy>,

    /// CHECK: owned by `dwallet_program`, discriminator, version and authority
    /// are checked in the handler (`ika::read_dwallet_authority`); Ika writes it.
    #[account(mut)]
    pub dwallet: UncheckedAccount<'info>,

    /// CHECK: any executable program; it becomes `policy.dwallet_program` and the
    /// dWallet account must be owned by it (handler). A fake program can only
    /// control fake dWallets it owns.
    #[account(constraint = dwallet_program.executable @ SessionKeysError::InvalidDwalletProgram)]
    pub dwallet_program: UncheckedAccount<'info>,

    /// CHECK: this program's Ika CPI authority PDA (seeds checked here); no data.
    #[account(seeds = [SEED_CPI_AUTHORITY], bump)]
    pub cpi_authority: UncheckedAccount<'info>,

    pub system_program: Program<'info, System>,
}

impl InitializePolicy<'_> {
    pub fn handler(ctx: Context<Self>, args: InitializePolicyArgs) -> Result<()> {
        require!(
            args.admin != Pubkey::default(),
            SessionKeysError::InvalidAdmin
        );

        let dwallet = ctx.accounts.dwallet.to_account_info();
        let dwallet_program = ctx.accounts.dwallet_program.key();
        let init_authority = ctx.accounts.init_authority.key();
        let cpi_authority = ctx.accounts.cpi_authority.key();

        // Only the dWallet's current authority may put it under a policy.
        let current = ika::read_dwallet_authority(&dwallet, &dwallet_program)?;
        require_keys_eq!(
            current,
            init_authority,
            SessionKeysError::WrongDwalletAuthority
        );

        // Atomic hand-over: the policy exists only from the moment our CPI
        // authority holds the dWallet, so no dormant policy can wake up later.
        ika::transfer_ownership_by_signer(
            &ctx.accounts.dwallet_program.to_account_info(),
            &ctx.accounts.init_authority.to_account_info(),
            &dwallet,
            &cpi_authority,
        )?;
        // Do not trust the callee: the dWallet must now name our CPI authority.
        let after = ika::read_dwallet_authority(&dwallet, &dwallet_program)?;
        require_keys_eq!(
            after,
            cpi_authority,
            SessionKeysError::DwalletHandOverFailed
        );

        let policy_key = ctx.accounts.policy.key();
        let mut policy = ctx.accounts.policy.load_init()?;
        *policy = Policy {
            dwallet: dwallet.key(),
            dwallet_program,
            admin: args.admin,
            pending_admin: Pubkey::default(),
            init_authority_hash: init_authority_hash(&init_authority),
            next_session_id: 0,
            epoch: 0,
            status: PolicyStatus::Active as u8,
            bump: ctx.bumps.policy,
            cpi_authority_bump: ctx.bumps.cpi_authority,
            reserved: [0; 5],
        };

        emit!(PolicyInitialized {
            policy: policy_key,
            dwallet: dwallet.key(),
            dwallet_program,
            init_authority,
            admin: args.admin,
        });
        Ok(())
    }
}
