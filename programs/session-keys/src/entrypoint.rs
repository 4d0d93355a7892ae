//! The program's entrypoint (feature `fast-entrypoint`, on by default): it
//! serves `approve_message`, `approve_solana_message` and
//! `approve_evm_transaction`, the instructions bots call on every use,
//! straight from the runtime's input, and hands every other instruction to Anchor.
//!
//! Why: Anchor's entry builds an `AccountInfo` (two `Rc<RefCell>`s) for every
//! account and validates them field by field; for the eleven accounts of the use
//! path that alone cost more than the whole budget of the issue (2,500 CU of
//! our own work). Here the same checks read the input in place.
//!
//! What stays the same as Anchor's path, by construction:
//! - the checks and their order: argument decoding, then the account *types*
//!   in field order (signers, Policy and Session owner and discriminator),
//!   then the *constraints* in field order (`mut`, the coordinator, the
//!   dWallet against the policy and Ika, the Ika program, this program, the
//!   CPI authority, the System program;
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
use anchor_lang::ZeroCopy;

use crate::cu_probe::cu_probe;
use crate::errors::SessionKeysError;
use crate::ika::{self, ApproveMessageAccounts, CpiAccount};
use crate::instructions::uses::{
    APPROVE_ACCOUNTS, APPROVE_VERIFIED_ACCOUNTS, DISCRIMINATOR_APPROVE_EVM_TRANSACTION, DISCRIMINATOR_APPROVE_MESSAGE,
    DISCRIMINATOR_APPROVE_SOLANA_MESSAGE,
};
use crate::instructions::{
    message_source, use_evm_session, use_session, use_solana_session, ApproveArgs, VerifiedUse,
};
use crate::keys::{keys_eq, CPI_AUTHORITY, IKA_COORDINATOR, IKA_PROGRAM_ID, PROGRAM_ID, SYSTEM_PROGRAM_ID};
use crate::state::{close_buffer, MessageBuffer, Policy, Session};

anchor_lang::solana_program::entrypoint::custom_heap_default!();
anchor_lang::solana_program::entrypoint::custom_panic_default!();

/// Which use path the input is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UsePath {
    Opaque,
    Solana,
    Evm,
}

/// # Safety
/// Called by the runtime only, with its serialized input.
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    cu_probe!("start");
    cu_probe!("calibrate");
    if let Some(input) = Input::use_path(input) {
        cu_probe!("input walk");
        let result = match input.path {
            UsePath::Opaque => approve_message(&input),
            UsePath::Solana | UsePath::Evm => approve_verified(&input),
        };
        return match result {
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

/// The opaque use path: `ApproveMessage`'s checks, then `use_session` and the CPI.
fn approve_message(input: &Input) -> Result<()> {
    let bytes = input.args()?;
    let decoded;
    // SAFETY: `bytes` is the instruction data after the discriminator, which
    // the runtime follows with the program id (`Input`).
    let args = match unsafe { args_in_place(bytes) } {
        Some(args) => args,
        None => {
            decoded = ApproveArgs::deserialize(&mut &bytes[..])
                .map_err(|_| ErrorCode::InstructionDidNotDeserialize)?;
            &decoded
        }
    };
    cu_probe!("argument decoding");
    let (policy_state, session_state) = check_use_accounts(input)?;
    cu_probe!("account checks");
    let slot = current_slot()?;
    cu_probe!("clock");
    let [delegate, _, policy, session, ..] = &input.accounts;
    use_session(
        policy.key(),
        policy_state,
        session.key(),
        session_state,
        delegate.key(),
        slot,
        args,
    )?;
    ika::approve_message(
        &input.ika_accounts(),
        policy_state.cpi_authority_bump,
        &ika::ApproveMessageData::new(args),
    )
}

/// The verified use paths: `ApproveSolanaMessage`'s (or the same
/// `ApproveEvmTransaction`'s) checks — `ApproveMessage`'s, then the optional
/// buffer —, `use_solana_session` or `use_evm_session`, the CPI, and the buffer closed.
fn approve_verified(input: &Input) -> Result<()> {
    let bytes = input.args()?;
    let args = VerifiedUse::parse(bytes).ok_or(ErrorCode::InstructionDidNotDeserialize)?;
    cu_probe!("solana: argument decoding");
    let (policy_state, session_state) = check_use_accounts(input)?;
    cu_probe!("solana: account checks");
    let [delegate, payer, policy, session, _, _, dwallet, _, _, _, _, buffer] = &input.accounts;
    // Anchor's `Option<AccountLoader>`: this program's id means `None`.
    let buffer = if keys_eq(buffer.key(), &PROGRAM_ID.0) {
        None
    } else {
        // SAFETY: the buffer's discriminator differs from the Policy's and the
        // Session's, so it is neither; nothing else reads it.
        let state: &MessageBuffer = unsafe { buffer.load("message_buffer")? };
        buffer.writable("message_buffer")?;
        Some((buffer, *state))
    };
    let slot = current_slot()?;
    cu_probe!("solana: buffer and clock");
    let message = message_source(
        args.message,
        buffer.as_ref().map(|(account, state)| (state, account.data())),
        session.key(),
        payer.key(),
    )?;
    let u = VerifiedUse { message, ..args };
    let data = if input.path == UsePath::Evm {
        use_evm_session(policy.key(), policy_state, session.key(), session_state, delegate.key(), slot, &u)?
    } else {
        use_solana_session(
            policy.key(),
            policy_state,
            session.key(),
            session_state,
            delegate.key(),
            slot,
            dwallet.data(),
            &u,
        )?
    };
    ika::approve_message(&input.ika_accounts(), policy_state.cpi_authority_bump, &data)?;
    if let Some((account, _)) = buffer {
        // SAFETY: the CPI has returned; no reference into these accounts'
        // lamports or data is live (the message was only read before it).
        unsafe { close_buffer(account.lamports_mut(), payer.lamports_mut(), account.data_mut()) }?;
    }
    Ok(())
}

/// `ApproveMessage`'s account checks: the account types in field order, then
/// the constraints in field order. Returns the Policy and the Session.
fn check_use_accounts(input: &Input) -> Result<(&'static Policy, &'static mut Session)> {
    let [delegate, payer, policy, session, coordinator, message_approval, dwallet, dwallet_program, caller_program, cpi_authority, system_program, ..] =
        &input.accounts;

    // Account types, in field order.
    delegate.signer("delegate")?;
    payer.signer("payer")?;
    // SAFETY: `policy` and `session` cannot be the same account (their
    // discriminators differ); nothing else in this instruction reads them.
    let policy_state: &Policy = unsafe { policy.load("policy")? };
    let session_state: &mut Session = unsafe { session.load("session")? };

    // Constraints, in field order.
    payer.writable("payer")?;
    session.writable("session")?;
    coordinator.must(
        keys_eq(coordinator.key(), &IKA_COORDINATOR.0),
        SessionKeysError::InvalidCoordinator,
        "coordinator",
    )?;
    message_approval.writable("message_approval")?;
    // Anchor runs a field's raw `constraint`s before its `address`.
    dwallet.must(
        keys_eq(dwallet.owner(), &IKA_PROGRAM_ID.0),
        SessionKeysError::DwalletOwnerMismatch,
        "dwallet",
    )?;
    dwallet.must(
        keys_eq(dwallet.key(), &policy_state.dwallet),
        SessionKeysError::DwalletMismatch,
        "dwallet",
    )?;
    dwallet_program.must(
        keys_eq(dwallet_program.key(), &IKA_PROGRAM_ID.0),
        SessionKeysError::InvalidDwalletProgram,
        "dwallet_program",
    )?;
    caller_program.must(
        keys_eq(caller_program.key(), &PROGRAM_ID.0),
        ErrorCode::InvalidProgramId,
        "caller_program",
    )?;
    cpi_authority.must(
        keys_eq(cpi_authority.key(), &CPI_AUTHORITY.0),
        SessionKeysError::InvalidCpiAuthority,
        "cpi_authority",
    )?;
    system_program.must(
        keys_eq(system_program.key(), &SYSTEM_PROGRAM_ID.0),
        ErrorCode::InvalidProgramId,
        "system_program",
    )?;
    Ok((policy_state, session_state))
}

/// `Clock::get()?.slot`, without copying the Clock out through a `Result`.
#[cfg(target_os = "solana")]
fn current_slot() -> Result<u64> {
    let mut clock = core::mem::MaybeUninit::<Clock>::uninit();
    // SAFETY: the syscall writes a whole Clock to the pointer, or fails.
    match unsafe {
        solana_define_syscall::definitions::sol_get_clock_sysvar(clock.as_mut_ptr() as *mut u8)
    } {
        // SAFETY: written by the syscall.
        SUCCESS => Ok(unsafe { clock.assume_init_ref() }.slot),
        code => Err(ProgramError::from(code).into()),
    }
}
#[cfg(not(target_os = "solana"))]
fn current_slot() -> Result<u64> {
    Ok(Clock::get()?.slot)
}

/// `ApproveArgs` read in place from their Borsh bytes, when those sit
/// 8-aligned (the runtime puts instruction data 8-aligned, and the arguments
/// follow the 8-byte discriminator): `repr(C)` puts every field at its Borsh
/// offset (`ApproveArgs::BORSH_LEN` pins it), so no byte is copied. `None` for
/// unaligned bytes (never seen from the runtime) or too few; the caller then
/// decodes with Borsh, which names the error.
///
/// # Safety
/// `size_of::<ApproveArgs>()` bytes from `bytes`' start are readable: the
/// struct's 5 bytes of tail padding, past the 179 Borsh bytes, are never read
/// as fields, and the runtime's input has the program id after the data.
unsafe fn args_in_place(bytes: &[u8]) -> Option<&ApproveArgs> {
    if bytes.len() < ApproveArgs::BORSH_LEN
        || !(bytes.as_ptr() as usize).is_multiple_of(core::mem::align_of::<ApproveArgs>())
    {
        return None;
    }
    // Every field is an integer or bytes: any bit pattern is a valid value.
    Some(&*(bytes.as_ptr() as *const ApproveArgs))
}

/// The runtime's serialized input (SBF loader, aligned layout), read in place:
/// `u64` account count; per account either a duplicate marker (the index of
/// the first occurrence, 8 bytes in all) or `0xff`, the flags, key, owner,
/// lamports, data length, data, 10 KiB of realloc room, padding to 8 and the
/// rent epoch; then the instruction data (`u64` length first) and program id.
struct Input {
    path: UsePath,
    /// The first twelve accounts; for `approve_message` only eleven are read
    /// (a twelfth, when present, is an extra account Anchor ignores).
    accounts: [Account; APPROVE_VERIFIED_ACCOUNTS],
    data: &'static [u8],
    program_id: &'static Pubkey,
}

impl Input {
    /// `Some` when the instruction is `approve_message` with at least its
    /// eleven accounts, or `approve_solana_message` / `approve_evm_transaction`
    /// with at least their twelve (extra accounts are ignored, as Anchor
    /// does); `None` otherwise, after looking at nothing but the account
    /// count, or the data past them.
    unsafe fn use_path(input: *mut u8) -> Option<Input> {
        let count = *(input as *const u64) as usize;
        if count < APPROVE_ACCOUNTS {
            return None;
        }
        let mut accounts = [Account(core::ptr::null_mut()); APPROVE_VERIFIED_ACCOUNTS];
        let mut at = input.add(8);
        // The first eleven: a fixed count, which the compiler unrolls; then
        // the twelfth when there is one. A duplicate names the index of an
        // earlier account (the runtime only ever names an earlier one).
        for i in 0..APPROVE_ACCOUNTS {
            accounts[i] = Account::at(at, &accounts);
            at = Account::next(at);
        }
        if count > APPROVE_ACCOUNTS {
            accounts[APPROVE_ACCOUNTS] = Account::at(at, &accounts);
            at = Account::next(at);
        }
        // Extra accounts are skipped.
        for _ in APPROVE_VERIFIED_ACCOUNTS.min(count)..count {
            at = Account::next(at);
        }
        let data_len = *(at as *const u64) as usize;
        let data = core::slice::from_raw_parts(at.add(8), data_len);
        let path = if starts_with_discriminator(data, &DISCRIMINATOR_APPROVE_MESSAGE) {
            UsePath::Opaque
        } else if count >= APPROVE_VERIFIED_ACCOUNTS
            && starts_with_discriminator(data, &DISCRIMINATOR_APPROVE_SOLANA_MESSAGE)
        {
            UsePath::Solana
        } else if count >= APPROVE_VERIFIED_ACCOUNTS
            && starts_with_discriminator(data, &DISCRIMINATOR_APPROVE_EVM_TRANSACTION)
        {
            UsePath::Evm
        } else {
            return None;
        };
        let program_id = &*(at.add(8 + data_len) as *const Pubkey);
        Some(Input {
            path,
            accounts,
            data,
            program_id,
        })
    }

    /// The instruction's arguments, after its 8-byte discriminator, once the
    /// declared program id is checked as Anchor's entry checks it first.
    fn args(&self) -> Result<&'static [u8]> {
        if !keys_eq(self.program_id, &PROGRAM_ID.0) {
            return Err(ErrorCode::DeclaredProgramIdMismatch.into());
        }
        // `use_path` matched an 8-byte discriminator at the data's start.
        Ok(&self.data[8..])
    }

    /// The accounts of the Ika CPI, from the use path's.
    fn ika_accounts(&self) -> ApproveMessageAccounts<'static> {
        let [_, payer, _, _, coordinator, message_approval, dwallet, _, caller_program, cpi_authority, system_program, ..] =
            &self.accounts;
        ApproveMessageAccounts {
            coordinator: coordinator.cpi(),
            message_approval: message_approval.cpi(),
            dwallet: dwallet.cpi(),
            cpi_authority: cpi_authority.cpi(),
            payer: payer.cpi(),
            caller_program: caller_program.key(),
            system_program: system_program.key(),
        }
    }
}

/// `bytes` starts with the 8-byte Anchor discriminator `disc`: one word
/// compare when `bytes` is 8-aligned (account and instruction data always are).
fn starts_with_discriminator(bytes: &[u8], disc: &[u8]) -> bool {
    match <[u8; 8]>::try_from(disc) {
        Ok(disc) if bytes.len() >= 8 && (bytes.as_ptr() as usize).is_multiple_of(8) => {
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
    const KEY: usize = 8;
    const OWNER: usize = 40;
    const LAMPORTS: usize = 72;
    const DATA_LEN: usize = 80;
    const DATA: usize = 88;
    /// Offset of the rent epoch: after the data and the realloc room, padded
    /// to `BPF_ALIGN_OF_U128` (the account starts aligned, and so does the
    /// room's end once the data length is rounded up). Wrapping arithmetic: the
    /// runtime caps account data at 10 MiB, far from any overflow.
    fn rent_epoch_offset(&self) -> usize {
        const ALIGN: usize = BPF_ALIGN_OF_U128;
        let rounded = self.data_len().wrapping_add(ALIGN - 1) & !(ALIGN - 1);
        rounded.wrapping_add(Self::DATA + MAX_PERMITTED_DATA_INCREASE)
    }

    /// The account serialized at `at`: itself, or the earlier one a duplicate names.
    ///
    /// # Safety
    /// `at` is the start of an account in the runtime's input, and every
    /// account before it is in `earlier`.
    unsafe fn at(at: *mut u8, earlier: &[Account; APPROVE_VERIFIED_ACCOUNTS]) -> Account {
        if *at == NON_DUP_MARKER {
            Account(at)
        } else {
            earlier[*at as usize]
        }
    }

    /// Where the account after the one serialized at `at` starts: a duplicate
    /// is 8 bytes in all.
    ///
    /// # Safety
    /// `at` is the start of an account in the runtime's input.
    unsafe fn next(at: *mut u8) -> *mut u8 {
        if *at == NON_DUP_MARKER {
            at.wrapping_add(Account(at).rent_epoch_offset().wrapping_add(8))
        } else {
            at.wrapping_add(8)
        }
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
    fn data_len(&self) -> usize {
        unsafe { *(self.0.add(Self::DATA_LEN) as *const u64) as usize }
    }
    fn data(&self) -> &'static [u8] {
        // SAFETY: the account's data, as long as its length says.
        unsafe { core::slice::from_raw_parts(self.0.add(Self::DATA), self.data_len()) }
    }
    /// # Safety
    /// No other reference to this account's data is live.
    unsafe fn data_mut(&self) -> &'static mut [u8] {
        core::slice::from_raw_parts_mut(self.0.add(Self::DATA), self.data_len())
    }
    /// # Safety
    /// No other reference to this account's lamports is live.
    unsafe fn lamports_mut(&self) -> &'static mut u64 {
        &mut *(self.0.add(Self::LAMPORTS) as *mut u64)
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
    /// `rent_epoch` and `executable` are left 0: the runtime no longer reads a
    /// caller's rent epoch or executable flag in a CPI (Agave's `CallerAccount` has no such
    /// field since `disable_cpi_setting_executable_and_rent_epoch`), and
    /// finding it would cost a walk past the account's data on every account.
    fn cpi(&self) -> CpiAccount {
        CpiAccount {
            key: self.key(),
            // SAFETY: offsets inside this account's part of the input.
            lamports: unsafe { self.0.add(Self::LAMPORTS) as *const u64 },
            data_len: self.data_len() as u64,
            data: unsafe { self.0.add(Self::DATA) },
            owner: self.owner(),
            rent_epoch: 0,
            is_signer: self.byte(Self::IS_SIGNER),
            is_writable: self.byte(Self::IS_WRITABLE),
            executable: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Discriminator;

    #[test]
    fn args_in_place_read_what_borsh_writes() {
        let args = ApproveArgs {
            nonce: 0x0102_0304_0506_0708,
            message_digest: [0xd1; 32],
            message_metadata_digest: [0xd2; 32],
            amount: (u128::MAX - 5).to_le_bytes(),
            destination_program: Pubkey::new_unique(),
            signature_nonce: [0x51; 32],
            user_pubkey: [0x52; 32],
            signature_scheme: 0x0304,
            message_approval_bump: 253,
        };
        let encoded = borsh::to_vec(&args).unwrap();
        assert_eq!(encoded.len(), ApproveArgs::BORSH_LEN);
        // Like the runtime's input: 8-aligned, readable bytes past the data.
        #[repr(C, align(8))]
        struct Buf([u8; 240]);
        let mut buf = Buf([0xee; 240]);
        buf.0[..187].copy_from_slice(&encoded);
        unsafe {
            assert_eq!(args_in_place(&buf.0[..187]), Some(&args));
            assert_eq!(
                args_in_place(&buf.0[..191]),
                Some(&args),
                "trailing bytes are ignored, as Borsh does"
            );
            assert_eq!(args_in_place(&buf.0[..186]), None, "too short");
            buf.0[1..188].copy_from_slice(&encoded);
            assert_eq!(args_in_place(&buf.0[1..188]), None, "unaligned");
        }
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
    fn solana_message_approved_logs_what_emit_would() {
        let (session, programs) = (Pubkey::new_unique(), [Pubkey::new_unique(), Pubkey::new_unique()]);
        let event = crate::events::SolanaMessageApproved {
            session,
            nonce: 41,
            binding: [0xbb; 32],
            remaining_uses: 7,
            amount: u128::MAX - 3,
            programs: programs.to_vec(),
        };
        let refs: Vec<&Pubkey> = programs.iter().collect();
        let mut logged = Vec::new();
        crate::events::SolanaMessageApproved::with_log(&session, 41, &[0xbb; 32], 7, u128::MAX - 3, &refs, |b| {
            logged = b.to_vec()
        });
        assert_eq!(logged, anchor_lang::Event::data(&event));
    }

    #[test]
    fn solana_args_read_in_place_what_borsh_writes() {
        let args = crate::instructions::ApproveSolanaArgs {
            user_pubkey: [1; 32],
            signature_nonce: [2; 32],
            nonce: 0x0102_0304_0506_0708,
            message_approval_bump: 254,
            message: vec![9, 8, 7],
        };
        let mut encoded = borsh::to_vec(&args).unwrap();
        let u = VerifiedUse::parse(&encoded).unwrap();
        assert_eq!((u.user_pubkey, u.signature_nonce, u.nonce), (&[1; 32], &[2; 32], args.nonce));
        assert_eq!((u.message_approval_bump, u.message), (254, &[9u8, 8, 7][..]));
        encoded.push(0);
        assert_eq!(VerifiedUse::parse(&encoded).unwrap().message, &[9, 8, 7], "trailing bytes are ignored, as Borsh does");
        encoded.truncate(encoded.len() - 2);
        assert!(VerifiedUse::parse(&encoded).is_none(), "a length past the data");
        assert!(VerifiedUse::parse(&encoded[..76]).is_none());
    }

    #[test]
    fn message_approved_logs_what_emit_would() {
        let event = crate::events::MessageApproved {
            session: Pubkey::new_unique(),
            nonce: 41,
            binding: [0xbb; 32],
            remaining_uses: 7,
            amount: u128::MAX - 9,
        };
        assert_eq!(
            event.to_log().bytes().to_vec(),
            anchor_lang::Event::data(&event)
        );
    }
}
