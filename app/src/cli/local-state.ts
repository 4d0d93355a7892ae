/**
 * `--local <state.json>`: an embedded LiteSVM (session_keys and Ika's program loaded) whose
 * accounts live in a JSON file between CLI runs, so a sequence of commands
 * shares one chain.
 *
 * LiteSVM cannot list its accounts, so the chain records every account a
 * transaction (or airdrop) touches, plus those loaded from the file, and
 * saves exactly those. Programs and sysvars are never saved: the programs are
 * reloaded from target/deploy on every run (so a rebuild takes effect), and
 * sysvars come fresh from LiteSVM except the Clock's slot, which is saved.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { AccountInfo, Keypair, PublicKey, Transaction } from "@solana/web3.js";
import { TxOutcome } from "../chain";
import { LiteSvmChain } from "../chain/local";
import { SESSION_KEYS_PROGRAM_ID } from "../client";
import { deployIka, localIka, SESSION_KEYS_SO } from "../local";
import { UsageError } from "../shell/parse";

const SYSVAR_OWNER = "Sysvar1111111111111111111111111111111111111";

interface StoredAccount {
  lamports: string;
  owner: string;
  executable: boolean;
  /** base64 */
  data: string;
}

export interface LocalStateFile {
  version: 1;
  /** The Clock slot programs see. */
  slot: string;
  /** The local fee payer (a throwaway key, funded by LiteSVM's faucet). */
  payer: number[];
  /** The policy the last `init-policy` created: the default for later commands. */
  lastPolicy?: string;
  /** dWallets `local-init` created, for reference. */
  dwallets: { address: string; authority: string; curve?: string }[];
  accounts: Record<string, StoredAccount>;
}

/** A LiteSVM chain that remembers which accounts it has seen. */
export class TrackingLiteSvmChain extends LiteSvmChain {
  readonly seen = new Set<string>();

  async sendTransaction(tx: Transaction): Promise<TxOutcome> {
    for (const k of tx.compileMessage().accountKeys) this.seen.add(k.toBase58());
    return super.sendTransaction(tx);
  }
  async airdrop(address: PublicKey, lamports: number | bigint): Promise<void> {
    this.seen.add(address.toBase58());
    return super.airdrop(address, lamports);
  }
  async setAccount(address: PublicKey, account: AccountInfo<Buffer | Uint8Array>): Promise<void> {
    this.seen.add(address.toBase58());
    return super.setAccount(address, account);
  }
}

export class LocalState {
  private constructor(readonly file: string, readonly chain: TrackingLiteSvmChain, readonly data: LocalStateFile) {}

  get payer(): Keypair {
    return Keypair.fromSecretKey(Uint8Array.from(this.data.payer));
  }

  /** A new state: fresh chain with the programs, a funded local payer. Refuses to overwrite. */
  static async create(file: string): Promise<LocalState> {
    if (fs.existsSync(file)) throw new UsageError(`${file} already exists; remove it to start over`);
    const chain = await startTrackingChain();
    const payer = Keypair.generate();
    await chain.airdrop(payer.publicKey, 1_000_000_000_000n);
    return new LocalState(file, chain, { version: 1, slot: "0", payer: [...payer.secretKey], dwallets: [], accounts: {} });
  }

  static async load(file: string): Promise<LocalState> {
    if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist; create it with local-init`);
    const data = parseStateFile(file);
    const chain = await startTrackingChain();
    for (const [address, a] of Object.entries(data.accounts)) {
      await chain.setAccount(new PublicKey(address), {
        lamports: Number(a.lamports), owner: new PublicKey(a.owner), executable: a.executable, data: Buffer.from(a.data, "base64"),
      });
    }
    await chain.warpToSlot(BigInt(data.slot));
    return new LocalState(file, chain, data);
  }

  /**
   * Write every seen, still-existing, non-program account back, atomically:
   * a temp file at an unpredictable name beside the state, created 0600 and
   * exclusively (O_EXCL | O_NOFOLLOW: a planted file or link there is an
   * error, never followed), then renamed over the state (a rename replaces a
   * link, it does not write through it). The file holds the local payer's
   * secret key, hence 0600.
   */
  async save(): Promise<void> {
    const accounts: Record<string, StoredAccount> = {};
    for (const address of [...this.chain.seen].sort()) {
      const a = await this.chain.getAccountInfo(new PublicKey(address));
      if (!a || a.lamports === 0 || a.executable || a.owner.toBase58() === SYSVAR_OWNER) continue;
      accounts[address] = { lamports: String(a.lamports), owner: a.owner.toBase58(), executable: false, data: a.data.toString("base64") };
    }
    this.data.accounts = accounts;
    this.data.slot = (await this.chain.getSlot()).toString();
    const tmp = path.join(path.dirname(path.resolve(this.file)), `.${path.basename(this.file)}.${randomBytes(12).toString("hex")}.tmp`);
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(this.data, null, 1));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(tmp, this.file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }
}

/**
 * Holds `<state>.lock` (created exclusively, 0600, holding our pid) for one
 * command's read–modify–write, so concurrent commands on one state file run
 * one after another instead of overwriting each other's work. Waits up to
 * `waitMs` for another command; a lock whose process is gone is taken over.
 * Returns the release function.
 */
export async function lockStateFile(file: string, waitMs = 60_000): Promise<() => void> {
  const lock = `${path.resolve(file)}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = fs.openSync(lock, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = Number(fs.readFileSync(lock, { encoding: "utf8", flag: "r" }) || NaN);
    if (Number.isInteger(holder) && !alive(holder)) {
      fs.rmSync(lock, { force: true }); // its command died without releasing it
      continue;
    }
    if (Date.now() >= deadline) throw new UsageError(`${file} is locked by another command (pid ${holder}, lock ${lock}); try again`);
    await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 50)));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The state file, checked field by field; an error names the file and the field, never its content. */
function parseStateFile(file: string): LocalStateFile {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw new UsageError(`${file} is not valid JSON (a --local state file); remove it and run local-init to start over`);
  }
  const bad = (field: string) => new UsageError(`${file}: field ${field} is missing or wrong; remove the file and run local-init to start over`);
  const d = data as Partial<LocalStateFile>;
  if (typeof data !== "object" || data === null) throw bad("(root)");
  if (d.version !== 1) throw new UsageError(`${file}: unknown state version ${JSON.stringify(d.version)}`);
  if (typeof d.slot !== "string" || !/^\d+$/.test(d.slot)) throw bad("slot");
  if (!Array.isArray(d.payer) || d.payer.length !== 64 || !d.payer.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw bad("payer");
  if (d.lastPolicy !== undefined && typeof d.lastPolicy !== "string") throw bad("lastPolicy");
  if (!Array.isArray(d.dwallets)) throw bad("dwallets");
  if (typeof d.accounts !== "object" || d.accounts === null) throw bad("accounts");
  for (const [address, a] of Object.entries(d.accounts)) {
    try {
      new PublicKey(address);
      new PublicKey(a.owner);
    } catch {
      throw bad(`accounts.${address}`);
    }
    if (typeof a.lamports !== "string" || !/^\d+$/.test(a.lamports) || typeof a.data !== "string" || typeof a.executable !== "boolean") {
      throw bad(`accounts.${address}`);
    }
  }
  return d as LocalStateFile;
}

async function startTrackingChain(): Promise<TrackingLiteSvmChain> {
  if (!fs.existsSync(SESSION_KEYS_SO)) throw new UsageError(`${SESSION_KEYS_SO} is missing: run the build (npm run build) first`);
  const chain = new TrackingLiteSvmChain();
  await chain.addProgram(SESSION_KEYS_PROGRAM_ID, SESSION_KEYS_SO);
  await deployIka(chain, localIka());
  return chain;
}
