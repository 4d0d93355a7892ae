/**
 * The delegate's path over HTTP, on each runtime: the approve preview (the
 * unsigned approve_message with the session's nonce, optionally behind a
 * ComputeBudget price), the delegate's signature, the relay, and the
 * MessageApproval pending in the stand-in — as a legacy and as a v0
 * transaction; a solana session the same way; and what the relay refuses,
 * each by name.
 */
import { expect } from "chai";
import {
  ComputeBudgetProgram, Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, TransactionMessage, VersionedTransaction,
} from "@solana/web3.js";
import { messageDigest } from "../app/src/client";
import { ADMIN_KEY, READ_KEY, Res, signed, signedV0, startApi, TestApi } from "./harness/api";
import { selectedRuntimes } from "./harness";

const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";

for (const runtime of selectedRuntimes()) {
  describe(`api delegate path [${runtime}]`, function () {
    this.timeout(120_000);
    let t: TestApi;
    let bot: Keypair;
    let session: string;
    before(async () => {
      t = await startApi(runtime);
      bot = Keypair.generate();
      await t.env.chain.airdrop(bot.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
      const created = await t.call("POST", "/sessions", { key: ADMIN_KEY, body: {
        policy: t.api.demo!.policy.toBase58(), delegate: bot.publicKey.toBase58(), expiresInSlots: 1000, maxUses: 5, maxAmountPerTx: "100", allowedPrograms: [JUPITER],
      } });
      session = created.body.session;
    });
    after(async () => t?.api.close());

    const post = (path: string, body: unknown) => t.call("POST", path, { key: READ_KEY, body });
    const ok = (r: Res, status = 200) => {
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      return r.body;
    };
    const use = (extra: Record<string, unknown> = {}) => ({
      delegate: bot.publicKey.toBase58(), messageDigest: messageDigest(`swap ${Math.random()}`).toString("hex"), amount: "10", destinationProgram: JUPITER, ...extra,
    });

    it("preview → the delegate signs → relay → the approval is pending; then the same as a v0 transaction with a ComputeBudget price", async () => {
      const first = ok(await post(`/sessions/${session}/approve/preview`, use()));
      expect([first.action, first.nonce, first.simulation.ok, first.signers]).to.deep.equal(["approveMessage", "0", true, [bot.publicKey.toBase58()]]);
      expect(first.simulation.computeUnits).to.be.greaterThan(0);
      const relayed = ok(await post("/transactions", { transaction: signed(first.transaction, bot) }));
      expect(relayed.instructions).to.deep.equal(["approveMessage"]);
      expect(relayed.events.map((e: { name: string }) => e.name)).to.include("messageApproved");
      const pending = ok(await t.call("GET", `/approvals/${first.messageApproval}`, { key: READ_KEY }));
      expect([pending.status, pending.signature, pending.messageDigest]).to.deep.equal(["pending", null, first.messageDigest]);

      const priced = ok(await post(`/sessions/${session}/approve/preview`, use({ computeUnitPrice: "5000" })));
      expect([priced.nonce, priced.simulation.ok]).to.deep.equal(["1", true]);
      const legacy = Transaction.from(Buffer.from(priced.transaction, "base64"));
      expect(legacy.instructions.map((ix) => ix.programId.toBase58())).to.deep.equal([ComputeBudgetProgram.programId.toBase58(), t.api.service.client.programId.toBase58()]);
      const v0 = signedV0(priced.transaction, bot);
      expect(VersionedTransaction.deserialize(Buffer.from(v0, "base64")).version).to.equal(0);
      expect(ok(await post("/transactions", { transaction: v0 })).instructions).to.deep.equal(["approveMessage"]);
      expect(ok(await t.call("GET", `/approvals/${priced.messageApproval}`, { key: READ_KEY })).status).to.equal("pending");
      expect(ok(await t.call("GET", `/sessions/${session}`, { key: READ_KEY }))).to.include({ uses: 2, nextNonce: "2", spent: "20" });
    });

    it("the program's refusal: named in the preview's simulation, and a 422 with its name when relayed anyway", async () => {
      const over = ok(await post(`/sessions/${session}/approve/preview`, use({ amount: "101" })));
      expect([over.simulation.ok, over.simulation.error]).to.deep.equal([false, "AmountExceedsMax"]);
      const relayed = await post("/transactions", { transaction: signed(over.transaction, bot) });
      expect([relayed.status, relayed.body.error]).to.deep.equal([422, "AmountExceedsMax"]);
      const stranger = ok(await post(`/sessions/${session}/approve/preview`, use({ delegate: Keypair.generate().publicKey.toBase58(), payer: bot.publicKey.toBase58() })));
      expect(stranger.simulation.error).to.equal("NotDelegate");
    });

    it("the relay forwards session-keys (and ComputeBudget) transactions only, fully signed", async () => {
      const payer = bot.publicKey;
      const wire = (...ixs: Parameters<Transaction["add"]>) => {
        const tx = new Transaction().add(...ixs);
        tx.feePayer = payer;
        tx.recentBlockhash = Keypair.generate().publicKey.toBase58();
        tx.sign(bot);
        return tx.serialize().toString("base64");
      };
      const preview = ok(await post(`/sessions/${session}/approve/preview`, use()));
      const approve = Transaction.from(Buffer.from(preview.transaction, "base64")).instructions[0];
      const transfer = SystemProgram.transfer({ fromPubkey: payer, toPubkey: Keypair.generate().publicKey, lamports: 1 });
      const cases: [string, string][] = [
        [wire(approve, transfer), "ForeignProgram"],
        [wire(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 1 })), "NoSessionKeysInstruction"],
        [preview.transaction, "TransactionNotSigned"],
      ];
      for (const [transaction, error] of cases) {
        const r = await post("/transactions", { transaction });
        expect([r.status, r.body.error], error).to.deep.equal([400, error]);
      }
      const garbage = await post("/transactions", { transaction: "AAAA" });
      expect([garbage.status, garbage.body.message]).to.deep.equal([400, "transaction is not a valid base64 wire transaction"]);
    });

    it("a solana session: the approve preview reads the message (with a ComputeBudget price), relayed as v0", async () => {
      const created = ok(await t.call("POST", "/sessions", { key: ADMIN_KEY, body: {
        policy: t.api.demo!.policy.toBase58(), delegate: bot.publicKey.toBase58(), expiresInSlots: 1000, maxUses: 2, maxAmountPerTx: "1000",
        allowedPrograms: [SystemProgram.programId.toBase58()], format: "solana",
      } }), 201);
      const view = ok(await t.call("GET", `/policies/${t.api.demo!.policy.toBase58()}`, { key: READ_KEY }));
      const dwalletKey = new PublicKey(Buffer.from(view.dwalletAccount.publicKey, "hex"));
      const message = new TransactionMessage({
        payerKey: dwalletKey, recentBlockhash: Keypair.generate().publicKey.toBase58(),
        instructions: [SystemProgram.transfer({ fromPubkey: dwalletKey, toPubkey: Keypair.generate().publicKey, lamports: 700 })],
      }).compileToLegacyMessage().serialize().toString("base64");
      const digestForm = await post(`/sessions/${created.session}/approve/preview`, { delegate: bot.publicKey.toBase58(), message, amount: "700" });
      expect([digestForm.status, digestForm.body.message]).to.deep.equal([400, "a solana session reads what it approves itself: drop amount"]);
      const preview = ok(await post(`/sessions/${created.session}/approve/preview`, { delegate: bot.publicKey.toBase58(), message, computeUnitPrice: 1 }));
      expect([preview.action, preview.simulation.ok]).to.deep.equal(["approveSolanaMessage", true]);
      const event = preview.simulation.events.find((e: { name: string }) => e.name === "solanaMessageApproved");
      expect(event.data.amount).to.equal("700");
      expect(ok(await post("/transactions", { transaction: signedV0(preview.transaction, bot) })).instructions).to.deep.equal(["approveSolanaMessage"]);
      expect(ok(await t.call("GET", `/approvals/${preview.messageApproval}`, { key: READ_KEY })).status).to.equal("pending");
    });
  });
}
