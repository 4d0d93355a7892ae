//! The program's one error enum. Variants are grouped; the first group is the use
//! path in the exact order `approve_message` checks it (docs/spec.md).
//! Codes are Anchor's `6000 + index`, so never reorder: append.

use anchor_lang::prelude::*;

#[error_code]
#[derive(PartialEq, Eq)]
pub enum SessionKeysError {
    // ---- use path, in check order -------------------------------------------
    #[msg("Policy is not active (its dWallet was released)")]
    PolicyNotActive,
    #[msg("Session does not belong to this policy")]
    SessionPolicyMismatch,
    #[msg("Signer is not the session's delegate")]
    NotDelegate,
    #[msg("Session is revoked")]
    SessionRevoked,
    #[msg("Session epoch is older than the policy epoch (all sessions were revoked)")]
    StaleEpoch,
    #[msg("Session expired: current slot is past expiry_slot")]
    Expired,
    #[msg("Session has used all of max_uses")]
    MaxUsesReached,
    #[msg("Nonce is lower than the session nonce (replay)")]
    NonceReplayed,
    #[msg("Nonce is higher than the session nonce (out of order)")]
    NonceOutOfOrder,
    #[msg("Destination program is not in the session allowlist")]
    DestinationNotAllowed,
    #[msg("Amount exceeds max_amount_per_tx")]
    AmountExceedsMax,
    #[msg("Amount would exceed the session's total budget")]
    BudgetExceeded,
    #[msg("Signature scheme is not allowed by this session")]
    SchemeNotAllowed,

    // ---- authority ----------------------------------------------------------
    #[msg("Signer is not the policy admin")]
    NotAdmin,
    #[msg("No admin change is pending")]
    NoPendingAdmin,
    #[msg("Signer is not the pending admin")]
    NotPendingAdmin,

    // ---- dWallet and Ika accounts --------------------------------------------
    #[msg("dWallet program account is not Ika's dWallet program (the pinned id)")]
    InvalidDwalletProgram,
    /// Code 6017 named `DwalletProgramMismatch` before the program pinned
    /// Ika's id (binding domain v1); no deployment carried that meaning.
    #[msg("Coordinator account is not Ika's DWalletCoordinator")]
    InvalidCoordinator,
    #[msg("dWallet account is not the policy's dWallet")]
    DwalletMismatch,
    #[msg("dWallet account is not owned by Ika's dWallet program")]
    DwalletOwnerMismatch,
    #[msg("dWallet account data is not a dWallet (length, discriminator, version or public key length)")]
    InvalidDwalletAccount,
    #[msg("Signer is not the dWallet's current authority")]
    WrongDwalletAuthority,
    #[msg("dWallet authority did not change to the expected key after transfer_ownership")]
    DwalletHandOverFailed,
    #[msg("Cannot release the dWallet to this program's own CPI authority")]
    ReleaseToCpiAuthority,

    // ---- bad arguments --------------------------------------------------------
    #[msg("Admin must not be the default (all-zero) key")]
    InvalidAdmin,
    #[msg("Delegate must not be the default (all-zero) key")]
    InvalidDelegate,
    #[msg("New dWallet authority must not be the default (all-zero) key")]
    InvalidNewAuthority,
    #[msg("Allowlist is empty: at least one destination program is required")]
    EmptyAllowlist,
    #[msg("Allowlist has more than 8 programs")]
    AllowlistTooLong,
    #[msg("Allowlist contains the same program twice")]
    DuplicateAllowedProgram,
    #[msg("Allowlist contains the default (all-zero) key")]
    DefaultAllowedProgram,
    #[msg("expiry_slot is before the current slot")]
    ExpiryInPast,
    #[msg("max_uses must be at least 1")]
    ZeroMaxUses,
    #[msg("Signature scheme mask is zero or names an unknown scheme")]
    InvalidSchemeMask,
    #[msg("New limit is below what the session has already used")]
    LimitBelowUsage,
    #[msg("Update changes nothing")]
    EmptyUpdate,
    #[msg("session_id is not the policy's next session id")]
    UnexpectedSessionId,

    // ---- lifecycle and counters ---------------------------------------------
    #[msg("Session is still live: close it only when revoked, expired, exhausted or stale")]
    SessionStillLive,
    #[msg("All 2^32 session ids of this policy have been used")]
    SessionIdsExhausted,
    #[msg("Counter overflow")]
    CounterOverflow,
    #[msg("Account is not this program's CPI authority")]
    InvalidCpiAuthority,
    #[msg("dWallet is not Active (its DKG is in progress, or it is frozen)")]
    DwalletNotActive,
    #[msg("dWallet curve is not one Ika defines")]
    UnsupportedCurve,
    #[msg("Signature scheme cannot be signed by the dWallet's curve")]
    SchemeNotForCurve,
    #[msg("Policy is already active")]
    PolicyAlreadyActive,

    // ---- verified sessions (docs/verified-sessions.md) ----------------------
    #[msg("Account data is corrupt (a stored length is out of range)")]
    CorruptAccount,
    #[msg("approve ran inside another program's CPI; the session does not allow it")]
    CpiNotAllowed,
    #[msg("This instruction is for the other message format (opaque: approve_message; solana: approve_solana_message)")]
    WrongMessageFormat,
    #[msg("Unknown session format or flag bits")]
    InvalidSessionFormat,
    #[msg("The solana format needs a Curve25519 dWallet and exactly the EddsaSha512 scheme")]
    FormatNotForCurve,
    #[msg("Message is longer than 1232 bytes")]
    MessageTooLong,
    #[msg("Message version is not legacy or 0")]
    UnsupportedMessageVersion,
    #[msg("Message ends inside a field, or a count runs past its data")]
    MessageTruncated,
    #[msg("Compact-u16 is longer than 3 bytes, above 65535, or not in its shortest form")]
    InvalidCompactU16,
    #[msg("Message has bytes after its last field")]
    MessageTrailingBytes,
    #[msg("Message header is invalid (signer counts, account count, empty lookup table)")]
    InvalidMessageHeader,
    #[msg("Message lists the same static key twice")]
    DuplicateMessageAccount,
    #[msg("Instruction names an account or program index out of range")]
    AccountIndexOutOfRange,
    #[msg("The dWallet is not a signer of the message")]
    DwalletNotSigner,
    #[msg("Message moves an asset other than the session's out of the dWallet")]
    AssetNotAllowed,
    #[msg("Token Transfer names no mint; use TransferChecked")]
    TransferWithoutMint,
    #[msg("Message hands control of the dWallet or its assets away")]
    ControlTransferRefused,
    #[msg("Instruction lists the dWallet in a way the session rules do not cover")]
    UnsupportedInstruction,
    #[msg("Durable-nonce message (AdvanceNonceAccount): the session does not allow it")]
    DurableNonceNotAllowed,
    #[msg("A rule needs an account loaded from an address lookup table")]
    LookupTableAccountInRule,
    #[msg("The dWallet pays a priority fee in lamports, outside the session's asset")]
    PriorityFeeNotInAsset,
    #[msg("Give the message either in the arguments or in a buffer, not both or neither")]
    MessageSourceAmbiguous,
    #[msg("Message buffer length must be 1..=1232")]
    InvalidBufferLength,
    #[msg("Message buffer writes must append in order, within its length")]
    BufferWriteOutOfOrder,
    #[msg("Message buffer is not complete")]
    BufferIncomplete,
    #[msg("Message buffer belongs to another session")]
    BufferSessionMismatch,
    #[msg("Payer is not the message buffer's payer")]
    BufferPayerMismatch,
    // ---- evm sessions (docs/verified-sessions.md, "EVM sessions")
    #[msg("RLP item runs past the end of its data")]
    RlpTruncated,
    #[msg("RLP is not in its canonical form (a length or integer with a leading zero, a long form for a short item, a single byte below 0x80 as a string)")]
    RlpNonCanonical,
    #[msg("Transaction has bytes after its RLP list")]
    RlpTrailingBytes,
    #[msg("Transaction fields are not those of an EIP-1559 transaction (count, kind or length)")]
    EvmTransactionMalformed,
    #[msg("Only EIP-1559 (type 2) transactions are approved: legacy, EIP-2930 and blob transactions are refused")]
    EvmTransactionTypeUnsupported,
    #[msg("EIP-191 signed data (a personal message or EIP-712 typed data, so every permit) is refused")]
    EvmSignedDataRefused,
    #[msg("EIP-7702 authorizations (a type-4 transaction, or an authorization to sign) are refused")]
    EvmAuthorizationRefused,
    #[msg("Access list has more than 8 addresses or 32 storage keys")]
    EvmAccessListTooLong,
    #[msg("Transaction is for another chain than the session's")]
    EvmChainNotAllowed,
    #[msg("Contract creation (no `to`) is refused")]
    EvmContractCreationRefused,
    #[msg("Calldata the session does not allow for this contract")]
    EvmCallNotAllowed,
    #[msg("ERC-20 transfer calldata is not transfer(address,uint256) in its exact ABI form")]
    EvmCalldataMalformed,
    #[msg("max_fee_per_gas × gas_limit is above the session's fee cap")]
    EvmFeeCapExceeded,
    #[msg("EVM address must be 12 zero bytes then 20 address bytes, not all zero")]
    InvalidEvmAddress,
    #[msg("An evm session needs its EVM limits (chain id not 0, fee cap, call mask within the allowlist); other formats take none")]
    InvalidEvmLimits,
}
