//! `session-keys-idl PROGRAM_DIR` prints the program's IDL as JSON.
use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let program = std::env::args().nth(1).context("usage: session-keys-idl PROGRAM_DIR")?;
    // IdlBuilder shells out to `cargo +$RUSTUP_TOOLCHAIN` when that is set, which
    // breaks under rustup's proxies; the caller's default toolchain is what we want.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(program.into())
        .resolution(true)
        .build()?;
    println!("{}", serde_json::to_string_pretty(&idl)?);
    Ok(())
}
