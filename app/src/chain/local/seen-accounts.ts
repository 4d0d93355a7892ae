/**
 * `getProgramAccounts` for the in-process runtimes. Neither LiteSVM nor
 * bankrun can list accounts, so each remembers every address it has seen (in
 * a transaction, an airdrop or a state injection) and filters those, reading
 * their current state: the same answer an RPC node gives for the accounts
 * this process created or touched.
 */
import { PublicKey, Transaction, VersionedTransaction } from "@solana/web3.js";
import type { AccountFilter, Chain, DataSlice, ProgramAccount } from "../types";

export class SeenAccounts {
  private readonly addresses = new Set<string>();

  add(address: PublicKey): void {
    this.addresses.add(address.toBase58());
  }

  /** The transaction's static account keys (lookup-table accounts are not followed). */
  addTransaction(tx: Transaction | VersionedTransaction): void {
    const keys = tx instanceof Transaction ? tx.compileMessage().accountKeys : tx.message.staticAccountKeys;
    for (const k of keys) this.add(k);
  }

  async programAccounts(chain: Chain, programId: PublicKey, filters: AccountFilter[], dataSlice?: DataSlice): Promise<ProgramAccount[]> {
    const addresses = [...this.addresses].map((a) => new PublicKey(a));
    const infos = await chain.getMultipleAccounts(addresses);
    return addresses.flatMap((address, i) => {
      const info = infos[i];
      if (!info || !info.owner.equals(programId) || !filters.every((f) => passes(info.data, f))) return [];
      const data = dataSlice ? info.data.subarray(dataSlice.offset, dataSlice.offset + dataSlice.length) : info.data;
      return [{ address, account: { ...info, data } }];
    });
  }
}

function passes(data: Buffer, f: AccountFilter): boolean {
  if ("dataSize" in f) return data.length === f.dataSize;
  const { offset, bytes } = f.memcmp;
  return data.subarray(offset, offset + bytes.length).equals(bytes);
}
