/**
 * In-process solana-bankrun 0.4.0 backend. Bankrun is deprecated upstream in
 * favour of LiteSVM; we keep it as a second, independent runtime so every
 * suite runs on two implementations of the SVM.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AccountInfo, PublicKey, SystemProgram, Transaction, VersionedTransaction } from "@solana/web3.js";
import { Clock, ProgramTestContext, start } from "solana-bankrun";
import { fromDisplayString } from "../errors";
import { SeenAccounts } from "./seen-accounts";
import { patchedClockArgs, toBufferAccount, txSignature, withPlaceholderSignatures } from "../tx-utils";
import type { AccountFilter, Blockhash, ClockPatch, DataSlice, LocalChain, ProgramAccount, SimOutcome, TxOutcome } from "../types";

/** The upgradeable loader's predecessor; programs stored as plain executable accounts. */
const BPF_LOADER_2 = new PublicKey("BPFLoader2111111111111111111111111111111111");

export interface BankrunProgram { programId: PublicKey; soPath: string }

export class BankrunChain implements LocalChain {
  readonly kind = "bankrun" as const;
  readonly simulatesPostState = false;
  private readonly seenAccounts = new SeenAccounts();

  private constructor(readonly context: ProgramTestContext) {}

  /**
   * Start a bank with `programs` deployed. Bankrun finds programs only by
   * name (`<name>.so` under SBF_OUT_DIR), so each .so is linked into a
   * private directory under a generated name; any path works.
   */
  static async start(programs: BankrunProgram[] = []): Promise<BankrunChain> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bankrun-programs-"));
    const added = programs.map((p, i) => {
      const name = `program_${i}`;
      fs.symlinkSync(path.resolve(p.soPath), path.join(dir, `${name}.so`));
      return { name, programId: p.programId };
    });
    const saved = { sbf: process.env.SBF_OUT_DIR, bpf: process.env.BPF_OUT_DIR, log: process.env.RUST_LOG };
    process.env.SBF_OUT_DIR = dir;
    delete process.env.BPF_OUT_DIR;
    // Bankrun logs every program log line to stderr at debug level; tests read logs from results instead.
    if (saved.log === undefined) process.env.RUST_LOG = "error";
    try {
      return new BankrunChain(await start(added, []));
    } finally {
      restoreEnv("SBF_OUT_DIR", saved.sbf);
      restoreEnv("BPF_OUT_DIR", saved.bpf);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private get banks() {
    return this.context.banksClient;
  }

  async getAccountInfo(address: PublicKey): Promise<AccountInfo<Buffer> | null> {
    return toBufferAccount(await this.banks.getAccount(address));
  }

  async getMultipleAccounts(addresses: PublicKey[]) {
    return Promise.all(addresses.map((a) => this.getAccountInfo(a)));
  }

  async sendTransaction(tx: Transaction | VersionedTransaction): Promise<TxOutcome> {
    this.seenAccounts.addTransaction(tx);
    const res = await this.banks.tryProcessTransaction(tx);
    const base = {
      signature: txSignature(tx),
      logs: res.meta?.logMessages ?? [],
      computeUnits: Number(res.meta?.computeUnitsConsumed ?? 0n),
    };
    if (res.result !== null) return { ...base, ok: false, error: fromDisplayString(res.result) };
    return { ...base, ok: true };
  }

  /**
   * Bankrun's BanksClient returns no post-simulation accounts, so
   * `postAccounts` stays empty here (see `simulatesPostState`).
   */
  async simulateTransaction(tx: Transaction): Promise<SimOutcome> {
    // BanksClient serializes with signature verification on; a preview is unsigned by design.
    const unsigned = withPlaceholderSignatures(tx);
    const serialize = unsigned.serialize.bind(unsigned);
    unsigned.serialize = (config) => serialize({ ...config, requireAllSignatures: false, verifySignatures: false });
    const res = await this.banks.simulateTransaction(unsigned);
    return {
      ok: res.result === null,
      error: res.result === null ? undefined : fromDisplayString(res.result),
      logs: res.meta?.logMessages ?? [],
      computeUnits: Number(res.meta?.computeUnitsConsumed ?? 0n),
      postAccounts: new Map(),
    };
  }

  /** The Clock sysvar's slot, which tests may set apart from the bank's own slot. */
  async getSlot(): Promise<bigint> {
    return (await this.banks.getClock()).slot;
  }

  async getLatestBlockhash(): Promise<Blockhash> {
    const [blockhash, lastValidBlockHeight] = (await this.banks.getLatestBlockhash())!;
    return { blockhash, lastValidBlockHeight: Number(lastValidBlockHeight) };
  }

  async getMinimumBalanceForRentExemption(dataLength: number): Promise<number> {
    const rent = await this.banks.getRent();
    return Number(rent.minimumBalance(BigInt(dataLength)));
  }

  getProgramAccounts(programId: PublicKey, filters: AccountFilter[], dataSlice?: DataSlice): Promise<ProgramAccount[]> {
    return this.seenAccounts.programAccounts(this, programId, filters, dataSlice);
  }

  /** Credits lamports by state injection (see `setAccount`): no transaction, so nothing to deduplicate. */
  async airdrop(address: PublicKey, lamports: number | bigint): Promise<void> {
    const current = await this.banks.getAccount(address);
    const base = current ?? { lamports: 0, data: new Uint8Array(), owner: SystemProgram.programId, executable: false };
    await this.setAccount(address, { ...base, lamports: base.lamports + Number(lamports) });
  }

  /** Forward moves warp the bank (fresh blockhash); backward moves only rewrite the Clock sysvar. */
  async warpToSlot(slot: bigint): Promise<void> {
    const bankSlot = await this.banks.getSlot();
    if (slot > bankSlot) this.context.warpToSlot(slot);
    await this.setClock({ slot });
  }

  async setClock(patch: ClockPatch): Promise<void> {
    const c = await this.banks.getClock();
    this.context.setClock(new Clock(...patchedClockArgs(c, patch)));
  }

  /**
   * Bankrun verifies total capitalization when it warps to a new slot and
   * aborts the process if lamports appeared from nowhere. So every injection
   * is made lamport-neutral: the difference is taken from (or given back to)
   * bankrun's own genesis-funded payer, which nothing else uses.
   */
  async setAccount(address: PublicKey, account: AccountInfo<Buffer | Uint8Array>): Promise<void> {
    const reserve = this.context.payer.publicKey;
    this.seenAccounts.add(address);
    if (address.equals(reserve)) throw new Error("bankrun's payer is the lamport reserve; inject another account");
    const previous = (await this.banks.getAccount(address))?.lamports ?? 0;
    const delta = account.lamports - previous;
    if (delta !== 0) {
      const r = (await this.banks.getAccount(reserve))!;
      if (r.lamports - delta < 0) throw new Error("bankrun lamport reserve exhausted");
      this.context.setAccount(reserve, { ...r, lamports: r.lamports - delta });
    }
    this.context.setAccount(address, { ...account, data: Uint8Array.from(account.data) });
  }

  /** After start, a program can only be injected as an executable BPF-loader-2 account. */
  async addProgram(programId: PublicKey, soPath: string): Promise<void> {
    const data = fs.readFileSync(soPath);
    const lamports = await this.getMinimumBalanceForRentExemption(data.length);
    await this.setAccount(programId, { lamports, data, owner: BPF_LOADER_2, executable: true });
  }

  /** Warping one bank slot yields a new blockhash; the Clock programs see is put back as it was. */
  async refreshBlockhash(): Promise<void> {
    const clock = await this.banks.getClock();
    this.context.warpToSlot((await this.banks.getSlot()) + 1n);
    this.context.setClock(clock);
  }
}

function restoreEnv(key: string, value: string | undefined) {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
