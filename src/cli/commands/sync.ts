/** `wix-media sync [globs…]`: upload what is new or changed, write the lockfile, print a summary. */
import { relative } from 'node:path'
import type { Setback } from '../../client/retry.ts'
import { isWixMediaError, type WixMediaError } from '../../core/errors.ts'
import type { ResolvedOptions } from '../../core/options.ts'
import { syncProject, type ProjectSetup } from '../../core/project.ts'
import type { SyncReport } from '../../core/sync.ts'
import { COMMON_USAGE, errorJson, EXIT, hasCredentials, prepare, scanNotes } from '../common.ts'
import { planScanned, printPlan, scannedDetail } from './status.ts'
import { formatDuration } from '../../core/format-duration.ts'
import { count, formatBytes, type Output } from '../output.ts'

export const usage = `Usage: wix-media sync [globs…] [options]

Scans the project's media (globs, or \`include\` from the config), hashes them, uploads what the
lockfile does not have yet (adopting files this tool already uploaded), and writes the lockfile.
Ctrl-C stops it: the uploads that finished are recorded, the next sync does the rest.

Options:
  --dry-run             show what would be uploaded; change nothing
${COMMON_USAGE}`

/** The signals that stop a sync gracefully: Ctrl-C, and what CI runners send on a cancel. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const

export async function runSync(args: string[]): Promise<number> {
  const prepared = await prepare(args, { 'dry-run': { type: 'boolean' } }, usage)
  if (prepared === 'help') return EXIT.OK
  const { options, output, values } = prepared
  // A dry run writes nothing: Ctrl-C may end it at once, as by default.
  if (values['dry-run']) return printPlan(await planScanned(options, hasCredentials(options), output), output, 'sync --dry-run')

  // The first signal aborts the run, which then records what finished and says so; a second one ends it at once.
  const stop = new AbortController()
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) dieOf(signal, onSignal)
    received = signal
    stop.abort()
  }
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal)
  try {
    return await sync(options, output, stop.signal)
  } finally {
    // Ended by a signal, as an unhandled one would (exit status 130 for SIGINT): a shell script or make stops too.
    if (received) dieOf(received, onSignal)
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal)
  }
}

function dieOf(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): void {
  for (const name of STOP_SIGNALS) process.off(name, handler)
  process.kill(process.pid, signal)
}

/**
 * The sync itself: progress, one `--verbose` line per file, the summary and `--json` report, and
 * the exit code. When `stop` aborts, the run records the uploads that finished, and the summary
 * says what was recorded (the caller then ends the process).
 */
export async function sync(options: ResolvedOptions, output: Output, stop?: AbortSignal): Promise<number> {
  const progress = output.progress()
  let scanned: readonly string[] = []
  let planned = false
  const onScanned = scannedDetail(options, output)
  const setup: ProjectSetup = {
    signal: stop,
    onScanned: (paths, walked) => {
      scanned = paths
      onScanned(paths, walked)
    },
    onHosted: (asset, local) => {
      output.detail(`${asset.outcome.padEnd(8)} ${asset.path} → ${asset.entry.url}`)
      // Progress is of the files that need the network; the ones the lockfile has are settled before it starts.
      if (planned) progress.advance(local.size, asset.outcome === 'uploaded')
    },
    onHashing: (files, bytes) => progress.hashing(files, bytes),
    onHashed: (bytes) => progress.hashed(bytes),
    onPlanned: (missing) => {
      planned = true
      if (missing.length > 0) progress.start(missing.length, missing.reduce((sum, asset) => sum + asset.size, 0))
    },
    onSetback: setbackLines(output),
    onWarning: output.warn,
  }
  let report: SyncReport
  try {
    report = await syncProject(options, setup)
  } finally {
    progress.end()
  }
  if (stop?.aborted) return interrupted(report, options, output)
  output.fileErrors(report.errors)
  for (const note of await scanNotes(options, scanned)) output.info(note)
  if (report.fromLastSync) {
    // No engine ran (nothing was read but stats): every file is as recorded, so reused.
    for (const path of scanned) output.detail(`reused   ${path}`)
    output.detail('Every file is as the last sync left it (checked by their stats)')
  }
  output.info(
    `${report.uploaded} uploaded (${formatBytes(report.uploadedBytes)}), ${report.adopted} adopted, ${report.reused} unchanged` +
    `${report.errors.length ? `, ${report.errors.length} failed` : ''} in ${formatDuration(report.durationMs)}` +
    `${report.retries ? ` (${count(report.retries, 'retry', 'retries')})` : ''}` +
    `${report.slowestPerMinute === null ? '' : `; Wix's rate limit slowed API calls down to ${report.slowestPerMinute} a minute`}` +
    `${report.stale.length ? `; ${count(report.stale.length, 'lockfile entry', 'lockfile entries')} no file uses (wix-media prune)` : ''}`,
  )
  output.json({ ...report, errors: report.errors.map(errorJson) })
  if (report.errors.length === 0) return EXIT.OK
  return report.errors.every((error) => error.code === 'WIX_MEDIA_FROZEN') ? EXIT.OUT_OF_DATE : EXIT.FAILED
}

/** Wix's rate limit said at most this often (the pace may halve many times in a storm). */
const THROTTLE_NOTE_EVERY_MS = 10_000

/**
 * What the user is told of setbacks as they happen: the first cut in the pace of API calls, and
 * then the pace at most every {@link THROTTLE_NOTE_EVERY_MS} (a stalled bar otherwise looks like
 * a hang); with --verbose, each retry with its cause.
 */
function setbackLines(output: Output): (setback: Setback) => void {
  let lastNote = Number.NEGATIVE_INFINITY
  return (setback) => {
    if (setback.kind === 'throttled') {
      if (Date.now() - lastNote < THROTTLE_NOTE_EVERY_MS) return
      lastNote = Date.now()
      output.info(`Wix is rate-limiting API calls: slowing down to ${setback.callsPerMinute} a minute`)
      return
    }
    const { error, attempt, attempts, delayMs, file } = setback
    const cause = isWixMediaError(error) ? `${error.reason}${error.status === undefined ? '' : ` (HTTP ${error.status})`}` : String(error)
    output.detail(`retry    ${file ? `${file}: ` : ''}${cause}; attempt ${attempt + 1} of ${attempts} in ${formatDuration(delayMs)}`)
  }
}

/** Whether an error is (or was caused by) the run's abort. */
function isAbort(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 8; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { name, code } = cause as { name?: string; code?: string }
    if (name === 'AbortError' || code === 'ABORT_ERR') return true
  }
  return false
}

/** The summary of an interrupted run: what is recorded, and how to finish. Failures other than the abort are still shown. */
function interrupted(report: SyncReport, options: ResolvedOptions, output: Output): number {
  const failures: WixMediaError[] = report.errors.filter((error) => !isAbort(error))
  output.fileErrors(failures)
  const lockfile = relative(process.cwd(), options.lockfile) || options.lockfile
  const done = `${report.uploaded} uploaded (${formatBytes(report.uploadedBytes)}) and ${report.adopted} adopted`
  // Uploads Wix was still processing are not recorded: say so, or the count would claim them.
  const nothing = report.uploaded === 0 && report.adopted === 0
  const processing = report.processing > 0
    ? `; ${report.processing} ${nothing ? '' : 'more '}uploaded but still processing, not recorded (the next sync adopts ${report.processing === 1 ? 'it' : 'them'})`
    : ''
  output.info(options.frozen
    ? 'interrupted: nothing was written (--frozen)'
    : nothing
      ? `interrupted: nothing uploaded or adopted yet${processing}; run \`wix-media sync\` again to finish`
      : `interrupted: ${done}, recorded in ${lockfile}${processing}; run \`wix-media sync\` again to finish`)
  output.json({ ...report, interrupted: true, errors: failures.map(errorJson) })
  return EXIT.INTERRUPTED
}
