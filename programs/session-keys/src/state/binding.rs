//! The binding hash: what one approved use means, named exactly.

use anchor_lang::prelude::*;

use crate::constants::BINDING_DOMAIN;
use crate::instructions::ApproveArgs;

/// `sha256("session-keys/v2" || program_id || policy || session_id || nonce ||
/// message_digest || message_metadata_digest || amount || destination_program
/// || signature_nonce || signature_scheme)`, integers little-endian (u32
/// session_id, u64 nonce and amount, u16 scheme): 229 bytes in, 32 out.
///
/// `nonce` is the nonce the use consumed (`args.nonce`, equal to the session
/// nonce before the increment). Naming program, policy and session makes a
/// binding meaningless anywhere else; the nonce makes it single-use.
/// The TypeScript client holds a byte-identical copy (see the test vector).
pub fn binding_hash(
    program_id: &Pubkey,
    policy: &Pubkey,
    session_id: u32,
    args: &ApproveArgs,
) -> [u8; 32] {
    // The runtime charges sha256 per slice (at least 10 CU each): the six
    // argument fields go as the one run `ApproveArgs` keeps them in.
    solana_sha256_hasher::hashv(&[
        BINDING_DOMAIN,
        program_id.as_ref(),
        policy.as_ref(),
        &session_id.to_le_bytes(),
        args.bound_fields(),
        &args.signature_scheme.to_le_bytes(),
    ])
    .to_bytes()
}
