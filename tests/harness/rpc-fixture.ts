/**
 * A JSON-RPC endpoint on 127.0.0.1 (node http) over an in-process LiteSVM,
 * so the RPC path (`RpcChain`, web3.js's `Connection`, the CLI's `-u`, the
 * API's `--url`) runs against both programs without a validator, which
 * cannot be installed here.
 * It answers exactly the methods that path calls, in the shapes web3.js
 * validates; any other method is JSON-RPC's "method not found", so a new
 * call on the RPC path fails loudly here instead of passing untested.
 *
 * The chain is `startLocalChain()`'s (session_keys and Ika's program with its
 * coordinator); tests set up what Ika's network would (dWallets, signatures)
 * and fund keys through `chain` directly. Every transaction lands at once:
 * statuses are `finalized`, the slot does not move on its own.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { utils } from "@coral-xyz/anchor";
import { AccountInfo, PublicKey, Transaction } from "@solana/web3.js";
import type { AccountFilter, ChainError, DataSlice } from "../../app/src/chain";
import type { LiteSvmChain } from "../../app/src/chain/local";
import { startLocalChain } from "../../app/src/local";

export interface RpcFixture {
  /** http://127.0.0.1:<port> */
  url: string;
  chain: LiteSvmChain;
  /** The JSON-RPC methods called so far, in order. */
  calls: string[];
  close(): Promise<void>;
}

interface Landed {
  slot: number;
  tx: Transaction;
  err: unknown;
  logs: string[];
  computeUnits: number;
}

interface RpcRequest { id: unknown; method: string; params?: any[] }

/** JSON-RPC's error for a request naming an unknown method. */
class MethodNotFound extends Error {}

export async function startRpcFixture(): Promise<RpcFixture> {
  const chain = await startLocalChain();
  const landed = new Map<string, Landed>();
  const calls: string[] = [];
  const slot = async () => Number(await chain.getSlot());
  const withContext = async (value: unknown) => ({ context: { slot: await slot() }, value });

  const methods: Record<string, (params: any[]) => Promise<unknown>> = {
    getLatestBlockhash: async () => withContext(await chain.getLatestBlockhash()),
    getSlot: slot,
    // No blocks here: the block height is the slot, and LiteSVM's blockhashes never expire (lastValidBlockHeight is huge).
    getBlockHeight: slot,
    getMinimumBalanceForRentExemption: async ([length]) => chain.getMinimumBalanceForRentExemption(length),
    getAccountInfo: async ([address]) => withContext(rpcAccount(await chain.getAccountInfo(new PublicKey(address)))),
    getMultipleAccounts: async ([addresses]) =>
      withContext((await chain.getMultipleAccounts(addresses.map((a: string) => new PublicKey(a)))).map(rpcAccount)),
    // The chain's own listing (every account it has seen), filtered by it; the slice is cut here so `space` stays the whole account's.
    getProgramAccounts: async ([programId, config]) => {
      if ((config?.encoding ?? "base64") !== "base64") throw new Error(`getProgramAccounts: only encoding base64 is served, not ${config.encoding}`);
      const found = await chain.getProgramAccounts(new PublicKey(programId), (config?.filters ?? []).map(accountFilter));
      const slice: DataSlice | undefined = config?.dataSlice;
      const keyed = found.map(({ address, account }) => ({
        pubkey: address.toBase58(),
        account: slice ? { ...rpcAccount(account)!, data: [account.data.subarray(slice.offset, slice.offset + slice.length).toString("base64"), "base64"] } : rpcAccount(account),
      }));
      return config?.withContext ? withContext(keyed) : keyed;
    },
    simulateTransaction: async ([wire, config]) => {
      const tx = Transaction.from(Buffer.from(wire, "base64"));
      if (config?.replaceRecentBlockhash) tx.recentBlockhash = (await chain.getLatestBlockhash()).blockhash;
      const addresses: string[] = config?.accounts?.addresses ?? [];
      const sim = await chain.simulateTransaction(tx, addresses.map((a) => new PublicKey(a)));
      return withContext({
        err: sim.ok ? null : rpcError(sim.error!), logs: sim.logs, unitsConsumed: sim.computeUnits, returnData: null,
        accounts: config?.accounts ? addresses.map((a) => rpcAccount(sim.postAccounts.get(a) ?? null)) : null,
      });
    },
    sendTransaction: async ([wire]) => {
      const tx = Transaction.from(Buffer.from(wire, "base64"));
      const outcome = await chain.sendTransaction(tx);
      landed.set(outcome.signature, {
        slot: await slot(), tx, err: outcome.ok ? null : rpcError(outcome.error), logs: outcome.logs, computeUnits: outcome.computeUnits,
      });
      return outcome.signature;
    },
    getSignatureStatuses: async ([signatures]) =>
      withContext(signatures.map((s: string) => {
        const l = landed.get(s);
        return l ? { slot: l.slot, confirmations: null, err: l.err, confirmationStatus: "finalized" } : null;
      })),
    getTransaction: async ([signature]) => {
      const l = landed.get(signature);
      return l ? rpcTransaction(l) : null;
    },
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      let request: unknown;
      try {
        request = JSON.parse(body);
      } catch {
        return res.writeHead(400).end();
      }
      const answer = async ({ id, method, params }: RpcRequest) => {
        calls.push(method);
        try {
          if (!methods[method]) throw new MethodNotFound(`method not found: ${method}`);
          return { jsonrpc: "2.0", id, result: await methods[method](params ?? []) };
        } catch (e) {
          return { jsonrpc: "2.0", id, error: { code: e instanceof MethodNotFound ? -32601 : -32603, message: (e as Error).message } };
        }
      };
      const reply = Array.isArray(request) ? await Promise.all(request.map(answer)) : await answer(request as RpcRequest);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    chain,
    calls,
    close: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    }),
  };
}

/** An account as the RPC encodes it with `encoding: "base64"`. */
function rpcAccount(a: AccountInfo<Buffer> | null) {
  if (!a) return null;
  return { lamports: a.lamports, owner: a.owner.toBase58(), executable: a.executable, rentEpoch: 0, space: a.data.length, data: [a.data.toString("base64"), "base64"] };
}

/** A getProgramAccounts filter from the RPC's JSON (memcmp bytes base58 by default, or base64) back to the chain's (raw bytes). */
function accountFilter(f: { memcmp?: { offset: number; bytes: string; encoding?: string }; dataSize?: number }): AccountFilter {
  if (f.dataSize !== undefined) return { dataSize: f.dataSize };
  if (!f.memcmp) throw new Error(`getProgramAccounts: unsupported filter ${JSON.stringify(f)}`);
  const { offset, bytes, encoding = "base58" } = f.memcmp;
  if (encoding !== "base58" && encoding !== "base64") throw new Error(`getProgramAccounts: unsupported memcmp encoding ${encoding}`);
  return { memcmp: { offset, bytes: encoding === "base58" ? Buffer.from(utils.bytes.bs58.decode(bytes)) : Buffer.from(bytes, "base64") } };
}

/** A normalised error back in the RPC's JSON (`{"InstructionError":[0,{"Custom":6000}]}`): what `fromRpcError` reads. */
function rpcError(e: ChainError): unknown {
  if (e.instructionIndex === undefined) return e.name;
  return { InstructionError: [e.instructionIndex, e.name === "Custom" ? { Custom: e.customCode } : e.name] };
}

/** A landed transaction as getTransaction returns it (`encoding: "json"`). */
function rpcTransaction(l: Landed) {
  const message = l.tx.compileMessage();
  return {
    slot: l.slot,
    blockTime: null,
    meta: {
      err: l.err, fee: 5000 * message.header.numRequiredSignatures, preBalances: [], postBalances: [],
      logMessages: l.logs, computeUnitsConsumed: l.computeUnits, innerInstructions: [],
    },
    transaction: {
      signatures: l.tx.signatures.map((s) => utils.bytes.bs58.encode(s.signature ?? Buffer.alloc(64))),
      message: {
        accountKeys: message.accountKeys.map((k) => k.toBase58()),
        header: message.header,
        instructions: message.instructions.map((ix) => ({ programIdIndex: ix.programIdIndex, accounts: ix.accounts, data: ix.data })),
        recentBlockhash: message.recentBlockhash,
      },
    },
  };
}
