/** The chain layer: one interface, three backends, and an Anchor provider over any of them. */
export * from "./types";
export * from "./errors";
export { RpcChain } from "./rpc";
export { LiteSvmChain } from "./litesvm";
export { BankrunChain, BankrunProgram } from "./bankrun";
export { ChainProvider, KeypairWallet, TransactionFailedError } from "./provider";
export { consumedByProgram, txSignature } from "./tx-utils";
