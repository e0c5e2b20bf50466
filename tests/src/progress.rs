//! A progress bar on stderr for large files, shown only when stderr is a terminal.

use std::io::{IsTerminal, Read, Write};

/// Files smaller than this get no progress bar.
const MIN_BYTES: u64 = 16 * 1024 * 1024;

/// Wraps a reader and redraws a one-line bar on stderr every percent.
pub struct Progress<R> {
    inner: R,
    total: u64,
    done: u64,
    shown_percent: u64,
    enabled: bool,
    label: String,
}

impl<R: Read> Progress<R> {
    /// `total` is the file size when known (0 = unknown: no bar).
    pub fn new(inner: R, total: u64, label: &str) -> Self {
        let enabled = total >= MIN_BYTES && std::io::stderr().is_terminal();
        Progress {
            inner,
            total,
            done: 0,
            shown_percent: u64::MAX,
            enabled,
            label: label.to_owned(),
        }
    }

    fn draw(&mut self) {
        let percent = self.done.saturating_mul(100) / self.total.max(1);
        if percent == self.shown_percent {
            return;
        }
        self.shown_percent = percent;
        let filled = usize::try_from(percent / 5).unwrap_or(20).min(20);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {percent:3}% {}/{} MiB",
            self.label,
            "#".repeat(filled),
            " ".repeat(20 - filled),
            self.done >> 20,
            self.total >> 20
        );
        let _ = err.flush();
    }

    /// Clears the bar.
    pub fn clear(&self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}\r", " ".repeat(self.label.chars().count() + 48));
            let _ = err.flush();
        }
    }
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if self.enabled {
            self.draw();
        }
        Ok(n)
    }
}
