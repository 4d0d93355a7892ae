/**
 * Where approve_message's compute units go, read from the `cu_probe!` marks of
 * the probe build (feature `cu-probes`; scripts/bench-probes.sh builds it into
 * target/probes and points SBF_OUT_DIR at it). Each probe logs its label, then
 * the units left; a part costs the units spent since the previous probe less
 * one probe's own cost, measured by the first two probes, back to back.
 *
 * The probes are calls the optimizer cannot move code across, so the probe
 * build is a little slower than the deployed one: the parts add up to a little
 * more than `npm run bench` reports. The table says how much.
 */
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { ComputeBudgetProgram, Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, TransactionMessage } from "@solana/web3.js";
import { consumedByProgram, KeypairWallet } from "../app/src/chain";
import { approveMessage, approveSolanaMessage, createSession, DeployResult, SESSION_KEYS_PROGRAM_ID } from "../app/src/client";
import { DESTINATION, fmt, LITESVM_VERSION, median, sum } from "./common";
import { IKA_PROGRAM_ID } from "../app/src/client";
import { createLocalPolicy, localClient, localIka, REPO_ROOT, startLocalChain } from "../app/src/local";

const SAMPLES = 25;

interface Probe { label: string; remaining: number }

/** The probes of our program's own frame (depth 1), in order. */
function probes(logs: string[]): Probe[] {
  const out: Probe[] = [];
  let depth = 0;
  let label: string | undefined;
  for (const line of logs) {
    if (/^Program \w+ invoke \[\d+\]$/.test(line)) depth++;
    else if (/^Program \w+ (success|failed)/.test(line)) depth--;
    else if (depth === 1 && line.startsWith("Program log: ")) label = line.slice("Program log: ".length);
    else if (depth === 1 && label !== undefined) {
      const m = /^Program consumption: (\d+) units remaining$/.exec(line);
      if (m) out.push({ label, remaining: Number(m[1]) });
      label = undefined;
    }
  }
  return out;
}

type Use = () => Promise<DeployResult>;

/** The parts of one kind of use, median over SAMPLES uses. */
async function measure(title: string, use: Use): Promise<string[]> {
  const parts = new Map<string, number[]>();
  const totals: { own: number; probe: number; probes: number; ikaShare: number }[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const r = await use();
    const ps = probes(r.logs);
    if (ps.length < 3 || ps[0].label !== "start" || ps[1].label !== "calibrate") {
      throw new Error(`no probes in the logs: is ${SESSION_KEYS_PROGRAM_ID.toBase58()} the probe build?\n${r.logs.join("\n")}`);
    }
    const overhead = ps[0].remaining - ps[1].remaining;
    const ikaShare = sum(consumedByProgram(r.logs).get(IKA_PROGRAM_ID.toBase58()));
    for (let j = 2; j < ps.length; j++) {
      let cu = ps[j - 1].remaining - ps[j].remaining - overhead;
      if (ps[j].label.startsWith("CPI call")) cu -= ikaShare;
      parts.set(ps[j].label, [...(parts.get(ps[j].label) ?? []), cu]);
    }
    totals.push({ own: r.computeUnits - ikaShare, probe: overhead, probes: ps.length, ikaShare });
  }
  const rows = [...parts].map(([label, cus]) => ({ label, cu: median(cus) }));
  const measured = rows.reduce((a, r) => a + r.cu, 0);
  const own = median(totals.map((t) => t.own - t.probe * t.probes));
  return [
    `## ${title}`,
    "",
    `Median of ${SAMPLES} uses. Each part is the compute units spent since the previous probe, less one probe's own cost (${fmt(median(totals.map((t) => t.probe)))} CU).`,
    `${localIka().describe()}. Ika's own units (its "consumed" log line, ${fmt(median(totals.map((t) => t.ikaShare)))}) are taken out of the CPI call.`,
    "",
    "| part | CU |",
    "|---|---:|",
    ...rows.map((r) => `| ${r.label} | ${fmt(r.cu)} |`),
    `| entry and exit, outside the probes | ${fmt(own - measured)} |`,
    `| **own work of the probe build, probes taken out** | **${fmt(own)}** |`,
    "",
  ];
}

async function main() {
  const chain = await startLocalChain();
  const [payer, admin, delegate] = Array.from({ length: 3 }, () => Keypair.generate());
  for (const k of [payer, admin, delegate]) await chain.airdrop(k.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
  const client = localClient(chain, new KeypairWallet(payer));
  const { policy, wallet } = await createLocalPolicy(chain, payer, admin.publicKey);
  const expirySlot = (await chain.getSlot()) + 10_000n;
  const create = await createSession(client, { policy, admin: admin.publicKey, limits: {
    delegate: delegate.publicKey, expirySlot, maxUses: 1_000, maxAmountPerTx: 1_000n, allowedPrograms: [DESTINATION] } });
  await client.deployOrThrow(create, [admin]);
  const opaque = await measure("approve_message (opaque)", async () => client.deployOrThrow(await approveMessage(client, {
    policy, session: create.session, delegate: delegate.publicKey, messageDigest: randomBytes(32), amount: 7n, destinationProgram: DESTINATION,
  }), [delegate]));

  const verified = await createSession(client, { policy, admin: admin.publicKey, limits: {
    delegate: delegate.publicKey, expirySlot, maxUses: 1_000, maxAmountPerTx: 10n ** 12n, allowedPrograms: [SystemProgram.programId], format: "solana" } });
  await client.deployOrThrow(verified, [admin]);
  const D = new PublicKey(wallet.publicKey);
  const to = Keypair.generate().publicKey;
  const solana = await measure("approve_solana_message (3 instructions: compute unit limit and price, SOL transfer)", async () => {
    const message = new TransactionMessage({ payerKey: D, recentBlockhash: Keypair.generate().publicKey.toBase58(), instructions: [
      ComputeBudgetProgram.setComputeUnitLimit({ units: 50_000 }), ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 10 }),
      SystemProgram.transfer({ fromPubkey: D, toPubkey: to, lamports: 1_000 }),
    ] }).compileToLegacyMessage();
    return client.deployOrThrow(await approveSolanaMessage(client, { policy, session: verified.session, delegate: delegate.publicKey, message }), [delegate]);
  });

  const md = [
    `# The use path, part by part (probe build, LiteSVM ${LITESVM_VERSION})`,
    "",
    ...opaque,
    ...solana,
    "`npm run bench` measures the deployed build; the probes keep the optimizer from moving code across them, so the two differ a little.",
    "",
  ].join("\n");
  process.stdout.write(md);
  const out = path.join(REPO_ROOT, "target/bench-probes.md");
  fs.writeFileSync(out, md);
  console.log(`\n(written to ${path.relative(process.cwd(), out)})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
