/**
 * One interface for "a chain": a real cluster over RPC, or an in-process
 * runtime (LiteSVM, bankrun). The client, tests and benchmarks talk only to
 * these types, so none of them knows which backend it runs on.
 */
import type { AccountInfo, PublicKey, Transaction, VersionedTransaction } from "@solana/web3.js";

export type RuntimeKind = "rpc" | "litesvm" | "bankrun";

/**
 * A transaction or instruction error, normalised across backends.
 * `name` is the Solana variant name (`"Custom"`, `"MissingRequiredSignature"`,
 * `"BlockhashNotFound"` …) so callers never parse backend-specific strings.
 */
export interface ChainError {
  /** Variant name of the TransactionError, or of the InstructionError when `instructionIndex` is set. */
  name: string;
  /** Index of the failing top-level instruction, for instruction errors. */
  instructionIndex?: number;
  /** The program's own error code, when `name === "Custom"`. */
  customCode?: number;
  /** The backend's own rendering, for humans. */
  raw: string;
}

interface TxOutcomeBase {
  signature: string;
  logs: string[];
  /** Compute units consumed by the whole transaction. */
  computeUnits: number;
}
export interface TxSuccess extends TxOutcomeBase { ok: true }
export interface TxFailure extends TxOutcomeBase { ok: false; error: ChainError }
/** What sending a transaction produced. Failures are values, not exceptions. */
export type TxOutcome = TxSuccess | TxFailure;

/** A simulation: logs, CU, the state of requested accounts after it, or the error. */
export interface SimOutcome {
  ok: boolean;
  error?: ChainError;
  logs: string[];
  computeUnits: number;
  /** Post-simulation state of each requested address (null: does not exist). */
  postAccounts: Map<string, AccountInfo<Buffer> | null>;
}

export interface Blockhash { blockhash: string; lastValidBlockHeight: number }

/** A `getProgramAccounts` filter, as the RPC takes it (memcmp bytes raw, not base58). */
export type AccountFilter = { memcmp: { offset: number; bytes: Buffer } } | { dataSize: number };

/** Which bytes of each account to return; `{ offset: 0, length: 0 }` lists addresses only. */
export interface DataSlice { offset: number; length: number }

export interface ProgramAccount { address: PublicKey; account: AccountInfo<Buffer> }

/** Operations every backend supports. */
export interface Chain {
  readonly kind: RuntimeKind;
  /** Whether `simulateTransaction` can report post-state (bankrun cannot). */
  readonly simulatesPostState: boolean;
  getAccountInfo(address: PublicKey): Promise<AccountInfo<Buffer> | null>;
  getMultipleAccounts(addresses: PublicKey[]): Promise<(AccountInfo<Buffer> | null)[]>;
  /** Submit a fully signed transaction (legacy or v0) and wait for its outcome. Never throws on program failure. */
  sendTransaction(tx: Transaction | VersionedTransaction): Promise<TxOutcome>;
  /** Simulate without signatures being checked; report post-state of `accounts`. */
  simulateTransaction(tx: Transaction, accounts?: PublicKey[]): Promise<SimOutcome>;
  /** The slot programs see in the Clock sysvar. */
  getSlot(): Promise<bigint>;
  getLatestBlockhash(): Promise<Blockhash>;
  getMinimumBalanceForRentExemption(dataLength: number): Promise<number>;
  /**
   * Accounts owned by `programId` that pass every filter, in no particular
   * order. An in-process runtime cannot list its accounts: it answers from
   * every address it has seen in a transaction or a state injection.
   */
  getProgramAccounts(programId: PublicKey, filters: AccountFilter[], dataSlice?: DataSlice): Promise<ProgramAccount[]>;
}

/** Clock fields a test may override; missing fields keep their current value. */
export interface ClockPatch {
  slot?: bigint;
  epoch?: bigint;
  unixTimestamp?: bigint;
  epochStartTimestamp?: bigint;
  leaderScheduleEpoch?: bigint;
}

/** Extra powers only an in-process runtime has. */
export interface LocalChain extends Chain {
  readonly kind: "litesvm" | "bankrun";
  airdrop(address: PublicKey, lamports: number | bigint): Promise<void>;
  /** Move the Clock sysvar to `slot` (forward or backward). */
  warpToSlot(slot: bigint): Promise<void>;
  setClock(patch: ClockPatch): Promise<void>;
  /** Write an account directly, bypassing the runtime's rules (state injection). */
  setAccount(address: PublicKey, account: AccountInfo<Buffer | Uint8Array>): Promise<void>;
  /** Load an SBF program from a .so file at `programId`. */
  addProgram(programId: PublicKey, soPath: string): Promise<void>;
  /** Make the next `getLatestBlockhash` differ, so an identical transaction can be sent again. */
  refreshBlockhash(): Promise<void>;
}

export function isLocalChain(chain: Chain): chain is LocalChain {
  return chain.kind === "litesvm" || chain.kind === "bankrun";
}
