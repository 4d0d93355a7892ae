/**
 * From a validated request to the client's `Action` (app/src/client builds
 * every instruction; nothing is rebuilt here), and the three things a route
 * does with one: preview it, sign it with the server's admin key, or check
 * that a caller-signed transaction is that action.
 */
import { ComputeBudgetProgram, Keypair, PublicKey } from "@solana/web3.js";
import { Static } from "@sinclair/typebox";
import { Chain } from "../chain";
import {
  acceptAdmin, Action, approveMessage, approveSolanaMessage, closeSession, createSession, fitsInOneTransaction, initializePolicy,
  PolicyAccount, policyJson, proposeAdmin, releaseDwallet, revokeAllSessions, revokeSession, SessionAccount, sessionJson, stageSolanaMessage, SessionChanges, SessionKeysClient, SessionLimits, updateSession, approveEvmTransaction, dwalletEvmAddress, fetchMessageApproval, mustFetchDwallet, SESSION_FORMATS, SessionFormat, sessionFormat, signedEvmTransaction,
} from "../client";
import { failureJson, toJson } from "../shell/format";
import {
  parseBase64, parseFormat, parseHex, parsePubkey, parsePubkeyList, parseSessionAddress, parseU128, parseU32, parseU64, UsageError,
} from "../shell/parse";
import { HttpError, rejected } from "./http";
import * as S from "./schemas";

export interface Service {
  chain: Chain;
  client: SessionKeysClient;
  /** Signs server-side deploys; absent in `--url` mode without SESSION_KEYS_ADMIN_KEYPAIR. */
  admin?: Keypair;
}

/** An action and what its replies say about it: extra fields, and the account whose resulting state matters. */
export interface Target {
  action: Action;
  extras: Record<string, unknown>;
  stateOf: { kind: "policy" | "session"; address: PublicKey };
}

type PolicyRef = { policy?: string; dwallet?: string; initAuthority?: string };

// ---------------------------------------------------------------- policies

export async function initializePolicyTarget(s: Service, b: Static<typeof S.InitializePolicyBody>): Promise<Target> {
  const dwallet = parsePubkey(b.dwallet, "dwallet");
  const initAuthority = keyOrAdmin(s, b.initAuthority, "initAuthority");
  const admin = keyOrAdmin(s, b.admin, "admin");
  const payer = b.payer === undefined ? initAuthority : parsePubkey(b.payer, "payer");
  const policy = s.client.policyAddress(dwallet, initAuthority);
  const action = await initializePolicy(s.client, { dwallet, initAuthority, admin, payer });
  return { action, extras: { policy: policy.toBase58(), dwallet: dwallet.toBase58() }, stateOf: { kind: "policy", address: policy } };
}

export async function revokeAllTarget(s: Service, policyParam: string, b: Static<typeof S.PolicyAdminBody>): Promise<Target> {
  const policy = await existingPolicy(s, { policy: policyParam });
  return policyTarget(policy, await revokeAllSessions(s.client, { policy, admin: keyOrAdmin(s, b.admin, "admin") }));
}

export async function proposeAdminTarget(s: Service, policyParam: string, b: Static<typeof S.ProposeAdminBody>): Promise<Target> {
  const policy = await existingPolicy(s, { policy: policyParam });
  const newAdmin = parsePubkey(b.newAdmin, "newAdmin");
  return policyTarget(policy, await proposeAdmin(s.client, { policy, admin: keyOrAdmin(s, b.admin, "admin"), newAdmin }));
}

export async function acceptAdminTarget(s: Service, policyParam: string, b: Static<typeof S.AcceptAdminBody>): Promise<Target> {
  const policy = await existingPolicy(s, { policy: policyParam });
  return policyTarget(policy, await acceptAdmin(s.client, { policy, newAdmin: keyOrAdmin(s, b.newAdmin, "newAdmin") }));
}

export async function releaseTarget(s: Service, policyParam: string, b: Static<typeof S.ReleaseBody>): Promise<Target> {
  const policy = await existingPolicy(s, { policy: policyParam });
  const newAuthority = parsePubkey(b.newAuthority, "newAuthority");
  return policyTarget(policy, await releaseDwallet(s.client, { policy, admin: keyOrAdmin(s, b.admin, "admin"), newAuthority }));
}

function policyTarget(policy: PublicKey, action: Action): Target {
  return { action, extras: { policy: policy.toBase58() }, stateOf: { kind: "policy", address: policy } };
}

// ---------------------------------------------------------------- sessions

export async function createSessionTarget(s: Service, b: Static<typeof S.CreateSessionBody>): Promise<Target> {
  const policy = await existingPolicy(s, b);
  const admin = keyOrAdmin(s, b.admin, "admin");
  const payer = b.payer === undefined ? admin : parsePubkey(b.payer, "payer");
  const action = await createSession(s.client, { policy, admin, payer, limits: await parseLimits(s, b) });
  return {
    action, stateOf: { kind: "session", address: action.session },
    extras: { policy: policy.toBase58(), sessionId: action.sessionId, session: action.session.toBase58() },
  };
}

export async function updateSessionTarget(s: Service, param: string, b: Static<typeof S.UpdateSessionBody>): Promise<Target> {
  const t = await sessionTarget(s, param, b);
  const changes = await parseChanges(s, b, sessionFormat(t.account));
  const action = await updateSession(s.client, { policy: t.policy, session: t.session, admin: keyOrAdmin(s, b.admin, "admin"), changes });
  return sessionReply(t, action);
}

export async function revokeSessionTarget(s: Service, param: string, b: Static<typeof S.SessionAdminBody>): Promise<Target> {
  const t = await sessionTarget(s, param, b);
  return sessionReply(t, await revokeSession(s.client, { policy: t.policy, session: t.session, admin: keyOrAdmin(s, b.admin, "admin") }));
}

export async function closeSessionTarget(s: Service, param: string, b: Static<typeof S.CloseSessionBody>): Promise<Target> {
  const t = await sessionTarget(s, param, b);
  const admin = keyOrAdmin(s, b.admin, "admin");
  const rentReceiver = b.rentReceiver === undefined ? admin : parsePubkey(b.rentReceiver, "rentReceiver");
  return sessionReply(t, await closeSession(s.client, { policy: t.policy, session: t.session, admin, rentReceiver }));
}

function sessionReply(t: SessionTarget, action: Action): Target {
  return {
    action, stateOf: { kind: "session", address: t.session },
    extras: { policy: t.policy.toBase58(), sessionId: t.sessionId, session: t.session.toBase58() },
  };
}

// ---------------------------------------------------------------- the delegate's use

/**
 * approve_message for an opaque session (the digest or the message, the
 * declared amount and destination), approve_solana_message for a solana one
 * (the message itself; the program derives the rest). The nonce is the session's.
 */
export async function approveTarget(s: Service, param: string, b: Static<typeof S.ApproveBody>): Promise<Target> {
  const t = await sessionTarget(s, param, b);
  const delegate = parsePubkey(b.delegate, "delegate");
  const payer = b.payer === undefined ? delegate : parsePubkey(b.payer, "payer");
  const common = {
    policy: t.policy, session: t.session, delegate, payer,
    signatureNonce: b.signatureNonce === undefined ? undefined : parseHex(b.signatureNonce, "signatureNonce", 32),
    userPubkey: b.userPubkey === undefined ? undefined : parseHex(b.userPubkey, "userPubkey", 32),
  };
  const approve = t.account.format === SESSION_FORMATS.solana ? await solanaApproval(s, common, b)
    : t.account.format === SESSION_FORMATS.evm ? await evmApproval(s, common, b)
    : await opaqueApproval(s, common, b);
  const action = b.computeUnitPrice === undefined ? approve : withComputeUnitPrice(approve, parseU64(b.computeUnitPrice, "computeUnitPrice"));
  const reply = sessionReply(t, action);
  const extras = { nonce: approve.nonce.toString(), messageDigest: approve.messageDigest.toString("hex"), messageApproval: approve.messageApproval.toBase58() };
  return { ...reply, extras: { ...reply.extras, ...extras } };
}

type ApproveCommon = Parameters<typeof approveMessage>[1] & Parameters<typeof approveSolanaMessage>[1];

async function opaqueApproval(s: Service, common: Omit<ApproveCommon, "amount" | "destinationProgram" | "message">, b: Static<typeof S.ApproveBody>) {
  if (b.transaction !== undefined) throw new UsageError("an opaque session takes messageDigest or message, not transaction");
  if ((b.messageDigest === undefined) === (b.message === undefined)) throw new UsageError("give exactly one of messageDigest or message");
  if (b.amount === undefined || b.destinationProgram === undefined) throw new UsageError("an opaque session's use declares amount and destinationProgram");
  return approveMessage(s.client, {
    ...common,
    messageDigest: b.messageDigest === undefined ? undefined : parseHex(b.messageDigest, "messageDigest", 32),
    message: b.message === undefined ? undefined : parseBase64(b.message, "message"),
    messageMetadataDigest: b.messageMetadataDigest === undefined ? undefined : parseHex(b.messageMetadataDigest, "messageMetadataDigest", 32),
    amount: parseU128(b.amount, "amount"),
    destinationProgram: parsePubkey(b.destinationProgram, "destinationProgram"),
    signatureScheme: b.signatureScheme,
  });
}

/** Fields only an opaque use declares: a verified session derives them. */
function refuseDeclared(b: Static<typeof S.ApproveBody>, format: string, also: "message" | "transaction"): void {
  const declared = (["messageDigest", "amount", "destinationProgram", "signatureScheme", "messageMetadataDigest", also] as const).filter((k) => b[k] !== undefined);
  if (declared.length) throw new UsageError(`a ${format} session reads what it approves itself: drop ${declared.join(", ")}`);
}

async function solanaApproval(s: Service, common: Omit<ApproveCommon, "amount" | "destinationProgram" | "message">, b: Static<typeof S.ApproveBody>) {
  refuseDeclared(b, "solana", "transaction");
  if (b.message === undefined) throw new UsageError("a solana session's use gives message (the serialized Solana message, base64)");
  const action = await approveSolanaMessage(s.client, { ...common, message: parseBase64(b.message, "message") });
  if (!(await fitsInOneTransaction(s.client, action))) {
    throw new HttpError(400, "MessageTooLarge", "the message does not fit in one transaction: POST /sessions/{session}/solana-message/preview stages it through the message buffer");
  }
  return action;
}

/**
 * An evm session's use: the unsigned EIP-1559 transaction. Only one that fits
 * in one Solana transaction (about 900 bytes): the CLI and the client stage
 * longer ones through the message buffer.
 */
async function evmApproval(s: Service, common: Omit<ApproveCommon, "amount" | "destinationProgram" | "message">, b: Static<typeof S.ApproveBody>) {
  refuseDeclared(b, "evm", "message");
  if (b.transaction === undefined) throw new UsageError("an evm session's use gives transaction (the unsigned EIP-1559 transaction, 0x-hex)");
  const action = await approveEvmTransaction(s.client, { ...common, transaction: parseHex(b.transaction, "transaction") });
  if (!(await fitsInOneTransaction(s.client, action))) {
    throw new HttpError(400, "TransactionTooLarge", "the EVM transaction does not fit in one Solana transaction: stage it through the message buffer with the CLI (use-evm) or the client");
  }
  return action;
}

/** The signed EVM transaction once Ika's network has signed: the unsigned one with the signature, ready to broadcast. */
export async function signedEvm(s: Service, address: string, b: Static<typeof S.SignedEvmBody>) {
  const approvalAddress = parsePubkey(address, "message approval address (path)");
  const approval = await fetchMessageApproval(s.chain, approvalAddress);
  if (!approval) throw new HttpError(404, "MessageApprovalNotFound", `no MessageApproval at ${approvalAddress.toBase58()}`);
  if (!approval.signature) throw new HttpError(409, "NotSignedYet", `MessageApproval ${approvalAddress.toBase58()} is still pending`);
  const policy = await s.client.fetchPolicy(await existingPolicy(s, b));
  if (!policy) throw new HttpError(404, "PolicyNotFound", "no such policy");
  const dwallet = dwalletEvmAddress(await mustFetchDwallet(s.client, policy.dwallet));
  try {
    return { dwallet, signedTransaction: await signedEvmTransaction(parseHex(b.transaction, "transaction"), approval.signature, dwallet) };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * The delegate's path for a `solana` session, whatever the message's size:
 * the program's verdict on the message (simulated) and the unsigned
 * transactions to sign and relay (POST /transactions) in order, staging the
 * message through the session's buffer first when it does not fit in one.
 */
export async function solanaMessagePreview(s: Service, param: string, b: Static<typeof S.SolanaMessageBody>) {
  const t = await sessionTarget(s, param, b);
  const delegate = parsePubkey(b.delegate, "delegate");
  const payer = b.payer === undefined ? delegate : parsePubkey(b.payer, "payer");
  const message = parseBase64(b.message, "message");
  const params = { policy: t.policy, session: t.session, delegate, payer, message };
  const inline = await approveSolanaMessage(s.client, params).catch(() => null);
  if (inline && (await fitsInOneTransaction(s.client, inline))) {
    const p = await s.client.preview(inline);
    const ev = p.events.find((e) => e.name === "solanaMessageApproved");
    const simulation = p.ok
      ? { ok: true, computeUnits: p.computeUnits, amount: toJson(ev?.data.amount), programs: toJson(ev?.data.programs), binding: toJson(ev?.data.binding) }
      : { ok: false, computeUnits: p.computeUnits, ...failureJson(p.error!) };
    return { session: t.session.toBase58(), viaBuffer: false, messageApproval: inline.messageApproval.toBase58(), transactions: [p.unsignedTransaction], simulation };
  }
  const staged = [...await stageSolanaMessage(s.client, { session: t.session, delegate, payer, message }), await approveSolanaMessage(s.client, { ...params, fromBuffer: true })];
  const transactions = await Promise.all(staged.map(async (a) => (await s.client.preview(a)).unsignedTransaction));
  return {
    session: t.session.toBase58(), viaBuffer: true, transactions,
    simulation: null, note: "the message is larger than one transaction: submit the transactions in order; the last one is the approval",
  };
}

/** A ComputeBudget SetComputeUnitPrice first: the fee market's priority, outside the program's rules. */
function withComputeUnitPrice<A extends Action>(action: A, microLamports: bigint): A {
  return { ...action, instructions: [ComputeBudgetProgram.setComputeUnitPrice({ microLamports }), ...action.instructions] };
}

// ---------------------------------------------------------------- preview, server signing

/** The unsigned transaction and its simulation: compute units, rent, the resulting state or the program's error name. */
export async function previewReply(s: Service, t: Target) {
  const p = await s.client.preview(t.action);
  const change = p.changes.find((c) => c.address === t.stateOf.address.toBase58() && c.kind === t.stateOf.kind);
  const common = { computeUnits: p.computeUnits, rentLamports: p.rent.reduce((sum, r) => sum + r.lamports, 0), rent: p.rent };
  const simulation = p.ok
    ? {
      ok: true, ...common, postState: s.chain.simulatesPostState, [t.stateOf.kind]: accountJson(t.stateOf.kind, (change?.after ?? null) as PolicyAccount | SessionAccount | null),
      events: toJson(p.events),
    }
    : { ok: false, ...common, ...failureJson(p.error!) };
  return {
    action: t.action.name, transaction: p.unsignedTransaction, signers: t.action.signers.map((k) => k.toBase58()),
    ...t.extras, simulation,
  };
}

/**
 * Server-side signing: only with the server's admin keypair, and only when
 * it is every signer the action needs (fee payer included); anything else
 * is signed by the caller and submitted as `{ transaction }`.
 */
export async function deployOnServer(s: Service, t: Target) {
  const admin = requireAdmin(s);
  const others = t.action.signers.filter((k) => !k.equals(admin.publicKey));
  if (others.length) {
    throw new HttpError(400, "SignerNotHeld", `${t.action.name} needs ${others.map((k) => k.toBase58()).join(", ")} to sign, and this server holds only ${admin.publicKey.toBase58()}: sign the /preview transaction and submit it as { transaction }`);
  }
  const r = await s.client.deploy(t.action, [admin]);
  if (!r.ok) throw rejected(r.error!, { signature: r.signature });
  return { signature: r.signature, computeUnits: r.computeUnits, ...t.extras, events: toJson(r.events), state: await stateOf(s, t.stateOf) };
}

async function stateOf(s: Service, target: Target["stateOf"]): Promise<unknown> {
  return accountJson(target.kind, s.client.decodeAccount(target.kind, await s.chain.getAccountInfo(target.address)));
}

/** A decoded Policy or Session as inspect shows it; null when there is none (closed, or not simulated). */
function accountJson(kind: Target["stateOf"]["kind"], decoded: PolicyAccount | SessionAccount | null) {
  if (!decoded) return null;
  return kind === "policy" ? policyJson(decoded as PolicyAccount) : sessionJson(decoded as SessionAccount);
}

function requireAdmin(s: Service): Keypair {
  if (!s.admin) throw new HttpError(400, "NoServerSigner", "this server holds no admin keypair (SESSION_KEYS_ADMIN_KEYPAIR): sign the /preview transaction and submit it as { transaction }");
  return s.admin;
}

// ---------------------------------------------------------------- parsing

/** A key the body gives, else the server's admin key, else a 400 naming it. */
function keyOrAdmin(s: Service, value: string | undefined, field: string): PublicKey {
  if (value !== undefined) return parsePubkey(value, field);
  if (!s.admin) throw new UsageError(`${field} (public key) is required: this server holds no admin keypair`);
  return s.admin.publicKey;
}

/** `policy`, or `dwallet` + `initAuthority`; 404 if no such policy account. */
export async function existingPolicy(s: Service, b: PolicyRef): Promise<PublicKey> {
  let policy: PublicKey;
  if (b.policy !== undefined) {
    if (b.dwallet !== undefined || b.initAuthority !== undefined) throw new UsageError("give policy, or dwallet and initAuthority, not both");
    policy = parsePubkey(b.policy, "policy");
  } else if (b.dwallet !== undefined || b.initAuthority !== undefined) {
    policy = s.client.policyAddress(parsePubkey(b.dwallet, "dwallet"), parsePubkey(b.initAuthority, "initAuthority"));
  } else throw new UsageError("give policy, or dwallet and initAuthority");
  if (!(await s.client.fetchPolicy(policy))) throw new HttpError(404, "PolicyNotFound", `no policy at ${policy.toBase58()}`);
  return policy;
}

export interface SessionTarget { policy: PublicKey; sessionId: number; session: PublicKey; account: SessionAccount }

/** `{session}` in a path: an address (it knows its policy), or an id under the policy the body names. 404 if no such session. */
export async function sessionTarget(s: Service, param: string, b: PolicyRef): Promise<SessionTarget> {
  let policy: PublicKey | undefined;
  let session: PublicKey;
  if (/^\d{1,10}$/.test(param)) {
    policy = await existingPolicy(s, b);
    session = s.client.sessionAddress(policy, parseU32(param, "session id (path)"));
  } else {
    if (b.policy !== undefined || b.dwallet !== undefined || b.initAuthority !== undefined) {
      throw new UsageError("name the policy only with a session id: a session address knows its policy");
    }
    session = parsePubkey(param, "session (path): an address or an id,");
  }
  const account = await s.client.fetchSession(session);
  if (!account) throw new HttpError(404, "SessionNotFound", `no session ${param}${policy ? ` under policy ${policy.toBase58()}` : ""}`);
  return { policy: account.policy, sessionId: account.sessionId, session, account };
}

async function expiry(s: Service, b: { expirySlot?: string | number; expiresInSlots?: string | number }): Promise<bigint | undefined> {
  if (b.expirySlot !== undefined && b.expiresInSlots !== undefined) throw new UsageError("give at most one of expirySlot or expiresInSlots");
  if (b.expirySlot !== undefined) return parseU64(b.expirySlot, "expirySlot");
  if (b.expiresInSlots !== undefined) return (await s.chain.getSlot()) + parseU64(b.expiresInSlots, "expiresInSlots");
  return undefined;
}

async function parseLimits(s: Service, b: Static<typeof S.CreateSessionBody>): Promise<SessionLimits> {
  const expirySlot = await expiry(s, b);
  if (expirySlot === undefined) throw new UsageError("give exactly one of expirySlot or expiresInSlots");
  return {
    delegate: parsePubkey(b.delegate, "delegate"),
    expirySlot,
    maxUses: parseU32(b.maxUses, "maxUses"),
    maxAmountPerTx: parseU128(b.maxAmountPerTx, "maxAmountPerTx"),
    maxTotalAmount: b.maxTotalAmount === undefined ? undefined : parseU128(b.maxTotalAmount, "maxTotalAmount"),
    allowedSchemes: b.allowedSchemes,
    ...formatLimits(b),
    allowDurableNonce: b.allowDurableNonce ?? false,
    allowCpi: b.allowCpi ?? false,
  };
}

/** The format, and its addresses as it reads them: base58 keys, or (evm) 0x addresses and the EVM limits. */
function formatLimits(b: Static<typeof S.CreateSessionBody>): Pick<SessionLimits, "format" | "allowedPrograms" | "assetMint" | "evm"> {
  const format = parseFormat(b.format);
  if ((format === "evm") !== (b.evm !== undefined)) {
    throw new UsageError(format === "evm" ? "an evm session needs evm: { chainId, maxFee }" : "evm limits are for format evm");
  }
  return {
    format,
    allowedPrograms: parsePubkeyList(b.allowedPrograms, "allowedPrograms", format),
    assetMint: b.assetMint === undefined ? undefined : parseSessionAddress(format, b.assetMint, "assetMint"),
    evm: b.evm && { chainId: parseU64(b.evm.chainId, "evm.chainId"), maxFee: parseU128(b.evm.maxFee, "evm.maxFee"), anyCallMask: b.evm.anyCallMask },
  };
}

/** The limits to change; allowlist entries as the session's format reads them. */
async function parseChanges(s: Service, b: Static<typeof S.UpdateSessionBody>, format: SessionFormat | undefined): Promise<SessionChanges> {
  const changes: SessionChanges = {
    expirySlot: await expiry(s, b),
    maxUses: b.maxUses,
    maxAmountPerTx: b.maxAmountPerTx === undefined ? undefined : parseU128(b.maxAmountPerTx, "maxAmountPerTx"),
    maxTotalAmount: b.maxTotalAmount === undefined ? undefined : parseU128(b.maxTotalAmount, "maxTotalAmount"),
    allowedSchemes: b.allowedSchemes,
    allowedPrograms: b.allowedPrograms === undefined ? undefined : parsePubkeyList(b.allowedPrograms, "allowedPrograms", format),
  };
  if (Object.values(changes).every((v) => v === undefined)) throw new UsageError("give at least one limit to change");
  return changes;
}
