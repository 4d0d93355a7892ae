//! One file per instruction: its `Args`, its `Accounts` and its handler
//! (`<Accounts>::handler`).

pub mod accept_admin;
pub mod approve_evm_transaction;
pub mod approve_message;
pub mod approve_solana_message;
pub mod close_session;
pub mod create_session;
pub mod initialize_policy;
pub mod message_buffer;
pub mod propose_admin;
pub mod release_dwallet;
pub mod renounce_session;
pub mod revoke_all_sessions;
pub mod revoke_session;
pub mod update_session;
pub mod uses;

pub use accept_admin::*;
pub use approve_evm_transaction::*;
pub use approve_message::*;
pub use approve_solana_message::*;
pub use close_session::*;
pub use create_session::*;
pub use initialize_policy::*;
pub use message_buffer::*;
pub use propose_admin::*;
pub use release_dwallet::*;
pub use renounce_session::*;
pub use revoke_all_sessions::*;
pub use revoke_session::*;
pub use update_session::*;
