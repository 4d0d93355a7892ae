use anchor_lang::prelude::*;

use crate::constants::CPI_AUTHORITY;
use crate::errors::SessionKeysError;
use crate::events::MessageApproved;
use crate::ika;
use crate::program::SessionKeys;
use crate::state::{binding_hash, Policy, Session};

/// `repr(C)`: the fields sit at their Borsh offsets, 8-aligned, so the fast
/// entrypoint copies them out of the instruction data word by word.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
#[repr(C)]
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
///
/// The deployed program serves this instruction from `crate::entrypoint`
/// without Anchor's account parsing, making the same checks in the same order
/// (listed there); this struct is what the IDL and clients see, and Anchor's
/// handler below runs the same `use_session` and CPI when the program is built
/// without that entrypoint.
#[derive(Accounts)]
pub struct ApproveMessage<'info> {
    pub delegate: Signer<'info>,

    /// Pays the rent of Ika's MessageApproval account.
    #[account(mut)]
    pub payer: Signer<'info>,

    /// Read-only: uses under one policy do not write-lock each other.
    pub policy: AccountLoader<'info, Policy>,

    #[account(mut)]
    pub session: AccountLoader<'info, Session>,

    /// CHECK: created by Ika; Ika checks it is its PDA for (dwallet, message_hash) and empty.
    #[account(mut)]
    pub message_approval: UncheckedAccount<'info>,

    /// CHECK: must be the policy's dWallet, still owned by the policy's dWallet
    /// program; Ika checks its authority is our CPI authority.
    #[account(
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
        let a = &ctx.accounts;
        let cpi_authority_bump = {
            let policy = a.policy.load()?;
            let mut session = a.session.load_mut()?;
            use_session(
                &a.policy.key(),
                &policy,
                &a.session.key(),
                &mut session,
                a.delegate.key,
                slot,
                &args,
            )?;
            policy.cpi_authority_bump
        };
        let accounts = ika::ApproveMessageAccounts {
            message_approval: ika::CpiAccount::from_account_info(&a.message_approval),
            dwallet: ika::CpiAccount::from_account_info(&a.dwallet),
            caller_program: ika::CpiAccount::from_account_info(&a.caller_program),
            cpi_authority: ika::CpiAccount::from_account_info(&a.cpi_authority),
            payer: ika::CpiAccount::from_account_info(&a.payer),
            system_program: ika::CpiAccount::from_account_info(&a.system_program),
        };
        ika::approve_message(a.dwallet_program.key, &accounts, cpi_authority_bump, &args)
    }
}

/// Everything the use path does before the Ika CPI, shared by Anchor's handler
/// and the fast entrypoint: every bound in SPEC order (`check_use`), then one
/// use and one nonce consumed, the binding stored and `MessageApproved` emitted.
pub fn use_session(
    policy_key: &Pubkey,
    policy: &Policy,
    session_key: &Pubkey,
    session: &mut Session,
    delegate: &Pubkey,
    slot: u64,
    args: &ApproveArgs,
) -> Result<()> {
    session.check_use(policy_key, policy, delegate, slot, args)?;
    let remaining_uses = session.record_use(slot, args.amount)?;
    let binding = binding_hash(&crate::ID, policy_key, session.session_id, args);
    session.last_binding = binding;

    MessageApproved {
        session: *session_key,
        nonce: args.nonce,
        binding,
        remaining_uses,
    }
    .log();
    Ok(())
}
