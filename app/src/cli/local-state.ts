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
import * as fs from "fs";
import * as path from "path";
import { AccountInfo, Keypair, PublicKey, Transaction } from "@solana/web3.js";
import { LiteSvmChain, TxOutcome } from "../chain";
import { SESSION_KEYS_PROGRAM_ID } from "../client";
import { deployIka, IKA, SESSION_KEYS_SO } from "../local";
import { UsageError } from "./parse";

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
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as LocalStateFile;
    if (data.version !== 1) throw new UsageError(`${file}: unknown state version ${data.version}`);
    const chain = await startTrackingChain();
    for (const [address, a] of Object.entries(data.accounts)) {
      await chain.setAccount(new PublicKey(address), {
        lamports: Number(a.lamports), owner: new PublicKey(a.owner), executable: a.executable, data: Buffer.from(a.data, "base64"),
      });
    }
    await chain.warpToSlot(BigInt(data.slot));
    return new LocalState(file, chain, data);
  }

  /** Write every seen, still-existing, non-program account back (atomically: temp file + rename). */
  async save(): Promise<void> {
    const accounts: Record<string, StoredAccount> = {};
    for (const address of [...this.chain.seen].sort()) {
      const a = await this.chain.getAccountInfo(new PublicKey(address));
      if (!a || a.lamports === 0 || a.executable || a.owner.toBase58() === SYSVAR_OWNER) continue;
      accounts[address] = { lamports: String(a.lamports), owner: a.owner.toBase58(), executable: false, data: a.data.toString("base64") };
    }
    this.data.accounts = accounts;
    this.data.slot = (await this.chain.getSlot()).toString();
    const tmp = path.join(path.dirname(path.resolve(this.file)), `.${path.basename(this.file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(this.data, null, 1));
    fs.renameSync(tmp, this.file);
  }
}

async function startTrackingChain(): Promise<TrackingLiteSvmChain> {
  if (!fs.existsSync(SESSION_KEYS_SO)) throw new UsageError(`${SESSION_KEYS_SO} is missing: run the build (npm run build) first`);
  const chain = new TrackingLiteSvmChain();
  await chain.addProgram(SESSION_KEYS_PROGRAM_ID, SESSION_KEYS_SO);
  await deployIka(chain, IKA);
  return chain;
}
