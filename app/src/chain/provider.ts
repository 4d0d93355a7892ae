/**
 * An Anchor `Provider` over any `Chain`, so `new Program(idl, provider)`
 * works the same on RPC, LiteSVM and bankrun. Anchor only needs a few
 * `Connection` reads (account fetches, the accounts resolver) and a way to
 * send; both are routed through the chain.
 */
import type { Provider } from "@coral-xyz/anchor";
import type { Wallet } from "@coral-xyz/anchor/dist/cjs/provider";
import {
  AccountInfo, Commitment, Connection, Keypair, PublicKey, Signer, Transaction, VersionedTransaction,
} from "@solana/web3.js";
import { RpcChain } from "./rpc";
import { Chain, isLocalChain, SimOutcome, TxFailure, TxOutcome, TxSuccess } from "./types";

/** A wallet backed by an in-memory keypair (tests, CLI, demo, deploy script). */
export class KeypairWallet implements Wallet {
  constructor(readonly payer: Keypair) {}
  get publicKey() {
    return this.payer.publicKey;
  }
  async signTransaction<T extends Transaction | VersionedTransaction>(tx: T): Promise<T> {
    if (tx instanceof Transaction) tx.partialSign(this.payer);
    else tx.sign([this.payer]);
    return tx;
  }
  async signAllTransactions<T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]> {
    return Promise.all(txs.map((t) => this.signTransaction(t)));
  }
}

/** Thrown by the Anchor-facing send methods; carries the whole outcome. `logs` is where Anchor's error translator looks. */
export class TransactionFailedError extends Error {
  readonly logs: string[];
  constructor(readonly outcome: TxFailure) {
    super(`transaction failed: ${outcome.error.raw}`);
    this.logs = outcome.logs;
  }
}

/** The subset of `Connection` Anchor's Program uses, answered by the chain. */
function connectionShim(chain: Chain): Connection {
  const context = async () => ({ slot: Number(await chain.getSlot()) });
  const shim = {
    commitment: "confirmed" as Commitment,
    rpcEndpoint: `in-process:${chain.kind}`,
    getAccountInfo: (a: PublicKey) => chain.getAccountInfo(a),
    getAccountInfoAndContext: async (a: PublicKey) => ({ context: await context(), value: await chain.getAccountInfo(a) }),
    getMultipleAccountsInfo: (as: PublicKey[]) => chain.getMultipleAccounts(as),
    getMultipleAccountsInfoAndContext: async (as: PublicKey[]) => ({ context: await context(), value: await chain.getMultipleAccounts(as) }),
    getLatestBlockhash: () => chain.getLatestBlockhash(),
    getMinimumBalanceForRentExemption: (n: number) => chain.getMinimumBalanceForRentExemption(n),
    getSlot: async () => Number(await chain.getSlot()),
    getBalance: async (a: PublicKey) => (await chain.getAccountInfo(a))?.lamports ?? 0,
    getProgramAccounts: () => {
      throw new Error("getProgramAccounts is not available in-process; iterate known addresses instead");
    },
  };
  return shim as unknown as Connection;
}

export class ChainProvider implements Provider {
  readonly connection: Connection;
  readonly publicKey: PublicKey;
  /** The outcome of the last transaction sent through this provider (CU, logs). */
  lastOutcome?: TxOutcome;

  constructor(readonly chain: Chain, readonly wallet: Wallet) {
    this.connection = chain instanceof RpcChain ? chain.connection : connectionShim(chain);
    this.publicKey = wallet.publicKey;
  }

  /**
   * Set fee payer and a fresh blockhash, sign with the wallet and `signers`,
   * submit. Returns the outcome as a value (no throw on program failure).
   * In-process runtimes refuse a byte-identical transaction
   * (AlreadyProcessed); a test that deliberately repeats one (a replay
   * attempt) gets a new blockhash and a second try, so the program, not the
   * runtime's dedup, decides.
   */
  async execute(tx: Transaction, signers: Signer[] = []): Promise<TxOutcome> {
    let outcome = await this.signAndSend(tx, signers);
    if (!outcome.ok && outcome.error.name === "AlreadyProcessed" && isLocalChain(this.chain)) {
      await this.chain.refreshBlockhash();
      outcome = await this.signAndSend(tx, signers);
    }
    this.lastOutcome = outcome;
    return outcome;
  }

  /** Like `execute` but throws `TransactionFailedError` on failure. */
  async executeOrThrow(tx: Transaction, signers: Signer[] = []): Promise<TxSuccess> {
    const outcome = await this.execute(tx, signers);
    if (!outcome.ok) throw new TransactionFailedError(outcome);
    return outcome;
  }

  /** Simulate unsigned (fee payer = wallet unless already set); nothing is signed or sent. */
  async preview(tx: Transaction, accounts: PublicKey[] = []): Promise<SimOutcome> {
    tx.feePayer = tx.feePayer ?? this.publicKey;
    tx.recentBlockhash = (await this.chain.getLatestBlockhash()).blockhash;
    return this.chain.simulateTransaction(tx, accounts);
  }

  private async signAndSend(tx: Transaction, signers: Signer[]): Promise<TxOutcome> {
    const { blockhash, lastValidBlockHeight } = await this.chain.getLatestBlockhash();
    tx.feePayer = tx.feePayer ?? this.publicKey;
    tx.recentBlockhash = blockhash;
    tx.lastValidBlockHeight = lastValidBlockHeight;
    tx.signatures = [];
    // Sign with the explicit signers first; the wallet signs only if it is a required signer.
    const message = tx.compileMessage();
    const required = new Set(message.accountKeys.slice(0, message.header.numRequiredSignatures).map((k) => k.toBase58()));
    const needed = signers.filter((s) => required.has(s.publicKey.toBase58()));
    if (needed.length) tx.partialSign(...needed);
    if (required.has(this.publicKey.toBase58()) && !needed.some((s) => s.publicKey.equals(this.publicKey))) {
      await this.wallet.signTransaction(tx);
    }
    return this.chain.sendTransaction(tx);
  }

  // ---- Anchor's Provider interface (so `.rpc()` and `.simulate()` also work) ----

  async sendAndConfirm(tx: Transaction | VersionedTransaction, signers?: Signer[]): Promise<string> {
    if (!(tx instanceof Transaction)) throw new Error("ChainProvider sends legacy transactions only");
    return (await this.executeOrThrow(tx, signers)).signature;
  }

  async send(tx: Transaction | VersionedTransaction, signers?: Signer[]): Promise<string> {
    return this.sendAndConfirm(tx, signers);
  }

  async sendAll<T extends Transaction | VersionedTransaction>(txs: { tx: T; signers?: Signer[] }[]): Promise<string[]> {
    const out: string[] = [];
    for (const { tx, signers } of txs) out.push(await this.sendAndConfirm(tx, signers));
    return out;
  }

  async simulate(tx: Transaction | VersionedTransaction, _signers?: Signer[], _c?: Commitment, includeAccounts?: boolean | PublicKey[]) {
    if (!(tx instanceof Transaction)) throw new Error("ChainProvider simulates legacy transactions only");
    const accounts = Array.isArray(includeAccounts) ? includeAccounts : [];
    const sim = await this.preview(tx, accounts);
    if (!sim.ok) throw new TransactionFailedError({ ok: false, signature: "", logs: sim.logs, computeUnits: sim.computeUnits, error: sim.error! });
    return {
      logs: sim.logs,
      unitsConsumed: sim.computeUnits,
      err: null,
      accounts: accounts.map((a) => toRpcAccount(sim.postAccounts.get(a.toBase58()) ?? null)),
    };
  }
}

function toRpcAccount(a: AccountInfo<Buffer> | null) {
  if (!a) return null;
  return { ...a, owner: a.owner.toBase58(), data: [a.data.toString("base64"), "base64"] as [string, string] };
}
