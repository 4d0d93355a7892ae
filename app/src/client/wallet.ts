/** Wallets for contexts that only build and preview (the HTTP API): a public key, no secret. */
import type { Wallet } from "@coral-xyz/anchor/dist/cjs/provider";
import { PublicKey, Transaction, VersionedTransaction } from "@solana/web3.js";

export class ReadonlyWallet implements Wallet {
  constructor(readonly publicKey: PublicKey) {}
  async signTransaction<T extends Transaction | VersionedTransaction>(_tx: T): Promise<T> {
    throw new Error("read-only wallet: the transaction must be signed by its owner");
  }
  async signAllTransactions<T extends Transaction | VersionedTransaction>(_txs: T[]): Promise<T[]> {
    throw new Error("read-only wallet: the transaction must be signed by its owner");
  }
}
