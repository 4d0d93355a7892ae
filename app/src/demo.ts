/**
 * The whole session-keys lifecycle on an embedded LiteSVM, no network:
 * a dWallet (written as Ika's network leaves one), a policy over it, a
 * session previewed and deployed, used, the approval signed (as Ika's network
 * would), a bound enforced, a verified session whose amount the program
 * reads from the Solana message itself, a verified EVM session on a Secp256k1
 * dWallet whose signed transaction comes back ready to broadcast, inspected,
 * revoked, and refused after. Ika's program is the stand-in, or Ika's own
 * binary with IKA_PROGRAM_SO.
 *
 *   npx ts-node --transpile-only app/src/demo.ts      (after the build)
 */
import { randomBytes } from "crypto";
import { secp256k1 } from "@noble/curves/secp256k1";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, TransactionMessage } from "@solana/web3.js";
import { KeypairWallet } from "./chain";
import {
  approveEvmTransaction, approveMessage, approveSolanaMessage, createSession, Curve, dwalletEvmAddress, evmTransactionBytes, evmWord,
  fetchMessageApproval, initializePolicy, inspectPolicy, revokeSession, SessionKeysClient, signedEvmTransaction, waitForSignature,
} from "./client";
import { localIka, startLocalChain, writeDwallet, writeSignature } from "./local";

const JUPITER = new PublicKey("JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4");

const log = (step: string, detail: unknown = "") => console.log(`\n== ${step}`, typeof detail === "string" ? detail : JSON.stringify(detail, null, 2));

async function main() {
  const chain = await startLocalChain();
  log("local chain", localIka().describe());
  const [payer, owner, admin, bot] = [Keypair.generate(), Keypair.generate(), Keypair.generate(), Keypair.generate()];
  for (const k of [payer, owner, admin, bot]) await chain.airdrop(k.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
  const client = new SessionKeysClient(chain, new KeypairWallet(payer));
  const cu: Record<string, number> = {};

  // 1. A Curve25519 dWallet whose authority is `owner`, as Ika's DKG leaves it.
  const wallet = await writeDwallet(chain, { authority: owner.publicKey });
  const dwallet = wallet.address;
  log("dWallet (Curve25519, Active)", { dwallet: dwallet.toBase58(), publicKey: new PublicKey(wallet.publicKey).toBase58(), authority: owner.publicKey.toBase58() });

  // 2. The owner hands the dWallet to a policy administered by `admin`.
  const init = await initializePolicy(client, { dwallet, initAuthority: owner.publicKey, admin: admin.publicKey });
  cu.initialize_policy = (await client.deployOrThrow(init, [owner])).computeUnits;
  const policy = client.policyAddress(dwallet, owner.publicKey);
  log("policy initialized; the dWallet's authority is now the program's CPI authority", { policy: policy.toBase58(), cpiAuthority: client.cpiAuthority().toBase58() });

  // 3. Preview, then deploy, a session for the bot: 3 uses, ≤ 1 000 per tx, Jupiter only, 500 slots.
  const create = await createSession(client, {
    policy, admin: admin.publicKey,
    limits: { delegate: bot.publicKey, expirySlot: (await chain.getSlot()) + 500n, maxUses: 3, maxAmountPerTx: 1_000n, allowedPrograms: [JUPITER] },
  });
  const preview = await client.preview(create);
  log("preview create_session", { ok: preview.ok, computeUnits: preview.computeUnits, rent: preview.rent, unsignedTransactionBytes: Buffer.from(preview.unsignedTransaction, "base64").length });
  cu.create_session = (await client.deployOrThrow(create, [admin])).computeUnits;
  log("session deployed", { sessionId: create.sessionId, session: create.session.toBase58() });

  // 4. The bot uses it: Ika gets a MessageApproval for the digest.
  const use = (amount: bigint, destination = JUPITER) => approveMessage(client, {
    policy, session: create.session, delegate: bot.publicKey, message: `swap ${amount} at ${Date.now()} ${randomBytes(4).toString("hex")}`, amount, destinationProgram: destination,
  });
  const firstUse = await use(750n);
  const first = await client.deployOrThrow(firstUse, [bot]);
  cu.approve_message = first.computeUnits;
  const approved = first.events.find((e) => e.name === "messageApproved")!.data;
  const pending = await fetchMessageApproval(chain, firstUse.messageApproval);
  log("bot approved a message through its session", {
    remainingUses: approved.remainingUses, binding: Buffer.from(approved.binding as number[]).toString("hex"),
    messageApproval: firstUse.messageApproval.toBase58(), status: pending?.status, approver: pending?.approver.toBase58(),
  });
  // Ika's network signs and writes the signature (locally: written directly, 64 stand-in bytes).
  await writeSignature(chain, firstUse.messageApproval, randomBytes(64));
  const { signature } = await waitForSignature(chain, firstUse.messageApproval, { timeoutMs: 5_000 });
  log("the network signed", { signature: signature.toString("hex") });

  // 5. A bound enforced on-chain: 1 001 > max_amount_per_tx, and a venue not on the list.
  const tooMuch = await client.deploy(await use(1_001n), [bot]);
  log("bot tries 1 001 (cap is 1 000)", { ok: tooMuch.ok, error: tooMuch.error });
  const wrongVenue = await client.deploy(await use(10n, Keypair.generate().publicKey), [bot]);
  log("bot tries an unlisted program", { ok: wrongVenue.ok, error: wrongVenue.error });

  // 6. A verified session: the program reads the Solana transaction itself and derives what it moves.
  const D = new PublicKey(wallet.publicKey); // a Curve25519 dWallet's public key is its Solana address
  const verified = await createSession(client, {
    policy, admin: admin.publicKey, limits: {
      delegate: bot.publicKey, expirySlot: (await chain.getSlot()) + 500n, maxUses: 3, maxAmountPerTx: BigInt(LAMPORTS_PER_SOL),
      allowedPrograms: [SystemProgram.programId], format: "solana",
    },
  });
  cu.create_session_solana = (await client.deployOrThrow(verified, [admin])).computeUnits;
  const pay = (lamports: number) => new TransactionMessage({
    payerKey: D, recentBlockhash: Keypair.generate().publicKey.toBase58(),
    instructions: [SystemProgram.transfer({ fromPubkey: D, toPubkey: bot.publicKey, lamports })],
  }).compileToLegacyMessage();
  const solanaUse = (lamports: number) => approveSolanaMessage(client, { policy, session: verified.session, delegate: bot.publicKey, message: pay(lamports) });
  const paid = await client.deployOrThrow(await solanaUse(LAMPORTS_PER_SOL / 2), [bot]);
  cu.approve_solana_message = paid.computeUnits;
  const derived = paid.events.find((e) => e.name === "solanaMessageApproved")!.data;
  log("bot approved a SOL transfer; the program derived it from the message", {
    amount: String(derived.amount), programs: (derived.programs as PublicKey[]).map((p) => p.toBase58()),
  });
  const drain = await client.deploy(await solanaUse(10 * LAMPORTS_PER_SOL), [bot]);
  log("a stolen bot key tries to send 10 SOL (cap 1 SOL): nothing to declare, the bytes say it", { ok: drain.ok, error: drain.error });

  // 7. A verified EVM session: a Secp256k1 dWallet (its key held here in place of Ika's network), one chain, a fee cap.
  const evmKey = secp256k1.utils.randomPrivateKey();
  const evmWallet = await writeDwallet(chain, { authority: owner.publicKey, curve: Curve.Secp256k1, publicKey: secp256k1.getPublicKey(evmKey, true) });
  await client.deployOrThrow(await initializePolicy(client, { dwallet: evmWallet.address, initAuthority: owner.publicKey, admin: admin.publicKey }), [owner]);
  const evmPolicy = client.policyAddress(evmWallet.address, owner.publicKey);
  const router = "0x1111111111111111111111111111111111111111";
  const evmSession = await createSession(client, {
    policy: evmPolicy, admin: admin.publicKey, limits: {
      delegate: bot.publicKey, expirySlot: (await chain.getSlot()) + 500n, maxUses: 3, maxAmountPerTx: 10n ** 17n, // 0.1 ETH
      allowedPrograms: [evmWord(router)], format: "evm", evm: { chainId: 8453n, maxFee: 21_000n * 10n ** 10n },
    },
  });
  await client.deployOrThrow(evmSession, [admin]);
  const ethTx = (value: bigint) => ({ type: "eip1559" as const, chainId: 8453, nonce: 0, maxPriorityFeePerGas: 10n ** 9n, maxFeePerGas: 10n ** 10n, gas: 21_000n, to: router, value } as const);
  const evmUse = (value: bigint) => approveEvmTransaction(client, { policy: evmPolicy, session: evmSession.session, delegate: bot.publicKey, transaction: ethTx(value) });
  const sent = await evmUse(5n * 10n ** 16n);
  cu.approve_evm_transaction = (await client.deployOrThrow(sent, [bot])).computeUnits;
  await writeSignature(chain, sent.messageApproval, secp256k1.sign(sent.messageDigest, evmKey).toCompactRawBytes());
  const { signature: ethSignature } = await waitForSignature(chain, sent.messageApproval, { timeoutMs: 5_000 });
  const from = dwalletEvmAddress({ ...evmWallet, authority: owner.publicKey, state: 1 });
  log("bot approved a 0.05 ETH transfer on Base; with Ika's signature it is ready to broadcast", {
    from, signedTransaction: await signedEvmTransaction(evmTransactionBytes(ethTx(5n * 10n ** 16n)), ethSignature, from),
  });
  const permit = await client.deploy(await approveEvmTransaction(client, {
    policy: evmPolicy, session: evmSession.session, delegate: bot.publicKey, transaction: Uint8Array.from([0x19, 0x01, ...randomBytes(64)]),
  }), [bot]);
  log("a stolen bot key asks for a permit signature (EIP-712)", { ok: permit.ok, error: permit.error });

  // 8. Inspect.
  log("inspect", await inspectPolicy(client, policy));

  // 9. Revoke, and the next use fails.
  cu.revoke_session = (await client.deployOrThrow(await revokeSession(client, { policy, admin: admin.publicKey, session: create.session }), [admin])).computeUnits;
  const afterRevoke = await client.deploy(await use(10n), [bot]);
  log("bot tries after revoke", { ok: afterRevoke.ok, error: afterRevoke.error });

  log("compute units", cu);
  if (!tooMuch.error || !wrongVenue.error || !afterRevoke.error || !drain.error || !permit.error) throw new Error("a bound was not enforced");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
