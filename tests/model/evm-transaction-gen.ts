/**
 * Random and hand-derived EIP-1559 transactions for `evm` sessions
 * (docs/verified-sessions.md, "EVM sessions"), to feed the reference model
 * (tests/model/evm-transaction-model.ts) and the program side by side.
 *
 * - `evmTransactionArb(ctx)`: viem `TransactionSerializableEIP1559` fields
 *   drawn around every rule's edges (the session's chain and others, fees at
 *   and past the cap and up to 2^256 − 1, `to` on and off the allowlist or
 *   absent, values and `transfer` amounts at the caps and at 2^128 and more,
 *   other ERC-20 selectors, malformed `transfer` calldata, access lists across
 *   the 8-address and 32-key bounds), serialized by viem's
 *   `serializeTransaction`: the generator never encodes RLP itself.
 * - `malformedEvmCases(ctx)`: byte strings derived from viem's output (a
 *   trailing byte, a truncation, a non-shortest length, a leading zero, other
 *   type bytes, a signed transaction, …), each with the error the doc names.
 *   Field-level variants re-encode viem's decoded fields with viem's `toRlp`;
 *   only the defect itself is written by hand.
 */
import * as fc from "fast-check";
import {
  encodeFunctionData, erc20Abi, fromRlp, Hex, hexToBytes, serializeTransaction, toHex, toRlp,
  TransactionSerializableEIP1559,
} from "viem";
import { MAX_TRANSACTION_LEN, U128_LIMIT, U256_MAX, U64_MAX } from "./evm-transaction-model";

/** The addresses and numbers transactions are drawn around. Addresses lowercase. */
export interface EvmGenContext {
  /** The sessions' chain. */
  chainId: number;
  otherChainIds: number[];
  /** The sessions' fee cap (`max_fee`). */
  maxFee: bigint;
  /** Per-use caps and budgets the sessions hold: amounts are drawn at, below and above each. */
  amountEdges: bigint[];
  /** Every address some session allowlists (the token among them). */
  allowed: Hex[];
  /** The ERC-20 contract a session counts. */
  token: Hex;
  /** Addresses no session allowlists. */
  others: Hex[];
}

export interface GeneratedEvmTransaction {
  tx: TransactionSerializableEIP1559;
  bytes: Uint8Array;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** fc.oneof with weights, tersely. */
function pick<T>(...choices: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

const addressArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b));
const wordArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));

/** 0, small, at and around each edge, 2^128 − 1 and up to 2^256 − 1. */
function amountArb(ctx: EvmGenContext): fc.Arbitrary<bigint> {
  const edges = ctx.amountEdges.flatMap((e) => [e - 1n, e, e + 1n]).filter((e) => e >= 0n && e <= U256_MAX);
  return pick<bigint>(
    [2, fc.constant(0n)],
    [3, fc.bigInt(1n, 1_000_000n)],
    [4, fc.constantFrom(...edges)],
    [2, fc.bigInt(0n, ctx.amountEdges.reduce((a, b) => (a > b ? a : b)))],
    [2, fc.constantFrom(U128_LIMIT - 1n, U128_LIMIT, U128_LIMIT + 1n, U256_MAX)],
    [1, fc.bigInt(U128_LIMIT, U256_MAX)],
  );
}

/** Gas limits: the plain transfer's, around it, large, at u64's end, and (rarely) past it. */
const gasArb: fc.Arbitrary<bigint> = pick<bigint>(
  [6, fc.constantFrom(21_000n, 20_999n, 21_001n)],
  [2, fc.bigInt(1n, 1_000_000n)],
  [1, fc.constantFrom(0n, 1n, 30_000_000n, 1n << 63n, U64_MAX)],
  // no gas at all: the fee cap's product is 0 whatever the fee per gas
  [1, fc.constant(0n)],
  [1, fc.bigInt(0n, U64_MAX)],
  [1, fc.constantFrom(1n << 64n, (1n << 64n) + 1n, U128_LIMIT)],
);

/** A fee per gas for `gas`: at the cap's quotient and one either side, under it, or huge. */
function maxFeePerGasArb(ctx: EvmGenContext, gas: bigint): fc.Arbitrary<bigint> {
  const atCap = gas > 0n ? ctx.maxFee / gas : ctx.maxFee;
  return pick<bigint>(
    [5, fc.constantFrom(atCap, atCap + 1n, ...(atCap > 0n ? [atCap - 1n] : []))],
    [4, fc.bigInt(0n, atCap)],
    [1, fc.bigInt(0n, 4n * atCap + 4n)],
    [1, fc.constantFrom(U128_LIMIT - 1n, U128_LIMIT, U256_MAX)],
    [1, fc.bigInt(0n, U256_MAX)],
  );
}

/** Fees: viem refuses a tip above the fee cap, so the tip is drawn under it. */
function feesArb(ctx: EvmGenContext): fc.Arbitrary<Pick<TransactionSerializableEIP1559, "gas" | "maxFeePerGas" | "maxPriorityFeePerGas">> {
  return gasArb.chain((gas) =>
    maxFeePerGasArb(ctx, gas).chain((maxFeePerGas) =>
      pick<bigint>([2, fc.constant(0n)], [2, fc.constant(maxFeePerGas)], [3, fc.bigInt(0n, maxFeePerGas)])
        .map((maxPriorityFeePerGas) => ({ gas, maxFeePerGas, maxPriorityFeePerGas })),
    ),
  );
}

const chainIdArb = (ctx: EvmGenContext): fc.Arbitrary<number> => pick<number>(
  [12, fc.constant(ctx.chainId)],
  [2, fc.constantFrom(...ctx.otherChainIds)],
  [1, fc.integer({ min: 1, max: MAX_SAFE })],
);

const nonceArb: fc.Arbitrary<number> = pick<number>([6, fc.nat(1000)], [1, fc.constantFrom(0, 2 ** 32, MAX_SAFE)]);

const toArb = (ctx: EvmGenContext): fc.Arbitrary<Hex | undefined> => pick<Hex | undefined>(
  [8, fc.constantFrom(...ctx.allowed)],
  [2, fc.constantFrom(...ctx.others)],
  [1, addressArb],
  [1, fc.constant(undefined)],
);

// ---------------------------------------------------------------------------
// Calldata

const otherAbi = [
  { type: "function", name: "increaseAllowance", inputs: [{ type: "address" }, { type: "uint256" }], outputs: [], stateMutability: "nonpayable" },
  { type: "function", name: "setApprovalForAll", inputs: [{ type: "address" }, { type: "bool" }], outputs: [], stateMutability: "nonpayable" },
  {
    type: "function", name: "permit", stateMutability: "nonpayable", outputs: [],
    inputs: [{ type: "address" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "uint8" }, { type: "bytes32" }, { type: "bytes32" }],
  },
] as const;

export const transferData = (to: Hex, amount: bigint): Hex => encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] });

/** `approve`, `increaseAllowance`, `permit`, `setApprovalForAll`, `transferFrom`: every one a way to let someone else move the token. */
function otherSelectorArb(ctx: EvmGenContext): fc.Arbitrary<Hex> {
  const who = fc.constantFrom(...ctx.others, ...ctx.allowed);
  const amount = amountArb(ctx);
  return fc.oneof(
    fc.tuple(who, amount).map(([a, n]) => encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [a, n] })),
    fc.tuple(who, amount).map(([a, n]) => encodeFunctionData({ abi: otherAbi, functionName: "increaseAllowance", args: [a, n] })),
    fc.tuple(who, who, amount, wordArb, wordArb).map(([o, s, n, r, ss]) =>
      encodeFunctionData({ abi: otherAbi, functionName: "permit", args: [o, s, n, 1n << 64n, 27, r, ss] })),
    fc.tuple(who, fc.boolean()).map(([a, b]) => encodeFunctionData({ abi: otherAbi, functionName: "setApprovalForAll", args: [a, b] })),
    fc.tuple(who, who, amount).map(([f, t, n]) => encodeFunctionData({ abi: erc20Abi, functionName: "transferFrom", args: [f, t, n] })),
  );
}

/** A `transfer` that is not exactly one: 67 or 69 bytes, or an address word whose high bytes are not zero. */
function malformedTransferArb(ctx: EvmGenContext): fc.Arbitrary<Hex> {
  const good = fc.tuple(fc.constantFrom(...ctx.others), amountArb(ctx)).map(([to, n]) => hexToBytes(transferData(to, n)));
  return fc.oneof(
    good.map((b) => toHex(b.subarray(0, 67))),
    good.map((b) => toHex(Uint8Array.from([...b, 0]))),
    fc.tuple(good, fc.integer({ min: 4, max: 15 }), fc.integer({ min: 1, max: 255 })).map(([b, at, v]) => {
      const dirty = Uint8Array.from(b);
      dirty[at] = v;
      return toHex(dirty);
    }),
  );
}

function dataArb(ctx: EvmGenContext): fc.Arbitrary<Hex | undefined> {
  return pick<Hex | undefined>(
    [5, fc.constant(undefined)],
    [5, fc.tuple(fc.constantFrom(...ctx.others, ...ctx.allowed), amountArb(ctx)).map(([to, n]) => transferData(to, n))],
    [3, otherSelectorArb(ctx)],
    [2, fc.uint8Array({ minLength: 1, maxLength: 100 }).map((b) => toHex(b))],
    [2, malformedTransferArb(ctx)],
  );
}

// ---------------------------------------------------------------------------
// Access lists: 0..10 entries, 0..40 keys over all of them

function accessListArb(ctx: EvmGenContext): fc.Arbitrary<{ address: Hex; storageKeys: Hex[] }[]> {
  const address = pick<Hex>([3, fc.constantFrom(...ctx.allowed, ...ctx.others)], [1, addressArb]);
  const entry = (maxKeys: number) => fc.record({ address, storageKeys: fc.array(wordArb, { maxLength: maxKeys }) });
  // across the address bound: 6..10 entries of at most one key
  const manyAddresses = fc.array(entry(1), { minLength: 6, maxLength: 10 });
  // across the key bound: 25..40 keys over 1..3 entries (33 keys alone are some 1,100 bytes)
  const manyKeys = fc.tuple(fc.array(address, { minLength: 1, maxLength: 3 }), fc.array(wordArb, { minLength: 25, maxLength: 40 }))
    .map(([addresses, keys]) => addresses.map((a, i) => ({ address: a, storageKeys: keys.filter((_, k) => k % addresses.length === i) })));
  return pick([10, fc.constant([])], [5, fc.array(entry(3), { minLength: 1, maxLength: 3 })], [2, manyAddresses], [2, manyKeys]);
}

// ---------------------------------------------------------------------------
// Transactions

function fieldsArb(ctx: EvmGenContext): fc.Arbitrary<TransactionSerializableEIP1559> {
  return fc.record({
    chainId: chainIdArb(ctx), nonce: nonceArb, fees: feesArb(ctx), to: toArb(ctx), value: amountArb(ctx),
    data: dataArb(ctx), accessList: accessListArb(ctx),
  }).map(({ fees, ...f }) => ({ type: "eip1559" as const, ...f, ...fees }));
}

/**
 * The plausible uses, so each rule is reached with the earlier ones passing:
 * a plain transfer to an allowlisted address, and a token `transfer` with no
 * value, on the session's chain under the fee cap — each with its amount, and
 * now and then one other field, still drawn around the edges.
 */
function plausibleArb(ctx: EvmGenContext): fc.Arbitrary<TransactionSerializableEIP1559> {
  const underCap = fc.bigInt(1n, 1_000_000n).map((gas) => ({ gas, maxFeePerGas: ctx.maxFee / gas, maxPriorityFeePerGas: 0n }));
  const native = fc.record({ to: fc.constantFrom(...ctx.allowed), value: amountArb(ctx), fees: underCap });
  const token = fc.record({
    to: pick<Hex>([4, fc.constant(ctx.token)], [1, fc.constantFrom(...ctx.allowed)]),
    data: pick<Hex>(
      [6, fc.tuple(fc.constantFrom(...ctx.others), amountArb(ctx)).map(([to, n]) => transferData(to, n))],
      [2, otherSelectorArb(ctx)],
      [1, malformedTransferArb(ctx)],
    ),
    value: pick<bigint>([6, fc.constant(0n)], [1, amountArb(ctx)]),
    fees: underCap,
  });
  return fc.record({
    base: fc.oneof(native, token),
    nonce: nonceArb,
    accessList: pick([4, fc.constant([])], [1, accessListArb(ctx)]),
    // one field from the random generator, now and then
    over: pick<Partial<TransactionSerializableEIP1559>>(
      [10, fc.constant({})],
      [1, chainIdArb(ctx).map((chainId) => ({ chainId }))],
      [1, feesArb(ctx)],
      [1, toArb(ctx).map((to) => ({ to }))],
    ),
  }).map(({ base: { fees, ...base }, nonce, accessList, over }) => ({
    type: "eip1559" as const, chainId: ctx.chainId, nonce, accessList, ...fees, ...base, ...over,
  }));
}

/** Random EIP-1559 transactions, as viem's fields and viem's serialization of them. */
export function evmTransactionArb(ctx: EvmGenContext): fc.Arbitrary<GeneratedEvmTransaction> {
  return fc.oneof(fieldsArb(ctx), plausibleArb(ctx)).map((tx) => ({ tx, bytes: hexToBytes(serializeTransaction(tx)) }));
}

// ---------------------------------------------------------------------------
// Malformed byte strings, from viem's output

export interface MalformedEvmCase {
  name: string;
  bytes: Uint8Array;
  error: string;
}

type RlpTree = Hex | RlpTree[];

/** The outer list's header for a payload of `len` bytes: the one place a length is written here, for the surgery below. */
function listHeader(len: number): number[] {
  if (len <= 55) return [0xc0 + len];
  return len <= 0xff ? [0xf8, len] : [0xf9, len >> 8, len & 0xff];
}

const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

export function malformedEvmCases(ctx: EvmGenContext): MalformedEvmCase[] {
  const base: TransactionSerializableEIP1559 = {
    type: "eip1559", chainId: ctx.chainId, nonce: 7, maxPriorityFeePerGas: 1n, maxFeePerGas: 2n, gas: 21_000n, to: ctx.allowed[0], value: 5n,
  };
  const good = hexToBytes(serializeTransaction(base));
  const fields = fromRlp(toHex(good.subarray(1)), "hex") as RlpTree[];
  /** `0x02 ||` the list of `items`, each re-encoded by viem except those given as raw bytes. */
  const typed = (items: (RlpTree | Uint8Array)[]) => {
    const payload = cat(...items.map((i) => (i instanceof Uint8Array ? i : hexToBytes(toRlp(i as never)))));
    return cat([0x02], listHeader(payload.length), payload);
  };
  const withField = (i: number, item: RlpTree | Uint8Array) => typed(fields.map((f, j) => (j === i ? item : f)));
  const viem = (tx: Parameters<typeof serializeTransaction>[0]) => hexToBytes(serializeTransaction(tx));
  const addr = hexToBytes(ctx.allowed[0]);
  const key = `0x${"44".repeat(32)}` as Hex;
  const entry = (keys: number): RlpTree => [ctx.others[0], Array<Hex>(keys).fill(key)];
  const cases: MalformedEvmCase[] = [];
  const add = (name: string, bytes: Uint8Array, error: string) => cases.push({ name, bytes, error });

  // Type
  const body = good.subarray(1);
  add("EIP-191 prefix 0x19 on a transaction's body", cat([0x19], body), "EvmSignedDataRefused");
  add("EIP-712 typed data (0x19 0x01 ‖ domain ‖ struct hash)", cat([0x19, 0x01], new Uint8Array(64).fill(7)), "EvmSignedDataRefused");
  add("type byte 0x04 on a type-2 body", cat([0x04], body), "EvmAuthorizationRefused");
  add("an EIP-7702 transaction (viem)", viem({
    type: "eip7702", chainId: ctx.chainId, nonce: 1, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, gas: 21_000n, to: ctx.allowed[0],
    authorizationList: [{ chainId: 0, address: ctx.others[0], nonce: 0, r: `0x${"00".repeat(32)}`, s: `0x${"00".repeat(32)}`, yParity: 0 }],
  }), "EvmAuthorizationRefused");
  add("an EIP-7702 authorization, 0x05 ‖ rlp([0, address, 0])", cat([0x05], hexToBytes(toRlp(["0x", ctx.others[0], "0x"]))), "EvmAuthorizationRefused");
  add("type byte 0x01 on a type-2 body", cat([0x01], body), "EvmTransactionTypeUnsupported");
  add("type byte 0x03 on a type-2 body", cat([0x03], body), "EvmTransactionTypeUnsupported");
  add("an EIP-2930 transaction (viem)", viem({ type: "eip2930", chainId: ctx.chainId, nonce: 1, gasPrice: 1n, gas: 21_000n, to: ctx.allowed[0], value: 1n }),
    "EvmTransactionTypeUnsupported");
  add("a legacy transaction (viem)", viem({ type: "legacy", chainId: ctx.chainId, nonce: 1, gasPrice: 1n, gas: 21_000n, to: ctx.allowed[0], value: 1n }),
    "EvmTransactionTypeUnsupported");
  add("a legacy transaction without a chain id (viem)", viem({ type: "legacy", nonce: 1, gasPrice: 1n, gas: 21_000n, to: ctx.allowed[0], value: 1n }),
    "EvmTransactionTypeUnsupported");

  // Trailing bytes, truncation
  add("a trailing byte 0x80", cat(good, [0x80]), "RlpTrailingBytes");
  add("a trailing empty list", cat(good, [0xc0]), "RlpTrailingBytes");
  add("a second copy of the list", cat(good, body), "RlpTrailingBytes");
  add("the type byte alone", good.subarray(0, 1), "RlpTruncated");
  add("cut inside a long list header", Uint8Array.from([0x02, 0xf8]), "RlpTruncated");
  add("cut after the chain id", good.subarray(0, 5), "RlpTruncated");
  add("cut in half", good.subarray(0, good.length >> 1), "RlpTruncated");
  add("the last byte cut", good.subarray(0, good.length - 1), "RlpTruncated");
  add("eight fields", typed(fields.slice(0, 8)), "RlpTruncated");
  add("a string length past the list's end", withField(7, Uint8Array.from([0x85, 0xaa])), "RlpTruncated");
  add("an access-list entry without its key list", withField(8, [[ctx.others[0]]]), "RlpTruncated");

  // Non-canonical
  add("the list's length in long form", cat([0x02, 0xf8, good.length - 2], good.subarray(2)), "RlpNonCanonical");
  add("a 2-byte data string in long form (0xb8 0x02)", withField(7, Uint8Array.from([0xb8, 0x02, 0xaa, 0xbb])), "RlpNonCanonical");
  add("a long length with a leading zero (0xb9 0x00 0x40)", withField(7, cat([0xb9, 0x00, 0x40], new Uint8Array(64).fill(0xaa))), "RlpNonCanonical");
  add("a single byte below 0x80 with a prefix (0x81 0x07)", withField(1, Uint8Array.from([0x81, 0x07])), "RlpNonCanonical");
  add("a nonce with a leading zero (0x82 0x00 0x07; viem reads 7)", withField(1, "0x0007"), "RlpNonCanonical");
  add("a zero nonce written as 0x00 (viem reads 0)", withField(1, "0x00"), "RlpNonCanonical");
  add("a value with a leading zero (viem reads 5)", withField(6, "0x0005"), "RlpNonCanonical");
  add("a fee per gas with a leading zero", withField(3, "0x0002"), "RlpNonCanonical");

  // Fields of the wrong kind or length
  add("a signed transaction: twelve fields (viem reads it)",
    hexToBytes(serializeTransaction(base, { r: `0x${"11".repeat(32)}`, s: `0x${"22".repeat(32)}`, yParity: 1 })), "EvmTransactionMalformed");
  add("ten fields", typed([...fields, "0x01"]), "EvmTransactionMalformed");
  add("a string, not a list", cat([0x02], hexToBytes(toRlp("0x1234"))), "EvmTransactionMalformed");
  add("a list as the chain id", withField(0, []), "EvmTransactionMalformed");
  add("a list as the value", withField(6, ["0x05"]), "EvmTransactionMalformed");
  add("a list as the calldata", withField(7, []), "EvmTransactionMalformed");
  add("a string as the access list", withField(8, "0x"), "EvmTransactionMalformed");
  add("a 19-byte to", withField(5, toHex(addr.subarray(1))), "EvmTransactionMalformed");
  add("a 21-byte to", withField(5, toHex(cat(addr, [0x01]))), "EvmTransactionMalformed");
  add("a chain id of 2^64", withField(0, toHex(1n << 64n)), "EvmTransactionMalformed");
  add("a nonce of 2^64", withField(1, toHex(1n << 64n)), "EvmTransactionMalformed");
  add("a gas limit of 2^64 (viem serializes it)", viem({ ...base, gas: 1n << 64n }), "EvmTransactionMalformed");
  add("a 33-byte value", withField(6, toHex(cat([0x01], new Uint8Array(32)))), "EvmTransactionMalformed");
  add("a 33-byte fee per gas", withField(3, toHex(cat([0x01], new Uint8Array(32)))), "EvmTransactionMalformed");
  add("a 31-byte storage key (viem trims it)", withField(8, [[ctx.others[0], [toHex(new Uint8Array(31).fill(0x44))]]]), "EvmTransactionMalformed");
  add("a 33-byte storage key", withField(8, [[ctx.others[0], [toHex(new Uint8Array(33).fill(0x44))]]]), "EvmTransactionMalformed");
  add("a 19-byte access-list address", withField(8, [[toHex(addr.subarray(1)), []]]), "EvmTransactionMalformed");
  add("an access-list entry with a third item (viem ignores it)", withField(8, [[ctx.others[0], [], "0x01"]]), "EvmTransactionMalformed");
  add("an access-list entry that is a string", withField(8, [ctx.others[0]]), "EvmTransactionMalformed");
  add("a list as a storage key", withField(8, [[ctx.others[0], [[]]]]), "EvmTransactionMalformed");

  // Access-list bounds (viem serializes these)
  add("nine access-list addresses", viem({ ...base, accessList: Array.from({ length: 9 }, () => ({ address: ctx.others[0], storageKeys: [] })) }),
    "EvmAccessListTooLong");
  add("33 storage keys in two entries", viem({ ...base, accessList: [
    { address: ctx.others[0], storageKeys: Array<Hex>(20).fill(key) }, { address: ctx.others[0], storageKeys: Array<Hex>(13).fill(key) },
  ] }), "EvmAccessListTooLong");
  add("nine addresses given as raw entries", withField(8, Array.from({ length: 9 }, () => entry(0))), "EvmAccessListTooLong");

  // Length
  const over = MAX_TRANSACTION_LEN + 1 - good.length;
  // the data's length prefix grows by 3 bytes (0xb9 and two length bytes) once it is over 255 bytes
  add("1,233 bytes, well-formed", viem({ ...base, data: toHex(new Uint8Array(over - 3).fill(0xab)) }), "MessageTooLong");
  add("1,233 bytes of 0x02", new Uint8Array(MAX_TRANSACTION_LEN + 1).fill(0x02), "MessageTooLong");
  add("empty", new Uint8Array(0), "RlpTruncated");
  return cases;
}
