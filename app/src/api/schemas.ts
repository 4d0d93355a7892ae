/**
 * The API's request and response schemas (TypeBox, so JSON Schema 2020-12
 * compatible): fastify validates every request against them and
 * ./openapi.ts publishes them as the OpenAPI 3.1 document. Every object a
 * request carries is closed (`additionalProperties: false`): a misspelt limit
 * is a 400 naming it, never a silently missing limit.
 *
 * A `description` on a scalar finishes the sentence "<field> must be …":
 * ./validation.ts builds the 400 message from it.
 */
import { Static, TObject, TProperties, TSchema, Type } from "@sinclair/typebox";

// ---------------------------------------------------------------- scalars

export const Pubkey = Type.String({ pattern: "^[1-9A-HJ-NP-Za-km-z]{32,44}$", description: "a base58 public key" });
/** u64 and u128 values: decimal strings (any size) or JSON integers (up to 2^53); the handlers range-check them. */
const Unsigned = (digits: number, type: string) =>
  Type.Union([Type.String({ pattern: `^[0-9]{1,${digits}}$` }), Type.Integer({ minimum: 0 })], {
    description: `an unsigned integer (${type}: a decimal string, or a JSON integer below 2^53)`,
  });
export const U64 = Unsigned(20, "u64");
export const U128 = Unsigned(39, "u128");
export const U32 = Type.Integer({ minimum: 0, maximum: 0xffffffff, description: "an integer 0 ..= 2^32-1" });
export const Base64 = Type.String({ pattern: "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", minLength: 4, description: "base64" });
export const Hex32 = Type.String({ pattern: "^(0x)?[0-9a-fA-F]{64}$", description: "32 bytes of hex" });
export const EvmAddress = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "an EVM address (0x and 40 hex digits)" });
/** Bytes as 0x-hex (an EVM transaction). */
export const HexBytes = Type.String({ pattern: "^0x([0-9a-fA-F]{2})+$", maxLength: 2 + 2 * 1232, description: "0x-prefixed hex bytes (at most 1,232)" });
const Flag = Type.Boolean({ description: "true or false" });

/** A request body: closed, so an unknown field is refused. */
export const Body = <T extends TProperties>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

// ---------------------------------------------------------------- addressing

/** How a body names an existing policy: its address, or the dWallet and the key that handed it over. */
const PolicyRef = {
  policy: Type.Optional(Pubkey),
  dwallet: Type.Optional(Pubkey),
  initAuthority: Type.Optional(Pubkey),
};

export const SessionParams = Type.Object({
  session: Type.String({ description: "the session's address, or its id under the policy the body names (`policy`, or `dwallet` + `initAuthority`)" }),
});
export const PolicyParams = Type.Object({ policy: Pubkey });
export const AddressParams = Type.Object({ address: Pubkey });

// ---------------------------------------------------------------- bodies

/** A session's allowlist, as it reads its entries (base58 keys; an evm session's, 0x addresses). */
const AllowedPrograms = Type.Array(Type.Union([Pubkey, EvmAddress], { description: "a base58 public key (in an evm session, an EVM address: 0x and 40 hex digits)" }), {
  minItems: 1, maxItems: 8, description: "1 ..= 8 programs (base58), or for an evm session EVM addresses (0x…)",
});

const LIMITS = {
  delegate: Pubkey,
  expirySlot: Type.Optional(U64),
  expiresInSlots: Type.Optional(U64),
  maxUses: U32,
  maxAmountPerTx: U128,
  maxTotalAmount: Type.Optional(U128),
  allowedSchemes: Type.Optional(U32),
  allowedPrograms: AllowedPrograms,
  format: Type.Optional(Type.Union([Type.Literal("opaque"), Type.Literal("solana"), Type.Literal("evm")], { description: "opaque, solana or evm" })),
  assetMint: Type.Optional(Type.Union([Pubkey, EvmAddress], { description: "a base58 SPL mint (default lamports), or in an evm session an ERC-20 contract's EVM address (default wei)" })),
  evm: Type.Optional(Body({
    chainId: U64,
    maxFee: U128,
    anyCallMask: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: "an integer 0 ..= 255 (bit i: allowlist entry i takes any calldata)" })),
  }, "an evm session's own limits: its chain id, the fee cap in wei on maxFeePerGas × gas, the any-call mask")),
  allowDurableNonce: Type.Optional(Flag),
  allowCpi: Type.Optional(Flag),
};
/** Signers and payer of an admin action; each defaults to the server's admin key. */
const ADMIN = { admin: Type.Optional(Pubkey), payer: Type.Optional(Pubkey) };

export const InitializePolicyBody = Body({
  dwallet: Pubkey,
  initAuthority: Type.Optional(Pubkey),
  admin: Type.Optional(Pubkey),
  payer: Type.Optional(Pubkey),
}, "initialize_policy: the dWallet's current authority (`initAuthority`) hands it to a policy administered by `admin`");

export const CreateSessionBody = Body({ ...PolicyRef, ...LIMITS, ...ADMIN }, "create_session: the limits of a new session (exactly one of expirySlot, expiresInSlots)");

export const UpdateSessionBody = Body({
  ...PolicyRef,
  expirySlot: Type.Optional(U64),
  expiresInSlots: Type.Optional(U64),
  maxUses: Type.Optional(U32),
  maxAmountPerTx: Type.Optional(U128),
  maxTotalAmount: Type.Optional(U128),
  allowedSchemes: Type.Optional(U32),
  allowedPrograms: Type.Optional(AllowedPrograms),
  admin: Type.Optional(Pubkey),
}, "update_session: the limits to change (at least one); the rest stay");

export const SessionAdminBody = Body({ ...PolicyRef, admin: Type.Optional(Pubkey) });
export const CloseSessionBody = Body({ ...PolicyRef, admin: Type.Optional(Pubkey), rentReceiver: Type.Optional(Pubkey) });
export const PolicyAdminBody = Body({ admin: Type.Optional(Pubkey) });
export const ProposeAdminBody = Body({ newAdmin: Pubkey, admin: Type.Optional(Pubkey) }, "propose_admin: step one of an admin change (the default key cancels a proposal)");
export const AcceptAdminBody = Body({ newAdmin: Type.Optional(Pubkey) }, "accept_admin: the proposed admin takes over");
export const ReleaseBody = Body({ newAuthority: Pubkey, admin: Type.Optional(Pubkey) }, "release_dwallet: hand the dWallet to a new authority; the policy is Released");

export const SignedTransactionBody = Body({
  transaction: Type.String({ description: "base64 of a signed wire transaction (legacy or v0)", minLength: 4 }),
}, "a transaction the caller signed (typically the one the matching /preview returned)");

/**
 * A deploy body: `{ transaction }` signed by the caller, or else the action's
 * parameters for the server's admin key to sign. `if`/`then`/`else` rather
 * than `anyOf`, so a refusal names the problem of the form that was meant.
 */
export function SignedOr<T extends TObject>(params: T) {
  return Type.Unsafe<Static<typeof SignedTransactionBody> | Static<T>>({
    if: { type: "object", required: ["transaction"] },
    then: SignedTransactionBody,
    else: params,
  });
}

/** Which form a validated deploy body took. */
export function isSigned<T>(b: Static<typeof SignedTransactionBody> | T): b is Static<typeof SignedTransactionBody> {
  return typeof b === "object" && b !== null && "transaction" in b;
}

export const ApproveBody = Body({
  ...PolicyRef,
  delegate: Pubkey,
  payer: Type.Optional(Pubkey),
  messageDigest: Type.Optional(Hex32),
  message: Type.Optional(Base64),
  transaction: Type.Optional(HexBytes),
  amount: Type.Optional(U128),
  destinationProgram: Type.Optional(Pubkey),
  signatureScheme: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffff, description: "a signature scheme number 0 ..= 65535" })),
  messageMetadataDigest: Type.Optional(Hex32),
  signatureNonce: Type.Optional(Hex32),
  userPubkey: Type.Optional(Hex32),
  computeUnitPrice: Type.Optional(U64),
}, "approve_message (opaque session: messageDigest, amount, destinationProgram), approve_solana_message (solana session: message, the serialized Solana message) or approve_evm_transaction (evm session: transaction, the unsigned EIP-1559 transaction as 0x-hex); the nonce is the session's; computeUnitPrice (micro-lamports) adds a ComputeBudget SetComputeUnitPrice instruction");

export const SignedEvmBody = Body({ transaction: HexBytes, ...PolicyRef }, "the unsigned EIP-1559 transaction the approval is for, and the policy whose dWallet signed it");

export const SolanaMessageBody = Body({ ...PolicyRef, delegate: Pubkey, message: Base64, payer: Type.Optional(Pubkey) });

export const InspectQuery = Type.Object({
  initAuthority: Type.Optional(Pubkey),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: "an integer 1 ..= 500" })),
  cursor: Type.Optional(Type.String({ description: "the nextCursor of the previous page" })),
}, { additionalProperties: false });

// ---------------------------------------------------------------- responses

/** Objects the client produces: the main fields documented, more may follow. */
const Open = <T extends TProperties>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });

export const ErrorReply = Open({
  error: Type.String({ description: "a stable name: BadRequest, Unauthorized, Forbidden, PolicyNotFound, …, or the program's own error name (422)" }),
  message: Type.String(),
});

export const Simulation = Open({
  ok: Type.Boolean(),
  computeUnits: Type.Integer(),
  error: Type.Optional(Type.String({ description: "the program's exact error name, when ok is false" })),
}, "the simulation: compute units, rent, the resulting account state, or the program's error name");

export const PreviewReply = Open({
  action: Type.String(),
  transaction: Type.String({ description: "the unsigned transaction, base64: sign it and POST it as { transaction }" }),
  signers: Type.Array(Type.String()),
  simulation: Simulation,
});

export const DeployReply = Open({ signature: Type.String(), computeUnits: Type.Integer() });
export const RelayReply = Open({
  signature: Type.String(),
  computeUnits: Type.Integer(),
  instructions: Type.Array(Type.String(), { description: "the session-keys instructions it ran" }),
  events: Type.Array(Type.Unknown()),
});

export const SessionView = Open({ id: Type.Integer(), address: Type.String(), status: Type.String() });
export const PolicyView = Open({
  address: Type.String(), dwallet: Type.String(), admin: Type.String(), status: Type.String(), nextSessionId: Type.String(),
  sessions: Type.Array(SessionView), nextCursor: Type.Union([Type.String(), Type.Null()]),
}, "one policy and a page of its sessions (ids walked in order; a closed id reads as closed)");
export const DwalletPolicies = Open({
  dwallet: Type.String(), slot: Type.String(), policies: Type.Array(Open({ address: Type.String() })),
  sessions: Type.Array(SessionView), nextCursor: Type.Union([Type.String(), Type.Null()]),
}, "every policy of a dWallet and a page of their existing sessions (by policy address, then id)");

export const Health = Open({ ok: Type.Boolean(), chain: Type.String(), slot: Type.String(), programId: Type.String(), admin: Type.Union([Type.String(), Type.Null()]) });

/** Responses a route documents: its success, and the error shape for every failure status it can give. */
export function replies(success: Record<number, TSchema>, errors: number[] = [400, 401, 403, 404, 422]): Record<number, TSchema> {
  return { ...success, ...Object.fromEntries(errors.map((status) => [status, ErrorReply])) };
}
