use anchor_lang::prelude::*;

use crate::constants::CPI_AUTHORITY;
use crate::cu_probe::cu_probe;
use crate::errors::SessionKeysError;
use crate::events::MessageApproved;
use crate::ika;
use crate::keys::key_copy;
use crate::state::{binding_hash, Policy, Session, Use, FORMAT_OPAQUE};

/// `repr(C)`: every field sits at its Borsh offset, the 8-byte ones 8-aligned
/// (asserted below), so the fast entrypoint reads the arguments in place and
/// their keys compare and copy word by word.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct ApproveArgs {
    /// The key allowed to request the signature from Ika's network; passed as
    /// is. First, so that the fields the binding hash takes follow it as one run.
    pub user_pubkey: [u8; 32],
    /// keccak256 of the message to sign (Ika's `message_digest`).
    pub message_digest: [u8; 32],
    /// keccak256 of the scheme's metadata, or zero when it has none (only the
    /// Blake2b and Schnorrkel schemes use metadata). Passed to Ika; bound.
    pub message_metadata_digest: [u8; 32],
    /// Program the signed message is for, as declared; must be in the session allowlist.
    pub destination_program: Pubkey,
    /// The signing nonce of the message (bound into the binding hash).
    pub signature_nonce: [u8; 32],
    /// Value the signed message moves, as declared by the delegate (u128
    /// little-endian); bounded by the session and bound into the binding hash.
    pub amount: [u8; 16],
    /// Must equal `session.nonce` (starts at 0, +1 per use).
    pub nonce: u64,
    /// Ika `DWalletSignatureScheme` (0..=6, `ika::SCHEME_*`): one the dWallet's
    /// curve signs and the session allows.
    pub signature_scheme: u16,
    /// Bump of Ika's MessageApproval PDA (docs/ika.md: rooted in the dWallet's
    /// curve and public key, then scheme, digest and metadata digest).
    pub message_approval_bump: u8,
}

impl ApproveArgs {
    /// Bytes of the Borsh encoding (the struct has 5 more, of tail padding).
    pub const BORSH_LEN: usize = 32 * 5 + 16 + 8 + 2 + 1;

    /// `message_digest || message_metadata_digest || destination_program ||
    /// signature_nonce || amount || nonce || signature_scheme`, integers
    /// little-endian, as the binding hash takes them: bytes 32..186 of the
    /// struct, which `repr(C)` lays out exactly so (offsets asserted below) on
    /// a little-endian target (SBF and the hosts we test on; asserted too).
    pub fn bound_fields(&self) -> &BoundFields {
        // SAFETY: bytes 32..186 of `self` are seven fields with no padding
        // between them (offsets asserted below); any bytes are valid.
        unsafe { &*((self as *const Self as *const u8).add(32) as *const BoundFields) }
    }

    pub fn amount(&self) -> u128 {
        crate::state::amount(&self.amount)
    }
}

/// The 154 bytes of a use the binding hash takes after the session id.
pub type BoundFields = [u8; BOUND_FIELDS_LEN];
pub const BOUND_FIELDS_LEN: usize = 32 * 4 + 16 + 8 + 2;

#[cfg(not(target_endian = "little"))]
compile_error!("ApproveArgs::bound_fields reads integers in memory order: little-endian only");
const _: () = {
    use std::mem::offset_of;
    assert!(offset_of!(ApproveArgs, user_pubkey) == 0);
    assert!(offset_of!(ApproveArgs, message_digest) == 32);
    assert!(offset_of!(ApproveArgs, message_metadata_digest) == 64);
    assert!(offset_of!(ApproveArgs, destination_program) == 96);
    assert!(offset_of!(ApproveArgs, signature_nonce) == 128);
    assert!(offset_of!(ApproveArgs, amount) == 160);
    assert!(offset_of!(ApproveArgs, nonce) == 176);
    assert!(offset_of!(ApproveArgs, signature_scheme) == 184);
    assert!(offset_of!(ApproveArgs, message_approval_bump) == 186);
    assert!(32 + BOUND_FIELDS_LEN == 186);
    assert!(std::mem::size_of::<ApproveArgs>() == 192);
};

/// The use path. Policy and session are not re-derived from seeds: an account
/// owned by this program with the Policy/Session discriminator can only have
/// been created by this program at its PDA, and the session→policy link is a
/// field check (`check_use`, docs/spec.md step 1). That saves two PDA derivations per use.
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

    /// CHECK: Ika's DWalletCoordinator, a pinned address (Ika reads its epoch
    /// and checks its owner and discriminator, not its address).
    #[account(address = ika::COORDINATOR @ SessionKeysError::InvalidCoordinator)]
    pub coordinator: UncheckedAccount<'info>,

    /// CHECK: created by Ika; Ika checks it is its empty MessageApproval PDA
    /// for (dWallet, scheme, digest, metadata digest) with the bump given.
    #[account(mut)]
    pub message_approval: UncheckedAccount<'info>,

    /// CHECK: must be the policy's dWallet, owned by Ika; Ika checks its
    /// state and that its authority is our CPI authority.
    #[account(
        address = policy.load()?.dwallet @ SessionKeysError::DwalletMismatch,
        constraint = dwallet.owner == &ika::ID @ SessionKeysError::DwalletOwnerMismatch,
    )]
    pub dwallet: UncheckedAccount<'info>,

    /// CHECK: Ika's dWallet program, the pinned id; the CPI goes to it.
    #[account(address = ika::ID @ SessionKeysError::InvalidDwalletProgram)]
    pub dwallet_program: UncheckedAccount<'info>,

    /// CHECK: this program (Ika's `caller_program`). Its address alone is
    /// checked: the account at our own id is executable, so `Program`'s
    /// executable check would add nothing but compute units.
    #[account(address = crate::ID @ anchor_lang::error::ErrorCode::InvalidProgramId)]
    pub caller_program: UncheckedAccount<'info>,

    /// CHECK: this program's CPI authority: a constant address (constants.rs,
    /// pinned to the PDA by a host test), so no derivation on the use path;
    /// signs the CPI with the bump stored in the Policy.
    #[account(address = CPI_AUTHORITY @ SessionKeysError::InvalidCpiAuthority)]
    pub cpi_authority: UncheckedAccount<'info>,

    /// CHECK: the System program (Ika creates the MessageApproval through it);
    /// by address, as `caller_program`.
    #[account(address = anchor_lang::system_program::ID @ anchor_lang::error::ErrorCode::InvalidProgramId)]
    pub system_program: UncheckedAccount<'info>,
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
        ika::approve_message(&a.ika_accounts(), cpi_authority_bump, &ika::ApproveMessageData::new(&args))
    }

    /// The accounts of the Ika CPI, from this instruction's (both use paths).
    pub fn ika_accounts(&self) -> ika::ApproveMessageAccounts<'_> {
        ika::ApproveMessageAccounts {
            coordinator: ika::CpiAccount::from_account_info(&self.coordinator),
            message_approval: ika::CpiAccount::from_account_info(&self.message_approval),
            dwallet: ika::CpiAccount::from_account_info(&self.dwallet),
            cpi_authority: ika::CpiAccount::from_account_info(&self.cpi_authority),
            payer: ika::CpiAccount::from_account_info(&self.payer),
            caller_program: self.caller_program.key,
            system_program: self.system_program.key,
        }
    }
}

/// Whether this instruction runs at the transaction's top level (not inside
/// another program's CPI): `sol_get_stack_height`, 1 at the top.
pub fn top_level() -> bool {
    anchor_lang::solana_program::instruction::get_stack_height()
        <= anchor_lang::solana_program::instruction::TRANSACTION_LEVEL_STACK_HEIGHT
}

/// Everything the opaque use path does before the Ika CPI, shared by Anchor's
/// handler and the fast entrypoint: every bound in the spec's order
/// (`check_use`), then one use and one nonce consumed, the binding stored
/// and `MessageApproved` emitted.
pub fn use_session(
    policy_key: &Pubkey,
    policy: &Policy,
    session_key: &Pubkey,
    session: &mut Session,
    delegate: &Pubkey,
    slot: u64,
    args: &ApproveArgs,
) -> Result<()> {
    require!(
        session.format == FORMAT_OPAQUE,
        SessionKeysError::WrongMessageFormat
    );
    let amount = args.amount();
    let u = Use {
        nonce: args.nonce,
        top_level: top_level(),
        destination_program: Some(&args.destination_program),
        amount,
        signature_scheme: args.signature_scheme,
    };
    session.check_use(policy_key, policy, delegate, slot, &u)?;
    cu_probe!("check_use");
    let binding = binding_hash(policy_key, session.session_id, args.bound_fields());
    let remaining_uses = session.record_use(slot, amount, binding)?;
    cu_probe!("use record and binding hash");

    MessageApproved {
        session: key_copy(session_key),
        nonce: args.nonce,
        binding,
        remaining_uses,
        amount,
    }
    .log();
    cu_probe!("event");
    Ok(())
}
