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

#[event]
pub struct MessageApproved {
    pub policy: Pubkey,
    pub session: Pubkey,
    pub session_id: u32,
    pub delegate: Pubkey,
    /// The nonce this use consumed (the session nonce is now `nonce + 1`).
    pub nonce: u64,
    pub message_digest: [u8; 32],
    pub amount: u64,
    pub destination_program: Pubkey,
    pub signature_scheme: u8,
    /// `binding_hash(...)` of this use, also stored as `session.last_binding`.
    pub binding: [u8; 32],
    pub remaining_uses: u32,
    pub slot: u64,
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
