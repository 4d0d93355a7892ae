/**
 * `expectError(promise, "ExactName")`: the transaction must fail, and with
 * exactly that error: an Anchor error name from our IDL or Anchor itself,
 * Ika's one custom error, a System program error, or a runtime variant.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { ChainError, TransactionFailedError, TxOutcome } from "../../app/src/chain";
import { ErrorRegistry, NamedFailure, nameFailure } from "../../app/src/client/errors";
import { IKA_ERRORS, IKA_PROGRAM_ID } from "../../app/src/client/ika";
import { REPO_ROOT, SESSION_KEYS_ID } from "./programs";

let registry: ErrorRegistry | undefined;

/** Our IDL's errors (read from target/idl at run time) + Ika's + the System program's. */
export function testErrorRegistry(): ErrorRegistry {
  if (registry) return registry;
  registry = new ErrorRegistry().register(IKA_PROGRAM_ID.toBase58(), IKA_ERRORS);
  const idlPath = path.join(REPO_ROOT, "target/idl/session_keys.json");
  if (fs.existsSync(idlPath)) {
    const idl = JSON.parse(fs.readFileSync(idlPath, "utf8")) as { errors?: { code: number; name: string }[] };
    registry.register(SESSION_KEYS_ID.toBase58(), idl.errors ?? []);
  }
  return registry;
}

/** What a failed send/simulate looks like, whichever way it was reported. */
interface FailureLike { logs: string[]; error: ChainError | NamedFailure }

/** Accepts TxOutcome/SimOutcome (ChainError), client Deploy/PreviewResult (NamedFailure), or a thrown TransactionFailedError. */
function asFailure(value: unknown): FailureLike | undefined {
  if (value instanceof TransactionFailedError) return value.outcome;
  const v = value as Partial<TxOutcome> & { error?: ChainError | NamedFailure };
  if (v && v.ok === false && v.error) return { logs: v.logs ?? [], error: v.error };
  return undefined;
}

function named(f: FailureLike): NamedFailure {
  return "raw" in f.error ? nameFailure(f.logs, f.error, testErrorRegistry()) : f.error;
}

/**
 * Await `promise` (resolving to a TxOutcome/SimOutcome, or rejecting with
 * TransactionFailedError) and assert it failed with `expectedName`.
 * Returns the named failure for further assertions.
 */
export async function expectError(promise: Promise<unknown>, expectedName: string): Promise<NamedFailure> {
  let settled: unknown;
  try {
    settled = await promise;
  } catch (e) {
    settled = e;
  }
  const failure = asFailure(settled);
  if (!failure) {
    if (settled instanceof Error) throw settled; // an unrelated crash is not the expected failure
    expect.fail(`expected failure ${expectedName}, but the transaction succeeded`);
  }
  const result = named(failure);
  expect(result.name, `wrong error; logs:\n${failure.logs.join("\n")}`).to.equal(expectedName);
  return result;
}

/** Assert success and return the outcome, showing the named error and logs otherwise. */
export async function expectOk<T extends { ok: boolean }>(promise: Promise<T>): Promise<T> {
  const outcome = await promise;
  const failure = asFailure(outcome);
  if (failure) {
    expect.fail(`expected success, failed with ${named(failure).name}; logs:\n${failure.logs.join("\n")}`);
  }
  return outcome;
}
