//! What the three uses take (`approve_message`, `approve_solana_message`,
//! `approve_evm_transaction`): their discriminators and accounts. The fast
//! entrypoint (src/entrypoint.rs) serves them from these; the program's
//! `fallback` names a short one.

/// Accounts of `approve_message` (`ApproveMessage`).
pub const APPROVE_ACCOUNTS: usize = 11;
/// `approve_solana_message` (`ApproveSolanaMessage`) and
/// `approve_evm_transaction` (`ApproveEvmTransaction`): the same, then the
/// optional message buffer (this program's id when absent, Anchor's `None`;
/// the slot itself is required, as Anchor requires it).
pub const APPROVE_VERIFIED_ACCOUNTS: usize = 12;
/// The verified uses' accounts in field order (`approve_message`'s are the
/// first eleven).
const USE_ACCOUNT_NAMES: [&str; APPROVE_VERIFIED_ACCOUNTS] = [
    "delegate", "payer", "policy", "session", "coordinator", "message_approval", "dwallet",
    "dwallet_program", "caller_program", "cpi_authority", "system_program", "message_buffer",
];

/// The three uses' discriminators (Anchor's `sha256("global:<name>")[..8]`).
/// Written out because the deployed build compiles Anchor's handlers of the
/// uses out, and with them `crate::instruction`'s; a host test holds them
/// equal to Anchor's.
pub const DISCRIMINATOR_APPROVE_MESSAGE: [u8; 8] = [65, 154, 132, 135, 105, 5, 173, 21];
pub const DISCRIMINATOR_APPROVE_SOLANA_MESSAGE: [u8; 8] = [119, 99, 136, 255, 245, 66, 175, 218];
pub const DISCRIMINATOR_APPROVE_EVM_TRANSACTION: [u8; 8] = [202, 19, 186, 228, 212, 142, 240, 126];

/// For the program's `fallback`: the first account a use with `count`
/// accounts lacks, as Anchor's `try_accounts` names it; `None` for a use with
/// all of them, or another instruction. In the deployed build a short use is
/// the only one the fast entrypoint leaves to Anchor's dispatch; in the
/// Anchor-entrypoint build Anchor's handlers take every use first.
pub fn missing_use_account(count: usize, data: &[u8]) -> Option<&'static str> {
    let takes = if data.starts_with(&DISCRIMINATOR_APPROVE_MESSAGE) {
        APPROVE_ACCOUNTS
    } else if data.starts_with(&DISCRIMINATOR_APPROVE_SOLANA_MESSAGE)
        || data.starts_with(&DISCRIMINATOR_APPROVE_EVM_TRANSACTION)
    {
        APPROVE_VERIFIED_ACCOUNTS
    } else {
        return None;
    };
    USE_ACCOUNT_NAMES[..takes].get(count).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Discriminator;

    #[test]
    fn use_discriminators_are_anchors() {
        assert_eq!(&DISCRIMINATOR_APPROVE_MESSAGE[..], crate::instruction::ApproveMessage::DISCRIMINATOR);
        assert_eq!(&DISCRIMINATOR_APPROVE_SOLANA_MESSAGE[..], crate::instruction::ApproveSolanaMessage::DISCRIMINATOR);
        assert_eq!(&DISCRIMINATOR_APPROVE_EVM_TRANSACTION[..], crate::instruction::ApproveEvmTransaction::DISCRIMINATOR);
    }

    #[test]
    fn a_short_use_names_its_first_missing_account() {
        let data = [&DISCRIMINATOR_APPROVE_SOLANA_MESSAGE[..], &[1, 2, 3]].concat();
        assert_eq!(missing_use_account(10, &data), Some("system_program"));
        assert_eq!(missing_use_account(11, &data), Some("message_buffer"));
        assert_eq!(missing_use_account(12, &data), None, "not short");
        assert_eq!(missing_use_account(0, &DISCRIMINATOR_APPROVE_MESSAGE), Some("delegate"));
        assert_eq!(missing_use_account(11, &DISCRIMINATOR_APPROVE_MESSAGE), None, "not short");
        assert_eq!(missing_use_account(11, &DISCRIMINATOR_APPROVE_EVM_TRANSACTION), Some("message_buffer"));
        assert_eq!(missing_use_account(3, crate::instruction::CloseSession::DISCRIMINATOR), None, "not a use");
        assert_eq!(missing_use_account(3, &[65, 154]), None, "no discriminator");
    }
}
