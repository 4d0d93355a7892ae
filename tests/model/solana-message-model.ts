/**
 * A reference model of what `approve_solana_message` derives from the message
 * bytes a dWallet `D` is asked to sign: the strict parse of a legacy or
 * version-0 Solana message, the per-instruction rules (allowlist, Compute
 * Budget, System, Token / Token-2022, durable nonce), the priority fee, and
 * the resulting amount and program list — or the name of the first refusal.
 *
 * It is written from docs/verified-sessions.md alone, without reading the
 * program's code (programs/), so the property test that runs both compares
 * two independent readings of that document. Where the document leaves a
 * choice open, the stricter reading is taken; each such choice is marked
 * "Reading:" below.
 *
 * The only outside code used is @solana/web3.js, and only in `web3Parse`, a
 * second parser the tests compare this one against on well-formed messages.
 */
import { PublicKey, VersionedMessage } from "@solana/web3.js";

// ---------------------------------------------------------------------------
// Constants

export const COMPUTE_BUDGET_PROGRAM_ID = new PublicKey("ComputeBudget111111111111111111111111111111");
export const SYSTEM_PROGRAM_ID = new PublicKey("11111111111111111111111111111111");
export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
export const TOKEN_2022_PROGRAM_ID = new PublicKey("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/** A transaction packet: no message the runtime can carry is longer. */
export const MAX_MESSAGE_LEN = 1232;
/** u8 account indexes address at most 256 accounts. */
export const MAX_ACCOUNTS = 256;
/** The most compute units a transaction can ask for, and what the runtime assumes without a limit. */
export const MAX_COMPUTE_UNIT_LIMIT = 1_400_000n;
const MICRO_LAMPORTS_PER_LAMPORT = 1_000_000n;

/** Every refusal the parse can produce, in the doc's table order. */
export const PARSE_ERRORS = [
  "MessageTooLong",
  "UnsupportedMessageVersion",
  "MessageTruncated",
  "InvalidCompactU16",
  "MessageTrailingBytes",
  "InvalidMessageHeader",
  "DuplicateMessageAccount",
  "AccountIndexOutOfRange",
] as const;

/** Every refusal the rules can produce on a well-formed message. */
export const RULE_ERRORS = [
  "DwalletNotSigner",
  "DestinationNotAllowed",
  "UnsupportedInstruction",
  "DurableNonceNotAllowed",
  "ControlTransferRefused",
  "TransferWithoutMint",
  "LookupTableAccountInRule",
  "AssetNotAllowed",
  "PriorityFeeNotInAsset",
] as const;

export type ParseErrorName = (typeof PARSE_ERRORS)[number];
export type RuleErrorName = (typeof RULE_ERRORS)[number];
export type ErrorName = ParseErrorName | RuleErrorName;

// ---------------------------------------------------------------------------
// Public types

export interface SolanaSessionRules {
  /** D: the dWallet's Ed25519 public key, its Solana address. */
  dwallet: PublicKey;
  /** null = lamports session; otherwise the one SPL mint the caps count. */
  assetMint: PublicKey | null;
  allowedPrograms: PublicKey[];
  allowDurableNonce: boolean;
}

export type Analysis =
  | { ok: true; amount: bigint; programs: PublicKey[] }
  | { ok: false; error: string };

export interface MessageHeader {
  numRequiredSignatures: number;
  numReadonlySignedAccounts: number;
  numReadonlyUnsignedAccounts: number;
}

export interface ParsedInstruction {
  programIndex: number;
  accountIndexes: number[];
  data: Uint8Array;
}

export interface ParsedLookup {
  accountKey: PublicKey;
  writableIndexes: number[];
  readonlyIndexes: number[];
}

/** Same shape from `parseSolanaMessage` and `web3Parse`, so the tests can compare them field by field. */
export interface ParsedMessage {
  version: "legacy" | 0;
  header: MessageHeader;
  staticKeys: PublicKey[];
  /** base58, as web3.js gives it. */
  recentBlockhash: string;
  instructions: ParsedInstruction[];
  /** Always empty for a legacy message. */
  lookups: ParsedLookup[];
}

export type ParseResult = { ok: true; message: ParsedMessage } | { ok: false; error: ParseErrorName };

/**
 * Optional observer of every rule decision, so a test can check that its
 * generator reaches each rule both ways. `rule` names a bullet of the doc,
 * `outcome` is what that bullet decided (an error name, or a word such as
 * "count" / "allow").
 */
export type RuleTrace = (rule: string, outcome: string) => void;

// ---------------------------------------------------------------------------
// Refusals travel as exceptions inside this module only: the first one wins,
// which is exactly "the first failing rule names the error".

class Refusal extends Error {
  constructor(readonly code: ErrorName) {
    super(code);
  }
}

function refuse(code: ErrorName): never {
  throw new Refusal(code);
}

// ---------------------------------------------------------------------------
// Strict byte reader

class Reader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.bytes.length) refuse("MessageTruncated");
    return this.bytes[this.pos++];
  }

  /** A count that runs past the data is a truncation, like bytes ending inside a field. */
  take(n: number): Uint8Array {
    if (n > this.remaining) refuse("MessageTruncated");
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * compact-u16, strictly: at most 3 bytes, value <= 65,535, shortest form.
   * Checked byte by byte, so a truncation is reported where the bytes run
   * out and an invalid byte where it appears.
   */
  compactU16(): number {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = this.u8();
      if (i === 2) {
        // Reading: a continuation bit on the third byte is already a 4th byte
        // demanded, so it is InvalidCompactU16 even when the data ends there.
        if (b & 0x80) refuse("InvalidCompactU16");
        // Bits 14..15 are the only ones left in a u16.
        if (b > 0x03) refuse("InvalidCompactU16");
      }
      // A final byte of zero after the first adds nothing: not the shortest form.
      if (i > 0 && b === 0) refuse("InvalidCompactU16");
      value |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    // Unreachable: the third byte either ends the value or is refused above.
    return refuse("InvalidCompactU16");
  }
}

// ---------------------------------------------------------------------------
// Parse: length, then the fields in byte order, then trailing bytes. The
// semantic checks on the parsed fields (header, duplicates, indexes) follow
// in `validateMessage`, because the doc orders them after the whole parse.

function readKey(r: Reader): PublicKey {
  return new PublicKey(r.take(32));
}

function readByteList(r: Reader): number[] {
  return Array.from(r.take(r.compactU16()));
}

function readInstruction(r: Reader): ParsedInstruction {
  const programIndex = r.u8();
  const accountIndexes = readByteList(r);
  const data = r.take(r.compactU16());
  return { programIndex, accountIndexes, data };
}

function readLookup(r: Reader): ParsedLookup {
  const accountKey = readKey(r);
  const writableIndexes = readByteList(r);
  const readonlyIndexes = readByteList(r);
  return { accountKey, writableIndexes, readonlyIndexes };
}

function readMany<T>(r: Reader, one: (r: Reader) => T): T[] {
  const n = r.compactU16();
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(one(r));
  return out;
}

/** Only the wire format: what the bytes say, before any check of what they mean. */
function decodeMessage(bytes: Uint8Array): ParsedMessage {
  if (bytes.length > MAX_MESSAGE_LEN) refuse("MessageTooLong");
  const r = new Reader(bytes);
  const first = r.u8();
  let version: "legacy" | 0 = "legacy";
  let numRequiredSignatures = first;
  if (first & 0x80) {
    if ((first & 0x7f) !== 0) refuse("UnsupportedMessageVersion");
    version = 0;
    numRequiredSignatures = r.u8();
  }
  const numReadonlySignedAccounts = r.u8();
  const numReadonlyUnsignedAccounts = r.u8();
  const staticKeys = readMany(r, readKey);
  const recentBlockhash = new PublicKey(r.take(32)).toBase58();
  const instructions = readMany(r, readInstruction);
  const lookups = version === 0 ? readMany(r, readLookup) : [];
  if (r.remaining > 0) refuse("MessageTrailingBytes");
  return {
    version,
    header: { numRequiredSignatures, numReadonlySignedAccounts, numReadonlyUnsignedAccounts },
    staticKeys,
    recentBlockhash,
    instructions,
    lookups,
  };
}

function lookedUpCount(m: ParsedMessage): number {
  return m.lookups.reduce((n, l) => n + l.writableIndexes.length + l.readonlyIndexes.length, 0);
}

function checkHeader(m: ParsedMessage): void {
  const h = m.header;
  const nStatic = m.staticKeys.length;
  if (h.numRequiredSignatures === 0) refuse("InvalidMessageHeader");
  // Read-only signers are the last signers: if they are all of them, the fee payer is one.
  if (h.numReadonlySignedAccounts >= h.numRequiredSignatures) refuse("InvalidMessageHeader");
  if (h.numRequiredSignatures + h.numReadonlyUnsignedAccounts > nStatic) refuse("InvalidMessageHeader");
  if (nStatic + lookedUpCount(m) > MAX_ACCOUNTS) refuse("InvalidMessageHeader");
  for (const l of m.lookups) {
    if (l.writableIndexes.length + l.readonlyIndexes.length === 0) refuse("InvalidMessageHeader");
  }
}

function checkDuplicates(m: ParsedMessage): void {
  // Reading: only static keys, as the doc says; a lookup table's own address
  // is not compared with them (the runtime resolves and dedups loaded keys).
  const seen = new Set<string>();
  for (const k of m.staticKeys) {
    const s = k.toBase58();
    if (seen.has(s)) refuse("DuplicateMessageAccount");
    seen.add(s);
  }
}

function checkIndexes(m: ParsedMessage): void {
  const nStatic = m.staticKeys.length;
  const nAll = nStatic + lookedUpCount(m);
  for (const ix of m.instructions) {
    // A program is never the fee payer and never a looked-up account.
    if (ix.programIndex === 0 || ix.programIndex >= nStatic) refuse("AccountIndexOutOfRange");
    for (const a of ix.accountIndexes) {
      if (a >= nAll) refuse("AccountIndexOutOfRange");
    }
  }
}

function validateMessage(m: ParsedMessage): void {
  checkHeader(m);
  checkDuplicates(m);
  checkIndexes(m);
}

/** The strict parse and its well-formedness checks, without the session's rules. */
export function parseSolanaMessage(bytes: Uint8Array): ParseResult {
  try {
    const message = decodeMessage(bytes);
    validateMessage(message);
    return { ok: true, message };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: e.code as ParseErrorName };
    throw e;
  }
}

/**
 * The same fields read by @solana/web3.js. Its parser is lenient (it ignores
 * trailing bytes and accepts non-canonical compact-u16), so it is only a
 * cross-check for messages `parseSolanaMessage` accepts.
 */
export function web3Parse(bytes: Uint8Array): ParsedMessage {
  const m = VersionedMessage.deserialize(bytes);
  if (m.version !== "legacy" && m.version !== 0) throw new Error(`web3Parse: version ${m.version} is not modelled`);
  return {
    version: m.version,
    header: { ...m.header },
    staticKeys: [...m.staticAccountKeys],
    recentBlockhash: m.recentBlockhash,
    instructions: m.compiledInstructions.map((ix) => ({
      programIndex: ix.programIdIndex,
      accountIndexes: [...ix.accountKeyIndexes],
      data: Uint8Array.from(ix.data),
    })),
    lookups: m.addressTableLookups.map((l) => ({
      accountKey: l.accountKey,
      writableIndexes: [...l.writableIndexes],
      readonlyIndexes: [...l.readonlyIndexes],
    })),
  };
}

// ---------------------------------------------------------------------------
// Little-endian readers for instruction data (lengths are checked by callers).

function u32le(d: Uint8Array, at: number): number {
  return (d[at] | (d[at + 1] << 8) | (d[at + 2] << 16) | (d[at + 3] << 24)) >>> 0;
}

function u64le(d: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(d[at + i]);
  return v;
}

// ---------------------------------------------------------------------------
// Rule context

interface Ctx {
  m: ParsedMessage;
  rules: SolanaSessionRules;
  /** D's static index; it is a signer by the time rules run. */
  d: number;
  trace: RuleTrace;
  /** Compute Budget kinds already seen, and the values the priority fee needs. */
  budgetSeen: Set<number>;
  unitLimit: bigint | null;
  unitPrice: bigint | null;
}

/** Positions (in the instruction's account list) where D appears. */
function dPositions(c: Ctx, ix: ParsedInstruction): number[] {
  const out: number[] = [];
  ix.accountIndexes.forEach((a, pos) => {
    if (a === c.d) out.push(pos);
  });
  return out;
}

/** Record the outcome for the trace, then refuse. */
function refuseRule(c: Ctx, rule: string, code: RuleErrorName): never {
  c.trace(rule, code);
  return refuse(code);
}

/** Lamports counted in a mint session are refused at the instruction that moves them. */
function countLamports(c: Ctx, rule: string, lamports: bigint): bigint {
  if (c.rules.assetMint !== null) refuseRule(c, rule, "AssetNotAllowed");
  c.trace(rule, "count");
  return lamports;
}

// ---------------------------------------------------------------------------
// Compute Budget

/** kind -> exact data length (kind byte included). */
const BUDGET_KINDS: Record<number, { name: string; len: number }> = {
  1: { name: "RequestHeapFrame", len: 5 },
  2: { name: "SetComputeUnitLimit", len: 5 },
  3: { name: "SetComputeUnitPrice", len: 9 },
  4: { name: "SetLoadedAccountsDataSizeLimit", len: 5 },
};

function computeBudgetRule(c: Ctx, ix: ParsedInstruction): void {
  const rule = "computeBudget";
  // Reading: the doc constrains only the data, so the accounts (even D) are ignored:
  // the Compute Budget "program" is read by the runtime and never uses a signature.
  const kind = ix.data.length > 0 ? ix.data[0] : -1;
  const spec = BUDGET_KINDS[kind];
  if (spec === undefined || ix.data.length !== spec.len) refuseRule(c, rule, "UnsupportedInstruction");
  if (c.budgetSeen.has(kind)) refuseRule(c, `${rule}.once`, "UnsupportedInstruction");
  c.budgetSeen.add(kind);
  if (kind === 2) c.unitLimit = BigInt(u32le(ix.data, 1));
  if (kind === 3) c.unitPrice = u64le(ix.data, 1);
  c.trace(rule, spec.name);
}

// ---------------------------------------------------------------------------
// System

type Role = "count" | "allow" | "refuse";

interface SystemKind {
  name: string;
  /** Exact bincode length, or null when the data cannot be that kind at all. */
  len: (d: Uint8Array) => bigint | null;
  /** What D at each account position does; any other position is "D anywhere else". */
  roles: Record<number, Role>;
  /** Offset of the u64 lamports, for kinds that count. */
  lamportsAt?: (d: Uint8Array) => number;
}

/**
 * A bincode `String` seed at `at`: u64 LE length, then UTF-8 bytes. Returns
 * the seed's byte length, or null when the length cannot be read or the seed
 * is not valid UTF-8.
 * Reading: a seed that bincode could not decode (not UTF-8) makes the data
 * "of the wrong length" in the doc's sense: the System program would refuse
 * it too, but the stricter model refuses it here.
 */
function seedLen(d: Uint8Array, at: number): bigint | null {
  if (d.length < at + 8) return null;
  const n = u64le(d, at);
  if (BigInt(d.length) < BigInt(at + 8) + n) return n; // wrong length anyway: let the length check say so
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(d.subarray(at + 8, at + 8 + Number(n)));
  } catch {
    return null;
  }
  return n;
}

const fixed = (n: number) => () => BigInt(n);
const withSeed = (seedAt: number, rest: number) => (d: Uint8Array) => {
  const n = seedLen(d, seedAt);
  return n === null ? null : BigInt(seedAt + 8 + rest) + n;
};

const SYSTEM_KINDS: Record<number, SystemKind> = {
  // CreateAccount { lamports, space, owner }: [funder, new account]
  0: { name: "CreateAccount", len: fixed(4 + 8 + 8 + 32), roles: { 0: "count", 1: "refuse" }, lamportsAt: () => 4 },
  // Assign { owner }: [assigned account]
  1: { name: "Assign", len: fixed(4 + 32), roles: { 0: "refuse" } },
  // Transfer { lamports }: [source, recipient]
  2: { name: "Transfer", len: fixed(4 + 8), roles: { 0: "count", 1: "allow" }, lamportsAt: () => 4 },
  // CreateAccountWithSeed { base, seed, lamports, space, owner }: [funder, created, base]
  3: {
    name: "CreateAccountWithSeed",
    len: withSeed(4 + 32, 8 + 8 + 32),
    roles: { 0: "count", 2: "allow" },
    lamportsAt: (d) => 4 + 32 + 8 + Number(u64le(d, 36)),
  },
  // AdvanceNonceAccount: [nonce, RecentBlockhashes sysvar, authority]
  // Reading: with ALLOW_DURABLE_NONCE, D is allowed as the authority only.
  4: { name: "AdvanceNonceAccount", len: fixed(4), roles: { 2: "allow" } },
  // Allocate { space }: [allocated account]
  8: { name: "Allocate", len: fixed(4 + 8), roles: { 0: "refuse" } },
  // AllocateWithSeed { base, seed, space, owner }: [account, base]
  9: { name: "AllocateWithSeed", len: withSeed(4 + 32, 8 + 32), roles: { 1: "refuse" } },
  // AssignWithSeed { base, seed, owner }: [account, base]
  10: { name: "AssignWithSeed", len: withSeed(4 + 32, 32), roles: { 1: "refuse" } },
  // TransferWithSeed { lamports, from_seed, from_owner }: [source, base, recipient]
  11: { name: "TransferWithSeed", len: withSeed(4 + 8, 32), roles: { 1: "count", 2: "allow" }, lamportsAt: () => 4 },
};

const ADVANCE_NONCE = 4;

/**
 * Applies a kind's role table to D's positions. Order (Reading): wrong length,
 * then D at a position the doc does not describe (UnsupportedInstruction),
 * then a refused role (ControlTransferRefused), then counting.
 */
function applyRoles(c: Ctx, rule: string, spec: SystemKind, ix: ParsedInstruction, positions: number[]): bigint {
  const want = spec.len(ix.data);
  if (want === null || want !== BigInt(ix.data.length)) refuseRule(c, rule, "UnsupportedInstruction");
  const roles = positions.map((p) => spec.roles[p]);
  if (roles.some((r) => r === undefined)) refuseRule(c, rule, "UnsupportedInstruction");
  if (roles.includes("refuse")) refuseRule(c, rule, "ControlTransferRefused");
  if (roles.includes("count") && spec.lamportsAt) {
    return countLamports(c, rule, u64le(ix.data, spec.lamportsAt(ix.data)));
  }
  c.trace(rule, "allow");
  return 0n;
}

function systemRule(c: Ctx, ix: ParsedInstruction): bigint {
  const kind = ix.data.length >= 4 ? u32le(ix.data, 0) : null;
  // Reading: any System data whose u32 kind is 4 is a nonce advance, whatever
  // its length and accounts, and is refused anywhere without the flag.
  if (kind === ADVANCE_NONCE) {
    if (!c.rules.allowDurableNonce) refuseRule(c, "system.durableNonce", "DurableNonceNotAllowed");
    c.trace("system.durableNonce", "allow");
  }
  const positions = dPositions(c, ix);
  if (positions.length === 0) {
    c.trace("system.withoutD", "allow");
    return 0n;
  }
  const spec = kind === null ? undefined : SYSTEM_KINDS[kind];
  if (spec === undefined) refuseRule(c, "system.otherKind", "UnsupportedInstruction");
  return applyRoles(c, `system.${spec.name}`, spec, ix, positions);
}

// ---------------------------------------------------------------------------
// Token and Token-2022

const TOKEN_TRANSFER = 3;
const TOKEN_APPROVE = 4;
const TOKEN_REVOKE = 5;
const TOKEN_SET_AUTHORITY = 6;
const TOKEN_CLOSE_ACCOUNT = 9;
const TOKEN_TRANSFER_CHECKED = 12;
const TOKEN_APPROVE_CHECKED = 13;

const onlyAt = (positions: number[], at: number) => positions.length > 0 && positions.every((p) => p === at);

function transferCheckedRule(c: Ctx, ix: ParsedInstruction, positions: number[]): bigint {
  const rule = "token.TransferChecked";
  // D the authority (account 3) and nowhere else; data [12, amount u64, decimals u8].
  // Reading: extra accounts after the authority (multisig signers that are not D) do not matter.
  if (ix.data.length !== 10 || !onlyAt(positions, 3)) refuseRule(c, rule, "UnsupportedInstruction");
  const mintIndex = ix.accountIndexes[1];
  if (mintIndex >= c.m.staticKeys.length) refuseRule(c, rule, "LookupTableAccountInRule");
  const mint = c.m.staticKeys[mintIndex];
  // A lamports session counts no token, even if the "mint" is the all-zero key that
  // stands for lamports in the session's asset_mint.
  if (c.rules.assetMint === null || !mint.equals(c.rules.assetMint)) refuseRule(c, rule, "AssetNotAllowed");
  c.trace(rule, "count");
  return u64le(ix.data, 1);
}

function closeAccountRule(c: Ctx, ix: ParsedInstruction, positions: number[]): void {
  const rule = "token.CloseAccount";
  // [account, destination, owner]; data [9]. Reading: exact length 1, and D as the
  // account being closed (position 0) or a multisig signer (3+) is "anything else".
  if (ix.data.length !== 1 || positions.some((p) => p !== 1 && p !== 2)) {
    refuseRule(c, rule, "UnsupportedInstruction");
  }
  if (positions.includes(2) && !positions.includes(1)) refuseRule(c, rule, "ControlTransferRefused");
  c.trace(rule, "allow");
}

function revokeRule(c: Ctx, ix: ParsedInstruction, positions: number[]): void {
  const rule = "token.Revoke";
  // [source, owner]; data [5]. Reading: exact length 1, D as the owner only.
  if (ix.data.length !== 1 || !onlyAt(positions, 1)) refuseRule(c, rule, "UnsupportedInstruction");
  c.trace(rule, "allow");
}

function tokenRule(c: Ctx, ix: ParsedInstruction): bigint {
  const positions = dPositions(c, ix);
  if (positions.length === 0) {
    c.trace("token.withoutD", "allow");
    return 0n;
  }
  const kind = ix.data.length > 0 ? ix.data[0] : -1;
  switch (kind) {
    case TOKEN_TRANSFER_CHECKED:
      return transferCheckedRule(c, ix, positions);
    // Reading: these are refused by kind alone, wherever D is and whatever the length.
    case TOKEN_TRANSFER:
      return refuseRule(c, "token.Transfer", "TransferWithoutMint");
    case TOKEN_APPROVE:
    case TOKEN_APPROVE_CHECKED:
    case TOKEN_SET_AUTHORITY:
      return refuseRule(c, "token.controlTransfer", "ControlTransferRefused");
    case TOKEN_CLOSE_ACCOUNT:
      closeAccountRule(c, ix, positions);
      return 0n;
    case TOKEN_REVOKE:
      revokeRule(c, ix, positions);
      return 0n;
    default:
      return refuseRule(c, "token.otherKind", "UnsupportedInstruction");
  }
}

// ---------------------------------------------------------------------------
// Per instruction, then the priority fee

function isTokenProgram(p: PublicKey): boolean {
  return p.equals(TOKEN_PROGRAM_ID) || p.equals(TOKEN_2022_PROGRAM_ID);
}

function instructionRule(c: Ctx, ix: ParsedInstruction): bigint {
  const program = c.m.staticKeys[ix.programIndex];
  const isBudget = program.equals(COMPUTE_BUDGET_PROGRAM_ID);
  if (!isBudget && !c.rules.allowedPrograms.some((p) => p.equals(program))) {
    refuseRule(c, "allowlist", "DestinationNotAllowed");
  }
  c.trace("allowlist", isBudget ? "computeBudgetAlways" : "allow");
  if (isBudget) {
    computeBudgetRule(c, ix);
    return 0n;
  }
  if (program.equals(SYSTEM_PROGRAM_ID)) return systemRule(c, ix);
  if (isTokenProgram(program)) return tokenRule(c, ix);
  // Allowlisting a program trusts it with D's signature.
  c.trace("otherProgram", "allow");
  return 0n;
}

function priorityFee(c: Ctx): bigint {
  const rule = "priorityFee";
  const dPays = c.d === 0;
  if (!dPays || c.unitPrice === null || c.unitPrice === 0n) {
    c.trace(rule, dPays ? "none" : "notPayer");
    return 0n;
  }
  // Reading: any price > 0 paid by D is refused in a mint session, even when a
  // limit of 0 makes the fee itself 0.
  if (c.rules.assetMint !== null) refuseRule(c, rule, "PriorityFeeNotInAsset");
  const limit = c.unitLimit === null || c.unitLimit > MAX_COMPUTE_UNIT_LIMIT ? MAX_COMPUTE_UNIT_LIMIT : c.unitLimit;
  c.trace(rule, "count");
  return ceilDiv(c.unitPrice * limit, MICRO_LAMPORTS_PER_LAMPORT);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function distinctPrograms(m: ParsedMessage): PublicKey[] {
  const out: PublicKey[] = [];
  for (const ix of m.instructions) {
    const p = m.staticKeys[ix.programIndex];
    if (!out.some((q) => q.equals(p))) out.push(p);
  }
  return out;
}

function signerIndexOf(m: ParsedMessage, d: PublicKey): number {
  const i = m.staticKeys.findIndex((k) => k.equals(d));
  return i >= 0 && i < m.header.numRequiredSignatures ? i : -1;
}

function analyze(bytes: Uint8Array, rules: SolanaSessionRules, trace: RuleTrace): { amount: bigint; programs: PublicKey[] } {
  const m = decodeMessage(bytes);
  validateMessage(m);
  // Looked-up accounts are never D (the runtime refuses a key loaded twice), so
  // D's static index is the only index that "lists D".
  const d = signerIndexOf(m, rules.dwallet);
  if (d < 0) {
    trace("signer", "DwalletNotSigner");
    refuse("DwalletNotSigner");
  }
  trace("signer", d === 0 ? "feePayer" : "signer");
  const c: Ctx = { m, rules, d, trace, budgetSeen: new Set(), unitLimit: null, unitPrice: null };
  // The sum is a u128 in the program; bigint cannot overflow, and a 1,232-byte
  // message holds at most ~100 u64 amounts (< 2^71), so no overflow check is needed.
  let amount = 0n;
  for (const ix of m.instructions) amount += instructionRule(c, ix);
  amount += priorityFee(c);
  return { amount, programs: distinctPrograms(m) };
}

/**
 * What the program should decide for `message` under `rules`: the derived
 * amount and programs, or the first refusal's error name.
 */
export function analyzeSolanaMessage(message: Uint8Array, rules: SolanaSessionRules, trace?: RuleTrace): Analysis {
  try {
    return { ok: true, ...analyze(message, rules, trace ?? (() => {})) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, error: e.code };
    throw e;
  }
}
