//! `approve_evm_transaction`: an `evm` session's use. The delegate passes
//! the unsigned EIP-1559 transaction; the program reads it
//! (`evm_transaction::verify`), counts what it moves against the session's
//! caps, and has Ika approve `keccak256` of those bytes — Ethereum's signing
//! hash of that very transaction — with EcdsaKeccak256. Served by the fast
//! entrypoint in the deployed program, with the same checks in the same
//! order as this Anchor handler (`crate::entrypoint`).

use anchor_lang::prelude::*;

use super::approve_message::*;
use super::approve_solana_message::{handle_verified_use, VerifiedUse};
use crate::errors::SessionKeysError;
use crate::events::EvmTransactionApproved;
use crate::evm_transaction::{self, Rules};
use crate::ika;
use crate::keys::Aligned32;
use crate::state::{Bound, MessageBuffer, Policy, Session, FORMAT_EVM};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ApproveEvmArgs {
    /// As in `ApproveArgs`: passed to Ika as is.
    pub user_pubkey: [u8; 32],
    /// Bound into the binding hash.
    pub signature_nonce: [u8; 32],
    /// Must equal `session.nonce`.
    pub nonce: u64,
    /// Bump of Ika's MessageApproval PDA for (EcdsaKeccak256, keccak256(transaction)).
    pub message_approval_bump: u8,
    /// The unsigned transaction, `0x02 || rlp([...])`, as Ethereum signs it;
    /// empty when it comes from the message buffer.
    pub transaction: Vec<u8>,
}

/// `ApproveMessage`'s accounts, then the optional message buffer (as for a
/// `solana` use: a long transaction is staged there first).
#[derive(Accounts)]
pub struct ApproveEvmTransaction<'info> {
    pub base: ApproveMessage<'info>,

    /// The buffer holding the transaction when it is not in the arguments;
    /// closed here, its rent back to `base.payer`, which must be its payer.
    #[account(mut)]
    pub message_buffer: Option<AccountLoader<'info, MessageBuffer>>,
}

/// The metadata digest of an EVM use (none), 8-aligned.
static ZERO: Aligned32 = Aligned32([0; 32]);

impl ApproveEvmTransaction<'_> {
    pub fn handler(ctx: Context<Self>, args: ApproveEvmArgs) -> Result<()> {
        let a = &ctx.accounts.base;
        let fixed = VerifiedUse {
            user_pubkey: &args.user_pubkey,
            signature_nonce: &args.signature_nonce,
            nonce: args.nonce,
            message_approval_bump: args.message_approval_bump,
            message: &args.transaction,
        };
        handle_verified_use(a, &ctx.accounts.message_buffer, fixed, |policy, session, slot, u| {
            use_evm_session(&a.policy.key(), policy, &a.session.key(), session, a.delegate.key, slot, u)
        })
    }
}

/// Everything the `evm` use path does before the Ika CPI, shared by
/// Anchor's handler and the fast entrypoint: the session checks, the
/// transaction read and its rules, the limits on the derived amount, then
/// one use consumed, the binding stored and `EvmTransactionApproved`
/// emitted. Returns the data of the Ika CPI.
pub fn use_evm_session(
    policy_key: &Pubkey,
    policy: &Policy,
    session_key: &Pubkey,
    session: &mut Session,
    delegate: &Pubkey,
    slot: u64,
    u: &VerifiedUse,
) -> Result<ika::ApproveMessageData> {
    let transaction = u.message;
    require!(
        session.format == FORMAT_EVM,
        SessionKeysError::WrongMessageFormat
    );
    session.check_session(policy_key, policy, delegate, slot, u.nonce, top_level())?;

    let verdict = evm_transaction::verify(
        transaction,
        &Rules {
            chain_id: session.chain_id,
            asset: &session.asset_mint,
            allowed: session.allowed_programs()?,
            any_call_mask: session.any_call_mask,
            max_fee: session.max_fee(),
        },
    )?;
    session.check_limits(policy, None, verdict.amount, ika::SCHEME_ECDSA_KECCAK256)?;

    let message_digest = Aligned32(solana_keccak_hasher::hash(transaction).to_bytes());
    let binding = Bound {
        message_digest: &message_digest.0,
        message_metadata_digest: &ZERO.0,
        destination: verdict.to_word.0.as_array(),
        signature_nonce: u.signature_nonce,
        amount: verdict.amount,
        nonce: u.nonce,
        signature_scheme: ika::SCHEME_ECDSA_KECCAK256,
    }
    .hash(policy_key, session.session_id);
    let remaining_uses = session.record_use(slot, verdict.amount, binding)?;
    emit!(EvmTransactionApproved {
        session: *session_key,
        nonce: u.nonce,
        binding,
        remaining_uses,
        amount: verdict.amount,
        chain_id: verdict.chain_id,
        to: *verdict.to,
    });
    Ok(ika::ApproveMessageData::computed(
        &message_digest.0,
        u.user_pubkey,
        u.message_approval_bump,
        ika::SCHEME_ECDSA_KECCAK256,
    ))
}
