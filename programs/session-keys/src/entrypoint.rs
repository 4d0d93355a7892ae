//! The program's entrypoint (feature `fast-entrypoint`, on by default): it
//! serves `approve_message`, the instruction bots call on every use, straight
//! from the runtime's input, and hands every other instruction to Anchor.
//!
//! Why: Anchor's entry builds an `AccountInfo` (two `Rc<RefCell>`s) for every
//! account and validates them field by field; for the ten accounts of the use
//! path that alone cost more than the whole budget of the issue (2,500 CU of
//! our own work). Here the same checks read the input in place.
//!
//! What stays the same as Anchor's path, by construction:
//! - the checks and their order: argument decoding, then the account *types*
//!   in field order (signers, Policy and Session owner and discriminator, the
//!   two `Program` accounts), then the *constraints* in field order (`mut`,
//!   the dWallet and dWallet program against the policy, the CPI authority;
//!   within a field, raw `constraint`s before `address`, as Anchor orders
//!   them), each failing with the error Anchor would name (see `ApproveMessage`);
//! - the rules: `use_session` and `ika::approve_message` are the functions
//!   Anchor's handler calls;
//! - the error log line (`Error::log`) clients read error names from.
//!
//! Built without this feature (`--no-default-features`), Anchor's own
//! entrypoint serves every instruction, `approve_message` included.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::entrypoint::{
    deserialize, BPF_ALIGN_OF_U128, MAX_PERMITTED_DATA_INCREASE, NON_DUP_MARKER, SUCCESS,
};
use anchor_lang::{Discriminator, ZeroCopy};

use crate::errors::SessionKeysError;
use crate::ika::{self, ApproveMessageAccounts, CpiAccount};
use crate::instructions::{use_session, ApproveArgs};
use crate::keys::{keys_eq, CPI_AUTHORITY, PROGRAM_ID, SYSTEM_PROGRAM_ID};
use crate::state::{Policy, Session};

anchor_lang::solana_program::entrypoint::custom_heap_default!();
anchor_lang::solana_program::entrypoint::custom_panic_default!();

/// Accounts of `approve_message` (`ApproveMessage`); fewer go to Anchor, which
/// names the shortage (`AccountNotEnoughKeys`).
const APPROVE_ACCOUNTS: usize = 10;

/// # Safety
/// Called by the runtime only, with its serialized input.
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    if let Some(input) = Input::approve_message(input) {
        return match approve_message(&input) {
            Ok(()) => SUCCESS,
            Err(e) => {
                e.log();
                ProgramError::from(e).into()
            }
        };
    }
    let (program_id, accounts, data) = deserialize(input);
    match crate::entry(program_id, &accounts, data) {
        Ok(()) => SUCCESS,
        Err(e) => e.into(),
    }
}

/// The use path: `ApproveMessage`'s checks, then `use_session` and the CPI.
fn approve_message(input: &Input) -> Result<()> {
    if !keys_eq(input.program_id, &PROGRAM_ID.0) {
        return Err(ErrorCode::DeclaredProgramIdMismatch.into());
    }
    let args = decode_args(&input.data[crate::instruction::ApproveMessage::DISCRIMINATOR.len()..])
        .ok_or(ErrorCode::InstructionDidNotDeserialize)?;
    let [delegate, payer, policy, session, message_approval, dwallet, dwallet_program, caller_program, cpi_authority, system_program] =
        &input.accounts;

    // Account types, in field order.
    delegate.signer("delegate")?;
    payer.signer("payer")?;
    // SAFETY: `policy` and `session` cannot be the same account (their
    // discriminators differ); nothing else in this instruction reads them.
    let policy_state: &Policy = unsafe { policy.load("policy")? };
    let session_state: &mut Session = unsafe { session.load("session")? };
    caller_program.program(&PROGRAM_ID.0, "caller_program")?;
    system_program.program(&SYSTEM_PROGRAM_ID.0, "system_program")?;

    // Constraints, in field order.
    payer.writable("payer")?;
    session.writable("session")?;
    message_approval.writable("message_approval")?;
    // Anchor runs a field's raw `constraint`s before its `address`.
    dwallet.must(
        keys_eq(dwallet.owner(), &policy_state.dwallet_program),
        SessionKeysError::DwalletOwnerMismatch,
        "dwallet",
    )?;
    dwallet.must(
        keys_eq(dwallet.key(), &policy_state.dwallet),
        SessionKeysError::DwalletMismatch,
        "dwallet",
    )?;
    dwallet_program.must(
        dwallet_program.executable(),
        SessionKeysError::InvalidDwalletProgram,
        "dwallet_program",
    )?;
    dwallet_program.must(
        keys_eq(dwallet_program.key(), &policy_state.dwallet_program),
        SessionKeysError::DwalletProgramMismatch,
        "dwallet_program",
    )?;
    cpi_authority.must(
        keys_eq(cpi_authority.key(), &CPI_AUTHORITY.0),
        SessionKeysError::InvalidCpiAuthority,
        "cpi_authority",
    )?;

    let slot = Clock::get()?.slot;
    use_session(
        policy.key(),
        policy_state,
        session.key(),
        session_state,
        delegate.key(),
        slot,
        &args,
    )?;
    let accounts = ApproveMessageAccounts {
        message_approval: message_approval.cpi(),
        dwallet: dwallet.cpi(),
        caller_program: caller_program.cpi(),
        cpi_authority: cpi_authority.cpi(),
        payer: payer.cpi(),
        system_program: system_program.cpi(),
    };
    ika::approve_message(
        dwallet_program.key(),
        &accounts,
        policy_state.cpi_authority_bump,
        &args,
    )
}

/// `ApproveArgs` from its Borsh bytes. Every field has a fixed offset, which
/// `repr(C)` gives the struct too, and the runtime puts instruction data
/// 8-aligned (so the arguments after the 8-byte discriminator are as well):
/// the fields are copied word by word. Unaligned bytes (never seen from the
/// runtime) take Borsh's path; fewer bytes than the arguments is `None`.
fn decode_args(bytes: &[u8]) -> Option<ApproveArgs> {
    const LEN: usize = 8 + 32 + 8 + 32 + 32 + 32 + 1 + 1;
    if bytes.len() < LEN {
        return None;
    }
    if bytes.as_ptr() as usize % 8 != 0 {
        return ApproveArgs::deserialize(&mut &bytes[..]).ok();
    }
    // SAFETY: LEN bytes are there; every read below is 8-aligned and in range.
    unsafe {
        let at = |offset: usize| bytes.as_ptr().add(offset);
        let bytes32 = |offset: usize| {
            core::mem::transmute::<[u64; 4], [u8; 32]>(*(at(offset) as *const [u64; 4]))
        };
        Some(ApproveArgs {
            nonce: u64::from_le(*(at(0) as *const u64)),
            message_digest: bytes32(8),
            amount: u64::from_le(*(at(40) as *const u64)),
            destination_program: Pubkey::new_from_array(bytes32(48)),
            signature_nonce: bytes32(80),
            user_pubkey: bytes32(112),
            signature_scheme: *at(144),
            message_approval_bump: *at(145),
        })
    }
}

/// The runtime's serialized input (SBF loader, aligned layout), read in place:
/// `u64` account count; per account either a duplicate marker (the index of
/// the first occurrence, 8 bytes in all) or `0xff`, the flags, key, owner,
/// lamports, data length, data, 10 KiB of realloc room, padding to 8 and the
/// rent epoch; then the instruction data (`u64` length first) and program id.
struct Input {
    accounts: [Account; APPROVE_ACCOUNTS],
    data: &'static [u8],
    program_id: &'static Pubkey,
}

impl Input {
    /// `Some` when the instruction is `approve_message` with at least its ten
    /// accounts (extra accounts are ignored, as Anchor does); `None` otherwise,
    /// after looking at nothing but the account count, or the data past them.
    unsafe fn approve_message(input: *mut u8) -> Option<Input> {
        let count = *(input as *const u64) as usize;
        if count < APPROVE_ACCOUNTS {
            return None;
        }
        let mut accounts = [Account(core::ptr::null_mut()); APPROVE_ACCOUNTS];
        let mut at = input.add(8);
        for i in 0..count {
            if *at == NON_DUP_MARKER {
                let account = Account(at);
                at = at.add(account.size());
                if i < APPROVE_ACCOUNTS {
                    accounts[i] = account;
                }
            } else {
                // A duplicate names the index of an earlier account.
                if i < APPROVE_ACCOUNTS {
                    accounts[i] = accounts[*at as usize];
                }
                at = at.add(8);
            }
        }
        let data_len = *(at as *const u64) as usize;
        let data = core::slice::from_raw_parts(at.add(8), data_len);
        if !starts_with_discriminator(data, crate::instruction::ApproveMessage::DISCRIMINATOR) {
            return None;
        }
        let program_id = &*(at.add(8 + data_len) as *const Pubkey);
        Some(Input {
            accounts,
            data,
            program_id,
        })
    }
}

/// `bytes` starts with the 8-byte Anchor discriminator `disc`: one word
/// compare when `bytes` is 8-aligned (account and instruction data always are).
fn starts_with_discriminator(bytes: &[u8], disc: &[u8]) -> bool {
    match <[u8; 8]>::try_from(disc) {
        Ok(disc) if bytes.len() >= 8 && bytes.as_ptr() as usize % 8 == 0 => {
            // SAFETY: 8 readable, 8-aligned bytes.
            unsafe { *(bytes.as_ptr() as *const u64) == u64::from_ne_bytes(disc) }
        }
        _ => bytes.starts_with(disc),
    }
}

/// One serialized account, by the address of its duplicate marker.
#[derive(Clone, Copy)]
struct Account(*mut u8);

impl Account {
    const IS_SIGNER: usize = 1;
    const IS_WRITABLE: usize = 2;
    const EXECUTABLE: usize = 3;
    const KEY: usize = 8;
    const OWNER: usize = 40;
    const LAMPORTS: usize = 72;
    const DATA_LEN: usize = 80;
    const DATA: usize = 88;
    /// Offset of the rent epoch: after the data and the realloc room, padded
    /// to `BPF_ALIGN_OF_U128` (the account starts aligned, and so does the
    /// room's end once the data length is rounded up).
    fn rent_epoch_offset(&self) -> usize {
        const ALIGN: usize = BPF_ALIGN_OF_U128;
        Self::DATA + (self.data_len() + ALIGN - 1) / ALIGN * ALIGN + MAX_PERMITTED_DATA_INCREASE
    }
    /// Bytes the account takes in the input, rent epoch included.
    fn size(&self) -> usize {
        self.rent_epoch_offset() + 8
    }

    fn byte(&self, offset: usize) -> u8 {
        // SAFETY: offsets inside the fixed header the runtime wrote.
        unsafe { *self.0.add(offset) }
    }
    fn key(&self) -> &'static Pubkey {
        unsafe { &*(self.0.add(Self::KEY) as *const Pubkey) }
    }
    fn owner(&self) -> &'static Pubkey {
        unsafe { &*(self.0.add(Self::OWNER) as *const Pubkey) }
    }
    fn executable(&self) -> bool {
        self.byte(Self::EXECUTABLE) != 0
    }
    fn data_len(&self) -> usize {
        unsafe { *(self.0.add(Self::DATA_LEN) as *const u64) as usize }
    }

    fn signer(&self, name: &str) -> Result<()> {
        self.must(
            self.byte(Self::IS_SIGNER) != 0,
            ErrorCode::AccountNotSigner,
            name,
        )
    }
    fn writable(&self, name: &str) -> Result<()> {
        self.must(
            self.byte(Self::IS_WRITABLE) != 0,
            ErrorCode::ConstraintMut,
            name,
        )
    }
    /// `Program<T>`: the expected id, and executable.
    fn program(&self, id: &Pubkey, name: &str) -> Result<()> {
        self.must(keys_eq(self.key(), id), ErrorCode::InvalidProgramId, name)?;
        self.must(self.executable(), ErrorCode::InvalidProgramExecutable, name)
    }
    fn must(
        &self,
        ok: bool,
        error: impl Into<anchor_lang::error::Error>,
        name: &str,
    ) -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(error.into().with_account_name(name))
        }
    }

    /// `AccountLoader<T>`: owned by this program (`T::owner()` for both our
    /// account types), discriminator of `T`; then the account's bytes as `T`,
    /// in place.
    ///
    /// # Safety
    /// The caller holds no other reference to this account's data.
    unsafe fn load<T: ZeroCopy + Owner>(&self, name: &str) -> Result<&'static mut T> {
        if !keys_eq(self.owner(), &PROGRAM_ID.0) {
            return Err(Error::from(ErrorCode::AccountOwnedByWrongProgram)
                .with_account_name(name)
                .with_pubkeys((*self.owner(), T::owner())));
        }
        let data = core::slice::from_raw_parts_mut(self.0.add(Self::DATA), self.data_len());
        let disc = T::DISCRIMINATOR;
        if data.len() < disc.len() {
            return Err(
                Error::from(ErrorCode::AccountDiscriminatorNotFound).with_account_name(name)
            );
        }
        if !starts_with_discriminator(data, disc) {
            return Err(
                Error::from(ErrorCode::AccountDiscriminatorMismatch).with_account_name(name)
            );
        }
        // An account of ours with T's discriminator was created with T's size.
        Ok(bytemuck::from_bytes_mut(
            &mut data[disc.len()..disc.len() + core::mem::size_of::<T>()],
        ))
    }

    /// The account as the C-ABI CPI takes it: pointers into this input.
    fn cpi(&self) -> CpiAccount {
        // SAFETY: offsets inside this account's part of the input.
        let rent_epoch = unsafe { *(self.0.add(self.rent_epoch_offset()) as *const u64) };
        CpiAccount {
            key: self.key(),
            lamports: unsafe { self.0.add(Self::LAMPORTS) as *const u64 },
            data_len: self.data_len() as u64,
            data: unsafe { self.0.add(Self::DATA) },
            owner: self.owner(),
            rent_epoch,
            is_signer: self.byte(Self::IS_SIGNER) != 0,
            is_writable: self.byte(Self::IS_WRITABLE) != 0,
            executable: self.executable(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_args_reads_what_borsh_writes_aligned_or_not() {
        let args = ApproveArgs {
            nonce: 0x0102_0304_0506_0708,
            message_digest: [0xd1; 32],
            amount: u64::MAX - 5,
            destination_program: Pubkey::new_unique(),
            signature_nonce: [0x51; 32],
            user_pubkey: [0x52; 32],
            signature_scheme: 2,
            message_approval_bump: 253,
        };
        let encoded = args.try_to_vec().unwrap();
        #[repr(C, align(8))]
        struct Buf([u8; 160]);
        let mut buf = Buf([0; 160]);
        buf.0[..146].copy_from_slice(&encoded);
        assert_eq!(decode_args(&buf.0[..146]), Some(args.clone()));
        assert_eq!(
            decode_args(&buf.0[..150]),
            Some(args.clone()),
            "trailing bytes are ignored, as Borsh does"
        );
        assert_eq!(decode_args(&buf.0[..145]), None);
        buf.0[1..147].copy_from_slice(&encoded);
        assert_eq!(decode_args(&buf.0[1..147]), Some(args));
    }

    #[test]
    fn discriminator_compare_matches_starts_with() {
        #[repr(C, align(8))]
        struct Buf([u8; 24]);
        let disc = crate::instruction::ApproveMessage::DISCRIMINATOR;
        let mut buf = Buf([0; 24]);
        buf.0[..8].copy_from_slice(disc);
        buf.0[9..17].copy_from_slice(disc);
        assert!(starts_with_discriminator(&buf.0, disc));
        assert!(starts_with_discriminator(&buf.0[9..], disc));
        assert!(!starts_with_discriminator(&buf.0[..7], disc));
        buf.0[7] ^= 1;
        assert!(!starts_with_discriminator(&buf.0, disc));
    }

    #[test]
    fn message_approved_logs_what_emit_would() {
        let event = crate::events::MessageApproved {
            session: Pubkey::new_unique(),
            nonce: 41,
            binding: [0xbb; 32],
            remaining_uses: 7,
        };
        assert_eq!(event.to_log().0.to_vec(), anchor_lang::Event::data(&event));
    }
}
