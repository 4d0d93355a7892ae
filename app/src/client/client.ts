/**
 * `SessionKeysClient`: the typed Anchor `Program<SessionKeys>` over any
 * chain, with the two verbs of the product guide — preview (build unsigned,
 * simulate, report CU, rent, resulting state or the named error) and deploy
 * (sign and submit). Instruction builders live in ./instructions.ts, inspect
 * in ./inspect.ts.
 */
import { BN, Program, utils } from "@coral-xyz/anchor";
import type { Wallet } from "@coral-xyz/anchor/dist/cjs/provider";
import { AccountInfo, PublicKey, Signer, Transaction, TransactionInstruction } from "@solana/web3.js";
import { Chain, ChainProvider, ChainError } from "../chain";
import { ErrorRegistry, NamedFailure, nameFailure } from "./errors";
import { SESSION_KEYS_ERRORS, SESSION_KEYS_IDL, SessionKeys } from "./idl";
import { IKA_ERRORS, IKA_PROGRAM_ID } from "./ika";
import { cpiAuthorityAddress, policyAddress, sessionAddress } from "./pda";

export type SessionKeysProgram = Program<SessionKeys>;
export type PolicyAccount = Awaited<ReturnType<SessionKeysProgram["account"]["policy"]["fetch"]>>;
export type SessionAccount = Awaited<ReturnType<SessionKeysProgram["account"]["session"]["fetch"]>>;

/** A decoded program event: `{ name: "messageApproved", data: {...} }`. */
export interface DecodedEvent { name: string; data: Record<string, unknown> }

/** One admin or delegate action, ready to preview or deploy. */
export interface Action {
  /** Instruction name, for reports. */
  name: string;
  instructions: TransactionInstruction[];
  feePayer: PublicKey;
  /** Keys that must sign before deploy. */
  signers: PublicKey[];
  /** Accounts this action writes; preview reports their resulting state. */
  watch: PublicKey[];
  /** Accounts this action creates, with their data size (rent quote). */
  creates: { address: PublicKey; space: number }[];
}

export interface AccountChange {
  address: string;
  /** "policy", "session" or "other" (e.g. Ika's MessageApproval). */
  kind: string;
  before: unknown | null;
  /** Resulting state; `undefined` when the backend cannot simulate post-state (bankrun). */
  after: unknown | null | undefined;
}

export interface PreviewResult {
  action: string;
  ok: boolean;
  error?: NamedFailure;
  computeUnits: number;
  logs: string[];
  /** Lamports the fee payer locks as rent for each created account. */
  rent: { address: string; space: number; lamports: number }[];
  changes: AccountChange[];
  events: DecodedEvent[];
  /** The unsigned transaction (base64 wire format) to hand to signers. */
  unsignedTransaction: string;
}

export interface DeployResult {
  action: string;
  ok: boolean;
  signature: string;
  error?: NamedFailure;
  computeUnits: number;
  logs: string[];
  events: DecodedEvent[];
}

export interface ClientOptions {
  /** Defaults to the IDL's address. */
  programId?: PublicKey;
  /**
   * Error tables of other programs this client's transactions reach, so
   * their failures come back by name. Ika's one custom code is always known.
   */
  errorTables?: { programId: PublicKey; errors: { code: number; name: string }[] }[];
}

export class SessionKeysClient {
  readonly program: SessionKeysProgram;
  readonly provider: ChainProvider;
  readonly programId: PublicKey;
  readonly errors: ErrorRegistry;

  constructor(readonly chain: Chain, wallet: Wallet, options: ClientOptions = {}) {
    this.provider = new ChainProvider(chain, wallet);
    const idl = options.programId ? { ...SESSION_KEYS_IDL, address: options.programId.toBase58() } : SESSION_KEYS_IDL;
    this.program = new Program<SessionKeys>(idl as SessionKeys, this.provider);
    this.programId = this.program.programId;
    this.errors = new ErrorRegistry()
      .register(this.programId.toBase58(), SESSION_KEYS_ERRORS)
      .register(IKA_PROGRAM_ID.toBase58(), IKA_ERRORS);
    for (const t of options.errorTables ?? []) this.errors.register(t.programId.toBase58(), t.errors);
  }

  // ---- addresses ----
  policyAddress(dwallet: PublicKey, initAuthority: PublicKey): PublicKey {
    return policyAddress(this.programId, dwallet, initAuthority)[0];
  }
  sessionAddress(policy: PublicKey, sessionId: number): PublicKey {
    return sessionAddress(this.programId, policy, sessionId)[0];
  }
  cpiAuthority(): PublicKey {
    return cpiAuthorityAddress(this.programId)[0];
  }

  // ---- reads ----
  async fetchPolicy(address: PublicKey): Promise<PolicyAccount | null> {
    return this.decodeAccount("policy", await this.chain.getAccountInfo(address)) as PolicyAccount | null;
  }
  async fetchSession(address: PublicKey): Promise<SessionAccount | null> {
    return this.decodeAccount("session", await this.chain.getAccountInfo(address)) as SessionAccount | null;
  }

  /** Decode an account of ours by name, or null if absent / not owned by the program. */
  decodeAccount(name: "policy" | "session", info: AccountInfo<Buffer> | null): PolicyAccount | SessionAccount | null {
    if (!info || !info.owner.equals(this.programId)) return null;
    return this.program.coder.accounts.decode(name, info.data);
  }

  /** Which of our account types `info` holds, by discriminator. */
  accountKind(info: AccountInfo<Buffer> | null): "policy" | "session" | "other" {
    if (!info || !info.owner.equals(this.programId)) return "other";
    for (const name of ["policy", "session"] as const) {
      const disc = this.program.coder.accounts.memcmp(name).bytes;
      if (disc && info.data.subarray(0, 8).equals(Buffer.from(utils.bytes.bs58.decode(disc)))) return name;
    }
    return "other";
  }

  /** Events our program emitted, from "Program data:" log lines. */
  parseEvents(logs: string[]): DecodedEvent[] {
    const out: DecodedEvent[] = [];
    for (const line of logs) {
      const m = /^Program data: (.+)$/.exec(line);
      if (!m) continue;
      const ev = this.program.coder.events.decode(m[1]);
      if (ev) out.push({ name: ev.name, data: ev.data as Record<string, unknown> });
    }
    return out;
  }

  nameFailure(logs: string[], error: ChainError): NamedFailure {
    return nameFailure(logs, error, this.errors);
  }

  // ---- preview / deploy ----
  transaction(action: Action): Transaction {
    const tx = new Transaction().add(...action.instructions);
    tx.feePayer = action.feePayer;
    return tx;
  }

  async preview(action: Action): Promise<PreviewResult> {
    const tx = this.transaction(action);
    const before = await this.chain.getMultipleAccounts(action.watch);
    const sim = await this.provider.preview(tx, action.watch);
    const rent = await Promise.all(action.creates.map(async (c) => ({
      address: c.address.toBase58(), space: c.space,
      lamports: await this.chain.getMinimumBalanceForRentExemption(c.space),
    })));
    const changes = action.watch.map((address, i) => {
      const after = this.chain.simulatesPostState ? sim.postAccounts.get(address.toBase58()) ?? null : undefined;
      const kind = this.accountKind(before[i] ?? after ?? null);
      return {
        address: address.toBase58(),
        kind,
        before: this.describe(kind, before[i]),
        after: after === undefined ? undefined : this.describe(kind, after),
      };
    });
    return {
      action: action.name,
      ok: sim.ok,
      error: sim.ok ? undefined : this.nameFailure(sim.logs, sim.error!),
      computeUnits: sim.computeUnits,
      logs: sim.logs,
      rent,
      changes,
      events: this.parseEvents(sim.logs),
      unsignedTransaction: tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64"),
    };
  }

  /** Sign with `signers` (plus the provider's wallet if it must sign) and submit. */
  async deploy(action: Action, signers: Signer[] = []): Promise<DeployResult> {
    const outcome = await this.provider.execute(this.transaction(action), signers);
    return {
      action: action.name,
      ok: outcome.ok,
      signature: outcome.signature,
      error: outcome.ok ? undefined : this.nameFailure(outcome.logs, outcome.error),
      computeUnits: outcome.computeUnits,
      logs: outcome.logs,
      events: this.parseEvents(outcome.logs),
    };
  }

  /** Deploy and throw a readable error on failure (scripts, demo). */
  async deployOrThrow(action: Action, signers: Signer[] = []): Promise<DeployResult> {
    const r = await this.deploy(action, signers);
    if (!r.ok) throw new Error(`${action.name} failed: ${r.error?.name}${r.error?.message ? ` (${r.error.message})` : ""}`);
    return r;
  }

  private describe(kind: string, info: AccountInfo<Buffer> | null): unknown | null {
    if (!info) return null;
    if (kind === "policy" || kind === "session") return this.decodeAccount(kind, info);
    return { owner: info.owner.toBase58(), lamports: info.lamports, dataLength: info.data.length };
  }
}

/**
 * u64/u128 fields come back as BN, and the Session's amounts (u128 stored as
 * 16 little-endian bytes, docs/security.md) as byte arrays; the client speaks bigint.
 */
export function toBig(v: BN | number | bigint | number[] | Uint8Array): bigint {
  if (typeof v === "bigint") return v;
  if (Array.isArray(v) || v instanceof Uint8Array) return fromAmountBytes(v);
  return BigInt(v.toString());
}

export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;

/** A u128 as the 16 little-endian bytes the program stores and `ApproveArgs.amount` takes. */
export function amountBytes(v: bigint | number, field: string): number[] {
  const big = BigInt(v);
  if (big < 0n || big > U128_MAX) throw new RangeError(`${field} must fit a u128 (0 ..= 2^128-1), got ${big}`);
  return Array.from({ length: 16 }, (_, i) => Number((big >> BigInt(8 * i)) & 0xffn));
}

export function fromAmountBytes(bytes: ArrayLike<number>): bigint {
  if (bytes.length !== 16) throw new RangeError(`an amount is 16 bytes, got ${bytes.length}`);
  let v = 0n;
  for (let i = 15; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** A u128 instruction argument as the BN Anchor encodes (range-checked, as `u64`). */
export function u128(v: bigint | number, field: string): BN {
  const big = BigInt(v);
  if (big < 0n || big > U128_MAX) throw new RangeError(`${field} must fit a u128 (0 ..= 2^128-1), got ${big}`);
  return new BN(big.toString());
}

/**
 * A u64 instruction argument as the BN Anchor encodes. Anchor's encoder
 * writes a negative BN as its absolute value (-1 becomes 1) and throws a
 * vague error past 2^64, so every u64 goes through this range check first.
 */
export function u64(v: bigint | number, field: string): BN {
  const big = BigInt(v);
  if (big < 0n || big > U64_MAX) throw new RangeError(`${field} must fit a u64 (0 ..= 2^64-1), got ${big}`);
  return new BN(big.toString());
}
