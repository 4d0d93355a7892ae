/**
 * The program's message parser agrees with @solana/web3.js: 1,000 random
 * well-formed messages (legacy and v0, with lookup tables) from
 * tests/model/solana-message-gen.ts, each with what
 * `VersionedMessage.deserialize` reads from it (header, static keys,
 * blockhash, every instruction's program, accounts and data, every lookup),
 * are written to a corpus file, and the program's own parser
 * (`solana_message::Message::parse`, the code the deployed program runs,
 * compiled for the host) reads each and must find the same fields
 * (`parse_agrees_with_web3_corpus` in solana_message_tests.rs, run here).
 * What the program then decides from them is verified-property.test.ts.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair, PublicKey, VersionedMessage } from "@solana/web3.js";
import { solanaMessageArb } from "./model/solana-message-gen";

const RUNS = 1000;
const SEED = 20261202;
const ROOT = path.resolve(__dirname, "..");

describe("the program's Solana message parser == @solana/web3.js's (1,000 messages, host build of the program's parser)", function () {
  this.timeout(600_000);

  it("same header, keys, blockhash, instructions and lookups", () => {
    const ctx = {
      dwallet: Keypair.generate().publicKey, mint: Keypair.generate().publicKey, otherMint: Keypair.generate().publicKey,
      thirdParty: [Keypair.generate().publicKey, Keypair.generate().publicKey], others: Array.from({ length: 6 }, () => Keypair.generate().publicKey),
    };
    const hex = (b: Uint8Array) => (b.length ? Buffer.from(b).toString("hex") : "-");
    const lines: string[] = [];
    for (const bytes of fc.sample(solanaMessageArb(ctx), { seed: SEED, numRuns: RUNS })) {
      const m = VersionedMessage.deserialize(bytes);
      lines.push(`M ${hex(bytes)}`, `V ${m.version === 0 ? 1 : 0}`,
        `H ${m.header.numRequiredSignatures} ${m.header.numReadonlySignedAccounts} ${m.header.numReadonlyUnsignedAccounts}`,
        `K ${hex(Buffer.concat(m.staticAccountKeys.map((k) => k.toBuffer())))}`, `B ${hex(new PublicKey(m.recentBlockhash).toBuffer())}`);
      for (const ix of m.compiledInstructions) lines.push(`I ${ix.programIdIndex} ${hex(Uint8Array.from(ix.accountKeyIndexes))} ${hex(ix.data)}`);
      for (const l of m.addressTableLookups) lines.push(`L ${hex(l.accountKey.toBuffer())} ${hex(Uint8Array.from(l.writableIndexes))} ${hex(Uint8Array.from(l.readonlyIndexes))}`);
      lines.push("E");
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-corpus-"));
    const corpus = path.join(dir, "messages.txt");
    fs.writeFileSync(corpus, lines.join("\n") + "\n");
    try {
      const r = spawnSync("cargo", ["test", "--quiet", "-p", "session-keys", "--lib", "parse_agrees_with_web3_corpus", "--", "--ignored", "--nocapture"], {
        cwd: ROOT, encoding: "utf8", env: { ...process.env, SOLANA_MESSAGE_CORPUS: corpus },
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.include(`compared ${RUNS} messages with web3.js's parse`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
