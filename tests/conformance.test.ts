/**
 * Ika conformance: the stand-in (tests/fixtures/ika-stand-in) answers every
 * instruction format and refusal session-keys relies on exactly as Ika's
 * binary does. Each case runs on a fresh chain per Ika — the stand-in always,
 * and Ika's binary when IKA_PROGRAM_SO names it — with the same inputs; both
 * must give the same outcome (success, or the same error name and custom
 * code) and leave the same account bytes. Every outcome is then checked
 * against its expectation — docs/ika.md, or what Ika's binary was measured to
 * answer where docs/ika.md is silent (marked "measured") — with the expected
 * accounts built here from docs/ika.md's layout tables (not from
 * app/src/client/ika.ts), so a stand-in-only run still checks the stand-in.
 */
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction } from "@solana/web3.js";
import { ChainProvider, KeypairWallet, LocalChain, TxOutcome } from "../app/src/chain";
import { Curve, IKA_COORDINATOR, IKA_PROGRAM_ID, messageApprovalAddress, releaseDwallet } from "../app/src/client";
import {
  builtPrograms, deployIka, DEPLOY_DIR, directApproveTx, IkaProgram, LocalDwallet, LocalRuntime, newDwalletPublicKey,
  selectedRuntimes, SESSION_KEYS_ID, setupPolicy, setupSession, STAND_IN_SO_NAME, startChain, TestEnv, transferOwnershipTx,
  useSession, writeCoordinator,
} from "./harness";

// ---------------------------------------------------------------- the Ikas compared

function ikaAt(kind: IkaProgram["kind"], soPath: string): IkaProgram {
  if (!fs.existsSync(soPath)) throw new Error(`${soPath} is missing${kind === "stand-in" ? ": run the build first" : ""}`);
  const sha256 = createHash("sha256").update(fs.readFileSync(soPath)).digest("hex");
  return { kind, soPath, sha256, describe: () => `${kind} ${soPath} (sha256 ${sha256})` };
}

const STAND_IN = ikaAt("stand-in", path.join(DEPLOY_DIR, STAND_IN_SO_NAME));
const BINARY = process.env.IKA_PROGRAM_SO ? ikaAt("binary", path.resolve(process.env.IKA_PROGRAM_SO)) : undefined;
const IKAS = BINARY ? [STAND_IN, BINARY] : [STAND_IN];

/** The coordinator's epoch on every chain (above u32, so all 8 bytes count). */
const EPOCH = 0x0000_0102_0304_0506n;

// ---------------------------------------------------------------- docs/ika.md, built independently

type Field = [name: string, offset: number, size: number];

const MESSAGE_APPROVAL_FIELDS: Field[] = [
  ["discriminator", 0, 1], ["version", 1, 1], ["dwallet", 2, 32], ["message_digest", 34, 32],
  ["message_metadata_digest", 66, 32], ["approver", 98, 32], ["user_pubkey", 130, 32], ["signature_scheme", 162, 2],
  ["epoch", 164, 8], ["status", 172, 1], ["signature_len", 173, 2], ["signature", 175, 128], ["bump", 303, 1], ["reserved", 304, 8],
];
const DWALLET_FIELDS: Field[] = [
  ["discriminator", 0, 1], ["version", 1, 1], ["authority", 2, 32], ["curve", 34, 2], ["state", 36, 1], ["public_key_len", 37, 1],
  ["public_key", 38, 65], ["created_epoch", 103, 8], ["noa_public_key", 111, 32], ["is_imported", 143, 1], ["bump", 144, 1],
  ["reserved", 145, 8],
];

const u16le = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};

interface DwalletKey { curve: Curve; publicKey: Buffer }

/** `curve u16 LE || public_key` in 32-byte chunks: 32 + 2 bytes for a 32-byte key, 32 + 3 for a 33-byte one. */
function chunks(d: DwalletKey): Buffer[] {
  const bytes = Buffer.concat([u16le(d.curve), d.publicKey]);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 32) out.push(bytes.subarray(i, i + 32));
  return out;
}

const dwalletPda = (d: DwalletKey) => PublicKey.findProgramAddressSync([Buffer.from("dwallet"), ...chunks(d)], IKA_PROGRAM_ID);

interface ApprovalArgs { digest: Buffer; metadata: Buffer; userPubkey: Buffer; scheme: number }

/** `["dwallet", chunks…, "message_approval", scheme u16 LE, digest]` + `[metadata]` only when it is non-zero. */
function approvalSeeds(d: DwalletKey, a: ApprovalArgs, withMetadata = a.metadata.some((b) => b !== 0)): Buffer[] {
  const seeds = [Buffer.from("dwallet"), ...chunks(d), Buffer.from("message_approval"), u16le(a.scheme), a.digest];
  return withMetadata ? [...seeds, a.metadata] : seeds;
}

const approvalPda = (d: DwalletKey, a: ApprovalArgs) => PublicKey.findProgramAddressSync(approvalSeeds(d, a), IKA_PROGRAM_ID);

/** The 312 bytes of a fresh MessageApproval. */
function messageApprovalImage(dwallet: PublicKey, a: ApprovalArgs, approver: PublicKey, epoch: bigint, bump: number): Buffer {
  const b = Buffer.alloc(312);
  b[0] = 14;
  b[1] = 1;
  dwallet.toBuffer().copy(b, 2);
  a.digest.copy(b, 34);
  a.metadata.copy(b, 66);
  approver.toBuffer().copy(b, 98);
  a.userPubkey.copy(b, 130);
  b.writeUInt16LE(a.scheme, 162);
  b.writeBigUInt64LE(epoch, 164);
  // status 0 (Pending) at 172, signature_len 0 at 173, signature zero, reserved zero
  b[303] = bump;
  return b;
}

interface DwalletImage extends DwalletKey {
  authority: PublicKey;
  state?: number;
  createdEpoch?: bigint;
  noaPublicKey?: Buffer;
}

/** The 153 bytes of a dWallet account (bump: its PDA's). */
function dwalletImage(d: DwalletImage): Buffer {
  const b = Buffer.alloc(153);
  b[0] = 2;
  b[1] = 1;
  d.authority.toBuffer().copy(b, 2);
  b.writeUInt16LE(d.curve, 34);
  b[36] = d.state ?? 1;
  b[37] = d.publicKey.length;
  d.publicKey.copy(b, 38);
  b.writeBigUInt64LE(d.createdEpoch ?? 0n, 103);
  (d.noaPublicKey ?? Buffer.alloc(32)).copy(b, 111);
  b[144] = dwalletPda(d)[1];
  return b;
}

function coordinatorImage(epoch: bigint, discriminator = 1, length = 116): Buffer {
  const b = Buffer.alloc(length);
  b[0] = discriminator;
  b[1] = 1;
  if (length >= 42) b.writeBigUInt64LE(epoch, 34);
  return b;
}

// ---------------------------------------------------------------- one chain per Ika and runtime

interface World { ika: IkaProgram; env: TestEnv; chain: LocalChain }

/**
 * One chain per (runtime, Ika) for the whole suite: every case works on fresh
 * keys, dWallets and digests, and the one shared account a case may rewrite,
 * the coordinator, is written back before each case. (A bankrun chain leaves
 * its bank's threads running for the rest of the process, so a chain per case
 * would slow every later suite.)
 */
const worlds = new Map<string, Promise<World>>();
async function worldFor(runtime: LocalRuntime, ika: IkaProgram): Promise<World> {
  const key = `${runtime}:${ika.kind}`;
  if (!worlds.has(key)) worlds.set(key, startWorld(runtime, ika));
  const w = await worlds.get(key)!;
  await writeCoordinator(w.chain, EPOCH);
  return w;
}

async function startWorld(runtime: LocalRuntime, ika: IkaProgram): Promise<World> {
  const chain = await startChain(runtime, builtPrograms());
  await deployIka(chain, ika, EPOCH);
  const payer = Keypair.generate();
  await chain.airdrop(payer.publicKey, 1_000_000_000_000n);
  const fund = (address: PublicKey, sol = 10) => chain.airdrop(address, BigInt(sol * 1_000_000_000));
  const env: TestEnv = {
    runtime, chain, payer, provider: new ChainProvider(chain, new KeypairWallet(payer)), fund,
    async funded(count = 1, sol = 10) {
      const keys = Array.from({ length: count }, () => Keypair.generate());
      for (const k of keys) await fund(k.publicKey, sol);
      return keys;
    },
  };
  return { ika, env, chain };
}

async function put(w: World, address: PublicKey, data: Buffer, owner = IKA_PROGRAM_ID, lamports?: number): Promise<void> {
  lamports ??= await w.chain.getMinimumBalanceForRentExemption(data.length);
  await w.chain.setAccount(address, { lamports, data, owner, executable: false });
}

// ---------------------------------------------------------------- cases and their runner

/** What a case expects an account to be after it: its bytes (and owner, default Ika), or absent. */
interface AccountExpectation {
  label: string;
  address: PublicKey;
  expected: { data: Buffer; owner?: PublicKey } | null;
  fields?: Field[];
}

interface Run { outcome: TxOutcome; accounts: AccountExpectation[] }

interface Case<I> {
  title: string;
  /** Built once per case and shared by every Ika, so their accounts must match byte for byte. */
  inputs: () => I;
  run: (w: World, inputs: I) => Promise<Run>;
  /**
   * What Ika answers: "ok", a runtime error name, or "Custom(n)". From docs/ika.md, or, where it is
   * silent, as measured on Ika's binary (marked "measured" below).
   */
  expect: string;
  /** docs/ika.md's words for a refusal the runtime names (e.g. a failed invoke_signed): a log line must match. */
  log?: RegExp;
  /** The inputs do not fix every byte (the CPI cases make random keys): compare deviations from docs/ika.md, not raw bytes. */
  perRunInputs?: boolean;
}

const kindOf = (o: TxOutcome) => (o.ok ? "ok" : o.error.name === "Custom" ? `Custom(${o.error.customCode})` : o.error.name);
/** The lines of a run's logs that say why it failed. */
const why = (o: TxOutcome) =>
  o.ok ? "" : o.logs.filter((l) => !/ invoke \[| consumed | success$/.test(l)).join(" | ") || o.error.raw;

const hex = (b: Buffer, at: number, n: number) => b.subarray(at, at + n).toString("hex");

/** The fields (docs/ika.md's names) where `actual` differs from `expected`. */
function deviations(actual: Buffer, expected: Buffer, fields: Field[] = [["data", 0, expected.length]]): string[] {
  if (actual.length !== expected.length) return [`length ${actual.length}, expected ${expected.length}`];
  return fields
    .filter(([, at, n]) => !actual.subarray(at, at + n).equals(expected.subarray(at, at + n)))
    .map(([name, at, n]) => `${name}@${at} = ${hex(actual, at, n)}, expected ${hex(expected, at, n)}`);
}

interface Observed {
  ika: IkaProgram;
  outcome: TxOutcome;
  kind: string;
  accounts: { e: AccountExpectation; exists: boolean; owner?: string; lamports?: number; data?: Buffer; rent?: number; deviations: string[] }[];
}

async function observe(w: World, run: Run): Promise<Observed> {
  const accounts = [];
  for (const e of run.accounts) {
    const info = await w.chain.getAccountInfo(e.address);
    const exists = info !== null && (info.lamports > 0 || info.data.length > 0);
    accounts.push({
      e, exists, owner: info?.owner.toBase58(), lamports: info?.lamports, data: info ? Buffer.from(info.data) : undefined,
      rent: info ? await w.chain.getMinimumBalanceForRentExemption(info.data.length) : undefined,
      deviations: exists && e.expected ? deviations(Buffer.from(info!.data), e.expected.data, e.fields) : [],
    });
  }
  return { ika: w.ika, outcome: run.outcome, kind: kindOf(run.outcome), accounts };
}

const tally = { cases: 0, compared: 0, agreed: 0, disagreements: [] as string[] };

/** Where two Ikas differ in a case, one line each; empty when they agree. */
function disagreements(c: Case<unknown>, ref: Observed, other: Observed): string[] {
  const out: string[] = [];
  const say = (what: string, a: unknown, b: unknown) =>
    out.push(`${c.title}: ${what}: ${ref.ika.kind} ${String(a)} vs ${other.ika.kind} ${String(b)}`);
  if (ref.kind !== other.kind) {
    out.push(`${c.title}: outcome: ${ref.ika.kind} ${ref.kind} [${why(ref.outcome)}] vs ${other.ika.kind} ${other.kind} [${why(other.outcome)}]`);
  }
  ref.accounts.forEach((a, i) => {
    const b = other.accounts[i];
    const label = a.e.label;
    if (a.exists !== b.exists) return say(`${label} exists`, a.exists, b.exists);
    if (!a.exists) return;
    if (a.owner !== b.owner) say(`${label} owner`, a.owner, b.owner);
    if (a.lamports !== b.lamports) say(`${label} lamports`, a.lamports, b.lamports);
    if (c.perRunInputs) {
      // Their inputs differ: compare which fields deviate from docs/ika.md.
      const fieldsOf = (o: typeof a) => o.deviations.map((d) => d.split(" ")[0]).join(", ");
      if (fieldsOf(a) !== fieldsOf(b)) say(`${label} deviations from docs/ika.md`, `[${a.deviations.join("; ")}]`, `[${b.deviations.join("; ")}]`);
    } else {
      deviations(b.data!, a.data!, a.e.fields).forEach((d) => say(`${label} bytes`, "", d.replace("expected", `${ref.ika.kind} has`)));
    }
  });
  return out;
}

/**
 * How a runtime reports an expected error: solana-bankrun 0.4's runtime predates the
 * `Immutable` and `IncorrectAuthority` ProgramErrors and reports either as `InvalidError`
 * ("program returned invalid error code"), whichever Ika returns it.
 */
const asReportedOn = (runtime: LocalRuntime, error: string) =>
  runtime === "bankrun" && (error === "Immutable" || error === "IncorrectAuthority") ? "InvalidError" : error;

/** The expectation (docs/ika.md, or measured) for one Ika's run. */
function expectDocumented(c: Case<unknown>, o: Observed, runtime: LocalRuntime): void {
  const who = `${o.ika.kind}: ${c.title}`;
  expect(o.kind, `${who}: outcome [${why(o.outcome)}]`).to.equal(asReportedOn(runtime, c.expect));
  if (c.log) expect(o.outcome.logs.some((l) => c.log!.test(l)), `${who}: no log line matches ${c.log} [${why(o.outcome)}]`).to.equal(true);
  for (const a of o.accounts) {
    const e = a.e.expected;
    expect(a.exists, `${who}: ${a.e.label} ${e ? "missing" : "should not exist"}`).to.equal(e !== null);
    if (!e) continue;
    expect(a.owner, `${who}: ${a.e.label} owner`).to.equal((e.owner ?? IKA_PROGRAM_ID).toBase58());
    expect(a.deviations, `${who}: ${a.e.label} differs from docs/ika.md`).to.deep.equal([]);
    if ((e.owner ?? IKA_PROGRAM_ID).equals(IKA_PROGRAM_ID)) {
      expect(a.lamports!, `${who}: ${a.e.label} rent-exempt`).to.be.at.least(a.rent!);
    }
  }
}

function conformance<I>(cases: Case<I>[], runtime: LocalRuntime): void {
  for (const c of cases) {
    it(c.title, async function () {
      this.timeout(120_000);
      tally.cases++;
      const inputs = c.inputs();
      const observed: Observed[] = [];
      for (const ika of IKAS) {
        const w = await worldFor(runtime, ika);
        observed.push(await observe(w, await c.run(w, inputs)));
      }
      const [ref, ...others] = observed;
      const found = others.flatMap((o) => disagreements(c as Case<unknown>, ref, o)).map((d) => `[${runtime}] ${d}`);
      if (others.length) {
        tally.compared++;
        if (found.length) tally.disagreements.push(...found);
        else tally.agreed++;
      }
      // Every Ika is held to the expectation too, so a disagreement also shows which side is off.
      const off: string[] = [];
      for (const o of observed) {
        try {
          expectDocumented(c as Case<unknown>, o, runtime);
        } catch (e) {
          off.push((e as Error).message);
        }
      }
      expect({ disagreements: found, offExpectation: off }).to.deep.equal({ disagreements: [], offExpectation: [] });
    });
  }
}

// ---------------------------------------------------------------- approve_message, signer path

interface ApproveInputs extends ApprovalArgs, DwalletKey {
  authority: Keypair;
  /** Signs as the authority instead of it (a stranger). */
  stranger: Keypair;
  noaPublicKey: Buffer;
  other: Keypair;
}

function approveInputs(o: Partial<ApproveInputs> = {}): ApproveInputs {
  const curve = o.curve ?? Curve.Curve25519;
  return {
    authority: Keypair.generate(), stranger: Keypair.generate(), other: Keypair.generate(), curve,
    publicKey: newDwalletPublicKey(curve), noaPublicKey: randomBytes(32), digest: randomBytes(32), metadata: Buffer.alloc(32),
    userPubkey: randomBytes(32), scheme: 5, ...o,
  };
}

interface ApproveSetup {
  /** A log line the refusal must show (default: LOGS of the expected error). */
  log?: RegExp;
  /** The dWallet's authority (default `i.authority`). */
  dwalletAuthority?: (i: ApproveInputs) => PublicKey;
  /** The dWallet account's bytes (default: Active, authority `i.authority`). */
  dwallet?: (image: Buffer) => Buffer;
  dwalletOwner?: PublicKey;
  /** Write the dWallet at a random address instead of its PDA. */
  dwalletElsewhere?: boolean;
  /** Write a coordinator and pass it instead of Ika's (returns its address and epoch). */
  coordinator?: (w: World, i: ApproveInputs) => Promise<{ address: PublicKey; epoch: bigint }>;
  /** Who signs as the authority: the dWallet's authority (default), a stranger, or nobody. */
  signer?: "authority" | "stranger" | "none";
  /** The MessageApproval address and bump passed (default: the PDA and its bump). */
  messageApproval?: (i: ApproveInputs, pda: [PublicKey, number]) => { address?: PublicKey; bump?: number };
  /** Runs first, e.g. an earlier approval. */
  before?: (w: World, i: ApproveInputs, ma: PublicKey) => Promise<void>;
  /** Edit the instruction (data, account metas). */
  edit?: (ix: TransactionInstruction, w: World, i: ApproveInputs) => Promise<void> | void;
  /** What the MessageApproval is after a refusal (default: absent). */
  refusedApproval?: (w: World, i: ApproveInputs, ma: PublicKey) => AccountExpectation["expected"];
}

async function writeSignerDwallet(w: World, i: ApproveInputs, s: ApproveSetup = {}): Promise<LocalDwallet> {
  const address = s.dwalletElsewhere ? i.other.publicKey : dwalletPda(i)[0];
  const image = dwalletImage({ ...i, authority: s.dwalletAuthority?.(i) ?? i.authority.publicKey, createdEpoch: 3n });
  await put(w, address, s.dwallet ? s.dwallet(image) : image, s.dwalletOwner);
  return { address, curve: i.curve, publicKey: i.publicKey };
}

async function sendApprove(w: World, i: ApproveInputs, s: ApproveSetup = {}) {
  const dwallet = await writeSignerDwallet(w, i, s);
  const coordinator = s.coordinator ? await s.coordinator(w, i) : { address: IKA_COORDINATOR, epoch: EPOCH };
  const pda = approvalPda(i, i);
  // The client derives the same address as docs/ika.md.
  expect(messageApprovalAddress(i, i.scheme, i.digest, i.metadata)[0].toBase58()).to.equal(pda[0].toBase58());
  const over = s.messageApproval?.(i, pda) ?? {};
  const messageApproval = over.address ?? pda[0];
  const bump = over.bump ?? pda[1];
  await s.before?.(w, i, messageApproval);
  const signerKey = s.signer === "stranger" ? i.stranger : i.authority;
  const { tx } = directApproveTx(dwallet, signerKey.publicKey, w.env.payer.publicKey, i.digest, {
    scheme: i.scheme, metadata: i.metadata, userPubkey: i.userPubkey, bump, messageApproval, coordinator: coordinator.address,
  });
  if (s.signer === "none") tx.instructions[0].keys[3].isSigner = false;
  await s.edit?.(tx.instructions[0], w, i);
  const outcome = await w.env.provider.execute(tx, s.signer === "none" ? [] : [signerKey]);
  return { outcome, dwallet, coordinator, messageApproval, bump, pda };
}

/** A signer-path approve_message case; on success the MessageApproval must be docs/ika.md's image of the inputs. */
function approveCase(title: string, expected: string, o: Partial<ApproveInputs> = {}, s: ApproveSetup = {}): Case<ApproveInputs> {
  return {
    title, expect: expected, log: s.log ?? LOGS[expected], inputs: () => approveInputs(o),
    async run(w, i) {
      const r = await sendApprove(w, i, s);
      const success = { data: messageApprovalImage(r.dwallet.address, i, i.authority.publicKey, r.coordinator.epoch, r.bump) };
      const accounts: AccountExpectation[] = [{
        label: "MessageApproval", address: r.messageApproval, fields: MESSAGE_APPROVAL_FIELDS,
        expected: expected === "ok" ? success : s.refusedApproval?.(w, i, r.messageApproval) ?? null,
      }];
      // A refused approval at the wrong address also leaves the right one uncreated.
      if (!r.messageApproval.equals(r.pda[0])) accounts.push({ label: "MessageApproval at the PDA", address: r.pda[0], expected: null });
      return { outcome: r.outcome, accounts };
    },
  };
}

/** A bump whose seeds fall on the curve ("on-curve"), or one below the canonical bump that gives another valid address. */
function otherBump(i: ApproveInputs, which: "on-curve" | "other-address"): number {
  const seeds = approvalSeeds(i, i);
  const [, canonical] = PublicKey.findProgramAddressSync(seeds, IKA_PROGRAM_ID);
  const valid = (b: number) => {
    try {
      PublicKey.createProgramAddressSync([...seeds, Buffer.from([b])], IKA_PROGRAM_ID);
      return true;
    } catch {
      return false;
    }
  };
  for (let b = 255; b >= 0; b--) {
    if (b !== canonical && valid(b) === (which === "other-address") && (which === "on-curve" || b < canonical)) return b;
  }
  throw new Error(`no ${which} bump for these seeds`);
}

const nonZero = () => randomBytes(32);

/** The runtime's refusals of Ika's invoke_signed, as they read in the logs. */
const LOGS: Record<string, RegExp> = {
  ProgramFailedToComplete: /failed: Could not create program address with signer seeds/,
  PrivilegeEscalation: /signer privilege escalated/,
  "Custom(0)": /^Create Account: .* already in use$/,
};

/** session-keys' CPI authority, `["__ika_cpi_authority"]` of its id: an executable caller and its PDA. */
const CPI_AUTHORITY = PublicKey.findProgramAddressSync([Buffer.from("__ika_cpi_authority")], SESSION_KEYS_ID)[0];
const meta = (pubkey: PublicKey, isSigner = false, isWritable = false) => ({ pubkey, isSigner, isWritable });

const approveSignerCases: Case<ApproveInputs>[] = [
  // formats that succeed
  approveCase("Curve25519 (32-byte key: chunks 32 + 2), EddsaSha512 (5), no metadata", "ok"),
  approveCase("Curve25519, scheme 5, non-zero metadata digest (one more seed)", "ok", { metadata: nonZero() }),
  approveCase("Secp256k1 (33-byte key: chunks 32 + 3), EcdsaKeccak256 (0), no metadata", "ok", { curve: Curve.Secp256k1, scheme: 0 }),
  approveCase("Secp256k1, scheme 0, non-zero metadata digest", "ok", { curve: Curve.Secp256k1, scheme: 0, metadata: nonZero() }),
  approveCase("scheme 7, out of range: not checked, written", "ok", { scheme: 7 }),
  approveCase("scheme 255 on a Curve25519 dWallet: not checked, written", "ok", { scheme: 255 }),
  approveCase("data longer than 100 bytes: the extra bytes are ignored", "ok", {}, {
    edit: (ix) => void (ix.data = Buffer.concat([ix.data, Buffer.alloc(7, 0xee)])),
  }),
  approveCase("a coordinator at another address (owned by Ika): its epoch is copied", "ok", {}, {
    coordinator: async (w, i) => {
      await writeCoordinator(w.chain, 77n, i.other.publicKey);
      return { address: i.other.publicKey, epoch: 77n };
    },
  }),
  approveCase("a paused coordinator is not refused", "ok", {}, {
    coordinator: async (w) => {
      const data = coordinatorImage(EPOCH);
      data[50] = 1;
      await put(w, IKA_COORDINATOR, data);
      return { address: IKA_COORDINATOR, epoch: EPOCH };
    },
  }),
  approveCase("a dWallet not at its PDA: its address is not checked", "ok", {}, { dwalletElsewhere: true }),
  approveCase("a dWallet with version byte 0: not checked", "ok", {}, { dwallet: (d) => ((d[1] = 0), d) }),

  // refusals
  approveCase("data of 99 bytes", "InvalidInstructionData", {}, { edit: (ix) => void (ix.data = ix.data.subarray(0, 99)) }),
  // measured: the binary tells the paths apart by whether account 3 is executable, not by the
  // number of accounts
  approveCase("signer path + 1 extra account (7, as many as the CPI path): ignored", "ok", {}, {
    edit: (ix, _w, i) => void ix.keys.push(meta(i.other.publicKey)),
  }),
  approveCase("5 accounts (no system program)", "NotEnoughAccountKeys", {}, { edit: (ix) => void ix.keys.pop() }),
  approveCase("a coordinator owned by the system program, at another address", "InvalidAccountOwner", {}, {
    coordinator: async (w, i) => {
      await put(w, i.other.publicKey, coordinatorImage(EPOCH), SystemProgram.programId);
      return { address: i.other.publicKey, epoch: EPOCH };
    },
  }),
  approveCase("a coordinator owned by another program, at another address", "InvalidAccountOwner", {}, {
    coordinator: async (w, i) => {
      await put(w, i.other.publicKey, coordinatorImage(EPOCH), i.stranger.publicKey);
      return { address: i.other.publicKey, epoch: EPOCH };
    },
  }),
  approveCase("a coordinator with discriminator 2 (owned by Ika)", "InvalidAccountData", {}, {
    coordinator: async (w) => {
      await put(w, IKA_COORDINATOR, coordinatorImage(EPOCH, 2));
      return { address: IKA_COORDINATOR, epoch: EPOCH };
    },
  }),
  approveCase("a coordinator of 115 bytes", "InvalidInstructionData", {}, {
    coordinator: async (w) => {
      await put(w, IKA_COORDINATOR, coordinatorImage(EPOCH, 1, 115));
      return { address: IKA_COORDINATOR, epoch: EPOCH };
    },
  }),
  approveCase("a dWallet of 152 bytes", "InvalidInstructionData", {}, { dwallet: (d) => d.subarray(0, 152) }),
  approveCase("a dWallet in state 0 (DKGInProgress)", "Custom(5)", {}, { dwallet: (d) => ((d[36] = 0), d) }),
  approveCase("a dWallet in state 2 (Frozen)", "Custom(5)", {}, { dwallet: (d) => ((d[36] = 2), d) }),
  approveCase("a dWallet owned by the system program", "InvalidAccountOwner", {}, { dwalletOwner: SystemProgram.programId }),
  approveCase("a dWallet with discriminator 14", "InvalidAccountData", {}, { dwallet: (d) => ((d[0] = 14), d) }),
  // measured: Ika's binary panics (dwallet.rs)
  approveCase("a dWallet whose public_key_len is 66", "ProgramFailedToComplete", {}, {
    dwallet: (d) => ((d[37] = 66), d), log: /failed: SBF program panicked/,
  }),
  // measured: the binary answers MissingRequiredSignature
  approveCase("the signer is not the dWallet's authority", "MissingRequiredSignature", {}, { signer: "stranger" }),
  approveCase("the authority did not sign", "MissingRequiredSignature", {}, { signer: "none" }),
  approveCase("message_approval is a random key", "PrivilegeEscalation", {}, {
    messageApproval: (i) => ({ address: i.other.publicKey }),
  }),
  approveCase("message_approval is the PDA of another digest", "PrivilegeEscalation", {}, {
    messageApproval: (i) => ({ address: approvalPda(i, { ...i, digest: Buffer.alloc(32, 1) })[0] }),
  }),
  approveCase("message_approval is the no-metadata PDA while the metadata digest is non-zero", "PrivilegeEscalation", { metadata: nonZero() }, {
    messageApproval: (i) => ({ address: PublicKey.findProgramAddressSync(approvalSeeds(i, i, false), IKA_PROGRAM_ID)[0] }),
  }),
  approveCase("a bump that puts the seeds on the curve", "ProgramFailedToComplete", {}, {
    messageApproval: (i) => ({ bump: otherBump(i, "on-curve") }),
  }),
  approveCase("a lower bump: the seeds give another valid address", "PrivilegeEscalation", {}, {
    messageApproval: (i) => ({ bump: otherBump(i, "other-address") }),
  }),
  approveCase("the same (dWallet, scheme, digest, metadata) approved twice", "AccountAlreadyInitialized", { metadata: nonZero() }, {
    async before(w, i) {
      const first = await sendApprove(w, i);
      expect(kindOf(first.outcome), why(first.outcome)).to.equal("ok");
    },
    refusedApproval: (_w, i) => ({ data: messageApprovalImage(dwalletPda(i)[0], i, i.authority.publicKey, EPOCH, approvalPda(i, i)[1]) }),
  }),
  // measured: the binary leaves it to create_account (the System program's AccountAlreadyInUse, Custom(0))
  approveCase("message_approval already holds lamports (system-owned, no data)", "Custom(0)", {}, {
    before: (w, _i, ma) => put(w, ma, Buffer.alloc(0), SystemProgram.programId, 1_000_000),
    refusedApproval: () => ({ data: Buffer.alloc(0), owner: SystemProgram.programId }),
  }),
  approveCase("message_approval not writable", "Immutable", {}, { edit: (ix) => void (ix.keys[1].isWritable = false) }),
  approveCase("the payer did not sign", "MissingRequiredSignature", {}, {
    async edit(ix, w, i) {
      await w.env.fund(i.other.publicKey);
      ix.keys[4] = meta(i.other.publicKey, false, true);
    },
  }),
  approveCase("system_program is another account", "IncorrectProgramId", {}, {
    edit: (ix, _w, i) => void (ix.keys[5] = meta(i.other.publicKey)),
  }),

  // The CPI path's 7 accounts, sent directly (a top-level transaction cannot sign for a PDA).
  approveCase("CPI account list: cpi_authority did not sign", "MissingRequiredSignature", {}, {
    dwalletAuthority: () => CPI_AUTHORITY, signer: "none",
    edit: (ix) => void ix.keys.splice(3, 1, meta(SESSION_KEYS_ID), meta(CPI_AUTHORITY)),
  }),
  // measured: the binary answers InvalidArgument
  approveCase("CPI account list: cpi_authority signs but is not caller_program's PDA", "InvalidArgument", {}, {
    dwalletAuthority: (i) => i.stranger.publicKey, signer: "stranger",
    edit: (ix) => void ix.keys.splice(3, 0, meta(SESSION_KEYS_ID)),
  }),
  // measured: a non-executable account 3 makes it the signer path, whose authority did not sign
  approveCase("CPI account list, caller_program not executable: read as the signer path", "MissingRequiredSignature", {}, {
    dwalletAuthority: (i) => i.stranger.publicKey, signer: "stranger",
    edit: (ix, _w, i) => void ix.keys.splice(3, 0, meta(i.other.publicKey)),
  }),
];

// ---------------------------------------------------------------- approve_message, CPI path (session-keys)

interface CpiInputs extends ApprovalArgs { curve: Curve }

function cpiApproveCase(title: string, expected: string, o: Partial<CpiInputs>, twice = false): Case<CpiInputs> {
  return {
    title, expect: expected, perRunInputs: true,
    inputs: () => ({ curve: Curve.Curve25519, digest: randomBytes(32), metadata: Buffer.alloc(32), userPubkey: randomBytes(32), scheme: 5, ...o }),
    async run(w, i) {
      const fx = await setupPolicy(w.env, i.curve);
      const s = await setupSession(fx);
      const use = () => useSession(fx, s, { messageDigest: i.digest, messageMetadataDigest: i.metadata, userPubkey: i.userPubkey, signatureScheme: i.scheme });
      if (twice) expect((await use()).ok, "the first use").to.equal(true);
      await use();
      const [ma, bump] = approvalPda(fx.wallet, i);
      return {
        outcome: fx.client.provider.lastOutcome!,
        accounts: [{
          label: "MessageApproval", address: ma, fields: MESSAGE_APPROVAL_FIELDS,
          expected: { data: messageApprovalImage(fx.dwallet, i, fx.client.cpiAuthority(), EPOCH, bump) },
        }],
      };
    },
  };
}

const approveCpiCases: Case<CpiInputs>[] = [
  cpiApproveCase("session use, Curve25519, scheme 5, no metadata: approver is session-keys' CPI authority", "ok", {}),
  cpiApproveCase("session use, Secp256k1, scheme 0, non-zero metadata digest", "ok", { curve: Curve.Secp256k1, scheme: 0, metadata: nonZero() }),
  cpiApproveCase("session use of a digest already approved", "AccountAlreadyInitialized", {}, true),
];

// ---------------------------------------------------------------- transfer_ownership

interface TransferInputs extends DwalletKey { authority: Keypair; stranger: Keypair; newAuthority: PublicKey; noaPublicKey: Buffer }

const transferInputs = (): TransferInputs => ({
  authority: Keypair.generate(), stranger: Keypair.generate(), newAuthority: Keypair.generate().publicKey,
  curve: Curve.Curve25519, publicKey: newDwalletPublicKey(Curve.Curve25519), noaPublicKey: randomBytes(32),
});

interface TransferSetup {
  /** The dWallet's authority (default `i.authority`). */
  dwalletAuthority?: (i: TransferInputs) => PublicKey;
  dwallet?: (image: Buffer) => Buffer;
  dwalletOwner?: PublicKey;
  signer?: "authority" | "stranger" | "none";
  edit?: (ix: TransactionInstruction) => void;
}

function transferCase(title: string, expected: string, s: TransferSetup = {}): Case<TransferInputs> {
  return {
    title, expect: expected, inputs: transferInputs,
    async run(w, i) {
      const [address] = dwalletPda(i);
      const image = dwalletImage({ ...i, authority: s.dwalletAuthority?.(i) ?? i.authority.publicKey, createdEpoch: 3n });
      const written = s.dwallet ? s.dwallet(Buffer.from(image)) : image;
      await put(w, address, written, s.dwalletOwner);
      const signer = s.signer === "stranger" ? i.stranger : i.authority;
      const tx: Transaction = transferOwnershipTx(address, signer.publicKey, i.newAuthority);
      if (s.signer === "none") tx.instructions[0].keys[0].isSigner = false;
      s.edit?.(tx.instructions[0]);
      const outcome = await w.env.provider.execute(tx, s.signer === "none" ? [] : [signer]);
      // Only bytes 2..34 change on success; a refusal changes nothing.
      const after = expected === "ok" ? dwalletImage({ ...i, authority: i.newAuthority, createdEpoch: 3n }) : written;
      return {
        outcome,
        accounts: [{ label: "dWallet", address, fields: DWALLET_FIELDS, expected: { data: after, owner: s.dwalletOwner } }],
      };
    },
  };
}

const transferSignerCases: Case<TransferInputs>[] = [
  transferCase("signer path: the new authority is written at 2..34, nothing else changes", "ok"),
  // measured: the binary answers MissingRequiredSignature
  transferCase("signer path: the signer is not the dWallet's authority", "MissingRequiredSignature", { signer: "stranger" }),
  transferCase("signer path: the authority did not sign", "MissingRequiredSignature", { signer: "none" }),
  transferCase("signer path: a dWallet in state 0 (DKGInProgress)", "Custom(5)", { dwallet: (d) => ((d[36] = 0), d) }),
  transferCase("signer path: a dWallet in state 2 (Frozen)", "Custom(5)", { dwallet: (d) => ((d[36] = 2), d) }),
  transferCase("signer path: data of 32 bytes", "InvalidInstructionData", { edit: (ix) => void (ix.data = ix.data.subarray(0, 32)) }),
  // measured: as approve_message, the binary picks the path by whether account 0 is executable
  transferCase("signer path + 1 extra account (3, as many as the CPI path): ignored", "ok", {
    edit: (ix) => void ix.keys.push(meta(Keypair.generate().publicKey)),
  }),
  transferCase("signer path: 1 account", "NotEnoughAccountKeys", { edit: (ix) => void ix.keys.pop() }),
  transferCase("signer path: the dWallet not writable", "Immutable", { edit: (ix) => void (ix.keys[1].isWritable = false) }),
  transferCase("signer path: a dWallet owned by the system program", "InvalidAccountOwner", { dwalletOwner: SystemProgram.programId }),
  transferCase("signer path: a dWallet of 152 bytes", "InvalidInstructionData", { dwallet: (d) => d.subarray(0, 152) }),
  transferCase("CPI account list: cpi_authority did not sign", "MissingRequiredSignature", {
    dwalletAuthority: () => CPI_AUTHORITY, signer: "none",
    edit: (ix) => void ix.keys.splice(0, 1, meta(SESSION_KEYS_ID), meta(CPI_AUTHORITY)),
  }),
  // measured: the binary answers InvalidArgument
  transferCase("CPI account list: cpi_authority signs but is not caller_program's PDA", "InvalidArgument", {
    dwalletAuthority: (i) => i.stranger.publicKey, signer: "stranger",
    edit: (ix) => void ix.keys.unshift(meta(SESSION_KEYS_ID)),
  }),
  // measured: as approve_message
  transferCase("CPI account list, caller_program not executable: read as the signer path", "MissingRequiredSignature", {
    dwalletAuthority: (i) => i.stranger.publicKey, signer: "stranger",
    edit: (ix) => void ix.keys.unshift(meta(Keypair.generate().publicKey)),
  }),
];

const transferCpiCases: Case<{ newAuthority: PublicKey }>[] = [{
  title: "CPI path (session-keys release_dwallet): the new authority is written, nothing else changes",
  expect: "ok", perRunInputs: true,
  inputs: () => ({ newAuthority: Keypair.generate().publicKey }),
  async run(w, i) {
    const fx = await setupPolicy(w.env);
    await fx.client.deploy(await releaseDwallet(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, newAuthority: i.newAuthority }), [fx.admin]);
    return {
      outcome: fx.client.provider.lastOutcome!,
      accounts: [{
        label: "dWallet", address: fx.dwallet, fields: DWALLET_FIELDS,
        expected: { data: dwalletImage({ curve: fx.wallet.curve, publicKey: fx.wallet.publicKey, authority: i.newAuthority }) },
      }],
    };
  },
}];

// ---------------------------------------------------------------- the suite

describe("Ika conformance: the stand-in against Ika's binary", function () {
  before(() => {
    if (BINARY) {
      console.log(`    [conformance: every case runs on the stand-in ${STAND_IN.soPath} (sha256 ${STAND_IN.sha256})`);
      console.log(`     and on Ika's binary ${BINARY.soPath} (sha256 ${BINARY.sha256}); they must agree]`);
    } else {
      console.log("    [conformance: IKA_PROGRAM_SO is not set: NOTHING is compared against Ika's binary.");
      console.log(`     Every case runs on the stand-in only (sha256 ${STAND_IN.sha256}) and is checked against the expectations alone.]`);
    }
  });
  after(() => {
    if (!BINARY) {
      console.log(`    [conformance: ${tally.cases} case runs were on the stand-in ONLY; 0 were compared with Ika's binary (set IKA_PROGRAM_SO)]`);
      return;
    }
    console.log(`    [conformance: ${tally.compared} of ${tally.cases} case runs compared with Ika's binary ${BINARY.soPath}: ${tally.agreed} agreed, ${tally.compared - tally.agreed} disagreed]`);
    for (const d of tally.disagreements) console.log(`      DISAGREE ${d}`);
  });

  for (const runtime of selectedRuntimes()) {
    describe(`[${runtime}]`, () => {
      describe("approve_message, signer path", () => conformance(approveSignerCases, runtime));
      describe("approve_message, CPI path", () => conformance(approveCpiCases, runtime));
      describe("transfer_ownership", () => {
        conformance(transferSignerCases, runtime);
        conformance(transferCpiCases, runtime);
      });
    });
  }
});
