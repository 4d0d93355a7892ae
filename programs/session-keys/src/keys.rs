//! Comparing public keys cheaply. SBF has no unaligned 8-byte load, so
//! `Pubkey == Pubkey` is a 32-step byte loop (~200 CU); the use path compares
//! about a dozen keys. Every key it reads sits 8-aligned (in the runtime's
//! input, in zero-copy Policy and Session, in `repr(C)` `ApproveArgs`), and the
//! constants it compares against are kept 8-aligned here, so four word
//! compares do.

use anchor_lang::prelude::*;

/// Equal keys. Four 8-byte compares when both are 8-aligned, else the
/// runtime's memcmp.
///
/// The loads are volatile on purpose: plain loads let LLVM see that both
/// branches compute the same thing, fold them into one `memcmp` and expand
/// that with 1-aligned loads, which the BPF backend turns into byte loads —
/// the cost this function exists to avoid.
#[inline(always)]
pub fn keys_eq(a: &Pubkey, b: &Pubkey) -> bool {
    let (pa, pb) = (
        a as *const Pubkey as *const u64,
        b as *const Pubkey as *const u64,
    );
    if (pa as usize | pb as usize).is_multiple_of(8) {
        // SAFETY: both point to 32 live bytes and are 8-aligned.
        unsafe {
            (0..4)
                .all(|i| core::ptr::read_volatile(pa.add(i)) == core::ptr::read_volatile(pb.add(i)))
        }
    } else {
        unaligned_keys_eq(a, b)
    }
}

/// A copy of `key`: four 8-byte moves when it is 8-aligned (volatile, for the
/// reason `keys_eq` gives), else a plain copy, which SBF makes byte by byte.
#[inline(always)]
pub fn key_copy(key: &Pubkey) -> Pubkey {
    let p = key as *const Pubkey as *const u64;
    if (p as usize).is_multiple_of(8) {
        // SAFETY: 32 live, 8-aligned bytes; any bytes are a valid Pubkey.
        unsafe {
            let words: [u64; 4] = core::array::from_fn(|i| core::ptr::read_volatile(p.add(i)));
            core::mem::transmute::<[u64; 4], Pubkey>(words)
        }
    } else {
        *key
    }
}

/// A copy of 32 bytes: four 8-byte moves when they sit 8-aligned (volatile,
/// for the reason `keys_eq` gives), else a plain copy.
#[inline(always)]
pub fn copy32(bytes: &[u8; 32]) -> [u8; 32] {
    // SAFETY: `Pubkey` is `repr(transparent)` over `[u8; 32]`.
    key_copy(unsafe { &*(bytes as *const [u8; 32] as *const Pubkey) }).to_bytes()
}

/// 32 bytes kept 8-aligned (digests the use path computes), so `copy32`
/// and `keys_eq` move and compare them by words.
#[repr(C, align(8))]
pub struct Aligned32(pub [u8; 32]);

/// The runtime's `sol_memcmp_`: 10 CU for 32 bytes, where the byte loop LLVM
/// makes of an unaligned `==` costs about 100 (the program id, after the
/// instruction data, is where the use path meets one).
#[cfg(target_os = "solana")]
#[inline(never)]
fn unaligned_keys_eq(a: &Pubkey, b: &Pubkey) -> bool {
    let mut result = 0i32;
    // SAFETY: both point to 32 live bytes; the syscall writes only `result`.
    unsafe {
        solana_define_syscall::definitions::sol_memcmp_(
            a.as_ref().as_ptr(),
            b.as_ref().as_ptr(),
            32,
            &mut result,
        )
    };
    result == 0
}

#[cfg(not(target_os = "solana"))]
fn unaligned_keys_eq(a: &Pubkey, b: &Pubkey) -> bool {
    a == b
}

/// A key stored 8-aligned, for constants the use path compares against.
#[repr(C, align(8))]
pub struct AlignedKey(pub Pubkey);

/// This program's id.
pub static PROGRAM_ID: AlignedKey = AlignedKey(crate::ID);
/// The System program.
pub static SYSTEM_PROGRAM_ID: AlignedKey = AlignedKey(anchor_lang::system_program::ID);
/// `constants::CPI_AUTHORITY`.
pub static CPI_AUTHORITY: AlignedKey = AlignedKey(crate::constants::CPI_AUTHORITY);
/// `ika::ID`.
pub static IKA_PROGRAM_ID: AlignedKey = AlignedKey(crate::ika::ID);
/// `ika::COORDINATOR`.
pub static IKA_COORDINATOR: AlignedKey = AlignedKey(crate::ika::COORDINATOR);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_and_unequal_at_any_alignment() {
        #[repr(C, align(8))]
        struct Buf([u8; 72]);
        let mut buf = Buf([0; 72]);
        let k = Pubkey::new_unique();
        buf.0[0..32].copy_from_slice(k.as_ref());
        buf.0[33..65].copy_from_slice(k.as_ref());
        let aligned = unsafe { &*(buf.0.as_ptr() as *const Pubkey) };
        let unaligned = unsafe { &*(buf.0.as_ptr().add(33) as *const Pubkey) };
        assert!(keys_eq(aligned, &PROGRAM_ID.0) == (k == crate::ID));
        assert!(keys_eq(aligned, unaligned));
        assert!(keys_eq(aligned, &k) && keys_eq(&k, unaligned));
        for byte in [0, 7, 8, 31] {
            let mut other = k.to_bytes();
            other[byte] ^= 1;
            let other = Pubkey::new_from_array(other);
            assert!(!keys_eq(aligned, &other) && !keys_eq(unaligned, &other));
        }
        assert_eq!(key_copy(aligned), k);
        assert_eq!(key_copy(unaligned), k);
        assert_eq!(PROGRAM_ID.0, crate::ID);
        assert_eq!(CPI_AUTHORITY.0, crate::constants::CPI_AUTHORITY);
        assert_eq!(IKA_PROGRAM_ID.0, crate::ika::ID);
        assert_eq!(IKA_COORDINATOR.0, crate::ika::COORDINATOR);
    }
}
