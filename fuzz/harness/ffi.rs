//! The C entry points of `vrs-ffi`, called as a C program would, with fuzzer-chosen arguments:
//! lengths, NULL pointers with and without a length, invalid UTF-8, chunks fed to a validator,
//! writer calls in any order, report and error accessors, and registry calls.
//!
//! The input is a program: each step is an operation byte, then that operation's arguments.
//! Checked on every call: no `VRS_PANIC` (a caught panic), a NULL pointer with a non-zero length
//! is never accepted, outputs are written exactly on success, every view handed back (strings,
//! bytes) is readable for its length and UTF-8 where it is text. Handles are freed at the end
//! (the sanitizer of the fuzz build reports any leak or bad access).

use std::ptr::{null, null_mut};

use vrs::capi::*;

use crate::input::Input;

/// At most this many operations per input (keeps every input fast).
const MAX_STEPS: usize = 48;

/// A data argument `(pointer, length)` as a C caller might pass it.
struct Arg<'a> {
    ptr: *const u8,
    len: usize,
    /// Keeps the bytes alive while `ptr` points into them.
    _bytes: &'a [u8],
}

impl Arg<'_> {
    /// NULL with a length above zero: the call must refuse it.
    fn null_with_length(&self) -> bool {
        self.ptr.is_null() && self.len > 0
    }
}

/// An argument: mode 0 NULL with length 0, mode 1 NULL with a length (at most `isize::MAX`
/// at times), otherwise up to `max` bytes from the input (`max` 0: a known-good value from
/// `good`, picked by the next byte).
fn arg<'a>(
    input: &mut Input<'a>,
    max: usize,
    good: &'a [&'a str],
    allow_null_len: bool,
) -> Arg<'a> {
    match input.byte() % 8 {
        0 => Arg {
            ptr: null(),
            len: 0,
            _bytes: &[],
        },
        1 if allow_null_len => Arg {
            ptr: null(),
            len: match input.byte() {
                0 => usize::MAX,
                n => usize::from(n),
            },
            _bytes: &[],
        },
        2..=4 if !good.is_empty() => {
            let s = good[usize::from(input.byte()) % good.len()].as_bytes();
            Arg {
                ptr: s.as_ptr(),
                len: s.len(),
                _bytes: s,
            }
        }
        _ => {
            let b = input.piece(max);
            Arg {
                ptr: b.as_ptr(),
                len: b.len(),
                _bytes: b,
            }
        }
    }
}

/// Asserts what every call must do: never panic, never accept a NULL with a length.
fn check(status: vrs_status, what: &str, null_len: bool) {
    assert_ne!(status, VRS_PANIC, "{what}: a panic was caught");
    if null_len {
        assert_ne!(status, VRS_OK, "{what}: NULL with a length accepted");
    }
    // SAFETY: any number may be asked about.
    let message = unsafe { std::ffi::CStr::from_ptr(vrs_status_message(status)) };
    assert!(!message.to_bytes().is_empty());
}

/// Reads a view: `len` bytes at `data`, text in UTF-8.
fn read_str(s: &vrs_str, what: &str) {
    if s.data.is_null() {
        assert_eq!(s.len, 0, "{what}: NULL view with a length");
        return;
    }
    // SAFETY: the library promises `len` readable bytes at `data` while the owner lives.
    let bytes = unsafe { std::slice::from_raw_parts(s.data.cast::<u8>(), s.len) };
    assert!(std::str::from_utf8(bytes).is_ok(), "{what}: not UTF-8");
}

/// Reads and frees a `vrs_bytes`; JSON outputs must parse.
fn take_bytes(b: *mut vrs_bytes, json: bool) {
    if b.is_null() {
        return;
    }
    // SAFETY: `b` is a live `vrs_bytes` from the library.
    unsafe {
        let (data, len) = (vrs_bytes_data(b), vrs_bytes_len(b));
        assert!(!data.is_null() || len == 0);
        if !data.is_null() {
            let bytes = std::slice::from_raw_parts(data, len);
            if json {
                let v: Result<serde_json::Value, _> = serde_json::from_slice(bytes);
                assert!(v.is_ok(), "JSON output does not parse");
            }
        }
        vrs_bytes_free(b);
    }
}

/// Reads and frees a `vrs_error`.
fn take_error(e: *mut vrs_error, status: vrs_status) {
    if e.is_null() {
        return;
    }
    assert_ne!(status, VRS_OK, "an error handed out on success");
    // SAFETY: `e` is a live error from the library; `info` is valid for writing.
    unsafe {
        let mut info = std::mem::zeroed::<vrs_error_info>();
        check(vrs_error_describe(e, &mut info), "error_describe", false);
        assert_eq!(info.status, status);
        for (s, what) in [
            (&info.code, "code"),
            (&info.rule, "rule"),
            (&info.message_en, "message_en"),
            (&info.message_ja, "message_ja"),
        ] {
            read_str(s, what);
        }
        let mut json = null_mut();
        check(vrs_error_json(e, &mut json), "error_json", false);
        take_bytes(json, true);
        vrs_error_free(e);
    }
}

/// Every accessor of a report.
fn inspect_report(r: *const vrs_report, input: &mut Input<'_>) {
    // SAFETY: `r` is a live report (or NULL, which every accessor refuses).
    unsafe {
        let mut n = 0u64;
        for f in [
            vrs_report_row_count,
            vrs_report_error_count,
            vrs_report_warning_count,
            vrs_report_info_count,
        ] {
            let s = f(r, &mut n);
            check(s, "report count", false);
            assert_eq!(s == VRS_NULL_ARGUMENT, r.is_null());
            check(f(r, null_mut()), "report count to NULL", false);
        }
        let mut count = 0usize;
        check(
            vrs_report_diagnostic_count(r, &mut count),
            "diagnostic_count",
            false,
        );
        let mut truncated = false;
        check(vrs_report_truncated(r, &mut truncated), "truncated", false);
        let index = match input.byte() {
            255 => usize::MAX,
            b => usize::from(b),
        };
        let mut d = std::mem::zeroed::<vrs_diagnostic>();
        let s = vrs_report_diagnostic(r, index, &mut d);
        check(s, "report_diagnostic", false);
        if !r.is_null() {
            assert_eq!(s == VRS_OK, index < count, "diagnostic {index} of {count}");
        }
        if s == VRS_OK {
            for (v, what) in [
                (&d.code, "code"),
                (&d.column, "column"),
                (&d.column_en, "column_en"),
                (&d.value, "value"),
                (&d.message, "message"),
                (&d.message_ja, "message_ja"),
                (&d.message_en, "message_en"),
            ] {
                read_str(v, what);
            }
        }
        let mut json = null_mut();
        let s = vrs_report_json(r, &mut json);
        check(s, "report_json", false);
        take_bytes(json, true);
    }
}

/// The layouts, good values for `arg`.
const LAYOUTS: &[&str] = &[
    "ledger-export",
    "awaiting-registration",
    "subject-registration",
    "flags",
    "dose-upload",
    "batch-inquiry-request",
    "batch-inquiry-result@1",
];

/// Column IDs of the layouts, good values for `arg`.
const COLUMNS: &[&str] = &[
    "municipality_code",
    "addressee_number",
    "my_number",
    "voucher_number",
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "issued_on",
    "ocr_line",
    "dose_number",
    "vaccinated_on",
    "manufacturer",
    "lot_number",
    "dose1_vaccinated_on",
    "dose1_registered_at",
    "dose1_voucher_number",
    "dose1_municipality_code",
    "dose1_manufacturer",
    "dose1_lot_number",
    "flag",
    "flag_date",
];

/// Values for writer fields and registry inputs.
const VALUES: &[&str] = &[
    "131016",
    "1001",
    "123456789018",
    "0000012345",
    "20210601",
    "20210601120000",
    "111310160000012345",
    "ファイザー",
    "FA5765",
    "千代田 花子",
    "チヨダ ハナコ",
    "1",
    "2",
    "",
];

/// Options of a validator or `vrs_validate_bytes`.
fn validate_options<'a>(
    input: &mut Input<'a>,
    keep: &mut Vec<Arg<'a>>,
) -> (vrs_validate_options, bool) {
    let tenant = arg(input, 8, &["131016", "131017"], true);
    let file = arg(input, 8, &["a.csv"], true);
    let null_len = tenant.null_with_length() || file.null_with_length();
    let o = vrs_validate_options {
        encoding: vrs_encoding(u32::from(input.byte() % 4)),
        lang: vrs_lang(u32::from(input.byte() % 3)),
        max_diagnostics: usize::from(input.byte() % 8),
        as_of_yyyymmdd: match input.byte() % 4 {
            0 => 0,
            1 => 20240401,
            2 => 20210230,
            _ => input.u32(),
        },
        dose_blocks: input.byte() % 11,
        no_header: input.byte() % 2,
        tenant: tenant.ptr,
        tenant_len: tenant.len,
        file_name: file.ptr,
        file_name_len: file.len,
    };
    keep.push(tenant);
    keep.push(file);
    (o, null_len)
}

/// Handles alive during one input.
struct Handles {
    validator: *mut vrs_validator,
    writer: *mut vrs_writer,
    reports: Vec<*mut vrs_report>,
    registry: *mut vrs_registry,
    principals: Vec<*mut vrs_principal>,
}

impl Drop for Handles {
    fn drop(&mut self) {
        // SAFETY: every handle is NULL or live, and freed once here.
        unsafe {
            vrs_validator_free(self.validator);
            vrs_writer_free(self.writer);
            for r in self.reports.drain(..) {
                vrs_report_free(r);
            }
            for p in self.principals.drain(..) {
                vrs_principal_free(p);
            }
            vrs_registry_free(self.registry);
        }
    }
}

/// The fuzz target body.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mut h = Handles {
        validator: null_mut(),
        writer: null_mut(),
        reports: Vec::new(),
        registry: null_mut(),
        principals: Vec::new(),
    };
    let mut keep: Vec<Arg<'_>> = Vec::new();
    for _ in 0..MAX_STEPS {
        if input.is_empty() {
            break;
        }
        let op = input.byte();
        // SAFETY: every pointer passed is NULL, points into the input or a constant for the
        // length given, or is a live handle / writable output of this function.
        unsafe { step(op, &mut input, &mut h, &mut keep) };
    }
}

/// One operation.
///
/// # Safety
/// As for [`run`].
unsafe fn step<'a>(op: u8, input: &mut Input<'a>, h: &mut Handles, keep: &mut Vec<Arg<'a>>) {
    // SAFETY: every pointer passed below is NULL, points into the input or a constant for the
    // length given, or is a live handle or writable output of this module (as in `run`).
    unsafe {
        match op % 16 {
            0 => {
                let kind = vrs_id_kind(u32::from(input.byte() % 6));
                let a = arg(input, 24, VALUES, true);
                let s = vrs_id_check(kind, a.ptr, a.len);
                check(s, "id_check", a.null_with_length());
            }
            1 => {
                let a = arg(input, 16, &["13101", "12345678901"], true);
                let mut digit = 99u8;
                let out: *mut u8 = if input.byte().is_multiple_of(4) {
                    null_mut()
                } else {
                    &mut digit
                };
                let s = if op & 0x80 == 0 {
                    vrs_municipality_check_digit(a.ptr, a.len, out)
                } else {
                    vrs_my_number_check_digit(a.ptr, a.len, out)
                };
                check(s, "check_digit", a.null_with_length());
                assert_eq!(
                    s == VRS_OK,
                    digit <= 9,
                    "check digit written exactly on success"
                );
                if out.is_null() {
                    assert_eq!(s, VRS_NULL_ARGUMENT);
                }
            }
            2 => {
                let a = arg(input, 32, VALUES, true);
                let mut line = std::mem::zeroed::<vrs_ocr_line>();
                line.dose = 0xAA;
                let s = vrs_ocr_line_parse(a.ptr, a.len, &mut line);
                check(s, "ocr_line_parse", a.null_with_length());
                assert_eq!(s == VRS_OK, line.dose != 0xAA);
                if s != VRS_OK {
                    // A struct of the fuzzer's bytes: never read out of bounds.
                    let raw = input.take(std::mem::size_of::<vrs_ocr_line>());
                    std::ptr::copy_nonoverlapping(
                        raw.as_ptr(),
                        (&raw mut line).cast::<u8>(),
                        raw.len(),
                    );
                }
                let buf_len = usize::from(input.byte() % 24);
                let mut buf = vec![0x7Fu8; buf_len];
                let mut written = 777usize;
                let s = vrs_ocr_line_format(&line, buf.as_mut_ptr().cast(), buf_len, &mut written);
                check(s, "ocr_line_format", false);
                if s == VRS_OK {
                    assert_eq!(written, 18);
                    assert_eq!(buf.get(18), Some(&0), "NUL-terminated");
                    assert!(buf[..18].iter().all(u8::is_ascii_digit));
                } else {
                    assert_eq!(written, 777, "length written on failure");
                }
            }
            3 => {
                vrs_validator_free(h.validator);
                h.validator = null_mut();
                let layout = arg(input, 24, LAYOUTS, true);
                let (opts, null_len) = validate_options(input, keep);
                let opts_ptr: *const vrs_validate_options = if input.byte().is_multiple_of(4) {
                    null()
                } else {
                    &opts
                };
                let s = vrs_validator_new(layout.ptr, layout.len, opts_ptr, &mut h.validator);
                check(
                    s,
                    "validator_new",
                    layout.null_with_length() || (null_len && !opts_ptr.is_null()),
                );
                assert_eq!(s == VRS_OK, !h.validator.is_null());
                keep.push(layout);
            }
            4 => {
                // Feeds several chunks of the input.
                for _ in 0..=input.byte() % 8 {
                    let a = arg(input, 255, &["\r\n", "\"", ",", "\u{FEFF}"], true);
                    let s = vrs_validator_feed(h.validator, a.ptr, a.len);
                    check(s, "validator_feed", a.null_with_length());
                    if h.validator.is_null() {
                        assert_eq!(s, VRS_NULL_ARGUMENT);
                    }
                }
            }
            5 => {
                let mut report = null_mut();
                let to_null = input.byte().is_multiple_of(8);
                let out: *mut *mut vrs_report = if to_null { null_mut() } else { &mut report };
                let s = vrs_validator_finish(h.validator, out);
                check(s, "validator_finish", false);
                assert_eq!(s == VRS_OK, !report.is_null());
                if to_null {
                    assert_eq!(s, VRS_NULL_ARGUMENT);
                }
                if !report.is_null() {
                    h.reports.push(report);
                }
            }
            6 => {
                let layout = arg(input, 24, LAYOUTS, true);
                let file = arg(input, 255, VALUES, true);
                let (opts, null_len) = validate_options(input, keep);
                let mut report = null_mut();
                let s = vrs_validate_bytes(
                    layout.ptr,
                    layout.len,
                    file.ptr,
                    file.len,
                    &opts,
                    &mut report,
                );
                check(
                    s,
                    "validate_bytes",
                    layout.null_with_length() || file.null_with_length() || null_len,
                );
                assert_eq!(s == VRS_OK, !report.is_null());
                if !report.is_null() {
                    h.reports.push(report);
                }
                keep.push(layout);
                keep.push(file);
            }
            7 => {
                let r = match h.reports.len() {
                    0 => null(),
                    n => h.reports[usize::from(input.byte()) % n].cast_const(),
                };
                inspect_report(r, input);
            }
            8 => {
                vrs_writer_free(h.writer);
                h.writer = null_mut();
                let layout = arg(input, 24, LAYOUTS, true);
                let tenant = arg(input, 8, &["131016"], true);
                let opts = vrs_write_options {
                    encoding: vrs_encoding(u32::from(input.byte() % 4)),
                    lang: vrs_lang(u32::from(input.byte() % 3)),
                    as_of_yyyymmdd: if input.byte().is_multiple_of(2) {
                        0
                    } else {
                        20240401
                    },
                    dose_blocks: input.byte() % 11,
                    no_header: input.byte() % 2,
                    bom: input.byte() % 2,
                    tenant: tenant.ptr,
                    tenant_len: tenant.len,
                };
                let s = vrs_writer_new(layout.ptr, layout.len, &opts, &mut h.writer);
                check(
                    s,
                    "writer_new",
                    layout.null_with_length() || tenant.null_with_length(),
                );
                assert_eq!(s == VRS_OK, !h.writer.is_null());
                keep.push(layout);
                keep.push(tenant);
            }
            9 => {
                let column = arg(input, 24, COLUMNS, true);
                let value = arg(input, 64, VALUES, true);
                let s = vrs_writer_set(h.writer, column.ptr, column.len, value.ptr, value.len);
                check(
                    s,
                    "writer_set",
                    column.null_with_length() || value.null_with_length(),
                );
            }
            10 => {
                let mut diagnostics = null_mut();
                let out: *mut *mut vrs_report = if input.byte().is_multiple_of(2) {
                    null_mut()
                } else {
                    &mut diagnostics
                };
                let s = vrs_writer_end_row(h.writer, out);
                check(s, "writer_end_row", false);
                if !diagnostics.is_null() {
                    assert!(matches!(s, VRS_OK | VRS_INVALID | VRS_ENCODING));
                    h.reports.push(diagnostics);
                }
            }
            11 => {
                let mut bytes = null_mut();
                let s = vrs_writer_finish(h.writer, &mut bytes);
                check(s, "writer_finish", false);
                assert_eq!(s == VRS_OK, !bytes.is_null());
                take_bytes(bytes, false);
                let mut report = null_mut();
                let s = vrs_writer_report(h.writer, &mut report);
                check(s, "writer_report", false);
                if !report.is_null() {
                    h.reports.push(report);
                }
            }
            12 | 13 => registry_step(input, h, keep),
            14 => {
                let _ = vrs_status_message(vrs_status(input.u32()));
                let version = std::ffi::CStr::from_ptr(vrs_version());
                assert!(version.to_str().is_ok());
            }
            _ => {
                // Frees something early: later calls meet NULL handles.
                match input.byte() % 4 {
                    0 => {
                        vrs_validator_free(h.validator);
                        h.validator = null_mut();
                    }
                    1 => {
                        vrs_writer_free(h.writer);
                        h.writer = null_mut();
                    }
                    2 => {
                        if let Some(r) = h.reports.pop() {
                            vrs_report_free(r);
                        }
                    }
                    _ => {
                        for p in h.principals.drain(..) {
                            vrs_principal_free(p);
                        }
                        vrs_registry_free(h.registry);
                        h.registry = null_mut();
                    }
                }
            }
        }
    }
}

/// The operator, staff u1 and the venue of 131016, and a prefecture viewer, in that order.
unsafe fn principals(h: &mut Handles, prefecture: u8) {
    // SAFETY: every pointer passed below is NULL, points into the input or a constant for the
    // length given, or is a live handle or writable output of this module (as in `run`).
    unsafe {
        let mut p = null_mut();
        check(vrs_principal_operator_new(&mut p), "operator_new", false);
        h.principals.push(p);
        let mut p = null_mut();
        let s = vrs_principal_staff_new(b"131016".as_ptr(), 6, b"u1".as_ptr(), 2, &mut p);
        check(s, "staff_new", false);
        h.principals.push(p);
        let mut p = null_mut();
        check(
            vrs_principal_venue_new(b"131016".as_ptr(), 6, &mut p),
            "venue_new",
            false,
        );
        h.principals.push(p);
        let mut p = null_mut();
        let s = vrs_principal_prefecture_new(prefecture, &mut p);
        check(s, "prefecture_new", false);
        assert_eq!(s == VRS_OK, (1..=47).contains(&prefecture));
        if s != VRS_OK {
            check(vrs_principal_national_new(&mut p), "national_new", false);
        }
        h.principals.push(p);
    }
}

/// A registry call (the registry is opened in memory on the first one).
unsafe fn registry_step<'a>(input: &mut Input<'a>, h: &mut Handles, keep: &mut Vec<Arg<'a>>) {
    // SAFETY: every pointer passed below is NULL, points into the input or a constant for the
    // length given, or is a live handle or writable output of this module (as in `run`).
    unsafe {
        if h.registry.is_null() {
            let opts = vrs_registry_options {
                fixed_time_yyyymmddhhmmss: 20210801090000,
                ..Default::default()
            };
            let mut error = null_mut();
            let s = vrs_registry_open_memory(
                [7u8; 32].as_ptr(),
                32,
                &opts,
                &mut h.registry,
                &mut error,
            );
            check(s, "open_memory", false);
            take_error(error, s);
            assert_eq!(s, VRS_OK);
            principals(h, input.byte() % 50);
            let mut error = null_mut();
            let s = vrs_registry_create_tenant(
                h.registry,
                h.principals[0],
                b"131016".as_ptr(),
                6,
                &mut error,
            );
            take_error(error, s);
            let s = vrs_registry_register_staff(
                h.registry,
                h.principals[0],
                b"131016".as_ptr(),
                6,
                b"u1".as_ptr(),
                2,
                null_mut(),
            );
            check(s, "register_staff", false);
        }
        let who = h.principals[usize::from(input.byte()) % h.principals.len()];
        let mut error = null_mut();
        let out_error: *mut *mut vrs_error = if input.byte().is_multiple_of(4) {
            null_mut()
        } else {
            &mut error
        };
        let mut json = null_mut();
        let tenant = arg(input, 8, &["131016", "131032", "131017"], true);
        let (s, null_len, what) = match input.byte() % 10 {
            0 => {
                let s =
                    vrs_registry_create_tenant(h.registry, who, tenant.ptr, tenant.len, out_error);
                (s, tenant.null_with_length(), "create_tenant")
            }
            1 => {
                let file = arg(input, 255, &["自治体コード,宛名番号,個人番号,券番号,氏名,氏名カナ,生年月日,性別,発行日\r\n131016,1001,123456789018,0000012345,千代田 花子,チヨダ ハナコ,19800101,2,20210501\r\n"], true);
                let mode = vrs_import_mode(u32::from(input.byte() % 3));
                let s = vrs_registry_import_subjects(
                    h.registry, who, tenant.ptr, tenant.len, file.ptr, file.len, mode, &mut json,
                    out_error,
                );
                let n = file.null_with_length();
                keep.push(file);
                (s, tenant.null_with_length() || n, "import_subjects")
            }
            2 => {
                let addressee = arg(input, 20, VALUES, true);
                let s = vrs_registry_subject_doses(
                    h.registry,
                    who,
                    tenant.ptr,
                    tenant.len,
                    addressee.ptr,
                    addressee.len,
                    &mut json,
                    out_error,
                );
                let n = addressee.null_with_length();
                keep.push(addressee);
                (s, tenant.null_with_length() || n, "subject_doses")
            }
            3 => {
                let line = arg(
                    input,
                    24,
                    &["111310160000012345", "121310160000012345"],
                    true,
                );
                let manufacturer = arg(input, 24, &["ファイザー", "モデルナ"], true);
                let lot = arg(input, 24, &["FA5765"], true);
                let venue = arg(input, 40, &["区民会館"], true);
                let doctor = arg(input, 40, &["山田一郎", "123456789018"], true);
                let dose = vrs_dose_input {
                    vaccinated_on_yyyymmdd: match input.byte() % 3 {
                        0 => 20210630,
                        1 => 20210801,
                        _ => input.u32(),
                    },
                    manufacturer: manufacturer.ptr,
                    manufacturer_len: manufacturer.len,
                    lot: lot.ptr,
                    lot_len: lot.len,
                    venue: venue.ptr,
                    venue_len: venue.len,
                    doctor: doctor.ptr,
                    doctor_len: doctor.len,
                };
                let n = [&line, &manufacturer, &lot, &venue, &doctor]
                    .iter()
                    .any(|a| a.null_with_length());
                let s = vrs_registry_record_dose_ocr(
                    h.registry, who, line.ptr, line.len, &dose, &mut json, out_error,
                );
                keep.extend([line, manufacturer, lot, venue, doctor]);
                (s, n, "record_dose_ocr")
            }
            4 | 5 => {
                let opts = vrs_export_options {
                    encoding: vrs_encoding(u32::from(input.byte() % 4)),
                    bom: input.byte() % 2,
                    no_header: input.byte() % 2,
                };
                let mut rows = 0u64;
                let s = if input.byte().is_multiple_of(2) {
                    vrs_registry_export_ledger(
                        h.registry, who, tenant.ptr, tenant.len, &opts, &mut json, &mut rows,
                        out_error,
                    )
                } else {
                    vrs_registry_export_awaiting(
                        h.registry, who, tenant.ptr, tenant.len, &opts, &mut json, &mut rows,
                        out_error,
                    )
                };
                take_bytes(json, false);
                json = null_mut();
                (s, tenant.null_with_length(), "export")
            }
            6 => {
                // NULL with a length is not tried here: this branch predates that rule
                // (issue 12, item 8, fixed on another branch).
                let (ptr, len) = if tenant.ptr.is_null() {
                    (null(), 0)
                } else {
                    (tenant.ptr, tenant.len)
                };
                let mut ok = false;
                let s = vrs_registry_verify_audit(
                    h.registry, who, ptr, len, &mut ok, &mut json, out_error,
                );
                (s, false, "verify_audit")
            }
            7 => {
                let mut ok = false;
                let s = vrs_registry_verify_store(h.registry, who, &mut ok, &mut json, out_error);
                (s, false, "verify_store")
            }
            8 => {
                let dims: Vec<vrs_dimension> = (0..input.byte() % 6)
                    .map(|_| vrs_dimension(u32::from(input.byte() % 7)))
                    .collect();
                let ptr = if dims.is_empty() && input.byte().is_multiple_of(2) {
                    null()
                } else {
                    dims.as_ptr()
                };
                let s = vrs_registry_stats(h.registry, who, ptr, dims.len(), &mut json, out_error);
                (s, false, "stats")
            }
            _ => {
                let at = match input.byte() % 3 {
                    0 => 0,
                    1 => 20211301000000,
                    _ => u64::from(input.u32()) * 1_000_000,
                };
                (vrs_registry_set_time(h.registry, at), false, "set_time")
            }
        };
        keep.push(tenant);
        check(s, what, null_len);
        take_bytes(json, true);
        take_error(error, s);
    }
}
