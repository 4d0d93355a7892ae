/**
 * Random and hand-built Solana messages for the verified-session rules
 * (docs/verified-sessions.md), to feed the reference model
 * (tests/model/solana-message-model.ts) and the program side by side.
 *
 * - `solanaMessageArb(ctx)`: WELL-FORMED legacy and v0 messages (consistent
 *   header, unique static keys, valid indexes, at most 1,232 bytes) whose
 *   instructions mix every rule of the doc, both the allowed and the refused
 *   way. `sessionRulesArb(ctx)` draws the session they are judged against
 *   (asset, allowlist, durable-nonce flag).
 * - `malformedCases(ctx)`: one or more hand-built messages per parse error,
 *   with the error the doc gives.
 * - `compileMessage` and the `*Data` encoders: the builder both use, exported
 *   for hand-written tests.
 *
 * Messages are built byte by byte here (not with web3.js's compile), so the
 * generator controls the account order and can put D anywhere; web3.js only
 * reads them back, in the model's cross-check.
 */
import * as fc from "fast-check";
import { PublicKey, SYSVAR_RECENT_BLOCKHASHES_PUBKEY, SYSVAR_RENT_PUBKEY } from "@solana/web3.js";
import {
  COMPUTE_BUDGET_PROGRAM_ID,
  MAX_MESSAGE_LEN,
  SolanaSessionRules,
  SYSTEM_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
} from "./solana-message-model";

export const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffff_ffff;

/**
 * Keys the generator draws from. `others` must not contain D, the mints, the
 * program ids or the sysvars (they serve as fee payers, signers and token
 * accounts); `thirdParty` are programs outside System / Token / Compute
 * Budget, all of which the generator uses: a session that allowlists only
 * some of them (as `sessionRulesArb` sometimes does) meets programs outside
 * its allowlist. At least 4 `others` and 1 `thirdParty`.
 */
export interface GenContext {
  dwallet: PublicKey;
  mint: PublicKey;
  otherMint: PublicKey;
  thirdParty: PublicKey[];
  others: PublicKey[];
}

// ---------------------------------------------------------------------------
// Byte writing

class Bytes {
  private readonly out: number[] = [];
  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u32(v: number): this {
    for (let i = 0; i < 4; i++) this.u8(v >>> (8 * i));
    return this;
  }
  u64(v: bigint): this {
    for (let i = 0n; i < 8n; i++) this.u8(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  raw(b: Uint8Array | number[]): this {
    for (const x of b) this.u8(x);
    return this;
  }
  key(k: PublicKey): this {
    return this.raw(k.toBytes());
  }
  compact(n: number): this {
    return this.raw(encodeCompactU16(n));
  }
  /** bincode String: u64 LE length, then the UTF-8 bytes. */
  seed(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u64(BigInt(b.length)).raw(b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** Shortest-form compact-u16 (the only form the strict parser accepts). */
export function encodeCompactU16(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new Error(`compact-u16 out of range: ${n}`);
  const out: number[] = [];
  let rest = n;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    if (rest === 0) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

export function concatBytes(...parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}

// ---------------------------------------------------------------------------
// Instruction data encoders (layouts as in docs/verified-sessions.md)

const sys = (kind: number) => new Bytes().u32(kind);

export const systemData = {
  createAccount: (lamports: bigint, space: bigint, owner: PublicKey) =>
    sys(0).u64(lamports).u64(space).key(owner).done(),
  assign: (owner: PublicKey) => sys(1).key(owner).done(),
  transfer: (lamports: bigint) => sys(2).u64(lamports).done(),
  createAccountWithSeed: (base: PublicKey, seed: string, lamports: bigint, space: bigint, owner: PublicKey) =>
    sys(3).key(base).seed(seed).u64(lamports).u64(space).key(owner).done(),
  advanceNonceAccount: () => sys(4).done(),
  withdrawNonceAccount: (lamports: bigint) => sys(5).u64(lamports).done(),
  allocate: (space: bigint) => sys(8).u64(space).done(),
  allocateWithSeed: (base: PublicKey, seed: string, space: bigint, owner: PublicKey) =>
    sys(9).key(base).seed(seed).u64(space).key(owner).done(),
  assignWithSeed: (base: PublicKey, seed: string, owner: PublicKey) => sys(10).key(base).seed(seed).key(owner).done(),
  transferWithSeed: (lamports: bigint, seed: string, owner: PublicKey) =>
    sys(11).u64(lamports).seed(seed).key(owner).done(),
};

const tok = (kind: number) => new Bytes().u8(kind);

export const tokenData = {
  transfer: (amount: bigint) => tok(3).u64(amount).done(),
  approve: (amount: bigint) => tok(4).u64(amount).done(),
  revoke: () => tok(5).done(),
  setAuthority: (authorityType: number, newAuthority: PublicKey | null) => {
    const b = tok(6).u8(authorityType);
    return (newAuthority ? b.u8(1).key(newAuthority) : b.u8(0)).done();
  },
  mintTo: (amount: bigint) => tok(7).u64(amount).done(),
  burn: (amount: bigint) => tok(8).u64(amount).done(),
  closeAccount: () => tok(9).done(),
  transferChecked: (amount: bigint, decimals: number) => tok(12).u64(amount).u8(decimals).done(),
  approveChecked: (amount: bigint, decimals: number) => tok(13).u64(amount).u8(decimals).done(),
  burnChecked: (amount: bigint, decimals: number) => tok(15).u64(amount).u8(decimals).done(),
};

export const computeBudgetData = {
  requestHeapFrame: (bytes: number) => new Bytes().u8(1).u32(bytes).done(),
  setComputeUnitLimit: (units: number) => new Bytes().u8(2).u32(units).done(),
  setComputeUnitPrice: (microLamports: bigint) => new Bytes().u8(3).u64(microLamports).done(),
  setLoadedAccountsDataSizeLimit: (bytes: number) => new Bytes().u8(4).u32(bytes).done(),
};

// ---------------------------------------------------------------------------
// Message builder

/** A static key with the flags this use wants (flags of all uses are OR-ed). */
export interface KeyRef {
  key: PublicKey;
  signer?: boolean;
  writable?: boolean;
}
/** An account loaded from a lookup table; the same `lookup` number is the same account. */
export interface LookupRef {
  lookup: number;
  writable?: boolean;
}
export type AccountRef = KeyRef | LookupRef;

export interface InstructionSpec {
  program: PublicKey;
  accounts: AccountRef[];
  data: Uint8Array;
}

export interface LookupTableSpec {
  key: PublicKey;
  /** Entries no instruction uses (a table with no used entry gets one anyway). */
  extraWritable?: number;
  extraReadonly?: number;
}

export interface MessageSpec {
  version: "legacy" | 0;
  /** Static key 0, a writable signer. */
  payer: PublicKey;
  instructions: InstructionSpec[];
  /** Static keys no instruction needs (e.g. D as a signer that nothing lists). */
  extraKeys?: KeyRef[];
  /** v0 only; without tables a `LookupRef` becomes the static key `fallbackKeys[lookup % n]`. */
  tables?: LookupTableSpec[];
  fallbackKeys?: PublicKey[];
  recentBlockhash?: Uint8Array;
}

const isLookup = (a: AccountRef): a is LookupRef => "lookup" in a;

interface KeyMeta {
  key: PublicKey;
  signer: boolean;
  writable: boolean;
}

interface Slot {
  table: number;
  writable: boolean;
  value: number;
}

interface Compiled {
  staticKeys: KeyMeta[];
  header: [number, number, number];
  slotIndex: Map<number, number>;
  tables: { key: PublicKey; writable: number[]; readonly: number[] }[];
}

function usesTables(spec: MessageSpec): boolean {
  return spec.version === 0 && (spec.tables?.length ?? 0) > 0;
}

/** Lookup refs without a table to hold them become plain static keys. */
function resolveFallbacks(spec: MessageSpec): InstructionSpec[] {
  if (usesTables(spec)) return spec.instructions;
  const pool = spec.fallbackKeys ?? [];
  return spec.instructions.map((ix) => ({
    ...ix,
    accounts: ix.accounts.map((a) => {
      if (!isLookup(a)) return a;
      if (pool.length === 0) throw new Error("compileMessage: a lookup ref needs tables or fallbackKeys");
      return { key: pool[a.lookup % pool.length], writable: a.writable };
    }),
  }));
}

/**
 * Static keys in the order the header requires: writable signers (payer
 * first), read-only signers, writable non-signers, read-only non-signers.
 */
function orderStaticKeys(spec: MessageSpec, ixs: InstructionSpec[]): { keys: KeyMeta[]; header: [number, number, number] } {
  const metas = new Map<string, KeyMeta>();
  const add = (key: PublicKey, signer: boolean, writable: boolean) => {
    const m = metas.get(key.toBase58());
    if (m) {
      m.signer ||= signer;
      m.writable ||= writable;
    } else metas.set(key.toBase58(), { key, signer, writable });
  };
  add(spec.payer, true, true);
  for (const ix of ixs) {
    for (const a of ix.accounts) if (!isLookup(a)) add(a.key, !!a.signer, !!a.writable);
    add(ix.program, false, false);
  }
  for (const k of spec.extraKeys ?? []) add(k.key, !!k.signer, !!k.writable);
  const all = [...metas.values()];
  const group = (s: boolean, w: boolean) => all.filter((m) => m.signer === s && m.writable === w);
  const keys = [...group(true, true), ...group(true, false), ...group(false, true), ...group(false, false)];
  return { keys, header: [group(true, true).length + group(true, false).length, group(true, false).length, group(false, false).length] };
}

/**
 * Puts each used lookup slot in a table (slot % tables) at a distinct u8,
 * then computes its account index: static keys, then every table's writable
 * entries, then every table's read-only entries (the runtime's order).
 */
function layoutTables(spec: MessageSpec, ixs: InstructionSpec[], nStatic: number): Pick<Compiled, "slotIndex" | "tables"> {
  const tableSpecs = usesTables(spec) ? spec.tables! : [];
  const slots = new Map<number, Slot>();
  for (const ix of ixs) {
    for (const a of ix.accounts) {
      if (!isLookup(a) || slots.has(a.lookup)) continue;
      const table = a.lookup % tableSpecs.length;
      // 37 is odd, so distinct slots below 256 get distinct bytes.
      slots.set(a.lookup, { table, writable: !!a.writable, value: (a.lookup * 37 + 11 * table) & 0xff });
    }
  }
  const tables = tableSpecs.map((t, i) => {
    const used = [...slots.values()].filter((s) => s.table === i);
    const writable = used.filter((s) => s.writable).map((s) => s.value);
    const readonly = used.filter((s) => !s.writable).map((s) => s.value);
    const taken = new Set([...writable, ...readonly]);
    const fresh = () => {
      let v = 255;
      while (taken.has(v)) v--;
      taken.add(v);
      return v;
    };
    for (let k = 0; k < (t.extraWritable ?? 0); k++) writable.push(fresh());
    for (let k = 0; k < (t.extraReadonly ?? 0); k++) readonly.push(fresh());
    if (writable.length + readonly.length === 0) readonly.push(fresh());
    return { key: t.key, writable, readonly };
  });
  const totalWritable = tables.reduce((n, t) => n + t.writable.length, 0);
  const slotIndex = new Map<number, number>();
  for (const [id, s] of slots) {
    const before = tables.slice(0, s.table);
    const index = s.writable
      ? nStatic + before.reduce((n, t) => n + t.writable.length, 0) + tables[s.table].writable.indexOf(s.value)
      : nStatic + totalWritable + before.reduce((n, t) => n + t.readonly.length, 0) + tables[s.table].readonly.indexOf(s.value);
    slotIndex.set(id, index);
  }
  return { slotIndex, tables };
}

/** Serializes a message spec; the result is always well-formed except for its length. */
export function compileMessage(spec: MessageSpec): Uint8Array {
  const ixs = resolveFallbacks(spec);
  const { keys, header } = orderStaticKeys(spec, ixs);
  const { slotIndex, tables } = layoutTables(spec, ixs, keys.length);
  const indexOf = new Map(keys.map((k, i) => [k.key.toBase58(), i]));
  const accountIndex = (a: AccountRef) => (isLookup(a) ? slotIndex.get(a.lookup)! : indexOf.get(a.key.toBase58())!);

  const b = new Bytes();
  if (spec.version === 0) b.u8(0x80);
  b.raw(header).compact(keys.length);
  for (const k of keys) b.key(k.key);
  b.raw(spec.recentBlockhash ?? new Uint8Array(32).fill(7));
  b.compact(ixs.length);
  for (const ix of ixs) {
    b.u8(indexOf.get(ix.program.toBase58())!);
    b.compact(ix.accounts.length).raw(ix.accounts.map(accountIndex));
    b.compact(ix.data.length).raw(ix.data);
  }
  if (spec.version === 0) {
    b.compact(tables.length);
    for (const t of tables) b.key(t.key).compact(t.writable.length).raw(t.writable).compact(t.readonly.length).raw(t.readonly);
  }
  return b.done();
}

// ---------------------------------------------------------------------------
// Arbitraries: building blocks

/** Weighted choice, written compactly. */
function pick<T>(...choices: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

/** Mostly small (0..1e9), sometimes anywhere in u64, sometimes the extremes. */
function amountArb(): fc.Arbitrary<bigint> {
  return pick<bigint>(
    [12, fc.bigInt(0n, 1_000_000_000n)],
    [2, fc.bigInt(0n, U64_MAX)],
    [1, fc.constantFrom(0n, U64_MAX)],
  );
}

const seedArb = fc.string({ maxLength: 32 });
const spaceArb = fc.bigInt(0n, 10_240n);
const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new PublicKey(b));

const w = (key: PublicKey): KeyRef => ({ key, writable: true });
const r = (key: PublicKey): KeyRef => ({ key });
const sw = (key: PublicKey): KeyRef => ({ key, signer: true, writable: true });
const s = (key: PublicKey): KeyRef => ({ key, signer: true });

interface Pools {
  ctx: GenContext;
  d: fc.Arbitrary<PublicKey>;
  other: fc.Arbitrary<PublicKey>;
  /** D or someone else, for a role D may or may not play. */
  actor: fc.Arbitrary<PublicKey>;
  /** A writable account that is not D: a static key or a looked-up one. */
  account: (writable: boolean) => fc.Arbitrary<AccountRef>;
  /** D, another static key, or a looked-up account. */
  anyAccount: (writable: boolean) => fc.Arbitrary<AccountRef>;
  tokenProgram: fc.Arbitrary<PublicKey>;
}

function pools(ctx: GenContext): Pools {
  const d = fc.constant(ctx.dwallet);
  const other = fc.constantFrom(...ctx.others);
  const lookup = (writable: boolean) => fc.nat(7).map((n): AccountRef => ({ lookup: n, writable }));
  const account = (writable: boolean) => pick<AccountRef>([4, other.map((k) => ({ key: k, writable }))], [1, lookup(writable)]);
  return {
    ctx,
    d,
    other,
    actor: pick([3, d], [2, other]),
    account,
    anyAccount: (writable) => pick<AccountRef>([2, d.map((k) => ({ key: k, writable }))], [3, account(writable)]),
    tokenProgram: fc.constantFrom(TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID),
  };
}

type Template = fc.Arbitrary<InstructionSpec[]>;
const one = (ix: InstructionSpec): InstructionSpec[] => [ix];

// ---------------------------------------------------------------------------
// System templates

function systemTemplates(p: Pools): [number, Template][] {
  const S = SYSTEM_PROGRAM_ID;
  const owner = fc.constantFrom(TOKEN_PROGRAM_ID, ...p.ctx.thirdParty);
  const transfer = fc.record({ from: p.actor, to: p.anyAccount(true), lamports: amountArb() }).map(({ from, to, lamports }) =>
    one({ program: S, accounts: [sw(from), to], data: systemData.transfer(lamports) }));
  const createAccount = fc
    .record({ funder: p.actor, created: pick([5, p.other], [1, p.d]), lamports: amountArb(), space: spaceArb, owner })
    .map((a) => one({ program: S, accounts: [sw(a.funder), sw(a.created)], data: systemData.createAccount(a.lamports, a.space, a.owner) }));
  const createWithSeed = fc
    .record({ funder: p.actor, created: p.other, base: p.actor, seed: seedArb, lamports: amountArb(), space: spaceArb, owner })
    .map((a) => one({
      program: S,
      accounts: [sw(a.funder), w(a.created), s(a.base)],
      data: systemData.createAccountWithSeed(a.base, a.seed, a.lamports, a.space, a.owner),
    }));
  const transferWithSeed = fc
    .record({ source: p.other, base: p.actor, to: p.anyAccount(true), seed: seedArb, lamports: amountArb(), owner })
    .map((a) => one({ program: S, accounts: [w(a.source), s(a.base), a.to], data: systemData.transferWithSeed(a.lamports, a.seed, a.owner) }));
  const assign = fc.record({ acct: p.actor, owner }).map((a) => one({ program: S, accounts: [sw(a.acct)], data: systemData.assign(a.owner) }));
  const allocate = fc.record({ acct: p.actor, space: spaceArb }).map((a) => one({ program: S, accounts: [sw(a.acct)], data: systemData.allocate(a.space) }));
  const withSeedControl = fc
    .record({ acct: p.other, base: p.actor, seed: seedArb, space: spaceArb, owner, assign: fc.boolean() })
    .map((a) => one({
      program: S,
      accounts: [w(a.acct), s(a.base)],
      data: a.assign ? systemData.assignWithSeed(a.base, a.seed, a.owner) : systemData.allocateWithSeed(a.base, a.seed, a.space, a.owner),
    }));
  return [
    [10, transfer],
    [4, createAccount],
    [3, createWithSeed],
    [3, transferWithSeed],
    [2, assign],
    [2, allocate],
    [2, withSeedControl],
    [2, advanceNonceTemplate(p)],
    [4, systemOddities(p)],
  ];
}

function advanceNonceTemplate(p: Pools): Template {
  return fc.record({ nonce: p.other, authority: p.actor }).map((a) => one({
    program: SYSTEM_PROGRAM_ID,
    accounts: [w(a.nonce), r(SYSVAR_RECENT_BLOCKHASHES_PUBKEY), s(a.authority)],
    data: systemData.advanceNonceAccount(),
  }));
}

/** System instructions the doc refuses when they list D (and allows when they do not). */
function systemOddities(p: Pools): Template {
  const S = SYSTEM_PROGRAM_ID;
  const withdrawNonce = fc.record({ nonce: p.other, to: p.anyAccount(true), authority: p.actor, lamports: amountArb() }).map((a) =>
    one({
      program: S,
      accounts: [w(a.nonce), a.to, r(SYSVAR_RECENT_BLOCKHASHES_PUBKEY), r(SYSVAR_RENT_PUBKEY), s(a.authority)],
      data: systemData.withdrawNonceAccount(a.lamports),
    }));
  const unknownKind = fc
    .record({ who: p.actor, kind: fc.oneof(fc.constantFrom(6, 7, 12), fc.integer({ min: 13, max: 40 })), tail: fc.uint8Array({ maxLength: 12 }) })
    .map((a) => one({ program: S, accounts: [sw(a.who)], data: concatBytes(new Bytes().u32(a.kind).done(), a.tail) }));
  // A Transfer one byte too short or too long.
  const badLength = fc.record({ from: p.actor, to: p.other, lamports: amountArb(), longer: fc.boolean() }).map((a) => {
    const data = systemData.transfer(a.lamports);
    return one({ program: S, accounts: [sw(a.from), w(a.to)], data: a.longer ? concatBytes(data, [0]) : data.slice(0, 11) });
  });
  const shortData = fc.record({ who: p.actor, data: fc.uint8Array({ maxLength: 3 }) }).map((a) =>
    one({ program: S, accounts: [sw(a.who)], data: a.data }));
  // D in a position no rule describes: Transfer's third account.
  const dElsewhere = fc.record({ from: p.other, to: p.other, lamports: amountArb() }).map((a) =>
    one({ program: S, accounts: [sw(a.from), w(a.to), r(p.ctx.dwallet)], data: systemData.transfer(a.lamports) }));
  return pick([2, withdrawNonce], [2, unknownKind], [2, badLength], [1, shortData], [1, dElsewhere]);
}

// ---------------------------------------------------------------------------
// Token / Token-2022 templates

function tokenTemplates(p: Pools): [number, Template][] {
  const { ctx } = p;
  const mint = pick<AccountRef>(
    [5, fc.constant(r(ctx.mint))],
    [2, fc.constant(r(ctx.otherMint))],
    // Only v0 messages with tables keep this a looked-up account (elsewhere it becomes a static key).
    [4, fc.nat(7).map((n) => ({ lookup: n }))],
    // The all-zero key is what a lamports session stores as its asset: never a token mint.
    [1, fc.constant(r(SYSTEM_PROGRAM_ID))],
  );
  const transferChecked = fc
    .record({
      program: p.tokenProgram,
      // D elsewhere than the authority, wrong lengths and extra signers are rarer than the plain
      // case, so that the mint and asset checks behind them are reached often.
      source: pick<AccountRef>([15, p.account(true)], [1, p.d.map(w)]),
      mint,
      dest: pick<AccountRef>([15, p.account(true)], [1, p.d.map(w)]),
      authority: pick([2, p.d], [1, p.other]),
      amount: amountArb(),
      decimals: fc.integer({ min: 0, max: 9 }),
      lengthDelta: pick([20, fc.constant(0)], [1, fc.constantFrom(-1, 1)]),
      extraSigner: pick<PublicKey | null>([20, fc.constant(null)], [1, p.other], [1, p.d]),
    })
    .map((a) => {
      const full = tokenData.transferChecked(a.amount, a.decimals);
      const data = a.lengthDelta === 0 ? full : a.lengthDelta < 0 ? full.slice(0, 9) : concatBytes(full, [0]);
      const accounts: AccountRef[] = [a.source, a.mint, a.dest, s(a.authority)];
      if (a.extraSigner) accounts.push(s(a.extraSigner));
      return one({ program: a.program, accounts, data });
    });
  const transfer = fc.record({ program: p.tokenProgram, from: p.account(true), to: p.account(true), owner: p.actor, amount: amountArb() })
    .map((a) => one({ program: a.program, accounts: [a.from, a.to, s(a.owner)], data: tokenData.transfer(a.amount) }));
  const approve = fc
    .record({ program: p.tokenProgram, source: p.other, delegate: p.actor, owner: p.actor, amount: amountArb(), checked: fc.boolean() })
    .map((a) => one({
      program: a.program,
      accounts: a.checked ? [w(a.source), r(ctx.mint), r(a.delegate), s(a.owner)] : [w(a.source), r(a.delegate), s(a.owner)],
      data: a.checked ? tokenData.approveChecked(a.amount, 6) : tokenData.approve(a.amount),
    }));
  const setAuthority = fc
    .record({ program: p.tokenProgram, acct: p.other, current: p.actor, kind: fc.integer({ min: 0, max: 3 }), next: fc.option(p.other) })
    .map((a) => one({ program: a.program, accounts: [w(a.acct), s(a.current)], data: tokenData.setAuthority(a.kind, a.next) }));
  const close = fc
    .record({
      program: p.tokenProgram,
      acct: pick<AccountRef>([8, p.account(true)], [1, p.d.map(w)]),
      dest: pick<AccountRef>([2, p.d.map(w)], [3, p.account(true)]),
      owner: p.actor,
      badLength: pick([14, fc.constant(false)], [1, fc.constant(true)]),
    })
    .map((a) => one({
      program: a.program,
      accounts: [a.acct, a.dest, s(a.owner)],
      data: a.badLength ? concatBytes(tokenData.closeAccount(), [0]) : tokenData.closeAccount(),
    }));
  const revoke = fc
    .record({ program: p.tokenProgram, source: pick<AccountRef>([8, p.account(true)], [1, p.d.map(w)]), owner: p.actor })
    .map((a) => one({ program: a.program, accounts: [a.source, s(a.owner)], data: tokenData.revoke() }));
  return [
    [14, transferChecked],
    [2, transfer],
    [2, approve],
    [1, setAuthority],
    [3, close],
    [2, revoke],
    [3, tokenOddities(p)],
  ];
}

/** Burn, MintTo, extension kinds, empty data: refused when they list D. */
function tokenOddities(p: Pools): Template {
  return fc
    .record({
      program: p.tokenProgram,
      acct: p.other,
      owner: p.actor,
      amount: amountArb(),
      kind: fc.constantFrom<"burn" | "burnChecked" | "mintTo" | "extension" | "empty">("burn", "burnChecked", "mintTo", "extension", "empty"),
      extKind: fc.integer({ min: 16, max: 45 }),
      tail: fc.uint8Array({ maxLength: 16 }),
    })
    .map((a) => {
      const accounts = [w(a.acct), w(p.ctx.mint), s(a.owner)];
      const data = {
        burn: () => tokenData.burn(a.amount),
        burnChecked: () => tokenData.burnChecked(a.amount, 6),
        mintTo: () => tokenData.mintTo(a.amount),
        extension: () => concatBytes([a.extKind], a.tail),
        empty: () => new Uint8Array(0),
      }[a.kind]();
      return one({ program: a.program, accounts, data });
    });
}

// ---------------------------------------------------------------------------
// Compute Budget templates

function computeBudgetTemplates(): [number, Template][] {
  const CB = COMPUTE_BUDGET_PROGRAM_ID;
  const ix = (data: Uint8Array): InstructionSpec => ({ program: CB, accounts: [], data });
  const limitArb = pick(
    [5, fc.integer({ min: 0, max: 1_400_000 })],
    [1, fc.constantFrom(0, 1_400_000)],
    [2, fc.integer({ min: 1_400_001, max: U32_MAX })],
  );
  const priceArb = pick<bigint>(
    [1, fc.constant(0n)],
    [5, fc.bigInt(1n, 1_000_000n)],
    [2, fc.bigInt(1n, 1_000_000_000_000n)],
    [1, fc.bigInt(0n, U64_MAX)],
  );
  const limit = limitArb.map((u) => [ix(computeBudgetData.setComputeUnitLimit(u))]);
  const price = priceArb.map((m) => [ix(computeBudgetData.setComputeUnitPrice(m))]);
  const both = fc.tuple(limitArb, priceArb).map(([u, m]) =>
    [ix(computeBudgetData.setComputeUnitLimit(u)), ix(computeBudgetData.setComputeUnitPrice(m))]);
  const heap = fc.integer({ min: 32, max: 256 }).map((k) => [ix(computeBudgetData.requestHeapFrame(k * 1024))]);
  const loaded = fc.integer({ min: 0, max: U32_MAX }).map((n) => [ix(computeBudgetData.setLoadedAccountsDataSizeLimit(n))]);
  const bad = fc
    .constantFrom(
      new Uint8Array(0),
      new Bytes().u8(0).u32(200_000).u32(0).done(), // deprecated RequestUnits
      Uint8Array.from([5, 0, 0, 0, 0]),
      computeBudgetData.setComputeUnitLimit(1000).slice(0, 4),
      concatBytes(computeBudgetData.setComputeUnitPrice(1n), [0]),
    )
    .map((data) => [ix(data)]);
  return [[4, limit], [4, price], [4, both], [1, heap], [1, loaded], [1, bad]];
}

// ---------------------------------------------------------------------------
// Other programs

function thirdPartyTemplate(p: Pools): Template {
  const ref = pick<AccountRef>(
    [3, p.d.map((k) => ({ key: k, signer: true }))],
    [3, p.other.map((k) => ({ key: k, writable: true }))],
    [1, fc.nat(7).map((n) => ({ lookup: n, writable: n % 2 === 0 }))],
  );
  return fc
    .record({ program: fc.constantFrom(...p.ctx.thirdParty), accounts: fc.array(ref, { maxLength: 4 }), data: fc.uint8Array({ maxLength: 48 }) })
    .map((a) => one(a));
}

// ---------------------------------------------------------------------------
// The message

/** Where D sits in the static keys (or nowhere). */
type DRole = "payer" | "signer" | "readonlySigner" | "writable" | "readonly" | "absent";

const D_FLAGS: Record<Exclude<DRole, "absent">, { signer: boolean; writable: boolean }> = {
  payer: { signer: true, writable: true },
  signer: { signer: true, writable: true },
  readonlySigner: { signer: true, writable: false },
  writable: { signer: false, writable: true },
  readonly: { signer: false, writable: false },
};

/** Gives every use of D the role's flags (a key has one set of flags), or replaces D when it is absent. */
function placeD(ixs: InstructionSpec[], ctx: GenContext, role: DRole): InstructionSpec[] {
  const stand = ctx.others[ctx.others.length - 1];
  return ixs.map((ix) => ({
    ...ix,
    accounts: ix.accounts.map((a) => {
      if (isLookup(a) || !a.key.equals(ctx.dwallet)) return a;
      return role === "absent" ? { ...a, key: stand } : { key: a.key, ...D_FLAGS[role] };
    }),
  }));
}

function dRoleArb(): fc.Arbitrary<DRole> {
  return pick<DRole>(
    [45, fc.constant("payer")],
    [22, fc.constant("signer")],
    [10, fc.constant("readonlySigner")],
    [4, fc.constant("writable")],
    [3, fc.constant("readonly")],
    [4, fc.constant("absent")],
  );
}

function instructionTemplates(p: Pools): Template {
  const all = [...systemTemplates(p), ...tokenTemplates(p), ...computeBudgetTemplates(), [6, thirdPartyTemplate(p)] as [number, Template]];
  return pick(...all);
}

/** Drops instructions from the end until the message fits a packet. */
function compileWithinLimit(spec: MessageSpec): Uint8Array {
  let ixs = spec.instructions;
  for (;;) {
    const bytes = compileMessage({ ...spec, instructions: ixs });
    if (bytes.length <= MAX_MESSAGE_LEN || ixs.length === 0) return bytes;
    ixs = ixs.slice(0, -1);
  }
}

/** Well-formed legacy and v0 messages mixing every rule of docs/verified-sessions.md. */
export function solanaMessageArb(ctx: GenContext): fc.Arbitrary<Uint8Array> {
  if (ctx.others.length < 4 || ctx.thirdParty.length < 1) throw new Error("GenContext: need >= 4 others and >= 1 thirdParty");
  const p = pools(ctx);
  const template = instructionTemplates(p);
  const body = pick(
    [30, fc.array(template, { minLength: 1, maxLength: 4 })],
    [1, fc.constant([] as InstructionSpec[][])],
    [2, fc.array(template, { minLength: 5, maxLength: 6 })],
  );
  return fc
    .record({
      version: pick<"legacy" | 0>([1, fc.constant("legacy")], [1, fc.constant(0)]),
      tables: pick([1, fc.constant(0)], [3, fc.integer({ min: 1, max: 2 })]),
      tableKeys: fc.tuple(keyArb, keyArb),
      tableExtras: fc.tuple(fc.nat(3), fc.nat(3)),
      dRole: dRoleArb(),
      payer: p.other,
      nonceFirst: pick([9, fc.constant(null)], [1, advanceNonceTemplate(p)]),
      body,
      extraKeys: fc.array(fc.record({ key: p.other, signer: fc.boolean(), writable: fc.boolean() }), { maxLength: 2 }),
      blockhash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    })
    .map((a) => {
      const ixs = placeD([...(a.nonceFirst ?? []), ...a.body.flat()], ctx, a.dRole);
      // D is in the static keys in its role even when no instruction lists it.
      const dKey = a.dRole === "absent" ? [] : [{ key: ctx.dwallet, ...D_FLAGS[a.dRole] }];
      return compileWithinLimit({
        version: a.version,
        payer: a.dRole === "payer" ? ctx.dwallet : a.payer,
        instructions: ixs,
        extraKeys: [...dKey, ...a.extraKeys],
        tables: [0, 1].slice(0, a.tables).map((i) => ({ key: a.tableKeys[i], extraWritable: a.tableExtras[i] % 2, extraReadonly: a.tableExtras[i] >> 1 })),
        fallbackKeys: ctx.others,
        recentBlockhash: a.blockhash,
      });
    });
}

/**
 * The sessions messages are judged against: lamports or one of the two mints,
 * the durable-nonce flag either way, and an allowlist (1..8 programs, never
 * empty) that sometimes leaves out a program the generator uses.
 */
export function sessionRulesArb(ctx: GenContext): fc.Arbitrary<SolanaSessionRules> {
  const candidates = [SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, ...ctx.thirdParty].slice(0, 8);
  return fc
    .record({
      assetMint: pick<PublicKey | null>([5, fc.constant(null)], [4, fc.constant(ctx.mint)], [1, fc.constant(ctx.otherMint)]),
      keep: fc.array(pick([14, fc.constant(true)], [1, fc.constant(false)]), { minLength: candidates.length, maxLength: candidates.length }),
      allowDurableNonce: fc.boolean(),
    })
    .map(({ assetMint, keep, allowDurableNonce }) => {
      const kept = candidates.filter((_, i) => keep[i]);
      return { dwallet: ctx.dwallet, assetMint, allowedPrograms: kept.length > 0 ? kept : [SYSTEM_PROGRAM_ID], allowDurableNonce };
    });
}

// ---------------------------------------------------------------------------
// Malformed messages, one group per parse error of the doc

export interface MalformedCase {
  name: string;
  bytes: Uint8Array;
  error: string;
}

interface RawIx {
  program: number;
  accounts: number[];
  data: Uint8Array | number[];
}

interface RawLookup {
  key: PublicKey;
  writable: number[];
  readonly: number[];
}

/** A message from raw parts, with no consistency enforced: malformed cases start here. */
function rawMessage(parts: { version?: number; header: number[]; keys: PublicKey[]; ixs: RawIx[]; lookups?: RawLookup[] }): Uint8Array {
  const b = new Bytes();
  if (parts.version !== undefined) b.u8(0x80 | parts.version);
  b.raw(parts.header).compact(parts.keys.length);
  for (const k of parts.keys) b.key(k);
  b.raw(new Uint8Array(32).fill(7)).compact(parts.ixs.length);
  for (const ix of parts.ixs) b.u8(ix.program).compact(ix.accounts.length).raw(ix.accounts).compact(ix.data.length).raw(ix.data);
  if (parts.version !== undefined) {
    const lookups = parts.lookups ?? [];
    b.compact(lookups.length);
    for (const l of lookups) b.key(l.key).compact(l.writable.length).raw(l.writable).compact(l.readonly.length).raw(l.readonly);
  }
  return b.done();
}

export function malformedCases(ctx: GenContext): MalformedCase[] {
  const D = ctx.dwallet;
  const X = ctx.others[0];
  const Y = ctx.others[1];
  const T = new PublicKey(new Uint8Array(32).fill(9)); // a lookup table address
  const keys = [D, X, SYSTEM_PROGRAM_ID];
  const transfer: RawIx = { program: 2, accounts: [0, 1], data: systemData.transfer(1000n) };
  // D pays and sends 1,000 lamports to X: 3 header bytes, then the key count at byte 3.
  const base = rawMessage({ header: [1, 0, 1], keys, ixs: [transfer] });
  const KEYS_AT = 4; // first key byte
  const BLOCKHASH_AT = KEYS_AT + 96;
  const IX_COUNT_AT = BLOCKHASH_AT + 32;
  const v0 = (ixs: RawIx[], lookups: RawLookup[], header = [1, 0, 1], ks = keys) => rawMessage({ version: 0, header, keys: ks, ixs, lookups });
  const v0base = v0([{ program: 2, accounts: [0, 3], data: systemData.transfer(1n) }], [{ key: T, writable: [4], readonly: [5, 6] }]);
  const withKeyCount = (count: number[]) => concatBytes(base.slice(0, 3), count, base.slice(KEYS_AT));
  const afterBlockhash = base.slice(0, IX_COUNT_AT);
  const cases: MalformedCase[] = [];
  const add = (name: string, bytes: Uint8Array, error: string) => cases.push({ name, bytes, error });

  // MessageTooLong: length is checked before anything else.
  add("1,233 bytes of garbage", new Uint8Array(MAX_MESSAGE_LEN + 1).fill(0xff), "MessageTooLong");
  add("well-formed but 1,233 bytes", (() => {
    const pad = MAX_MESSAGE_LEN + 1 - base.length;
    // Grow the transfer's data (its length field grows from 1 to 2 bytes, hence pad - 1).
    return rawMessage({ header: [1, 0, 1], keys, ixs: [{ ...transfer, data: new Uint8Array(12 + pad - 1) }] });
  })(), "MessageTooLong");

  // UnsupportedMessageVersion
  add("version byte 0x81", concatBytes([0x81], base), "UnsupportedMessageVersion");
  add("version byte 0xff", concatBytes([0xff], base), "UnsupportedMessageVersion");
  add("version byte 0x81 and nothing else", Uint8Array.from([0x81]), "UnsupportedMessageVersion");

  // MessageTruncated: wherever the bytes run out.
  add("empty message", new Uint8Array(0), "MessageTruncated");
  add("cut after the first header byte", base.slice(0, 1), "MessageTruncated");
  add("cut inside the header", base.slice(0, 2), "MessageTruncated");
  add("cut before the key count", base.slice(0, 3), "MessageTruncated");
  add("cut inside a compact-u16", concatBytes(base.slice(0, 3), [0x80]), "MessageTruncated");
  add("cut inside the static keys", base.slice(0, KEYS_AT + 40), "MessageTruncated");
  add("cut inside the blockhash", base.slice(0, BLOCKHASH_AT + 10), "MessageTruncated");
  add("cut before the instruction count", afterBlockhash, "MessageTruncated");
  add("cut before the program index", concatBytes(afterBlockhash, [1]), "MessageTruncated");
  add("cut inside the instruction data", base.slice(0, base.length - 3), "MessageTruncated");
  add("v0 without its lookup count", v0([transfer], []).slice(0, -1), "MessageTruncated");
  add("v0 cut inside a lookup's read-only indexes", v0base.slice(0, -1), "MessageTruncated");
  add("v0 cut inside a lookup's table address", v0base.slice(0, v0base.length - 20), "MessageTruncated");
  add("key count past the data", withKeyCount([30]), "MessageTruncated");
  add("instruction count past the data", concatBytes(afterBlockhash, [5], base.slice(IX_COUNT_AT + 1)), "MessageTruncated");
  add("account count past the data", concatBytes(afterBlockhash, [1, 2, 100, 0, 1]), "MessageTruncated");
  add("data length past the data", concatBytes(afterBlockhash, [1, 2, 2, 0, 1, 200], systemData.transfer(1n)), "MessageTruncated");

  // InvalidCompactU16
  add("4-byte compact-u16 key count", withKeyCount([0x80, 0x80, 0x80, 0x00]), "InvalidCompactU16");
  add("compact-u16 whose third byte continues, at the end", concatBytes(base.slice(0, 3), [0x80, 0x80, 0x80]), "InvalidCompactU16");
  add("compact-u16 above 65,535", withKeyCount([0xff, 0xff, 0x04]), "InvalidCompactU16");
  add("non-canonical [0x80, 0x00] key count", withKeyCount([0x80, 0x00]), "InvalidCompactU16");
  add("non-canonical [0x83, 0x80, 0x00] key count", withKeyCount([0x83, 0x80, 0x00]), "InvalidCompactU16");
  add("non-canonical instruction count [0x81, 0x00]", concatBytes(afterBlockhash, [0x81, 0x00], base.slice(IX_COUNT_AT + 1)), "InvalidCompactU16");
  add("non-canonical data length [0x8c, 0x00]", concatBytes(afterBlockhash, [1, 2, 2, 0, 1, 0x8c, 0x00], systemData.transfer(1n)), "InvalidCompactU16");
  add("bad compact-u16 before a count runs out (byte order)", concatBytes(afterBlockhash, [5, 2, 0x80, 0x00]), "InvalidCompactU16");

  // MessageTrailingBytes
  add("one trailing byte", concatBytes(base, [0]), "MessageTrailingBytes");
  add("v0 with one trailing byte", concatBytes(v0base, [0]), "MessageTrailingBytes");
  add("trailing byte reported before a bad header", concatBytes(rawMessage({ header: [0, 0, 0], keys, ixs: [transfer] }), [1]), "MessageTrailingBytes");

  // InvalidMessageHeader
  add("no signer", rawMessage({ header: [0, 0, 1], keys, ixs: [transfer] }), "InvalidMessageHeader");
  add("read-only fee payer", rawMessage({ header: [1, 1, 1], keys, ixs: [transfer] }), "InvalidMessageHeader");
  add("more read-only signers than signers", rawMessage({ header: [1, 2, 0], keys, ixs: [transfer] }), "InvalidMessageHeader");
  add("signers + read-only unsigned past the keys", rawMessage({ header: [2, 0, 2], keys, ixs: [transfer] }), "InvalidMessageHeader");
  add("signers past the keys", rawMessage({ header: [4, 0, 0], keys, ixs: [transfer] }), "InvalidMessageHeader");
  add("257 accounts (3 static + 254 looked up)", v0([transfer], [{ key: T, writable: range(254), readonly: [] }]), "InvalidMessageHeader");
  add("lookup table with no index", v0([transfer], [{ key: T, writable: [], readonly: [] }]), "InvalidMessageHeader");
  add("empty second lookup table", v0([transfer], [{ key: T, writable: [1], readonly: [] }, { key: Y, writable: [], readonly: [] }]), "InvalidMessageHeader");
  add("bad header reported before a duplicate key", rawMessage({ header: [0, 0, 1], keys: [D, D, SYSTEM_PROGRAM_ID], ixs: [transfer] }), "InvalidMessageHeader");

  // DuplicateMessageAccount
  add("X twice", rawMessage({ header: [1, 0, 1], keys: [D, X, X, SYSTEM_PROGRAM_ID], ixs: [{ ...transfer, program: 3 }] }), "DuplicateMessageAccount");
  add("D twice", rawMessage({ header: [2, 0, 1], keys: [D, D, SYSTEM_PROGRAM_ID], ixs: [transfer] }), "DuplicateMessageAccount");
  add("duplicate reported before a bad index", rawMessage({ header: [1, 0, 1], keys: [D, X, X, SYSTEM_PROGRAM_ID], ixs: [{ ...transfer, program: 0 }] }), "DuplicateMessageAccount");

  // AccountIndexOutOfRange
  add("program index 0 (the fee payer)", rawMessage({ header: [1, 0, 1], keys, ixs: [{ ...transfer, program: 0 }] }), "AccountIndexOutOfRange");
  add("program index past the static keys", rawMessage({ header: [1, 0, 1], keys, ixs: [{ ...transfer, program: 3 }] }), "AccountIndexOutOfRange");
  add("program index on a looked-up account", v0([{ ...transfer, program: 3 }], [{ key: T, writable: [0], readonly: [] }]), "AccountIndexOutOfRange");
  add("account index past the static keys", rawMessage({ header: [1, 0, 1], keys, ixs: [{ ...transfer, accounts: [0, 3] }] }), "AccountIndexOutOfRange");
  add("account index past the looked-up accounts", v0([{ ...transfer, accounts: [0, 6] }], [{ key: T, writable: [4], readonly: [5, 6] }]), "AccountIndexOutOfRange");
  add("bad index in a second instruction", rawMessage({ header: [1, 0, 1], keys, ixs: [transfer, { ...transfer, accounts: [1, 200] }] }), "AccountIndexOutOfRange");
  add("bad index reported before D not a signer", rawMessage({ header: [1, 0, 1], keys: [X, D, SYSTEM_PROGRAM_ID], ixs: [{ ...transfer, accounts: [9] }] }), "AccountIndexOutOfRange");
  return cases;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
