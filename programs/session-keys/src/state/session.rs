//! The Session account and the use-path rules, in the order docs/spec.md fixes.

use anchor_lang::prelude::*;

use crate::constants::{ALL_SIGNATURE_SCHEMES, MAX_ALLOWED_PROGRAMS};
use crate::errors::SessionKeysError;
use crate::ika::{scheme_bit, Curve};
use crate::instructions::UpdateSessionArgs;
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

/// Message formats (`Session::format`, docs/verified-sessions.md).
pub const FORMAT_OPAQUE: u8 = 0;
/// The program reads the Solana message it approves.
pub const FORMAT_SOLANA: u8 = 1;
/// The program reads the EVM (EIP-1559) transaction it approves.
pub const FORMAT_EVM: u8 = 2;
/// `Session::flags` bit: durable-nonce messages may be approved.
pub const FLAG_ALLOW_DURABLE_NONCE: u8 = 1 << 0;
/// `Session::flags` bit: the use path may run inside another program's CPI.
pub const FLAG_ALLOW_CPI: u8 = 1 << 1;
pub const ALL_FLAGS: u8 = FLAG_ALLOW_DURABLE_NONCE | FLAG_ALLOW_CPI;
/// Bindings a session keeps: the last four uses (`recent_bindings`).
pub const RECENT_BINDINGS: usize = 4;

/// An amount: u128, little-endian. Stored as bytes because a `u128` field
/// would make the zero-copy account 16-aligned on some targets, and account
/// data is only 8-aligned.
pub type Amount = [u8; 16];

/// Two word loads when the bytes sit 8-aligned (they do in the account and
/// in `ApproveArgs`), else the byte-wise read SBF makes of an unaligned one.
#[inline(always)]
pub fn amount(bytes: &Amount) -> u128 {
    let p = bytes.as_ptr() as *const u64;
    if (p as usize).is_multiple_of(8) {
        // SAFETY: 16 live, 8-aligned bytes; little-endian target (asserted
        // where ApproveArgs is laid out).
        let (lo, hi) = unsafe { (core::ptr::read_volatile(p), core::ptr::read_volatile(p.add(1))) };
        (hi as u128) << 64 | lo as u128
    } else {
        u128::from_le_bytes(*bytes)
    }
}

/// PDA `["session", policy, session_id (u32 LE)]`. Fixed size: 8 + 624 bytes.
///
/// Zero-copy like `Policy`: the use path reads and updates it in place. Fields
/// are grouped by alignment (32-byte keys, byte arrays, 8-byte integers, then
/// `u32`, then bytes) so `repr(C)` adds no padding; docs/security.md lists
/// the offsets and a host test pins them.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Session {
    /// The policy this session belongs to.
    pub policy: Pubkey,
    /// The only key that can use (or renounce) this session.
    pub delegate: Pubkey,
    /// `solana` format: the asset the caps count; the default key = lamports,
    /// any other = that SPL mint. Unused by the opaque format.
    pub asset_mint: Pubkey,
    /// Limit: destination-program allowlist; entries past
    /// `allowed_programs_len` are zero.
    pub allowed_programs: [Pubkey; MAX_ALLOWED_PROGRAMS],
    /// Binding hashes of the last uses: the use that consumed nonce `n` is at
    /// `n % 4` (zero = no such use yet).
    pub recent_bindings: [[u8; 32]; RECENT_BINDINGS],

    /// Limit (u128 LE): the largest amount one use may move (solana) or declare (opaque).
    pub max_amount_per_tx: Amount,
    /// Limit (u128 LE): cap on the sum of amounts over all uses; `u128::MAX` = no budget.
    pub max_total_amount: Amount,
    /// Counter (u128 LE): sum of amounts over all uses.
    pub spent: Amount,

    /// `policy.epoch` when created; the session is dead once they differ.
    pub epoch: u64,
    /// Limit: valid while `slot <= expiry_slot`.
    pub expiry_slot: u64,
    /// Counter: the next nonce a use accepts; equals `uses`.
    pub nonce: u64,
    pub created_slot: u64,
    /// Slot of the last successful use (0 = never used).
    pub last_used_slot: u64,

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
    /// `FORMAT_OPAQUE` or `FORMAT_SOLANA`; fixed at creation.
    pub format: u8,
    /// `FLAG_*` bits; fixed at creation.
    pub flags: u8,
    /// Keeps the size a multiple of 8; always zero.
    pub reserved: [u8; 6],

    /// `evm` format: the chain id its transactions must carry (0 otherwise).
    pub chain_id: u64,
    /// `evm` format (wei, u128 LE): cap on `max_fee_per_gas × gas_limit` of one transaction.
    pub max_fee: Amount,
    /// `evm` format: bit `i` = allowlist entry `i` takes any calldata (then
    /// only `value` counts). Never a bit at or past `allowed_programs_len`.
    pub any_call_mask: u8,
    /// Keeps the size a multiple of 8; always zero.
    pub reserved_evm: [u8; 7],
}

/// What one use asks for, as the rules see it: declared (opaque) or derived
/// from the message (solana).
pub struct Use<'a> {
    pub nonce: u64,
    /// Whether the use path runs at the transaction's top level.
    pub top_level: bool,
    /// Opaque: the declared destination. Solana: `None` (the message's
    /// programs were checked against the allowlist while it was read).
    pub destination_program: Option<&'a Pubkey>,
    pub amount: u128,
    pub signature_scheme: u16,
}

/// Checks an allowlist argument: 1..=8 entries, distinct, and none the
/// default key — except in a `solana` session, where the default key is the
/// System program, which its messages call by that id. An `evm` session's
/// entries are EVM addresses (`validate_evm_address`).
pub fn validate_allowlist(programs: &[Pubkey], format: u8) -> Result<()> {
    require!(!programs.is_empty(), SessionKeysError::EmptyAllowlist);
    require!(
        programs.len() <= MAX_ALLOWED_PROGRAMS,
        SessionKeysError::AllowlistTooLong
    );
    for (i, program) in programs.iter().enumerate() {
        if format == FORMAT_EVM {
            validate_evm_address(program)?;
        }
        require!(
            *program != Pubkey::default() || format == FORMAT_SOLANA,
            SessionKeysError::DefaultAllowedProgram
        );
        require!(
            !programs[..i].contains(program),
            SessionKeysError::DuplicateAllowedProgram
        );
    }
    Ok(())
}

/// An `evm` session's any-call mask names only entries of its allowlist.
pub fn call_mask_fits(any_call_mask: u8, entries: usize) -> bool {
    (any_call_mask as u32) >> entries == 0
}

/// An EVM address as a 32-byte word: 12 zero bytes, then the 20 address
/// bytes, not all zero (the zero address is no contract and burns what it gets).
pub fn validate_evm_address(word: &Pubkey) -> Result<()> {
    let bytes = word.as_ref();
    require!(
        bytes[..12] == [0; 12] && bytes[12..] != [0; 20],
        SessionKeysError::InvalidEvmAddress
    );
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

/// Checks a format, its flags and its schemes: a `solana` session signs
/// Solana messages, so its dWallet is Curve25519 and its only scheme EdDSA;
/// an `evm` session signs EVM transactions, so its dWallet is Secp256k1, its
/// only scheme EcdsaKeccak256, and durable nonces mean nothing to it.
pub fn validate_format(format: u8, flags: u8, schemes: u8, curve: Curve) -> Result<()> {
    require!(
        format <= FORMAT_EVM && flags & !ALL_FLAGS == 0,
        SessionKeysError::InvalidSessionFormat
    );
    match format {
        FORMAT_SOLANA => require!(
            curve == Curve::Curve25519 && schemes == scheme_bit(crate::ika::SCHEME_EDDSA_SHA512),
            SessionKeysError::FormatNotForCurve
        ),
        FORMAT_EVM => {
            require!(
                curve == Curve::Secp256k1 && schemes == scheme_bit(crate::ika::SCHEME_ECDSA_KECCAK256),
                SessionKeysError::FormatNotForCurve
            );
            require!(
                flags & FLAG_ALLOW_DURABLE_NONCE == 0,
                SessionKeysError::InvalidSessionFormat
            );
        }
        _ => {}
    }
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

    /// The meaningful part of the allowlist. A stored length past 8 is a
    /// corrupt account and fails closed (`CorruptAccount`), never clamped.
    pub fn allowed_programs(&self) -> Result<&[Pubkey]> {
        self.allowed_programs
            .get(..self.allowed_programs_len as usize)
            .ok_or_else(|| error!(SessionKeysError::CorruptAccount))
    }

    pub fn max_amount_per_tx(&self) -> u128 {
        amount(&self.max_amount_per_tx)
    }
    pub fn max_total_amount(&self) -> u128 {
        amount(&self.max_total_amount)
    }
    pub fn spent(&self) -> u128 {
        amount(&self.spent)
    }
    pub fn max_fee(&self) -> u128 {
        amount(&self.max_fee)
    }
    pub fn allows(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Stores a validated allowlist, zeroing the unused tail (so memcmp and
    /// audits see a canonical layout).
    pub fn set_allowlist(&mut self, programs: &[Pubkey]) -> Result<()> {
        validate_allowlist(programs, self.format)?;
        require!(
            call_mask_fits(self.any_call_mask, programs.len()),
            SessionKeysError::InvalidEvmLimits
        );
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

    /// The use path, every check in docs/spec.md order, each with its own
    /// error: `check_session`, then `check_limits`. Pure: changes nothing
    /// (see `record_use`). A `solana` use reads its message between the two.
    pub fn check_use(
        &self,
        policy_key: &Pubkey,
        policy: &Policy,
        signer: &Pubkey,
        slot: u64,
        u: &Use,
    ) -> Result<()> {
        self.check_session(policy_key, policy, signer, slot, u.nonce, u.top_level)?;
        self.check_limits(policy, u.destination_program, u.amount, u.signature_scheme)
    }

    /// Steps 1–5 of the use path, and the top-level rule.
    pub fn check_session(
        &self,
        policy_key: &Pubkey,
        policy: &Policy,
        signer: &Pubkey,
        slot: u64,
        nonce: u64,
        top_level: bool,
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
        require!(nonce >= self.nonce, SessionKeysError::NonceReplayed);
        require!(nonce <= self.nonce, SessionKeysError::NonceOutOfOrder);
        // 5b. top level only, unless the session allows CPI callers
        require!(
            top_level || self.allows(FLAG_ALLOW_CPI),
            SessionKeysError::CpiNotAllowed
        );
        Ok(())
    }

    /// Steps 6–8: destination (opaque; a `solana` message's programs were
    /// checked while it was read), amount, budget, scheme.
    pub fn check_limits(
        &self,
        policy: &Policy,
        destination_program: Option<&Pubkey>,
        amount: u128,
        signature_scheme: u16,
    ) -> Result<()> {
        // 6. destination
        if let Some(destination) = destination_program {
            require!(
                self.allowed_programs()?.iter().any(|p| keys_eq(p, destination)),
                SessionKeysError::DestinationNotAllowed
            );
        }
        // 7. amount, then the total budget (an overflowing sum is over any budget)
        require!(
            amount <= self.max_amount_per_tx(),
            SessionKeysError::AmountExceedsMax
        );
        require!(
            self.spent()
                .checked_add(amount)
                .is_some_and(|total| total <= self.max_total_amount()),
            SessionKeysError::BudgetExceeded
        );
        // 8. (extra, after the spec's seven) signature scheme: one the
        // dWallet's curve signs, then one the session allows. A session's
        // mask only ever holds schemes of its curve (`validate_schemes`), so
        // an allowed scheme is one the curve signs, and the curve is only
        // consulted to name the failure.
        if !self.is_scheme_allowed(signature_scheme) {
            let curve_signs = policy
                .curve()
                .is_some_and(|curve| curve.schemes() & scheme_bit(signature_scheme) != 0);
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
    /// `binding` goes to `recent_bindings[nonce % 4]` (the nonce consumed).
    pub fn record_use(&mut self, slot: u64, amount: u128, binding: [u8; 32]) -> Result<u32> {
        let overflow = || error!(SessionKeysError::CounterOverflow);
        let spent = self.spent().checked_add(amount).ok_or_else(overflow)?;
        self.recent_bindings[(self.nonce % RECENT_BINDINGS as u64) as usize] = binding;
        self.uses = self.uses.checked_add(1).ok_or_else(overflow)?;
        self.nonce = self.nonce.checked_add(1).ok_or_else(overflow)?;
        self.spent = spent.to_le_bytes();
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
                max_total_amount >= self.spent(),
                SessionKeysError::LimitBelowUsage
            );
        }
        if let Some(mask) = args.allowed_schemes {
            let curve = policy.curve().ok_or_else(|| error!(SessionKeysError::UnsupportedCurve))?;
            validate_schemes(mask, curve)?;
            validate_format(self.format, self.flags, mask, curve)?;
        }
        if let Some(programs) = &args.allowed_programs {
            validate_allowlist(programs, self.format)?;
        }

        if let Some(v) = args.expiry_slot {
            self.expiry_slot = v;
        }
        if let Some(v) = args.max_uses {
            self.max_uses = v;
        }
        if let Some(v) = args.max_amount_per_tx {
            self.max_amount_per_tx = v.to_le_bytes();
        }
        if let Some(v) = args.max_total_amount {
            self.max_total_amount = v.to_le_bytes();
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
