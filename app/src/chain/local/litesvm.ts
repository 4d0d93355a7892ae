/**
 * In-process LiteSVM 1.x backend. litesvm 1.x speaks @solana/kit (`Address`
 * strings, kit `Transaction`s, kit's `EncodedAccount`); the rest of the code
 * speaks web3.js, so every conversion between the two lives in this file.
 */
import { AccountInfo, PublicKey, Transaction, VersionedTransaction } from "@solana/web3.js";
import { Address, address, EncodedAccount, getTransactionDecoder, lamports, Transaction as KitTransaction } from "@solana/kit";
import { Clock, FailedTransactionMetadata, LiteSVM } from "litesvm";
import { fromLiteSvmError } from "../errors";
import { SeenAccounts } from "./seen-accounts";
import { patchedClockArgs, txSignature, withPlaceholderSignatures } from "../tx-utils";
import type { AccountFilter, Blockhash, ClockPatch, DataSlice, LocalChain, ProgramAccount, SimOutcome, TxOutcome } from "../types";

const transactionDecoder = getTransactionDecoder();

function toAddress(key: PublicKey): Address {
  return address(key.toBase58());
}

/** kit's account shape to web3.js's (kit carries no rent epoch: the field is left out, as it is optional). */
function toAccountInfo(account: EncodedAccount): AccountInfo<Buffer> {
  return {
    lamports: Number(account.lamports),
    data: Buffer.from(account.data),
    owner: new PublicKey(account.programAddress),
    executable: account.executable,
  };
}

/** The parts of litesvm's native object (`LiteSVM.inner`, private) this file uses. */
interface LiteSvmAddon {
  getSigverify(): boolean;
  getAccount(key: Uint8Array): { lamports(): bigint; data(): Uint8Array; owner(): Uint8Array; executable(): boolean } | null;
}

export class LiteSvmChain implements LocalChain {
  readonly kind = "litesvm" as const;
  readonly simulatesPostState = true;
  /** The underlying VM, for the rare test that needs something this interface lacks. */
  readonly svm: LiteSVM;
  private readonly seenAccounts = new SeenAccounts();

  constructor(svm?: LiteSVM) {
    this.svm = svm ?? new LiteSVM();
  }

  private get addon(): LiteSvmAddon {
    return (this.svm as unknown as { inner: LiteSvmAddon }).inner;
  }

  /** Whether the VM checks signatures (litesvm has no getter outside its addon object). */
  private get sigverify(): boolean {
    return this.addon.getSigverify();
  }

  /**
   * The same wire bytes litesvm 0.8 sent (a legacy transaction must carry every
   * signature; they are verified when the VM verifies them), as kit's `Transaction`.
   */
  private toKitTransaction(tx: Transaction | VersionedTransaction): KitTransaction {
    const wire = tx instanceof Transaction ? tx.serialize({ requireAllSignatures: true, verifySignatures: this.sigverify }) : tx.serialize();
    return transactionDecoder.decode(wire);
  }

  /**
   * Read by the key's bytes from the addon: litesvm's kit-typed `getAccount`
   * costs four base58 conversions an account (~90 µs, against ~3 µs), and the
   * embedded chain's getProgramAccounts reads every account it has seen.
   */
  async getAccountInfo(key: PublicKey): Promise<AccountInfo<Buffer> | null> {
    const account = this.addon.getAccount(key.toBytes());
    if (!account) return null;
    return {
      lamports: Number(account.lamports()),
      data: Buffer.from(account.data()),
      owner: new PublicKey(account.owner()),
      executable: account.executable(),
    };
  }

  async getMultipleAccounts(keys: PublicKey[]) {
    return Promise.all(keys.map((k) => this.getAccountInfo(k)));
  }

  async sendTransaction(tx: Transaction | VersionedTransaction): Promise<TxOutcome> {
    this.seenAccounts.addTransaction(tx);
    const res = this.svm.sendTransaction(this.toKitTransaction(tx));
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
    const sigverify = this.sigverify;
    this.svm.withSigverify(false);
    let res;
    try {
      res = this.svm.simulateTransaction(this.toKitTransaction(withPlaceholderSignatures(tx)));
    } finally {
      this.svm.withSigverify(sigverify);
    }
    const postAccounts = new Map<string, AccountInfo<Buffer> | null>();
    if (res instanceof FailedTransactionMetadata) {
      const meta = res.meta();
      return { ok: false, error: fromLiteSvmError(res.err()), logs: meta.logs(), computeUnits: Number(meta.computeUnitsConsumed()), postAccounts };
    }
    const meta = res.meta();
    const post = new Map<string, EncodedAccount>(res.postAccounts().map((a) => [a.address, a]));
    for (const key of accounts) {
      const a = post.get(key.toBase58());
      // Accounts the transaction did not touch keep their current state.
      if (!a) postAccounts.set(key.toBase58(), await this.getAccountInfo(key));
      else if (a.lamports === 0n) postAccounts.set(key.toBase58(), null);
      else postAccounts.set(key.toBase58(), toAccountInfo(a));
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

  async airdrop(key: PublicKey, amount: number | bigint): Promise<void> {
    this.seenAccounts.add(key);
    const res = this.svm.airdrop(toAddress(key), lamports(BigInt(amount)));
    if (res === null || res instanceof FailedTransactionMetadata) throw new Error(`airdrop failed: ${res?.toString() ?? "no result"}`);
  }

  async warpToSlot(slot: bigint): Promise<void> {
    await this.setClock({ slot });
  }

  async setClock(patch: ClockPatch): Promise<void> {
    const c = this.svm.getClock();
    this.svm.setClock(new Clock(...patchedClockArgs(c, patch)));
  }

  async setAccount(key: PublicKey, account: AccountInfo<Buffer | Uint8Array>): Promise<void> {
    this.seenAccounts.add(key);
    const data = Uint8Array.from(account.data);
    this.svm.setAccount({
      address: toAddress(key),
      lamports: lamports(BigInt(account.lamports)),
      programAddress: toAddress(account.owner),
      executable: account.executable,
      data,
      space: BigInt(data.length),
    });
  }

  async addProgram(programId: PublicKey, soPath: string): Promise<void> {
    this.svm.addProgramFromFile(toAddress(programId), soPath);
  }

  async refreshBlockhash(): Promise<void> {
    this.svm.expireBlockhash();
  }
}
