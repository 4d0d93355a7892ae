/**
 * Normalises the three backends' error shapes into one `ChainError`:
 * LiteSVM gives numeric enums and classes, RPC gives JSON
 * (`{InstructionError:[0,{Custom:6000}]}`), bankrun gives the Rust Display
 * string ("Error processing Instruction 0: custom program error: 0x1770").
 */
import type { ChainError } from "./types";

/** Solana's InstructionError variants in declaration order (LiteSVM's numeric enum). */
export const INSTRUCTION_ERROR_NAMES = [
  "GenericError", "InvalidArgument", "InvalidInstructionData", "InvalidAccountData",
  "AccountDataTooSmall", "InsufficientFunds", "IncorrectProgramId", "MissingRequiredSignature",
  "AccountAlreadyInitialized", "UninitializedAccount", "UnbalancedInstruction", "ModifiedProgramId",
  "ExternalAccountLamportSpend", "ExternalAccountDataModified", "ReadonlyLamportChange",
  "ReadonlyDataModified", "DuplicateAccountIndex", "ExecutableModified", "RentEpochModified",
  "NotEnoughAccountKeys", "AccountDataSizeChanged", "AccountNotExecutable", "AccountBorrowFailed",
  "AccountBorrowOutstanding", "DuplicateAccountOutOfSync", "InvalidError", "ExecutableDataModified",
  "ExecutableLamportChange", "ExecutableAccountNotRentExempt", "UnsupportedProgramId", "CallDepth",
  "MissingAccount", "ReentrancyNotAllowed", "MaxSeedLengthExceeded", "InvalidSeeds", "InvalidRealloc",
  "ComputationalBudgetExceeded", "PrivilegeEscalation", "ProgramEnvironmentSetupFailure",
  "ProgramFailedToComplete", "ProgramFailedToCompile", "Immutable", "IncorrectAuthority",
  "AccountNotRentExempt", "InvalidAccountOwner", "ArithmeticOverflow", "UnsupportedSysvar",
  "IllegalOwner", "MaxAccountsDataAllocationsExceeded", "MaxAccountsExceeded",
  "MaxInstructionTraceLengthExceeded", "BuiltinProgramsMustConsumeComputeUnits", "BorshIoError",
] as const;

/** Solana's field-less TransactionError variants in LiteSVM's numeric order. */
export const TRANSACTION_ERROR_NAMES = [
  "AccountInUse", "AccountLoadedTwice", "AccountNotFound", "ProgramAccountNotFound",
  "InsufficientFundsForFee", "InvalidAccountForFee", "AlreadyProcessed", "BlockhashNotFound",
  "CallChainTooDeep", "MissingSignatureForFee", "InvalidAccountIndex", "SignatureFailure",
  "InvalidProgramForExecution", "SanitizeFailure", "ClusterMaintenance", "AccountBorrowOutstanding",
  "WouldExceedMaxBlockCostLimit", "UnsupportedVersion", "InvalidWritableAccount",
  "WouldExceedMaxAccountCostLimit", "WouldExceedAccountDataBlockLimit", "TooManyAccountLocks",
  "AddressLookupTableNotFound", "InvalidAddressLookupTableOwner", "InvalidAddressLookupTableData",
  "InvalidAddressLookupTableIndex", "InvalidRentPayingAccount", "WouldExceedMaxVoteCostLimit",
  "WouldExceedAccountDataTotalLimit", "MaxLoadedAccountsDataSizeExceeded", "ResanitizationNeeded",
  "InvalidLoadedAccountsDataSizeLimit", "UnbalancedTransaction", "ProgramCacheHitMaxLimit",
  "CommitCancelled",
] as const;

/**
 * The Display text (lower-cased prefix) of each InstructionError, as bankrun
 * renders it. Only variants a program test can plausibly hit are listed;
 * anything else keeps its raw text as the name.
 */
const INSTRUCTION_ERROR_DISPLAY: [string, string][] = [
  ["generic instruction error", "GenericError"],
  ["invalid program argument", "InvalidArgument"],
  ["invalid instruction data", "InvalidInstructionData"],
  ["invalid account data for instruction", "InvalidAccountData"],
  ["account data too small for instruction", "AccountDataTooSmall"],
  ["insufficient funds for instruction", "InsufficientFunds"],
  ["incorrect program id for instruction", "IncorrectProgramId"],
  ["missing required signature for instruction", "MissingRequiredSignature"],
  ["instruction requires an uninitialized account", "AccountAlreadyInitialized"],
  ["instruction requires an initialized account", "UninitializedAccount"],
  ["sum of account balances before and after instruction do not match", "UnbalancedInstruction"],
  ["instruction illegally modified the program id of an account", "ModifiedProgramId"],
  ["instruction spent from the balance of an account it does not own", "ExternalAccountLamportSpend"],
  ["instruction modified data of an account it does not own", "ExternalAccountDataModified"],
  ["instruction changed the balance of a read-only account", "ReadonlyLamportChange"],
  ["instruction modified data of a read-only account", "ReadonlyDataModified"],
  ["instruction contains duplicate accounts", "DuplicateAccountIndex"],
  ["insufficient account keys for instruction", "NotEnoughAccountKeys"],
  ["program other than the account's owner changed the size of the account data", "AccountDataSizeChanged"],
  ["instruction expected an executable account", "AccountNotExecutable"],
  ["instruction tries to borrow reference for an account which is already borrowed", "AccountBorrowFailed"],
  ["program returned invalid error code", "InvalidError"],
  ["unsupported program id", "UnsupportedProgramId"],
  ["cross-program invocation call depth too deep", "CallDepth"],
  ["an account required by the instruction is missing", "MissingAccount"],
  ["cross-program invocation reentrancy not allowed", "ReentrancyNotAllowed"],
  ["length of the seed is too long", "MaxSeedLengthExceeded"],
  ["provided seeds do not result in a valid address", "InvalidSeeds"],
  ["failed to reallocate account data", "InvalidRealloc"],
  ["computational budget exceeded", "ComputationalBudgetExceeded"],
  ["cross-program invocation with unauthorized signer or writable account", "PrivilegeEscalation"],
  ["program failed to complete", "ProgramFailedToComplete"],
  ["program failed to compile", "ProgramFailedToCompile"],
  ["account is immutable", "Immutable"],
  ["incorrect authority provided", "IncorrectAuthority"],
  ["failed to serialize or deserialize account data", "BorshIoError"],
  ["an account does not have enough lamports to be rent-exempt", "AccountNotRentExempt"],
  ["invalid account owner", "InvalidAccountOwner"],
  ["program arithmetic overflowed", "ArithmeticOverflow"],
  ["unsupported sysvar", "UnsupportedSysvar"],
  ["provided owner is not allowed", "IllegalOwner"],
];

/** Display text of TransactionError variants (bankrun). */
const TRANSACTION_ERROR_DISPLAY: [string, string][] = [
  ["account in use", "AccountInUse"],
  ["account loaded twice", "AccountLoadedTwice"],
  ["attempt to debit an account but found no record of a prior credit", "AccountNotFound"],
  ["attempt to load a program that does not exist", "ProgramAccountNotFound"],
  ["insufficient funds for fee", "InsufficientFundsForFee"],
  ["this account may not be used to pay transaction fees", "InvalidAccountForFee"],
  ["this transaction has already been processed", "AlreadyProcessed"],
  ["blockhash not found", "BlockhashNotFound"],
  ["transaction did not pass signature verification", "SignatureFailure"],
  ["this program may not be used for executing instructions", "InvalidProgramForExecution"],
  ["transaction failed to sanitize accounts offsets correctly", "SanitizeFailure"],
  ["transaction results in an account", "InsufficientFundsForRent"],
  ["transaction leaves an account with a lower balance than rent-exempt minimum", "InvalidRentPayingAccount"],
  ["transaction contains a duplicate instruction", "DuplicateInstruction"],
];

/** From bankrun's `result` string. */
export function fromDisplayString(raw: string): ChainError {
  const ix = /^Error processing Instruction (\d+): (.*)$/s.exec(raw);
  if (ix) {
    const instructionIndex = Number(ix[1]);
    const text = ix[2];
    const custom = /^custom program error: 0x([0-9a-f]+)/i.exec(text);
    if (custom) return { name: "Custom", instructionIndex, customCode: parseInt(custom[1], 16), raw };
    return { name: lookup(INSTRUCTION_ERROR_DISPLAY, text), instructionIndex, raw };
  }
  return { name: lookup(TRANSACTION_ERROR_DISPLAY, raw), raw };
}

function lookup(table: [string, string][], text: string): string {
  const lower = text.toLowerCase();
  for (const [prefix, name] of table) if (lower.startsWith(prefix)) return name;
  return text;
}

/** From an RPC `err` value (`TransactionError` as JSON). */
export function fromRpcError(err: unknown): ChainError {
  const raw = JSON.stringify(err);
  if (typeof err === "string") return { name: err, raw };
  if (err && typeof err === "object" && "InstructionError" in err) {
    const [instructionIndex, inner] = (err as { InstructionError: [number, unknown] }).InstructionError;
    if (typeof inner === "string") return { name: inner, instructionIndex, raw };
    if (inner && typeof inner === "object" && "Custom" in inner) {
      return { name: "Custom", instructionIndex, customCode: Number((inner as { Custom: number }).Custom), raw };
    }
    return { name: Object.keys(inner as object)[0] ?? raw, instructionIndex, raw };
  }
  if (err && typeof err === "object") return { name: Object.keys(err)[0] ?? raw, raw };
  return { name: raw, raw };
}

/** From LiteSVM's `FailedTransactionMetadata.err()` (numeric enums + small classes). */
export function fromLiteSvmError(err: unknown): ChainError {
  const raw = String(err);
  if (typeof err === "number") return { name: TRANSACTION_ERROR_NAMES[err] ?? raw, raw };
  const e = err as { index?: number; err?: () => unknown; accountIndex?: number; constructor?: { name?: string } };
  if (typeof e.err === "function" && typeof e.index === "number") {
    const inner = e.err() as unknown;
    if (typeof inner === "number") {
      return { name: INSTRUCTION_ERROR_NAMES[inner] ?? raw, instructionIndex: e.index, raw };
    }
    const i = inner as { code?: number; msg?: string };
    if (typeof i.code === "number") return { name: "Custom", instructionIndex: e.index, customCode: i.code, raw };
    if (typeof i.msg === "string") return { name: "BorshIoError", instructionIndex: e.index, raw };
  }
  // Remaining classes are named TransactionError<Variant>.
  const cls = e.constructor?.name ?? "";
  return { name: cls.replace(/^TransactionError/, "") || raw, raw };
}
