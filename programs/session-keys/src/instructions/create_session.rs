use anchor_lang::prelude::*;

use crate::constants::{MAX_ALLOWED_PROGRAMS, SEED_SESSION};
use crate::errors::SessionKeysError;
use crate::events::SessionCreated;
use crate::ika::Curve;
use crate::state::{
    call_mask_fits, validate_allowlist, validate_evm_address, validate_expiry, validate_format, validate_schemes,
    Policy, Session, FORMAT_EVM, FORMAT_OPAQUE, RECENT_BINDINGS,
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateSessionArgs {
    /// Must equal `policy.next_session_id` (it is a seed of the new account).
    /// Naming it makes a retried request fail instead of creating a second session.
    pub session_id: u32,
    pub delegate: Pubkey,
    /// Last slot the session may be used in (>= the current slot).
    pub expiry_slot: u64,
    /// >= 1.
    pub max_uses: u32,
    pub max_amount_per_tx: u128,
    /// Total budget over all uses; `u128::MAX` for none.
    pub max_total_amount: u128,
    /// Bit `i` = Ika signature scheme `i` (`ika::SCHEME_*`, 0..=6): a
    /// non-empty subset of the schemes the dWallet's curve signs.
    pub allowed_schemes: u8,
    /// 1..=8 distinct programs, none the default key.
    pub allowed_programs: Vec<Pubkey>,
    /// `FORMAT_OPAQUE` (0), `FORMAT_SOLANA` (1) or `FORMAT_EVM` (2): what a
    /// use gives the program (docs/verified-sessions.md). Fixed for the session's life.
    pub format: u8,
    /// `solana` format: the default key for lamports, or one SPL mint.
    /// `evm` format: the default key for wei, or one ERC-20 contract as an
    /// EVM word (12 zero bytes, then the address). Must be the default key
    /// for the opaque format (it counts declared units).
    pub asset_mint: Pubkey,
    /// `FLAG_ALLOW_DURABLE_NONCE` | `FLAG_ALLOW_CPI`; fixed.
    pub flags: u8,
    /// The `evm` format's own limits: present exactly for that format.
    pub evm: Option<EvmLimits>,
}

/// What only an `evm` session limits; fixed for the session's life. Other
/// formats store its default (all zero).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct EvmLimits {
    /// The EIP-155 chain id every transaction must carry; not 0.
    pub chain_id: u64,
    /// Cap, in wei, on `max_fee_per_gas × gas_limit` of one transaction.
    pub max_fee: u128,
    /// Bit `i`: allowlist entry `i` takes any calldata (then only `value`
    /// counts; docs/security.md says what that trusts). No bit past the allowlist.
    pub any_call_mask: u8,
}

impl CreateSessionArgs {
    /// Every argument rule, before anything is written.
    pub fn validate(&self, slot: u64, curve: Curve) -> Result<()> {
        require!(
            self.delegate != Pubkey::default(),
            SessionKeysError::InvalidDelegate
        );
        validate_expiry(self.expiry_slot, slot)?;
        require!(self.max_uses > 0, SessionKeysError::ZeroMaxUses);
        validate_schemes(self.allowed_schemes, curve)?;
        validate_format(self.format, self.flags, self.allowed_schemes, curve)?;
        require!(
            self.format != FORMAT_OPAQUE || self.asset_mint == Pubkey::default(),
            SessionKeysError::InvalidSessionFormat
        );
        validate_allowlist(&self.allowed_programs, self.format)?;
        match &self.evm {
            None => require!(self.format != FORMAT_EVM, SessionKeysError::InvalidEvmLimits),
            Some(evm) => {
                require!(
                    self.format == FORMAT_EVM
                        && evm.chain_id != 0
                        && call_mask_fits(evm.any_call_mask, self.allowed_programs.len()),
                    SessionKeysError::InvalidEvmLimits
                );
                if self.asset_mint != Pubkey::default() {
                    validate_evm_address(&self.asset_mint)?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Accounts)]
#[instruction(args: CreateSessionArgs)]
pub struct CreateSession<'info> {
    pub admin: Signer<'info>,

    #[account(mut)]
    pub payer: Signer<'info>,

    #[account(mut, has_one = admin @ SessionKeysError::NotAdmin)]
    pub policy: AccountLoader<'info, Policy>,

    #[account(
        init,
        payer = payer,
        space = Session::LEN,
        seeds = [SEED_SESSION, policy.key().as_ref(), &args.session_id.to_le_bytes()],
        bump,
    )]
    pub session: AccountLoader<'info, Session>,

    pub system_program: Program<'info, System>,
}

impl CreateSession<'_> {
    pub fn handler(ctx: Context<Self>, args: CreateSessionArgs) -> Result<()> {
        let slot = Clock::get()?.slot;
        let policy_key = ctx.accounts.policy.key();
        let mut policy = ctx.accounts.policy.load_mut()?;
        require!(policy.is_active(), SessionKeysError::PolicyNotActive);
        let curve = policy
            .curve()
            .ok_or_else(|| error!(SessionKeysError::UnsupportedCurve))?;
        args.validate(slot, curve)?;

        let id = policy.next_id()?;
        require!(id == args.session_id, SessionKeysError::UnexpectedSessionId);

        let session_key = ctx.accounts.session.key();
        let evm = args.evm.clone().unwrap_or_default();
        let mut session = ctx.accounts.session.load_init()?;
        *session = Session {
            policy: policy_key,
            delegate: args.delegate,
            session_id: id,
            bump: ctx.bumps.session,
            epoch: policy.epoch,
            revoked: 0,
            expiry_slot: args.expiry_slot,
            max_uses: args.max_uses,
            max_amount_per_tx: args.max_amount_per_tx.to_le_bytes(),
            max_total_amount: args.max_total_amount.to_le_bytes(),
            allowed_schemes: args.allowed_schemes,
            allowed_programs_len: 0,
            asset_mint: args.asset_mint,
            format: args.format,
            flags: args.flags,
            reserved: [0; 6],
            chain_id: evm.chain_id,
            max_fee: evm.max_fee.to_le_bytes(),
            any_call_mask: evm.any_call_mask,
            reserved_evm: [0; 7],
            allowed_programs: [Pubkey::default(); MAX_ALLOWED_PROGRAMS],
            uses: 0,
            spent: [0; 16],
            nonce: 0,
            created_slot: slot,
            last_used_slot: 0,
            recent_bindings: [[0; 32]; RECENT_BINDINGS],
        };
        session.set_allowlist(&args.allowed_programs)?;

        emit!(SessionCreated {
            policy: policy_key,
            session: session_key,
            session_id: id,
            delegate: args.delegate,
            epoch: policy.epoch,
            expiry_slot: args.expiry_slot,
            max_uses: args.max_uses,
            max_amount_per_tx: args.max_amount_per_tx,
            max_total_amount: args.max_total_amount,
            allowed_schemes: args.allowed_schemes,
            allowed_programs: args.allowed_programs,
            format: args.format,
            asset_mint: args.asset_mint,
            flags: args.flags,
            evm: args.evm,
        });
        Ok(())
    }
}
