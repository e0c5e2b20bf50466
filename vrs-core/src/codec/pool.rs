//! Checking rows on worker threads while the calling thread splits the file into runs of lines
//! and runs the cross-row rules in file order.
//!
//! The calling thread hands the workers whole runs of simple lines (no quotes: parsed alike
//! wherever they are parsed, so the worker parses them) and copies of the records it had to
//! parse itself (quoted fields, odd line ends); a worker decodes each record and runs every
//! field and row rule on it, buffering its diagnostics and listing the values each row's
//! cross-row rules read ([`DeferredRow`]). The calling thread takes finished batches back in
//! file order, a group of them at a time (their seen-set lookups sorted as one batch), adds
//! each row's diagnostics to the report and runs the row's cross-row rules right after them,
//! so the report is the one a single thread builds: same diagnostics, same order, same
//! truncation.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::text::{self, Encoding};

use super::csv::{
    first_simple_line, for_each_simple_line, for_each_simple_text_line, Record, RecordBatch,
};
use super::emit::Found;
use super::engine::{DeferredRow, FieldText};
use super::sink::{EncodingState, RecordSink, MAX_FIELDS};

/// Records per batch: enough to make handing a batch over cheap, few enough to keep every
/// worker busy and, on a file where every field is wrong, the buffered diagnostics small.
const BATCH_RECORDS: usize = 256;
/// Bytes of record text per batch (and most bytes of one run of lines), for files with long
/// rows.
pub(crate) const BATCH_BYTES: usize = 128 * 1024;
/// Checked jobs applied together at most: their rows' seen-set lookups are sorted as one
/// batch, which makes them cheap; bounds the text held back to 16 × [`BATCH_BYTES`].
const APPLY_JOBS: usize = 16;
/// Rows enough for one such batch (some 20,000 keys on a ledger export). More rows make each
/// lookup a little cheaper, but every row held back costs its text and its typed values:
/// this keeps a 2,000,000-row file under 64 MiB.
const APPLY_ROWS: usize = 4096;
/// Diagnostics enough to apply a group early: a badly broken file does not hold back many
/// jobs' worth of them.
const APPLY_DIAGNOSTICS: usize = 4096;
/// Jobs queued per worker: enough to keep a worker busy while the calling thread applies a
/// group of checked jobs (a few thousand rows' cross-row rules).
const QUEUED_PER_WORKER: usize = 12;
/// Diagnostics held in full by checked jobs waiting to be added to the report, beyond which the
/// calling thread waits for the workers rather than check more jobs itself: a file full of
/// errors, with every diagnostic kept (or streamed), must not pile them up in memory.
const WAITING_KEPT: usize = 8192;
/// Emptied batches (and row lists) kept for reuse: a group's worth, so that the row lists of
/// the next group are not grown again from empty.
const SPARE_BATCHES: usize = APPLY_JOBS;

type Batch = RecordBatch<EncodingState>;

/// Whole simple lines (see [`super::csv::simple_lines_prefix`]) for a worker to parse and check.
#[derive(Debug, Default)]
struct LineRun {
    /// The lines, unless they were handed over as text.
    bytes: Vec<u8>,
    /// The lines when the caller had them as UTF-8 text (then `bytes` is empty): a worker
    /// need not validate them again.
    text: String,
    first_line: u64,
    encoding: EncodingState,
    /// Where each line starts in `bytes`, filled by the worker (the index is the record's).
    starts: Vec<usize>,
}

/// Work for a worker, in file order.
enum Job {
    /// Records the calling thread parsed.
    Records(Batch),
    /// Lines it did not.
    Lines(LineRun),
}

impl Job {
    fn clear(&mut self) {
        match self {
            Job::Records(batch) => batch.clear(),
            Job::Lines(run) => {
                run.bytes.clear();
                run.text.clear();
                run.starts.clear();
            }
        }
    }
}

impl LineRun {
    /// The lines' bytes.
    fn data(&self) -> &[u8] {
        if self.text.is_empty() {
            &self.bytes
        } else {
            self.text.as_bytes()
        }
    }
}

/// A job handed to a worker: its place in file order, the job, and an emptied list for its
/// rows (reused, so that no job allocates one afresh).
type Work = (usize, Job, Vec<DeferredRow>);

/// A job a worker has checked.
struct Checked {
    index: usize,
    job: Job,
    diagnostics: Vec<Found>,
    rows: u64,
    deferred: Vec<DeferredRow>,
}

/// The parser's limits (bytes, fields per record), which lines parsed on a worker obey too.
fn limits(sink: &RecordSink) -> (usize, usize) {
    (sink.engine.opts.max_record_bytes, MAX_FIELDS)
}

/// The text of a batched record's fields, decoded again when a cross-row finding shows one.
struct RecordText<'a> {
    record: &'a Record<'a>,
    encoding: Encoding,
}

impl FieldText for RecordText<'_> {
    fn text(&self, i: usize) -> Option<Cow<'_, str>> {
        text::decode_strict(self.record.field(i), self.encoding).ok()
    }
}

/// The text of a simple line's fields, split only when a cross-row finding shows one.
struct LineText<'a> {
    /// From the line's start to the end of its run.
    bytes: &'a [u8],
    line: u64,
    limits: (usize, usize),
    encoding: Encoding,
}

impl FieldText for LineText<'_> {
    fn text(&self, i: usize) -> Option<Cow<'_, str>> {
        let mut bounds = Vec::new();
        let record = first_simple_line(self.bytes, self.line, self.limits, &mut bounds);
        // Owned: the record borrows the local bounds.
        let value = text::decode_strict(record.field(i), self.encoding).ok()?;
        Some(Cow::Owned(value.into_owned()))
    }
}

/// Worker threads and the batches in flight.
pub(crate) struct Pool {
    /// Closed (set to `None`) when the input ends, which lets the workers finish.
    work: Option<SyncSender<Work>>,
    done: Receiver<Checked>,
    handles: Vec<JoinHandle<()>>,
    /// The batch being filled.
    current: Batch,
    sent: usize,
    applied: usize,
    /// Batches checked ahead of one still being checked.
    waiting: BTreeMap<usize, Checked>,
    /// Diagnostics held in full in `waiting`.
    waiting_kept: usize,
    spare: Vec<Batch>,
    spare_runs: Vec<LineRun>,
    spare_rows: Vec<Vec<DeferredRow>>,
    /// Checks a job on the calling thread when every worker is busy.
    local: RecordSink,
    /// Field bounds of a line being parsed here.
    bounds: Vec<(usize, usize)>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("workers", &self.handles.len())
            .field("sent", &self.sent)
            .field("applied", &self.applied)
            .finish()
    }
}

/// Checks every record of `job` on a worker's sink (`bounds`: scratch for parsing lines).
fn check(
    worker: &mut RecordSink,
    bounds: &mut Vec<(usize, usize)>,
    (index, mut job, rows): Work,
) -> Checked {
    worker.engine.list_deferred_in(rows);
    match &mut job {
        Job::Records(batch) => {
            for i in 0..batch.len() {
                if let Some((record, encoding)) = batch.get(i) {
                    worker.encoding = encoding;
                    worker.engine.record_index = i;
                    worker.record(&record);
                }
            }
        }
        Job::Lines(run) => {
            let limits = limits(worker);
            worker.encoding = run.encoding;
            // A UTF-8 run is validated once, as a whole, rather than line by line (not at all
            // when it was handed over as text); lines and fields end at ASCII bytes, so each
            // line of a valid run is valid text.
            let text = match run.encoding.or_utf8() {
                Encoding::Utf8 if !run.text.is_empty() => Some(run.text.as_str()),
                Encoding::Utf8 => simdutf8::basic::from_utf8(&run.bytes).ok(),
                Encoding::Cp932 => None,
            };
            // Taken out while the run's text is borrowed, put back after.
            let mut starts = std::mem::take(&mut run.starts);
            match text {
                // Text: each line split and scanned in one pass.
                Some(text) => for_each_simple_text_line(text, run.first_line, |at, no, line| {
                    worker.engine.record_index = starts.len();
                    starts.push(at);
                    worker.simple_text_line(line, no, limits, bounds);
                }),
                None => {
                    let lines = run.data();
                    for_each_simple_line(lines, run.first_line, limits, bounds, |at, record| {
                        worker.engine.record_index = starts.len();
                        starts.push(at);
                        worker.record(record);
                    })
                }
            }
            run.starts = starts;
        }
    }
    let (diagnostics, rows, deferred) = worker.engine.take_deferred();
    Checked {
        index,
        job,
        diagnostics,
        rows,
        deferred,
    }
}

impl Pool {
    /// Starts `threads` workers checking rows as `sink` would. `None` when no thread could be
    /// started (the caller then goes on alone).
    pub(crate) fn start(sink: &RecordSink, threads: usize) -> Option<Pool> {
        // Jobs queued per worker: enough to keep it busy while the calling thread checks one
        // itself or applies a group of checked jobs.
        let (work, work_rx) = mpsc::sync_channel::<Work>(QUEUED_PER_WORKER * threads);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done) = mpsc::channel();
        let mut handles = Vec::with_capacity(threads);
        for n in 0..threads {
            let mut worker = sink.worker();
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let mut bounds = Vec::new();
            let spawned = std::thread::Builder::new()
                .name(format!("vrs-validate-{n}"))
                .spawn(move || loop {
                    // The lock is released as soon as a job (or the end) is received.
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok(work) = job else { break };
                    if done_tx.send(check(&mut worker, &mut bounds, work)).is_err() {
                        break;
                    }
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(_) => break,
            }
        }
        if handles.is_empty() && threads > 0 {
            return None;
        }
        // No worker asked for: every job is checked here (`work` closed).
        let work = (!handles.is_empty()).then_some(work);
        Some(Pool {
            work,
            done,
            handles,
            current: Batch::default(),
            sent: 0,
            applied: 0,
            waiting: BTreeMap::new(),
            waiting_kept: 0,
            spare: Vec::new(),
            spare_runs: Vec::new(),
            spare_rows: Vec::new(),
            local: sink.worker(),
            bounds: Vec::new(),
        })
    }

    /// Adds a data record (the header has been read); hands the batch over when it is full.
    pub(crate) fn push(&mut self, record: &Record<'_>, sink: &mut RecordSink) {
        self.current.push(record, sink.encoding);
        if self.current.len() >= BATCH_RECORDS || self.current.byte_len() >= BATCH_BYTES {
            self.send_records(sink);
        }
    }

    /// Hands over whole simple lines starting on line `first_line` (the header has been read,
    /// the encoding is settled): a worker parses and checks them. `text`: the same lines, when
    /// the caller holds them as text.
    pub(crate) fn push_lines(
        &mut self,
        lines: &[u8],
        text: Option<&str>,
        first_line: u64,
        sink: &mut RecordSink,
    ) {
        if self.current.len() > 0 {
            self.send_records(sink);
        }
        let mut run = self.spare_runs.pop().unwrap_or_default();
        match text.filter(|t| t.len() == lines.len() && !t.is_empty()) {
            Some(text) => run.text.push_str(text),
            None => run.bytes.extend_from_slice(lines),
        }
        run.first_line = first_line;
        run.encoding = sink.encoding;
        self.send(Job::Lines(run), sink);
    }

    fn send_records(&mut self, sink: &mut RecordSink) {
        let fresh = self.spare.pop().unwrap_or_default();
        let batch = std::mem::replace(&mut self.current, fresh);
        self.send(Job::Records(batch), sink);
    }

    // `try_send` hands a job it could not queue back in its error: once per job, moved.
    #[allow(clippy::result_large_err)]
    fn send(&mut self, job: Job, sink: &mut RecordSink) {
        let index = self.sent;
        self.sent += 1;
        let mut work = (index, job, self.spare_rows.pop().unwrap_or_default());
        loop {
            let sent = match self.work.as_ref() {
                Some(queue) => queue.try_send(work),
                // No workers: every job is checked here, and applied in groups.
                None => Err(TrySendError::Full(work)),
            };
            match sent {
                Ok(()) => {}
                // The queue is full and many diagnostics wait to be added (a file full of
                // errors): wait for a worker to hand a job back, add what is ready, try again.
                Err(TrySendError::Full(w))
                    if self.waiting_kept >= WAITING_KEPT && self.work.is_some() =>
                {
                    work = w;
                    match self.done.recv() {
                        Ok(checked) => self.hold(checked),
                        // Every worker has stopped: check it here.
                        Err(_) => self.work = None,
                    }
                    self.collect(sink, false);
                    continue;
                }
                // Every worker is busy and the queue is full: check this job here rather than
                // wait, so the calling thread's spare time goes into checking rows too.
                Err(TrySendError::Full(work)) => {
                    let checked = check(&mut self.local, &mut self.bounds, work);
                    self.hold(checked);
                }
                // Every worker has stopped, i.e. panicked: `finish` re-raises that.
                Err(TrySendError::Disconnected(_)) => self.sent -= 1,
            }
            break;
        }
        self.collect(sink, false);
    }

    /// Keeps a checked job until its turn.
    fn hold(&mut self, checked: Checked) {
        self.waiting_kept += kept(&checked.diagnostics);
        self.waiting.insert(checked.index, checked);
    }

    /// Applies checked batches in file order, [`APPLY_JOBS`] at a time; with `wait`, until
    /// every batch sent is applied (or no worker is left).
    fn collect(&mut self, sink: &mut RecordSink, wait: bool) {
        loop {
            let mut ready = 0;
            let mut rows = 0;
            let mut found = 0;
            while ready < APPLY_JOBS && rows < APPLY_ROWS && found < APPLY_DIAGNOSTICS {
                match self.waiting.get(&(self.applied + ready)) {
                    Some(checked) => {
                        rows += checked.deferred.len();
                        found += checked.diagnostics.len();
                    }
                    None => break,
                }
                ready += 1;
            }
            let all_ready = self.applied + ready == self.sent;
            let full = ready == APPLY_JOBS || rows >= APPLY_ROWS || found >= APPLY_DIAGNOSTICS;
            if full || (ready > 0 && all_ready && wait) {
                self.apply_group(ready, sink);
                continue;
            }
            if self.applied == self.sent {
                return;
            }
            let next = if wait {
                self.done.recv().ok()
            } else {
                self.done.try_recv().ok()
            };
            match next {
                Some(checked) => self.hold(checked),
                None => return,
            }
        }
    }

    /// Applies the next `count` checked jobs, their seen-set lookups done together.
    fn apply_group(&mut self, count: usize, sink: &mut RecordSink) {
        let first = self.applied;
        let jobs: Vec<Checked> = (first..first + count)
            .filter_map(|i| self.waiting.remove(&i))
            .collect();
        for checked in &jobs {
            self.waiting_kept = self.waiting_kept.saturating_sub(kept(&checked.diagnostics));
        }
        sink.engine
            .prepare_batch(jobs.iter().map(|checked| checked.deferred.as_slice()));
        for checked in jobs {
            self.apply(checked, sink);
        }
        sink.engine.end_batch();
    }

    /// Adds a checked job to the report: each row's diagnostics, then its cross-row rules
    /// (their seen-set answers prepared by [`apply_group`](Self::apply_group)).
    fn apply(&mut self, checked: Checked, sink: &mut RecordSink) {
        let Checked {
            mut job,
            diagnostics,
            rows,
            deferred,
            ..
        } = checked;
        let mut diagnostics = diagnostics.into_iter();
        let mut added = 0;
        let mut lines = Vec::new();
        let limits = limits(sink);
        for row in &deferred {
            for d in diagnostics
                .by_ref()
                .take(row.diag_end.saturating_sub(added))
            {
                sink.engine.emit.add(d);
            }
            added = added.max(row.diag_end);
            match &job {
                Job::Records(batch) => {
                    if let Some((record, encoding)) = batch.get(row.record) {
                        record.field_lines_into(&mut lines);
                        let text = RecordText {
                            record: &record,
                            encoding: encoding.or_utf8(),
                        };
                        sink.engine.cross_rules_of(row, &text, &lines);
                    }
                }
                Job::Lines(run) => {
                    if let Some(at) = run.starts.get(row.record) {
                        // One physical line: every field is on the row's line.
                        let text = LineText {
                            bytes: run.data().get(*at..).unwrap_or(&[]),
                            line: row.line,
                            limits,
                            encoding: run.encoding.or_utf8(),
                        };
                        sink.engine.cross_rules_of(row, &text, &[]);
                    }
                }
            }
        }
        for d in diagnostics {
            sink.engine.emit.add(d);
        }
        sink.engine.add_rows(rows);
        self.applied += 1;
        job.clear();
        if self.spare_rows.len() < SPARE_BATCHES {
            let mut deferred = deferred;
            deferred.clear();
            self.spare_rows.push(deferred);
        }
        match job {
            Job::Records(batch) if self.spare.len() < SPARE_BATCHES => self.spare.push(batch),
            Job::Lines(run) if self.spare_runs.len() < SPARE_BATCHES => self.spare_runs.push(run),
            _ => {}
        }
    }

    /// Hands over the records gathered so far and adds every batch sent to the report (a
    /// finding about the file is then added after the rows before it, as on one thread).
    pub(crate) fn drain(&mut self, sink: &mut RecordSink) {
        if self.current.len() > 0 {
            self.send_records(sink);
        }
        self.collect(sink, true);
    }

    /// Checks what is left and waits for every batch; re-raises a worker's panic, as the
    /// calling thread would have panicked checking the same rows itself.
    pub(crate) fn finish(mut self, sink: &mut RecordSink) {
        if self.current.len() > 0 {
            self.send_records(sink);
        }
        self.work = None;
        self.collect(sink, true);
        for handle in std::mem::take(&mut self.handles) {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    }
}

/// Diagnostics held in full among `found`.
fn kept(found: &[Found]) -> usize {
    found.iter().filter(|f| matches!(f, Found::Kept(_))).count()
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Dropped unfinished (the validator was dropped mid-file): let the workers end.
        self.work = None;
        while self.done.recv().is_ok() {}
        for handle in std::mem::take(&mut self.handles) {
            let _ = handle.join();
        }
    }
}
