/**
 * The program's EVM transaction parser agrees with viem: 1,000 random
 * EIP-1559 transactions from tests/model/evm-transaction-gen.ts, serialized
 * by viem, each with what viem's `parseTransaction` reads from it (chain id,
 * nonce, fee per gas, gas limit, `to`, value, calldata, the access list's
 * size), are written to a corpus file, and the program's own parser
 * (`evm_transaction::Transaction::parse`, the code the deployed program runs,
 * compiled for the host) reads each and must find the same fields
 * (`parse_agrees_with_viem_corpus` in evm_transaction_tests.rs, run here).
 * A transaction viem reads but the doc's parse refuses — past 1,232 bytes, a
 * gas limit past 64 bits, an access list past 8 addresses or 32 keys — must
 * be refused by that name. What the program then decides from the fields is
 * verified-evm-property.test.ts.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseTransaction, toHex } from "viem";
import { EvmGenContext, evmTransactionArb } from "./model/evm-transaction-gen";
import {
  MAX_ACCESS_LIST_ADDRESSES, MAX_ACCESS_LIST_KEYS, MAX_TRANSACTION_LEN, parseEvmTransaction, U64_MAX,
} from "./model/evm-transaction-model";

const RUNS = 1000;
const SEED = 20261204;
const ROOT = path.resolve(__dirname, "..");

const ctx: EvmGenContext = {
  chainId: 8453, otherChainIds: [1, 10, 84532], maxFee: 21_000n * 2_000_000_000n, amountEdges: [10n ** 18n, (1n << 128n) - 1n],
  allowed: ["0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222"],
  token: "0x2222222222222222222222222222222222222222", others: ["0xbad0bad0bad0bad0bad0bad0bad0bad0bad0bad0"],
};

/** The parse refusal the doc names for a transaction viem reads, from viem's fields; "ok" when there is none. */
function expectedParse(bytes: Uint8Array, tx: ReturnType<typeof parseTransaction>): string {
  if (bytes.length > MAX_TRANSACTION_LEN) return "MessageTooLong";
  if ((tx.gas ?? 0n) > U64_MAX) return "EvmTransactionMalformed";
  let [addresses, keys] = [0, 0];
  for (const entry of tx.accessList ?? []) {
    addresses += 1;
    keys += entry.storageKeys.length;
    if (addresses > MAX_ACCESS_LIST_ADDRESSES || keys > MAX_ACCESS_LIST_KEYS) return "EvmAccessListTooLong";
  }
  return "ok";
}

describe("the program's EVM transaction parser == viem's (1,000 transactions, host build of the program's parser)", function () {
  this.timeout(600_000);

  it("same chain id, nonce, fee per gas, gas, to, value and calldata; the doc's bounds refused by name", () => {
    const hex = (b: string | undefined) => (b && b !== "0x" ? b.slice(2) : "-");
    const lines: string[] = [];
    const results = new Map<string, number>();
    for (const { bytes } of fc.sample(evmTransactionArb(ctx), { seed: SEED, numRuns: RUNS })) {
      const tx = parseTransaction(toHex(bytes));
      expect(tx.type).to.equal("eip1559");
      if (tx.type !== "eip1559") continue;
      const result = expectedParse(bytes, tx);
      // the model reads the same (its own test of its parse against viem's)
      const model = parseEvmTransaction(bytes);
      expect(model.ok ? "ok" : model.error, toHex(bytes)).to.equal(result);
      results.set(result, (results.get(result) ?? 0) + 1);
      const keys = (tx.accessList ?? []).reduce((n, e) => n + e.storageKeys.length, 0);
      lines.push(
        `T ${hex(toHex(bytes))}`,
        `F ${tx.chainId} ${tx.nonce ?? 0} ${tx.maxFeePerGas ?? 0n} ${tx.gas ?? 0n} ${hex(tx.to ?? undefined)} ${tx.value ?? 0n} ${hex(tx.data)}`,
        `A ${(tx.accessList ?? []).length} ${keys}`,
        `R ${result}`,
        "E",
      );
    }
    console.log(`      corpus: ${[...results.entries()].sort().map(([k, v]) => `${k} ${v}`).join(", ")}`);
    expect(results.get("ok") ?? 0).to.be.greaterThan(RUNS / 2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-evm-corpus-"));
    const corpus = path.join(dir, "transactions.txt");
    fs.writeFileSync(corpus, lines.join("\n") + "\n");
    try {
      const r = spawnSync("cargo", ["test", "--quiet", "-p", "session-keys", "--lib", "parse_agrees_with_viem_corpus", "--", "--ignored", "--nocapture"], {
        cwd: ROOT, encoding: "utf8", env: { ...process.env, EVM_TRANSACTION_CORPUS: corpus },
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.include(`compared ${RUNS} transactions with viem's parse`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
