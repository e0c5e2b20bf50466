//! The stable diagnostic codes and their catalogue.
//!
//! Codes never change meaning once released. The catalogue below is the single source of the
//! per-code documentation; `vrs-core/DIAGNOSTICS.md` is rendered from it and a test fails when
//! the two disagree.

use serde::{Serialize, Serializer};
use std::fmt;

use super::Severity;

macro_rules! codes {
    ($($code:ident),+ $(,)?) => {
        /// A stable diagnostic code, such as `M01` (bad municipality code).
        ///
        /// The letter groups: `F` file and CSV structure, `R` required/allowed values,
        /// `M` municipality codes, `N` My Number, `V` vouchers, `D` dates, `S` dose sequence,
        /// `T` text fields, `B` dose blocks, `Q` inquiry results, `L` registry state.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        #[allow(missing_docs)] // each code is documented in the catalogue (`Code::info`)
        pub enum Code { $($code),+ }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$code),+];

            /// The code as written in reports, e.g. `"M01"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code)),+ }
            }
        }
    };
}

codes!(
    F01, F02, F03, F04, F05, F06, F07, R01, R02, M01, M02, M03, M04, N01, N02, N03, V01, V02, V03,
    V04, V05, D01, D02, D03, D04, D05, D06, S01, S02, S03, S04, S05, S06, S07, T01, T02, T03, T04,
    T05, T06, T07, T08, B01, Q01, L01, L02, L03, L04, L05,
);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownCode(s.to_owned()))
    }
}

/// Returned when a string names no diagnostic code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown diagnostic code {0:?}")]
pub struct UnknownCode(pub String);

/// Where a code is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Checked by the file validator, on one field or one row.
    Row,
    /// Checked by the file validator across rows of one file.
    File,
    /// Checked by the registry against stored state (a later component).
    Registry,
}

/// The documentation of one code: what it means, why it matters, how to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// The severity it is normally reported with.
    pub severity: Severity,
    /// Where it is checked.
    pub scope: Scope,
    /// The reference's rule ID this implements (§12), or `None` for a code of our own.
    pub reference_rule: Option<&'static str>,
    /// Short title, English.
    pub title_en: &'static str,
    /// Short title, Japanese.
    pub title_ja: &'static str,
    /// Why it matters, English.
    pub why_en: &'static str,
    /// Why it matters, Japanese.
    pub why_ja: &'static str,
    /// How to fix it, English.
    pub fix_en: &'static str,
    /// How to fix it, Japanese.
    pub fix_ja: &'static str,
}

impl Code {
    /// The catalogue entry of this code.
    pub fn info(self) -> &'static CodeInfo {
        // `CATALOGUE` is in `Code::ALL` order; the test `catalogue_matches_codes` proves it.
        let index = Code::ALL.iter().position(|c| *c == self).unwrap_or(0);
        &CATALOGUE[index]
    }

    /// The severity this code is normally reported with.
    pub fn default_severity(self) -> Severity {
        self.info().severity
    }
}

/// The whole catalogue, in `Code::ALL` order.
pub fn catalogue() -> &'static [CodeInfo] {
    CATALOGUE
}

use Scope::{File, Registry, Row};
use Severity::{Error, Info, Warning};

macro_rules! entry {
    ($code:ident, $sev:expr, $scope:expr, $rule:expr,
     $title_en:expr, $title_ja:expr, $why_en:expr, $why_ja:expr, $fix_en:expr, $fix_ja:expr) => {
        CodeInfo {
            code: Code::$code,
            severity: $sev,
            scope: $scope,
            reference_rule: $rule,
            title_en: $title_en,
            title_ja: $title_ja,
            why_en: $why_en,
            why_ja: $why_ja,
            fix_en: $fix_en,
            fix_ja: $fix_ja,
        }
    };
}

static CATALOGUE: &[CodeInfo] = &[
    entry!(F01, Error, Row, Some("F01"),
        "invalid bytes for the file's encoding",
        "文字コードとして不正なバイト列",
        "A byte sequence that is not valid UTF-8 or CP932 turns into garbled names (文字化け) after import, or the whole file is rejected. Mixed encodings usually come from concatenating files written by different tools; a byte-order mark in the middle comes from concatenating UTF-8 files.",
        "UTF-8 または CP932 として正しくないバイト列は、取り込み後に氏名などが文字化けする原因になり、ファイル全体が受け付けられないこともあります。文字コードの混在は別々のツールで作ったファイルの連結で、途中のBOMはUTF-8ファイルの連結で起こりがちです。",
        "Export the whole file again in one encoding (UTF-8 without BOM, or CP932). Do not concatenate files with a text editor. A file declared in one encoding (--encoding, encoding option) that reads only as the other is checked as the other, with one F01 on line 1 saying so: declare the right one, or leave it to auto.",
        "ファイル全体を一つの文字コード（BOMなしUTF-8 または CP932）で出力し直してください。テキストエディタでファイルを連結しないでください。指定された文字コード（--encoding 等）で読めず、もう一方で読めるファイルは、もう一方として検査し、1行目の F01 一件でそう伝えます。正しい文字コードを指定するか auto にしてください。"),
    entry!(F02, Error, File, Some("F02"),
        "header row does not match the layout",
        "見出し行がレイアウトと一致しない",
        "Columns are matched by position. A missing, renamed or reordered header means every value below it lands in the wrong field.",
        "項目は位置で対応付けられます。見出しの欠落・名称違い・順序違いがあると、その下の値がすべて別の項目として扱われます。",
        "Start the file with exactly one header row holding the layout's Japanese column names in order (see `vrs-conformance layouts`). The message says which column differs and how (full-width or spaced name, missing, extra, swapped or misplaced column, a data row where the header should be), by position and the layout's names: it never repeats a header cell, which may be a person's data. A block layout whose header has another number of dose blocks is checked with that number, with an F02 info saying so, unless the number was given (--doses).",
        "レイアウトの日本語項目名を順番どおりに並べた見出し行を1行だけ先頭に置いてください（`vrs-conformance layouts` で確認できます）。メッセージは、どの列がどう違うか（全角や空白を含む名前、列の欠落・余分・入れ替わり・位置違い、見出しの位置にあるデータ行）を、列の位置とレイアウトの項目名で示します。見出しのセルの内容は個人の情報の場合があるため繰り返しません。接種回ブロックのあるレイアウトで、見出しの接種回数が異なる場合は、回数が指定されていなければ（--doses）見出しの回数で検査し、F02（情報）でそう伝えます。"),
    entry!(F03, Error, Row, Some("F03"),
        "wrong number of fields",
        "項目数が違う",
        "A row with too few or too many fields cannot be aligned with the layout; usually an unquoted comma inside a name or a truncated line.",
        "項目数が合わない行はレイアウトと対応付けられません。多くは氏名中の引用符なしのカンマや、途中で切れた行が原因です。",
        "Quote any field containing a comma (RFC 4180) and make every row carry exactly the layout's column count, empty fields included.",
        "カンマを含む項目は二重引用符で囲み（RFC 4180）、空欄も含めてすべての行の項目数をレイアウトに合わせてください。"),
    entry!(F04, Error, Row, Some("F04"),
        "control character or unbalanced quote",
        "制御文字または引用符の不整合",
        "Line breaks, tabs and NUL bytes inside fields, or quotes that are never closed, shift or swallow the rows that follow.",
        "項目内の改行・タブ・NULや閉じられていない引用符は、後続の行のずれや欠落を招きます。",
        "Remove control characters from the value; close every opening quote and double quotes inside quoted fields (\"\").",
        "値から制御文字を取り除き、開いた引用符は必ず閉じ、引用符内の引用符は \"\" と二重にしてください。"),
    entry!(F05, Warning, Row, Some("F05"),
        "full-width characters in a digits field",
        "数字項目に全角文字",
        "Digits fields must hold ASCII digits 0-9. Full-width digits were normalised for checking, but another system may reject them.",
        "数字項目は半角数字0～9のみです。全角数字は確認のため半角に正規化しましたが、他のシステムでは拒否される場合があります。",
        "Convert full-width digits to half-width (ASCII) before export.",
        "出力前に全角数字を半角数字に変換してください。"),
    entry!(F06, Error, Row, None,
        "record too large",
        "1行が大きすぎる",
        "A record longer than the configured limit (1 MiB by default) is almost always a broken file (a missing line break or an unclosed quote); it is skipped so that memory stays bounded.",
        "設定上限（既定1MiB）を超える行は、ほぼ確実に改行の欠落や閉じていない引用符による破損です。メモリ使用量を抑えるため読み飛ばします。",
        "Check the line ends and quotes around the reported line.",
        "報告された行の付近の改行と引用符を確認してください。"),
    entry!(F07, Warning, Row, None,
        "text that reads as UTF-8 in a CP932 file",
        "CP932 のファイルに UTF-8 と思われる文字列",
        "The field is valid CP932, but its bytes also read as Japanese text in UTF-8. CP932 text almost never does (its kanji and kana bytes are not valid UTF-8, and the few that are read as Latin, Greek or Hangul letters), so the field was most likely written in UTF-8 and the file mixes encodings: it would be imported as mojibake (文字化け).",
        "この項目は CP932 として正しいものの、同じバイト列が UTF-8 の日本語としても読めます。CP932 の文字列が UTF-8 の日本語として読めることはほとんどなく（漢字・かなのバイト列は UTF-8 として不正で、まれに正しくてもラテン文字・ギリシャ文字・ハングルになります）、UTF-8 で書かれた項目が混ざっている可能性が高く、取り込むと文字化けします。",
        "Check the value shown in both readings; if the UTF-8 reading is the intended one, export the whole file again in one encoding.",
        "メッセージに示した二つの読み方を確認し、UTF-8 の読み方が正しければ、ファイル全体を一つの文字コードで出力し直してください。"),
    entry!(R01, Error, Row, None,
        "required field is empty",
        "必須項目が空欄",
        "Without this value the record cannot be tied to a person, voucher or dose.",
        "この値がないと、記録を人・接種券・接種に結び付けられません。",
        "Fill in the value, or leave the row out until it is known.",
        "値を入力するか、判明するまでその行を含めないでください。"),
    entry!(R02, Error, Row, None,
        "value not in the allowed set",
        "許可された値ではない",
        "Coded fields (sex, flag kind, match status) accept only the listed codes; anything else is misread.",
        "コード項目（性別・フラグ種別・照会結果など）は定められたコードのみ受け付けます。それ以外は誤って解釈されます。",
        "Use one of the codes listed in the message.",
        "メッセージに示したコードのいずれかを使ってください。"),
    entry!(M01, Error, Row, Some("M01"),
        "invalid municipality code",
        "自治体コードが不正",
        "The 6-digit local-government code (JIS X 0402) carries a check digit; a wrong digit sends the record to another municipality or nowhere.",
        "6桁の全国地方公共団体コード（JIS X 0402）には検査数字があります。1桁の誤りで記録が別の自治体に届くか、どこにも届きません。",
        "Use the 6-digit code with its check digit, as a string with leading zeros kept (e.g. 011002 for Sapporo). A spreadsheet that reads the column as numbers drops the zero (11002) or writes 1.31016E+05; the message says so, with the corrected code when its check digit confirms it: format the column as text.",
        "検査数字を含む6桁のコードを、先頭の0を残した文字列として使ってください（例：札幌市 011002）。表計算ソフトが列を数値として読むと0が消えたり（11002）、1.31016E+05 のような指数表記になったりします。メッセージはそれを伝え、検査数字で確かめられるときは正しいコードを示します。列を文字列形式にしてください。"),
    entry!(M02, Warning, Row, Some("M02"),
        "municipality code not in the code table",
        "自治体コードがコード表にない",
        "A code with a valid check digit may still not exist, or may have disappeared in a merger.",
        "検査数字が正しくても、存在しないコードや合併で廃止されたコードの場合があります。",
        "Check the code against the current code table of the Ministry of Internal Affairs.",
        "総務省の最新の全国地方公共団体コード表で確認してください。"),
    entry!(M03, Error, Row, Some("M03"),
        "municipality code is not the uploading municipality",
        "自治体コードが登録する自治体と異なる",
        "A municipality may register only its own residents and vouchers; a foreign code would put data in another tenant's area.",
        "自治体は自らの住民と接種券のみ登録できます。他のコードでは他自治体の領域にデータが入ります。",
        "Use your own municipality code, or remove rows that belong to another municipality.",
        "自自治体のコードを使うか、他自治体の行を除いてください。"),
    entry!(M04, Error, Row, None,
        "move-out destination is not valid for this flag",
        "転出先自治体コードがフラグと整合しない",
        "A destination belongs only to a move-out flag and must be a different municipality.",
        "転出先は転出フラグにのみ指定でき、自自治体とは異なる自治体でなければなりません。",
        "Give a destination only for move-out, and never your own code.",
        "転出の場合のみ転出先を指定し、自自治体のコードは指定しないでください。"),
    entry!(N01, Error, Row, Some("N01"),
        "invalid My Number",
        "個人番号が不正",
        "The 12-digit My Number carries a statutory check digit; a wrong number links the person to nobody, or to someone else, in inquiries between municipalities.",
        "12桁の個人番号には法定の検査用数字があります。誤った番号は、自治体間の照会で誰にも、または別人に結び付きます。",
        "Re-read the number from the resident register; never type it by hand from paper.",
        "住民基本台帳から番号を取り直してください。紙から手入力しないでください。"),
    entry!(N02, Error, File, Some("N02"),
        "My Number in a download-type file",
        "ダウンロード系ファイルに個人番号",
        "Files downloaded from VRS or sent to venues must never contain a My Number (specific personal information): neither a My Number column nor a value with the shape of one (12 digits, ASCII or full-width, with a valid check digit, alone or within text) in any column, such as a number typed into the doctor or venue field. In the addressee-number column it is a warning, since 12-digit addressee numbers exist and one in ten passes the check by chance. The value is never shown.",
        "VRSからダウンロードするファイルや会場向けのファイルに個人番号（特定個人情報）を含めてはいけません。個人番号の項目も、どの項目の個人番号の形の値（12桁の半角・全角数字で検査数字が一致するもの。単独でも文字列の中でも。医師名や会場名への入力など）も対象です。宛名番号の項目では警告です（12桁の宛名番号があり、10件に1件は偶然検査数字が一致するため）。値は表示しません。",
        "Remove the column or value; use the addressee number to join records.",
        "その項目または値を削除し、突合には宛名番号を使ってください。"),
    entry!(N03, Error, File, Some("N03"),
        "one My Number on two addressee numbers",
        "同一の個人番号が複数の宛名番号に付いている",
        "A My Number identifies one person; attached to two addressee numbers it merges two people's records or exposes one person's data to another.",
        "個人番号は一人を表します。二つの宛名番号に付くと、二人の記録が混ざるか、他人の情報が見える原因になります。",
        "Find the duplicate in the resident register and correct the wrong addressee record.",
        "住民記録で重複を確認し、誤っている宛名の記録を訂正してください。"),
    entry!(V01, Error, Row, Some("V01"),
        "invalid voucher number",
        "券番号が不正",
        "Voucher numbers are exactly 10 digits, zero-filled; with any other shape the dose cannot be matched to the voucher.",
        "券番号は0埋めの10桁の数字です。それ以外の形では接種記録と接種券を照合できません。",
        "Write the number as printed on the voucher, all 10 digits including leading zeros.",
        "接種券に印字された番号を、先頭の0を含む10桁で記入してください。"),
    entry!(V02, Error, File, Some("V02"),
        "one voucher on two people",
        "同一の接種券が複数人に付いている",
        "A voucher (municipality code + voucher number) belongs to one person; on two people their dose records get mixed.",
        "接種券（自治体コード＋券番号）は一人のものです。二人に付くと接種記録が混ざります。",
        "Check which person the voucher was issued to and correct the other row.",
        "どちらに発行した接種券かを確認し、もう一方の行を訂正してください。"),
    entry!(V03, Error, Row, Some("V03"),
        "OCR line does not match the row",
        "OCRラインが行の内容と一致しない",
        "The 18-digit OCR line carries the municipality code and voucher number; a mismatch is usually a misread (1 read as 4, and the like).",
        "18桁のOCRラインには自治体コードと券番号が含まれます。不一致は多くの場合、読み取り誤り（1と4など）です。",
        "Re-read the voucher and correct either the OCR line or the fields.",
        "接種券を読み直し、OCRラインか各項目を訂正してください。"),
    entry!(V04, Warning, Row, Some("V04"),
        "OCR dose digit differs from the dose number",
        "OCRラインの回数が接種回数と異なる",
        "The second digit of the OCR line is the dose the voucher was printed for; a different dose number often means the wrong voucher was used.",
        "OCRラインの2桁目は接種券が発行された接種回です。異なる場合、別の接種券が使われた可能性があります。",
        "Confirm which dose this was and which voucher was used.",
        "何回目の接種か、どの接種券を使ったかを確認してください。"),
    entry!(V05, Warning, Row, Some("V05"),
        "unexpected voucher type",
        "想定外の券種",
        "The first digit of the OCR line is the voucher type; values outside the configured set are unusual.",
        "OCRラインの1桁目は券種です。設定された値以外は通常ありません。",
        "Check the voucher; if the type is legitimate, add it to the configured set.",
        "接種券を確認し、正しい券種であれば設定に追加してください。"),
    entry!(D01, Error, Row, Some("D01"),
        "invalid date",
        "日付が不正",
        "Dates are Gregorian YYYYMMDD; anything else (era years, slashes, impossible days) is misread.",
        "日付は西暦の YYYYMMDD です。和暦・スラッシュ・存在しない日は誤って解釈されます。",
        "Write the date as 8 digits, e.g. 20210423. A date a spreadsheet formatted (2021/4/23, the Japanese era, a serial number such as 44309, a trailing .0) is named in the message with the date it should be.",
        "20210423 のように8桁で記入してください。表計算ソフトが書式を変えた日付（2021/4/23、和暦、44309 のようなシリアル値、末尾の .0）は、メッセージで正しい日付とともに示します。"),
    entry!(D02, Error, Row, Some("D02"),
        "date in the future",
        "未来の日付",
        "A vaccination or event dated after the file was made is a typing error (often the wrong year).",
        "ファイル作成日より後の接種日などは入力誤り（多くは年の誤り）です。",
        "Correct the date; check the year in particular.",
        "日付を訂正してください。特に年を確認してください。"),
    entry!(D03, Error, Row, Some("D03"),
        "vaccination date outside the programme",
        "接種日が接種事業の期間外",
        "COVID-19 vaccination in Japan started on 2021-02-17; the configured programme window bounds what VRS records.",
        "日本の新型コロナワクチン接種は2021年2月17日に始まりました。設定された事業期間外の接種はVRSの記録対象外です。",
        "Correct the date, or adjust the programme window if your data legitimately lies outside it.",
        "日付を訂正するか、正当な場合は事業期間の設定を見直してください。"),
    entry!(D04, Error, Row, Some("D04"),
        "invalid registration timestamp",
        "接種履歴登録日時が不正",
        "Timestamps are YYYYMMDDHHMMSS on a 24-hour clock.",
        "日時は24時間制の YYYYMMDDHHMMSS です。",
        "Write 14 digits, e.g. 20210423101500.",
        "20210423101500 のように14桁で記入してください。"),
    entry!(D05, Error, Row, Some("D05"),
        "implausible birth date",
        "生年月日が不正",
        "A birth date in the future or after a vaccination date is impossible and breaks age checks.",
        "未来の生年月日や接種日より後の生年月日はありえず、年齢確認ができません。",
        "Correct the birth date from the resident register.",
        "住民記録から生年月日を訂正してください。"),
    entry!(D06, Warning, Row, Some("D06"),
        "registered before the vaccination date",
        "接種日より前に登録されている",
        "A record cannot be registered before the vaccination happened; one of the two is wrong.",
        "接種前に記録が登録されることはありません。どちらかが誤っています。",
        "Check the vaccination date and the registration timestamp.",
        "接種日と登録日時を確認してください。"),
    entry!(S01, Warning, File, Some("S01"),
        "earlier dose missing",
        "前回の接種記録がない",
        "Dose N normally follows dose N-1; a gap often means a lost record (a missing dose 1 was a common VRS defect).",
        "N回目の接種には通常N-1回目があります。欠けている場合、記録の紛失が疑われます（1回目の欠落はVRSでよくある不備でした）。",
        "Find and register the earlier dose, or correct the dose number.",
        "前回の接種記録を探して登録するか、接種回数を訂正してください。"),
    entry!(S02, Error, File, Some("S02"),
        "dose not after the previous dose",
        "前回の接種日より後になっていない",
        "Dose N dated on or before dose N-1 (e.g. dose 2 before dose 1) was one of the commonest VRS errors.",
        "N回目の接種日がN-1回目以前（2回目が1回目より前など）は、VRSで最も多い誤りの一つでした。",
        "Check both dates against the paper record.",
        "両方の日付を紙の記録と照合してください。"),
    entry!(S03, Error, File, Some("S03"),
        "duplicate dose or person",
        "接種記録または対象者の重複",
        "The same dose of the same person (or the same person twice in a one-row-per-person file) would be counted twice.",
        "同じ人の同じ接種回（1人1行のファイルでは同じ人の行）が重複すると二重に数えられます。",
        "Keep one row and remove the duplicate.",
        "1行を残し、重複を削除してください。"),
    entry!(S04, Warning, File, Some("S04"),
        "interval shorter than the minimum",
        "接種間隔が最短間隔より短い",
        "Each product and period has a minimum interval between doses; a shorter one is either an error in a date or an off-schedule dose that needs checking.",
        "製品と時期ごとに最短の接種間隔があります。短い場合は日付の誤りか、確認が必要な接種です。",
        "Check both dates; if the dose really happened, keep it (VRS records what happened).",
        "両方の日付を確認してください。実際に接種した場合はそのまま記録します。"),
    entry!(S05, Warning, Row, Some("S05"),
        "below the minimum age",
        "対象年齢未満",
        "Each product and period has a minimum age on the vaccination day; a younger age usually means a wrong birth date or date.",
        "製品と時期ごとに接種日時点の最低年齢があります。下回る場合は生年月日か接種日の誤りが疑われます。",
        "Check the birth date and the vaccination date.",
        "生年月日と接種日を確認してください。"),
    entry!(S06, Warning, File, Some("S06"),
        "primary series with two manufacturers",
        "初回接種でメーカーが異なる",
        "Doses 1 and 2 are normally of the same manufacturer; a difference is often a mix-up of records.",
        "1回目と2回目は通常同じメーカーです。異なる場合は記録の取り違えが疑われます。",
        "Check the manufacturer of both doses.",
        "両方の接種のメーカーを確認してください。"),
    entry!(S07, Error, Row, None,
        "invalid dose number",
        "接種回数が不正",
        "The dose number is a single digit 1-9 (the OCR line has one digit for it).",
        "接種回数は1～9の1桁です（OCRラインでも1桁です）。",
        "Write the dose number as one digit.",
        "接種回数を1桁で記入してください。"),
    entry!(T01, Error, Row, Some("T01"),
        "venue name too long",
        "接種会場名が長すぎる",
        "The venue name holds at most 30 characters; longer text is cut off elsewhere.",
        "接種会場名は30文字までです。超えた部分は他システムで切り捨てられます。",
        "Shorten the venue name.",
        "接種会場名を短くしてください。"),
    entry!(T02, Error, Row, Some("T02"),
        "doctor name too long",
        "接種医師名が長すぎる",
        "The doctor name holds at most 20 characters.",
        "接種医師名は20文字までです。",
        "Shorten the doctor name.",
        "接種医師名を短くしてください。"),
    entry!(T03, Error, Row, Some("T03"),
        "unknown manufacturer",
        "ワクチンメーカーが不明",
        "Manufacturers are matched against the accepted spellings (ファイザー, 武田/モデルナ, ...); an unknown name cannot be counted or checked.",
        "メーカー名は受け付ける表記（ファイザー、武田/モデルナ など）と照合します。不明な名称は集計も確認もできません。",
        "Use a listed manufacturer name, or add the spelling to the vaccine tables.",
        "一覧にあるメーカー名を使うか、ワクチン表に表記を追加してください。"),
    entry!(T04, Error, Row, Some("T04"),
        "invalid lot number",
        "ロット番号が不正",
        "Lot numbers are 1-20 characters of letters, digits and hyphens, without added zero fill; wrong lots were among the commonest VRS errors.",
        "ロット番号は英数字とハイフンの1～20文字で、0埋めしません。ロット番号の誤りはVRSで特に多い誤りでした。",
        "Copy the lot from the lot sticker; check the shape the manufacturer uses (e.g. FJ7489 for Pfizer).",
        "ロットシールから転記し、メーカーの形式（ファイザーなら FJ7489 のような形）を確認してください。"),
    entry!(T05, Warning, Row, Some("T05"),
        "addressee number format",
        "宛名番号の形式",
        "Numeric addressee numbers carry no added zero fill; otherwise the same person may not be matched.",
        "数字の宛名番号は0埋めしません。0埋めすると同じ人と照合できない場合があります。",
        "Write numeric addressee numbers without leading zeros, as the health system holds them.",
        "数字の宛名番号は、健康管理システムの保持する形のまま先頭の0なしで記入してください。"),
    entry!(T06, Error, Row, None,
        "name too long or malformed",
        "氏名が長すぎるか不正",
        "Names longer than the layout's width are cut off on vouchers and in other systems.",
        "レイアウトの桁数を超える氏名は、接種券や他システムで切り捨てられます。",
        "Shorten the name to the width or check the source data.",
        "桁数内に収めるか、元データを確認してください。"),
    entry!(T07, Error, Row, None,
        "kana name is not katakana",
        "カナ氏名がカタカナではない",
        "The kana name is used for sorting and matching; kanji, hiragana or Latin letters there break both.",
        "カナ氏名は並べ替えや照合に使います。漢字・ひらがな・英字が入ると両方に支障が出ます。",
        "Write the reading in full-width katakana (half-width katakana is converted).",
        "読みを全角カタカナで記入してください（半角カタカナは変換されます）。"),
    entry!(T08, Error, Registry, None,
        "character not writable in CP932",
        "CP932 で書き出せない文字",
        "Stored text must be writable in every download encoding (UTF-8 and CP932). A character outside JIS X 0208 and the NEC/IBM extensions (𠮷, ヷ, emoji, private-use 外字) would make the municipality's CP932 ledger export fail. The known JIS/Microsoft mapping differences (〜, −, ‖, —, ¢, £, ¬, ¦, ¥, ‾) are converted to their CP932 forms instead.",
        "保存する文字はすべてのダウンロード文字コード（UTF-8 と CP932）で書き出せる必要があります。JIS X 0208 と NEC・IBM 拡張にない文字（𠮷、ヷ、絵文字、私用領域の外字）があると、CP932 での台帳出力ができなくなります。JIS と Microsoft の対応表の違いで知られる文字（〜、−、‖、—、¢、£、¬、¦、¥、‾）は CP932 の形に変換して受け付けます。",
        "Replace the character with its usual stand-in (the message suggests one when known, e.g. 𠮷 → 吉, ヷ → ヴァ) and record the exact form in the municipality's own system.",
        "文字を通常の代替字に置き換えてください（既知のものはメッセージに示します。例: 𠮷 → 吉、ヷ → ヴァ）。正確な字形は自団体のシステムで管理してください。"),
    entry!(B01, Error, Row, None,
        "incomplete dose block",
        "接種記録の項目が不足",
        "A dose block with some fields filled and a required one empty cannot be registered as a dose.",
        "一部の項目だけが入力された接種記録は、接種として登録できません。",
        "Fill in the missing field of this dose, or empty the whole block.",
        "この接種回の不足している項目を入力するか、ブロック全体を空欄にしてください。"),
    entry!(Q01, Error, Row, None,
        "inquiry result inconsistent with its status",
        "照会結果の状態と内容が矛盾",
        "A 'no match' row must carry no dose data, and a 'match' row must carry at least one dose.",
        "「該当なし」の行に接種記録があってはならず、「一致」の行には1件以上の接種記録が必要です。",
        "Regenerate the result file.",
        "照会結果ファイルを作り直してください。"),
    entry!(L01, Error, Registry, Some("L01"),
        "vaccination after the date of death",
        "死亡日より後の接種",
        "A dose dated after the subject's death is impossible; usually the dose belongs to another person.",
        "死亡日より後の接種はありえません。多くは別人の接種記録です。",
        "Check the person the dose was registered to and the death date.",
        "接種記録の登録先の人と死亡日を確認してください。"),
    entry!(L02, Warning, Registry, Some("L02"),
        "vaccination under this voucher after moving out",
        "転出後に旧自治体の接種券で接種",
        "Old vouchers become invalid on a move; a dose on one after the move-out date needs checking.",
        "転出すると旧自治体の接種券は無効になります。転出日より後の接種は確認が必要です。",
        "Check the move-out date and which voucher was used.",
        "転出日と使用した接種券を確認してください。"),
    entry!(L03, Info, Registry, Some("L03"),
        "record past its retention period",
        "保存期間を過ぎた記録",
        "Records are kept five years from the vaccination date; from 2026-02-01 COVID-19 records of 2021-02-17..2024-03-31 until five years after death and their provision to the national database (never reported from a file). After that they may be deleted, but never automatically.",
        "記録は接種日から5年間保存します。2026年2月1日以降、2021年2月17日～2024年3月31日の新型コロナ接種の記録は死亡後5年と国のデータベースへの提供のいずれか遅い日まで保存します（ファイルからは判定しません）。その後は削除できますが、自動では削除しません。",
        "Decide under your retention policy whether to delete.",
        "保存方針に従い削除するかを判断してください。"),
    entry!(L04, Error, Registry, None,
        "dose on a voucher that was replaced by a reissue",
        "再発行により無効になった接種券での接種",
        "A reissued voucher replaces the old one; a dose scanned from the old voucher may be a lost or misused voucher.",
        "再発行した接種券が旧券に代わります。旧券での接種は紛失・不正使用の可能性があります。",
        "Register the dose on the current voucher after checking the person's identity.",
        "本人確認のうえ、現在の接種券で登録してください。"),
    entry!(L05, Error, Registry, None,
        "no registered subject for this row",
        "該当する接種対象者が未登録",
        "A flag or update names a person (addressee or voucher number) the municipality has not registered; it would be lost.",
        "フラグ等の対象者（宛名番号・券番号）が登録されていないため、反映できません。",
        "Register the subject first, or correct the addressee or voucher number.",
        "先に接種対象者を登録するか、宛名番号・券番号を確認してください。"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_matches_codes() {
        assert_eq!(CATALOGUE.len(), Code::ALL.len());
        for (entry, code) in CATALOGUE.iter().zip(Code::ALL) {
            assert_eq!(entry.code, *code, "catalogue out of order at {code}");
            assert!(!entry.why_en.is_empty() && !entry.why_ja.is_empty());
            assert!(!entry.fix_en.is_empty() && !entry.fix_ja.is_empty());
            if let Some(rule) = entry.reference_rule {
                assert_eq!(rule, code.as_str(), "reference rule IDs reuse the code");
            }
        }
    }

    #[test]
    fn codes_parse_back() {
        for code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>().ok(), Some(*code));
        }
        assert!("Z99".parse::<Code>().is_err());
    }
}
