/** In-process LiteSVM 0.8.0 backend (the last litesvm that takes web3.js objects). */
import { AccountInfo, PublicKey, Transaction, VersionedTransaction } from "@solana/web3.js";
import { Clock, FailedTransactionMetadata, LiteSVM, TransactionMetadata } from "litesvm";
import { fromLiteSvmError } from "../errors";
import { resetFpu } from "./fpu";
import { SeenAccounts } from "./seen-accounts";
import { patchedClockArgs, toBufferAccount, txSignature, withPlaceholderSignatures } from "../tx-utils";
import type { AccountFilter, Blockhash, ClockPatch, DataSlice, LocalChain, ProgramAccount, SimOutcome, TxOutcome } from "../types";

export class LiteSvmChain implements LocalChain {
  readonly kind = "litesvm" as const;
  readonly simulatesPostState = true;
  /** The underlying VM, for the rare test that needs something this interface lacks. */
  readonly svm: LiteSVM;
  private readonly seenAccounts = new SeenAccounts();

  constructor(svm?: LiteSVM) {
    this.svm = svm ?? new LiteSVM();
  }

  async getAccountInfo(address: PublicKey): Promise<AccountInfo<Buffer> | null> {
    return toBufferAccount(this.svm.getAccount(address));
  }

  async getMultipleAccounts(addresses: PublicKey[]) {
    return addresses.map((a) => toBufferAccount(this.svm.getAccount(a)));
  }

  async sendTransaction(tx: Transaction | VersionedTransaction): Promise<TxOutcome> {
    this.seenAccounts.addTransaction(tx);
    const res = this.svm.sendTransaction(tx);
    resetFpu();
    const meta = res instanceof FailedTransactionMetadata ? res.meta() : res;
    const base = {
      signature: txSignature(tx),
      logs: meta.logs(),
      computeUnits: Number(meta.computeUnitsConsumed()),
    };
    if (res instanceof FailedTransactionMetadata) return { ...base, ok: false, error: fromLiteSvmError(res.err()) };
    return { ...base, ok: true };
  }

  async simulateTransaction(tx: Transaction, accounts: PublicKey[] = []): Promise<SimOutcome> {
    // Previews simulate unsigned transactions: switch sigverify off for this call only.
    const sigverify = (this.svm as unknown as { inner: { getSigverify(): boolean } }).inner.getSigverify();
    this.svm.withSigverify(false);
    let res;
    try {
      res = this.svm.simulateTransaction(withPlaceholderSignatures(tx));
    } finally {
      this.svm.withSigverify(sigverify);
      resetFpu();
    }
    const postAccounts = new Map<string, AccountInfo<Buffer> | null>();
    if (res instanceof FailedTransactionMetadata) {
      const meta = res.meta();
      return { ok: false, error: fromLiteSvmError(res.err()), logs: meta.logs(), computeUnits: Number(meta.computeUnitsConsumed()), postAccounts };
    }
    const meta: TransactionMetadata = res.meta();
    const post = new Map(res.postAccounts().map(([k, a]) => [k.toBase58(), a]));
    for (const address of accounts) {
      const a = post.get(address.toBase58());
      // Accounts the transaction did not touch keep their current state.
      if (!a) postAccounts.set(address.toBase58(), await this.getAccountInfo(address));
      else if (a.lamports() === 0n) postAccounts.set(address.toBase58(), null);
      else postAccounts.set(address.toBase58(), {
        lamports: Number(a.lamports()), data: Buffer.from(a.data()), owner: new PublicKey(a.owner()),
        executable: a.executable(), rentEpoch: Number(a.rentEpoch()),
      });
    }
    return { ok: true, logs: meta.logs(), computeUnits: Number(meta.computeUnitsConsumed()), postAccounts };
  }

  async getSlot(): Promise<bigint> {
    return this.svm.getClock().slot;
  }

  async getLatestBlockhash(): Promise<Blockhash> {
    // LiteSVM has no block height; any positive number keeps web3.js happy.
    return { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: Number.MAX_SAFE_INTEGER };
  }

  async getMinimumBalanceForRentExemption(dataLength: number): Promise<number> {
    return Number(this.svm.minimumBalanceForRentExemption(BigInt(dataLength)));
  }

  getProgramAccounts(programId: PublicKey, filters: AccountFilter[], dataSlice?: DataSlice): Promise<ProgramAccount[]> {
    return this.seenAccounts.programAccounts(this, programId, filters, dataSlice);
  }

  async airdrop(address: PublicKey, lamports: number | bigint): Promise<void> {
    this.seenAccounts.add(address);
    const res = this.svm.airdrop(address, BigInt(lamports));
    if (res instanceof FailedTransactionMetadata) throw new Error(`airdrop failed: ${res.toString()}`);
  }

  async warpToSlot(slot: bigint): Promise<void> {
    await this.setClock({ slot });
  }

  async setClock(patch: ClockPatch): Promise<void> {
    const c = this.svm.getClock();
    this.svm.setClock(new Clock(...patchedClockArgs(c, patch)));
  }

  async setAccount(address: PublicKey, account: AccountInfo<Buffer | Uint8Array>): Promise<void> {
    this.seenAccounts.add(address);
    this.svm.setAccount(address, { ...account, data: Uint8Array.from(account.data) });
  }

  async addProgram(programId: PublicKey, soPath: string): Promise<void> {
    this.svm.addProgramFromFile(programId, soPath);
  }

  async refreshBlockhash(): Promise<void> {
    this.svm.expireBlockhash();
  }
}
