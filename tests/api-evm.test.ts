/**
 * An evm session over HTTP, on each runtime: created with 0x addresses and
 * its EVM limits (server-signed), the delegate's approve preview of an
 * EIP-1559 transaction, the relay, and — once Ika's network has written the
 * signature — the signed transaction, which recovers the dWallet's address.
 * And what the routes refuse for this format, each by name.
 */
import { expect } from "chai";
import { secp256k1 } from "@noble/curves/secp256k1";
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { recoverTransactionAddress, serializeTransaction, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Curve, initializePolicy } from "../app/src/client";
import { writeDwallet, writeSignature } from "../app/src/local";
import { selectedRuntimes } from "./harness";
import { ADMIN_KEY, READ_KEY, Res, signed, startApi, TestApi } from "./harness/api";

const TO = "0x1111111111111111111111111111111111111111";

for (const runtime of selectedRuntimes()) {
  describe(`api evm session [${runtime}]`, function () {
    this.timeout(120_000);
    const secret = secp256k1.utils.randomPrivateKey();
    const account = privateKeyToAccount(toHex(secret));
    let t: TestApi;
    let bot: Keypair;
    let policy: string;
    let session: string;

    before(async () => {
      t = await startApi(runtime);
      bot = Keypair.generate();
      await t.env.chain.airdrop(bot.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
      // a Secp256k1 dWallet whose key the test holds, handed to a policy the server administers
      const owner = (await t.env.funded(1))[0];
      const wallet = await writeDwallet(t.env.chain, { authority: owner.publicKey, curve: Curve.Secp256k1, publicKey: secp256k1.getPublicKey(secret, true) });
      const client = t.api.service.client;
      const admin = t.api.service.admin!.publicKey;
      await client.deployOrThrow(await initializePolicy(client, { dwallet: wallet.address, initAuthority: owner.publicKey, admin }), [owner]);
      policy = client.policyAddress(wallet.address, owner.publicKey).toBase58();
      const created = ok(await t.call("POST", "/sessions", { key: ADMIN_KEY, body: {
        policy, delegate: bot.publicKey.toBase58(), expiresInSlots: 1000, maxUses: 5, maxAmountPerTx: "1000",
        allowedPrograms: [TO], format: "evm", evm: { chainId: "10", maxFee: String(21_000n * 10n ** 9n) },
      } }), 201);
      session = created.session;
    });
    after(async () => t?.api.close());

    const ok = (r: Res, status = 200) => {
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      return r.body;
    };
    const tx = (nonce: number, value: bigint) => serializeTransaction({
      type: "eip1559", chainId: 10, nonce, maxPriorityFeePerGas: 1n, maxFeePerGas: 10n ** 9n, gas: 21_000n, to: TO, value,
    });

    it("the session reads as EVM: 0x addresses, wei, its chain and fee cap", async () => {
      const s = ok(await t.call("GET", `/sessions/${session}`, { key: READ_KEY }));
      expect([s.format, s.assetMint, s.allowedPrograms, s.evm]).to.deep.equal(["evm", "wei", [TO], { chainId: "10", maxFee: "21000000000000", anyCallMask: 0 }]);
    });

    it("preview → the delegate signs → relay → Ika signs → the signed transaction recovers the dWallet's address", async () => {
      const unsigned = tx(0, 1000n);
      const preview = ok(await t.call("POST", `/sessions/${session}/approve/preview`, { key: READ_KEY, body: { delegate: bot.publicKey.toBase58(), transaction: unsigned } }));
      expect([preview.action, preview.simulation.ok]).to.deep.equal(["approveEvmTransaction", true]);
      const relayed = ok(await t.call("POST", "/transactions", { key: READ_KEY, body: { transaction: signed(preview.transaction, bot) } }));
      expect(relayed.instructions).to.deep.equal(["approveEvmTransaction"]);
      const body = { transaction: unsigned, policy };
      const pending = await t.call("POST", `/approvals/${preview.messageApproval}/signed-evm-transaction`, { key: READ_KEY, body });
      expect([pending.status, pending.body.error]).to.deep.equal([409, "NotSignedYet"]);

      const digest = Buffer.from(preview.messageDigest, "hex");
      await writeSignature(t.env.chain, new PublicKey(preview.messageApproval), secp256k1.sign(digest, secret).toCompactRawBytes());
      const done = ok(await t.call("POST", `/approvals/${preview.messageApproval}/signed-evm-transaction`, { key: READ_KEY, body }));
      expect(done.dwallet.toLowerCase()).to.equal(account.address.toLowerCase());
      expect(await recoverTransactionAddress({ serializedTransaction: done.signedTransaction })).to.equal(account.address);
    });

    it("an update reads the allowlist as EVM addresses too, and the program still refuses a word that is none", async () => {
      const OTHER = "0x2222222222222222222222222222222222222222";
      const updated = ok(await t.call("POST", `/sessions/${session}/update`, { key: ADMIN_KEY, body: { allowedPrograms: [TO, OTHER] } }));
      expect(updated.state.allowedPrograms).to.deep.equal([TO, OTHER]);
      const base58 = await t.call("POST", `/sessions/${session}/update/preview`, { key: ADMIN_KEY, body: { allowedPrograms: [Keypair.generate().publicKey.toBase58()] } });
      expect([base58.status, base58.body.error]).to.deep.equal([400, "BadRequest"]);
      expect(base58.body.message).to.match(/allowedPrograms\[0\]: an EVM address is 0x and 40 hex digits/);
      ok(await t.call("POST", `/sessions/${session}/update`, { key: ADMIN_KEY, body: { allowedPrograms: [TO] } }));
    });

    it("refusals by name: past the cap in the simulation, declared fields, a message instead of a transaction, 0x addresses for another format", async () => {
      const over = ok(await t.call("POST", `/sessions/${session}/approve/preview`, { key: READ_KEY, body: { delegate: bot.publicKey.toBase58(), transaction: tx(1, 1001n) } }));
      expect([over.simulation.ok, over.simulation.error]).to.deep.equal([false, "AmountExceedsMax"]);
      const declared = await t.call("POST", `/sessions/${session}/approve/preview`, { key: READ_KEY, body: { delegate: bot.publicKey.toBase58(), transaction: tx(1, 1n), amount: "0" } });
      expect([declared.status, declared.body.error]).to.deep.equal([400, "BadRequest"]);
      expect(declared.body.message).to.match(/evm session reads what it approves itself: drop amount/);
      const noTx = await t.call("POST", `/sessions/${session}/approve/preview`, { key: READ_KEY, body: { delegate: bot.publicKey.toBase58(), message: "AAAA" } });
      expect([noTx.status, noTx.body.error]).to.deep.equal([400, "BadRequest"]);
      expect(noTx.body.message).to.match(/drop message/);
      const opaque = await t.call("POST", "/sessions/preview", { key: ADMIN_KEY, body: {
        policy, delegate: bot.publicKey.toBase58(), expiresInSlots: 10, maxUses: 1, maxAmountPerTx: "1", allowedPrograms: [TO],
      } });
      expect([opaque.status, opaque.body.error]).to.deep.equal([400, "BadRequest"]);
      expect(opaque.body.message).to.match(/allowedPrograms/);
      const noLimits = await t.call("POST", "/sessions/preview", { key: ADMIN_KEY, body: {
        policy, delegate: bot.publicKey.toBase58(), expiresInSlots: 10, maxUses: 1, maxAmountPerTx: "1", allowedPrograms: [TO], format: "evm",
      } });
      expect([noLimits.status, noLimits.body.error]).to.deep.equal([400, "BadRequest"]);
      expect(noLimits.body.message).to.match(/needs evm/);
    });
  });
}
