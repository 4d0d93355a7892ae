//! The Policy account: one per dWallet under this program's control.

use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;

/// Lifecycle of a policy. `Released` is terminal: the dWallet's authority was
/// handed to another key and nothing can approve through this policy again.
/// Stored as its `u8` (`Policy::status`), since a zero-copy account holds only
/// plain bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum PolicyStatus {
    Active = 0,
    Released = 1,
}

/// PDA `["policy", dwallet, sha256(init_authority)]`. Fixed size: 8 + 184 bytes.
///
/// Zero-copy (`repr(C)`, no implicit padding): instructions read and write it
/// in place instead of (de)serializing it, which is most of what the use path
/// saves. Fields are ordered so that every one is naturally aligned; the byte
/// offsets are listed in docs/security.md and pinned by a host test.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Policy {
    /// The dWallet account this policy controls (owned by `dwallet_program`).
    pub dwallet: Pubkey,
    /// The Ika dWallet program, as data: checked against the dWallet's owner at
    /// initialization and against the program account on every CPI.
    pub dwallet_program: Pubkey,
    /// Creates, updates, revokes and closes sessions; releases the dWallet.
    pub admin: Pubkey,
    /// Proposed next admin (two-step change); the default key means none.
    pub pending_admin: Pubkey,
    /// `sha256(init_authority)`, the third seed; kept so the address re-derives.
    pub init_authority_hash: [u8; 32],
    /// The id the next session gets. Only grows. `u64` so that "all 2^32 ids
    /// used" (value 2^32) is representable without losing id `u32::MAX`.
    pub next_session_id: u64,
    /// Sessions carry the epoch they were created in; bumping it kills them all.
    pub epoch: u64,
    /// A `PolicyStatus` (0 Active, 1 Released); read it with `is_active`.
    pub status: u8,
    /// Bump of this policy's PDA.
    pub bump: u8,
    /// Bump of the program-wide CPI authority PDA, found once at initialization
    /// so the use path never searches for it.
    pub cpi_authority_bump: u8,
    /// Keeps the size a multiple of 8 (zero-copy alignment); always zero.
    pub reserved: [u8; 5],
}

impl Policy {
    /// Account size, discriminator included.
    pub const LEN: usize = 8 + std::mem::size_of::<Policy>();

    pub fn is_active(&self) -> bool {
        self.status == PolicyStatus::Active as u8
    }

    /// Terminal: nothing approves through this policy again.
    pub fn release(&mut self) {
        self.status = PolicyStatus::Released as u8;
    }

    /// Takes the next session id. Ids are never reused: the counter only grows,
    /// and once all 2^32 ids are taken every later call fails.
    pub fn next_id(&mut self) -> Result<u32> {
        let id = u32::try_from(self.next_session_id)
            .map_err(|_| error!(SessionKeysError::SessionIdsExhausted))?;
        self.next_session_id = self
            .next_session_id
            .checked_add(1)
            .ok_or(error!(SessionKeysError::CounterOverflow))?;
        Ok(id)
    }

    /// Kills every existing session in O(1). Returns the new epoch.
    pub fn bump_epoch(&mut self) -> Result<u64> {
        self.epoch = self
            .epoch
            .checked_add(1)
            .ok_or(error!(SessionKeysError::CounterOverflow))?;
        Ok(self.epoch)
    }

    /// Step one of an admin change. Proposing the default key cancels a proposal.
    pub fn propose_admin(&mut self, new_admin: Pubkey) {
        self.pending_admin = new_admin;
    }

    /// Step two: the pending admin signs. Returns the previous admin.
    pub fn accept_admin(&mut self, signer: &Pubkey) -> Result<Pubkey> {
        require!(
            self.pending_admin != Pubkey::default(),
            SessionKeysError::NoPendingAdmin
        );
        require_keys_eq!(
            self.pending_admin,
            *signer,
            SessionKeysError::NotPendingAdmin
        );
        let old = self.admin;
        self.admin = self.pending_admin;
        self.pending_admin = Pubkey::default();
        Ok(old)
    }
}

/// The third Policy seed: `sha256(init_authority)`. Hashing (rather than using
/// the key itself) keeps seeds short and says "only the holder of this key can
/// initialize this address" — which is what makes the address un-front-runnable.
pub fn init_authority_hash(init_authority: &Pubkey) -> [u8; 32] {
    solana_sha256_hasher::hash(init_authority.as_ref()).to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn policy() -> Policy {
        Policy {
            dwallet: Pubkey::new_unique(),
            dwallet_program: Pubkey::new_unique(),
            admin: Pubkey::new_unique(),
            pending_admin: Pubkey::default(),
            init_authority_hash: [0; 32],
            next_session_id: 0,
            epoch: 0,
            status: PolicyStatus::Active as u8,
            bump: 255,
            cpi_authority_bump: 255,
            reserved: [0; 5],
        }
    }

    fn err(e: SessionKeysError) -> Error {
        e.into()
    }

    #[test]
    fn layout_is_fixed_and_documented() {
        // The offsets docs/security.md lists (discriminator not counted here).
        assert_eq!(std::mem::size_of::<Policy>(), 184);
        assert_eq!(Policy::LEN, 192);
        assert_eq!(std::mem::offset_of!(Policy, dwallet), 0);
        assert_eq!(std::mem::offset_of!(Policy, dwallet_program), 32);
        assert_eq!(std::mem::offset_of!(Policy, admin), 64);
        assert_eq!(std::mem::offset_of!(Policy, pending_admin), 96);
        assert_eq!(std::mem::offset_of!(Policy, init_authority_hash), 128);
        assert_eq!(std::mem::offset_of!(Policy, next_session_id), 160);
        assert_eq!(std::mem::offset_of!(Policy, epoch), 168);
        assert_eq!(std::mem::offset_of!(Policy, status), 176);
        assert_eq!(std::mem::offset_of!(Policy, bump), 177);
        assert_eq!(std::mem::offset_of!(Policy, cpi_authority_bump), 178);
        assert_eq!(std::mem::offset_of!(Policy, reserved), 179);
    }

    #[test]
    fn release_is_terminal_status() {
        let mut p = policy();
        assert!(p.is_active());
        p.release();
        assert!(!p.is_active());
        assert_eq!(p.status, PolicyStatus::Released as u8);
    }

    #[test]
    fn ids_grow_from_zero() {
        let mut p = policy();
        assert_eq!(p.next_id().unwrap(), 0);
        assert_eq!(p.next_id().unwrap(), 1);
        assert_eq!(p.next_session_id, 2);
    }

    #[test]
    fn last_id_is_u32_max_then_exhausted_forever() {
        let mut p = policy();
        p.next_session_id = u32::MAX as u64;
        assert_eq!(p.next_id().unwrap(), u32::MAX);
        assert_eq!(p.next_session_id, 1u64 << 32);
        assert_eq!(
            p.next_id().unwrap_err(),
            err(SessionKeysError::SessionIdsExhausted)
        );
        // a failed call does not move the counter
        assert_eq!(p.next_session_id, 1u64 << 32);
        p.next_session_id = u64::MAX;
        assert_eq!(
            p.next_id().unwrap_err(),
            err(SessionKeysError::SessionIdsExhausted)
        );
    }

    #[test]
    fn epoch_is_checked() {
        let mut p = policy();
        assert_eq!(p.bump_epoch().unwrap(), 1);
        p.epoch = u64::MAX;
        assert_eq!(
            p.bump_epoch().unwrap_err(),
            err(SessionKeysError::CounterOverflow)
        );
        assert_eq!(p.epoch, u64::MAX);
    }

    #[test]
    fn two_step_admin() {
        let mut p = policy();
        let old = p.admin;
        let new = Pubkey::new_unique();
        assert_eq!(
            p.accept_admin(&new).unwrap_err(),
            err(SessionKeysError::NoPendingAdmin)
        );
        p.propose_admin(new);
        assert_eq!(
            p.accept_admin(&Pubkey::new_unique()).unwrap_err(),
            err(SessionKeysError::NotPendingAdmin)
        );
        assert_eq!(p.accept_admin(&new).unwrap(), old);
        assert_eq!(p.admin, new);
        assert_eq!(p.pending_admin, Pubkey::default());
        // cancel
        p.propose_admin(Pubkey::new_unique());
        p.propose_admin(Pubkey::default());
        assert_eq!(
            p.accept_admin(&Pubkey::default()).unwrap_err(),
            err(SessionKeysError::NoPendingAdmin)
        );
    }

    #[test]
    fn init_authority_hash_is_sha256_of_key() {
        use sha2::{Digest, Sha256};
        let k = Pubkey::new_unique();
        let expected: [u8; 32] = Sha256::digest(k.as_ref()).into();
        assert_eq!(init_authority_hash(&k), expected);
    }
}
