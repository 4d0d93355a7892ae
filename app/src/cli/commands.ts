/**
 * The CLI's commands. Each declares its arguments and options with their
 * help (./index.ts builds the commander program from them) and is a thin
 * layer over app/src/client: parse the values, build the action, preview
 * and/or deploy, return a JSON-able result. A failed transaction throws
 * `CommandFailure` carrying the program's exact error name.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  acceptAdmin, Action, approvalJson, approveMessage, closeSession, proposeAdmin, releaseDwallet, renounceSession, SessionChanges, updateSession, createSession, Curve, CURVE_NAMES, DeployResult, fetchMessageApproval, IKA_PROGRAM_ID,
  initializePolicy, inspectPolicy, messageDigest, NamedFailure, revokeAllSessions, revokeSession, SessionLimits, SignatureScheme,
  approveSolanaMessage, fitsInOneTransaction, stageSolanaMessage, approveEvmTransaction, evmTransactionBytes, mustFetchDwallet,
  dwalletEvmAddress, signedEvmTransaction, VerifiedAction, VerifiedUseParams, closeMessageBuffer, sessionFormat,
} from "../client";
import { writeDwallet } from "../local/ika-network";
import { ParsedArgs } from "../shell/args";
import { Context } from "./context";
import { displayPolicy, displayRecord, JsonRecord } from "./display";
import { failureJson, previewSummary, readable, toJson } from "../shell/format";
import {
  loadKeypair, parseBase64, parseFormat, parseHex, parseKeyOrKeypairFile, parsePubkey, parsePubkeyList, parseSessionAddress, parseU128,
  parseU32, parseU64, UsageError,
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

/** A commander declaration: flags (`--delegate <pubkey>`, `<session-id>`) and their help. */
export type Declaration = [flags: string, help: string];

export interface Command {
  /** One line for `--help`. */
  summary: string;
  /** Positional arguments: `<required>` or `[optional]`. */
  arguments?: Declaration[];
  /** Options that take a value. */
  options?: Declaration[];
  /** Options without one. */
  switches?: Declaration[];
  /** local-init creates the state file rather than loading it. */
  createsLocalState?: boolean;
  /** Changes nothing on chain: a --local state file is not rewritten. */
  readsOnly?: boolean;
  /** Human-readable output of the command's JSON result (default: aligned key-value text, tables for lists). */
  display?(result: JsonRecord): string;
  run(ctx: Context, args: ParsedArgs): Promise<Result>;
}

/** Selects the policy where a command needs one. */
const POLICY_OPTIONS: Declaration[] = [
  ["--policy <address>", "the policy (with --local the default is the last init-policy's)"],
  ["--dwallet <address>", "with --init-authority, instead of --policy: the policy over this dWallet"],
  ["--init-authority <pubkey|keypair file>", "with --dwallet: the key that initialized the policy"],
];
const ADMIN_OPTION: Declaration = ["--admin <keypair file>", "the policy's admin, who signs (default: the payer)"];
const DELEGATE_OPTION: Declaration = ["--delegate <keypair file>", "the session's delegate, who signs (default: the payer)"];
const NONCE_OPTION: Declaration = ["--nonce <n>", "the use's nonce (default: the session's next)"];
const SIGNATURE_NONCE_OPTION: Declaration = ["--signature-nonce <hex>", "32 bytes of hex, Ika's signature nonce (default: zeros)"];

export const COMMANDS: Record<string, Command> = {
  "local-init": {
    summary: "create the --local state file and a dWallet (as Ika's network would)",
    options: [
      ["--authority <pubkey|keypair file>", "the dWallet's authority (default: the payer)"],
      ["--curve <curve>", "curve25519 (default), secp256k1, secp256r1 or ristretto"],
    ],
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
    summary: "hand a dWallet to a policy (a new one, or a released one taken back)",
    options: [
      ["--dwallet <address>", "the dWallet (required)"],
      ["--init-authority <keypair file>", "the dWallet's current authority, who signs (default: the payer)"],
      ["--admin <pubkey|keypair file>", "the policy's admin (default: the payer)"],
    ],
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
    summary: "preview a session (compute units, rent, the Session it creates); deploy it with --yes",
    options: [
      ["--delegate <pubkey|keypair file>", "the key the session lets sign (required)"],
      ["--expiry-slot <n>", "the last slot the session works in (or --expires-in)"],
      ["--expires-in <slots>", "expiry as slots from now (or --expiry-slot)"],
      ["--max-uses <n>", "how many approvals the session grants (required)"],
      ["--max-amount <n>", "the largest amount one use may declare (required)"],
      ["--programs <id,id,…>", "the destination programs a use may name, comma-separated (required)"],
      ["--max-total <n>", "a budget over all uses (default: none)"],
      ["--schemes <mask>", "allowed signature schemes as a bit mask (default: every scheme of the dWallet's curve)"],
      ["--format <format>", "opaque (default: the delegate declares amount and program), solana (the program reads the Solana message) or evm (the program reads the EIP-1559 transaction; --programs are then 0x addresses)"],
      ["--asset-mint <mint>", "solana format: the SPL mint the amount counts (default: lamports); evm: the ERC-20 contract, 0x… (default: wei)"],
      ["--chain-id <n>", "evm format: the chain id every transaction must carry (required for evm)"],
      ["--max-fee <wei>", "evm format: cap on maxFeePerGas × gas of one transaction (required for evm)"],
      ["--any-call <i,i,…>", "evm format: allowlist entries (0-based) that take any calldata; then only value counts (default: none)"],
      ADMIN_OPTION,
      ...POLICY_OPTIONS,
    ],
    switches: [
      ["--yes", "sign and submit (without it: preview only)"],
      ["--allow-durable-nonce", "solana format: accept messages with a durable nonce"],
      ["--allow-cpi", "accept a use by cross-program invocation"],
    ],
    // Once deployed, the Session as it landed; the preview's copy of it would say the same again.
    display: (result) => {
      const { state: _previewed, ...preview } = result.preview as JsonRecord;
      return displayRecord(result.deployed ? { ...result, preview } : result).join("\n");
    },
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
    summary: "approve a message through a session (the delegate signs)",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [
      DELEGATE_OPTION,
      ["--digest <hex>", "the 32-byte message digest (or --message)"],
      ["--message <text>", "the message text, hashed (keccak256) for you (or --digest)"],
      ["--amount <n>", "the amount this use declares (required)"],
      ["--destination <program id>", "the program this use declares (required)"],
      NONCE_OPTION,
      SIGNATURE_NONCE_OPTION,
      ["--scheme <name|0..6>", "the signature scheme (default: the first the dWallet's curve signs)"],
      ["--metadata-digest <hex>", "32 bytes of hex: keccak256 of the scheme's metadata (default: zeros, none)"],
      ...POLICY_OPTIONS,
    ],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const sessionId = parseU32(args.positionals[0], "session-id");
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
    summary: "approve a Solana transaction message through a solana-format session: the program reads it and derives the amount and programs (a message too large for one transaction goes through the session's message buffer)",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [
      DELEGATE_OPTION,
      ["--message <base64>", "the serialized Solana message (required)"],
      NONCE_OPTION,
      SIGNATURE_NONCE_OPTION,
      ...POLICY_OPTIONS,
    ],
    async run(ctx, args) {
      const message = parseBase64(required(args, "message"), "--message");
      const { use, action, r } = await verifiedUseCommand(ctx, args, message, (p) => approveSolanaMessage(ctx.client, { ...p, message }));
      const event = r.events.find((e) => e.name === "solanaMessageApproved");
      return {
        ...use, messageDigest: action.messageDigest.toString("hex"), amount: toJson(event?.data.amount),
        programs: toJson(event?.data.programs), remainingUses: toJson(event?.data.remainingUses), binding: toJson(event?.data.binding), ...receipt(r),
      };
    },
  },

  "use-evm": {
    summary: "approve an EIP-1559 transaction through an evm-format session: the program reads it and derives the chain, the destination and the amount (a long one goes through the session's message buffer); `approval` then gives the signed transaction",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [
      DELEGATE_OPTION,
      ["--transaction <hex>", "the unsigned serialized transaction, 0x02… (required)"],
      NONCE_OPTION,
      SIGNATURE_NONCE_OPTION,
      ...POLICY_OPTIONS,
    ],
    async run(ctx, args) {
      const transaction = parseHex(required(args, "transaction"), "--transaction");
      const { use, action, r } = await verifiedUseCommand(ctx, args, transaction, (p) => approveEvmTransaction(ctx.client, { ...p, transaction }));
      const event = r.events.find((e) => e.name === "evmTransactionApproved");
      return {
        ...use, signingHash: `0x${action.messageDigest.toString("hex")}`, amount: toJson(event?.data.amount),
        chainId: toJson(event?.data.chainId), to: event ? `0x${Buffer.from(event.data.to as number[]).toString("hex")}` : null,
        remainingUses: toJson(event?.data.remainingUses), binding: toJson(event?.data.binding), ...receipt(r),
      };
    },
  },

  inspect: {
    summary: "the policy, its dWallet and every session with live status",
    arguments: [["[dwallet]", "the dWallet (with --init-authority), instead of --dwallet"]],
    options: POLICY_OPTIONS,
    readsOnly: true,
    display: displayPolicy,
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
    summary: "one Ika MessageApproval: status (pending/signed) and, once signed, the signature (with --evm-transaction: the signed EVM transaction, ready to broadcast)",
    arguments: [["<message-approval>", "the MessageApproval's address (use prints it)"]],
    options: [["--evm-transaction <hex>", "the unsigned EIP-1559 transaction use-evm approved: attach the signature to it"], ...POLICY_OPTIONS],
    readsOnly: true,
    async run(ctx, args) {
      const address = parsePubkey(args.positionals[0], "message-approval");
      const a = await fetchMessageApproval(ctx.chain, address);
      if (!a) throw new CommandFailure({ name: "MessageApprovalNotFound", message: `no MessageApproval at ${address.toBase58()}` });
      if (!args.flags.has("evm-transaction")) return approvalJson(address, a);
      if (!a.signature) throw new CommandFailure({ name: "NotSignedYet", message: `MessageApproval ${address.toBase58()} is still pending` });
      const unsigned = parseHex(args.flags.get("evm-transaction")!, "--evm-transaction");
      const policy = await ctx.client.fetchPolicy(resolvePolicy(ctx, args));
      if (!policy) throw new UsageError("no such policy");
      const dwallet = dwalletEvmAddress(await mustFetchDwallet(ctx.client, policy.dwallet));
      return { ...approvalJson(address, a), dwallet, signedTransaction: await signedEvmTransaction(evmTransactionBytes(unsigned), a.signature, dwallet) };
    },
  },

  "close-buffer": {
    summary: "abandon a message staged in the session's buffer (a use consumes it otherwise): the buffer closes and its rent goes back to its payer",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [DELEGATE_OPTION, ...POLICY_OPTIONS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const sessionId = parseU32(args.positionals[0], "session-id");
      const session = ctx.client.sessionAddress(policy, sessionId);
      const delegate = optionalKeypair(args, "delegate") ?? ctx.payer;
      const action = await closeMessageBuffer(ctx.client, { session, delegate: delegate.publicKey, payer: ctx.payer.publicKey });
      const r = await deploy(ctx, action, [delegate], { sessionId });
      return { closed: true, sessionId, session: session.toBase58(), messageBuffer: action.watch[0].toBase58(), ...receipt(r) };
    },
  },

  revoke: {
    summary: "revoke one session now",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [ADMIN_OPTION, ...POLICY_OPTIONS],
    async run(ctx, args) {
      const { policy, admin, sessionId, session } = sessionTarget(ctx, args);
      const r = await deploy(ctx, await revokeSession(ctx.client, { policy, admin: admin.publicKey, session }), [admin], { sessionId });
      return { revoked: true, sessionId, session: session.toBase58(), ...receipt(r) };
    },
  },

  "revoke-all": {
    summary: "kill every existing session (bumps the policy epoch)",
    options: [ADMIN_OPTION, ...POLICY_OPTIONS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const admin = optionalKeypair(args, "admin") ?? ctx.payer;
      const r = await deploy(ctx, await revokeAllSessions(ctx.client, { policy, admin: admin.publicKey }), [admin]);
      const p = await ctx.client.fetchPolicy(policy);
      return { policy: policy.toBase58(), epoch: toJson(p?.epoch), ...receipt(r) };
    },
  },

  close: {
    summary: "close a dead session, rent back",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [ADMIN_OPTION, ["--rent-receiver <pubkey>", "who gets the rent (default: the admin)"], ...POLICY_OPTIONS],
    async run(ctx, args) {
      const { policy, admin, sessionId, session } = sessionTarget(ctx, args);
      const rentReceiver = args.flags.has("rent-receiver") ? parsePubkey(args.flags.get("rent-receiver"), "--rent-receiver") : admin.publicKey;
      const r = await deploy(ctx, await closeSession(ctx.client, { policy, admin: admin.publicKey, session, rentReceiver }), [admin], { sessionId });
      return { closed: true, sessionId, session: session.toBase58(), rentReceiver: rentReceiver.toBase58(), ...receipt(r) };
    },
  },

  update: {
    summary: "change a session's limits (never below what it used)",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [
      ["--expiry-slot <n>", "a new last slot (or --expires-in)"],
      ["--expires-in <slots>", "a new expiry as slots from now (or --expiry-slot)"],
      ["--max-uses <n>", "a new use limit"],
      ["--max-amount <n>", "a new per-use amount limit"],
      ["--max-total <n>", "a new budget over all uses"],
      ["--schemes <mask>", "new allowed signature schemes (bit mask)"],
      ["--programs <id,id,…>", "a new program allowlist, comma-separated (an evm session: 0x addresses)"],
      ADMIN_OPTION,
      ...POLICY_OPTIONS,
    ],
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
      if (args.flags.has("programs")) {
        const account = await ctx.client.fetchSession(session);
        if (!account) throw new UsageError(`no session ${sessionId} under policy ${policy.toBase58()}`);
        changes.allowedPrograms = parsePubkeyList(args.flags.get("programs"), "--programs", sessionFormat(account));
      }
      if (Object.keys(changes).length === 0) throw new UsageError("give at least one limit to change");
      const r = await deploy(ctx, await updateSession(ctx.client, { policy, admin: admin.publicKey, session, changes }), [admin], { sessionId });
      return { updated: true, sessionId, session: session.toBase58(), ...receipt(r), state: readable("session", await ctx.client.fetchSession(session)) };
    },
  },

  renounce: {
    summary: "the delegate gives its own session up",
    arguments: [["<session-id>", "the session's id under the policy"]],
    options: [DELEGATE_OPTION, ...POLICY_OPTIONS],
    async run(ctx, args) {
      const { sessionId, session } = sessionTarget(ctx, args);
      const delegate = optionalKeypair(args, "delegate") ?? ctx.payer;
      const r = await deploy(ctx, await renounceSession(ctx.client, { session, delegate: delegate.publicKey }), [delegate], { sessionId });
      return { renounced: true, sessionId, session: session.toBase58(), ...receipt(r) };
    },
  },

  "propose-admin": {
    summary: "step one of an admin change (proposing the admin itself cancels)",
    options: [["--new-admin <pubkey|keypair file>", "the proposed admin (required)"], ADMIN_OPTION, ...POLICY_OPTIONS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const admin = optionalKeypair(args, "admin") ?? ctx.payer;
      const newAdmin = parseKeyOrKeypairFile(required(args, "new-admin"), "--new-admin");
      const r = await deploy(ctx, await proposeAdmin(ctx.client, { policy, admin: admin.publicKey, newAdmin }), [admin]);
      return { policy: policy.toBase58(), pendingAdmin: newAdmin.toBase58(), ...receipt(r) };
    },
  },

  "accept-admin": {
    summary: "step two of an admin change: the proposed admin takes over",
    options: [["--new-admin <keypair file>", "the proposed admin, who signs (default: the payer)"], ...POLICY_OPTIONS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const newAdmin = optionalKeypair(args, "new-admin") ?? ctx.payer;
      const r = await deploy(ctx, await acceptAdmin(ctx.client, { policy, newAdmin: newAdmin.publicKey }), [newAdmin]);
      return { policy: policy.toBase58(), admin: newAdmin.publicKey.toBase58(), ...receipt(r) };
    },
  },

  release: {
    summary: "hand the dWallet to a new authority; the policy is released",
    options: [["--new-authority <pubkey|keypair file>", "the dWallet's next authority (required)"], ADMIN_OPTION, ...POLICY_OPTIONS],
    async run(ctx, args) {
      const policy = resolvePolicy(ctx, args);
      const admin = optionalKeypair(args, "admin") ?? ctx.payer;
      const newAuthority = parseKeyOrKeypairFile(required(args, "new-authority"), "--new-authority");
      const r = await deploy(ctx, await releaseDwallet(ctx.client, { policy, admin: admin.publicKey, newAuthority }), [admin]);
      return { policy: policy.toBase58(), released: true, newAuthority: newAuthority.toBase58(), ...receipt(r) };
    },
  },

  warp: {
    summary: "move the --local chain's clock (e.g. to see a session expire)",
    options: [["--slot <n>", "the slot to move to (required)"]],
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
  const sessionId = parseU32(args.positionals[0], "session-id");
  return { policy, sessionId, session: ctx.client.sessionAddress(policy, sessionId), admin: optionalKeypair(args, "admin") ?? ctx.payer };
}

/**
 * A verified use (use-solana, use-evm): the bytes in the instruction, or
 * staged through the session's message buffer first when they do not fit;
 * `approve` builds the format's instruction from the shared parameters.
 */
async function verifiedUseCommand(
  ctx: Context, args: ParsedArgs, bytes: Buffer, approve: (p: VerifiedUseParams) => Promise<VerifiedAction>,
): Promise<{ use: Result; action: VerifiedAction; r: DeployResult }> {
  const policy = resolvePolicy(ctx, args);
  const sessionId = parseU32(args.positionals[0], "session-id");
  const session = ctx.client.sessionAddress(policy, sessionId);
  const delegate = optionalKeypair(args, "delegate") ?? ctx.payer;
  if (!(await ctx.client.fetchSession(session))) throw new UsageError(`no session ${sessionId} under policy ${policy.toBase58()}`);
  const params = {
    policy, session, delegate: delegate.publicKey, payer: ctx.payer.publicKey,
    nonce: args.flags.has("nonce") ? parseU64(args.flags.get("nonce"), "--nonce") : undefined,
    signatureNonce: args.flags.has("signature-nonce") ? parseHex(args.flags.get("signature-nonce"), "--signature-nonce", 32) : undefined,
  };
  const fromBuffer = !(await fitsInOneTransaction(ctx.client, await approve({ ...params, fromBuffer: false }).catch(() => null)));
  if (fromBuffer) {
    for (const a of await stageSolanaMessage(ctx.client, { session, delegate: delegate.publicKey, payer: ctx.payer.publicKey, message: bytes })) {
      await deploy(ctx, a, [delegate], { sessionId });
    }
  }
  const action = await approve({ ...params, fromBuffer });
  const r = await deploy(ctx, action, [delegate], { sessionId, nonce: action.nonce.toString() });
  const use = {
    sessionId, session: session.toBase58(), nonce: action.nonce.toString(), messageApproval: action.messageApproval.toBase58(), viaBuffer: fromBuffer,
  };
  return { use, action, r };
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
    ...formatLimits(args),
    allowDurableNonce: args.switches.has("allow-durable-nonce"),
    allowCpi: args.switches.has("allow-cpi"),
  };
}

/** The format and what it reads its addresses as: base58 keys, or (evm) 0x addresses and the EVM limits. */
function formatLimits(args: ParsedArgs): Pick<SessionLimits, "format" | "allowedPrograms" | "assetMint" | "evm"> {
  const format = parseFormat(args.flags.get("format"));
  const asset = args.flags.get("asset-mint");
  const allowedPrograms = parsePubkeyList(required(args, "programs"), "--programs", format);
  const assetMint = asset === undefined ? undefined : parseSessionAddress(format, asset, "--asset-mint");
  if (format !== "evm") {
    for (const flag of ["chain-id", "max-fee", "any-call"]) if (args.flags.has(flag)) throw new UsageError(`--${flag} is for --format evm`);
    return { format, allowedPrograms, assetMint };
  }
  const anyCall = args.flags.get("any-call")?.split(",").map((i) => parseU32(i.trim(), "--any-call")) ?? [];
  const outside = anyCall.find((i) => i >= allowedPrograms.length);
  if (outside !== undefined) throw new UsageError(`--any-call ${outside}: there are ${allowedPrograms.length} --programs`);
  return {
    format, allowedPrograms, assetMint,
    evm: {
      chainId: parseU64(required(args, "chain-id"), "--chain-id"),
      maxFee: parseU128(required(args, "max-fee"), "--max-fee"),
      anyCallMask: anyCall.reduce((mask, i) => mask | (1 << i), 0),
    },
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
