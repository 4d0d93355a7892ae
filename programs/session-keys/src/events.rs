//! Events, past tense, one per state change. Emitted with `emit!` (program log).

use anchor_lang::prelude::*;

use crate::state::SessionStatus;

#[event]
pub struct PolicyInitialized {
    pub policy: Pubkey,
    pub dwallet: Pubkey,
    pub dwallet_program: Pubkey,
    pub init_authority: Pubkey,
    pub admin: Pubkey,
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
    pub max_amount_per_tx: u64,
    pub max_total_amount: u64,
    pub allowed_schemes: u8,
    pub allowed_programs: Vec<Pubkey>,
}

/// One use. Kept small on purpose: the use path pays 1 CU per byte logged.
/// The rest of the use (message digest, amount, destination, signature nonce
/// and scheme) is in the instruction's arguments, which the IDL decodes, and
/// `binding` commits to all of it together with the policy and session id.
/// Logged by `MessageApproved::log`, byte for byte what `emit!` would write.
#[event]
pub struct MessageApproved {
    pub session: Pubkey,
    /// The nonce this use consumed (the session nonce is now `nonce + 1`).
    pub nonce: u64,
    /// `binding_hash(...)` of this use, also stored as `session.last_binding`.
    pub binding: [u8; 32],
    pub remaining_uses: u32,
}

/// A `MessageApproved` as logged: discriminator, then its Borsh fields; 8-aligned
/// so the 32-byte fields are copied word by word.
#[repr(C, align(8))]
pub struct MessageApprovedLog(pub [u8; 8 + 32 + 8 + 32 + 4]);

impl MessageApproved {
    /// The bytes `emit!` would log, built on the stack instead of in a `Vec`.
    pub fn to_log(&self) -> MessageApprovedLog {
        let mut log = MessageApprovedLog([0; 84]);
        let b = &mut log.0;
        b[..8].copy_from_slice(Self::DISCRIMINATOR);
        b[8..40].copy_from_slice(self.session.as_ref());
        b[40..48].copy_from_slice(&self.nonce.to_le_bytes());
        b[48..80].copy_from_slice(&self.binding);
        b[80..84].copy_from_slice(&self.remaining_uses.to_le_bytes());
        log
    }

    /// What `emit!` does: one `sol_log_data` of `to_log()`.
    pub fn log(&self) {
        anchor_lang::solana_program::log::sol_log_data(&[&self.to_log().0]);
    }
}

#[event]
pub struct SessionUpdated {
    pub policy: Pubkey,
    pub session: Pubkey,
    pub session_id: u32,
    pub expiry_slot: u64,
    pub max_uses: u32,
    pub max_amount_per_tx: u64,
    pub max_total_amount: u64,
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
