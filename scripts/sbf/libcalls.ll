; Runtime functions that LLVM's BPF backend calls by name, written against the
; calling convention LLVM itself uses for them (i128 in and out as register
; pairs). rustc 1.97 compiles compiler_builtins' versions with an sret return
; for i128 on bpf, which does not match, so these strong definitions replace
; compiler_builtins' weak ones at link time. Memory functions go to the SVM's
; syscalls, as platform-tools' builtins do. Every function is optnone so the
; optimizer cannot fold a body back into the libcall it implements.
; Host test: scripts/sbf/test-libcalls.sh.
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"

declare void @sol_memcpy_(ptr, ptr, i64)
declare void @sol_memmove_(ptr, ptr, i64)
declare void @sol_memset_(ptr, i64, i64)
declare void @sol_memcmp_(ptr, ptr, i64, ptr)

define ptr @memcpy(ptr %dst, ptr %src, i64 %n) #0 {
  call void @sol_memcpy_(ptr %dst, ptr %src, i64 %n)
  ret ptr %dst
}

define ptr @memmove(ptr %dst, ptr %src, i64 %n) #0 {
  call void @sol_memmove_(ptr %dst, ptr %src, i64 %n)
  ret ptr %dst
}

define ptr @memset(ptr %dst, i32 %c, i64 %n) #0 {
  %byte = and i32 %c, 255
  %c64 = zext i32 %byte to i64
  call void @sol_memset_(ptr %dst, i64 %c64, i64 %n)
  ret ptr %dst
}

define i32 @memcmp(ptr %a, ptr %b, i64 %n) #0 {
  %result = alloca i32, align 4
  store i32 0, ptr %result, align 4
  call void @sol_memcmp_(ptr %a, ptr %b, i64 %n, ptr %result)
  %r = load i32, ptr %result, align 4
  ret i32 %r
}

define i32 @bcmp(ptr %a, ptr %b, i64 %n) #0 {
  %r = call i32 @memcmp(ptr %a, ptr %b, i64 %n)
  ret i32 %r
}

; a * b mod 2^128, from 32-bit partial products (no i128 multiply anywhere).
define i128 @__multi3(i128 %a, i128 %b) #0 {
  %alo = trunc i128 %a to i64
  %ash = lshr i128 %a, 64
  %ahi = trunc i128 %ash to i64
  %blo = trunc i128 %b to i64
  %bsh = lshr i128 %b, 64
  %bhi = trunc i128 %bsh to i64
  %x0 = and i64 %alo, 4294967295
  %x1 = lshr i64 %alo, 32
  %y0 = and i64 %blo, 4294967295
  %y1 = lshr i64 %blo, 32
  %p00 = mul i64 %x0, %y0
  %p01 = mul i64 %x0, %y1
  %p10 = mul i64 %x1, %y0
  %p11 = mul i64 %x1, %y1
  %p00h = lshr i64 %p00, 32
  %p01l = and i64 %p01, 4294967295
  %p10l = and i64 %p10, 4294967295
  %mid0 = add i64 %p00h, %p01l
  %mid = add i64 %mid0, %p10l
  %p00l = and i64 %p00, 4294967295
  %midl = shl i64 %mid, 32
  %lo = or i64 %p00l, %midl
  %p01h = lshr i64 %p01, 32
  %p10h = lshr i64 %p10, 32
  %midh = lshr i64 %mid, 32
  %h0 = add i64 %p11, %p01h
  %h1 = add i64 %h0, %p10h
  %h2 = add i64 %h1, %midh
  %cross1 = mul i64 %alo, %bhi
  %cross2 = mul i64 %ahi, %blo
  %h3 = add i64 %h2, %cross1
  %hi = add i64 %h3, %cross2
  %lo128 = zext i64 %lo to i128
  %hi128 = zext i64 %hi to i128
  %hish = shl i128 %hi128, 64
  %r = or i128 %hish, %lo128
  ret i128 %r
}

; Unsigned n / d and n % d by restoring shift-subtract, one bit per round.
; Callers (Rust) have already rejected d == 0.
define internal void @udivmod(i128 %n, i128 %d, ptr %quotient, ptr %remainder) #0 {
entry:
  br label %round
round:
  %i = phi i32 [ 0, %entry ], [ %i.next, %round ]
  %q = phi i128 [ %n, %entry ], [ %q.next, %round ]
  %r = phi i128 [ 0, %entry ], [ %r.next, %round ]
  %top = lshr i128 %q, 127
  %r.shl = shl i128 %r, 1
  %r.in = or i128 %r.shl, %top
  %q.shl = shl i128 %q, 1
  %fits = icmp uge i128 %r.in, %d
  %r.sub = sub i128 %r.in, %d
  %r.next = select i1 %fits, i128 %r.sub, i128 %r.in
  %bit = zext i1 %fits to i128
  %q.next = or i128 %q.shl, %bit
  %i.next = add i32 %i, 1
  %done = icmp eq i32 %i.next, 128
  br i1 %done, label %exit, label %round
exit:
  store i128 %q.next, ptr %quotient, align 16
  store i128 %r.next, ptr %remainder, align 16
  ret void
}

define i128 @__udivti3(i128 %n, i128 %d) #0 {
  %q = alloca i128, align 16
  %r = alloca i128, align 16
  call void @udivmod(i128 %n, i128 %d, ptr %q, ptr %r)
  %v = load i128, ptr %q, align 16
  ret i128 %v
}

define i128 @__umodti3(i128 %n, i128 %d) #0 {
  %q = alloca i128, align 16
  %r = alloca i128, align 16
  call void @udivmod(i128 %n, i128 %d, ptr %q, ptr %r)
  %v = load i128, ptr %r, align 16
  ret i128 %v
}

define internal i128 @abs128(i128 %x) #0 {
  %neg = icmp slt i128 %x, 0
  %minus = sub i128 0, %x
  %r = select i1 %neg, i128 %minus, i128 %x
  ret i128 %r
}

; Signed: quotient truncates toward zero, remainder takes the dividend's sign.
define i128 @__divti3(i128 %n, i128 %d) #0 {
  %q = alloca i128, align 16
  %r = alloca i128, align 16
  %un = call i128 @abs128(i128 %n)
  %ud = call i128 @abs128(i128 %d)
  call void @udivmod(i128 %un, i128 %ud, ptr %q, ptr %r)
  %uq = load i128, ptr %q, align 16
  %sx = xor i128 %n, %d
  %neg = icmp slt i128 %sx, 0
  %minus = sub i128 0, %uq
  %v = select i1 %neg, i128 %minus, i128 %uq
  ret i128 %v
}

define i128 @__modti3(i128 %n, i128 %d) #0 {
  %q = alloca i128, align 16
  %r = alloca i128, align 16
  %un = call i128 @abs128(i128 %n)
  %ud = call i128 @abs128(i128 %d)
  call void @udivmod(i128 %un, i128 %ud, ptr %q, ptr %r)
  %ur = load i128, ptr %r, align 16
  %neg = icmp slt i128 %n, 0
  %minus = sub i128 0, %ur
  %v = select i1 %neg, i128 %minus, i128 %ur
  ret i128 %v
}

attributes #0 = { noinline optnone nounwind }
