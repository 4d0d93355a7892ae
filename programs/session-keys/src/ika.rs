//! The Ika dWallet program interface: every byte offset, discriminator and
//! account order we depend on, and the CPI builders. Ika's pre-alpha may change;
//! a change to its interface should be an edit to this file only.
//!
//! The dWallet program id is *data* (stored per policy), never a constant here:
//! tests run against a stand-in deployed at another address.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::{invoke, invoke_signed};

use crate::errors::SessionKeysError;

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

/// Accounts of Ika `approve_message`, CPI path, in Ika's order (plus the
/// program being called).
pub struct ApproveMessageAccounts<'a, 'info> {
    pub dwallet_program: &'a AccountInfo<'info>,
    pub message_approval: &'a AccountInfo<'info>,
    pub dwallet: &'a AccountInfo<'info>,
    pub caller_program: &'a AccountInfo<'info>,
    pub cpi_authority: &'a AccountInfo<'info>,
    pub payer: &'a AccountInfo<'info>,
    pub system_program: &'a AccountInfo<'info>,
}

/// CPI Ika `approve_message`, signed by our CPI authority PDA.
pub fn approve_message(
    accounts: &ApproveMessageAccounts<'_, '_>,
    cpi_authority_seeds: &[&[u8]],
    message_approval_bump: u8,
    message_hash: &[u8; 32],
    user_pubkey: &[u8; 32],
    signature_scheme: u8,
) -> Result<()> {
    let ix = Instruction {
        program_id: *accounts.dwallet_program.key,
        accounts: vec![
            AccountMeta::new(*accounts.message_approval.key, false),
            AccountMeta::new_readonly(*accounts.dwallet.key, false),
            AccountMeta::new_readonly(*accounts.caller_program.key, false),
            AccountMeta::new_readonly(*accounts.cpi_authority.key, true),
            AccountMeta::new(*accounts.payer.key, true),
            AccountMeta::new_readonly(*accounts.system_program.key, false),
        ],
        data: approve_message_data(
            message_approval_bump,
            message_hash,
            user_pubkey,
            signature_scheme,
        )
        .to_vec(),
    };
    invoke_signed(
        &ix,
        &[
            accounts.message_approval.clone(),
            accounts.dwallet.clone(),
            accounts.caller_program.clone(),
            accounts.cpi_authority.clone(),
            accounts.payer.clone(),
            accounts.system_program.clone(),
            accounts.dwallet_program.clone(),
        ],
        &[cpi_authority_seeds],
    )?;
    Ok(())
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
