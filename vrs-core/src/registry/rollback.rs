//! Rollback protection with the host's help.
//!
//! Everything in a store is authenticated by keys the store never holds ([`super::anchor`]), so
//! a record, chain or tenant rolled back *alone* is found. A copy of the *whole* store taken
//! earlier is, however, authentic at every layer: restoring it (or a backup) silently forgets
//! whatever happened since. Only something kept outside the store can tell. The registry offers
//! two things for it:
//!
//! - [`Registry::anchor`]: the store's current anchor (a commit counter and the MAC over the
//!   whole anchored state) as a short string. Keep it where the store's host cannot roll it back
//!   with the store: another machine, a monotonic counter service, a TPM NV index, the
//!   operator's log. Keep it after every write for full protection, or periodically to bound
//!   what a rollback can forget.
//! - [`Registry::check_anchor`]: after opening, compare the kept anchor with the store. An older
//!   store, or a different store at the same commit, is refused
//!   ([`RegistryError::Tampered`]) and the registry stays in quarantine (inspection only). A
//!   newer store is accepted: keep its anchor.
//!
//! While a registry is open it also notices a store rolled back under it (the anchor's counter
//! may never go down), without the host's help.

use std::fmt;
use std::str::FromStr;

use super::error::RegistryError;
use super::Registry;

const PREFIX: &str = "vrs-anchor-1";

/// The registry anchor as a host keeps it: `vrs-anchor-1:<commit counter>:<64 hex digits>`.
/// Holds no personal data and no key.
///
/// ```
/// use vrs_core::registry::RegistryAnchor;
/// let a: RegistryAnchor = format!("vrs-anchor-1:42:{}", "ab".repeat(32)).parse()?;
/// assert_eq!(a.counter(), 42);
/// assert_eq!(a.to_string().parse::<RegistryAnchor>()?, a);
/// # Ok::<(), vrs_core::registry::RegistryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryAnchor {
    counter: u64,
    mac: [u8; 32],
}

impl RegistryAnchor {
    /// The number of commits that changed the store when the anchor was taken.
    pub fn counter(&self) -> u64 {
        self.counter
    }
}

impl fmt::Display for RegistryAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}:{}:{}", self.counter, hex::encode(self.mac))
    }
}

impl FromStr for RegistryAnchor {
    type Err = RegistryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            RegistryError::InvalidInput(
                "a registry anchor is vrs-anchor-1:<counter>:<64 hex digits>".into(),
            )
        };
        let mut parts = s.trim().split(':');
        if parts.next() != Some(PREFIX) {
            return Err(bad());
        }
        let counter = parts
            .next()
            .and_then(|c| c.parse::<u64>().ok())
            .ok_or_else(bad)?;
        let mut mac = [0u8; 32];
        hex::decode_to_slice(parts.next().ok_or_else(bad)?, &mut mac).map_err(|_| bad())?;
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(RegistryAnchor { counter, mac })
    }
}

/// What [`Registry::check_anchor`] found (when it found no rollback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorCheck {
    /// The store is exactly as when the anchor was kept.
    Same,
    /// The store has `commits` more commits than when the anchor was kept: keep the new one.
    Newer {
        /// Commits since the kept anchor.
        commits: u64,
    },
}

impl Registry {
    /// The store's current anchor, for the host to keep outside the store (see
    /// [`RegistryAnchor`]). A host-level call: no principal, not audited (an audit entry would
    /// move the anchor it reports).
    ///
    /// # Errors
    /// [`RegistryError::Tampered`] when the anchor is missing, not authentic, or older than one
    /// this registry saw; store failures.
    pub fn anchor(&mut self) -> Result<RegistryAnchor, RegistryError> {
        let (counter, mac) = self.store.current()?;
        Ok(RegistryAnchor { counter, mac })
    }

    /// Compares an anchor the host kept with the store. A host-level call, like
    /// [`Registry::anchor`].
    ///
    /// # Errors
    /// [`RegistryError::Tampered`] when the store is older than the kept anchor, or differs from
    /// it at the same commit (the store was rolled back or replaced); the registry then refuses
    /// every operation but inspection. Store failures.
    pub fn check_anchor(&mut self, kept: &RegistryAnchor) -> Result<AnchorCheck, RegistryError> {
        let now = match self.anchor() {
            Ok(a) => a,
            Err(e) => {
                self.quarantine.get_or_insert_with(|| e.to_string());
                return Err(e);
            }
        };
        let why = if now.counter < kept.counter {
            format!(
                "registry, anchor: the store is at commit {}, older than the anchor kept at \
                 commit {} (the store was rolled back)",
                now.counter, kept.counter
            )
        } else if now.counter == kept.counter && now.mac != kept.mac {
            format!(
                "registry, anchor: the store differs from the anchor kept at commit {} (the \
                 store was replaced)",
                kept.counter
            )
        } else if now.counter == kept.counter {
            return Ok(AnchorCheck::Same);
        } else {
            return Ok(AnchorCheck::Newer {
                commits: now.counter - kept.counter,
            });
        };
        self.quarantine.get_or_insert_with(|| why.clone());
        Err(RegistryError::Tampered(why))
    }
}
