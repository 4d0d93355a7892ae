//! The binding hash: what one approved use means, named exactly.

use anchor_lang::prelude::*;

use crate::constants::BINDING_DOMAIN;
use crate::instructions::{BoundFields, BOUND_FIELDS_LEN};

/// `sha256("session-keys/v3" || program_id || policy || session_id ||
/// message_digest || message_metadata_digest || destination ||
/// signature_nonce || amount || nonce || signature_scheme)`, integers
/// little-endian (u32 session_id, u128 amount, u64 nonce, u16 scheme): 237
/// bytes in, 32 out. `program_id` is this program's: a binding names the
/// program that made it.
///
/// `nonce` is the nonce the use consumed. For an opaque use `destination` and
/// `amount` are the declared ones; for a `solana` use the amount is the one
/// derived from the message and `destination` is 32 zero bytes (every
/// program the message calls is one of its static keys, so the message
/// digest binds them; `SolanaMessageApproved::programs` lists them); for an
/// `evm` use, `destination` is the transaction's `to` as a word. Naming program,
/// policy and session makes a binding meaningless anywhere else; the nonce
/// makes it single-use. The TypeScript client holds a byte-identical copy
/// (see the test vector).
pub fn binding_hash(policy: &Pubkey, session_id: u32, fields: &BoundFields) -> [u8; 32] {
    // The runtime charges sha256 per slice (at least 10 CU each): the domain
    // and program id go as one constant, and the use's fields as one run.
    solana_sha256_hasher::hashv(&[
        &BINDING_PREFIX,
        policy.as_ref(),
        &session_id.to_le_bytes(),
        fields,
    ])
    .to_bytes()
}

/// The bound fields of a use, field by field (a `solana` use has no
/// `ApproveArgs` to read them from in place).
pub struct Bound<'a> {
    pub message_digest: &'a [u8; 32],
    pub message_metadata_digest: &'a [u8; 32],
    pub destination: &'a [u8; 32],
    pub signature_nonce: &'a [u8; 32],
    pub amount: u128,
    pub nonce: u64,
    pub signature_scheme: u16,
}

impl Bound<'_> {
    /// `binding_hash` of these fields, hashed where they are (one slice
    /// each) instead of copied into one run first.
    pub fn hash(&self, policy: &Pubkey, session_id: u32) -> [u8; 32] {
        solana_sha256_hasher::hashv(&[
            &BINDING_PREFIX,
            policy.as_ref(),
            &session_id.to_le_bytes(),
            self.message_digest,
            self.message_metadata_digest,
            self.destination,
            self.signature_nonce,
            &self.amount.to_le_bytes(),
            &self.nonce.to_le_bytes(),
            &self.signature_scheme.to_le_bytes(),
        ])
        .to_bytes()
    }

    /// The 154 bytes `binding_hash` takes after the session id.
    pub fn fields(&self) -> BoundFields {
        let mut f = [0u8; BOUND_FIELDS_LEN];
        f[0..32].copy_from_slice(self.message_digest);
        f[32..64].copy_from_slice(self.message_metadata_digest);
        f[64..96].copy_from_slice(self.destination);
        f[96..128].copy_from_slice(self.signature_nonce);
        f[128..144].copy_from_slice(&self.amount.to_le_bytes());
        f[144..152].copy_from_slice(&self.nonce.to_le_bytes());
        f[152..154].copy_from_slice(&self.signature_scheme.to_le_bytes());
        f
    }
}

const PREFIX_LEN: usize = BINDING_DOMAIN.len() + 32;

/// `BINDING_DOMAIN || crate::ID`, built at compile time.
static BINDING_PREFIX: [u8; PREFIX_LEN] = {
    let mut prefix = [0u8; PREFIX_LEN];
    let id = crate::ID.to_bytes();
    let mut i = 0;
    while i < PREFIX_LEN {
        prefix[i] = if i < BINDING_DOMAIN.len() {
            BINDING_DOMAIN[i]
        } else {
            id[i - BINDING_DOMAIN.len()]
        };
        i += 1;
    }
    prefix
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_hash_is_binding_hash_of_its_fields() {
        let b = Bound {
            message_digest: &[1; 32],
            message_metadata_digest: &[2; 32],
            destination: &[3; 32],
            signature_nonce: &[4; 32],
            amount: u128::MAX - 1,
            nonce: 77,
            signature_scheme: 5,
        };
        let policy = Pubkey::new_unique();
        assert_eq!(b.hash(&policy, 9), binding_hash(&policy, 9, &b.fields()));
    }
}
