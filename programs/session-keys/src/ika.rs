//! The Ika dWallet program interface: every byte offset, discriminator and
//! account order we depend on, and the CPI builders. Ika's pre-alpha may change;
//! a change to its interface should be an edit to this file only.
//!
//! The dWallet program id is *data* (stored per policy), never a constant here:
//! tests run against a stand-in deployed at another address.
//!
//! `approve_message`, on every use, goes through the runtime's C-ABI CPI with
//! structures built in place; the once-per-policy `transfer_ownership` calls
//! use solana's ordinary `invoke`.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::{invoke, invoke_signed};

use crate::constants::SEED_CPI_AUTHORITY;
use crate::errors::SessionKeysError;
use crate::instructions::ApproveArgs;

// ---- dWallet account (owned by the dWallet program) ----------------------------
pub const DWALLET_DISCRIMINATOR: u8 = 2;
pub const DWALLET_VERSION: u8 = 1;
pub const DWALLET_DISCRIMINATOR_OFFSET: usize = 0;
pub const DWALLET_VERSION_OFFSET: usize = 1;
/// `authority` is bytes `2..34`: a wallet, or a program's CPI authority.
pub const DWALLET_AUTHORITY_OFFSET: usize = 2;
pub const DWALLET_AUTHORITY_END: usize = DWALLET_AUTHORITY_OFFSET + 32;

// ---- MessageApproval account (created by Ika's approve_message) ---------------
/// Seeds of the MessageApproval PDA (of the dWallet program):
/// `["message_approval", dwallet, message_hash]`.
pub const SEED_MESSAGE_APPROVAL: &[u8] = b"message_approval";
pub const MESSAGE_APPROVAL_DISCRIMINATOR: u8 = 14;
pub const MESSAGE_APPROVAL_STATUS_OFFSET: usize = 139;
pub const MESSAGE_APPROVAL_STATUS_PENDING: u8 = 0;
pub const MESSAGE_APPROVAL_LEN: usize = 287;

// ---- signature schemes (`signature_scheme` byte) --------------------------------
pub const SCHEME_ED25519: u8 = 0;
pub const SCHEME_SECP256K1: u8 = 1;
pub const SCHEME_SECP256R1: u8 = 2;

// ---- instructions ------------------------------------------------------------
/// `[8, bump, message_hash(32), user_pubkey(32), signature_scheme]`.
pub const IX_APPROVE_MESSAGE: u8 = 8;
pub const APPROVE_MESSAGE_DATA_LEN: usize = 67;
/// `[24, new_authority(32)]`.
pub const IX_TRANSFER_OWNERSHIP: u8 = 24;
pub const TRANSFER_OWNERSHIP_DATA_LEN: usize = 33;

/// Reads the authority of a dWallet account, after checking it is one: owned
/// by `dwallet_program`, long enough, discriminator 2, version 1 (fail closed
/// on a layout we do not know).
pub fn read_dwallet_authority(dwallet: &AccountInfo, dwallet_program: &Pubkey) -> Result<Pubkey> {
    require_keys_eq!(
        *dwallet.owner,
        *dwallet_program,
        SessionKeysError::DwalletOwnerMismatch
    );
    let data = dwallet.try_borrow_data()?;
    require!(
        data.len() >= DWALLET_AUTHORITY_END
            && data[DWALLET_DISCRIMINATOR_OFFSET] == DWALLET_DISCRIMINATOR
            && data[DWALLET_VERSION_OFFSET] == DWALLET_VERSION,
        SessionKeysError::InvalidDwalletAccount
    );
    let mut authority = [0u8; 32];
    authority.copy_from_slice(&data[DWALLET_AUTHORITY_OFFSET..DWALLET_AUTHORITY_END]);
    Ok(Pubkey::new_from_array(authority))
}

pub fn approve_message_data(
    message_approval_bump: u8,
    message_hash: &[u8; 32],
    user_pubkey: &[u8; 32],
    signature_scheme: u8,
) -> [u8; APPROVE_MESSAGE_DATA_LEN] {
    let mut data = [0u8; APPROVE_MESSAGE_DATA_LEN];
    data[0] = IX_APPROVE_MESSAGE;
    data[1] = message_approval_bump;
    data[2..34].copy_from_slice(message_hash);
    data[34..66].copy_from_slice(user_pubkey);
    data[66] = signature_scheme;
    data
}

pub fn transfer_ownership_data(new_authority: &Pubkey) -> [u8; TRANSFER_OWNERSHIP_DATA_LEN] {
    let mut data = [0u8; TRANSFER_OWNERSHIP_DATA_LEN];
    data[0] = IX_TRANSFER_OWNERSHIP;
    data[1..].copy_from_slice(new_authority.as_ref());
    data
}

/// One account as the runtime's C-ABI CPI (`sol_invoke_signed_c`) takes it:
/// pointers into the input region where the runtime serialized the account, so
/// the runtime can find it and write back what the callee changed. The use
/// path builds these straight from its input (no allocation, no `Rc`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CpiAccount {
    pub key: *const Pubkey,
    pub lamports: *const u64,
    pub data_len: u64,
    pub data: *const u8,
    pub owner: *const Pubkey,
    pub rent_epoch: u64,
    pub is_signer: bool,
    pub is_writable: bool,
    pub executable: bool,
}

impl CpiAccount {
    /// The same account seen through Anchor's `AccountInfo`, whose lamports
    /// and data also point into the input region.
    pub fn from_account_info(info: &AccountInfo) -> Self {
        // SAFETY: as_ptr reads the RefCell's content without borrowing; the
        // pointers are only handed to the runtime, which checks them.
        let (lamports, data, data_len) = unsafe {
            let data = &*info.data.as_ptr();
            (
                *info.lamports.as_ptr() as *const u64,
                data.as_ptr(),
                data.len() as u64,
            )
        };
        Self {
            key: info.key,
            lamports,
            data_len,
            data,
            owner: info.owner,
            rent_epoch: info.rent_epoch,
            is_signer: info.is_signer,
            is_writable: info.is_writable,
            executable: info.executable,
        }
    }
}

/// Accounts of Ika `approve_message`, CPI path, in Ika's order. `repr(C)` of
/// one type: the runtime reads it as the array of account infos it is. The
/// program called needs no account info of its own: the runtime finds it
/// among the accounts of our instruction.
#[repr(C)]
pub struct ApproveMessageAccounts {
    pub message_approval: CpiAccount,
    pub dwallet: CpiAccount,
    pub caller_program: CpiAccount,
    pub cpi_authority: CpiAccount,
    pub payer: CpiAccount,
    pub system_program: CpiAccount,
}
const APPROVE_MESSAGE_ACCOUNTS: usize = 6;
const _: () = assert!(
    std::mem::size_of::<ApproveMessageAccounts>()
        == APPROVE_MESSAGE_ACCOUNTS * std::mem::size_of::<CpiAccount>()
);

/// `SolAccountMeta` of the C ABI.
#[repr(C)]
struct CpiMeta {
    pubkey: *const Pubkey,
    is_writable: bool,
    is_signer: bool,
}

/// `SolInstruction` of the C ABI.
#[repr(C)]
struct CpiInstruction {
    program_id: *const Pubkey,
    accounts: *const CpiMeta,
    accounts_len: u64,
    data: *const u8,
    data_len: u64,
}

/// `SolSignerSeedC` (one seed) and `SolSignerSeedsC` (one signer) of the C ABI.
#[repr(C)]
struct CpiSeed {
    addr: *const u8,
    len: u64,
}
#[repr(C)]
struct CpiSigner {
    addr: *const CpiSeed,
    len: u64,
}

/// CPI Ika `approve_message` (`message_hash = args.message_digest`), signed by
/// our CPI authority PDA `[SEED_CPI_AUTHORITY, cpi_authority_bump]`.
pub fn approve_message(
    dwallet_program: &Pubkey,
    accounts: &ApproveMessageAccounts,
    cpi_authority_bump: u8,
    args: &ApproveArgs,
) -> Result<()> {
    let data = approve_message_data(
        args.message_approval_bump,
        &args.message_digest,
        &args.user_pubkey,
        args.signature_scheme,
    );
    let meta = |a: &CpiAccount, is_writable, is_signer| CpiMeta {
        pubkey: a.key,
        is_writable,
        is_signer,
    };
    let metas = [
        meta(&accounts.message_approval, true, false),
        meta(&accounts.dwallet, false, false),
        meta(&accounts.caller_program, false, false),
        meta(&accounts.cpi_authority, false, true),
        meta(&accounts.payer, true, true),
        meta(&accounts.system_program, false, false),
    ];
    let instruction = CpiInstruction {
        program_id: dwallet_program,
        accounts: metas.as_ptr(),
        accounts_len: metas.len() as u64,
        data: data.as_ptr(),
        data_len: data.len() as u64,
    };
    let bump = [cpi_authority_bump];
    let seeds = [
        CpiSeed {
            addr: SEED_CPI_AUTHORITY.as_ptr(),
            len: SEED_CPI_AUTHORITY.len() as u64,
        },
        CpiSeed {
            addr: bump.as_ptr(),
            len: 1,
        },
    ];
    let signer = CpiSigner {
        addr: seeds.as_ptr(),
        len: seeds.len() as u64,
    };
    invoke_signed_c(&instruction, accounts, &signer)
}

#[cfg(target_os = "solana")]
fn invoke_signed_c(
    instruction: &CpiInstruction,
    accounts: &ApproveMessageAccounts,
    signer: &CpiSigner,
) -> Result<()> {
    // SAFETY: every pointer is to a live repr(C) value of this frame or into
    // the input region; the runtime validates all of them.
    let result = unsafe {
        solana_define_syscall::definitions::sol_invoke_signed_c(
            instruction as *const CpiInstruction as *const u8,
            accounts as *const ApproveMessageAccounts as *const u8,
            APPROVE_MESSAGE_ACCOUNTS as u64,
            signer as *const CpiSigner as *const u8,
            1,
        )
    };
    match result {
        0 => Ok(()),
        code => Err(ProgramError::from(code).into()),
    }
}

/// CPIs exist only on-chain; host unit tests never reach this.
#[cfg(not(target_os = "solana"))]
fn invoke_signed_c(_: &CpiInstruction, _: &ApproveMessageAccounts, _: &CpiSigner) -> Result<()> {
    Err(ProgramError::InvalidArgument.into())
}

/// CPI Ika `transfer_ownership`, signer path: the current authority is a
/// wallet that signed our transaction (`initialize_policy`).
pub fn transfer_ownership_by_signer<'info>(
    dwallet_program: &AccountInfo<'info>,
    current_authority: &AccountInfo<'info>,
    dwallet: &AccountInfo<'info>,
    new_authority: &Pubkey,
) -> Result<()> {
    let ix = Instruction {
        program_id: *dwallet_program.key,
        accounts: vec![
            AccountMeta::new_readonly(*current_authority.key, true),
            AccountMeta::new(*dwallet.key, false),
        ],
        data: transfer_ownership_data(new_authority).to_vec(),
    };
    invoke(
        &ix,
        &[
            current_authority.clone(),
            dwallet.clone(),
            dwallet_program.clone(),
        ],
    )?;
    Ok(())
}

/// CPI Ika `transfer_ownership`, CPI path: the current authority is our CPI
/// authority PDA (`release_dwallet`).
pub fn transfer_ownership_by_cpi<'info>(
    dwallet_program: &AccountInfo<'info>,
    caller_program: &AccountInfo<'info>,
    cpi_authority: &AccountInfo<'info>,
    dwallet: &AccountInfo<'info>,
    cpi_authority_seeds: &[&[u8]],
    new_authority: &Pubkey,
) -> Result<()> {
    let ix = Instruction {
        program_id: *dwallet_program.key,
        accounts: vec![
            AccountMeta::new_readonly(*caller_program.key, false),
            AccountMeta::new_readonly(*cpi_authority.key, true),
            AccountMeta::new(*dwallet.key, false),
        ],
        data: transfer_ownership_data(new_authority).to_vec(),
    };
    invoke_signed(
        &ix,
        &[
            caller_program.clone(),
            cpi_authority.clone(),
            dwallet.clone(),
            dwallet_program.clone(),
        ],
        &[cpi_authority_seeds],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approve_message_data_layout() {
        let d = approve_message_data(254, &[1; 32], &[2; 32], SCHEME_SECP256K1);
        assert_eq!(d.len(), 67);
        assert_eq!(d[0], 8);
        assert_eq!(d[1], 254);
        assert_eq!(&d[2..34], &[1; 32]);
        assert_eq!(&d[34..66], &[2; 32]);
        assert_eq!(d[66], 1);
    }

    #[test]
    fn transfer_ownership_data_layout() {
        let k = Pubkey::new_unique();
        let d = transfer_ownership_data(&k);
        assert_eq!(d.len(), 33);
        assert_eq!(d[0], 24);
        assert_eq!(&d[1..], k.as_ref());
    }

    #[test]
    fn reads_dwallet_authority_and_rejects_non_dwallets() {
        let program = Pubkey::new_unique();
        let key = Pubkey::new_unique();
        let authority = Pubkey::new_unique();
        let mut lamports = 0u64;
        let mut data = vec![0u8; 72];
        data[0] = DWALLET_DISCRIMINATOR;
        data[1] = DWALLET_VERSION;
        data[2..34].copy_from_slice(authority.as_ref());
        let read = |data: &mut [u8], lamports: &mut u64, owner: &Pubkey| {
            let info = AccountInfo::new(&key, false, false, lamports, data, owner, false, 0);
            read_dwallet_authority(&info, &program)
        };
        assert_eq!(read(&mut data, &mut lamports, &program).unwrap(), authority);
        assert_eq!(
            read(&mut data, &mut lamports, &Pubkey::new_unique()).unwrap_err(),
            SessionKeysError::DwalletOwnerMismatch.into()
        );
        let mut wrong_disc = data.clone();
        wrong_disc[0] = 3;
        assert_eq!(
            read(&mut wrong_disc, &mut lamports, &program).unwrap_err(),
            SessionKeysError::InvalidDwalletAccount.into()
        );
        let mut wrong_version = data.clone();
        wrong_version[1] = 2;
        assert_eq!(
            read(&mut wrong_version, &mut lamports, &program).unwrap_err(),
            SessionKeysError::InvalidDwalletAccount.into()
        );
        let mut short = data[..33].to_vec();
        assert_eq!(
            read(&mut short, &mut lamports, &program).unwrap_err(),
            SessionKeysError::InvalidDwalletAccount.into()
        );
    }
}

/// The stand-in used by the tests must match this module byte for byte.
#[cfg(test)]
mod stand_in_agrees {
    use super::*;
    use ika_dwallet_stand_in::layout as s;

    #[test]
    fn constants_match_the_stand_in() {
        assert_eq!(DWALLET_DISCRIMINATOR, s::DWALLET_DISCRIMINATOR);
        assert_eq!(DWALLET_VERSION, s::VERSION);
        assert_eq!(DWALLET_DISCRIMINATOR_OFFSET, s::DISCRIMINATOR_OFFSET);
        assert_eq!(DWALLET_VERSION_OFFSET, s::VERSION_OFFSET);
        assert_eq!(DWALLET_AUTHORITY_OFFSET, s::DWALLET_AUTHORITY_OFFSET);
        assert_eq!(DWALLET_AUTHORITY_END, s::DWALLET_AUTHORITY_END);
        assert_eq!(SEED_MESSAGE_APPROVAL, s::SEED_MESSAGE_APPROVAL);
        assert_eq!(
            MESSAGE_APPROVAL_DISCRIMINATOR,
            s::MESSAGE_APPROVAL_DISCRIMINATOR
        );
        assert_eq!(MESSAGE_APPROVAL_STATUS_OFFSET, s::MA_STATUS_OFFSET);
        assert_eq!(MESSAGE_APPROVAL_STATUS_PENDING, s::STATUS_PENDING);
        assert_eq!(MESSAGE_APPROVAL_LEN, s::MESSAGE_APPROVAL_LEN);
        assert_eq!(IX_APPROVE_MESSAGE, s::IX_APPROVE_MESSAGE);
        assert_eq!(APPROVE_MESSAGE_DATA_LEN, s::APPROVE_MESSAGE_DATA_LEN);
        assert_eq!(IX_TRANSFER_OWNERSHIP, s::IX_TRANSFER_OWNERSHIP);
        assert_eq!(TRANSFER_OWNERSHIP_DATA_LEN, s::TRANSFER_OWNERSHIP_DATA_LEN);
        assert_eq!(crate::constants::SEED_CPI_AUTHORITY, s::SEED_CPI_AUTHORITY);
        assert_eq!(SCHEME_SECP256R1, s::MAX_SIGNATURE_SCHEME);
    }

    #[test]
    fn our_approve_data_parses_in_the_stand_in() {
        let d = approve_message_data(7, &[1; 32], &[2; 32], SCHEME_ED25519);
        let parsed = ika_dwallet_stand_in::processor::ApproveMessageData::parse(&d).unwrap();
        assert_eq!(
            (
                parsed.bump,
                parsed.message_hash,
                parsed.user_pubkey,
                parsed.signature_scheme
            ),
            (7, [1; 32], [2; 32], 0)
        );
    }
}
