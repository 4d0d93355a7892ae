/**
 * `describeOnEachRuntime(title, fn)`: one mocha suite per selected runtime,
 * each test with a fresh chain (or one per suite with `{ fresh: "suite" }`).
 */
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { ChainProvider, KeypairWallet, LocalChain } from "../../app/src/chain";
import { deployIka } from "../../app/src/local/ika-network";
import { builtPrograms, CPI_CALLER_ID, CPI_CALLER_SO, IKA, SESSION_KEYS_SO } from "./programs";
import { LocalRuntime, selectedRuntimes, startChain } from "./runtime";

export interface TestEnv {
  runtime: LocalRuntime;
  chain: LocalChain;
  /** A funded keypair that pays fees and rent by default. */
  payer: Keypair;
  /** Provider whose wallet is `payer`. */
  provider: ChainProvider;
  /** New keypairs, each funded with `sol` SOL (default 10). */
  funded(count?: number, sol?: number): Promise<Keypair[]>;
  /** Fund existing addresses. */
  fund(address: PublicKey, sol?: number): Promise<void>;
}

export interface SuiteOptions {
  /** Deploy session_keys (target/deploy) and Ika's program with its coordinator (default true). */
  programs?: boolean;
  /** "test": a fresh chain per test (default). "suite": one chain for the whole suite. */
  fresh?: "test" | "suite";
  /** Also deploy session_keys.so at these addresses: copies of the program at a wrong program id. */
  copiesAt?: PublicKey[];
  /** Also deploy the CPI-caller fixture at `CPI_CALLER_ID`. */
  cpiCaller?: boolean;
}

export async function createEnv(runtime: LocalRuntime, options: SuiteOptions = {}): Promise<TestEnv> {
  const copies = (options.copiesAt ?? []).map((programId) => ({ programId, soPath: SESSION_KEYS_SO }));
  const caller = options.cpiCaller ? [{ programId: CPI_CALLER_ID, soPath: CPI_CALLER_SO }] : [];
  const chain = await startChain(runtime, [...(options.programs === false ? [] : builtPrograms()), ...copies, ...caller]);
  if (options.programs !== false) await deployIka(chain, IKA);
  const payer = Keypair.generate();
  await chain.airdrop(payer.publicKey, 1_000n * BigInt(LAMPORTS_PER_SOL));
  const fund = async (address: PublicKey, sol = 10) => chain.airdrop(address, BigInt(Math.round(sol * LAMPORTS_PER_SOL)));
  return {
    runtime,
    chain,
    payer,
    provider: new ChainProvider(chain, new KeypairWallet(payer)),
    fund,
    async funded(count = 1, sol = 10) {
      const keys = Array.from({ length: count }, () => Keypair.generate());
      for (const k of keys) await fund(k.publicKey, sol);
      return keys;
    },
  };
}

// Every run says which Ika it used (a root hook: this module loads once).
before(() => console.log(`    [${IKA.describe()}]`));

/**
 * Runs `fn` as a suite once per runtime. `fn` receives a getter, because the
 * environment is built in a hook after mocha has collected the tests.
 */
export function describeOnEachRuntime(title: string, fn: (env: () => TestEnv) => void, options: SuiteOptions = {}) {
  for (const runtime of selectedRuntimes()) {
    describe(`${title} [${runtime}]`, function () {
      this.timeout(60_000);
      let env: TestEnv | undefined;
      const setup = async () => {
        env = await createEnv(runtime, options);
      };
      if (options.fresh === "suite") before(setup);
      else beforeEach(setup);
      fn(() => {
        if (!env) throw new Error("test environment not ready (used outside a test or hook?)");
        return env;
      });
    });
  }
}
