//! The Ika dWallet program interface (docs/ika.md): its pinned program id and
//! coordinator, every byte offset, discriminator, curve and scheme we depend
//! on, and the CPI builders. Ika's pre-alpha may change; a change to its
//! interface should be an edit to this file (and the client's `ika.ts`) only.
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

/// Ika's dWallet program: the only program this one calls or accepts as a
/// dWallet's owner. Pinned because every CPI to it carries our CPI authority's
/// signature, which is the Ika authority of every dWallet this program holds:
/// a caller-chosen program would receive that signature. The same id on
/// devnet and compiled into Ika's binary; when Ika publishes another id for
/// another cluster, it becomes a cargo feature selecting this constant.
pub const ID: Pubkey = pubkey!("87W54kGYFQ1rgWqMeu4XTPHWXWmXSQCcjm8vCTfiq1oY");

/// Ika's `DWalletCoordinator`, PDA `["dwallet_coordinator"]` of `ID` (host
/// test `coordinator_constant_is_the_pda`). Ika checks only its owner and
/// discriminator, so the use path checks the address: the slot holds Ika's
/// coordinator and nothing else.
pub const COORDINATOR: Pubkey = pubkey!("V5giRyf1Rk9Lhn7sjq6LYnBv6TN8ZgSuRx654mPdYoA");
pub const SEED_COORDINATOR: &[u8] = b"dwallet_coordinator";

// ---- every Ika account ---------------------------------------------------------
pub const DISCRIMINATOR_OFFSET: usize = 0;
pub const VERSION_OFFSET: usize = 1;
/// The layout version docs/ika.md describes; Ika does not check it, we do
/// (fail closed on a layout we do not know).
pub const VERSION: u8 = 1;

// ---- dWallet account, 153 bytes ---------------------------------------------
pub const DWALLET_DISCRIMINATOR: u8 = 2;
pub const DWALLET_LEN: usize = 153;
/// `authority` is bytes `2..34`: a wallet, or a program's CPI authority.
pub const DWALLET_AUTHORITY_OFFSET: usize = 2;
pub const DWALLET_AUTHORITY_END: usize = DWALLET_AUTHORITY_OFFSET + 32;
/// `curve`, u16 LE.
pub const DWALLET_CURVE_OFFSET: usize = 34;
/// `state`: 0 DKGInProgress, 1 Active, 2 Frozen.
pub const DWALLET_STATE_OFFSET: usize = 36;
pub const DWALLET_STATE_ACTIVE: u8 = 1;
pub const DWALLET_PUBLIC_KEY_LEN_OFFSET: usize = 37;
pub const DWALLET_PUBLIC_KEY_OFFSET: usize = 38;

// ---- MessageApproval account, 312 bytes (created by Ika's approve_message) ----
pub const MESSAGE_APPROVAL_DISCRIMINATOR: u8 = 14;
pub const MESSAGE_APPROVAL_LEN: usize = 312;
pub const MESSAGE_APPROVAL_STATUS_OFFSET: usize = 172;

// ---- instructions ------------------------------------------------------------
/// `[8, bump, message_digest(32), message_metadata_digest(32), user_pubkey(32),
/// signature_scheme (u16 LE)]`.
pub const IX_APPROVE_MESSAGE: u8 = 8;
pub const APPROVE_MESSAGE_DATA_LEN: usize = 100;
/// `[24, new_authority(32)]`.
pub const IX_TRANSFER_OWNERSHIP: u8 = 24;
pub const TRANSFER_OWNERSHIP_DATA_LEN: usize = 33;

/// A dWallet's curve (`curve`, u16 LE in the dWallet account).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u16)]
pub enum Curve {
    Secp256k1 = 0,
    Secp256r1 = 1,
    Curve25519 = 2,
    Ristretto = 3,
}

impl Curve {
    pub fn from_u16(value: u16) -> Option<Self> {
        match value {
            0 => Some(Self::Secp256k1),
            1 => Some(Self::Secp256r1),
            2 => Some(Self::Curve25519),
            3 => Some(Self::Ristretto),
            _ => None,
        }
    }

    /// Bytes of the public key: compressed points for the ECDSA curves.
    pub fn public_key_len(self) -> u8 {
        match self {
            Self::Secp256k1 | Self::Secp256r1 => 33,
            Self::Curve25519 | Self::Ristretto => 32,
        }
    }

    /// The schemes this curve can sign, as a mask (bit `i` = scheme `i`).
    /// Ika's program does not check the pair; its network refuses an
    /// impossible one only after the approval exists, so this is the check.
    pub fn schemes(self) -> u8 {
        match self {
            Self::Secp256k1 => {
                1 << SCHEME_ECDSA_KECCAK256
                    | 1 << SCHEME_ECDSA_SHA256
                    | 1 << SCHEME_ECDSA_DOUBLE_SHA256
                    | 1 << SCHEME_TAPROOT_SHA256
                    | 1 << SCHEME_ECDSA_BLAKE2B256
            }
            Self::Secp256r1 => 1 << SCHEME_ECDSA_SHA256,
            Self::Curve25519 => 1 << SCHEME_EDDSA_SHA512,
            Self::Ristretto => 1 << SCHEME_SCHNORRKEL_MERLIN,
        }
    }
}

// ---- signature schemes (`DWalletSignatureScheme`, u16 LE) ----------------------
pub const SCHEME_ECDSA_KECCAK256: u16 = 0;
pub const SCHEME_ECDSA_SHA256: u16 = 1;
pub const SCHEME_ECDSA_DOUBLE_SHA256: u16 = 2;
pub const SCHEME_TAPROOT_SHA256: u16 = 3;
pub const SCHEME_ECDSA_BLAKE2B256: u16 = 4;
pub const SCHEME_EDDSA_SHA512: u16 = 5;
pub const SCHEME_SCHNORRKEL_MERLIN: u16 = 6;
/// Every scheme Ika knows, as a mask.
pub const ALL_SCHEMES: u8 = 0b0111_1111;

/// The mask bit of `scheme`, or 0 for a scheme Ika does not know.
pub fn scheme_bit(scheme: u16) -> u8 {
    if scheme <= SCHEME_SCHNORRKEL_MERLIN {
        1 << scheme
    } else {
        0
    }
}

/// What this program reads of a dWallet account.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Dwallet {
    pub authority: Pubkey,
    pub curve: Curve,
    pub state: u8,
}

impl Dwallet {
    pub fn is_active(&self) -> bool {
        self.state == DWALLET_STATE_ACTIVE
    }
}

/// Reads a dWallet account after checking it is one: owned by Ika, at least
/// 153 bytes, discriminator 2, version 1, a known curve and a public key of
/// that curve's length. Anything else fails closed with a named error.
pub fn read_dwallet(dwallet: &AccountInfo) -> Result<Dwallet> {
    require_keys_eq!(*dwallet.owner, ID, SessionKeysError::DwalletOwnerMismatch);
    let data = dwallet.try_borrow_data()?;
    require!(
        data.len() >= DWALLET_LEN
            && data[DISCRIMINATOR_OFFSET] == DWALLET_DISCRIMINATOR
            && data[VERSION_OFFSET] == VERSION,
        SessionKeysError::InvalidDwalletAccount
    );
    let curve = u16::from_le_bytes([data[DWALLET_CURVE_OFFSET], data[DWALLET_CURVE_OFFSET + 1]]);
    let curve = Curve::from_u16(curve).ok_or_else(|| error!(SessionKeysError::UnsupportedCurve))?;
    require!(
        data[DWALLET_PUBLIC_KEY_LEN_OFFSET] == curve.public_key_len(),
        SessionKeysError::InvalidDwalletAccount
    );
    let mut authority = [0u8; 32];
    authority.copy_from_slice(&data[DWALLET_AUTHORITY_OFFSET..DWALLET_AUTHORITY_END]);
    Ok(Dwallet {
        authority: Pubkey::new_from_array(authority),
        curve,
        state: data[DWALLET_STATE_OFFSET],
    })
}

/// The Solana address of a Curve25519 dWallet: its 32-byte public key, where
/// it sits in the account's data. The
/// account is the policy's own (checked by address and owner); its layout is
/// checked again here and fails closed.
pub fn dwallet_solana_address(data: &[u8]) -> Result<&Pubkey> {
    require!(
        data.len() >= DWALLET_LEN
            && data[DWALLET_CURVE_OFFSET..DWALLET_CURVE_OFFSET + 2] == (Curve::Curve25519 as u16).to_le_bytes()
            && data[DWALLET_PUBLIC_KEY_LEN_OFFSET] == 32,
        SessionKeysError::InvalidDwalletAccount
    );
    // In place: at an odd offset, a copy moves it a byte at a time, and the
    // few comparisons it meets cost less unaligned (`keys_eq`'s memcmp).
    let key: &[u8; 32] = data[DWALLET_PUBLIC_KEY_OFFSET..DWALLET_PUBLIC_KEY_OFFSET + 32]
        .try_into()
        .map_err(|_| error!(SessionKeysError::InvalidDwalletAccount))?;
    // SAFETY: `Pubkey` is `repr(transparent)` over `[u8; 32]`.
    Ok(unsafe { &*(key as *const [u8; 32] as *const Pubkey) })
}

/// The data of Ika `approve_message`, 100 bytes (`bytes()`):
/// `[8, bump, message_digest(32), message_metadata_digest(32), user_pubkey(32),
/// signature_scheme (u16 LE)]`.
///
/// They start 6 bytes into this 8-aligned struct so the three 32-byte fields
/// land 8-aligned: copied from the 8-aligned arguments, they move word by word.
/// At offsets 2, 34 and 66 of a plain array LLVM's BPF backend would move them
/// a byte at a time: about 150 more instructions on every use.
#[repr(C, align(8))]
pub struct ApproveMessageData {
    _unsent: [u8; 6],
    instruction: u8,
    bump: u8,
    message_digest: [u8; 32],
    message_metadata_digest: [u8; 32],
    user_pubkey: [u8; 32],
    signature_scheme: [u8; 2],
}
const APPROVE_MESSAGE_DATA_START: usize = 6;
const _: () = {
    use std::mem::offset_of;
    assert!(offset_of!(ApproveMessageData, message_digest) == 8);
    assert!(offset_of!(ApproveMessageData, message_metadata_digest) == 40);
    assert!(offset_of!(ApproveMessageData, user_pubkey) == 72);
    assert!(
        offset_of!(ApproveMessageData, signature_scheme) + 2
            == APPROVE_MESSAGE_DATA_START + APPROVE_MESSAGE_DATA_LEN
    );
};

impl ApproveMessageData {
    /// An EdDSA approval of a message whose digest the program computed
    /// (a `solana` use): no metadata.
    pub fn eddsa(message_digest: &[u8; 32], user_pubkey: &[u8; 32], bump: u8) -> Self {
        Self::computed(message_digest, user_pubkey, bump, SCHEME_EDDSA_SHA512)
    }

    /// An approval, in `scheme`, of a message whose digest the program
    /// computed (a verified use): no metadata.
    pub fn computed(message_digest: &[u8; 32], user_pubkey: &[u8; 32], bump: u8, scheme: u16) -> Self {
        Self {
            _unsent: [0; 6],
            instruction: IX_APPROVE_MESSAGE,
            bump,
            message_digest: crate::keys::copy32(message_digest),
            message_metadata_digest: [0; 32],
            user_pubkey: crate::keys::copy32(user_pubkey),
            signature_scheme: scheme.to_le_bytes(),
        }
    }

    pub fn new(args: &ApproveArgs) -> Self {
        Self {
            _unsent: [0; 6],
            instruction: IX_APPROVE_MESSAGE,
            bump: args.message_approval_bump,
            message_digest: args.message_digest,
            message_metadata_digest: args.message_metadata_digest,
            user_pubkey: args.user_pubkey,
            signature_scheme: args.signature_scheme.to_le_bytes(),
        }
    }

    /// The 100 bytes sent to Ika.
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
            // the runtime ignores a CPI account's rent epoch (Anchor 1.x's
            // AccountInfo keeps the field only for the layout)
            #[allow(deprecated)]
            rent_epoch: info._unused,
            is_signer: info.is_signer as u8,
            is_writable: info.is_writable as u8,
            executable: info.executable as u8,
        }
    }
}

/// Accounts of Ika `approve_message`, CPI path.
///
/// The five non-executable accounts come first, as the C-ABI account infos
/// the runtime reads (`repr(C)` of one type: an array). The two programs are
/// executable: the instruction names them, and the runtime uses what it
/// already knows of an executable account instead of an account info (Agave
/// `translate_accounts_common`, Firedancer alike), so they get none. The
/// program called needs no account info either: the runtime finds it among
/// the accounts of our instruction.
#[repr(C)]
pub struct ApproveMessageAccounts<'a> {
    pub coordinator: CpiAccount,
    pub message_approval: CpiAccount,
    pub dwallet: CpiAccount,
    pub cpi_authority: CpiAccount,
    pub payer: CpiAccount,
    pub caller_program: &'a Pubkey,
    pub system_program: &'a Pubkey,
}
/// Account infos handed to the runtime: the five `CpiAccount`s at the front.
const APPROVE_MESSAGE_ACCOUNT_INFOS: usize = 5;
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

/// CPI Ika `approve_message` for `args`, signed by our CPI authority PDA
/// `[SEED_CPI_AUTHORITY, cpi_authority_bump]`. Always to `ID`: the caller
/// has checked that the program account it passes is `ID`, and the runtime
/// finds the callee by this id among our instruction's accounts.
pub fn approve_message(
    accounts: &ApproveMessageAccounts,
    cpi_authority_bump: u8,
    data: &ApproveMessageData,
) -> Result<()> {
    let data = data.bytes();
    // Ika's account order.
    let metas = [
        CpiMeta::new(accounts.coordinator.key, false, false),
        CpiMeta::new(accounts.message_approval.key, true, false),
        CpiMeta::new(accounts.dwallet.key, false, false),
        CpiMeta::new(accounts.caller_program, false, false),
        CpiMeta::new(accounts.cpi_authority.key, false, true),
        CpiMeta::new(accounts.payer.key, true, true),
        CpiMeta::new(accounts.system_program, false, false),
    ];
    let instruction = CpiInstruction {
        program_id: &ID,
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
    ika_program: &AccountInfo<'info>,
    current_authority: &AccountInfo<'info>,
    dwallet: &AccountInfo<'info>,
    new_authority: &Pubkey,
) -> Result<()> {
    let ix = Instruction {
        program_id: ID,
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
            ika_program.clone(),
        ],
    )?;
    Ok(())
}

/// CPI Ika `transfer_ownership`, CPI path: the current authority is our CPI
/// authority PDA (`release_dwallet`).
pub fn transfer_ownership_by_cpi<'info>(
    ika_program: &AccountInfo<'info>,
    caller_program: &AccountInfo<'info>,
    cpi_authority: &AccountInfo<'info>,
    dwallet: &AccountInfo<'info>,
    cpi_authority_seeds: &[&[u8]],
    new_authority: &Pubkey,
) -> Result<()> {
    let ix = Instruction {
        program_id: ID,
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
            ika_program.clone(),
        ],
        &[cpi_authority_seeds],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ApproveArgs {
        ApproveArgs {
            nonce: 3,
            message_digest: [1; 32],
            message_metadata_digest: [3; 32],
            amount: 9u128.to_le_bytes(),
            destination_program: Pubkey::new_unique(),
            signature_nonce: [4; 32],
            user_pubkey: [2; 32],
            signature_scheme: 0x0105,
            message_approval_bump: 254,
        }
    }

    #[test]
    fn approve_message_data_layout() {
        let data = ApproveMessageData::new(&args());
        let d = data.bytes();
        assert_eq!(d.len(), 100);
        assert_eq!(d[0], 8);
        assert_eq!(d[1], 254);
        assert_eq!(&d[2..34], &[1; 32]);
        assert_eq!(&d[34..66], &[3; 32]);
        assert_eq!(&d[66..98], &[2; 32]);
        assert_eq!(&d[98..100], &[0x05, 0x01], "u16 little-endian");
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
    fn coordinator_constant_is_the_pda() {
        let (pda, _) = Pubkey::find_program_address(&[SEED_COORDINATOR], &ID);
        assert_eq!(COORDINATOR, pda);
    }

    #[test]
    fn each_curve_signs_its_schemes_only() {
        let pairs = [
            (Curve::Secp256k1, 0b001_1111),
            (Curve::Secp256r1, 0b000_0010),
            (Curve::Curve25519, 0b010_0000),
            (Curve::Ristretto, 0b100_0000),
        ];
        for (curve, mask) in pairs {
            assert_eq!(curve.schemes(), mask, "{curve:?}");
            assert_eq!(Curve::from_u16(curve as u16), Some(curve));
        }
        assert_eq!(Curve::from_u16(4), None);
        assert_eq!(scheme_bit(6), 0b100_0000);
        assert_eq!(scheme_bit(7), 0);
        assert_eq!(scheme_bit(u16::MAX), 0);
        let union = pairs.iter().fold(0, |m, (c, _)| m | c.schemes());
        assert_eq!(union, ALL_SCHEMES);
    }

    /// A dWallet account as docs/ika.md lays it out.
    pub fn dwallet_bytes(authority: &Pubkey, curve: u16, state: u8, pk_len: u8) -> Vec<u8> {
        let mut data = vec![0u8; DWALLET_LEN];
        data[0] = DWALLET_DISCRIMINATOR;
        data[1] = VERSION;
        data[2..34].copy_from_slice(authority.as_ref());
        data[34..36].copy_from_slice(&curve.to_le_bytes());
        data[36] = state;
        data[37] = pk_len;
        data
    }

    #[test]
    fn reads_dwallets_and_rejects_everything_else() {
        let key = Pubkey::new_unique();
        let authority = Pubkey::new_unique();
        let mut lamports = 0u64;
        let read = |data: &mut [u8], lamports: &mut u64, owner: &Pubkey| {
            let info = AccountInfo::new(&key, false, false, lamports, data, owner, false);
            read_dwallet(&info)
        };
        let mut good = dwallet_bytes(&authority, 2, 1, 32);
        assert_eq!(
            read(&mut good, &mut lamports, &ID).unwrap(),
            Dwallet {
                authority,
                curve: Curve::Curve25519,
                state: 1
            }
        );
        let mut secp = dwallet_bytes(&authority, 0, 2, 33);
        let frozen = read(&mut secp, &mut lamports, &ID).unwrap();
        assert_eq!((frozen.curve, frozen.is_active()), (Curve::Secp256k1, false));

        let fails = |mut data: Vec<u8>, owner: Pubkey, e: SessionKeysError| {
            let mut lamports = 0u64;
            assert_eq!(read(&mut data, &mut lamports, &owner).unwrap_err(), e.into());
        };
        use SessionKeysError as E;
        fails(good.clone(), Pubkey::new_unique(), E::DwalletOwnerMismatch);
        fails(good[..152].to_vec(), ID, E::InvalidDwalletAccount);
        let mut wrong = good.clone();
        wrong[0] = 14;
        fails(wrong, ID, E::InvalidDwalletAccount);
        let mut wrong = good.clone();
        wrong[1] = 2;
        fails(wrong, ID, E::InvalidDwalletAccount);
        fails(dwallet_bytes(&authority, 4, 1, 32), ID, E::UnsupportedCurve);
        fails(dwallet_bytes(&authority, 0x0100, 1, 32), ID, E::UnsupportedCurve);
        fails(dwallet_bytes(&authority, 2, 1, 33), ID, E::InvalidDwalletAccount);
        fails(dwallet_bytes(&authority, 1, 1, 32), ID, E::InvalidDwalletAccount);
    }
}

/// The stand-in used by the tests must match this module byte for byte.
#[cfg(test)]
mod stand_in_agrees {
    use super::*;
    use ika_dwallet_stand_in::layout as s;

    #[test]
    fn constants_match_the_stand_in() {
        assert_eq!(ID.to_bytes(), ika_dwallet_stand_in::ID.to_bytes());
        assert_eq!(SEED_COORDINATOR, s::SEED_COORDINATOR);
        assert_eq!(DISCRIMINATOR_OFFSET, s::DISCRIMINATOR_OFFSET);
        assert_eq!(VERSION_OFFSET, s::VERSION_OFFSET);
        assert_eq!(VERSION, s::VERSION);
        assert_eq!(DWALLET_DISCRIMINATOR, s::DWALLET_DISCRIMINATOR);
        assert_eq!(DWALLET_LEN, s::DWALLET_LEN);
        assert_eq!(DWALLET_AUTHORITY_OFFSET, s::DWALLET_AUTHORITY_OFFSET);
        assert_eq!(DWALLET_AUTHORITY_END, s::DWALLET_AUTHORITY_END);
        assert_eq!(DWALLET_CURVE_OFFSET, s::DWALLET_CURVE_OFFSET);
        assert_eq!(DWALLET_STATE_OFFSET, s::DWALLET_STATE_OFFSET);
        assert_eq!(DWALLET_STATE_ACTIVE, s::DWALLET_STATE_ACTIVE);
        assert_eq!(DWALLET_PUBLIC_KEY_LEN_OFFSET, s::DWALLET_PUBLIC_KEY_LEN_OFFSET);
        assert_eq!(DWALLET_PUBLIC_KEY_OFFSET, s::DWALLET_PUBLIC_KEY_OFFSET);
        assert_eq!(MESSAGE_APPROVAL_DISCRIMINATOR, s::MESSAGE_APPROVAL_DISCRIMINATOR);
        assert_eq!(MESSAGE_APPROVAL_LEN, s::MESSAGE_APPROVAL_LEN);
        assert_eq!(MESSAGE_APPROVAL_STATUS_OFFSET, s::MA_STATUS_OFFSET);
        assert_eq!(IX_APPROVE_MESSAGE, s::IX_APPROVE_MESSAGE);
        assert_eq!(APPROVE_MESSAGE_DATA_LEN, s::APPROVE_MESSAGE_DATA_LEN);
        assert_eq!(IX_TRANSFER_OWNERSHIP, s::IX_TRANSFER_OWNERSHIP);
        assert_eq!(TRANSFER_OWNERSHIP_DATA_LEN, s::TRANSFER_OWNERSHIP_DATA_LEN);
        assert_eq!(crate::constants::SEED_CPI_AUTHORITY, s::SEED_CPI_AUTHORITY);
        let curves = [
            (Curve::Secp256k1, s::CURVE_SECP256K1),
            (Curve::Secp256r1, s::CURVE_SECP256R1),
            (Curve::Curve25519, s::CURVE_CURVE25519),
            (Curve::Ristretto, s::CURVE_RISTRETTO),
        ];
        for (ours, theirs) in curves {
            assert_eq!(ours as u16, theirs);
        }
    }

    #[test]
    fn our_approve_data_parses_in_the_stand_in() {
        let args = ApproveArgs {
            nonce: 0,
            message_digest: [1; 32],
            message_metadata_digest: [3; 32],
            amount: [0; 16],
            destination_program: Pubkey::default(),
            signature_nonce: [0; 32],
            user_pubkey: [2; 32],
            signature_scheme: SCHEME_EDDSA_SHA512,
            message_approval_bump: 7,
        };
        let data = ApproveMessageData::new(&args);
        let parsed = ika_dwallet_stand_in::processor::ApproveMessageData::parse(data.bytes()).unwrap();
        assert_eq!(
            (
                parsed.bump,
                parsed.message_digest,
                parsed.message_metadata_digest,
                parsed.user_pubkey,
                parsed.signature_scheme
            ),
            (7, [1; 32], [3; 32], [2; 32], SCHEME_EDDSA_SHA512)
        );
    }
}
