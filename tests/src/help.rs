//! The help texts of the command line, in English and Japanese side by side.
//!
//! Every command and argument takes its help from [`TEXTS`], never from doc comments, so the two
//! languages cannot drift apart: a test walks the whole command tree and fails when a command,
//! an argument or a possible value has no text in either language, or when a text names
//! something that no longer exists.
//!
//! The language is `--lang ja|en` wherever it appears on the command line, else the locale
//! (`LC_ALL`, `LC_MESSAGES`, `LANG` starting with `ja`), else English. Defaults and possible
//! values are written by [`localize`] in the same language (clap's own "[default: ...]" lines are
//! English only).

use std::ffi::OsString;

use clap::{Arg, ArgAction, Command};

/// The language of the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpLang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

/// One help text in both languages.
pub struct Text {
    /// Where it belongs: `"COMMAND"` (`""` is the program itself) for a command's summary,
    /// `"COMMAND @long"` for the longer description `--help` shows, `"COMMAND ARG"` (the
    /// argument's ID: its field name) for an argument, `"COMMAND ARG=VALUE"` for one possible
    /// value of an argument.
    pub key: &'static str,
    /// English.
    pub en: &'static str,
    /// Japanese.
    pub ja: &'static str,
}

const fn t(key: &'static str, en: &'static str, ja: &'static str) -> Text {
    Text { key, en, ja }
}

/// Every help text of `vrs-conformance`.
#[rustfmt::skip]
pub static TEXTS: &[Text] = &[
    t("",
      "Conformance tool for the exchange files of Japan's COVID-19 Vaccination Record System (VRS).",
      "ワクチン接種記録システム（VRS）の連携ファイルの適合性を確認するツールです。"),
    t(" @long",
      "Conformance tool for the exchange files of Japan's COVID-19 Vaccination Record System (VRS): \
       validate the files your product writes, generate valid test files, check identifiers, run \
       registry scenarios. Help in Japanese: --lang ja (or a ja_JP locale).",
      "ワクチン接種記録システム（VRS）の連携ファイルの適合性を確認するツールです。自社製品が出力したファイルの検証、\
       正しいテスト用ファイルの生成、識別子の確認、レジストリのシナリオ実行ができます。\
       英語のヘルプ：--lang en"),
    t(" lang",
      "Language of the help: ja or en (default: the locale, else en)",
      "ヘルプの言語：ja（日本語）または en（英語）。省略時はロケールに従い、ja_JP 以外では英語"),

    // layouts
    t("layouts",
      "List the layouts and their versions",
      "ファイルレイアウトとその版を一覧表示します"),
    t("layouts format", "Output format", "出力形式"),
    t("layouts format=text", "one line per layout", "レイアウトごとに1行"),
    t("layouts format=json", "every column of every layout, with its provenance", "全レイアウトの全項目（出典の確度つき）"),
    t("layouts doses",
      "Dose blocks of the block layouts (ledger export, awaiting list, inquiry result)",
      "接種回ブロックを持つレイアウト（予防接種台帳向け出力、登録待ちリスト、一括照会結果）の接種回ブロック数"),
    t("layouts lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),

    // validate
    t("validate",
      "Validate files against a layout. Exit 0: no errors; 1: errors; 2: could not run",
      "ファイルをレイアウトに照らして検証します。終了コード 0：エラーなし、1：エラーあり、2：実行できず"),
    t("validate layout",
      "Layout ID (`vrs-conformance layouts`), optionally with a version: ledger-export@1",
      "レイアウトID（`vrs-conformance layouts` で確認）。版を指定するときは ledger-export@1 のように書きます"),
    t("validate encoding",
      "Input encoding: auto (strict decode of the whole file), utf-8 or cp932",
      "入力ファイルの文字コード：auto（ファイル全体を厳密に解読して判定）、utf-8、cp932（Shift_JIS）"),
    t("validate format", "Output format", "出力形式"),
    t("validate format=text", "one line per diagnostic, then a summary", "診断ごとに1行、最後に集計"),
    t("validate format=json", "one JSON document (an array for several files)", "JSON文書（複数ファイルのときは配列）"),
    t("validate format=junit", "JUnit XML, for CI", "CI向けの JUnit XML"),
    t("validate lang",
      "Language of messages (and of this help): ja or en",
      "メッセージ（とこのヘルプ）の言語：ja または en"),
    t("validate max_errors",
      "Keep at most N diagnostics per file, the first found (counts and the per-code summary still \
       cover all); `unlimited` prints each diagnostic as it is found (memory stays bounded either way)",
      "1ファイルあたり最初の N 件の診断を保持します（件数とコード別の集計はすべてを数えます）。\
       unlimited を指定すると見つけた診断を順に出力します（どちらでもメモリ使用量は一定です）"),
    t("validate as_of",
      "File creation date for the no-future-dates rules (YYYY-MM-DD, YYYYMMDD or `today`)",
      "未来日付を禁じる規則で使うファイル作成日（YYYY-MM-DD、YYYYMMDD、または today）"),
    t("validate tenant",
      "The uploading municipality code (rule M03); default: the first row's code",
      "アップロードする自治体のコード（規則 M03）。省略時は1行目のコード"),
    t("validate doses",
      "Dose blocks of the block layouts, 1-9 (default: the header's count; 7 without a header)",
      "接種回ブロックを持つレイアウトの接種回ブロック数（1〜9。省略時は見出し行の数、見出し行がなければ7）"),
    t("validate no_header", "The file has no header row", "ファイルに見出し行がありません"),
    t("validate tables",
      "Vaccine tables (manufacturers, intervals, ages, programme window) to use instead of the \
       built-in ones: a JSON document in the format of `vrs-core/src/vaccine/default_tables.json`",
      "組み込みの代わりに使うワクチン表（メーカー、接種間隔、年齢、接種期間）。\
       `vrs-core/src/vaccine/default_tables.json` と同じ形式の JSON 文書"),
    t("validate threads",
      "Threads validating a large file, this one included (0 = one per core; 1 = no worker \
       threads). The report is the same whatever the number",
      "大きなファイルを検証するスレッド数（呼び出し元を含む。0 = コア数、1 = ワーカースレッドなし）。\
       スレッド数によらず結果は同じです"),
    t("validate files",
      "Files to validate; `-` reads standard input",
      "検証するファイル。`-` は標準入力から読みます"),

    // generate
    t("generate",
      "Write a valid synthetic file of a layout to standard output",
      "レイアウトに適合する合成ファイルを標準出力に書き出します"),
    t("generate layout", "Layout ID", "レイアウトID"),
    t("generate rows",
      "Number of data rows (at most 100,000,000)",
      "データ行数（最大 100,000,000 行）"),
    t("generate seed",
      "Seed: the same seed gives the same bytes",
      "乱数の種。同じ種からは同じバイト列が生成されます"),
    t("generate encoding", "Output encoding: utf-8 or cp932", "出力の文字コード：utf-8 または cp932"),
    t("generate tenant",
      "The municipality the file belongs to (default: chosen by the seed)",
      "ファイルの自治体コード（省略時は種によって選ばれます）"),
    t("generate as_of",
      "The file creation date (no generated date is later)",
      "ファイル作成日（これより後の日付は生成されません）"),
    t("generate doses", "Dose blocks of the block layouts, 1-9", "接種回ブロックを持つレイアウトの接種回ブロック数（1〜9）"),
    t("generate lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),

    // id
    t("id",
      "Check identifiers or dates, one output line per value (`ok ...` or `invalid: reason`)",
      "識別子や日付を確認し、値ごとに1行（`ok ...` または `invalid: 理由`）を出力します"),
    t("id @long",
      "Check identifiers or dates, one output line per value (`ok ...` or `invalid: reason`). \
       With no VALUE, reads one value per line from standard input. Never echoes a My Number. \
       Exit 0: all valid; 1: some invalid; 2: could not run.",
      "識別子や日付を確認し、値ごとに1行（`ok ...` または `invalid: 理由`）を出力します。\
       VALUE を省略すると標準入力から1行に1つずつ読みます。個人番号を出力に含めることはありません。\
       終了コード 0：すべて正しい、1：誤りあり、2：実行できず。"),
    t("id kind", "What to check", "確認する種類"),
    t("id kind=municipality-code",
      "6-digit local-government code with check digit",
      "全国地方公共団体コード（6桁、検査数字つき）"),
    t("id kind=my-number",
      "12-digit My Number with check digit (never echoed)",
      "個人番号（12桁、検査数字つき。出力には含めません）"),
    t("id kind=voucher-number", "10-digit voucher number", "券番号（10桁）"),
    t("id kind=ocr-line", "18-digit voucher OCR line", "接種券の OCR 行（18桁）"),
    t("id kind=date", "Gregorian `YYYYMMDD`", "西暦の日付 `YYYYMMDD`"),
    t("id kind=wareki",
      "Japanese era date (令和3年4月23日, R03.04.23, R3.4.23 ...)",
      "和暦の日付（令和3年4月23日、R03.04.23、R3.4.23 など）"),
    t("id values", "Values to check", "確認する値"),
    t("id lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),

    // scenario
    t("scenario",
      "Run a registry scenario against a store; print one JSON line per step",
      "レジストリのシナリオをストアに対して実行し、手順ごとに JSON を1行出力します"),
    t("scenario @long",
      "Runs the scenario FILE (tenants, clock, steps with principals, arguments and \
       expectations) against an embedded registry in DIR, printing \
       {\"step\": N, \"op\": ..., \"ok\": ..., \"error\": ..., \"result\": ...} per step. Exit 0: every \
       expectation holds; 1: some do not (listed on standard error); 2: could not run. \
       Expectations are written for a fresh store: give a new DIR for each run. \
       Format and ops: tests/scenarios/README.md.",
      "シナリオファイル FILE（テナント、時計、操作者・引数・期待結果を持つ手順）を DIR の組み込み\
       レジストリに対して実行し、手順ごとに {\"step\": N, \"op\": ..., \"ok\": ..., \"error\": ..., \
       \"result\": ...} を出力します。終了コード 0：期待結果をすべて満たした、1：満たさない手順がある\
       （標準エラー出力に一覧）、2：実行できず。期待結果は空のストアを前提に書かれているので、実行のたびに\
       新しい DIR を指定してください。形式と操作の一覧：tests/scenarios/README.md"),
    t("scenario file", "The scenario file (JSON)", "シナリオファイル（JSON）"),
    t("scenario store",
      "The store directory: created if missing (database, and keys in DIR/keys); a later run on \
       the same DIR reuses its data and keys",
      "ストアのディレクトリ。なければ作成します（データベースと、DIR/keys に鍵）。同じ DIR での\
       2回目以降の実行は、そのデータと鍵を使い続けます"),
    t("scenario lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),

    // the conformance suite
    t("run",
      "Run the conformance corpus against this library; ends with `N passed, N failed` (`, N waived`). Exit 0: nothing failed; 1: some case failed; 2: could not run",
      "適合性コーパスをこのライブラリで実行します。最後に `N passed, N failed`（`, N waived`）を出力。終了コード 0：失敗なし、1：失敗したケースあり、2：実行できず"),
    t("run cases", "The corpus directory (holding manifest.json)", "コーパスのディレクトリ（manifest.json を含む）"),
    t("run filter",
      "Only cases whose ID contains PATTERN (`*` matches any run of characters)",
      "ID に PATTERN を含むケースのみ（`*` は任意の文字列に一致）"),
    t("run lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),
    t("run stage",
      "Only cases of this stage: encoding, structure, field, cross-field, cross-row, business-rule, writer, registry",
      "この段階のケースのみ：encoding、structure、field、cross-field、cross-row、business-rule、writer、registry"),
    t("run format", "Output format", "出力形式"),
    t("run format=text", "one line per failing or waived case, counts per stage, then the totals", "失敗・免除したケースごとに1行、段階ごとの件数、最後に合計"),
    t("run format=json", "every case with its status and differences", "全ケースの状態と差異"),
    t("run format=junit", "JUnit XML: a test suite per stage", "JUnit XML（段階ごとにテストスイート）"),
    t("bless",
      "Rewrite the corpus's expectations from this library's results (then review the diff)",
      "このライブラリの結果でコーパスの期待結果を書き換えます（その後、差分を確認してください）"),
    t("bless cases", "The corpus directory (holding manifest.json)", "コーパスのディレクトリ（manifest.json を含む）"),
    t("bless filter",
      "Only cases whose ID contains PATTERN (`*` matches any run of characters)",
      "ID に PATTERN を含むケースのみ（`*` は任意の文字列に一致）"),
    t("bless lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),
    t("bless stage",
      "Only cases of this stage: encoding, structure, field, cross-field, cross-row, business-rule, writer, registry",
      "この段階のケースのみ：encoding、structure、field、cross-field、cross-row、business-rule、writer、registry"),
    t("check-output",
      "Compare a vendor's files with the corpus and explain the first difference of each. Exit 0: every file compared matches; 1: some differ; 2: could not run or no file found",
      "ベンダーのファイルをコーパスと比べ、それぞれ最初の差異を説明します。終了コード 0：比較したファイルがすべて一致、1：差異あり、2：実行できず、またはファイルなし"),
    t("check-output cases", "The corpus directory (holding manifest.json)", "コーパスのディレクトリ（manifest.json を含む）"),
    t("check-output filter",
      "Only cases whose ID contains PATTERN (`*` matches any run of characters)",
      "ID に PATTERN を含むケースのみ（`*` は任意の文字列に一致）"),
    t("check-output lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),
    t("check-output stage",
      "Only cases of this stage: encoding, structure, field, cross-field, cross-row, business-rule, writer, registry",
      "この段階のケースのみ：encoding、structure、field、cross-field、cross-row、business-rule、writer、registry"),
    t("check-output vendor_output",
      "The directory of the vendor's files: ID.csv per case, and for read cases optionally ID.diagnostics.json",
      "ベンダーのファイルのディレクトリ：ケースごとに ID.csv、読み取りケースでは任意で ID.diagnostics.json"),
    t("check-output format", "Output format", "出力形式"),
    t("check-output format=text", "a block per differing case in English and Japanese, then the counts", "差異のあるケースごとに英語と日本語の説明、最後に件数"),
    t("check-output format=json", "every compared case with its result", "比較した全ケースとその結果"),
    t("report",
      "Run the corpus and write a conformance report (JSON and one-page HTML) to a directory. Exit 0: nothing failed; 1: some case failed; 2: could not run",
      "コーパスを実行し、適合性報告書（JSON と1ページの HTML）をディレクトリに書き出します。終了コード 0：失敗なし、1：失敗したケースあり、2：実行できず"),
    t("report cases", "The corpus directory (holding manifest.json)", "コーパスのディレクトリ（manifest.json を含む）"),
    t("report filter",
      "Only cases whose ID contains PATTERN (`*` matches any run of characters)",
      "ID に PATTERN を含むケースのみ（`*` は任意の文字列に一致）"),
    t("report lang",
      "Language of this help: ja or en (default: the locale)",
      "このヘルプの言語：ja または en（省略時はロケールに従う）"),
    t("report stage",
      "Only cases of this stage: encoding, structure, field, cross-field, cross-row, business-rule, writer, registry",
      "この段階のケースのみ：encoding、structure、field、cross-field、cross-row、business-rule、writer、registry"),
    t("report vendor", "The vendor's name, shown on the report", "報告書に表示するベンダー名"),
    t("report product", "The product and its version, shown on the report", "報告書に表示する製品名と版"),
    t("report vendor_output",
      "Also compare the vendor's files in DIR (as check-output does) and show the result",
      "DIR にあるベンダーのファイルも（check-output と同様に）比較し、結果を表示します"),
    t("report out",
      "Where to write conformance-report.json and conformance-report.html",
      "conformance-report.json と conformance-report.html を書き出すディレクトリ"),
];

/// The text for `key`, if any.
fn find(key: &str) -> Option<&'static Text> {
    TEXTS.iter().find(|t| t.key == key)
}

impl Text {
    fn get(&self, lang: HelpLang) -> &'static str {
        match lang {
            HelpLang::En => self.en,
            HelpLang::Ja => self.ja,
        }
    }
}

/// The help language asked for: the value of `--lang` (or `--lang=`) anywhere before `--`,
/// else the locale, else English.
pub fn requested(args: &[OsString]) -> HelpLang {
    let mut it = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(arg) = it.next() {
        let value = match arg {
            "--" => break,
            "--lang" => it.next().unwrap_or(""),
            other => match other.strip_prefix("--lang=") {
                Some(v) => v,
                None => continue,
            },
        };
        match value {
            "ja" => return HelpLang::Ja,
            "en" => return HelpLang::En,
            _ => {}
        }
    }
    from_locale(|name| std::env::var(name).ok())
}

/// The language of the locale: the first set of `LC_ALL`, `LC_MESSAGES`, `LANG` (POSIX order).
fn from_locale(var: impl Fn(&str) -> Option<String>) -> HelpLang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| var(name).filter(|v| !v.is_empty()));
    match locale {
        Some(l) if l.starts_with("ja") => HelpLang::Ja,
        _ => HelpLang::En,
    }
}

/// Puts the help texts of `lang` on `cmd` (the program) and all its subcommands.
pub fn localize(cmd: Command, lang: HelpLang) -> Command {
    let mut cmd = localize_one(cmd, "", lang);
    if lang == HelpLang::Ja {
        cmd = cmd
            .disable_version_flag(true)
            .arg(
                Arg::new("version")
                    .short('V')
                    .long("version")
                    .action(ArgAction::Version)
                    .help("バージョンを表示します")
                    .help_heading("オプション"),
            )
            .subcommand_help_heading("コマンド")
            .subcommand_value_name("コマンド");
        // clap adds its `help` subcommand when building, in English: build, then translate it.
        cmd.build();
        cmd = cmd.mut_subcommand("help", translate_help_command);
    }
    cmd
}

/// clap's `help` subcommand (`vrs-conformance help validate`), and the `help` it lists in turn.
fn translate_help_command(h: Command) -> Command {
    let h = h
        .about("このヘルプ、または指定したコマンドのヘルプを表示します")
        .help_template(JA_TEMPLATE)
        .subcommand_help_heading("コマンド")
        .subcommand_value_name("コマンド");
    if h.find_subcommand("help").is_some() {
        h.mut_subcommand("help", translate_help_command)
    } else {
        h
    }
}

/// clap's help layout with Japanese headings.
const JA_TEMPLATE: &str = "{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// One command: its summary, longer description, arguments, then its subcommands.
fn localize_one(mut cmd: Command, path: &str, lang: HelpLang) -> Command {
    let about = find(path).map(|t| t.get(lang)).unwrap_or_default();
    cmd = cmd.about(about);
    if let Some(long) = find(&format!("{path} @long")) {
        cmd = cmd.long_about(long.get(lang));
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let key = format!("{path} {id}");
        cmd = cmd.mut_arg(id.as_str(), |a| localize_arg(a, &key, lang));
    }
    if lang == HelpLang::Ja {
        cmd = cmd.help_template(JA_TEMPLATE).disable_help_flag(true).arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("ヘルプを表示します（--help で詳しく）")
                .help_heading("オプション"),
        );
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name.as_str(), |s| localize_one(s, &name, lang));
    }
    cmd
}

/// One argument: its text, then its default and possible values in the same language.
fn localize_arg(arg: Arg, key: &str, lang: HelpLang) -> Arg {
    let arg = if lang == HelpLang::Ja {
        let heading = if arg.is_positional() {
            "引数"
        } else {
            "オプション"
        };
        arg.help_heading(heading)
    } else {
        arg
    };
    let base = find(key).map(|t| t.get(lang)).unwrap_or_default();
    if !arg.get_action().takes_values() {
        // A flag: no value, no default worth showing.
        return arg.help(base).long_help(base);
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let (values_label, default_label) = match lang {
        HelpLang::En => ("possible values", "default"),
        HelpLang::Ja => ("指定可能な値", "既定値"),
    };
    let default =
        (!defaults.is_empty()).then(|| format!("[{default_label}: {}]", defaults.join(", ")));
    let mut short = base.to_owned();
    if !values.is_empty() {
        short.push_str(&format!(" [{values_label}: {}]", values.join(", ")));
    }
    if let Some(d) = &default {
        short.push(' ');
        short.push_str(d);
    }
    let arg = arg
        .help(short)
        .hide_default_value(true)
        .hide_possible_values(true);
    // `--help` lists the values one per line with what each means, when they are explained.
    let explained: Vec<(String, &str)> = values
        .iter()
        .filter_map(|v| find(&format!("{key}={v}")).map(|t| (v.clone(), t.get(lang))))
        .collect();
    if explained.is_empty() {
        return arg;
    }
    let mut long = format!("{base}\n\n{values_label}:");
    for (v, meaning) in &explained {
        long.push_str(&format!("\n  {v:<18} {meaning}"));
    }
    if let Some(d) = &default {
        long.push('\n');
        long.push_str(d);
    }
    arg.long_help(long)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every key a text could have in this command tree (with the command's own path).
    fn keys(cmd: &Command, path: &str, out: &mut Vec<(String, bool)>) {
        out.push((path.to_owned(), true));
        out.push((format!("{path} @long"), false));
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue; // clap's own, translated in `localize`
            }
            out.push((format!("{path} {id}"), true));
            if !a.get_action().takes_values() {
                continue;
            }
            // The values of an argument are explained all or none (`--lang ja|en` needs no
            // explanation; a new variant of `--format` must get one like the others).
            let values: Vec<String> = a
                .get_possible_values()
                .iter()
                .map(|v| format!("{path} {id}={}", v.get_name()))
                .collect();
            let explained = values.iter().any(|k| find(k).is_some());
            out.extend(values.into_iter().map(|k| (k, explained)));
        }
        for s in cmd.get_subcommands() {
            keys(s, s.get_name(), out);
        }
    }

    fn tree() -> Vec<(String, bool)> {
        let mut out = Vec::new();
        keys(&crate::cli::Cli::command(), "", &mut out);
        out
    }

    #[test]
    fn every_command_argument_and_value_has_english_and_japanese_help() {
        let mut missing = Vec::new();
        for (key, required) in tree() {
            match find(&key) {
                Some(t) => {
                    if t.en.trim().is_empty() || t.ja.trim().is_empty() {
                        missing.push(format!("{key:?}: empty text"));
                    }
                    // A Japanese text is written in Japanese, not copied from the English one.
                    if t.en == t.ja || !t.ja.chars().any(|c| c > '\u{3000}') {
                        missing.push(format!("{key:?}: the Japanese text is not Japanese"));
                    }
                }
                None if required => missing.push(format!("{key:?}: no help text")),
                None => {}
            }
        }
        assert!(
            missing.is_empty(),
            "add them to help::TEXTS:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn every_text_belongs_to_something_that_exists() {
        let tree: Vec<String> = tree().into_iter().map(|(k, _)| k).collect();
        let mut seen = std::collections::HashSet::new();
        for t in TEXTS {
            assert!(
                tree.contains(&t.key.to_owned()),
                "stale help text {:?}",
                t.key
            );
            assert!(seen.insert(t.key), "help text {:?} is given twice", t.key);
        }
    }

    #[test]
    fn japanese_help_has_no_english_left_of_clap() {
        let mut cmd = localize(crate::cli::Cli::command(), HelpLang::Ja);
        let mut pages = vec![
            cmd.render_help().to_string(),
            cmd.render_long_help().to_string(),
        ];
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_owned())
            .collect();
        for name in names {
            let sub = cmd.find_subcommand_mut(&name).expect("subcommand");
            pages.push(sub.render_help().to_string());
            pages.push(sub.render_long_help().to_string());
        }
        for page in &pages {
            for english in [
                "Usage:",
                "Options:",
                "Arguments:",
                "Commands:",
                "Print help",
                "Print version",
                "[default:",
                "[possible values:",
                "Print this message",
            ] {
                assert!(!page.contains(english), "{english:?} in:\n{page}");
            }
            assert!(page.contains("使い方: "), "{page}");
        }
        let root = &pages[0];
        assert!(
            root.contains("コマンド:") && root.contains("オプション:"),
            "{root}"
        );
        assert!(
            root.contains("このヘルプ、または指定したコマンドのヘルプを表示します"),
            "{root}"
        );
    }

    #[test]
    fn english_help_keeps_defaults_and_values() {
        let mut cmd = localize(crate::cli::Cli::command(), HelpLang::En);
        let v = cmd.find_subcommand_mut("validate").expect("validate");
        let page = v.render_long_help().to_string();
        assert!(page.contains("Output format"), "{page}");
        assert!(
            page.contains("junit              JUnit XML, for CI"),
            "{page}"
        );
        assert!(page.contains("[default: auto]"), "{page}");
    }

    #[test]
    fn the_language_comes_from_lang_then_the_locale() {
        let args = |v: &[&str]| -> Vec<OsString> { v.iter().map(OsString::from).collect() };
        assert_eq!(
            requested(&args(&["x", "validate", "--lang", "ja", "--help"])),
            HelpLang::Ja
        );
        assert_eq!(
            requested(&args(&["x", "--lang=ja", "--help"])),
            HelpLang::Ja
        );
        assert_eq!(
            requested(&args(&["x", "id", "date", "--", "--lang", "ja"])),
            HelpLang::En
        );
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(from_locale(env(&[("LANG", "ja_JP.UTF-8")])), HelpLang::Ja);
        assert_eq!(
            from_locale(env(&[("LANG", "ja_JP.UTF-8"), ("LC_ALL", "C")])),
            HelpLang::En
        );
        assert_eq!(
            from_locale(env(&[("LANG", "C"), ("LC_ALL", "ja_JP.eucJP")])),
            HelpLang::Ja
        );
        assert_eq!(
            from_locale(env(&[("LC_ALL", ""), ("LANG", "ja")])),
            HelpLang::Ja
        );
        assert_eq!(from_locale(env(&[])), HelpLang::En);
    }
}
