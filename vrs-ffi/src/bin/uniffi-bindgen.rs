//! The uniffi bindings generator, built from the same uniffi version as the library (needs the
//! `bindgen` feature). Used by `bindings/generate.sh` and by maturin when it builds the Python
//! package:
//!
//! ```sh
//! cargo run -p vrs-ffi --features bindgen --bin uniffi-bindgen -- \
//!     generate --library target/debug/libvrs.so --language python --out-dir bindings/python
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
