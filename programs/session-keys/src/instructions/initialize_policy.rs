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

    /// New, or a Released policy of the same dWallet and init authority being
    /// taken back under control (the handler refuses an Active one). Either
    /// way only the dWallet's current authority gets here.
    #[account(
        init_if_needed,
        payer = payer,
        space = Policy::LEN,
        seeds = [SEED_POLICY, dwallet.key().as_ref(), &init_authority_hash(&init_authority.key())],
        bump,
    )]
    pub policy: AccountLoader<'info, Policy>,

    /// CHECK: owned by Ika; discriminator, version, curve, state and
    /// authority are checked in the handler (`ika::read_dwallet`); Ika writes it.
    #[account(mut)]
    pub dwallet: UncheckedAccount<'info>,

    /// CHECK: Ika's dWallet program, the pinned id: no other program receives
    /// the hand-over CPI or may own a dWallet under a policy.
    #[account(address = ika::ID @ SessionKeysError::InvalidDwalletProgram)]
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
        let init_authority = ctx.accounts.init_authority.key();
        let cpi_authority = ctx.accounts.cpi_authority.key();

        // Only the dWallet's current authority may put an Active dWallet of a
        // known curve under a policy.
        let before = ika::read_dwallet(&dwallet)?;
        require_keys_eq!(
            before.authority,
            init_authority,
            SessionKeysError::WrongDwalletAuthority
        );
        require!(before.is_active(), SessionKeysError::DwalletNotActive);

        // A fresh account's discriminator is still zero (Anchor writes it on
        // exit); anything else is an existing Policy, which Anchor has already
        // checked is ours and of this type.
        let policy_key = ctx.accounts.policy.key();
        let is_new = ctx.accounts.policy.to_account_info().try_borrow_data()?[..8] == [0; 8];
        let epoch = if is_new {
            let mut policy = ctx.accounts.policy.load_init()?;
            *policy = Policy {
                dwallet: dwallet.key(),
                admin: args.admin,
                pending_admin: Pubkey::default(),
                init_authority_hash: init_authority_hash(&init_authority),
                next_session_id: 0,
                epoch: 0,
                curve: before.curve as u16,
                status: PolicyStatus::Active as u8,
                bump: ctx.bumps.policy,
                cpi_authority_bump: ctx.bumps.cpi_authority,
                reserved: [0; 3],
            };
            0
        } else {
            ctx.accounts
                .policy
                .load_mut()?
                .reactivate(args.admin, before.curve)?
        };

        // Atomic hand-over: the policy is Active only from the moment our CPI
        // authority holds the dWallet, so no dormant policy can wake up later.
        ika::transfer_ownership_by_signer(
            &ctx.accounts.dwallet_program.to_account_info(),
            &ctx.accounts.init_authority.to_account_info(),
            &dwallet,
            &cpi_authority,
        )?;
        // Do not trust the callee: the dWallet must now name our CPI authority.
        let after = ika::read_dwallet(&dwallet)?;
        require_keys_eq!(
            after.authority,
            cpi_authority,
            SessionKeysError::DwalletHandOverFailed
        );

        emit!(PolicyInitialized {
            policy: policy_key,
            dwallet: dwallet.key(),
            curve: before.curve as u16,
            init_authority,
            admin: args.admin,
            epoch,
        });
        Ok(())
    }
}
