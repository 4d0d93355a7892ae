use anchor_lang::prelude::*;

use crate::constants::{CPI_AUTHORITY, SEED_CPI_AUTHORITY};
use crate::errors::SessionKeysError;
use crate::events::MessageApproved;
use crate::ika;
use crate::program::SessionKeys;
use crate::state::{binding_hash, Policy, Session};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ApproveArgs {
    /// Must equal `session.nonce` (starts at 0, +1 per use).
    pub nonce: u64,
    /// keccak256 of the message to sign (Ika's `message_hash`).
    pub message_digest: [u8; 32],
    /// Value the signed message moves, as declared by the delegate; bounded by
    /// the session and bound into the binding hash.
    pub amount: u64,
    /// Program the signed message is for; must be in the session allowlist.
    pub destination_program: Pubkey,
    /// The signing nonce of the message (bound into the binding hash).
    pub signature_nonce: [u8; 32],
    /// Passed to Ika as is.
    pub user_pubkey: [u8; 32],
    /// Ika scheme: 0 Ed25519, 1 Secp256k1, 2 Secp256r1; must be allowed by the session.
    pub signature_scheme: u8,
    /// Bump of Ika's MessageApproval PDA `["message_approval", dwallet, message_digest]`.
    pub message_approval_bump: u8,
}

/// The use path. Policy and session are not re-derived from seeds: an account
/// owned by this program with the Policy/Session discriminator can only have
/// been created by this program at its PDA, and the session→policy link is a
/// field check (`check_use`, SPEC step 1). That saves two PDA derivations per use.
#[derive(Accounts)]
pub struct ApproveMessage<'info> {
    pub delegate: Signer<'info>,

    /// Pays the rent of Ika's MessageApproval account.
    #[account(mut)]
    pub payer: Signer<'info>,

    /// Read-only: uses under one policy do not write-lock each other.
    pub policy: Box<Account<'info, Policy>>,

    #[account(mut)]
    pub session: Box<Account<'info, Session>>,

    /// CHECK: created by Ika; Ika checks it is its PDA for (dwallet, message_hash) and empty.
    #[account(mut)]
    pub message_approval: UncheckedAccount<'info>,

    /// CHECK: must be the policy's dWallet, still owned by the policy's dWallet
    /// program; Ika checks its authority is our CPI authority.
    #[account(
        address = policy.dwallet @ SessionKeysError::DwalletMismatch,
        constraint = dwallet.owner == &policy.dwallet_program @ SessionKeysError::DwalletOwnerMismatch,
    )]
    pub dwallet: UncheckedAccount<'info>,

    /// CHECK: must be the policy's dWallet program, and executable.
    #[account(
        address = policy.dwallet_program @ SessionKeysError::DwalletProgramMismatch,
        constraint = dwallet_program.executable @ SessionKeysError::InvalidDwalletProgram,
    )]
    pub dwallet_program: UncheckedAccount<'info>,

    /// This program (Ika's `caller_program`).
    pub caller_program: Program<'info, SessionKeys>,

    /// CHECK: this program's CPI authority: a constant address (constants.rs,
    /// pinned to the PDA by a host test), so no derivation on the use path;
    /// signs the CPI with the bump stored in the Policy.
    #[account(address = CPI_AUTHORITY @ SessionKeysError::InvalidCpiAuthority)]
    pub cpi_authority: UncheckedAccount<'info>,

    pub system_program: Program<'info, System>,
}

impl ApproveMessage<'_> {
    pub fn handler(ctx: Context<Self>, args: ApproveArgs) -> Result<()> {
        let slot = Clock::get()?.slot;
        let policy = &ctx.accounts.policy;
        let policy_key = policy.key();
        let session = &mut ctx.accounts.session;

        // Every bound, in SPEC order; then consume one use and one nonce.
        session.check_use(&policy_key, policy, ctx.accounts.delegate.key, slot, &args)?;
        let remaining_uses = session.record_use(slot, args.amount)?;
        let binding = binding_hash(&crate::ID, &policy_key, session.session_id, &args);
        session.last_binding = binding;

        emit!(MessageApproved {
            policy: policy_key,
            session: session.key(),
            session_id: session.session_id,
            delegate: session.delegate,
            nonce: args.nonce,
            message_digest: args.message_digest,
            amount: args.amount,
            destination_program: args.destination_program,
            signature_scheme: args.signature_scheme,
            binding,
            remaining_uses,
            slot,
        });

        let bump = [policy.cpi_authority_bump];
        let cpi_authority_seeds: [&[u8]; 2] = [SEED_CPI_AUTHORITY, &bump];
        ika::approve_message(
            &ika::ApproveMessageAccounts {
                dwallet_program: &ctx.accounts.dwallet_program.to_account_info(),
                message_approval: &ctx.accounts.message_approval.to_account_info(),
                dwallet: &ctx.accounts.dwallet.to_account_info(),
                caller_program: &ctx.accounts.caller_program.to_account_info(),
                cpi_authority: &ctx.accounts.cpi_authority.to_account_info(),
                payer: &ctx.accounts.payer.to_account_info(),
                system_program: &ctx.accounts.system_program.to_account_info(),
            },
            &cpi_authority_seeds,
            args.message_approval_bump,
            &args.message_digest,
            &args.user_pubkey,
            args.signature_scheme,
        )
    }
}
