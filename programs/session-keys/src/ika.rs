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
use crate::cu_probe::cu_probe;
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

/// The data of Ika `approve_message`:
/// `[8, bump, message_hash(32), user_pubkey(32), signature_scheme]`, 67 bytes
/// (`bytes()`).
///
/// They start 6 bytes into this 8-aligned struct so the two 32-byte fields
/// land 8-aligned: copied from the 8-aligned arguments, they move word by word.
/// At offsets 2 and 34 of a plain array LLVM's BPF backend would move them a
/// byte at a time: about 110 more instructions on every use.
#[repr(C, align(8))]
pub struct ApproveMessageData {
    _unsent: [u8; 6],
    instruction: u8,
    bump: u8,
    message_hash: [u8; 32],
    user_pubkey: [u8; 32],
    signature_scheme: u8,
}
const APPROVE_MESSAGE_DATA_START: usize = 6;
const _: () = assert!(
    std::mem::offset_of!(ApproveMessageData, signature_scheme) + 1
        == APPROVE_MESSAGE_DATA_START + APPROVE_MESSAGE_DATA_LEN
);

impl ApproveMessageData {
    pub fn new(
        message_approval_bump: u8,
        message_hash: &[u8; 32],
        user_pubkey: &[u8; 32],
        signature_scheme: u8,
    ) -> Self {
        Self {
            _unsent: [0; 6],
            instruction: IX_APPROVE_MESSAGE,
            bump: message_approval_bump,
            message_hash: *message_hash,
            user_pubkey: *user_pubkey,
            signature_scheme,
        }
    }

    /// The 67 bytes sent to Ika.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the fields from `instruction` to `signature_scheme` are
        // bytes, contiguous (no padding between them) and inside `self`.
        unsafe {
            std::slice::from_raw_parts(
                (self as *const Self as *const u8).add(APPROVE_MESSAGE_DATA_START),
                APPROVE_MESSAGE_DATA_LEN,
            )
        }
    }
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
    /// The C ABI's `bool`s, as bytes: copied from the runtime's input as they
    /// are (0 or 1), with no conversion on the use path.
    pub is_signer: u8,
    pub is_writable: u8,
    pub executable: u8,
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
            is_signer: info.is_signer as u8,
            is_writable: info.is_writable as u8,
            executable: info.executable as u8,
        }
    }
}

/// Accounts of Ika `approve_message`, CPI path.
///
/// The four writable or signing accounts come first, as the C-ABI account
/// infos the runtime reads (`repr(C)` of one type: an array). The two programs
/// are executable: the instruction names them, and the runtime uses what it
/// already knows of an executable account instead of an account info (Agave
/// `translate_accounts_common`, Firedancer alike), so they get none. The
/// program called needs no account info either: the runtime finds it among the
/// accounts of our instruction.
#[repr(C)]
pub struct ApproveMessageAccounts<'a> {
    pub message_approval: CpiAccount,
    pub dwallet: CpiAccount,
    pub cpi_authority: CpiAccount,
    pub payer: CpiAccount,
    pub caller_program: &'a Pubkey,
    pub system_program: &'a Pubkey,
}
/// Account infos handed to the runtime: the four `CpiAccount`s at the front.
const APPROVE_MESSAGE_ACCOUNT_INFOS: usize = 4;
const _: () = assert!(
    std::mem::offset_of!(ApproveMessageAccounts, caller_program)
        == APPROVE_MESSAGE_ACCOUNT_INFOS * std::mem::size_of::<CpiAccount>()
);

/// `SolAccountMeta` of the C ABI.
#[repr(C)]
struct CpiMeta {
    pubkey: *const Pubkey,
    is_writable: bool,
    is_signer: bool,
}

impl CpiMeta {
    fn new(pubkey: *const Pubkey, is_writable: bool, is_signer: bool) -> Self {
        Self {
            pubkey,
            is_writable,
            is_signer,
        }
    }
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
    let data = ApproveMessageData::new(
        args.message_approval_bump,
        &args.message_digest,
        &args.user_pubkey,
        args.signature_scheme,
    );
    let data = data.bytes();
    // Ika's account order.
    let metas = [
        CpiMeta::new(accounts.message_approval.key, true, false),
        CpiMeta::new(accounts.dwallet.key, false, false),
        CpiMeta::new(accounts.caller_program, false, false),
        CpiMeta::new(accounts.cpi_authority.key, false, true),
        CpiMeta::new(accounts.payer.key, true, true),
        CpiMeta::new(accounts.system_program, false, false),
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
    cu_probe!("CPI structures");
    let result = invoke_signed_c(&instruction, accounts, &signer);
    cu_probe!("CPI call (runtime + Ika)");
    result
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
            APPROVE_MESSAGE_ACCOUNT_INFOS as u64,
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
        let data = ApproveMessageData::new(254, &[1; 32], &[2; 32], SCHEME_SECP256K1);
        let d = data.bytes();
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
        let data = ApproveMessageData::new(7, &[1; 32], &[2; 32], SCHEME_ED25519);
        let d = data.bytes();
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
