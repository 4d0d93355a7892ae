//! The Policy account: one per dWallet under this program's control.

use anchor_lang::prelude::*;

use crate::errors::SessionKeysError;
use crate::ika::Curve;

/// Lifecycle of a policy. `Released`: the dWallet's authority was handed to
/// another key and nothing can approve through this policy; only the dWallet's
/// authority can make it Active again (`initialize_policy`, `reactivate`),
/// which kills every session it had.
/// Stored as its `u8` (`Policy::status`), since a zero-copy account holds only
/// plain bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum PolicyStatus {
    Active = 0,
    Released = 1,
}

/// PDA `["policy", dwallet, sha256(init_authority)]`. Fixed size: 8 + 152 bytes.
///
/// Zero-copy (`repr(C)`, no implicit padding): instructions read and write it
/// in place instead of (de)serializing it, which is most of what the use path
/// saves. Fields are ordered so that every one is naturally aligned; the byte
/// offsets are listed in docs/security.md and pinned by a host test.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Policy {
    /// The dWallet account this policy controls (owned by Ika, `ika::ID`).
    pub dwallet: Pubkey,
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
    /// The dWallet's curve (`ika::Curve`, read from the dWallet account at
    /// initialization): which signature schemes sessions may allow.
    pub curve: u16,
    /// A `PolicyStatus` (0 Active, 1 Released); read it with `is_active`.
    pub status: u8,
    /// Bump of this policy's PDA.
    pub bump: u8,
    /// Bump of the program-wide CPI authority PDA, found once at initialization
    /// so the use path never searches for it.
    pub cpi_authority_bump: u8,
    /// Keeps the size a multiple of 8 (zero-copy alignment); always zero.
    pub reserved: [u8; 3],
}

impl Policy {
    /// Account size, discriminator included.
    pub const LEN: usize = 8 + std::mem::size_of::<Policy>();

    pub fn is_active(&self) -> bool {
        self.status == PolicyStatus::Active as u8
    }

    /// Nothing approves through this policy until it is reactivated.
    pub fn release(&mut self) {
        self.status = PolicyStatus::Released as u8;
    }

    /// The dWallet's curve. Only ever written from `ika::Curve`, so always known.
    pub fn curve(&self) -> Option<Curve> {
        Curve::from_u16(self.curve)
    }

    /// A released policy taken back under control: a new admin and curve, and
    /// a new epoch, so no session of its earlier life can approve again (they
    /// are stale). Session ids keep growing: an id is never reused. Returns
    /// the new epoch.
    pub fn reactivate(&mut self, admin: Pubkey, curve: Curve) -> Result<u64> {
        require!(!self.is_active(), SessionKeysError::PolicyAlreadyActive);
        let epoch = self.bump_epoch()?;
        self.admin = admin;
        self.pending_admin = Pubkey::default();
        self.curve = curve as u16;
        self.status = PolicyStatus::Active as u8;
        Ok(epoch)
    }

    /// Takes the next session id. Ids are never reused: the counter only grows,
    /// and once all 2^32 ids are taken every later call fails.
    pub fn next_id(&mut self) -> Result<u32> {
        let id = u32::try_from(self.next_session_id)
            .map_err(|_| error!(SessionKeysError::SessionIdsExhausted))?;
        self.next_session_id = self
            .next_session_id
            .checked_add(1)
            .ok_or_else(|| error!(SessionKeysError::CounterOverflow))?;
        Ok(id)
    }

    /// Kills every existing session in O(1). Returns the new epoch.
    pub fn bump_epoch(&mut self) -> Result<u64> {
        self.epoch = self
            .epoch
            .checked_add(1)
            .ok_or_else(|| error!(SessionKeysError::CounterOverflow))?;
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
            admin: Pubkey::new_unique(),
            pending_admin: Pubkey::default(),
            init_authority_hash: [0; 32],
            next_session_id: 0,
            epoch: 0,
            curve: Curve::Curve25519 as u16,
            status: PolicyStatus::Active as u8,
            bump: 255,
            cpi_authority_bump: 255,
            reserved: [0; 3],
        }
    }

    fn err(e: SessionKeysError) -> Error {
        e.into()
    }

    #[test]
    fn layout_is_fixed_and_documented() {
        // The offsets docs/security.md lists (discriminator not counted here).
        assert_eq!(std::mem::size_of::<Policy>(), 152);
        assert_eq!(Policy::LEN, 160);
        assert_eq!(std::mem::offset_of!(Policy, dwallet), 0);
        assert_eq!(std::mem::offset_of!(Policy, admin), 32);
        assert_eq!(std::mem::offset_of!(Policy, pending_admin), 64);
        assert_eq!(std::mem::offset_of!(Policy, init_authority_hash), 96);
        assert_eq!(std::mem::offset_of!(Policy, next_session_id), 128);
        assert_eq!(std::mem::offset_of!(Policy, epoch), 136);
        assert_eq!(std::mem::offset_of!(Policy, curve), 144);
        assert_eq!(std::mem::offset_of!(Policy, status), 146);
        assert_eq!(std::mem::offset_of!(Policy, bump), 147);
        assert_eq!(std::mem::offset_of!(Policy, cpi_authority_bump), 148);
        assert_eq!(std::mem::offset_of!(Policy, reserved), 149);
    }

    #[test]
    fn release_then_reactivate_kills_old_sessions() {
        let mut p = policy();
        assert!(p.is_active());
        let new_admin = Pubkey::new_unique();
        assert_eq!(
            p.reactivate(new_admin, Curve::Secp256k1).unwrap_err(),
            err(SessionKeysError::PolicyAlreadyActive)
        );
        p.next_session_id = 7;
        p.pending_admin = Pubkey::new_unique();
        p.release();
        assert!(!p.is_active());
        assert_eq!(p.status, PolicyStatus::Released as u8);
        assert_eq!(p.reactivate(new_admin, Curve::Secp256k1).unwrap(), 1);
        assert!(p.is_active());
        assert_eq!((p.admin, p.pending_admin), (new_admin, Pubkey::default()));
        assert_eq!(p.curve(), Some(Curve::Secp256k1));
        assert_eq!(p.next_session_id, 7, "ids are never reused");
        // An epoch that cannot grow cannot reactivate: old sessions would live.
        p.release();
        p.epoch = u64::MAX;
        assert_eq!(
            p.reactivate(new_admin, Curve::Secp256k1).unwrap_err(),
            err(SessionKeysError::CounterOverflow)
        );
        assert!(!p.is_active());
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
