//! session-keys: holds the approval authority of Ika dWallets and hands out
//! *sessions* — temporary, scoped keys a delegate (bot, agent) uses to get
//! messages signed by the dWallet. Every limit is checked here, on every use.
//!
//! Map: `instructions/` one file per instruction; `state/` accounts and their
//! rules; `ika.rs` the Ika interface; `entrypoint.rs` the fast use path;
//! `errors.rs`, `events.rs`, `constants.rs`.
//! The exact contract is docs/spec.md; Ika's interface is docs/ika.md; the
//! security model is docs/security.md.

use anchor_lang::prelude::*;

pub mod constants;
mod cu_probe;
#[cfg(all(feature = "fast-entrypoint", not(feature = "cpi")))]
pub mod entrypoint;
pub mod errors;
pub mod events;
pub mod evm_transaction;
pub mod ika;
pub mod instructions;
pub mod keys;
pub mod solana_message;
pub mod state;

#[cfg(test)]
mod tests;

use instructions::*;

declare_id!("CJ7KZvQrEyXqs1vz8iq1Shjg2Yt4W8He814zwuCg3Q9r");

#[program]
pub mod session_keys {
    use super::*;

    /// Puts an Active Ika dWallet under a policy and, in the same instruction,
    /// hands its authority to this program's CPI authority (Ika
    /// `transfer_ownership`, signer path). The policy records the dWallet's
    /// curve. A Released policy at the same address is taken back: new admin,
    /// new epoch (its old sessions are stale), session ids continue.
    ///
    /// Signers: `init_authority` (the dWallet's current authority), `payer`.
    /// Params: `admin` of the policy.
    /// Errors: `InvalidDwalletProgram` (not Ika's pinned id), `InvalidAdmin`,
    /// `DwalletOwnerMismatch`, `InvalidDwalletAccount`, `UnsupportedCurve`,
    /// `WrongDwalletAuthority` (signer is not the dWallet's authority),
    /// `DwalletNotActive`, `PolicyAlreadyActive`, `DwalletHandOverFailed`.
    pub fn initialize_policy(
        ctx: Context<InitializePolicy>,
        args: InitializePolicyArgs,
    ) -> Result<()> {
        InitializePolicy::handler(ctx, args)
    }

    /// Creates session `args.session_id` (= `policy.next_session_id`) with its limits.
    ///
    /// Signers: `admin`, `payer`.
    /// Params: `CreateSessionArgs` (delegate, expiry, max uses, per-use amount
    /// cap, total budget, schemes mask, allowlist).
    /// Errors: `NotAdmin`, `PolicyNotActive`, `UnexpectedSessionId`,
    /// `SessionIdsExhausted`, and the argument errors (`InvalidDelegate`,
    /// `ExpiryInPast`, `ZeroMaxUses`, `InvalidSchemeMask`,
    /// `SchemeNotForCurve`, `EmptyAllowlist`,
    /// `AllowlistTooLong`, `DuplicateAllowedProgram`, `DefaultAllowedProgram`).
    pub fn create_session(ctx: Context<CreateSession>, args: CreateSessionArgs) -> Result<()> {
        CreateSession::handler(ctx, args)
    }

    /// The use path: checks every bound in the spec's order, consumes one use
    /// and one nonce, stores and emits the binding hash, then CPIs Ika
    /// `approve_message` (7 accounts, coordinator first; docs/ika.md).
    ///
    /// Signers: `delegate`, `payer` (MessageApproval rent).
    /// Params: `ApproveArgs`.
    /// Errors, in check order: `PolicyNotActive`, `SessionPolicyMismatch`,
    /// `NotDelegate`, `SessionRevoked`, `StaleEpoch`, `Expired`,
    /// `MaxUsesReached`, `NonceReplayed`, `NonceOutOfOrder`,
    /// `DestinationNotAllowed`, `AmountExceedsMax`, `BudgetExceeded`,
    /// `SchemeNotForCurve`, `SchemeNotAllowed`; account wiring:
    /// `InvalidCoordinator`, `DwalletOwnerMismatch`, `DwalletMismatch`,
    /// `InvalidDwalletProgram`, `InvalidCpiAuthority`.
    // served by the fast entrypoint alone in the deployed build (src/entrypoint.rs)
    #[cfg(not(all(feature = "fast-entrypoint", not(feature = "cpi"), target_os = "solana")))]
    pub fn approve_message(ctx: Context<ApproveMessage>, args: ApproveArgs) -> Result<()> {
        ApproveMessage::handler(ctx, args)
    }

    /// The `solana` use path (docs/verified-sessions.md): the message bytes,
    /// not a digest. After the session checks of `approve_message` (steps
    /// 1–5 and the top-level rule) the program parses the message strictly,
    /// checks every instruction's program against the allowlist and derives
    /// what it moves out of the dWallet in the session's asset; the limits
    /// apply to that amount. Ika receives `keccak256(message)`.
    ///
    /// Signers: `delegate`, `payer`. Accounts: `approve_message`'s, then the
    /// optional message buffer (consumed and closed, rent to its payer).
    /// Errors: `WrongMessageFormat`, the session checks, `CpiNotAllowed`,
    /// `MessageSourceAmbiguous`, the buffer errors, the message errors of
    /// docs/verified-sessions.md, `AmountExceedsMax`, `BudgetExceeded`.
    // served by the fast entrypoint alone in the deployed build (src/entrypoint.rs)
    #[cfg(not(all(feature = "fast-entrypoint", not(feature = "cpi"), target_os = "solana")))]
    pub fn approve_solana_message(
        ctx: Context<ApproveSolanaMessage>,
        args: ApproveSolanaArgs,
    ) -> Result<()> {
        ApproveSolanaMessage::handler(ctx, args)
    }

    /// The `evm` use path (docs/verified-sessions.md, "EVM sessions"): the
    /// unsigned EIP-1559 transaction's bytes, not a digest. After the session
    /// checks the program reads the transaction strictly (RLP), checks its
    /// chain, its `to` against the allowlist and its fee cap, and derives the
    /// amount (`value`, or an ERC-20 `transfer`); the limits apply to that
    /// amount. Ika receives `keccak256(bytes)`, Ethereum's signing hash.
    ///
    /// Signers: `delegate`, `payer`. Accounts: `approve_message`'s, then the
    /// optional message buffer (consumed and closed, rent to its payer).
    /// Errors: `WrongMessageFormat`, the session checks, `CpiNotAllowed`,
    /// `MessageSourceAmbiguous`, the buffer errors, the transaction errors of
    /// docs/verified-sessions.md, `AmountExceedsMax`, `BudgetExceeded`.
    // served by the fast entrypoint alone in the deployed build (src/entrypoint.rs)
    #[cfg(not(all(feature = "fast-entrypoint", not(feature = "cpi"), target_os = "solana")))]
    pub fn approve_evm_transaction(
        ctx: Context<ApproveEvmTransaction>,
        args: ApproveEvmArgs,
    ) -> Result<()> {
        ApproveEvmTransaction::handler(ctx, args)
    }

    /// Creates the session's message buffer with room for `len` bytes.
    ///
    /// Signers: the session's `delegate`, `payer`.
    /// Errors: `NotDelegate`, `WrongMessageFormat`, `InvalidBufferLength`.
    pub fn open_message_buffer(ctx: Context<OpenMessageBuffer>, len: u16) -> Result<()> {
        OpenMessageBuffer::handler(ctx, len)
    }

    /// Appends `bytes` to the message buffer at `offset` (where the last write ended).
    ///
    /// Signer: the session's `delegate`.
    /// Errors: `NotDelegate`, `BufferSessionMismatch`, `BufferWriteOutOfOrder`.
    pub fn write_message_buffer(
        ctx: Context<WriteMessageBuffer>,
        offset: u16,
        bytes: Vec<u8>,
    ) -> Result<()> {
        WriteMessageBuffer::handler(ctx, offset, bytes)
    }

    /// Abandons the message buffer; its rent goes back to its payer.
    ///
    /// Signer: the session's `delegate`.
    /// Errors: `NotDelegate`, `BufferSessionMismatch`, `BufferPayerMismatch`.
    pub fn close_message_buffer(ctx: Context<CloseMessageBuffer>) -> Result<()> {
        CloseMessageBuffer::handler(ctx)
    }

    /// Changes a session's limits (each `Some` field), never below what it used.
    ///
    /// Signer: `admin`.
    /// Errors: `NotAdmin`, `SessionPolicyMismatch`, `PolicyNotActive`,
    /// `SessionRevoked`, `StaleEpoch`, `EmptyUpdate`, `LimitBelowUsage`, and
    /// the argument errors of `create_session`.
    pub fn update_session(ctx: Context<UpdateSession>, args: UpdateSessionArgs) -> Result<()> {
        UpdateSession::handler(ctx, args)
    }

    /// Revokes one session, immediately and for good.
    ///
    /// Signer: `admin`. Errors: `NotAdmin`, `SessionPolicyMismatch`, `SessionRevoked`.
    pub fn revoke_session(ctx: Context<RevokeSession>) -> Result<()> {
        RevokeSession::handler(ctx)
    }

    /// The delegate revokes its own session.
    ///
    /// Signer: `delegate`. Errors: `NotDelegate`, `SessionRevoked`.
    pub fn renounce_session(ctx: Context<RenounceSession>) -> Result<()> {
        RenounceSession::handler(ctx)
    }

    /// Bumps `policy.epoch`: every existing session is dead, in O(1).
    ///
    /// Signer: `admin`. Errors: `NotAdmin`, `CounterOverflow`.
    pub fn revoke_all_sessions(ctx: Context<RevokeAllSessions>) -> Result<()> {
        RevokeAllSessions::handler(ctx)
    }

    /// Closes a dead session (revoked, expired, exhausted, stale, or under a
    /// released policy) and sends its rent to `rent_receiver`.
    ///
    /// Signer: `admin`. Errors: `NotAdmin`, `SessionPolicyMismatch`, `SessionStillLive`.
    pub fn close_session(ctx: Context<CloseSession>) -> Result<()> {
        CloseSession::handler(ctx)
    }

    /// Step one of an admin change; the default key cancels a pending proposal.
    ///
    /// Signer: `admin`. Errors: `NotAdmin`.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        ProposeAdmin::handler(ctx, new_admin)
    }

    /// Step two of an admin change: the proposed admin accepts.
    ///
    /// Signer: `new_admin`. Errors: `NoPendingAdmin`, `NotPendingAdmin`.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        AcceptAdmin::handler(ctx)
    }

    /// Hands the dWallet's authority to `new_authority` (Ika
    /// `transfer_ownership`, CPI path) and marks the policy Released: nothing
    /// approves through it unless that authority puts it back under control.
    ///
    /// Signer: `admin`.
    /// Errors: `NotAdmin`, `PolicyNotActive`, `InvalidNewAuthority`,
    /// `ReleaseToCpiAuthority`, `DwalletHandOverFailed`, account wiring errors.
    pub fn release_dwallet(ctx: Context<ReleaseDwallet>, new_authority: Pubkey) -> Result<()> {
        ReleaseDwallet::handler(ctx, new_authority)
    }

    /// Instructions Anchor does not dispatch. In the deployed build the three
    /// uses are the fast entrypoint's alone (src/entrypoint.rs), which takes
    /// every use with all its accounts (a verified use's buffer slot
    /// included); one with fewer reaches here and is `AccountNotEnoughKeys`,
    /// naming the first missing account, as Anchor's own handler names it.
    /// Anything else is `InstructionFallbackNotFound`.
    pub fn fallback(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> Result<()> {
        match instructions::uses::missing_use_account(accounts.len(), data) {
            Some(missing) => Err(Error::from(ErrorCode::AccountNotEnoughKeys).with_account_name(missing)),
            None => Err(ErrorCode::InstructionFallbackNotFound.into()),
        }
    }
}
