//! The Session account and the use-path rules, in the order docs/spec.md fixes.

use anchor_lang::prelude::*;

use crate::constants::{ALL_SIGNATURE_SCHEMES, MAX_ALLOWED_PROGRAMS};
use crate::errors::SessionKeysError;
use crate::ika::{scheme_bit, Curve};
use crate::instructions::{ApproveArgs, UpdateSessionArgs};
use crate::keys::keys_eq;
use crate::state::Policy;

/// Live status of a session, derived from its fields, the clock and the policy
/// epoch (nothing but `revoked` is stored). When several apply, the first in
/// this order wins — the same order `check_use` fails in.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub enum SessionStatus {
    Active,
    Revoked,
    /// `session.epoch < policy.epoch`: killed by `revoke_all_sessions`.
    Stale,
    Expired,
    /// `uses == max_uses`.
    Exhausted,
}

/// PDA `["session", policy, session_id (u32 LE)]`. Fixed size: 8 + 432 bytes.
///
/// Zero-copy like `Policy`: the use path reads and updates it in place. Fields
/// are grouped by alignment (8-byte integers, then 32-byte keys, then `u32`,
/// then bytes) so `repr(C)` adds no padding; docs/security.md lists the offsets
/// and a host test pins them.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Session {
    /// The policy this session belongs to.
    pub policy: Pubkey,
    /// The only key that can use (or renounce) this session.
    pub delegate: Pubkey,

    /// `policy.epoch` when created; the session is dead once they differ.
    pub epoch: u64,
    /// Limit: valid while `slot <= expiry_slot`.
    pub expiry_slot: u64,
    /// Limit: the largest `amount` one use may declare.
    pub max_amount_per_tx: u64,
    /// Limit: cap on the sum of `amount` over all uses; `u64::MAX` = no budget.
    pub max_total_amount: u64,
    /// Counter: sum of `amount` over all uses.
    pub spent: u64,
    /// Counter: the next nonce `approve_message` accepts; equals `uses`.
    pub nonce: u64,
    pub created_slot: u64,
    /// Slot of the last successful use (0 = never used).
    pub last_used_slot: u64,

    /// Limit: destination-program allowlist; entries past
    /// `allowed_programs_len` are zero.
    pub allowed_programs: [Pubkey; MAX_ALLOWED_PROGRAMS],
    /// Binding hash of the last successful use (zero = never used).
    pub last_binding: [u8; 32],

    pub session_id: u32,
    /// Limit: uses allowed in total.
    pub max_uses: u32,
    /// Counter: successful uses.
    pub uses: u32,

    /// Bump of this session's PDA.
    pub bump: u8,
    /// 1 once `revoke_session` / `renounce_session` ran; final. Read it with `is_revoked`.
    pub revoked: u8,
    /// Limit: bit `i` set = Ika signature scheme `i` allowed (`ika::SCHEME_*`,
    /// 0..=6); always a non-empty subset of the dWallet curve's schemes.
    pub allowed_schemes: u8,
    /// Number of meaningful entries at the front of `allowed_programs` (1..=8).
    pub allowed_programs_len: u8,
}

/// Checks an allowlist argument: 1..=8 programs, distinct, none the default key.
pub fn validate_allowlist(programs: &[Pubkey]) -> Result<()> {
    require!(!programs.is_empty(), SessionKeysError::EmptyAllowlist);
    require!(
        programs.len() <= MAX_ALLOWED_PROGRAMS,
        SessionKeysError::AllowlistTooLong
    );
    for (i, program) in programs.iter().enumerate() {
        require!(
            *program != Pubkey::default(),
            SessionKeysError::DefaultAllowedProgram
        );
        require!(
            !programs[..i].contains(program),
            SessionKeysError::DuplicateAllowedProgram
        );
    }
    Ok(())
}

/// Checks a signature-scheme mask: at least one scheme, only schemes Ika
/// knows, and only schemes the dWallet's curve can sign (Ika's program does
/// not check the pair, so this is the only check).
pub fn validate_schemes(mask: u8, curve: Curve) -> Result<()> {
    require!(
        mask != 0 && mask & !ALL_SIGNATURE_SCHEMES == 0,
        SessionKeysError::InvalidSchemeMask
    );
    require!(
        mask & !curve.schemes() == 0,
        SessionKeysError::SchemeNotForCurve
    );
    Ok(())
}

/// Checks an expiry argument: not already in the past (the current slot is allowed).
pub fn validate_expiry(expiry_slot: u64, slot: u64) -> Result<()> {
    require!(expiry_slot >= slot, SessionKeysError::ExpiryInPast);
    Ok(())
}

impl Session {
    /// Account size, discriminator included.
    pub const LEN: usize = 8 + std::mem::size_of::<Session>();

    pub fn is_revoked(&self) -> bool {
        self.revoked != 0
    }

    /// The meaningful part of the allowlist.
    pub fn allowed_programs(&self) -> &[Pubkey] {
        let len = (self.allowed_programs_len as usize).min(MAX_ALLOWED_PROGRAMS);
        &self.allowed_programs[..len]
    }

    /// Stores a validated allowlist, zeroing the unused tail (so memcmp and
    /// audits see a canonical layout).
    pub fn set_allowlist(&mut self, programs: &[Pubkey]) -> Result<()> {
        validate_allowlist(programs)?;
        self.allowed_programs = [Pubkey::default(); MAX_ALLOWED_PROGRAMS];
        self.allowed_programs[..programs.len()].copy_from_slice(programs);
        // cannot truncate: validate_allowlist bounds len by 8
        self.allowed_programs_len = programs.len() as u8;
        Ok(())
    }

    pub fn remaining_uses(&self) -> u32 {
        self.max_uses.saturating_sub(self.uses)
    }

    pub fn is_scheme_allowed(&self, scheme: u16) -> bool {
        // an unknown scheme has no bit and is never allowed
        self.allowed_schemes & scheme_bit(scheme) != 0
    }

    /// The use path, every check in docs/spec.md order, each with its own error.
    /// Pure: changes nothing (see `record_use`).
    pub fn check_use(
        &self,
        policy_key: &Pubkey,
        policy: &Policy,
        signer: &Pubkey,
        slot: u64,
        args: &ApproveArgs,
    ) -> Result<()> {
        // 1. policy active; session of this policy; signer is the delegate
        require!(policy.is_active(), SessionKeysError::PolicyNotActive);
        require!(
            keys_eq(&self.policy, policy_key),
            SessionKeysError::SessionPolicyMismatch
        );
        require!(
            keys_eq(&self.delegate, signer),
            SessionKeysError::NotDelegate
        );
        // 2. not revoked; not killed by revoke_all_sessions
        require!(!self.is_revoked(), SessionKeysError::SessionRevoked);
        require!(self.epoch == policy.epoch, SessionKeysError::StaleEpoch);
        // 3. expiry: the expiry slot itself is still valid
        require!(slot <= self.expiry_slot, SessionKeysError::Expired);
        // 4. max uses
        require!(self.uses < self.max_uses, SessionKeysError::MaxUsesReached);
        // 5. replay nonce: exactly the next one
        require!(args.nonce >= self.nonce, SessionKeysError::NonceReplayed);
        require!(args.nonce <= self.nonce, SessionKeysError::NonceOutOfOrder);
        // 6. destination
        require!(
            self.allowed_programs()
                .iter()
                .any(|p| keys_eq(p, &args.destination_program)),
            SessionKeysError::DestinationNotAllowed
        );
        // 7. amount, then the total budget (an overflowing sum is over any budget)
        require!(
            args.amount <= self.max_amount_per_tx,
            SessionKeysError::AmountExceedsMax
        );
        require!(
            self.spent
                .checked_add(args.amount)
                .is_some_and(|total| total <= self.max_total_amount),
            SessionKeysError::BudgetExceeded
        );
        // 8. (extra, after the spec's seven) signature scheme: one the
        // dWallet's curve signs, then one the session allows. A session's
        // mask only ever holds schemes of its curve (`validate_schemes`), so
        // an allowed scheme is one the curve signs, and the curve is only
        // consulted to name the failure.
        if !self.is_scheme_allowed(args.signature_scheme) {
            let curve_signs = policy
                .curve()
                .is_some_and(|curve| curve.schemes() & scheme_bit(args.signature_scheme) != 0);
            return Err(if curve_signs {
                error!(SessionKeysError::SchemeNotAllowed)
            } else {
                error!(SessionKeysError::SchemeNotForCurve)
            });
        }
        Ok(())
    }

    /// Revokes the session, whoever asks (admin or delegate). Revoking twice is
    /// an error, so a caller learns it acted on nothing.
    pub fn revoke(&mut self) -> Result<()> {
        require!(!self.is_revoked(), SessionKeysError::SessionRevoked);
        self.revoked = 1;
        Ok(())
    }

    /// Consumes one use and one nonce after `check_use` passed. Returns the
    /// remaining uses. All arithmetic checked; on error nothing is half-applied
    /// because the whole transaction fails.
    pub fn record_use(&mut self, slot: u64, amount: u64) -> Result<u32> {
        let overflow = || error!(SessionKeysError::CounterOverflow);
        self.uses = self.uses.checked_add(1).ok_or_else(overflow)?;
        self.nonce = self.nonce.checked_add(1).ok_or_else(overflow)?;
        self.spent = self.spent.checked_add(amount).ok_or_else(overflow)?;
        self.last_used_slot = slot;
        Ok(self.remaining_uses())
    }

    /// Live status at `slot` under a policy at `policy_epoch`.
    pub fn status(&self, slot: u64, policy_epoch: u64) -> SessionStatus {
        if self.is_revoked() {
            SessionStatus::Revoked
        } else if self.epoch != policy_epoch {
            SessionStatus::Stale
        } else if slot > self.expiry_slot {
            SessionStatus::Expired
        } else if self.uses >= self.max_uses {
            SessionStatus::Exhausted
        } else {
            SessionStatus::Active
        }
    }

    /// Applies an admin update. Limits can move either way but never below what
    /// the session has already used; a revoked or stale session cannot be
    /// revived (revocation is final). An expired or exhausted one can be
    /// extended. Validates everything before changing anything.
    pub fn apply_update(&mut self, policy: &Policy, slot: u64, args: &UpdateSessionArgs) -> Result<()> {
        require!(!self.is_revoked(), SessionKeysError::SessionRevoked);
        require!(self.epoch == policy.epoch, SessionKeysError::StaleEpoch);
        require!(!args.is_empty(), SessionKeysError::EmptyUpdate);

        if let Some(expiry_slot) = args.expiry_slot {
            validate_expiry(expiry_slot, slot)?;
        }
        if let Some(max_uses) = args.max_uses {
            require!(max_uses > 0, SessionKeysError::ZeroMaxUses);
            require!(max_uses >= self.uses, SessionKeysError::LimitBelowUsage);
        }
        if let Some(max_total_amount) = args.max_total_amount {
            require!(
                max_total_amount >= self.spent,
                SessionKeysError::LimitBelowUsage
            );
        }
        if let Some(mask) = args.allowed_schemes {
            validate_schemes(mask, policy.curve().ok_or(error!(SessionKeysError::UnsupportedCurve))?)?;
        }
        if let Some(programs) = &args.allowed_programs {
            validate_allowlist(programs)?;
        }

        if let Some(v) = args.expiry_slot {
            self.expiry_slot = v;
        }
        if let Some(v) = args.max_uses {
            self.max_uses = v;
        }
        if let Some(v) = args.max_amount_per_tx {
            self.max_amount_per_tx = v;
        }
        if let Some(v) = args.max_total_amount {
            self.max_total_amount = v;
        }
        if let Some(v) = args.allowed_schemes {
            self.allowed_schemes = v;
        }
        if let Some(programs) = &args.allowed_programs {
            self.set_allowlist(programs)?;
        }
        Ok(())
    }
}
