/**
 * The in-process chains: LiteSVM and bankrun. Test runtimes, imported only
 * by tests, the bench, the demo and `--local`; the client and the RPC path
 * never load them.
 */
export { LiteSvmChain } from "./litesvm";
export { BankrunChain, BankrunProgram } from "./bankrun";
