/**
 * Which in-process runtimes a test run uses, and how to start one.
 * RUNTIME=litesvm | bankrun | both (default both).
 */
import type { LocalChain } from "../../app/src/chain";
import { BankrunChain, BankrunProgram, LiteSvmChain } from "../../app/src/chain/local";

export type LocalRuntime = "litesvm" | "bankrun";

export function selectedRuntimes(): LocalRuntime[] {
  const choice = (process.env.RUNTIME ?? "both").toLowerCase();
  if (choice === "litesvm" || choice === "bankrun") return [choice];
  if (choice === "both") return ["litesvm", "bankrun"];
  throw new Error(`RUNTIME must be litesvm, bankrun or both (got "${process.env.RUNTIME}")`);
}

/** A fresh chain with `programs` deployed. */
export async function startChain(runtime: LocalRuntime, programs: BankrunProgram[] = []): Promise<LocalChain> {
  if (runtime === "bankrun") return BankrunChain.start(programs);
  const chain = new LiteSvmChain();
  for (const p of programs) await chain.addProgram(p.programId, p.soPath);
  return chain;
}
