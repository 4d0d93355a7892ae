//! Host unit tests of the rules: every limit on both sides, the exact check
//! order of the use path, counter overflow, status over time, update rules,
//! create-argument validation and the binding-hash test vector.

use anchor_lang::prelude::*;

use crate::constants::{ALL_SIGNATURE_SCHEMES, MAX_ALLOWED_PROGRAMS, NO_TOTAL_BUDGET};
use crate::errors::SessionKeysError as E;
use crate::ika::{self, Curve};
use crate::instructions::{ApproveArgs, CreateSessionArgs, EvmLimits, UpdateSessionArgs};
use crate::state::*;

const EXPIRY: u64 = 1_000;
const MAX_USES: u32 = 3;
const MAX_AMOUNT: u128 = 500;

fn key(b: u8) -> Pubkey {
    Pubkey::new_from_array([b; 32])
}
fn policy_key() -> Pubkey {
    key(0xA1)
}
fn delegate() -> Pubkey {
    key(0xD1)
}
fn dest() -> Pubkey {
    key(0xF1)
}
fn err(e: E) -> Error {
    e.into()
}

fn policy() -> Policy {
    Policy {
        dwallet: key(0xB1),
        admin: key(0xC1),
        pending_admin: Pubkey::default(),
        init_authority_hash: [0; 32],
        next_session_id: 1,
        epoch: 4,
        curve: Curve::Secp256k1 as u16,
        status: PolicyStatus::Active as u8,
        bump: 254,
        cpi_authority_bump: 253,
        reserved: [0; 3],
    }
}

fn session() -> Session {
    let mut s = Session {
        policy: policy_key(),
        delegate: delegate(),
        session_id: 0,
        bump: 255,
        epoch: 4,
        revoked: 0,
        expiry_slot: EXPIRY,
        max_uses: MAX_USES,
        max_amount_per_tx: MAX_AMOUNT.to_le_bytes(),
        max_total_amount: NO_TOTAL_BUDGET.to_le_bytes(),
        allowed_schemes: Curve::Secp256k1.schemes(),
        allowed_programs_len: 0,
        allowed_programs: [Pubkey::default(); MAX_ALLOWED_PROGRAMS],
        uses: 0,
        spent: [0; 16],
        nonce: 0,
        created_slot: 10,
        last_used_slot: 0,
        recent_bindings: [[0; 32]; RECENT_BINDINGS],
        asset_mint: Pubkey::default(),
        format: FORMAT_OPAQUE,
        flags: 0,
        reserved: [0; 6],
        chain_id: 0,
        max_fee: [0; 16],
        any_call_mask: 0,
        reserved_evm: [0; 7],
    };
    s.set_allowlist(&[key(0xF0), dest()]).unwrap();
    s
}

fn args(nonce: u64) -> ApproveArgs {
    ApproveArgs {
        nonce,
        message_digest: [7; 32],
        message_metadata_digest: [0; 32],
        amount: 100u128.to_le_bytes(),
        destination_program: dest(),
        signature_nonce: [9; 32],
        user_pubkey: [5; 32],
        signature_scheme: ika::SCHEME_ECDSA_SHA256,
        message_approval_bump: 250,
    }
}

/// What an opaque use with `a` asks for, at the top level.
fn use_of(a: &ApproveArgs) -> Use<'_> {
    Use {
        nonce: a.nonce,
        top_level: true,
        destination_program: Some(&a.destination_program),
        amount: a.amount(),
        signature_scheme: a.signature_scheme,
    }
}

/// `check_use` with the default policy/signer.
fn check(s: &Session, slot: u64, a: &ApproveArgs) -> Result<()> {
    s.check_use(&policy_key(), &policy(), &delegate(), slot, &use_of(a))
}

// ---- sizes ----------------------------------------------------------------------

#[test]
fn session_layout_is_fixed_and_documented() {
    use std::mem::{offset_of, size_of};
    // The offsets docs/security.md lists (discriminator not counted here).
    assert_eq!(size_of::<Session>(), 624);
    assert_eq!(Session::LEN, 632);
    assert_eq!(offset_of!(Session, policy), 0);
    assert_eq!(offset_of!(Session, delegate), 32);
    assert_eq!(offset_of!(Session, asset_mint), 64);
    assert_eq!(offset_of!(Session, allowed_programs), 96);
    assert_eq!(offset_of!(Session, recent_bindings), 352);
    assert_eq!(offset_of!(Session, max_amount_per_tx), 480);
    assert_eq!(offset_of!(Session, max_total_amount), 496);
    assert_eq!(offset_of!(Session, spent), 512);
    assert_eq!(offset_of!(Session, epoch), 528);
    assert_eq!(offset_of!(Session, expiry_slot), 536);
    assert_eq!(offset_of!(Session, nonce), 544);
    assert_eq!(offset_of!(Session, created_slot), 552);
    assert_eq!(offset_of!(Session, last_used_slot), 560);
    assert_eq!(offset_of!(Session, session_id), 568);
    assert_eq!(offset_of!(Session, max_uses), 572);
    assert_eq!(offset_of!(Session, uses), 576);
    assert_eq!(offset_of!(Session, bump), 580);
    assert_eq!(offset_of!(Session, revoked), 581);
    assert_eq!(offset_of!(Session, allowed_schemes), 582);
    assert_eq!(offset_of!(Session, allowed_programs_len), 583);
    assert_eq!(offset_of!(Session, format), 584);
    assert_eq!(offset_of!(Session, flags), 585);
    assert_eq!(offset_of!(Session, reserved), 586);
    assert_eq!(offset_of!(Session, chain_id), 592);
    assert_eq!(offset_of!(Session, max_fee), 600);
    assert_eq!(offset_of!(Session, any_call_mask), 616);
    assert_eq!(offset_of!(Session, reserved_evm), 617);
}

// ---- each bound on both sides -----------------------------------------------------

#[test]
fn a_fresh_session_passes() {
    check(&session(), 500, &args(0)).unwrap();
}

#[test]
fn policy_must_be_active() {
    let mut p = policy();
    p.release();
    let r = session().check_use(&policy_key(), &p, &delegate(), 1, &use_of(&args(0)));
    assert_eq!(r.unwrap_err(), err(E::PolicyNotActive));
}

#[test]
fn session_must_belong_to_policy() {
    let r = session().check_use(&key(0xA2), &policy(), &delegate(), 1, &use_of(&args(0)));
    assert_eq!(r.unwrap_err(), err(E::SessionPolicyMismatch));
}

#[test]
fn signer_must_be_delegate() {
    let r = session().check_use(&policy_key(), &policy(), &key(0xD2), 1, &use_of(&args(0)));
    assert_eq!(r.unwrap_err(), err(E::NotDelegate));
}

#[test]
fn revoked_fails() {
    let mut s = session();
    s.revoked = 1;
    assert_eq!(check(&s, 1, &args(0)).unwrap_err(), err(E::SessionRevoked));
}

#[test]
fn stale_epoch_fails_both_ways() {
    let mut s = session();
    s.epoch = 3;
    assert_eq!(check(&s, 1, &args(0)).unwrap_err(), err(E::StaleEpoch));
    s.epoch = 5; // cannot happen, but never "ahead" either
    assert_eq!(check(&s, 1, &args(0)).unwrap_err(), err(E::StaleEpoch));
}

#[test]
fn expiry_slot_itself_is_valid_next_slot_is_not() {
    let s = session();
    check(&s, EXPIRY - 1, &args(0)).unwrap();
    check(&s, EXPIRY, &args(0)).unwrap();
    assert_eq!(
        check(&s, EXPIRY + 1, &args(0)).unwrap_err(),
        err(E::Expired)
    );
    assert_eq!(check(&s, u64::MAX, &args(0)).unwrap_err(), err(E::Expired));
}

#[test]
fn expiry_at_u64_max_never_expires() {
    let mut s = session();
    s.expiry_slot = u64::MAX;
    check(&s, u64::MAX, &args(0)).unwrap();
}

#[test]
fn max_uses_boundary() {
    let mut s = session();
    s.uses = MAX_USES - 1;
    s.nonce = s.uses as u64;
    check(&s, 1, &args(s.nonce)).unwrap();
    s.uses = MAX_USES;
    s.nonce = s.uses as u64;
    assert_eq!(
        check(&s, 1, &args(s.nonce)).unwrap_err(),
        err(E::MaxUsesReached)
    );
}

#[test]
fn nonce_equal_ok_lower_replayed_higher_out_of_order() {
    let mut s = session();
    s.uses = 1;
    s.nonce = 1;
    check(&s, 1, &args(1)).unwrap();
    assert_eq!(check(&s, 1, &args(0)).unwrap_err(), err(E::NonceReplayed));
    assert_eq!(check(&s, 1, &args(2)).unwrap_err(), err(E::NonceOutOfOrder));
    assert_eq!(
        check(&s, 1, &args(u64::MAX)).unwrap_err(),
        err(E::NonceOutOfOrder)
    );
}

#[test]
fn destination_in_and_out_of_allowlist() {
    let s = session();
    let mut a = args(0);
    a.destination_program = key(0xF0);
    check(&s, 1, &a).unwrap();
    a.destination_program = key(0xF2);
    assert_eq!(check(&s, 1, &a).unwrap_err(), err(E::DestinationNotAllowed));
    // the zeroed tail of the fixed array never matches
    a.destination_program = Pubkey::default();
    assert_eq!(check(&s, 1, &a).unwrap_err(), err(E::DestinationNotAllowed));
}

#[test]
fn amount_boundary() {
    let s = session();
    let mut a = args(0);
    a.amount = u128::to_le_bytes(0);
    check(&s, 1, &a).unwrap();
    a.amount = u128::to_le_bytes(MAX_AMOUNT);
    check(&s, 1, &a).unwrap();
    a.amount = u128::to_le_bytes(MAX_AMOUNT + 1);
    assert_eq!(check(&s, 1, &a).unwrap_err(), err(E::AmountExceedsMax));
    a.amount = u128::to_le_bytes(u128::MAX);
    assert_eq!(check(&s, 1, &a).unwrap_err(), err(E::AmountExceedsMax));
}

#[test]
fn budget_boundary() {
    let mut s = session();
    s.max_total_amount = u128::to_le_bytes(1_000);
    s.spent = u128::to_le_bytes(900);
    let mut a = args(0);
    a.amount = u128::to_le_bytes(100); // 900 + 100 == budget
    check(&s, 1, &a).unwrap();
    a.amount = u128::to_le_bytes(101);
    assert_eq!(check(&s, 1, &a).unwrap_err(), err(E::BudgetExceeded));
    s.spent = u128::to_le_bytes(1_000);
    a.amount = u128::to_le_bytes(0); // a zero-value message still fits a spent budget
    check(&s, 1, &a).unwrap();
}

#[test]
fn budget_sum_overflow_is_budget_exceeded_not_a_wrap() {
    let mut s = session();
    s.max_amount_per_tx = u128::to_le_bytes(u128::MAX);
    s.max_total_amount = u128::to_le_bytes(u128::MAX);
    s.spent = u128::to_le_bytes(u128::MAX - 5);
    let mut a = args(0);
    a.amount = u128::to_le_bytes(5);
    check(&s, 1, &a).unwrap();
    a.amount = u128::to_le_bytes(6);
    assert_eq!(check(&s, 1, &a).unwrap_err(), err(E::BudgetExceeded));
}

#[test]
fn schemes() {
    let mut s = session();
    s.allowed_schemes = 0b000_0010; // EcdsaSha256 only
    let mut a = args(0);
    a.signature_scheme = ika::SCHEME_ECDSA_SHA256;
    check(&s, 1, &a).unwrap();
    // Schemes of the curve (Secp256k1) that the session does not allow.
    for bad in [0u16, 2, 3, 4] {
        a.signature_scheme = bad;
        assert_eq!(
            check(&s, 1, &a).unwrap_err(),
            err(E::SchemeNotAllowed),
            "scheme {bad}"
        );
    }
    // Schemes the curve cannot sign, and schemes Ika does not know.
    for bad in [5u16, 6, 7, 8, 255, 256, u16::MAX] {
        a.signature_scheme = bad;
        assert_eq!(
            check(&s, 1, &a).unwrap_err(),
            err(E::SchemeNotForCurve),
            "scheme {bad}"
        );
    }
}

/// For each curve: its schemes pass at use, every scheme of another curve
/// fails with SchemeNotForCurve. (A session's mask holds only its curve's
/// schemes: `validate_schemes` at create and update, below.)
#[test]
fn schemes_per_curve_at_use() {
    for curve in [Curve::Secp256k1, Curve::Secp256r1, Curve::Curve25519, Curve::Ristretto] {
        let mut p = policy();
        p.curve = curve as u16;
        let mut s = session();
        s.allowed_schemes = curve.schemes();
        for scheme in 0..=ika::SCHEME_SCHNORRKEL_MERLIN {
            let mut a = args(0);
            a.signature_scheme = scheme;
            let got = s.check_use(&policy_key(), &p, &delegate(), 1, &use_of(&a));
            if curve.schemes() & ika::scheme_bit(scheme) != 0 {
                got.unwrap();
            } else {
                assert_eq!(got.unwrap_err(), err(E::SchemeNotForCurve), "{curve:?} {scheme}");
            }
        }
        assert!(validate_schemes(curve.schemes(), curve).is_ok());
        let other = ika::ALL_SCHEMES & !curve.schemes();
        assert_eq!(
            validate_schemes(other & other.wrapping_neg(), curve).unwrap_err(),
            err(E::SchemeNotForCurve),
            "{curve:?}"
        );
        assert_eq!(
            validate_schemes(curve.schemes() | (other & other.wrapping_neg()), curve).unwrap_err(),
            err(E::SchemeNotForCurve),
            "{curve:?}: a mask must hold only the curve's schemes"
        );
    }
}

#[test]
fn all_signature_schemes_constant_is_ikas() {
    assert_eq!(ALL_SIGNATURE_SCHEMES, ika::ALL_SCHEMES);
}

// ---- the order -------------------------------------------------------------------

/// Starts from a request that breaks every bound at once, then repairs one
/// bound at a time: each step must fail with the next error in the spec's order.
#[test]
fn check_order_is_spec_order() {
    let mut p = policy();
    p.release();
    let mut s = session();
    s.policy = key(0xEE);
    s.delegate = key(0xEF);
    s.revoked = 1;
    s.epoch = 0;
    s.uses = MAX_USES;
    s.nonce = 2;
    s.max_total_amount = u128::to_le_bytes(0);
    s.allowed_schemes = 0b000_0001;
    let mut a = args(1);
    a.destination_program = key(0x99);
    a.amount = u128::to_le_bytes(MAX_AMOUNT + 1);
    a.signature_scheme = ika::SCHEME_EDDSA_SHA512;
    let slot = EXPIRY + 1;

    let run = |p: &Policy, s: &Session, a: &ApproveArgs| {
        s.check_use(&policy_key(), p, &delegate(), slot, &use_of(a))
            .unwrap_err()
    };
    assert_eq!(run(&p, &s, &a), err(E::PolicyNotActive));
    p.status = PolicyStatus::Active as u8;
    assert_eq!(run(&p, &s, &a), err(E::SessionPolicyMismatch));
    s.policy = policy_key();
    assert_eq!(run(&p, &s, &a), err(E::NotDelegate));
    s.delegate = delegate();
    assert_eq!(run(&p, &s, &a), err(E::SessionRevoked));
    s.revoked = 0;
    assert_eq!(run(&p, &s, &a), err(E::StaleEpoch));
    s.epoch = p.epoch;
    assert_eq!(run(&p, &s, &a), err(E::Expired));
    s.expiry_slot = slot;
    assert_eq!(run(&p, &s, &a), err(E::MaxUsesReached));
    s.max_uses = MAX_USES + 10;
    assert_eq!(run(&p, &s, &a), err(E::NonceReplayed));
    a.nonce = 3;
    assert_eq!(run(&p, &s, &a), err(E::NonceOutOfOrder));
    a.nonce = 2;
    assert_eq!(run(&p, &s, &a), err(E::DestinationNotAllowed));
    a.destination_program = dest();
    assert_eq!(run(&p, &s, &a), err(E::AmountExceedsMax));
    a.amount = u128::to_le_bytes(MAX_AMOUNT);
    assert_eq!(run(&p, &s, &a), err(E::BudgetExceeded));
    s.max_total_amount = u128::to_le_bytes(NO_TOTAL_BUDGET);
    assert_eq!(run(&p, &s, &a), err(E::SchemeNotForCurve));
    a.signature_scheme = ika::SCHEME_ECDSA_SHA256;
    assert_eq!(run(&p, &s, &a), err(E::SchemeNotAllowed));
    a.signature_scheme = ika::SCHEME_ECDSA_KECCAK256;
    s.check_use(&policy_key(), &p, &delegate(), slot, &use_of(&a))
        .unwrap();
}

#[test]
fn expired_and_over_amount_fails_expired() {
    let s = session();
    let mut a = args(0);
    a.amount = u128::to_le_bytes(MAX_AMOUNT + 1);
    assert_eq!(check(&s, EXPIRY + 1, &a).unwrap_err(), err(E::Expired));
}

// ---- consuming a use ----------------------------------------------------------------

#[test]
fn record_use_consumes_one_use_and_one_nonce() {
    let mut s = session();
    for i in 0..MAX_USES {
        check(&s, 100 + i as u64, &args(i as u64)).unwrap();
        let remaining = s.record_use(100 + i as u64, 10, [1; 32]).unwrap();
        assert_eq!(remaining, MAX_USES - i - 1);
        assert_eq!(s.nonce, i as u64 + 1);
        assert_eq!(s.last_used_slot, 100 + i as u64);
    }
    assert_eq!(s.spent(), 10 * MAX_USES as u128);
    assert_eq!(
        check(&s, 200, &args(MAX_USES as u64)).unwrap_err(),
        err(E::MaxUsesReached)
    );
    assert_eq!(s.status(200, 4), SessionStatus::Exhausted);
}

#[test]
fn record_use_never_wraps() {
    let mut s = session();
    s.uses = u32::MAX;
    assert_eq!(s.record_use(1, 0, [1; 32]).unwrap_err(), err(E::CounterOverflow));
    let mut s = session();
    s.nonce = u64::MAX;
    assert_eq!(s.record_use(1, 0, [1; 32]).unwrap_err(), err(E::CounterOverflow));
    let mut s = session();
    s.spent = u128::to_le_bytes(u128::MAX);
    assert_eq!(s.record_use(1, 1, [1; 32]).unwrap_err(), err(E::CounterOverflow));
    // and the last representable values still work
    let mut s = session();
    s.uses = u32::MAX - 1;
    s.max_uses = u32::MAX;
    s.nonce = u64::MAX - 1;
    s.spent = u128::to_le_bytes(u128::MAX - 1);
    assert_eq!(s.record_use(1, 1, [1; 32]).unwrap(), 0);
    assert_eq!((s.uses, s.nonce, s.spent()), (u32::MAX, u64::MAX, u128::MAX));
}

#[test]
fn max_uses_u32_max_is_usable_to_the_end() {
    let mut s = session();
    s.max_uses = u32::MAX;
    s.uses = u32::MAX - 1;
    s.nonce = s.uses as u64;
    check(&s, 1, &args(s.nonce)).unwrap();
    s.record_use(1, 0, [1; 32]).unwrap();
    assert_eq!(
        check(&s, 1, &args(s.nonce)).unwrap_err(),
        err(E::MaxUsesReached)
    );
}

// ---- status over time ---------------------------------------------------------------

#[test]
fn status_over_time() {
    let mut s = session();
    assert_eq!(s.status(0, 4), SessionStatus::Active);
    assert_eq!(s.status(EXPIRY, 4), SessionStatus::Active);
    assert_eq!(s.status(EXPIRY + 1, 4), SessionStatus::Expired);
    s.uses = MAX_USES;
    assert_eq!(s.status(EXPIRY, 4), SessionStatus::Exhausted);
    assert_eq!(s.status(EXPIRY + 1, 4), SessionStatus::Expired); // expiry wins
    assert_eq!(s.status(0, 5), SessionStatus::Stale); // stale wins over both
    s.revoked = 1;
    assert_eq!(s.status(EXPIRY + 1, 5), SessionStatus::Revoked); // revoked wins all
}

// ---- update -----------------------------------------------------------------------

fn update() -> UpdateSessionArgs {
    UpdateSessionArgs::default()
}

#[test]
fn update_never_below_usage() {
    let mut s = session();
    s.uses = 2;
    s.spent = u128::to_le_bytes(300);
    let u = UpdateSessionArgs {
        max_uses: Some(1),
        ..update()
    };
    assert_eq!(
        s.apply_update(&policy(), 1, &u).unwrap_err(),
        err(E::LimitBelowUsage)
    );
    let u = UpdateSessionArgs {
        max_uses: Some(2),
        ..update()
    }; // == used: exhausted, allowed
    s.apply_update(&policy(), 1, &u).unwrap();
    assert_eq!(s.max_uses, 2);
    let u = UpdateSessionArgs {
        max_total_amount: Some(299),
        ..update()
    };
    assert_eq!(
        s.apply_update(&policy(), 1, &u).unwrap_err(),
        err(E::LimitBelowUsage)
    );
    let u = UpdateSessionArgs {
        max_total_amount: Some(300),
        ..update()
    };
    s.apply_update(&policy(), 1, &u).unwrap();
    let u = UpdateSessionArgs {
        max_uses: Some(0),
        ..update()
    };
    let mut fresh = session();
    assert_eq!(
        fresh.apply_update(&policy(), 1, &u).unwrap_err(),
        err(E::ZeroMaxUses)
    );
}

#[test]
fn update_validates_everything_before_writing() {
    let mut s = session();
    let before = s.max_uses;
    let u = UpdateSessionArgs {
        max_uses: Some(50),
        allowed_programs: Some(vec![]),
        ..update()
    };
    assert_eq!(
        s.apply_update(&policy(), 1, &u).unwrap_err(),
        err(E::EmptyAllowlist)
    );
    assert_eq!(s.max_uses, before);
}

#[test]
fn update_rules() {
    let mut s = session();
    assert_eq!(
        s.apply_update(&policy(), 1, &update()).unwrap_err(),
        err(E::EmptyUpdate)
    );
    let u = UpdateSessionArgs {
        expiry_slot: Some(99),
        ..update()
    };
    assert_eq!(
        s.apply_update(&policy(), 100, &u).unwrap_err(),
        err(E::ExpiryInPast)
    );
    let u = UpdateSessionArgs {
        expiry_slot: Some(100),
        ..update()
    };
    s.apply_update(&policy(), 100, &u).unwrap();
    let u = UpdateSessionArgs {
        allowed_schemes: Some(0),
        ..update()
    };
    assert_eq!(
        s.apply_update(&policy(), 1, &u).unwrap_err(),
        err(E::InvalidSchemeMask)
    );
    let u = UpdateSessionArgs {
        allowed_schemes: Some(1 << ika::SCHEME_EDDSA_SHA512),
        ..update()
    };
    assert_eq!(
        s.apply_update(&policy(), 1, &u).unwrap_err(),
        err(E::SchemeNotForCurve)
    );
    let u = UpdateSessionArgs {
        allowed_programs: Some(vec![key(1)]),
        ..update()
    };
    s.apply_update(&policy(), 1, &u).unwrap();
    assert_eq!(s.allowed_programs().unwrap(), &[key(1)]);
    assert_eq!(s.allowed_programs[1], Pubkey::default()); // tail re-zeroed
                                                          // an expired session can be extended; revoked and stale ones cannot be revived
    let mut expired = session();
    let u = UpdateSessionArgs {
        expiry_slot: Some(EXPIRY + 100),
        ..update()
    };
    expired.apply_update(&policy(), EXPIRY + 50, &u).unwrap();
    assert_eq!(expired.status(EXPIRY + 50, 4), SessionStatus::Active);
    let mut revoked = session();
    revoked.revoked = 1;
    assert_eq!(
        revoked.apply_update(&policy(), 1, &u).unwrap_err(),
        err(E::SessionRevoked)
    );
    assert_eq!(
        session().apply_update(&Policy { epoch: 5, ..policy() }, 1, &u).unwrap_err(),
        err(E::StaleEpoch)
    );
}

// ---- create arguments ---------------------------------------------------------------

fn create() -> CreateSessionArgs {
    CreateSessionArgs {
        session_id: 0,
        delegate: delegate(),
        expiry_slot: 100,
        max_uses: 1,
        max_amount_per_tx: 0,
        max_total_amount: NO_TOTAL_BUDGET,
        allowed_schemes: 0b000_0001,
        allowed_programs: vec![dest()],
        format: FORMAT_OPAQUE,
        asset_mint: Pubkey::default(),
        flags: 0,
        evm: None,
    }
}

const CURVE: Curve = Curve::Secp256k1;

#[test]
fn create_args_valid() {
    create().validate(100, CURVE).unwrap();
    let eight: Vec<Pubkey> = (1..=8).map(key).collect();
    CreateSessionArgs {
        allowed_programs: eight,
        allowed_schemes: CURVE.schemes(),
        ..create()
    }
    .validate(0, CURVE)
    .unwrap();
}

#[test]
fn create_args_invalid() {
    let cases: Vec<(CreateSessionArgs, E)> = vec![
        (
            CreateSessionArgs {
                delegate: Pubkey::default(),
                ..create()
            },
            E::InvalidDelegate,
        ),
        (
            CreateSessionArgs {
                expiry_slot: 99,
                ..create()
            },
            E::ExpiryInPast,
        ),
        (
            CreateSessionArgs {
                max_uses: 0,
                ..create()
            },
            E::ZeroMaxUses,
        ),
        (
            CreateSessionArgs {
                allowed_schemes: 0,
                ..create()
            },
            E::InvalidSchemeMask,
        ),
        (
            CreateSessionArgs {
                allowed_schemes: 0b1000_0000,
                ..create()
            },
            E::InvalidSchemeMask,
        ),
        (
            CreateSessionArgs {
                allowed_schemes: 0b1000_0001,
                ..create()
            },
            E::InvalidSchemeMask,
        ),
        (
            CreateSessionArgs {
                allowed_schemes: 0b010_0001,
                ..create()
            },
            E::SchemeNotForCurve,
        ),
        (
            CreateSessionArgs {
                allowed_programs: vec![],
                ..create()
            },
            E::EmptyAllowlist,
        ),
        (
            CreateSessionArgs {
                allowed_programs: (1..=9).map(key).collect(),
                ..create()
            },
            E::AllowlistTooLong,
        ),
        (
            CreateSessionArgs {
                allowed_programs: vec![key(1), key(2), key(1)],
                ..create()
            },
            E::DuplicateAllowedProgram,
        ),
        (
            CreateSessionArgs {
                allowed_programs: vec![key(1), Pubkey::default()],
                ..create()
            },
            E::DefaultAllowedProgram,
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(
            args.validate(100, CURVE).unwrap_err(),
            err(expected),
            "{args:?}"
        );
    }
}

/// An EVM address as the 32-byte word an `evm` session stores.
fn evm_word(byte: u8) -> Pubkey {
    let mut w = [0u8; 32];
    w[12..].fill(byte);
    Pubkey::new_from_array(w)
}

fn create_evm() -> CreateSessionArgs {
    CreateSessionArgs {
        allowed_schemes: 1 << crate::ika::SCHEME_ECDSA_KECCAK256,
        allowed_programs: vec![evm_word(0x11), evm_word(0x22)],
        format: FORMAT_EVM,
        evm: Some(EvmLimits {
            chain_id: 1,
            max_fee: 10u128.pow(18),
            any_call_mask: 0b10,
        }),
        ..create()
    }
}

#[test]
fn create_args_evm() {
    create_evm().validate(100, CURVE).unwrap();
    CreateSessionArgs {
        asset_mint: evm_word(0x22),
        flags: crate::state::FLAG_ALLOW_CPI,
        ..create_evm()
    }
    .validate(100, CURVE)
    .unwrap();
    let with_evm = |evm: EvmLimits| CreateSessionArgs {
        evm: Some(evm),
        ..create_evm()
    };
    let limits = create_evm().evm.unwrap();
    let mut not_a_word = [0u8; 32];
    not_a_word[0] = 1;
    not_a_word[31] = 1;
    let cases: Vec<(CreateSessionArgs, E)> = vec![
        (CreateSessionArgs { evm: None, ..create_evm() }, E::InvalidEvmLimits),
        (CreateSessionArgs { evm: Some(limits.clone()), ..create() }, E::InvalidEvmLimits),
        (with_evm(EvmLimits { chain_id: 0, ..limits.clone() }), E::InvalidEvmLimits),
        // entry 2 does not exist (two entries)
        (with_evm(EvmLimits { any_call_mask: 0b100, ..limits.clone() }), E::InvalidEvmLimits),
        (
            CreateSessionArgs { allowed_programs: vec![Pubkey::new_from_array(not_a_word)], ..create_evm() },
            E::InvalidEvmAddress,
        ),
        (CreateSessionArgs { allowed_programs: vec![Pubkey::default()], ..create_evm() }, E::InvalidEvmAddress),
        (CreateSessionArgs { asset_mint: Pubkey::new_from_array(not_a_word), ..create_evm() }, E::InvalidEvmAddress),
        (
            CreateSessionArgs { flags: crate::state::FLAG_ALLOW_DURABLE_NONCE, ..create_evm() },
            E::InvalidSessionFormat,
        ),
        (CreateSessionArgs { allowed_schemes: CURVE.schemes(), ..create_evm() }, E::FormatNotForCurve),
        (CreateSessionArgs { format: 3, ..create_evm() }, E::InvalidSessionFormat),
    ];
    for (args, expected) in cases {
        assert_eq!(args.validate(100, CURVE).unwrap_err(), err(expected), "{args:?}");
    }
    assert_eq!(create_evm().validate(100, Curve::Curve25519).unwrap_err(), err(E::SchemeNotForCurve));
}

#[test]
fn an_evm_allowlist_update_keeps_the_call_mask_inside_it() {
    let mut s = session();
    s.format = FORMAT_EVM;
    s.any_call_mask = 0b10;
    s.set_allowlist(&[evm_word(1), evm_word(2)]).unwrap();
    assert_eq!(s.set_allowlist(&[evm_word(1)]).unwrap_err(), err(E::InvalidEvmLimits));
    assert_eq!(s.allowed_programs().unwrap(), &[evm_word(1), evm_word(2)]);
}

// ---- binding hash -------------------------------------------------------------------

/// The fixed vector the TypeScript client must reproduce byte for byte.
fn vector_args() -> ApproveArgs {
    let mut message_digest = [0u8; 32];
    for (i, b) in message_digest.iter_mut().enumerate() {
        *b = i as u8; // 00 01 02 .. 1f
    }
    ApproveArgs {
        nonce: 3,
        message_digest,
        message_metadata_digest: [0x66; 32],
        amount: 1_000_000_007u128.to_le_bytes(),
        destination_program: key(0x33),
        signature_nonce: [0x44; 32],
        user_pubkey: [0x55; 32], // not part of the binding
        signature_scheme: 0x0201,
        message_approval_bump: 255, // not part of the binding
    }
}

const VECTOR_POLICY: [u8; 32] = [0x11; 32];
const VECTOR_SESSION_ID: u32 = 7;

#[test]
fn binding_hash_test_vector() {
    use sha2::{Digest, Sha256};
    let a = vector_args();
    let policy = Pubkey::new_from_array(VECTOR_POLICY);

    // independent construction: concatenate, then hash
    let mut pre = Vec::new();
    pre.extend_from_slice(b"session-keys/v3");
    pre.extend_from_slice(crate::ID.as_ref());
    pre.extend_from_slice(&VECTOR_POLICY);
    pre.extend_from_slice(&VECTOR_SESSION_ID.to_le_bytes());
    pre.extend_from_slice(&a.message_digest);
    pre.extend_from_slice(&a.message_metadata_digest);
    pre.extend_from_slice(a.destination_program.as_ref());
    pre.extend_from_slice(&a.signature_nonce);
    pre.extend_from_slice(&a.amount);
    pre.extend_from_slice(&a.nonce.to_le_bytes());
    pre.extend_from_slice(&a.signature_scheme.to_le_bytes());
    assert_eq!(pre.len(), 237);
    let expected: [u8; 32] = Sha256::digest(&pre).into();

    let got = binding_hash(&policy, VECTOR_SESSION_ID, a.bound_fields());
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    println!("binding preimage = {}", hex(&pre));
    println!("binding hash     = {}", hex(&got));
    assert_eq!(got, expected);
    assert_eq!(hex(&got), BINDING_VECTOR_HEX);
}

/// Pinned so an accidental change on either side fails loudly.
const BINDING_VECTOR_HEX: &str = "d51f90de15f6d6992055aae70a762c794817bed57b91042365d98f1a568ed406";

#[test]
fn binding_hash_names_every_field() {
    let policy = Pubkey::new_from_array(VECTOR_POLICY);
    let base = binding_hash(&policy, VECTOR_SESSION_ID, vector_args().bound_fields());
    let differs = |h: [u8; 32]| assert_ne!(h, base);
    // (the program id is a constant of the preimage: the test vector pins it)
    differs(binding_hash(&key(1), VECTOR_SESSION_ID, vector_args().bound_fields()));
    differs(binding_hash(&policy, 8, vector_args().bound_fields()));
    let with = |f: fn(&mut ApproveArgs)| {
        let mut a = vector_args();
        f(&mut a);
        binding_hash(&policy, VECTOR_SESSION_ID, a.bound_fields())
    };
    differs(with(|a| a.nonce += 1));
    differs(with(|a| a.message_digest[0] ^= 1));
    differs(with(|a| a.message_metadata_digest[31] ^= 1));
    differs(with(|a| a.amount[0] ^= 1));
    differs(with(|a| a.amount[15] ^= 1));
    differs(with(|a| {
        a.destination_program = Pubkey::new_from_array([0x34; 32])
    }));
    differs(with(|a| a.signature_nonce[31] ^= 1));
    differs(with(|a| a.signature_scheme = 0x0202));
    differs(with(|a| a.signature_scheme = 0x0101));
    // fields Ika needs but the binding (per the spec) does not name
    assert_eq!(with(|a| a.user_pubkey = [0; 32]), base);
    assert_eq!(with(|a| a.message_approval_bump = 1), base);
}

#[test]
fn cpi_authority_constant_is_the_pda() {
    let (pda, bump) =
        Pubkey::find_program_address(&[crate::constants::SEED_CPI_AUTHORITY], &crate::ID);
    println!("CPI authority of {}: {pda} (bump {bump})", crate::ID);
    assert_eq!(pda, crate::constants::CPI_AUTHORITY);
}

#[test]
fn revoke_once_then_session_revoked() {
    let mut s = session();
    s.revoke().unwrap();
    assert!(s.is_revoked());
    assert_eq!(s.revoke().unwrap_err(), err(E::SessionRevoked));
    assert!(s.is_revoked());
}
