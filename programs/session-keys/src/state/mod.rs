//! Account types and the rules over them, as plain methods so they are
//! unit-testable on the host without a runtime.

pub mod binding;
pub mod message_buffer;
pub mod policy;
pub mod session;

pub use binding::*;
pub use message_buffer::*;
pub use policy::*;
pub use session::*;
