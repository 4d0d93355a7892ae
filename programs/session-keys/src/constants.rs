//! Seeds and limits. Every PDA seed of the program is named here, once.
//! `#[constant]` ones are exported in the IDL for clients.

use anchor_lang::prelude::*;

/// Policy PDA: `["policy", dwallet, sha256(init_authority)]`.
#[constant]
pub const SEED_POLICY: &[u8] = b"policy";

/// Session PDA: `["session", policy, session_id (u32 LE)]`.
#[constant]
pub const SEED_SESSION: &[u8] = b"session";

/// The Ika CPI-authority convention: one PDA per calling program, no data.
/// It is the dWallet authority of every dWallet under a policy of this program.
#[constant]
pub const SEED_CPI_AUTHORITY: &[u8] = b"__ika_cpi_authority";

/// This program's CPI authority, `find_program_address([SEED_CPI_AUTHORITY], ID)`,
/// written out so the use path compares 32 bytes instead of deriving the PDA
/// again (one `create_program_address` costs 1,500 CU). The host test
/// `tests::cpi_authority_constant_is_the_pda` fails if the program id changes
/// without this line (after `anchor keys sync`, print the new value with
/// `cargo test -p session-keys cpi_authority -- --nocapture`).
pub const CPI_AUTHORITY: Pubkey = pubkey!("8G6ubVe4NjNLd4hcK7PyaTRuPc4opuaaqdjWK8EjNXbM");

/// Domain separator at the start of every binding hash (see `state::binding_hash`).
/// v3: u128 amounts, and `solana` uses bind the programs their message calls.
#[constant]
pub const BINDING_DOMAIN: &[u8] = b"session-keys/v3";

/// Fixed capacity of a session's destination-program allowlist.
pub const MAX_ALLOWED_PROGRAMS: usize = 8;

/// `max_total_amount` value meaning "no total budget" (only the per-use cap applies).
#[constant]
pub const NO_TOTAL_BUDGET: u128 = u128::MAX;

/// Message buffer PDA: `["message_buffer", session]` (one per session at a time).
#[constant]
pub const SEED_MESSAGE_BUFFER: &[u8] = b"message_buffer";

/// Every signature scheme Ika knows (bit `i` = scheme `i`, see `ika::SCHEME_*`);
/// equal to `ika::ALL_SCHEMES` (host test). A session allows a non-empty
/// subset of the schemes its dWallet's curve signs (`ika::Curve::schemes`).
#[constant]
pub const ALL_SIGNATURE_SCHEMES: u8 = 0b0111_1111;
