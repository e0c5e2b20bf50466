//! `vrs_writer`: writing any layout row by row over `vrs_core::codec::CheckedWriter`, each row
//! checked with the validator's rules before it is written.

use vrs_core::codec::{CheckedWriter, ValidateOptions, WriteError, WriteOptions};
use vrs_core::diag::{Code, Diagnostic, Lang, Report, Severity};
use vrs_core::layout::Layout;
use vrs_core::text::Encoding;

use super::bytes::vrs_bytes;
use super::macros::{ffi_fn, non_null, require, text, to_c, tri};
use super::report::{vrs_lang, vrs_report};
use super::status::{
    vrs_status, VRS_ENCODING, VRS_INVALID, VRS_INVALID_ARGUMENT, VRS_INVALID_STATE, VRS_IO, VRS_OK,
    VRS_UNKNOWN_COLUMN,
};
use super::validator::{as_of, dose_blocks, find_layout, tenant, vrs_encoding};
use super::validator::{VRS_ENCODING_AUTO, VRS_ENCODING_CP932, VRS_ENCODING_UTF8};

/// Options of `vrs_writer_new`. A zero-initialised struct (`vrs_write_options o = {0};`) gives
/// the defaults, the same as passing NULL: UTF-8 without BOM, a header row, 7 dose blocks.
///
/// The struct may only grow in a new major version of the library.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct vrs_write_options {
    /// Output encoding: `VRS_ENCODING_AUTO` (0, default) or `VRS_ENCODING_UTF8` for UTF-8,
    /// `VRS_ENCODING_CP932` for CP932 (a character CP932 cannot hold is an error, never
    /// replaced).
    pub encoding: vrs_encoding,
    /// Language of the diagnostics' `message` and of the JSON: `VRS_LANG_JA` (0, default) or
    /// `VRS_LANG_EN`.
    pub lang: vrs_lang,
    /// The file's creation date as the number `YYYYMMDD`, for the no-future-dates rules; 0: none.
    pub as_of_yyyymmdd: u32,
    /// Dose blocks of the block layouts, 1..=9; 0: the default, 7.
    pub dose_blocks: u8,
    /// Nonzero: write no header row.
    pub no_header: u8,
    /// Nonzero: start with a UTF-8 byte-order mark (ignored for CP932).
    pub bom: u8,
    /// The uploading municipality code (rule M03), `tenant_len` bytes; NULL (with length 0): the first row's
    /// code is taken.
    pub tenant: *const u8,
    /// Length of `tenant` in bytes.
    pub tenant_len: usize,
}

impl vrs_write_options {
    /// The defaults (all zero), used when `opts` is NULL.
    const DEFAULT: vrs_write_options = vrs_write_options {
        encoding: VRS_ENCODING_AUTO,
        lang: super::report::VRS_LANG_JA,
        as_of_yyyymmdd: 0,
        dose_blocks: 0,
        no_header: 0,
        bom: 0,
        tenant: std::ptr::null(),
        tenant_len: 0,
    };
}

/// Where a writer is in its life.
enum State {
    /// Accepting rows.
    Writing(Box<CheckedWriter<Vec<u8>>>),
    /// `vrs_writer_finish` succeeded: the report of everything found while writing.
    Finished(Box<Report>),
    /// Finishing failed, or a panic was caught: nothing more can be done.
    Broken,
}

/// A writer for one file of one layout: set the fields of a row by column ID with
/// `vrs_writer_set`, check and write it with `vrs_writer_end_row`, and get the file's bytes with
/// `vrs_writer_finish`. Free it with `vrs_writer_free` (also after finishing).
///
/// Lines end with CRLF, fields are quoted as RFC 4180 says, the header holds the layout's
/// Japanese column names. A writer may be moved between threads but not used from two at once.
pub struct vrs_writer {
    state: State,
    layout: Layout,
    encoding: Encoding,
    lang: Lang,
    /// The physical line the next row will have.
    next_line: u64,
}

/// Creates a writer for the layout `layout_id` (`len` bytes of UTF-8, e.g. `"dose-upload"`) and
/// writes it to `*out`. The header row is written at once (unless `no_header`).
///
/// `opts` may be NULL for the defaults. Returns `VRS_OK`; `VRS_UNKNOWN_LAYOUT`;
/// `VRS_INVALID_ARGUMENT` (unknown encoding or lang number, `dose_blocks` above 9, an impossible
/// `as_of_yyyymmdd`, an invalid tenant code); `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`. `*out` is
/// written only on `VRS_OK`.
///
/// # Safety
/// `layout_id` must be NULL or valid for reads of `len` bytes; `opts` must be NULL or point to a
/// readable `vrs_write_options` whose `tenant` is NULL or valid for `tenant_len` bytes; `out`
/// must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_writer_new(
    layout_id: *const u8,
    len: usize,
    opts: *const vrs_write_options,
    out: *mut *mut vrs_writer,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `layout_id` is NULL or valid for `len` bytes.
        let id = tri!(unsafe { text(layout_id, len) });
        // SAFETY: the caller guarantees `opts` is NULL or points to readable options.
        let o = unsafe { opts.as_ref() }
            .copied()
            .unwrap_or(vrs_write_options::DEFAULT);
        let encoding = match o.encoding {
            VRS_ENCODING_AUTO | VRS_ENCODING_UTF8 => Encoding::Utf8,
            VRS_ENCODING_CP932 => Encoding::Cp932,
            _ => return VRS_INVALID_ARGUMENT,
        };
        let lang = tri!(o.lang.to_core());
        let check = ValidateOptions {
            as_of: tri!(as_of(o.as_of_yyyymmdd)),
            // SAFETY: the caller guarantees `tenant` is NULL or valid for `tenant_len` bytes.
            tenant: tri!(unsafe { tenant(o.tenant, o.tenant_len) }),
            ..ValidateOptions::default()
        };
        let write = WriteOptions {
            encoding,
            bom: o.bom != 0,
            header: o.no_header == 0,
        };
        let layout = tri!(find_layout(id, &dose_blocks(o.dose_blocks)));
        let writer = tri!(CheckedWriter::new(Vec::new(), layout.clone(), write, check)
            .map_err(|e| status_of(&e)));
        let handle = vrs_writer {
            state: State::Writing(Box::new(writer)),
            layout,
            encoding,
            lang,
            next_line: if write.header { 2 } else { 1 },
        };
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(handle)) };
        VRS_OK
    }
}

/// The status of a write error.
fn status_of(e: &WriteError) -> vrs_status {
    match e {
        WriteError::Io(_) => VRS_IO,
        WriteError::Unencodable { .. } => VRS_ENCODING,
        WriteError::UnknownColumn { .. } => VRS_UNKNOWN_COLUMN,
        _ => VRS_INVALID,
    }
}

/// Sets the field `column_id` (`len` bytes, e.g. `"dose1_vaccinated_on"`) of the current row to
/// `value` (`value_len` bytes of UTF-8; NULL with length 0 is the empty value). Fields not set
/// are empty; setting a field again replaces its value.
///
/// Returns `VRS_OK`; `VRS_UNKNOWN_COLUMN` when the layout has no such column;
/// `VRS_INVALID_STATE` after `vrs_writer_finish`; `VRS_INVALID_UTF8`; `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `writer` must be NULL or a live writer not used by another thread meanwhile; `column_id` and
/// `value` must be NULL or valid for reads of their lengths.
#[no_mangle]
pub unsafe extern "C" fn vrs_writer_set(
    writer: *mut vrs_writer,
    column_id: *const u8,
    len: usize,
    value: *const u8,
    value_len: usize,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: the caller guarantees `writer` is NULL or live and not shared meanwhile.
        let handle = non_null!(unsafe { writer.as_mut() });
        // SAFETY: the caller guarantees `column_id` is NULL or valid for `len` bytes.
        let column = tri!(unsafe { text(column_id, len) });
        // SAFETY: the caller guarantees `value` is NULL or valid for `value_len` bytes.
        let value = tri!(unsafe { text(value, value_len) });
        // Taken out while working: a panic leaves the writer broken, never half-updated.
        let mut w = match std::mem::replace(&mut handle.state, State::Broken) {
            State::Writing(w) => w,
            other => {
                handle.state = other;
                return VRS_INVALID_STATE;
            }
        };
        let result = w.set(column, value);
        handle.state = State::Writing(w);
        tri!(result.map_err(|e| status_of(&e)));
        VRS_OK
    }
}

/// The diagnostic for a value the output encoding cannot hold (the core writer reports it as an
/// error value, not a diagnostic): code F01, in the column it names; the message names the
/// character and its position, never the value.
fn unencodable(e: &WriteError, layout: &Layout, line: u64) -> Diagnostic {
    let (column, field) = match e {
        WriteError::Unencodable { column, .. } => {
            let i = layout.columns.iter().position(|c| &c.name_ja == column);
            (Some(column.clone()), i)
        }
        _ => (None, None),
    };
    Diagnostic {
        code: Code::F01,
        severity: Severity::Error,
        line,
        column,
        column_en: field
            .and_then(|i| layout.columns.get(i))
            .map(|c| c.name_en.clone()),
        field: field.map(|i| i + 1),
        value: None,
        message_ja: e.message_ja(),
        message_en: e.to_string(),
    }
}

/// Checks the current row with the layout's rules and writes it when it has no error, then
/// clears it for the next row (also when it was not written).
///
/// Rows not written still count for the cross-row rules of the rows after them (`vrs-core`'s
/// checked writer remembers every row it checked).
///
/// Returns `VRS_OK` when the row was written (the diagnostics may hold warnings); `VRS_INVALID`
/// when the row has an error and was not written (the diagnostics say why); `VRS_ENCODING` when
/// a value cannot be written in CP932 (not written; one F01 diagnostic names the column and the
/// character); `VRS_IO`; `VRS_INVALID_STATE` after `vrs_writer_finish`; `VRS_NULL_ARGUMENT`.
///
/// When `diagnostics` is not NULL and the status is `VRS_OK`, `VRS_INVALID` or `VRS_ENCODING`,
/// `*diagnostics` receives a new report of this row (possibly with no diagnostic; row count 1;
/// line numbers as in the file being written) to free with `vrs_report_free`. Pass NULL to
/// ignore them.
///
/// # Safety
/// `writer` must be NULL or a live writer not used by another thread meanwhile; `diagnostics`
/// must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_writer_end_row(
    writer: *mut vrs_writer,
    diagnostics: *mut *mut vrs_report,
) -> vrs_status {
    ffi_fn! {
        // SAFETY: the caller guarantees `writer` is NULL or live and not shared meanwhile.
        let handle = non_null!(unsafe { writer.as_mut() });
        // Taken out while working: a panic leaves the writer broken, never half-updated.
        let mut w = match std::mem::replace(&mut handle.state, State::Broken) {
            State::Writing(w) => w,
            other => {
                handle.state = other;
                return VRS_INVALID_STATE;
            }
        };
        let result = w.end_row();
        handle.state = State::Writing(w);
        let (status, found) = match result {
            Ok(found) => {
                handle.next_line += 1;
                (VRS_OK, found)
            }
            Err(WriteError::Invalid(found)) => (VRS_INVALID, found),
            Err(e @ WriteError::Unencodable { .. }) => {
                (VRS_ENCODING, vec![unencodable(&e, &handle.layout, handle.next_line)])
            }
            Err(e) => return status_of(&e),
        };
        if !diagnostics.is_null() {
            let report = vrs_report::of_row(found, &handle.layout, handle.encoding.name(), handle.lang);
            // SAFETY: `diagnostics` is not NULL and valid for a pointer write (caller contract).
            unsafe { diagnostics.write(to_c(report)) };
        }
        status
    }
}

/// Ends the file and writes its bytes to `*out` (free them with `vrs_bytes_free`; they do not
/// depend on the writer). The writer is finished afterwards: `vrs_writer_report` gives the
/// report of everything found while writing (including the cross-row rules checked at the end),
/// and setting, ending rows or finishing again returns `VRS_INVALID_STATE`. It must still be
/// freed.
///
/// Returns `VRS_OK`, `VRS_IO`, `VRS_INVALID_STATE` or `VRS_NULL_ARGUMENT`. `*out` is written only
/// on `VRS_OK`.
///
/// # Safety
/// `writer` must be NULL or a live writer not used by another thread meanwhile; `out` must be
/// NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_writer_finish(
    writer: *mut vrs_writer,
    out: *mut *mut vrs_bytes,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `writer` is NULL or live and not shared meanwhile.
        let handle = non_null!(unsafe { writer.as_mut() });
        let w = match std::mem::replace(&mut handle.state, State::Broken) {
            State::Writing(w) => w,
            other => {
                handle.state = other;
                return VRS_INVALID_STATE;
            }
        };
        let (bytes, report) = tri!(w.finish().map_err(|e| status_of(&e)));
        handle.state = State::Finished(Box::new(report));
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(vrs_bytes::new(bytes))) };
        VRS_OK
    }
}

/// Writes to `*out` a new report of everything found while writing the file (rows checked, all
/// their diagnostics, and those of the cross-row rules checked at the end); free it with
/// `vrs_report_free`. Available once `vrs_writer_finish` succeeded.
///
/// Returns `VRS_OK`, `VRS_INVALID_STATE` (not finished yet) or `VRS_NULL_ARGUMENT`.
///
/// # Safety
/// `writer` must be NULL or a live writer; `out` must be NULL or valid for a write of a pointer.
#[no_mangle]
pub unsafe extern "C" fn vrs_writer_report(
    writer: *const vrs_writer,
    out: *mut *mut vrs_report,
) -> vrs_status {
    ffi_fn! {
        require!(out);
        // SAFETY: the caller guarantees `writer` is NULL or a live writer.
        let handle = non_null!(unsafe { writer.as_ref() });
        let State::Finished(report) = &handle.state else {
            return VRS_INVALID_STATE;
        };
        let copy = vrs_report::new(Report::clone(report), handle.lang);
        // SAFETY: `out` is not NULL and valid for a pointer write (caller contract).
        unsafe { out.write(to_c(copy)) };
        VRS_OK
    }
}

/// Frees `writer`, finished or not (an unfinished file is discarded).
/// `vrs_writer_free(NULL)` does nothing.
///
/// # Safety
/// `writer` must be NULL or a pointer from `vrs_writer_new` that has not been freed yet; it must
/// not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn vrs_writer_free(writer: *mut vrs_writer) {
    ffi_fn! {
        if !writer.is_null() {
            // SAFETY: `writer` came from `Box::into_raw` in `vrs_writer_new` and is freed only
            // once (caller contract).
            drop(unsafe { Box::from_raw(writer) });
        }
    }
}
