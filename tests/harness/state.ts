/**
 * State injection for limit tests: read one of our accounts, change fields,
 * write it back — reaching states (counters at their maximum) that would
 * take billions of transactions to reach honestly.
 */
import { PublicKey } from "@solana/web3.js";
import { SessionKeysClient } from "../../app/src/client";
import type { LocalChain } from "../../app/src/chain";

export async function patchAccount(
  chain: LocalChain, client: SessionKeysClient, name: "policy" | "session", address: PublicKey,
  patch: (decoded: Record<string, unknown>) => void,
): Promise<void> {
  const info = await chain.getAccountInfo(address);
  if (!info) throw new Error(`no account at ${address.toBase58()}`);
  const decoded = client.program.coder.accounts.decode(name, info.data) as Record<string, unknown>;
  patch(decoded);
  const encoded = await client.program.coder.accounts.encode(name, decoded);
  const data = Buffer.alloc(info.data.length); // keep the fixed size; encode may be shorter
  encoded.copy(data);
  await chain.setAccount(address, { ...info, data });
}
