//! Solana transaction messages, read strictly, and the rules of a `solana`
//! session (docs/verified-sessions.md, which this file follows section by
//! section). Pure: bytes and rules in, a verdict or a named error out; the
//! use path (`instructions/approve_solana_message.rs`) and host tests call it.
//!
//! Keys in a message sit at odd offsets, and SBF has no unaligned 8-byte
//! load, so the static keys are copied once (one `memcpy`) into 8-aligned
//! words and every comparison after that is four word compares.

use anchor_lang::prelude::*;

use crate::constants::MAX_ALLOWED_PROGRAMS;
use crate::cu_probe::cu_probe;
use crate::errors::SessionKeysError as E;
use crate::keys::{keys_eq, AlignedKey};

type R<T> = core::result::Result<T, E>;

/// The largest message: a transaction packet (a real one, with a signature,
/// is smaller still).
pub const MAX_MESSAGE_LEN: usize = 1232;
/// Most accounts a message can address (indexes are one byte).
const MAX_ACCOUNTS: usize = 256;
/// Distinct programs a passing message can call: the allowlist and Compute Budget.
pub const MAX_PROGRAMS: usize = MAX_ALLOWED_PROGRAMS + 1;
/// The runtime's ceiling on a transaction's compute units.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;
const MICRO_LAMPORTS_PER_LAMPORT: u128 = 1_000_000;

pub static COMPUTE_BUDGET_ID: AlignedKey =
    AlignedKey(pubkey!("ComputeBudget111111111111111111111111111111"));
pub static SYSTEM_ID: AlignedKey = AlignedKey(pubkey!("11111111111111111111111111111111"));
pub static TOKEN_ID: AlignedKey = AlignedKey(pubkey!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"));
pub static TOKEN_2022_ID: AlignedKey =
    AlignedKey(pubkey!("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"));

// ---------------------------------------------------------------- parsing

/// A cursor over the message; every read that runs past the end is `MessageTruncated`.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> R<u8> {
        let b = *self.bytes.get(self.at).ok_or(E::MessageTruncated)?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or(E::MessageTruncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(E::MessageTruncated)?;
        self.at = end;
        Ok(slice)
    }

    /// Solana's `short_vec` length: 7 bits per byte, low first, at most 3
    /// bytes, at most 65,535, and in its shortest form (no trailing zero byte).
    fn compact_u16(&mut self) -> R<usize> {
        let mut value = 0usize;
        for i in 0..3 {
            let b = self.byte()?;
            value |= ((b & 0x7f) as usize) << (7 * i);
            if b & 0x80 == 0 {
                if i > 0 && b == 0 {
                    return Err(E::InvalidCompactU16);
                }
                if value > u16::MAX as usize {
                    return Err(E::InvalidCompactU16);
                }
                return Ok(value);
            }
        }
        Err(E::InvalidCompactU16)
    }
}

/// One compiled instruction: indexes into the message's accounts, and data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instruction<'a> {
    pub program: u8,
    pub accounts: &'a [u8],
    pub data: &'a [u8],
}

/// A message whose bytes parsed. Its header and indexes are checked by `check`.
pub struct Message<'a> {
    pub num_required_signatures: u8,
    pub num_readonly_signed: u8,
    pub num_readonly_unsigned: u8,
    /// The static keys, 32 bytes each, as they sit in the message.
    pub static_keys: &'a [u8],
    pub recent_blockhash: &'a [u8],
    /// The compiled instructions, `instruction_count` of them, as serialized.
    instructions: &'a [u8],
    pub instruction_count: usize,
    /// The address table lookups (v0), `lookup_tables` of them, as serialized.
    lookups: &'a [u8],
    /// Accounts loaded from address lookup tables (v0).
    pub loaded_accounts: usize,
    pub lookup_tables: usize,
    /// A lookup table with no index (the runtime refuses it).
    empty_lookup: bool,
    /// Noted while the instructions are read, judged by `check_indexes`: a
    /// program index 0 or past the static keys, and the highest account index.
    program_out_of_range: bool,
    highest_account: Option<u8>,
    pub versioned: bool,
}

impl<'a> Message<'a> {
    /// Parses the serialized message: legacy, or v0 (first byte `0x80`).
    pub fn parse(bytes: &'a [u8]) -> R<Self> {
        if bytes.len() > MAX_MESSAGE_LEN {
            return Err(E::MessageTooLong);
        }
        let mut r = Reader { bytes, at: 0 };
        let first = r.byte()?;
        let versioned = first & 0x80 != 0;
        if versioned && first != 0x80 {
            return Err(E::UnsupportedMessageVersion);
        }
        let num_required_signatures = if versioned { r.byte()? } else { first };
        let num_readonly_signed = r.byte()?;
        let num_readonly_unsigned = r.byte()?;
        let key_count = r.compact_u16()?;
        let static_keys = r.take(key_count * 32)?;
        let recent_blockhash = r.take(32)?;

        let instruction_count = r.compact_u16()?;
        let start = r.at;
        let (mut program_out_of_range, mut highest_account) = (false, None);
        for _ in 0..instruction_count {
            let ix = read_instruction(&mut r)?;
            program_out_of_range |= ix.program == 0 || ix.program as usize >= key_count;
            highest_account = highest_account.max(ix.accounts.iter().copied().max());
        }
        let instructions = &bytes[start..r.at];

        let (mut loaded_accounts, mut lookup_tables, mut empty_lookup) = (0usize, 0usize, false);
        let mut lookups_start = r.at;
        if versioned {
            lookup_tables = r.compact_u16()?;
            lookups_start = r.at;
            for _ in 0..lookup_tables {
                r.take(32)?;
                let writable = r.compact_u16()?;
                r.take(writable)?;
                let readonly = r.compact_u16()?;
                r.take(readonly)?;
                empty_lookup |= writable + readonly == 0;
                loaded_accounts += writable + readonly;
            }
        }
        if r.at != bytes.len() {
            return Err(E::MessageTrailingBytes);
        }
        let lookups = &bytes[lookups_start..r.at];
        Ok(Self {
            num_required_signatures,
            num_readonly_signed,
            num_readonly_unsigned,
            static_keys,
            recent_blockhash,
            instructions,
            instruction_count,
            lookups,
            loaded_accounts,
            lookup_tables,
            empty_lookup,
            program_out_of_range,
            highest_account,
            versioned,
        })
    }

    pub fn static_key_count(&self) -> usize {
        self.static_keys.len() / 32
    }

    /// Every account the message addresses: static, then looked up.
    pub fn account_count(&self) -> usize {
        self.static_key_count() + self.loaded_accounts
    }

    /// The instructions, in order, read again from their bytes (a copy of
    /// them all would cost more than the second read: SBF moves a struct
    /// with a byte loop).
    pub fn instructions(&self) -> Instructions<'a> {
        Instructions {
            bytes: self.instructions,
            at: 0,
            left: self.instruction_count,
        }
    }

    /// The address table lookups: (table, writable indexes, read-only indexes).
    pub fn lookups(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8], &'a [u8])> + 'a {
        let mut r = Reader { bytes: self.lookups, at: 0 };
        // parsed once already: these reads cannot fail
        (0..self.lookup_tables).filter_map(move |_| {
            let key = r.take(32).ok()?;
            let n = r.compact_u16().ok()?;
            let writable = r.take(n).ok()?;
            let n = r.compact_u16().ok()?;
            Some((key, writable, r.take(n).ok()?))
        })
    }

    /// The header rules, then every index: what the runtime's sanitizer
    /// refuses (a message it refuses can never execute, but the program names
    /// it rather than sign it).
    fn check_header(&self) -> R<()> {
        let keys = self.static_key_count();
        let required = self.num_required_signatures as usize;
        if required == 0
            || self.num_readonly_signed >= self.num_required_signatures
            || required + self.num_readonly_unsigned as usize > keys
            || self.account_count() > MAX_ACCOUNTS
            || self.empty_lookup
        {
            return Err(E::InvalidMessageHeader);
        }
        Ok(())
    }

    /// Program ids are static keys, and never the fee payer; accounts are
    /// static or looked up. (One error names every case, so the indexes were
    /// noted while the instructions were read, instead of read again.)
    fn check_indexes(&self) -> R<()> {
        let past_the_accounts = self.highest_account.is_some_and(|a| a as usize >= self.account_count());
        if self.program_out_of_range || past_the_accounts {
            return Err(E::AccountIndexOutOfRange);
        }
        Ok(())
    }
}

fn read_instruction<'a>(r: &mut Reader<'a>) -> R<Instruction<'a>> {
    let program = r.byte()?;
    let n = r.compact_u16()?;
    let accounts = r.take(n)?;
    let n = r.compact_u16()?;
    let data = r.take(n)?;
    Ok(Instruction {
        program,
        accounts,
        data,
    })
}

/// The instructions of a parsed message, read again. `parse` read these
/// very bytes with every check (and `Message::instructions` is the only way
/// to get this iterator), so the second reading skips the bounds checks.
pub struct Instructions<'a> {
    bytes: &'a [u8],
    at: usize,
    left: usize,
}

impl<'a> Instructions<'a> {
    /// A compact-u16 `parse` already found canonical and in bounds.
    fn compact(&mut self) -> usize {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            // SAFETY: inside the region `parse` read (see the type's doc).
            let b = unsafe { *self.bytes.get_unchecked(self.at) };
            self.at += 1;
            value |= ((b & 0x7f) as usize) << shift;
            if b & 0x80 == 0 {
                return value;
            }
            shift += 7;
        }
    }

    fn slice(&mut self, n: usize) -> &'a [u8] {
        // SAFETY: as `compact`: `parse` took these `n` bytes from here.
        let s = unsafe { self.bytes.get_unchecked(self.at..self.at + n) };
        self.at += n;
        s
    }
}

impl<'a> Iterator for Instructions<'a> {
    type Item = Instruction<'a>;

    fn next(&mut self) -> Option<Instruction<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let program = self.slice(1)[0];
        let n = self.compact();
        let accounts = self.slice(n);
        let n = self.compact();
        let data = self.slice(n);
        Some(Instruction {
            program,
            accounts,
            data,
        })
    }
}

/// The static keys, copied 8-aligned.
pub struct Keys(Vec<[u64; 4]>);

impl Keys {
    fn copy(static_keys: &[u8]) -> Self {
        let n = static_keys.len() / 32;
        let mut words: Vec<[u64; 4]> = Vec::with_capacity(n);
        // SAFETY: `n * 32` bytes are readable at the source and writable in the
        // new allocation; any bytes are valid `u64`s.
        unsafe {
            copy_bytes(static_keys.as_ptr(), words.as_mut_ptr() as *mut u8, n * 32);
            words.set_len(n);
        }
        Self(words)
    }

    pub fn get(&self, index: usize) -> &Pubkey {
        bytemuck::cast_ref(&self.0[index])
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// No key twice: the first word, then (on a match) the rest.
    fn check_distinct(&self) -> R<()> {
        for (i, a) in self.0.iter().enumerate() {
            for b in &self.0[..i] {
                if a[0] == b[0] && a == b {
                    return Err(E::DuplicateMessageAccount);
                }
            }
        }
        Ok(())
    }

    fn position(&self, key: &Pubkey) -> Option<usize> {
        (0..self.len()).find(|&i| keys_eq(self.get(i), key))
    }
}

#[cfg(target_os = "solana")]
unsafe fn copy_bytes(src: *const u8, dst: *mut u8, n: usize) {
    solana_define_syscall::definitions::sol_memcpy_(dst, src, n as u64);
}
#[cfg(not(target_os = "solana"))]
unsafe fn copy_bytes(src: *const u8, dst: *mut u8, n: usize) {
    core::ptr::copy_nonoverlapping(src, dst, n);
}

// ---------------------------------------------------------------- rules

/// What a `solana` session allows (from the Session account).
pub struct Rules<'a> {
    /// `D`: the dWallet's Solana address (its Ed25519 public key).
    pub dwallet: &'a Pubkey,
    /// The default key: lamports. Otherwise the one SPL mint the caps count.
    pub asset_mint: &'a Pubkey,
    pub allowed_programs: &'a [Pubkey],
    pub allow_durable_nonce: bool,
}

impl Rules<'_> {
    fn counts_lamports(&self) -> bool {
        *self.asset_mint == Pubkey::default()
    }
}

/// What a passing message does, derived from its bytes.
pub struct Verdict {
    /// Everything it moves out of `D` in the session's asset (and the
    /// priority fee `D` pays, in a lamports session).
    pub amount: u128,
    keys: Keys,
    /// Static-key indexes of the programs it calls, each once, in order of first call.
    programs: [u8; MAX_PROGRAMS],
    program_count: usize,
}

impl Verdict {
    pub fn programs(&self) -> impl Iterator<Item = &Pubkey> {
        self.programs[..self.program_count].iter().map(|&i| self.keys.get(i as usize))
    }
}

/// Parses `bytes` and applies every rule of docs/verified-sessions.md, in its order.
pub fn verify(bytes: &[u8], rules: &Rules) -> R<Verdict> {
    let message = Message::parse(bytes)?;
    message.check_header()?;
    cu_probe!("solana: parse");
    let keys = Keys::copy(message.static_keys);
    cu_probe!("solana: keys copy");
    keys.check_distinct()?;
    cu_probe!("solana: distinct keys");
    message.check_indexes()?;
    cu_probe!("solana: indexes");

    let d = keys
        .position(rules.dwallet)
        .filter(|&i| i < message.num_required_signatures as usize)
        .ok_or(E::DwalletNotSigner)? as u8;

    let mut v = Verdict {
        amount: 0,
        keys,
        programs: [0; MAX_PROGRAMS],
        program_count: 0,
    };
    let mut budget = ComputeBudget::default();
    for ix in message.instructions() {
        let program = v.keys.get(ix.program as usize);
        let moved = if keys_eq(program, &COMPUTE_BUDGET_ID.0) {
            budget.apply(ix.data)?;
            Moved::Nothing
        } else {
            if !rules.allowed_programs.iter().any(|p| keys_eq(p, program)) {
                return Err(E::DestinationNotAllowed);
            }
            let at = Positions::of(ix.accounts, d);
            if keys_eq(program, &SYSTEM_ID.0) {
                system(&ix, at, rules)?
            } else if keys_eq(program, &TOKEN_ID.0) || keys_eq(program, &TOKEN_2022_ID.0) {
                token(&ix, at, &message)?
            } else {
                Moved::Nothing
            }
        };
        v.count(moved, rules)?;
        v.note_program(ix.program);
    }
    cu_probe!("solana: instruction rules");
    if d == 0 && budget.unit_price > 0 {
        if !rules.counts_lamports() {
            return Err(E::PriorityFeeNotInAsset);
        }
        v.amount = v.amount.checked_add(budget.priority_fee()).ok_or(E::CounterOverflow)?;
    }
    Ok(v)
}

/// What one instruction moves out of `D`.
enum Moved {
    Nothing,
    Lamports(u64),
    /// `mint`: a static-key index.
    Tokens { mint: usize, amount: u64 },
}

impl Verdict {
    fn count(&mut self, moved: Moved, rules: &Rules) -> R<()> {
        let amount = match moved {
            Moved::Nothing => return Ok(()),
            Moved::Lamports(lamports) if rules.counts_lamports() => lamports,
            Moved::Tokens { mint, amount }
                if !rules.counts_lamports() && keys_eq(self.keys.get(mint), rules.asset_mint) =>
            {
                amount
            }
            _ => return Err(E::AssetNotAllowed),
        };
        self.amount = self.amount.checked_add(amount as u128).ok_or(E::CounterOverflow)?;
        Ok(())
    }

    fn note_program(&mut self, index: u8) {
        if !self.programs[..self.program_count].contains(&index) && self.program_count < MAX_PROGRAMS {
            self.programs[self.program_count] = index;
            self.program_count += 1;
        }
    }
}

/// Where `D` is among an instruction's accounts: bit `i` = account `i` (the
/// positions the rules name are all below 8), plus whether it is anywhere past them.
#[derive(Clone, Copy)]
struct Positions {
    low: u8,
    beyond: bool,
}

impl Positions {
    fn of(accounts: &[u8], d: u8) -> Self {
        let mut at = Positions { low: 0, beyond: false };
        for (i, &a) in accounts.iter().enumerate() {
            if a == d {
                if i < 8 {
                    at.low |= 1 << i;
                } else {
                    at.beyond = true;
                }
            }
        }
        at
    }
    fn listed(self) -> bool {
        self.low != 0 || self.beyond
    }
    fn at(self, i: usize) -> bool {
        self.low & (1 << i) != 0
    }
    /// `D` is at no position outside `allowed` (a bit set).
    fn only(self, allowed: u8) -> bool {
        !self.beyond && self.low & !allowed == 0
    }
}

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Bincode length of a `String` seed starting at `at` (u64 length, then the
/// bytes), or `None` when the data is too short for it.
fn seed_len(data: &[u8], at: usize) -> Option<usize> {
    let len = usize::try_from(u64_at_checked(data, at)?).ok()?;
    let seed = data.get(at + 8..(at + 8).checked_add(len)?)?;
    core::str::from_utf8(seed).ok()?;
    len.checked_add(8)
}

fn u64_at_checked(data: &[u8], at: usize) -> Option<u64> {
    (data.len() >= at.checked_add(8)?).then(|| u64_at(data, at))
}

mod system_ix {
    pub const CREATE_ACCOUNT: u32 = 0;
    pub const ASSIGN: u32 = 1;
    pub const TRANSFER: u32 = 2;
    pub const CREATE_ACCOUNT_WITH_SEED: u32 = 3;
    pub const ADVANCE_NONCE_ACCOUNT: u32 = 4;
    pub const ALLOCATE: u32 = 8;
    pub const ALLOCATE_WITH_SEED: u32 = 9;
    pub const ASSIGN_WITH_SEED: u32 = 10;
    pub const TRANSFER_WITH_SEED: u32 = 11;
}

/// The System program's rules (docs/verified-sessions.md, rule 3). For an
/// instruction listing `D`, in this order: the data's exact length, then `D`
/// only where the kind's rule names it, then a refused role, then what it moves.
fn system(ix: &Instruction, at: Positions, rules: &Rules) -> R<Moved> {
    use system_ix::*;
    let data = ix.data;
    let kind = (data.len() >= 4).then(|| u32::from_le_bytes([data[0], data[1], data[2], data[3]]));
    if kind == Some(ADVANCE_NONCE_ACCOUNT) && !rules.allow_durable_nonce {
        return Err(E::DurableNonceNotAllowed);
    }
    if !at.listed() {
        return Ok(Moved::Nothing);
    }
    // (exact data length, positions D may hold)
    let (len, positions) = match kind {
        Some(CREATE_ACCOUNT) => (Some(52), 0b11),
        Some(ASSIGN) => (Some(36), 0b1),
        Some(TRANSFER) => (Some(12), 0b11),
        // kind, base, seed (u64 length + bytes), lamports, space, owner
        Some(CREATE_ACCOUNT_WITH_SEED) => (seed_len(data, 36).and_then(|s| s.checked_add(36 + 8 + 8 + 32)), 0b101),
        Some(ADVANCE_NONCE_ACCOUNT) => (Some(4), 0b100),
        Some(ALLOCATE) => (Some(12), 0b1),
        // kind, base, seed, space, owner
        Some(ALLOCATE_WITH_SEED) => (seed_len(data, 36).and_then(|s| s.checked_add(36 + 8 + 32)), 0b10),
        // kind, base, seed, owner
        Some(ASSIGN_WITH_SEED) => (seed_len(data, 36).and_then(|s| s.checked_add(36 + 32)), 0b10),
        // kind, lamports, seed, owner
        Some(TRANSFER_WITH_SEED) => (seed_len(data, 12).and_then(|s| s.checked_add(12 + 32)), 0b110),
        _ => (None, 0),
    };
    if len != Some(data.len()) || !at.only(positions) {
        return Err(E::UnsupportedInstruction);
    }
    match kind {
        // D as the account created: handed to the new owner
        Some(CREATE_ACCOUNT) if at.at(1) => Err(E::ControlTransferRefused),
        Some(CREATE_ACCOUNT) | Some(TRANSFER) if at.at(0) => Ok(Moved::Lamports(u64_at(data, 4))),
        Some(CREATE_ACCOUNT_WITH_SEED) if at.at(0) => {
            Ok(Moved::Lamports(u64_at(data, 36 + seed_len(data, 36).unwrap_or(0))))
        }
        Some(TRANSFER_WITH_SEED) if at.at(1) => Ok(Moved::Lamports(u64_at(data, 4))),
        Some(ASSIGN) | Some(ALLOCATE) | Some(ASSIGN_WITH_SEED) | Some(ALLOCATE_WITH_SEED) => {
            Err(E::ControlTransferRefused)
        }
        _ => Ok(Moved::Nothing),
    }
}

mod token_ix {
    pub const TRANSFER: u8 = 3;
    pub const APPROVE: u8 = 4;
    pub const REVOKE: u8 = 5;
    pub const SET_AUTHORITY: u8 = 6;
    pub const CLOSE_ACCOUNT: u8 = 9;
    pub const TRANSFER_CHECKED: u8 = 12;
    pub const APPROVE_CHECKED: u8 = 13;
}

/// The Token and Token-2022 rules (docs/verified-sessions.md, rule 4).
fn token(ix: &Instruction, at: Positions, message: &Message) -> R<Moved> {
    use token_ix::*;
    if !at.listed() {
        return Ok(Moved::Nothing);
    }
    match ix.data.first().copied() {
        Some(TRANSFER_CHECKED) => {
            if !at.only(0b1000) || ix.accounts.len() < 4 || ix.data.len() != 10 {
                return Err(E::UnsupportedInstruction);
            }
            let mint = ix.accounts[1] as usize;
            if mint >= message.static_key_count() {
                return Err(E::LookupTableAccountInRule);
            }
            Ok(Moved::Tokens {
                mint,
                amount: u64_at(ix.data, 1),
            })
        }
        Some(TRANSFER) => Err(E::TransferWithoutMint),
        Some(APPROVE) | Some(APPROVE_CHECKED) | Some(SET_AUTHORITY) => Err(E::ControlTransferRefused),
        Some(CLOSE_ACCOUNT) => {
            if !at.only(0b110) || ix.data.len() != 1 {
                return Err(E::UnsupportedInstruction);
            }
            if at.at(2) && !at.at(1) {
                return Err(E::ControlTransferRefused);
            }
            Ok(Moved::Nothing)
        }
        Some(REVOKE) if at.only(0b10) && ix.data.len() == 1 => Ok(Moved::Nothing),
        _ => Err(E::UnsupportedInstruction),
    }
}

/// The Compute Budget instructions of a message: each kind once, exact lengths.
#[derive(Default)]
struct ComputeBudget {
    seen: u8,
    unit_limit: Option<u32>,
    unit_price: u64,
}

impl ComputeBudget {
    fn apply(&mut self, data: &[u8]) -> R<()> {
        let kind = *data.first().ok_or(E::UnsupportedInstruction)?;
        let expected_len = match kind {
            1 | 2 | 4 => 5,
            3 => 9,
            _ => return Err(E::UnsupportedInstruction),
        };
        if data.len() != expected_len || self.seen & (1 << kind) != 0 {
            return Err(E::UnsupportedInstruction);
        }
        self.seen |= 1 << kind;
        match kind {
            2 => self.unit_limit = Some(u32::from_le_bytes([data[1], data[2], data[3], data[4]])),
            3 => self.unit_price = u64_at(data, 1),
            _ => {}
        }
        Ok(())
    }

    /// `ceil(price × limit / 10^6)` lamports; with no limit set, the most the
    /// runtime can charge (its 1.4M ceiling). In u64 when the product fits
    /// (SBF divides u64 natively; a u128 division is a long software routine).
    fn priority_fee(&self) -> u128 {
        let limit = self.unit_limit.unwrap_or(MAX_COMPUTE_UNIT_LIMIT).min(MAX_COMPUTE_UNIT_LIMIT) as u64;
        match self.unit_price.checked_mul(limit) {
            Some(micro) => micro.div_ceil(MICRO_LAMPORTS_PER_LAMPORT as u64) as u128,
            None => (self.unit_price as u128 * limit as u128).div_ceil(MICRO_LAMPORTS_PER_LAMPORT),
        }
    }
}

#[cfg(test)]
#[path = "solana_message_tests.rs"]
mod tests;
