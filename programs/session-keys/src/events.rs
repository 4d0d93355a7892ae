//! Events, past tense, one per state change. Emitted with `emit!` (program log).

use anchor_lang::prelude::*;

use crate::keys::key_copy;
use crate::state::SessionStatus;

#[event]
pub struct PolicyInitialized {
    pub policy: Pubkey,
    pub dwallet: Pubkey,
    /// The dWallet's curve (`ika::Curve` as u16).
    pub curve: u16,
    pub init_authority: Pubkey,
    pub admin: Pubkey,
    /// 0 for a new policy; the new epoch when a released one is reactivated
    /// (every session of its earlier life is then stale).
    pub epoch: u64,
}

#[event]
pub struct SessionCreated {
    pub policy: Pubkey,
    pub session: Pubkey,
    pub session_id: u32,
    pub delegate: Pubkey,
    pub epoch: u64,
    pub expiry_slot: u64,
    pub max_uses: u32,
    pub max_amount_per_tx: u128,
    pub max_total_amount: u128,
    pub allowed_schemes: u8,
    pub allowed_programs: Vec<Pubkey>,
    pub format: u8,
    pub asset_mint: Pubkey,
    pub flags: u8,
    pub evm: Option<crate::instructions::EvmLimits>,
}

/// One opaque use. Kept small on purpose: the use path pays 1 CU per byte
/// logged. The rest of the use (message digest, destination, signature nonce
/// and scheme) is in the instruction's arguments, which the IDL decodes, and
/// `binding` commits to all of it together with the policy and session id.
/// Logged by `MessageApproved::log`, byte for byte what `emit!` would write.
#[event]
pub struct MessageApproved {
    pub session: Pubkey,
    /// The nonce this use consumed (the session nonce is now `nonce + 1`).
    pub nonce: u64,
    /// `binding_hash(...)` of this use, also stored in `session.recent_bindings`.
    pub binding: [u8; 32],
    pub remaining_uses: u32,
    /// The amount the delegate declared.
    pub amount: u128,
}

/// One `solana` use, with what the program derived from the message
/// (docs/verified-sessions.md). Logged by `SolanaMessageApproved::log`.
#[event]
pub struct SolanaMessageApproved {
    pub session: Pubkey,
    pub nonce: u64,
    pub binding: [u8; 32],
    pub remaining_uses: u32,
    /// What the message moves out of the dWallet in the session's asset.
    pub amount: u128,
    /// The programs the message calls, each once, in order of first call.
    pub programs: Vec<Pubkey>,
}

/// One `evm` use, with what the program derived from the transaction
/// (docs/verified-sessions.md, "EVM sessions").
#[event]
pub struct EvmTransactionApproved {
    pub session: Pubkey,
    pub nonce: u64,
    pub binding: [u8; 32],
    pub remaining_uses: u32,
    /// What the transaction moves in the session's asset (wei or ERC-20 units).
    pub amount: u128,
    pub chain_id: u64,
    /// The transaction's `to`.
    pub to: [u8; 20],
}

/// A `MessageApproved` as logged: discriminator, then its Borsh fields (100
/// bytes, `bytes()`). `repr(C)` puts each field at its Borsh offset with the
/// 32-byte ones 8-aligned, so building it copies words, not bytes.
#[repr(C)]
pub struct MessageApprovedLog {
    discriminator: [u8; 8],
    session: Pubkey,
    nonce: u64,
    binding: [u8; 32],
    remaining_uses: u32,
    amount: [u8; 16],
}
/// `MessageApproved::DISCRIMINATOR` (Anchor's 8 bytes) as an array.
const MESSAGE_APPROVED_DISCRIMINATOR: [u8; 8] = array8(MessageApproved::DISCRIMINATOR);
const MESSAGE_APPROVED_LOG_LEN: usize = 8 + 32 + 8 + 32 + 4 + 16;
const _: () = assert!(
    std::mem::offset_of!(MessageApprovedLog, amount) + 16 == MESSAGE_APPROVED_LOG_LEN
);
#[cfg(not(target_endian = "little"))]
compile_error!("MessageApprovedLog holds integers in memory order: little-endian only");

const fn array8(d: &[u8]) -> [u8; 8] {
    [d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]
}

impl MessageApprovedLog {
    /// The logged bytes (the struct's tail padding excluded).
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the fields fill the first 100 bytes with no padding between them.
        unsafe {
            std::slice::from_raw_parts(self as *const Self as *const u8, MESSAGE_APPROVED_LOG_LEN)
        }
    }
}

impl MessageApproved {
    /// The bytes `emit!` would log, built on the stack instead of in a `Vec`.
    pub fn to_log(&self) -> MessageApprovedLog {
        MessageApprovedLog {
            discriminator: MESSAGE_APPROVED_DISCRIMINATOR,
            session: self.session,
            nonce: self.nonce,
            binding: self.binding,
            remaining_uses: self.remaining_uses,
            amount: self.amount.to_le_bytes(),
        }
    }

    /// What `emit!` does: one `sol_log_data` of `to_log()`.
    pub fn log(&self) {
        anchor_lang::solana_program::log::sol_log_data(&[self.to_log().bytes()]);
    }
}

/// A `SolanaMessageApproved` as logged (discriminator, then Borsh),
/// `repr(C)` so every field sits at its Borsh offset and the 32-byte ones
/// 8-aligned: built by word copies, logged as its first `len()` bytes.
#[repr(C)]
pub struct SolanaMessageApprovedLog {
    discriminator: [u8; 8],
    session: Pubkey,
    nonce: u64,
    binding: [u8; 32],
    remaining_uses: u32,
    amount: [u8; 16],
    programs_len: u32,
    /// The first `programs_len` are written; only they are logged.
    programs: core::mem::MaybeUninit<[Pubkey; crate::solana_message::MAX_PROGRAMS]>,
}
const _: () = {
    use std::mem::offset_of;
    assert!(offset_of!(SolanaMessageApprovedLog, remaining_uses) == 80);
    assert!(offset_of!(SolanaMessageApprovedLog, amount) == 84);
    assert!(offset_of!(SolanaMessageApprovedLog, programs_len) == 100);
    assert!(offset_of!(SolanaMessageApprovedLog, programs) == 104);
};

impl SolanaMessageApprovedLog {
    /// The logged bytes: the fixed fields and `programs_len` programs.
    pub fn bytes(&self) -> &[u8] {
        let len = 104 + 32 * (self.programs_len as usize).min(crate::solana_message::MAX_PROGRAMS);
        // SAFETY: the fields up to `programs` fill 104 bytes with no padding,
        // and the first `programs_len` keys of `programs` are written.
        unsafe { std::slice::from_raw_parts(self as *const Self as *const u8, len) }
    }
}

impl SolanaMessageApproved {
    /// Hands `f` the bytes `emit!` of this event would log, built on the
    /// stack from the use's values (at most 9 programs, so at most 392
    /// bytes; built in place, never moved).
    #[inline(always)]
    pub fn with_log(
        session: &Pubkey,
        nonce: u64,
        binding: &[u8; 32],
        remaining_uses: u32,
        amount: u128,
        programs: &[&Pubkey],
        f: impl FnOnce(&[u8]),
    ) {
        let mut log = SolanaMessageApprovedLog {
            discriminator: array8(SolanaMessageApproved::DISCRIMINATOR),
            session: key_copy(session),
            nonce,
            binding: *binding,
            remaining_uses,
            amount: amount.to_le_bytes(),
            programs_len: programs.len().min(crate::solana_message::MAX_PROGRAMS) as u32,
            programs: core::mem::MaybeUninit::uninit(),
        };
        let slots = log.programs.as_mut_ptr() as *mut Pubkey;
        for (i, program) in programs.iter().take(crate::solana_message::MAX_PROGRAMS).enumerate() {
            // SAFETY: i < MAX_PROGRAMS, inside the array.
            unsafe { slots.add(i).write(key_copy(program)) };
        }
        f(log.bytes())
    }

    /// What `emit!` does: one `sol_log_data`.
    pub fn log(session: &Pubkey, nonce: u64, binding: &[u8; 32], remaining_uses: u32, amount: u128, programs: &[&Pubkey]) {
        Self::with_log(session, nonce, binding, remaining_uses, amount, programs, |bytes| {
            anchor_lang::solana_program::log::sol_log_data(&[bytes])
        });
    }
}

#[event]
pub struct SessionUpdated {
    pub policy: Pubkey,
    pub session: Pubkey,
    pub session_id: u32,
    pub expiry_slot: u64,
    pub max_uses: u32,
    pub max_amount_per_tx: u128,
    pub max_total_amount: u128,
    pub allowed_schemes: u8,
    pub allowed_programs: Vec<Pubkey>,
}

#[event]
pub struct SessionRevoked {
    pub policy: Pubkey,
    pub session: Pubkey,
    pub session_id: u32,
    /// The admin (`revoke_session`) or the delegate (`renounce_session`).
    pub revoked_by: Pubkey,
}

#[event]
pub struct AllSessionsRevoked {
    pub policy: Pubkey,
    /// The policy epoch now; sessions of any older epoch are dead.
    pub new_epoch: u64,
}

#[event]
pub struct SessionClosed {
    pub policy: Pubkey,
    pub session: Pubkey,
    pub session_id: u32,
    /// Why it was closable (for a released policy: whatever the session itself says).
    pub status: SessionStatus,
    pub rent_receiver: Pubkey,
}

#[event]
pub struct AdminProposed {
    pub policy: Pubkey,
    pub admin: Pubkey,
    /// The default key means "proposal cancelled".
    pub pending_admin: Pubkey,
}

#[event]
pub struct AdminChanged {
    pub policy: Pubkey,
    pub old_admin: Pubkey,
    pub new_admin: Pubkey,
}

#[event]
pub struct DwalletReleased {
    pub policy: Pubkey,
    pub dwallet: Pubkey,
    pub new_authority: Pubkey,
}
