/**
 * The CLI's commands, each a thin layer over app/src/client: parse flags,
 * build the action, preview and/or deploy, return a JSON-able result.
 * A failed transaction throws `CommandFailure` carrying the program's exact
 * error name.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  acceptAdmin, Action, approvalJson, approveMessage, closeSession, proposeAdmin, releaseDwallet, renounceSession, SessionChanges, updateSession, createSession, Curve, CURVE_NAMES, DeployResult, fetchMessageApproval, IKA_PROGRAM_ID,
  initializePolicy, inspectPolicy, messageDigest, NamedFailure, revokeAllSessions, revokeSession, SessionLimits, SignatureScheme,
  approveSolanaMessage, fitsInOneTransaction, stageSolanaMessage,
} from "../client";
import { writeDwallet } from "../local";
import { ParsedArgs } from "../shell/args";
import { Context } from "./context";
import { failureJson, previewSummary, readable, toJson } from "../shell/format";
import {
  loadKeypair, parseBase64, parseFormat, parseHex, parseKeyOrKeypairFile, parsePubkey, parsePubkeyList, parseU128, parseU32, parseU64, UsageError,
} from "../shell/parse";

/** A transaction the chain rejected; `failure.name` is the exact program error name. */
export class CommandFailure extends Error {
  constructor(readonly failure: NamedFailure, readonly details: Record<string, unknown> = {}) {
    super(failure.message ?? failure.name);
  }
  toJSON() {
    return { ...failureJson(this.failure), ...this.details };
  }
}

type Result = Record<string, unknown>;

export interface Command {
  usage: string;
  values: string[];
  switches?: string[];
  /** local-init creates the state file rather than loading it. */
  createsLocalState?: boolean;
  /** Changes nothing on chain: a --local state file is not rewritten. */
  readsOnly?: boolean;
  run(ctx: Context, args: ParsedArgs): Promise<Result>;
}

const POLICY_FLAGS = ["policy", "dwallet", "init-authority"];

export const COMMANDS: Record<string, Command> = {
  "local-init": {
    usage: "local-init --local <state.json> [--authority <pubkey|keypair file>] [--curve curve25519|secp256k1|secp256r1|ristretto]   create the state file and a dWallet (as Ika's network would)",
    values: ["authority", "curve"],
    createsLocalState: true,
    async run(ctx, args) {
      const authority = args.flags.has("authority") ? parseKeyOrKeypairFile(args.flags.get("authority")!, "--authority") : ctx.payer.publicKey;
      const curve = args.flags.has("curve") ? parseCurve(args.flags.get("curve")!) : Curve.Curve25519;
      const wallet = await writeDwallet(ctx.local!.chain, { authority, curve });
      const dwallet = wallet.address.toBase58();
      ctx.local!.data.dwallets.push({ address: dwallet, authority: authority.toBase58(), curve: CURVE_NAMES[curve] });
      return { stateFile: ctx.local!.file, dwallet, curve: CURVE_NAMES[curve], authority: authority.toBase58(), dwalletProgram: IKA_PROGRAM_ID.toBase58(), payer: ctx.payer.publicKey.toBase58() };
    },
  },

  "init-policy": {
    usage: "init-policy --dwallet <address> [--init-authority <keypair file>] [--admin <pubkey>]   hand the dWallet to a policy (a new one, or a released one taken back)",
    values: ["dwallet", "init-authority", "admin"],
    async run(ctx, args) {
      const dwallet = parsePubkey(required(args, "dwallet"), "--dwallet");
      const initAuthority = optionalKeypair(args, "init-authority") ?? ctx.payer;
      const admin = args.flags.has("admin") ? parseKeyOrKeypairFile(args.flags.get("admin")!, "--admin") : ctx.payer.publicKey;
      const action = await initializePolicy(ctx.client, { dwallet, initAuthority: initAuthority.publicKey, admin, payer: ctx.payer.publicKey });
      const r = await deploy(ctx, action, [initAuthority]);
      const policy = ctx.client.policyAddress(dwallet, initAuthority.publicKey);
      if (ctx.local) ctx.local.data.lastPolicy = policy.toBase58();
      return { policy: policy.toBase58(), dwallet: dwallet.toBase58(), initAuthority: initAuthority.publicKey.toBase58(), admin: admin.toBase58(), ...receipt(r) };
    },
  },

  create: {
    usage: "create --delegate <pubkey> (--expiry-slot <n> | --expires-in <slots>) --max-uses <n> --max-amount <n> --programs <id,id,…> [--max-total <n>] [--schemes <mask>] [--format opaque|solana] [--asset-mint <mint>] [--allow-durable-nonce] [--allow-cpi] [--admin <keypair file>] [policy] [--yes]   preview a session; deploy with --yes",
    values: ["delegate", "expiry-slot", "expires-in", "max-uses", "max-amount", "max-total", "schemes", "programs", "format", "asset-mint", "admin", ...POLICY_FLAGS],
    switches: ["yes", "allow-durable-nonce", "allow-cpi"],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const admin = optionalKeypair(args, "admin") ?? ctx.payer;
      const limits = await limitsFromFlags(ctx, args);
      const action = await createSession(ctx.client, { policy, admin: admin.publicKey, limits, payer: ctx.payer.publicKey });
      const simulated = await ctx.client.preview(action);
      const preview = previewSummary(simulated, action.session.toBase58());
      const ids = { policy: policy.toBase58(), sessionId: action.sessionId, session: action.session.toBase58() };
      if (!simulated.ok) throw new CommandFailure(simulated.error!, { ...ids, preview });
      if (!args.switches.has("yes")) return { deployed: false, ...ids, preview, next: "re-run with --yes to sign and submit" };
      const r = await deploy(ctx, action, [admin]);
      return { deployed: true, ...ids, preview, ...receipt(r), state: readable("session", await ctx.client.fetchSession(action.session)) };
    },
  },

  use: {
    usage: "use <session-id> --delegate <keypair file> (--digest <32-byte hex> | --message <text>) --amount <n> --destination <program id> [--nonce <n>] [--signature-nonce <hex>] [--scheme <name|0..6>] [--metadata-digest <hex>] [policy]   approve a message through the session",
    values: ["delegate", "digest", "message", "amount", "destination", "nonce", "signature-nonce", "scheme", "metadata-digest", ...POLICY_FLAGS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const sessionId = parseU32(positional(args, 0, "session-id"), "session-id");
      const session = ctx.client.sessionAddress(policy, sessionId);
      const delegate = optionalKeypair(args, "delegate") ?? ctx.payer;
      if (args.flags.has("digest") === args.flags.has("message")) throw new UsageError("give exactly one of --digest or --message");
      const digest = args.flags.has("digest") ? parseHex(args.flags.get("digest"), "--digest", 32) : messageDigest(args.flags.get("message")!);
      if (!(await ctx.client.fetchSession(session))) throw new UsageError(`no session ${sessionId} under policy ${policy.toBase58()}`);
      const action = await approveMessage(ctx.client, {
        policy, session, delegate: delegate.publicKey, payer: ctx.payer.publicKey, messageDigest: digest,
        amount: parseU64(required(args, "amount"), "--amount"),
        destinationProgram: parsePubkey(required(args, "destination"), "--destination"),
        nonce: args.flags.has("nonce") ? parseU64(args.flags.get("nonce"), "--nonce") : undefined,
        signatureNonce: args.flags.has("signature-nonce") ? parseHex(args.flags.get("signature-nonce"), "--signature-nonce", 32) : undefined,
        signatureScheme: args.flags.has("scheme") ? parseScheme(args.flags.get("scheme")!) : undefined,
        messageMetadataDigest: args.flags.has("metadata-digest") ? parseHex(args.flags.get("metadata-digest"), "--metadata-digest", 32) : undefined,
      });
      const r = await deploy(ctx, action, [delegate], { sessionId, nonce: action.nonce.toString() });
      const event = r.events.find((e) => e.name === "messageApproved");
      return {
        sessionId, session: session.toBase58(), nonce: action.nonce.toString(), messageDigest: action.messageDigest.toString("hex"),
        messageApproval: action.messageApproval.toBase58(), remainingUses: toJson(event?.data.remainingUses), binding: toJson(event?.data.binding), ...receipt(r),
      };
    },
  },

  "use-solana": {
    usage: "use-solana <session-id> --delegate <keypair file> --message <base64 Solana message> [--nonce <n>] [--signature-nonce <hex>] [policy]   approve a Solana transaction message through a solana-format session: the program reads it and derives the amount and programs (a message too large for one transaction goes through the session's message buffer)",
    values: ["delegate", "message", "nonce", "signature-nonce", ...POLICY_FLAGS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const sessionId = parseU32(positional(args, 0, "session-id"), "session-id");
      const session = ctx.client.sessionAddress(policy, sessionId);
      const delegate = optionalKeypair(args, "delegate") ?? ctx.payer;
      const message = parseBase64(required(args, "message"), "--message");
      if (!(await ctx.client.fetchSession(session))) throw new UsageError(`no session ${sessionId} under policy ${policy.toBase58()}`);
      const params = {
        policy, session, delegate: delegate.publicKey, payer: ctx.payer.publicKey, message,
        nonce: args.flags.has("nonce") ? parseU64(args.flags.get("nonce"), "--nonce") : undefined,
        signatureNonce: args.flags.has("signature-nonce") ? parseHex(args.flags.get("signature-nonce"), "--signature-nonce", 32) : undefined,
      };
      const fromBuffer = !(await fitsInOneTransaction(ctx.client, await approveSolanaMessage(ctx.client, { ...params, fromBuffer: false }).catch(() => null)));
      if (fromBuffer) {
        for (const a of await stageSolanaMessage(ctx.client, { session, delegate: delegate.publicKey, payer: ctx.payer.publicKey, message })) {
          await deploy(ctx, a, [delegate], { sessionId });
        }
      }
      const action = await approveSolanaMessage(ctx.client, { ...params, fromBuffer });
      const r = await deploy(ctx, action, [delegate], { sessionId, nonce: action.nonce.toString() });
      const event = r.events.find((e) => e.name === "solanaMessageApproved");
      return {
        sessionId, session: session.toBase58(), nonce: action.nonce.toString(), messageDigest: action.messageDigest.toString("hex"),
        messageApproval: action.messageApproval.toBase58(), viaBuffer: fromBuffer, amount: toJson(event?.data.amount),
        programs: toJson(event?.data.programs), remainingUses: toJson(event?.data.remainingUses), binding: toJson(event?.data.binding), ...receipt(r),
      };
    },
  },

  inspect: {
    usage: "inspect <dwallet> --init-authority <pubkey> | inspect --policy <address>   the policy and every session with live status",
    values: POLICY_FLAGS,
    readsOnly: true,
    async run(ctx, args) {
      if (args.positionals[0] !== undefined) {
        if (args.flags.has("dwallet")) throw new UsageError("give the dWallet either as the argument or as --dwallet");
        args.flags.set("dwallet", args.positionals[0]);
      }
      const policy = resolvePolicy(ctx, args, { allowLastPolicy: !args.flags.has("dwallet") });
      const view = await inspectPolicy(ctx.client, policy);
      if (!view) throw new CommandFailure({ name: "PolicyNotFound", message: `no policy at ${policy.toBase58()}` });
      return view as unknown as Result;
    },
  },

  approval: {
    usage: "approval <message-approval address>   one Ika MessageApproval: status (pending/signed) and, once signed, the signature",
    values: [],
    readsOnly: true,
    async run(ctx, args) {
      const address = parsePubkey(positional(args, 0, "message-approval"), "message-approval");
      const a = await fetchMessageApproval(ctx.chain, address);
      if (!a) throw new CommandFailure({ name: "MessageApprovalNotFound", message: `no MessageApproval at ${address.toBase58()}` });
      return approvalJson(address, a);
    },
  },

  revoke: {
    usage: "revoke <session-id> [--admin <keypair file>] [policy]   revoke one session now",
    values: ["admin", ...POLICY_FLAGS],
    async run(ctx, args) {
      const { policy, admin, sessionId, session } = sessionTarget(ctx, args);
      const r = await deploy(ctx, await revokeSession(ctx.client, { policy, admin: admin.publicKey, session }), [admin], { sessionId });
      return { revoked: true, sessionId, session: session.toBase58(), ...receipt(r) };
    },
  },

  "revoke-all": {
    usage: "revoke-all [--admin <keypair file>] [policy]   kill every existing session (bumps the policy epoch)",
    values: ["admin", ...POLICY_FLAGS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const admin = optionalKeypair(args, "admin") ?? ctx.payer;
      const r = await deploy(ctx, await revokeAllSessions(ctx.client, { policy, admin: admin.publicKey }), [admin]);
      const p = await ctx.client.fetchPolicy(policy);
      return { policy: policy.toBase58(), epoch: toJson(p?.epoch), ...receipt(r) };
    },
  },

  close: {
    usage: "close <session-id> [--admin <keypair file>] [--rent-receiver <pubkey>] [policy]   close a dead session, rent back",
    values: ["admin", "rent-receiver", ...POLICY_FLAGS],
    async run(ctx, args) {
      const { policy, admin, sessionId, session } = sessionTarget(ctx, args);
      const rentReceiver = args.flags.has("rent-receiver") ? parsePubkey(args.flags.get("rent-receiver"), "--rent-receiver") : admin.publicKey;
      const r = await deploy(ctx, await closeSession(ctx.client, { policy, admin: admin.publicKey, session, rentReceiver }), [admin], { sessionId });
      return { closed: true, sessionId, session: session.toBase58(), rentReceiver: rentReceiver.toBase58(), ...receipt(r) };
    },
  },

  update: {
    usage: "update <session-id> [--expiry-slot <n> | --expires-in <slots>] [--max-uses <n>] [--max-amount <n>] [--max-total <n>] [--schemes <mask>] [--programs <id,…>] [--admin <keypair file>] [policy]   change a session's limits (never below what it used)",
    values: ["expiry-slot", "expires-in", "max-uses", "max-amount", "max-total", "schemes", "programs", "admin", ...POLICY_FLAGS],
    async run(ctx, args) {
      const { policy, admin, sessionId, session } = sessionTarget(ctx, args);
      const changes: SessionChanges = {};
      if (args.flags.has("expiry-slot") && args.flags.has("expires-in")) throw new UsageError("give at most one of --expiry-slot or --expires-in");
      if (args.flags.has("expiry-slot")) changes.expirySlot = parseU64(args.flags.get("expiry-slot"), "--expiry-slot");
      if (args.flags.has("expires-in")) changes.expirySlot = (await ctx.chain.getSlot()) + parseU64(args.flags.get("expires-in"), "--expires-in");
      if (args.flags.has("max-uses")) changes.maxUses = parseU32(args.flags.get("max-uses"), "--max-uses");
      if (args.flags.has("max-amount")) changes.maxAmountPerTx = parseU128(args.flags.get("max-amount"), "--max-amount");
      if (args.flags.has("max-total")) changes.maxTotalAmount = parseU128(args.flags.get("max-total"), "--max-total");
      if (args.flags.has("schemes")) changes.allowedSchemes = parseU32(args.flags.get("schemes"), "--schemes");
      if (args.flags.has("programs")) changes.allowedPrograms = parsePubkeyList(args.flags.get("programs"), "--programs");
      if (Object.keys(changes).length === 0) throw new UsageError("give at least one limit to change");
      const r = await deploy(ctx, await updateSession(ctx.client, { policy, admin: admin.publicKey, session, changes }), [admin], { sessionId });
      return { updated: true, sessionId, session: session.toBase58(), ...receipt(r), state: readable("session", await ctx.client.fetchSession(session)) };
    },
  },

  renounce: {
    usage: "renounce <session-id> [--delegate <keypair file>] [policy]   the delegate gives its own session up",
    values: ["delegate", ...POLICY_FLAGS],
    async run(ctx, args) {
      const { sessionId, session } = sessionTarget(ctx, args);
      const delegate = optionalKeypair(args, "delegate") ?? ctx.payer;
      const r = await deploy(ctx, await renounceSession(ctx.client, { session, delegate: delegate.publicKey }), [delegate], { sessionId });
      return { renounced: true, sessionId, session: session.toBase58(), ...receipt(r) };
    },
  },

  "propose-admin": {
    usage: "propose-admin --new-admin <pubkey> [--admin <keypair file>] [policy]   step one of an admin change (the default key cancels)",
    values: ["new-admin", "admin", ...POLICY_FLAGS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const admin = optionalKeypair(args, "admin") ?? ctx.payer;
      const newAdmin = parseKeyOrKeypairFile(required(args, "new-admin"), "--new-admin");
      const r = await deploy(ctx, await proposeAdmin(ctx.client, { policy, admin: admin.publicKey, newAdmin }), [admin]);
      return { policy: policy.toBase58(), pendingAdmin: newAdmin.toBase58(), ...receipt(r) };
    },
  },

  "accept-admin": {
    usage: "accept-admin [--new-admin <keypair file>] [policy]   step two: the proposed admin takes over",
    values: ["new-admin", ...POLICY_FLAGS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const newAdmin = optionalKeypair(args, "new-admin") ?? ctx.payer;
      const r = await deploy(ctx, await acceptAdmin(ctx.client, { policy, newAdmin: newAdmin.publicKey }), [newAdmin]);
      return { policy: policy.toBase58(), admin: newAdmin.publicKey.toBase58(), ...receipt(r) };
    },
  },

  release: {
    usage: "release --new-authority <pubkey> [--admin <keypair file>] [policy]   hand the dWallet to a new authority; the policy is Released",
    values: ["new-authority", "admin", ...POLICY_FLAGS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const admin = optionalKeypair(args, "admin") ?? ctx.payer;
      const newAuthority = parseKeyOrKeypairFile(required(args, "new-authority"), "--new-authority");
      const r = await deploy(ctx, await releaseDwallet(ctx.client, { policy, admin: admin.publicKey, newAuthority }), [admin]);
      return { policy: policy.toBase58(), released: true, newAuthority: newAuthority.toBase58(), ...receipt(r) };
    },
  },

  warp: {
    usage: "warp --slot <n> --local <state.json>   move the embedded chain's clock (e.g. to see a session expire)",
    values: ["slot"],
    async run(ctx, args) {
      if (!ctx.local) throw new UsageError("warp works only with --local");
      const slot = parseU64(required(args, "slot"), "--slot");
      await ctx.local.chain.warpToSlot(slot);
      return { slot: slot.toString() };
    },
  },
};

// ---------------------------------------------------------------- helpers

function required(args: ParsedArgs, flag: string): string {
  const v = args.flags.get(flag);
  if (v === undefined) throw new UsageError(`--${flag} is required`);
  return v;
}

function positional(args: ParsedArgs, index: number, name: string): string {
  const v = args.positionals[index];
  if (v === undefined) throw new UsageError(`<${name}> is required`);
  return v;
}

function optionalKeypair(args: ParsedArgs, flag: string): Keypair | undefined {
  const file = args.flags.get(flag);
  return file === undefined ? undefined : loadKeypair(file, `--${flag}`);
}

/**
 * `--policy`, or `--dwallet` + `--init-authority` (pubkey or keypair file);
 * in `--local` mode the policy of the last `init-policy` is the default.
 */
function resolvePolicy(ctx: Context, args: ParsedArgs, { allowLastPolicy = true } = {}): PublicKey {
  const policy = args.flags.get("policy");
  const dwallet = args.flags.get("dwallet");
  const initAuthority = args.flags.get("init-authority");
  if (policy !== undefined) {
    if (dwallet !== undefined || initAuthority !== undefined) throw new UsageError("give --policy or --dwallet/--init-authority, not both");
    return parsePubkey(policy, "--policy");
  }
  if (dwallet !== undefined || initAuthority !== undefined) {
    if (dwallet === undefined || initAuthority === undefined) throw new UsageError("--dwallet and --init-authority go together");
    return ctx.client.policyAddress(parsePubkey(dwallet, "--dwallet"), parseKeyOrKeypairFile(initAuthority, "--init-authority"));
  }
  if (allowLastPolicy && ctx.local?.data.lastPolicy) return new PublicKey(ctx.local.data.lastPolicy);
  throw new UsageError("which policy? give --policy <address> or --dwallet <address> --init-authority <pubkey>");
}

function sessionTarget(ctx: Context, args: ParsedArgs) {
  const policy = resolvePolicy(ctx, args);
  const sessionId = parseU32(positional(args, 0, "session-id"), "session-id");
  return { policy, sessionId, session: ctx.client.sessionAddress(policy, sessionId), admin: optionalKeypair(args, "admin") ?? ctx.payer };
}

async function limitsFromFlags(ctx: Context, args: ParsedArgs): Promise<SessionLimits> {
  if (args.flags.has("expiry-slot") === args.flags.has("expires-in")) throw new UsageError("give exactly one of --expiry-slot or --expires-in");
  const expirySlot = args.flags.has("expiry-slot")
    ? parseU64(args.flags.get("expiry-slot"), "--expiry-slot")
    : (await ctx.chain.getSlot()) + parseU64(args.flags.get("expires-in"), "--expires-in");
  return {
    delegate: parseKeyOrKeypairFile(required(args, "delegate"), "--delegate"),
    expirySlot,
    maxUses: parseU32(required(args, "max-uses"), "--max-uses"),
    maxAmountPerTx: parseU128(required(args, "max-amount"), "--max-amount"),
    maxTotalAmount: args.flags.has("max-total") ? parseU128(args.flags.get("max-total"), "--max-total") : undefined,
    allowedSchemes: args.flags.has("schemes") ? parseU32(args.flags.get("schemes"), "--schemes") : undefined,
    allowedPrograms: parsePubkeyList(required(args, "programs"), "--programs"),
    format: parseFormat(args.flags.get("format")),
    assetMint: args.flags.has("asset-mint") ? parsePubkey(args.flags.get("asset-mint"), "--asset-mint") : undefined,
    allowDurableNonce: args.switches.has("allow-durable-nonce"),
    allowCpi: args.switches.has("allow-cpi"),
  };
}

async function deploy(ctx: Context, action: Action, signers: Keypair[], details: Record<string, unknown> = {}): Promise<DeployResult> {
  // The context's payer pays every fee, so an admin or delegate key needs no SOL of its own.
  const r = await ctx.client.deploy({ ...action, feePayer: ctx.payer.publicKey }, signers);
  if (!r.ok) throw new CommandFailure(r.error!, { action: action.name, signature: r.signature, ...details });
  return r;
}

/** A curve by name (`curve25519`, …). */
function parseCurve(v: string): Curve {
  const found = Object.entries(CURVE_NAMES).find(([, name]) => name === v.toLowerCase());
  if (!found) throw new UsageError(`--curve must be one of ${Object.values(CURVE_NAMES).join(", ")} (got ${v})`);
  return Number(found[0]) as Curve;
}

/** A signature scheme by name (`EddsaSha512`) or number (0..6). */
function parseScheme(v: string): number {
  if (/^\d+$/.test(v)) {
    const n = parseU32(v, "--scheme");
    if (n > 0xffff) throw new UsageError(`--scheme must fit a u16 (got ${v})`);
    return n;
  }
  const n = (SignatureScheme as unknown as Record<string, number | undefined>)[v];
  if (typeof n !== "number") throw new UsageError(`--scheme must be 0..6 or one of ${Object.keys(SignatureScheme).filter((k) => isNaN(Number(k))).join(", ")} (got ${v})`);
  return n;
}

function receipt(r: DeployResult) {
  return { signature: r.signature, computeUnits: r.computeUnits };
}
