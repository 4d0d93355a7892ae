/**
 * A reference model of what `approve_evm_transaction` derives from the bytes
 * a Secp256k1 dWallet is asked to sign: the type byte, the strict parse of an
 * EIP-1559 transaction, the session's rules (chain, destination, fee cap,
 * amount in the session's asset) and the caps — or the name of the first
 * refusal.
 *
 * It is written from docs/verified-sessions.md ("EVM sessions") alone,
 * without reading the program's code, so the property test that runs both
 * compares two independent readings of that document. Where the document
 * leaves a choice open, the choice is marked "Reading:" below.
 *
 * The parse is viem's: `fromRlp` reads the RLP (it refuses trailing bytes,
 * non-shortest lengths and a wrapped single byte, and reads past the end are
 * its out-of-bounds errors), and `parseTransaction` reads the fields. What
 * viem accepts but the doc refuses is checked here, on the decoded items
 * (each found by testing viem 2.57):
 *
 * - an integer with a leading zero, or zero written as the byte 0x00
 *   (viem reads both as the number);
 * - a signed transaction (twelve fields; viem takes nine or twelve);
 * - an integer over 32 bytes, a chain id, nonce or gas limit over 64 bits;
 * - an access-list storage key of other than 32 bytes (viem trims it), an
 *   entry with more than its two items (viem ignores the rest), the bounds.
 *
 * And what viem refuses but the doc does not (so the model reads the items
 * itself there, and compares with viem wherever viem reads the transaction):
 * a chain id of 0, a tip above the fee cap, a nonce or chain id above 2^53.
 */
import { fromRlp, Hex, parseTransaction, toHex } from "viem";

export const MAX_TRANSACTION_LEN = 1232;
export const MAX_ACCESS_LIST_ADDRESSES = 8;
export const MAX_ACCESS_LIST_KEYS = 32;
export const U64_MAX = (1n << 64n) - 1n;
export const U128_LIMIT = 1n << 128n;
export const U256_MAX = (1n << 256n) - 1n;
/** `transfer(address,uint256)`. */
export const TRANSFER_SELECTOR = "a9059cbb";

/** Every refusal the type byte and the parse can produce. */
export const PARSE_ERRORS = [
  "MessageTooLong",
  "EvmSignedDataRefused",
  "EvmAuthorizationRefused",
  "EvmTransactionTypeUnsupported",
  "RlpTrailingBytes",
  "RlpNonCanonical",
  "RlpTruncated",
  "EvmTransactionMalformed",
  "EvmAccessListTooLong",
] as const;

/** Every refusal the rules and caps can produce on a transaction that parsed. */
export const RULE_ERRORS = [
  "EvmChainNotAllowed",
  "EvmContractCreationRefused",
  "DestinationNotAllowed",
  "EvmFeeCapExceeded",
  "EvmCallNotAllowed",
  "AssetNotAllowed",
  "EvmCalldataMalformed",
  "AmountExceedsMax",
  "BudgetExceeded",
] as const;

export type EvmParseError = (typeof PARSE_ERRORS)[number];
export type EvmRuleError = (typeof RULE_ERRORS)[number];
export type EvmErrorName = EvmParseError | EvmRuleError;

/** What an `evm` session allows, as it was created. Addresses are lowercase hex. */
export interface EvmSessionRules {
  chainId: bigint;
  /** null: the caps count wei; otherwise the one ERC-20 contract whose `transfer` amounts they count. */
  asset: Hex | null;
  /** The allowlist, in order (the any-call bits index it). */
  allowed: Hex[];
  anyCallMask: number;
  /** Cap on `max_fee_per_gas × gas_limit`, in wei. */
  maxFee: bigint;
  maxAmountPerTx: bigint;
  /** The budget; default none (2^128 − 1). */
  maxTotalAmount?: bigint;
  /** Counted so far; default 0 (a simulated use changes nothing). */
  spent?: bigint;
}

export interface AccessListEntry {
  address: Hex;
  storageKeys: Hex[];
}

/** The nine fields, in full (no 2^128 cut: the rules decide what a big value means). */
export interface ParsedEvmTransaction {
  chainId: bigint;
  nonce: bigint;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  gas: bigint;
  /** null: contract creation. */
  to: Hex | null;
  value: bigint;
  data: Uint8Array;
  accessList: AccessListEntry[];
}

export type EvmParseResult = { ok: true; tx: ParsedEvmTransaction } | { ok: false; error: EvmParseError };
export type EvmAnalysis = { ok: true; amount: bigint; to: Hex; chainId: bigint } | { ok: false; error: EvmErrorName };

/** Observer of the rule each verdict came from, so a test can see both ways of each rule reached. */
export type EvmRuleTrace = (rule: string, outcome: string) => void;

// ---------------------------------------------------------------------------
// Refusals travel as exceptions inside this module: the first one wins.

class Refusal extends Error {
  constructor(readonly code: EvmErrorName) {
    super(code);
  }
}

function refuse(code: EvmErrorName): never {
  throw new Refusal(code);
}

// ---------------------------------------------------------------------------
// Parse

type Item = Uint8Array | Item[];

/** viem's RLP read, its refusals named as the doc names them. */
function decodeRlp(bytes: Uint8Array): Item {
  // A cursor on no bytes reads as the empty string in viem; the doc: a read past the end.
  if (bytes.length === 0) refuse("RlpTruncated");
  try {
    return fromRlp(bytes, "bytes") as Item;
  } catch (e) {
    const name = (e as Error).name;
    if (name === "RlpTrailingBytesError") refuse("RlpTrailingBytes");
    if (name === "RlpNonCanonicalError") refuse("RlpNonCanonical");
    // out of the bytes, or an item past the end of its list: a read past the end
    if (name === "PositionOutOfBoundsError" || name === "RlpListBoundaryExceededError") refuse("RlpTruncated");
    // viem reads lengths of at most 4 bytes; the generator and the malformed cases make none longer
    throw new Error(`model: viem's RLP refusal not classified: ${(e as Error).message}`);
  }
}

/** The fields of a list, read in order: one past the last is a read past the end. */
class Fields {
  private at = 0;
  constructor(private readonly items: Item[]) {}
  get done(): boolean {
    return this.at === this.items.length;
  }
  /**
   * Reading: a list with fewer items than the doc names (eight fields, an
   * access-list entry with no key list) is "a read past the end"
   * (`RlpTruncated`); one with more is "a field of the wrong kind or length"
   * (`EvmTransactionMalformed`, below).
   */
  next(): Item {
    if (this.at >= this.items.length) refuse("RlpTruncated");
    return this.items[this.at++];
  }
  bytes(): Uint8Array {
    const item = this.next();
    if (Array.isArray(item)) refuse("EvmTransactionMalformed");
    return item;
  }
  list(): Fields {
    const item = this.next();
    if (!Array.isArray(item)) refuse("EvmTransactionMalformed");
    return new Fields(item);
  }
  /** An integer: at most 32 bytes, no leading zero (zero is the empty string), at most `max`. */
  uint(max = U256_MAX): bigint {
    const b = this.bytes();
    if (b.length > 32) refuse("EvmTransactionMalformed");
    if (b.length > 0 && b[0] === 0) refuse("RlpNonCanonical");
    const v = b.length === 0 ? 0n : BigInt(toHex(b));
    if (v > max) refuse("EvmTransactionMalformed");
    return v;
  }
}

function readAccessList(list: Fields): AccessListEntry[] {
  const out: AccessListEntry[] = [];
  let keys = 0;
  while (!list.done) {
    const entry = list.list();
    const address = entry.bytes();
    if (address.length !== 20) refuse("EvmTransactionMalformed");
    const keyList = entry.list();
    if (!entry.done) refuse("EvmTransactionMalformed");
    const storageKeys: Hex[] = [];
    while (!keyList.done) {
      const key = keyList.bytes();
      if (key.length !== 32) refuse("EvmTransactionMalformed");
      storageKeys.push(toHex(key));
    }
    out.push({ address: toHex(address), storageKeys });
    keys += storageKeys.length;
    // Reading: the bounds are checked as each entry is read (the first entry past them names the error).
    if (out.length > MAX_ACCESS_LIST_ADDRESSES || keys > MAX_ACCESS_LIST_KEYS) refuse("EvmAccessListTooLong");
  }
  return out;
}

function decodeTransaction(bytes: Uint8Array): ParsedEvmTransaction {
  // Reading: the doc gives the 1,232-byte bound under the parse without its
  // place; it is taken first, as for Solana messages. (On chain nothing
  // longer reaches the parse: neither an instruction nor a buffer holds it.)
  if (bytes.length > MAX_TRANSACTION_LEN) refuse("MessageTooLong");
  if (bytes.length === 0) refuse("RlpTruncated");
  // 1. Type
  const type = bytes[0];
  if (type === 0x19) refuse("EvmSignedDataRefused");
  if (type === 0x04 || type === 0x05) refuse("EvmAuthorizationRefused");
  if (type !== 0x02) refuse("EvmTransactionTypeUnsupported");
  // 2. Strict RLP: one list (nothing after it: viem's trailing-bytes check), nine fields of their kinds
  const outer = decodeRlp(bytes.subarray(1));
  if (!Array.isArray(outer)) refuse("EvmTransactionMalformed");
  const f = new Fields(outer);
  const chainId = f.uint(U64_MAX);
  const nonce = f.uint(U64_MAX);
  const maxPriorityFeePerGas = f.uint();
  const maxFeePerGas = f.uint();
  const gas = f.uint(U64_MAX);
  const toBytes = f.bytes();
  if (toBytes.length !== 0 && toBytes.length !== 20) refuse("EvmTransactionMalformed");
  const value = f.uint();
  const data = f.bytes();
  const accessList = readAccessList(f.list());
  if (!f.done) refuse("EvmTransactionMalformed");
  const tx = {
    chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to: toBytes.length ? toHex(toBytes) : null, value, data, accessList,
  };
  crossCheckWithViem(bytes, tx);
  return tx;
}

/**
 * viem's `parseTransaction` must read the same fields wherever it reads the
 * transaction at all (it refuses a chain id of 0, a tip above the fee cap and
 * numbers past 2^53, which the doc allows). A difference is a bug in the
 * model, not a verdict: it throws.
 */
function crossCheckWithViem(bytes: Uint8Array, tx: ParsedEvmTransaction): void {
  let v: ReturnType<typeof parseTransaction>;
  try {
    v = parseTransaction(toHex(bytes));
  } catch {
    return;
  }
  if (v.type !== "eip1559") throw new Error(`model: viem read a ${v.type} transaction`);
  const got = {
    chainId: BigInt(v.chainId), nonce: BigInt(v.nonce ?? 0), maxPriorityFeePerGas: v.maxPriorityFeePerGas ?? 0n,
    maxFeePerGas: v.maxFeePerGas ?? 0n, gas: v.gas ?? 0n, to: v.to?.toLowerCase() ?? null, value: v.value ?? 0n, data: v.data ?? "0x",
    accessList: (v.accessList ?? []).map((e) => ({ address: e.address.toLowerCase(), storageKeys: e.storageKeys.map((k) => k.toLowerCase()) })),
  };
  const want = { ...tx, data: toHex(tx.data) };
  const show = (o: object) => JSON.stringify(o, (_, x) => (typeof x === "bigint" ? x.toString() : x));
  if (show(got) !== show(want)) throw new Error(`model: viem reads ${show(got)}, the model ${show(want)}`);
}

/** The doc's parse: type byte, strict RLP, the nine fields and the access list. */
export function parseEvmTransaction(bytes: Uint8Array): EvmParseResult {
  try {
    return { ok: true, tx: decodeTransaction(bytes) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: e.code as EvmParseError };
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Rules

const lower = (a: Hex) => a.toLowerCase() as Hex;

/** `transfer(address,uint256)` calldata, exactly: 68 bytes, the address word's 12 high bytes zero. Returns the amount. */
function transferAmount(data: Uint8Array): bigint {
  if (data.length !== 4 + 32 + 32) refuse("EvmCalldataMalformed");
  if (data.subarray(4, 16).some((b) => b !== 0)) refuse("EvmCalldataMalformed");
  return BigInt(toHex(data.subarray(36, 68)));
}

function applyRules(tx: ParsedEvmTransaction, rules: EvmSessionRules, trace: EvmRuleTrace): { amount: bigint; to: Hex } {
  // 3. Chain
  if (tx.chainId !== rules.chainId) refuse("EvmChainNotAllowed");
  // 4. Destination
  if (tx.to === null) refuse("EvmContractCreationRefused");
  const to = lower(tx.to);
  const entry = rules.allowed.map(lower).indexOf(to);
  if (entry < 0) refuse("DestinationNotAllowed");
  const anyCall = (rules.anyCallMask >> entry) & 1;
  // 5. Fee cap: a fee per gas of 2^128 or more is over any cap whatever the
  // gas limit (0 included), as is a product past u128.
  const fee = tx.maxFeePerGas * tx.gas;
  if (tx.maxFeePerGas >= U128_LIMIT || fee >= U128_LIMIT || fee > rules.maxFee) refuse("EvmFeeCapExceeded");
  trace("fee", fee === rules.maxFee ? "at the cap" : "under the cap");
  // 6. Amount, in the session's asset: first a value of 2^128 or more (over
  // every cap), then the bullets in the doc's order, then the same bound on
  // the token amount a transfer derives.
  if (tx.value >= U128_LIMIT) refuse("AmountExceedsMax");
  let amount: bigint;
  if (rules.asset === null) {
    if (tx.data.length > 0 && !anyCall) refuse("EvmCallNotAllowed");
    trace("wei", tx.data.length > 0 ? "any call" : "plain transfer");
    amount = tx.value;
  } else {
    if (tx.value !== 0n) refuse("AssetNotAllowed");
    const isTransfer = to === lower(rules.asset) && toHex(tx.data.subarray(0, 4)) === `0x${TRANSFER_SELECTOR}`;
    if (isTransfer) {
      amount = transferAmount(tx.data);
      trace("erc20", "transfer");
    } else {
      if (!anyCall) refuse("EvmCallNotAllowed");
      trace("erc20", "any call");
      amount = 0n;
    }
  }
  if (amount >= U128_LIMIT) refuse("AmountExceedsMax");
  // 7. Caps
  if (amount > rules.maxAmountPerTx) refuse("AmountExceedsMax");
  const budget = rules.maxTotalAmount ?? U128_LIMIT - 1n;
  if ((rules.spent ?? 0n) + amount > budget) refuse("BudgetExceeded");
  return { amount, to };
}

/**
 * The verdict on `bytes` for a session with `rules` (its session checks —
 * delegate, expiry, uses, nonce — assumed to pass): what `approve_evm_transaction`
 * reports in `EvmTransactionApproved` (amount, `to`, chain id), or the name
 * of the first refusal.
 */
export function analyzeEvmTransaction(bytes: Uint8Array, rules: EvmSessionRules, trace: EvmRuleTrace = () => {}): EvmAnalysis {
  const parsed = parseEvmTransaction(bytes);
  if (!parsed.ok) return parsed;
  try {
    const { amount, to } = applyRules(parsed.tx, rules, trace);
    return { ok: true, amount, to, chainId: parsed.tx.chainId };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: e.code };
    throw e;
  }
}
