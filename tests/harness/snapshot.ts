/**
 * "A failed transaction changed nothing": snapshot accounts before, compare
 * after. Lamports, owner, data and existence are all compared; the fee payer
 * should be left out (it pays the fee even when the transaction fails).
 */
import { expect } from "chai";
import { AccountInfo, PublicKey } from "@solana/web3.js";
import type { Chain } from "../../app/src/chain";
import { expectError } from "./errors";

export interface AccountsSnapshot {
  chain: Chain;
  entries: { address: PublicKey; account: AccountInfo<Buffer> | null }[];
}

export async function snapshotAccounts(chain: Chain, addresses: PublicKey[]): Promise<AccountsSnapshot> {
  const accounts = await chain.getMultipleAccounts(addresses);
  return { chain, entries: addresses.map((address, i) => ({ address, account: accounts[i] })) };
}

export async function expectUnchanged(snapshot: AccountsSnapshot): Promise<void> {
  const now = await snapshot.chain.getMultipleAccounts(snapshot.entries.map((e) => e.address));
  snapshot.entries.forEach(({ address, account }, i) => {
    const after = now[i];
    const label = address.toBase58();
    expect(after === null, `${label} existence changed`).to.equal(account === null);
    if (!account || !after) return;
    expect(after.lamports, `${label} lamports changed`).to.equal(account.lamports);
    expect(after.owner.toBase58(), `${label} owner changed`).to.equal(account.owner.toBase58());
    expect(after.data.equals(account.data), `${label} data changed`).to.equal(true);
  });
}

/**
 * The attack pattern in one call: snapshot `watch`, run, assert the exact
 * error, assert nothing in `watch` changed.
 */
export async function expectFailsUnchanged(chain: Chain, watch: PublicKey[], run: () => Promise<unknown>, errorName: string) {
  const before = await snapshotAccounts(chain, watch);
  const failure = await expectError(run(), errorName);
  await expectUnchanged(before);
  return failure;
}
