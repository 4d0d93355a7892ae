/**
 * Compute-unit recording: suites call `recordCu(label, outcome)`; set
 * CU_REPORT=path to have the figures written as JSON when mocha exits.
 */
import * as fs from "fs";
import type { TxOutcome } from "../../app/src/chain";

const records = new Map<string, number[]>();

export function recordCu(label: string, outcome: TxOutcome): number {
  records.set(label, [...(records.get(label) ?? []), outcome.computeUnits]);
  return outcome.computeUnits;
}

export function cuRecords(): ReadonlyMap<string, number[]> {
  return records;
}

if (process.env.CU_REPORT) {
  process.on("exit", () => {
    const out = Object.fromEntries([...records].map(([k, v]) => [k, { runs: v.length, min: Math.min(...v), max: Math.max(...v) }]));
    fs.writeFileSync(process.env.CU_REPORT!, JSON.stringify(out, null, 2));
  });
}
