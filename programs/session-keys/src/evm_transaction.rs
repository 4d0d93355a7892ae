//! EVM transactions, read strictly, and the rules of an `evm` session
//! (docs/verified-sessions.md, "EVM sessions", which this file follows rule
//! by rule). Pure: bytes and rules in, a verdict or a named error out; the
//! use path (`instructions/approve_evm_transaction.rs`) and host tests call it.
//!
//! Only EIP-1559 (type 2) transactions are approved:
//!
//! ```text
//! 0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas,
//!              gas_limit, to, value, data, access_list])
//! ```
//!
//! Ethereum signs `keccak256` of exactly these bytes, which is the digest the
//! program hands Ika: what the program read is what the chain will execute.

use anchor_lang::prelude::Pubkey;

use crate::errors::SessionKeysError as E;
use crate::keys::{keys_eq, AlignedKey};

type R<T> = core::result::Result<T, E>;

/// The longest transaction a use carries (inline or through the message buffer).
pub const MAX_TRANSACTION_LEN: usize = 1232;
/// Access-list bounds: addresses, and storage keys over all of them.
pub const MAX_ACCESS_LIST_ADDRESSES: usize = 8;
pub const MAX_ACCESS_LIST_KEYS: usize = 32;

const TYPE_EIP1559: u8 = 0x02;
const TYPE_EIP7702: u8 = 0x04;
/// EIP-7702's first byte of what an authorization signs: `0x05 || rlp([chain_id, address, nonce])`.
const EIP7702_AUTHORIZATION_MAGIC: u8 = 0x05;
/// EIP-191's first byte: personal messages and EIP-712 typed data (permits).
const EIP191_PREFIX: u8 = 0x19;

/// `transfer(address,uint256)`.
pub const SELECTOR_TRANSFER: [u8; 4] = [0xa9, 0x05, 0x9c, 0xbb];
/// The selector and two ABI words.
const TRANSFER_CALLDATA_LEN: usize = 4 + 32 + 32;

// ---------------------------------------------------------------- RLP

/// A cursor over RLP items; every read past the end is `RlpTruncated`.
struct Rlp<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// One RLP item: a string (its bytes) or a list (its payload).
enum Item<'a> {
    Bytes(&'a [u8]),
    List(&'a [u8]),
}

impl<'a> Rlp<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn is_empty(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or(E::RlpTruncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(E::RlpTruncated)?;
        self.at = end;
        Ok(slice)
    }

    /// The length of a long form, `n` (1..=8) big-endian bytes: no leading
    /// zero, and above 55 (a shorter item has a short form).
    fn long_len(&mut self, n: usize) -> R<usize> {
        let bytes = self.take(n)?;
        if bytes[0] == 0 {
            return Err(E::RlpNonCanonical);
        }
        let len = bytes.iter().try_fold(0usize, |len, &b| {
            len.checked_mul(256)?.checked_add(b as usize)
        });
        match len {
            Some(len) if len > 55 => Ok(len),
            Some(_) => Err(E::RlpNonCanonical),
            None => Err(E::RlpTruncated),
        }
    }

    fn item(&mut self) -> R<Item<'a>> {
        let first = *self.bytes.get(self.at).ok_or(E::RlpTruncated)?;
        if first < 0x80 {
            return Ok(Item::Bytes(self.take(1)?));
        }
        self.at += 1;
        match first {
            0x80..=0xb7 => {
                let bytes = self.take((first - 0x80) as usize)?;
                // one byte below 0x80 is its own encoding
                if bytes.len() == 1 && bytes[0] < 0x80 {
                    return Err(E::RlpNonCanonical);
                }
                Ok(Item::Bytes(bytes))
            }
            0xb8..=0xbf => {
                let len = self.long_len((first - 0xb7) as usize)?;
                Ok(Item::Bytes(self.take(len)?))
            }
            0xc0..=0xf7 => Ok(Item::List(self.take((first - 0xc0) as usize)?)),
            _ => {
                let len = self.long_len((first - 0xf7) as usize)?;
                Ok(Item::List(self.take(len)?))
            }
        }
    }

    fn bytes(&mut self) -> R<&'a [u8]> {
        match self.item()? {
            Item::Bytes(bytes) => Ok(bytes),
            Item::List(_) => Err(E::EvmTransactionMalformed),
        }
    }

    fn list(&mut self) -> R<Rlp<'a>> {
        match self.item()? {
            Item::List(payload) => Ok(Rlp::new(payload)),
            Item::Bytes(_) => Err(E::EvmTransactionMalformed),
        }
    }

    /// An unsigned integer: at most 32 bytes (a uint256), no leading zero
    /// (zero is the empty string). `None` when it is 2^128 or more: above
    /// every cap a session can hold.
    fn uint(&mut self) -> R<Option<u128>> {
        let bytes = self.bytes()?;
        if bytes.len() > 32 {
            return Err(E::EvmTransactionMalformed);
        }
        if bytes.first() == Some(&0) {
            return Err(E::RlpNonCanonical);
        }
        if bytes.len() > 16 {
            return Ok(None);
        }
        Ok(Some(bytes.iter().fold(0u128, |v, &b| v << 8 | b as u128)))
    }

    /// A `uint64` field (chain id, nonce, gas limit), as Ethereum clients decode them.
    fn u64(&mut self) -> R<u64> {
        self.uint()?
            .and_then(|v| u64::try_from(v).ok())
            .ok_or(E::EvmTransactionMalformed)
    }
}

// ---------------------------------------------------------------- transaction

/// An EIP-1559 transaction whose bytes parsed: the fields the rules read.
pub struct Transaction<'a> {
    pub chain_id: u64,
    pub nonce: u64,
    /// `None`: 2^128 or more.
    pub max_fee_per_gas: Option<u128>,
    pub gas_limit: u64,
    /// `None`: contract creation.
    pub to: Option<&'a [u8; 20]>,
    /// Wei; `None`: 2^128 or more.
    pub value: Option<u128>,
    pub data: &'a [u8],
}

impl<'a> Transaction<'a> {
    /// Parses the unsigned transaction (what is signed): the type byte,
    /// then exactly one RLP list of the nine fields and nothing after it.
    pub fn parse(bytes: &'a [u8]) -> R<Self> {
        if bytes.len() > MAX_TRANSACTION_LEN {
            return Err(E::MessageTooLong);
        }
        match bytes.first() {
            Some(&TYPE_EIP1559) => {}
            Some(&EIP191_PREFIX) => return Err(E::EvmSignedDataRefused),
            Some(&TYPE_EIP7702) | Some(&EIP7702_AUTHORIZATION_MAGIC) => return Err(E::EvmAuthorizationRefused),
            Some(_) => return Err(E::EvmTransactionTypeUnsupported),
            None => return Err(E::RlpTruncated),
        }
        let mut outer = Rlp::new(&bytes[1..]);
        let mut fields = outer.list()?;
        if !outer.is_empty() {
            return Err(E::RlpTrailingBytes);
        }
        let chain_id = fields.u64()?;
        let nonce = fields.u64()?;
        let _max_priority_fee_per_gas = fields.uint()?;
        let max_fee_per_gas = fields.uint()?;
        let gas_limit = fields.u64()?;
        let to = match fields.bytes()? {
            [] => None,
            address => Some(<&[u8; 20]>::try_from(address).map_err(|_| E::EvmTransactionMalformed)?),
        };
        let value = fields.uint()?;
        let data = fields.bytes()?;
        check_access_list(fields.list()?)?;
        if !fields.is_empty() {
            return Err(E::EvmTransactionMalformed);
        }
        Ok(Self {
            chain_id,
            nonce,
            max_fee_per_gas,
            gas_limit,
            to,
            value,
            data,
        })
    }
}

/// `[[address, [storage_key, …]], …]`: 20-byte addresses, 32-byte keys, within the bounds.
fn check_access_list(mut list: Rlp) -> R<()> {
    let (mut addresses, mut keys) = (0usize, 0usize);
    while !list.is_empty() {
        let mut entry = list.list()?;
        if entry.bytes()?.len() != 20 {
            return Err(E::EvmTransactionMalformed);
        }
        let mut storage_keys = entry.list()?;
        if !entry.is_empty() {
            return Err(E::EvmTransactionMalformed);
        }
        while !storage_keys.is_empty() {
            if storage_keys.bytes()?.len() != 32 {
                return Err(E::EvmTransactionMalformed);
            }
            keys += 1;
        }
        addresses += 1;
        if addresses > MAX_ACCESS_LIST_ADDRESSES || keys > MAX_ACCESS_LIST_KEYS {
            return Err(E::EvmAccessListTooLong);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- rules

/// What an `evm` session allows (from the Session account). Addresses are
/// EVM words as the Session stores them (12 zero bytes, then the address),
/// so each comparison is four word compares.
pub struct Rules<'a> {
    pub chain_id: u64,
    /// The default key: the caps count wei. Otherwise the one ERC-20
    /// contract whose `transfer` amounts they count.
    pub asset: &'a Pubkey,
    /// The allowed `to` addresses.
    pub allowed: &'a [Pubkey],
    /// Bit `i`: entry `i` of `allowed` takes any calldata (only `value` counts).
    pub any_call_mask: u8,
    /// Cap, in wei, on `max_fee_per_gas × gas_limit`.
    pub max_fee: u128,
}

/// What a passing transaction does, derived from its bytes.
pub struct Verdict<'a> {
    /// What it moves in the session's asset: wei, or the ERC-20's base units.
    pub amount: u128,
    pub to: &'a [u8; 20],
    /// `to` as an EVM word: the binding's destination.
    pub to_word: AlignedKey,
    pub chain_id: u64,
}

/// The default key (all zeros): a session that counts wei.
static WEI: AlignedKey = AlignedKey(Pubkey::new_from_array([0; 32]));

/// An address as an EVM word, 8-aligned.
fn word(address: &[u8; 20]) -> AlignedKey {
    let mut bytes = [0u8; 32];
    bytes[12..].copy_from_slice(address);
    AlignedKey(Pubkey::new_from_array(bytes))
}

/// Parses `bytes` and applies every rule of docs/verified-sessions.md, in its order.
pub fn verify<'a>(bytes: &'a [u8], rules: &Rules) -> R<Verdict<'a>> {
    let tx = Transaction::parse(bytes)?;
    // 1. the session's chain
    if tx.chain_id != rules.chain_id {
        return Err(E::EvmChainNotAllowed);
    }
    // 2. a call to an allowed address
    let to = tx.to.ok_or(E::EvmContractCreationRefused)?;
    let to_word = word(to);
    let entry = rules
        .allowed
        .iter()
        .position(|a| keys_eq(a, &to_word.0))
        .ok_or(E::DestinationNotAllowed)?;
    let any_call = rules.any_call_mask & (1 << entry) != 0;
    // 3. the fee cap (a product past u128 is above any cap)
    let fee = tx
        .max_fee_per_gas
        .and_then(|price| price.checked_mul(tx.gas_limit as u128));
    if fee.is_none_or(|fee| fee > rules.max_fee) {
        return Err(E::EvmFeeCapExceeded);
    }
    // 4. the amount, in the session's asset
    let value = tx.value.ok_or(E::AmountExceedsMax)?;
    let amount = if keys_eq(rules.asset, &WEI.0) {
        if !tx.data.is_empty() && !any_call {
            return Err(E::EvmCallNotAllowed);
        }
        value
    } else {
        if value != 0 {
            return Err(E::AssetNotAllowed);
        }
        if keys_eq(&to_word.0, rules.asset) && tx.data.starts_with(&SELECTOR_TRANSFER) {
            erc20_transfer_amount(tx.data)?
        } else if any_call {
            0
        } else {
            return Err(E::EvmCallNotAllowed);
        }
    };
    Ok(Verdict {
        amount,
        to,
        to_word,
        chain_id: tx.chain_id,
    })
}

/// The amount of `transfer(address to, uint256 amount)` calldata: exactly two
/// ABI words, the address word's 12 high bytes zero. An amount of 2^128 or
/// more is above every cap (`AmountExceedsMax`).
fn erc20_transfer_amount(data: &[u8]) -> R<u128> {
    if data.len() != TRANSFER_CALLDATA_LEN || data[4..16] != [0; 12] {
        return Err(E::EvmCalldataMalformed);
    }
    let amount = &data[36..68];
    if amount[..16] != [0; 16] {
        return Err(E::AmountExceedsMax);
    }
    let mut low = [0u8; 16];
    low.copy_from_slice(&amount[16..]);
    Ok(u128::from_be_bytes(low))
}

#[cfg(test)]
#[path = "evm_transaction_tests.rs"]
mod tests;
