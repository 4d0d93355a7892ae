//! The binding hash: what one approved use means, named exactly.

use anchor_lang::prelude::*;

use crate::constants::BINDING_DOMAIN;
use crate::instructions::ApproveArgs;

/// `sha256("session-keys/v2" || program_id || policy || session_id || nonce ||
/// message_digest || message_metadata_digest || amount || destination_program
/// || signature_nonce || signature_scheme)`, integers little-endian (u32
/// session_id, u64 nonce and amount, u16 scheme): 229 bytes in, 32 out.
/// `program_id` is this program's: a binding names the program that made it.
///
/// `nonce` is the nonce the use consumed (`args.nonce`, equal to the session
/// nonce before the increment). Naming program, policy and session makes a
/// binding meaningless anywhere else; the nonce makes it single-use.
/// The TypeScript client holds a byte-identical copy (see the test vector).
pub fn binding_hash(policy: &Pubkey, session_id: u32, args: &ApproveArgs) -> [u8; 32] {
    // The runtime charges sha256 per slice (at least 10 CU each): the domain
    // and program id go as one constant, and the seven argument fields as the
    // one run `ApproveArgs` keeps them in.
    solana_sha256_hasher::hashv(&[
        &BINDING_PREFIX,
        policy.as_ref(),
        &session_id.to_le_bytes(),
        args.bound_fields(),
    ])
    .to_bytes()
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
