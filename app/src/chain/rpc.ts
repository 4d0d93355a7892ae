/** A real cluster (devnet, mainnet, a local validator) over JSON-RPC. */
import { utils } from "@coral-xyz/anchor";
import {
  AccountInfo, Commitment, Connection, PublicKey, Transaction, TransactionConfirmationStatus, TransactionExpiredBlockheightExceededError, VersionedTransaction,
} from "@solana/web3.js";
import { fromRpcError } from "./errors";
import { txSignature } from "./tx-utils";
import type { AccountFilter, Blockhash, Chain, DataSlice, ProgramAccount, SimOutcome, TxOutcome } from "./types";

/** How often `sendTransaction` asks whether its transaction has landed. */
const CONFIRM_POLL_MS = 500;
const COMMITMENTS: TransactionConfirmationStatus[] = ["processed", "confirmed", "finalized"];

/** Whether a signature's status satisfies `commitment` (finalized satisfies confirmed, and so on). */
function reaches(status: TransactionConfirmationStatus | undefined, commitment: Commitment): boolean {
  return status !== undefined && COMMITMENTS.indexOf(status) >= COMMITMENTS.indexOf(commitment as TransactionConfirmationStatus);
}

export class RpcChain implements Chain {
  readonly kind = "rpc" as const;
  readonly simulatesPostState = true;
  readonly connection: Connection;

  constructor(urlOrConnection: string | Connection, readonly commitment: Commitment = "confirmed") {
    this.connection = typeof urlOrConnection === "string" ? new Connection(urlOrConnection, commitment) : urlOrConnection;
  }

  getAccountInfo(address: PublicKey): Promise<AccountInfo<Buffer> | null> {
    return this.connection.getAccountInfo(address, this.commitment);
  }

  /** Batched in groups of 100, the RPC's limit for getMultipleAccounts. */
  async getMultipleAccounts(addresses: PublicKey[]) {
    const out: (AccountInfo<Buffer> | null)[] = [];
    for (let i = 0; i < addresses.length; i += 100) {
      out.push(...(await this.connection.getMultipleAccountsInfo(addresses.slice(i, i + 100), this.commitment)));
    }
    return out;
  }

  /**
   * Simulates first so a doomed transaction costs no fee and still reports
   * its logs and structured error; then sends without preflight and reads the
   * landed transaction's logs and CU.
   */
  async sendTransaction(tx: Transaction | VersionedTransaction): Promise<TxOutcome> {
    const signature = txSignature(tx);
    const sim = await this.simulateTransaction(tx);
    if (!sim.ok) return { ok: false, signature, logs: sim.logs, computeUnits: sim.computeUnits, error: sim.error! };
    await this.connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const lastValidBlockHeight = (tx instanceof Transaction ? tx.lastValidBlockHeight : undefined)
      ?? (await this.connection.getLatestBlockhash(this.commitment)).lastValidBlockHeight;
    await this.confirm(signature, lastValidBlockHeight);
    const landed = await this.connection.getTransaction(signature, {
      commitment: this.commitment === "processed" ? "confirmed" : (this.commitment as "confirmed" | "finalized"),
      maxSupportedTransactionVersion: 0,
    });
    const logs = landed?.meta?.logMessages ?? [];
    const computeUnits = landed?.meta?.computeUnitsConsumed ?? 0;
    if (landed?.meta?.err) return { ok: false, signature, logs, computeUnits, error: fromRpcError(landed.meta.err) };
    return { ok: true, signature, logs, computeUnits };
  }

  /**
   * Waits until `signature` reaches the commitment (or has failed) by polling
   * getSignatureStatuses over HTTP, as the Solana CLI confirms: no websocket,
   * so an endpoint that serves only HTTP, or its websocket elsewhere than
   * web3.js guesses (the port after the RPC's), works too. Gives up once the
   * blockhash has expired.
   */
  private async confirm(signature: string, lastValidBlockHeight: number): Promise<void> {
    for (;;) {
      const [status] = (await this.connection.getSignatureStatuses([signature])).value;
      if (status && (status.err !== null || reaches(status.confirmationStatus, this.commitment))) return;
      if ((await this.connection.getBlockHeight(this.commitment)) > lastValidBlockHeight) throw new TransactionExpiredBlockheightExceededError(signature);
      await new Promise((resolve) => setTimeout(resolve, CONFIRM_POLL_MS));
    }
  }

  async simulateTransaction(tx: Transaction | VersionedTransaction, accounts: PublicKey[] = []): Promise<SimOutcome> {
    const vtx = tx instanceof Transaction ? new VersionedTransaction(tx.compileMessage()) : tx;
    const res = await this.connection.simulateTransaction(vtx, {
      sigVerify: false,
      replaceRecentBlockhash: tx instanceof Transaction && !tx.recentBlockhash,
      commitment: this.commitment,
      accounts: accounts.length ? { encoding: "base64", addresses: accounts.map((a) => a.toBase58()) } : undefined,
    });
    const v = res.value;
    const postAccounts = new Map<string, AccountInfo<Buffer> | null>();
    accounts.forEach((a, i) => {
      const acc = v.accounts?.[i];
      postAccounts.set(a.toBase58(), acc ? {
        lamports: acc.lamports, owner: new PublicKey(acc.owner), executable: acc.executable,
        rentEpoch: acc.rentEpoch, data: Buffer.from(acc.data[0], "base64"),
      } : null);
    });
    return {
      ok: v.err === null,
      error: v.err === null ? undefined : fromRpcError(v.err),
      logs: v.logs ?? [],
      computeUnits: v.unitsConsumed ?? 0,
      postAccounts,
    };
  }

  async getSlot(): Promise<bigint> {
    return BigInt(await this.connection.getSlot(this.commitment));
  }

  getLatestBlockhash(): Promise<Blockhash> {
    return this.connection.getLatestBlockhash(this.commitment);
  }

  getMinimumBalanceForRentExemption(dataLength: number): Promise<number> {
    return this.connection.getMinimumBalanceForRentExemption(dataLength, this.commitment);
  }

  async getProgramAccounts(programId: PublicKey, filters: AccountFilter[], dataSlice?: DataSlice): Promise<ProgramAccount[]> {
    const found = await this.connection.getProgramAccounts(programId, {
      commitment: this.commitment,
      dataSlice,
      filters: filters.map((f) => ("dataSize" in f ? f : { memcmp: { offset: f.memcmp.offset, bytes: utils.bytes.bs58.encode(f.memcmp.bytes) } })),
    });
    return found.map(({ pubkey, account }) => ({ address: pubkey, account }));
  }
}
