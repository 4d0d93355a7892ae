/**
 * RpcChain.getProgramAccounts against a stand-in Connection (no cluster
 * here): the filters reach the RPC in its own shape (memcmp bytes base58),
 * the data slice and commitment pass through, and the answer comes back as
 * `{ address, account }`.
 */
import { expect } from "chai";
import { utils } from "@coral-xyz/anchor";
import { Connection, GetProgramAccountsConfig, Keypair, PublicKey } from "@solana/web3.js";
import { RpcChain } from "../app/src/chain";

describe("RpcChain.getProgramAccounts", () => {
  it("sends memcmp bytes as base58 with the data slice, and returns address + account", async () => {
    const program = Keypair.generate().publicKey;
    const found = Keypair.generate().publicKey;
    const account = { lamports: 1, owner: program, executable: false, rentEpoch: 0, data: Buffer.from([7, 0, 0, 0]) };
    let asked: [PublicKey, GetProgramAccountsConfig] | undefined;
    const connection = {
      getProgramAccounts: async (id: PublicKey, config: GetProgramAccountsConfig) => {
        asked = [id, config];
        return [{ pubkey: found, account }];
      },
    } as unknown as Connection;
    const key = Keypair.generate().publicKey;
    const result = await new RpcChain(connection).getProgramAccounts(program, [
      { memcmp: { offset: 0, bytes: Buffer.from([1, 2, 3]) } }, { memcmp: { offset: 8, bytes: key.toBuffer() } }, { dataSize: 600 },
    ], { offset: 576, length: 4 });
    expect(asked![0].equals(program)).to.equal(true);
    expect(asked![1]).to.deep.equal({
      commitment: "confirmed", dataSlice: { offset: 576, length: 4 },
      filters: [{ memcmp: { offset: 0, bytes: utils.bytes.bs58.encode(Buffer.from([1, 2, 3])) } }, { memcmp: { offset: 8, bytes: key.toBase58() } }, { dataSize: 600 }],
    });
    expect(result).to.deep.equal([{ address: found, account }]);
  });
});
