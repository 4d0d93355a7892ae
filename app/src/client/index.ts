/**
 * The session-keys client: everything the CLI, API, demo, tests and bench use,
 * and what the package (`npm run build:client`, docs/client.md) exports. With
 * it, the production half of the chain layer: the RPC chain and a keypair
 * wallet to construct a client with, and the types a chain answers in.
 */
export * from "./client";
export * from "./instructions";
export * from "./inspect";
export * from "./binding";
export * from "./pda";
export * from "./ika";
export * from "./approval";
export * from "./solana-message";
export * from "./evm-transaction";
export * from "./verified-use";
export * from "./status";
export * from "./errors";
export * from "./wallet";
export { SESSION_KEYS_IDL, SESSION_KEYS_PROGRAM_ID } from "./idl";
export type { SessionKeys } from "./idl";
export { ChainProvider, KeypairWallet, RpcChain, TransactionFailedError } from "../chain";
export type { Blockhash, Chain, ChainError, SimOutcome, TxOutcome } from "../chain";
