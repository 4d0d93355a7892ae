/**
 * The chain layer: one interface, the RPC backend, and an Anchor provider over
 * any chain. The in-process runtimes (LiteSVM, bankrun) are in ./local, which
 * only tests, the bench, the demo and `--local` import: nothing here loads a
 * test runtime or a native addon.
 */
export * from "./types";
export * from "./errors";
export { RpcChain } from "./rpc";
export { ChainProvider, KeypairWallet, TransactionFailedError } from "./provider";
export { consumedByProgram, txSignature } from "./tx-utils";
