use anchor_lang::prelude::*;

use crate::cu_probe::cu_probe;
use crate::errors::SessionKeysError;
use crate::events::SolanaMessageApproved;
use crate::ika;
use super::approve_message::*;
use crate::keys::{key_copy, Aligned32};
use crate::solana_message::{self, Rules};
use crate::state::{
    close_buffer, Bound, MessageBuffer, Policy, Session, FLAG_ALLOW_DURABLE_NONCE,
    FORMAT_SOLANA,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ApproveSolanaArgs {
    /// As in `ApproveArgs`: passed to Ika as is.
    pub user_pubkey: [u8; 32],
    /// Bound into the binding hash.
    pub signature_nonce: [u8; 32],
    /// Must equal `session.nonce`.
    pub nonce: u64,
    /// Bump of Ika's MessageApproval PDA for (EddsaSha512, keccak256(message)).
    pub message_approval_bump: u8,
    /// The serialized Solana message (legacy or v0) the dWallet is to sign;
    /// empty when it comes from the message buffer.
    pub message: Vec<u8>,
}

/// The `solana` use path: `ApproveMessage`'s accounts, then the optional
/// message buffer. Served by the fast entrypoint in the deployed program,
/// with the same checks in the same order (`crate::entrypoint`).
#[derive(Accounts)]
pub struct ApproveSolanaMessage<'info> {
    pub base: ApproveMessage<'info>,

    /// The buffer holding the message when it is not in the arguments; closed
    /// here, its rent back to `base.payer`, which must be its payer.
    #[account(mut)]
    pub message_buffer: Option<AccountLoader<'info, MessageBuffer>>,
}

impl ApproveSolanaMessage<'_> {
    pub fn handler(ctx: Context<Self>, args: ApproveSolanaArgs) -> Result<()> {
        let a = &ctx.accounts.base;
        let fixed = VerifiedUse {
            user_pubkey: &args.user_pubkey,
            signature_nonce: &args.signature_nonce,
            nonce: args.nonce,
            message_approval_bump: args.message_approval_bump,
            message: &args.message,
        };
        handle_verified_use(a, &ctx.accounts.message_buffer, fixed, |policy, session, slot, u| {
            // borrowed here only: the CPI after this needs the dWallet unborrowed
            let dwallet_data = a.dwallet.try_borrow_data()?;
            use_solana_session(&a.policy.key(), policy, &a.session.key(), session, a.delegate.key, slot, &dwallet_data, u)
        })
    }
}

/// Anchor's handler of a verified use, either format (`ApproveSolanaMessage`
/// or `ApproveEvmTransaction`, the same accounts): the bytes from the
/// arguments (`fixed.message`) or the buffer, `apply` — the format's use
/// path, given the Policy, the Session, the slot and the use —, the Ika CPI,
/// then the buffer closed.
pub fn handle_verified_use<'info>(
    a: &ApproveMessage<'info>,
    message_buffer: &Option<AccountLoader<'info, MessageBuffer>>,
    fixed: VerifiedUse,
    apply: impl FnOnce(&Policy, &mut Session, u64, &VerifiedUse) -> Result<ika::ApproveMessageData>,
) -> Result<()> {
    let slot = Clock::get()?.slot;
    let buffer_info = message_buffer.as_ref().map(|b| b.to_account_info());
    let (cpi_authority_bump, data) = {
        let policy = a.policy.load()?;
        let mut session = a.session.load_mut()?;
        let buffer_data = match &buffer_info {
            Some(info) => Some(info.try_borrow_data()?),
            None => None,
        };
        let buffer = match message_buffer {
            Some(loader) => Some(*loader.load()?),
            None => None,
        };
        let message = message_source(
            fixed.message,
            buffer.as_ref().zip(buffer_data.as_ref().map(|d| &d[..])),
            &a.session.key(),
            a.payer.key,
        )?;
        let data = apply(&policy, &mut session, slot, &VerifiedUse { message, ..fixed })?;
        (policy.cpi_authority_bump, data)
    };
    ika::approve_message(&a.ika_accounts(), cpi_authority_bump, &data)?;
    if let Some(info) = buffer_info {
        let payer = a.payer.to_account_info();
        close_buffer(
            &mut **info.try_borrow_mut_lamports()?,
            &mut **payer.try_borrow_mut_lamports()?,
            &mut info.try_borrow_mut_data()?,
        )?;
    }
    Ok(())
}

/// Where the message is: the arguments or the buffer, exactly one of them
/// (`MessageSourceAmbiguous`); a buffer must be this session's
/// (`BufferSessionMismatch`), paid for by this payer (`BufferPayerMismatch`)
/// and complete (`BufferIncomplete`).
pub fn message_source<'m>(
    in_args: &'m [u8],
    buffer: Option<(&MessageBuffer, &'m [u8])>,
    session: &Pubkey,
    payer: &Pubkey,
) -> Result<&'m [u8]> {
    match buffer {
        None if !in_args.is_empty() => Ok(in_args),
        Some((buffer, data)) if in_args.is_empty() => {
            require_keys_eq!(buffer.session, *session, SessionKeysError::BufferSessionMismatch);
            require_keys_eq!(buffer.payer, *payer, SessionKeysError::BufferPayerMismatch);
            buffer.message(data)
        }
        _ => err!(SessionKeysError::MessageSourceAmbiguous),
    }
}

static NO_PROGRAM: Pubkey = Pubkey::new_from_array([0; 32]);
/// The metadata digest of an EdDSA use (none), and a `solana` use's
/// destination (none: the message digest binds its programs); 8-aligned.
static ZERO: Aligned32 = Aligned32([0; 32]);

/// The fixed arguments of a verified use (`solana` or `evm`) and the bytes
/// it approves: `ApproveSolanaArgs` and `ApproveEvmArgs` share this layout.
pub struct VerifiedUse<'a> {
    pub user_pubkey: &'a [u8; 32],
    pub signature_nonce: &'a [u8; 32],
    pub nonce: u64,
    pub message_approval_bump: u8,
    pub message: &'a [u8],
}

impl<'a> VerifiedUse<'a> {
    /// `ApproveSolanaArgs` or `ApproveEvmArgs` read in place from its Borsh bytes (the fast
    /// entrypoint): the message is borrowed, not copied. `None` where Borsh
    /// would fail (too short, a length past the data); trailing bytes are
    /// ignored, as Borsh does.
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        const MESSAGE: usize = 32 + 32 + 8 + 1 + 4;
        let len = u32::from_le_bytes(bytes.get(MESSAGE - 4..MESSAGE)?.try_into().ok()?) as usize;
        Some(Self {
            user_pubkey: bytes[0..32].try_into().ok()?,
            signature_nonce: bytes[32..64].try_into().ok()?,
            nonce: u64::from_le_bytes(bytes[64..72].try_into().ok()?),
            message_approval_bump: bytes[72],
            message: bytes.get(MESSAGE..MESSAGE.checked_add(len)?)?,
        })
    }
}

/// Everything the `solana` use path does before the Ika CPI, shared by
/// Anchor's handler and the fast entrypoint: the session checks, the message
/// read and its rules (docs/verified-sessions.md), the limits on the derived
/// amount, then one use consumed, the binding stored and
/// `SolanaMessageApproved` emitted. Returns the data of the Ika CPI.
#[allow(clippy::too_many_arguments)]
pub fn use_solana_session(
    policy_key: &Pubkey,
    policy: &Policy,
    session_key: &Pubkey,
    session: &mut Session,
    delegate: &Pubkey,
    slot: u64,
    dwallet_data: &[u8],
    u: &VerifiedUse,
) -> Result<ika::ApproveMessageData> {
    require!(
        session.format == FORMAT_SOLANA,
        SessionKeysError::WrongMessageFormat
    );
    session.check_session(policy_key, policy, delegate, slot, u.nonce, top_level())?;
    cu_probe!("solana: session checks");
    let dwallet_address = ika::dwallet_solana_address(dwallet_data)?;
    cu_probe!("solana: dWallet address");
    let rules = Rules {
        dwallet: dwallet_address,
        asset_mint: &session.asset_mint,
        allowed_programs: session.allowed_programs()?,
        allow_durable_nonce: session.allows(FLAG_ALLOW_DURABLE_NONCE),
    };
    let verdict = solana_message::verify(u.message, &rules)?;
    cu_probe!("solana: parse and rules");
    session.check_limits(policy, None, verdict.amount, ika::SCHEME_EDDSA_SHA512)?;
    cu_probe!("solana: limits");

    let message_digest = Aligned32(solana_keccak_hasher::hash(u.message).to_bytes());
    cu_probe!("solana: keccak256");
    // The programs, for the event.
    let mut programs: [&Pubkey; solana_message::MAX_PROGRAMS] = [&NO_PROGRAM; solana_message::MAX_PROGRAMS];
    let mut count = 0;
    for (slot, program) in programs.iter_mut().zip(verdict.programs()) {
        *slot = program;
        count += 1;
    }
    // No destination of its own: every program id is a static key of the
    // message, so the message digest already binds the programs.
    let bound = Bound {
        message_digest: &message_digest.0,
        message_metadata_digest: &ZERO.0,
        destination: &ZERO.0,
        signature_nonce: u.signature_nonce,
        amount: verdict.amount,
        nonce: u.nonce,
        signature_scheme: ika::SCHEME_EDDSA_SHA512,
    };
    let binding = bound.hash(policy_key, session.session_id);
    let remaining_uses = session.record_use(slot, verdict.amount, binding)?;
    cu_probe!("solana: binding and record");
    SolanaMessageApproved::log(
        &key_copy(session_key),
        u.nonce,
        &binding,
        remaining_uses,
        verdict.amount,
        &programs[..count],
    );
    cu_probe!("solana: event");
    Ok(ika::ApproveMessageData::eddsa(
        &message_digest.0,
        u.user_pubkey,
        u.message_approval_bump,
    ))
}
