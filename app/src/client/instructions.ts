/**
 * One builder per program instruction. Each returns an `Action` to preview
 * or deploy (client.ts). Accounts are passed explicitly (`accountsStrict`):
 * nothing is resolved behind the caller's back, and a test can swap any
 * account through `accounts` to attack the program.
 */
import { PublicKey, SystemProgram } from "@solana/web3.js";
import { Action, amountBytes, SessionKeysClient, toBig, u128, U128_MAX, u64 } from "./client";
import {
  Curve, CURVE_SCHEMES, DwalletView, IKA_COORDINATOR, IKA_PROGRAM_ID, MESSAGE_APPROVAL_LEN, messageApprovalAddress,
  messageDigest as keccak, readDwallet, SignatureScheme,
} from "./ika";

/** Replace any of an instruction's accounts (attack tests, unusual setups). */
type AccountOverrides = Record<string, PublicKey>;

const sizeOf = (c: SessionKeysClient, name: "policy" | "session") => c.program.account[name].size;

// ---------------------------------------------------------------- policy

export interface InitializePolicyParams {
  dwallet: PublicKey;
  /** The dWallet's current authority; signs. */
  initAuthority: PublicKey;
  /** Who will administer sessions. */
  admin: PublicKey;
  payer?: PublicKey;
  accounts?: AccountOverrides;
}

export async function initializePolicy(c: SessionKeysClient, p: InitializePolicyParams): Promise<Action> {
  const payer = p.payer ?? c.provider.publicKey;
  const policy = c.policyAddress(p.dwallet, p.initAuthority);
  const ix = await c.program.methods.initializePolicy({ admin: p.admin }).accountsStrict({
    payer, initAuthority: p.initAuthority, policy, dwallet: p.dwallet, dwalletProgram: IKA_PROGRAM_ID,
    cpiAuthority: c.cpiAuthority(), systemProgram: SystemProgram.programId, ...p.accounts,
  }).instruction();
  return {
    name: "initializePolicy", instructions: [ix], feePayer: payer, signers: uniqueKeys([payer, p.initAuthority]),
    watch: [policy, p.dwallet], creates: [{ address: policy, space: sizeOf(c, "policy") }],
  };
}

export interface AdminParams { policy: PublicKey; admin: PublicKey; accounts?: AccountOverrides }

export async function revokeAllSessions(c: SessionKeysClient, p: AdminParams): Promise<Action> {
  const ix = await c.program.methods.revokeAllSessions()
    .accountsStrict({ admin: p.admin, policy: p.policy, ...p.accounts }).instruction();
  return simple("revokeAllSessions", ix, p.admin, [p.policy]);
}

export async function proposeAdmin(c: SessionKeysClient, p: AdminParams & { newAdmin: PublicKey }): Promise<Action> {
  const ix = await c.program.methods.proposeAdmin(p.newAdmin)
    .accountsStrict({ admin: p.admin, policy: p.policy, ...p.accounts }).instruction();
  return simple("proposeAdmin", ix, p.admin, [p.policy]);
}

export async function acceptAdmin(c: SessionKeysClient, p: { policy: PublicKey; newAdmin: PublicKey; accounts?: AccountOverrides }): Promise<Action> {
  const ix = await c.program.methods.acceptAdmin()
    .accountsStrict({ newAdmin: p.newAdmin, policy: p.policy, ...p.accounts }).instruction();
  return simple("acceptAdmin", ix, p.newAdmin, [p.policy]);
}

export async function releaseDwallet(c: SessionKeysClient, p: AdminParams & { newAuthority: PublicKey }): Promise<Action> {
  const policy = await mustFetchPolicy(c, p.policy);
  const ix = await c.program.methods.releaseDwallet(p.newAuthority).accountsStrict({
    admin: p.admin, policy: p.policy, dwallet: policy.dwallet, dwalletProgram: IKA_PROGRAM_ID,
    callerProgram: c.programId, cpiAuthority: c.cpiAuthority(), ...p.accounts,
  }).instruction();
  return simple("releaseDwallet", ix, p.admin, [p.policy, policy.dwallet]);
}

// ---------------------------------------------------------------- sessions

/** What a use gives the program (docs/verified-sessions.md). */
export type SessionFormat = "opaque" | "solana" | "evm";
export const SESSION_FORMATS: Record<SessionFormat, number> = { opaque: 0, solana: 1, evm: 2 };

/** A Session's format by name; undefined for a number this client does not know. */
export function sessionFormat(session: { format: number }): SessionFormat | undefined {
  return (Object.keys(SESSION_FORMATS) as SessionFormat[]).find((name) => SESSION_FORMATS[name] === session.format);
}
export const SESSION_FLAGS = { allowDurableNonce: 1, allowCpi: 2 } as const;

export interface SessionLimits {
  delegate: PublicKey;
  /** Last slot the session may be used in. */
  expirySlot: bigint;
  maxUses: number;
  /** u128: per use, in the session's asset (solana) or declared units (opaque). */
  maxAmountPerTx: bigint;
  /** Total over all uses (u128); default: no budget. */
  maxTotalAmount?: bigint;
  /** Bit mask of SignatureScheme (bit i = scheme i); default every scheme of the dWallet's curve (EdDSA only for `solana`). */
  allowedSchemes?: number;
  /** 1..=8 destination programs (`evm` format: EVM addresses as words, `evmWord`). */
  allowedPrograms: PublicKey[];
  /**
   * Default `opaque`. `solana` / `evm`: the program reads the Solana message
   * / EIP-1559 transaction it approves.
   */
  format?: SessionFormat;
  /** `solana` format: the SPL mint the caps count; `evm`: the ERC-20 contract (`evmWord`). Default lamports / wei. */
  assetMint?: PublicKey;
  /** The `evm` format's own limits (required for it, refused for the others). */
  evm?: EvmLimits;
  /** Default false: durable-nonce messages are refused. */
  allowDurableNonce?: boolean;
  /** Default false: the use path refuses to run inside another program's CPI. */
  allowCpi?: boolean;
}

export interface EvmLimits {
  /** The EIP-155 chain id every transaction must carry. */
  chainId: bigint;
  /** Cap, in wei, on `maxFeePerGas × gas` of one transaction (u128). */
  maxFee: bigint;
  /** Bit i: allowlist entry i takes any calldata (then only `value` counts). Default 0. */
  anyCallMask?: number;
}

/** The schemes a format signs with: the only one it may hold. */
const FORMAT_SCHEME: Partial<Record<SessionFormat, SignatureScheme>> = {
  solana: SignatureScheme.EddsaSha512,
  evm: SignatureScheme.EcdsaKeccak256,
};

export interface CreateSessionParams extends AdminParams {
  limits: SessionLimits;
  payer?: PublicKey;
  /** Default: the policy's next id (read from chain). */
  sessionId?: number;
}

export async function createSession(c: SessionKeysClient, p: CreateSessionParams): Promise<Action & { sessionId: number; session: PublicKey }> {
  const payer = p.payer ?? c.provider.publicKey;
  const policy = await mustFetchPolicy(c, p.policy);
  const sessionId = p.sessionId ?? Number(toBig(policy.nextSessionId));
  const session = c.sessionAddress(p.policy, sessionId);
  const l = p.limits;
  const ix = await c.program.methods.createSession({
    sessionId, delegate: l.delegate, expirySlot: u64(l.expirySlot, "expirySlot"), maxUses: l.maxUses,
    maxAmountPerTx: u128(l.maxAmountPerTx, "maxAmountPerTx"), maxTotalAmount: u128(l.maxTotalAmount ?? U128_MAX, "maxTotalAmount"),
    allowedSchemes: l.allowedSchemes ?? defaultSchemes(l.format, policy.curve as Curve),
    allowedPrograms: l.allowedPrograms, format: SESSION_FORMATS[l.format ?? "opaque"], assetMint: l.assetMint ?? PublicKey.default,
    flags: (l.allowDurableNonce ? SESSION_FLAGS.allowDurableNonce : 0) | (l.allowCpi ? SESSION_FLAGS.allowCpi : 0),
    evm: l.evm ? { chainId: u64(l.evm.chainId, "chainId"), maxFee: u128(l.evm.maxFee, "maxFee"), anyCallMask: l.evm.anyCallMask ?? 0 } : null,
  }).accountsStrict({
    admin: p.admin, payer, policy: p.policy, session, systemProgram: SystemProgram.programId, ...p.accounts,
  }).instruction();
  return {
    name: "createSession", instructions: [ix], feePayer: payer, signers: uniqueKeys([payer, p.admin]),
    watch: [p.policy, session], creates: [{ address: session, space: sizeOf(c, "session") }], sessionId, session,
  };
}

/** A format's one scheme, else every scheme of the dWallet's curve. */
function defaultSchemes(format: SessionFormat | undefined, curve: Curve): number {
  const only = format && FORMAT_SCHEME[format];
  return only !== undefined ? 1 << only : CURVE_SCHEMES[curve] ?? 0;
}

/** Fields to change; anything left out stays as it is. */
export type SessionChanges = Partial<Omit<SessionLimits, "delegate" | "format" | "assetMint" | "allowDurableNonce" | "allowCpi" | "evm">>;

export async function updateSession(c: SessionKeysClient, p: AdminParams & { session: PublicKey; changes: SessionChanges }): Promise<Action> {
  const ch = p.changes;
  const opt = (v: bigint | undefined, field: string) => (v === undefined ? null : u64(v, field));
  const opt128 = (v: bigint | undefined, field: string) => (v === undefined ? null : u128(v, field));
  const ix = await c.program.methods.updateSession({
    expirySlot: opt(ch.expirySlot, "expirySlot"), maxUses: ch.maxUses ?? null, maxAmountPerTx: opt128(ch.maxAmountPerTx, "maxAmountPerTx"),
    maxTotalAmount: opt128(ch.maxTotalAmount, "maxTotalAmount"), allowedSchemes: ch.allowedSchemes ?? null,
    allowedPrograms: ch.allowedPrograms ?? null,
  }).accountsStrict({ admin: p.admin, policy: p.policy, session: p.session, ...p.accounts }).instruction();
  return simple("updateSession", ix, p.admin, [p.session]);
}

export async function revokeSession(c: SessionKeysClient, p: AdminParams & { session: PublicKey }): Promise<Action> {
  const ix = await c.program.methods.revokeSession()
    .accountsStrict({ admin: p.admin, policy: p.policy, session: p.session, ...p.accounts }).instruction();
  return simple("revokeSession", ix, p.admin, [p.session]);
}

export async function closeSession(c: SessionKeysClient, p: AdminParams & { session: PublicKey; rentReceiver?: PublicKey }): Promise<Action> {
  const rentReceiver = p.rentReceiver ?? p.admin;
  const ix = await c.program.methods.closeSession().accountsStrict({
    admin: p.admin, policy: p.policy, session: p.session, rentReceiver, ...p.accounts,
  }).instruction();
  return simple("closeSession", ix, p.admin, [p.session, rentReceiver]);
}

export async function renounceSession(c: SessionKeysClient, p: { session: PublicKey; delegate: PublicKey; accounts?: AccountOverrides }): Promise<Action> {
  const ix = await c.program.methods.renounceSession()
    .accountsStrict({ delegate: p.delegate, session: p.session, ...p.accounts }).instruction();
  return simple("renounceSession", ix, p.delegate, [p.session]);
}

// ---------------------------------------------------------------- the use path

export interface ApproveParams {
  policy: PublicKey;
  session: PublicKey;
  delegate: PublicKey;
  payer?: PublicKey;
  /** Default: the session's current nonce (read from chain). */
  nonce?: bigint;
  /** The message to sign, or its keccak256 digest directly. */
  message?: Uint8Array | string;
  messageDigest?: Uint8Array;
  /** keccak256 of the scheme's metadata (Blake2b, Schnorrkel); default zero (none). */
  messageMetadataDigest?: Uint8Array;
  amount: bigint;
  destinationProgram: PublicKey;
  /** Default: zero. */
  signatureNonce?: Uint8Array;
  /** Default: zero. */
  userPubkey?: Uint8Array;
  /** Default: the first scheme the dWallet's curve signs (EddsaSha512 for Curve25519, EcdsaKeccak256 for Secp256k1). */
  signatureScheme?: number;
  /** Override the MessageApproval bump (attack tests). */
  messageApprovalBump?: number;
  accounts?: AccountOverrides;
}

export async function approveMessage(c: SessionKeysClient, p: ApproveParams): Promise<Action & { messageApproval: PublicKey; messageDigest: Buffer; nonce: bigint }> {
  const payer = p.payer ?? c.provider.publicKey;
  const policy = await mustFetchPolicy(c, p.policy);
  const dwallet = p.accounts?.dwallet ?? policy.dwallet;
  const wallet = await mustFetchDwallet(c, policy.dwallet);
  const digest = Buffer.from(p.messageDigest ?? keccak(p.message ?? ""));
  const metadata = Buffer.from(p.messageMetadataDigest ?? new Uint8Array(32));
  const scheme = p.signatureScheme ?? firstScheme(wallet.curve);
  const nonce = p.nonce ?? toBig((await mustFetchSession(c, p.session)).nonce);
  const [messageApproval, bump] = messageApprovalAddress(wallet, scheme, digest, metadata);
  const ix = await c.program.methods.approveMessage({
    nonce: u64(nonce, "nonce"), messageDigest: [...digest], messageMetadataDigest: [...metadata], amount: amountBytes(p.amount, "amount"),
    destinationProgram: p.destinationProgram, signatureNonce: [...(p.signatureNonce ?? new Uint8Array(32))],
    userPubkey: [...(p.userPubkey ?? new Uint8Array(32))], signatureScheme: u16(scheme, "signatureScheme"),
    messageApprovalBump: p.messageApprovalBump ?? bump,
  }).accountsStrict({
    delegate: p.delegate, payer, policy: p.policy, session: p.session, coordinator: IKA_COORDINATOR, messageApproval, dwallet,
    dwalletProgram: IKA_PROGRAM_ID, callerProgram: c.programId, cpiAuthority: c.cpiAuthority(), systemProgram: SystemProgram.programId,
    ...p.accounts,
  }).instruction();
  return {
    name: "approveMessage", instructions: [ix], feePayer: payer, signers: uniqueKeys([payer, p.delegate]),
    watch: [p.session, messageApproval], creates: [{ address: messageApproval, space: MESSAGE_APPROVAL_LEN }],
    messageApproval, messageDigest: digest, nonce,
  };
}

/** The lowest scheme a curve signs: the default of `approveMessage`. */
export function firstScheme(curve: Curve): number {
  const mask = CURVE_SCHEMES[curve];
  return Math.log2(mask & -mask);
}

function u16(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${field} must fit a u16 (0 ..= 65535), got ${v}`);
  return v;
}

// ---------------------------------------------------------------- helpers

function simple(name: string, ix: Action["instructions"][number], signer: PublicKey, watch: PublicKey[]): Action {
  return { name, instructions: [ix], feePayer: signer, signers: [signer], watch, creates: [] };
}

/** `keys` without repeats, in order (a transaction's signers). */
export function uniqueKeys(keys: PublicKey[]): PublicKey[] {
  return keys.filter((k, i) => keys.findIndex((o) => o.equals(k)) === i);
}

async function mustFetchPolicy(c: SessionKeysClient, address: PublicKey) {
  const p = await c.fetchPolicy(address);
  if (!p) throw new Error(`no policy at ${address.toBase58()}`);
  return p;
}

/**
 * The dWallet account's fields (its curve and public key root Ika's
 * MessageApproval address). Its owner is the program's to check (it refuses
 * any but Ika), so a transaction can still be built to be refused.
 */
export async function mustFetchDwallet(c: SessionKeysClient, address: PublicKey): Promise<DwalletView> {
  const info = await c.chain.getAccountInfo(address);
  const view = info ? readDwallet(info.data) : null;
  if (!view) throw new Error(`no dWallet account at ${address.toBase58()}`);
  return view;
}

async function mustFetchSession(c: SessionKeysClient, address: PublicKey) {
  const s = await c.fetchSession(address);
  if (!s) throw new Error(`no session at ${address.toBase58()}`);
  return s;
}
