/**
 * How commands talk: human lines on stderr (quiet hides them, verbose adds detail), machine JSON on
 * stdout with `--json`, and progress: a bar on a TTY, a plain line now and then otherwise (CI logs).
 */
import type { WixMediaError } from '../core/errors.ts'
import { formatDuration } from '../core/format-duration.ts'

/** Where output goes: `process.stderr` / `process.stdout`, or a test's collector. */
export interface Sink {
  write(text: string): unknown
  readonly isTTY?: boolean
}

/** Without a TTY, a sync prints a progress line this often (and none at all when it ends sooner). */
export const PROGRESS_EVERY_MS = 5_000

/** How a run shows its progress: a redrawn bar, plain lines now and then, or nothing (--quiet). */
export type ProgressMode = 'bar' | 'lines' | 'none'

export interface Output {
  info(line: string): void
  /** Something that fails nothing but the user should know (`warning: …`); quiet hides it, as it hides info. */
  warn(message: string): void
  detail(line: string): void
  error(error: WixMediaError | Error): void
  /**
   * Per-file errors: one line each, except that three or more with the same cause (the API down,
   * a permission missing) make one line that lists their files (five; all of them with --verbose,
   * and for a frozen run's files that are not in the lockfile).
   */
  fileErrors(errors: readonly WixMediaError[]): void
  json(value: unknown): void
  readonly isTTY: boolean
  /** A progress display for one run, in this output's mode. */
  progress(): Progress
}

export interface OutputSettings {
  stderr?: Sink
  stdout?: Sink
  /** Plain progress lines (no TTY): one per this many ms. */
  progressEveryMs?: number
  /** Read for `CI`: a CI log gets plain lines even when it claims a TTY. @default process.env */
  env?: NodeJS.ProcessEnv
}

export function createOutput(flags: { json: boolean; quiet: boolean; verbose: boolean }, settings: OutputSettings = {}): Output {
  const { stderr = process.stderr, stdout = process.stdout, progressEveryMs = PROGRESS_EVERY_MS, env = process.env } = settings
  const isTTY = Boolean(stderr.isTTY) && !flags.json && !flags.quiet && !env.CI
  // --json keeps human output on stderr, so progress lines may go there too; --quiet prints only errors.
  const mode: ProgressMode = flags.quiet ? 'none' : isTTY ? 'bar' : 'lines'
  /** The progress display of the run under way: a line printed meanwhile goes above its bar. */
  let shown: Progress | undefined
  const line = (text: string) => {
    if (shown) shown.print(text)
    else stderr.write(`${text}\n`)
  }
  const error: Output['error'] = (failure) => {
    const code = (failure as { code?: string }).code
    line(`error${code ? ` ${code}` : ''}: ${failure.message}`)
  }
  return {
    isTTY,
    info: (text) => {
      if (!flags.quiet) line(text)
    },
    warn: (message) => {
      if (!flags.quiet) line(`warning: ${message}`)
    },
    detail: (text) => {
      if (flags.verbose && !flags.quiet) line(text)
    },
    error,
    fileErrors: (errors) => {
      for (const group of groupByCause(errors)) {
        if (group.length < SAME_CAUSE_LINE) {
          group.forEach(error)
          continue
        }
        const [first] = group as [WixMediaError, ...WixMediaError[]]
        const files = group.map((error) => error.file ?? '?')
        // Files a frozen run cannot upload are the to-do list of whoever fixes the build: all of them.
        const listed = flags.verbose || first.code === 'WIX_MEDIA_FROZEN' ? files : files.slice(0, SHOWN_FILES)
        const more = files.length > listed.length ? ` and ${files.length - listed.length} more` : ''
        const where = [first.status === undefined ? '' : `HTTP ${first.status}`, first.rule ?? ''].filter(Boolean).join(', ')
        // As one error names its file (`a.png: cannot be read`), the files first, then what they share.
        line(`error ${first.code}: ${files.length} files (${listed.join(', ')}${more}): ${first.reason}${where ? ` (${where})` : ''}` +
          `${first.hint ? `. ${first.hint}` : ''}`)
      }
    },
    json: (value) => {
      if (flags.json) stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
    progress: () => {
      const progress = createProgress(mode, stderr, progressEveryMs)
      shown = progress
      return {
        ...progress,
        end() {
          if (shown === progress) shown = undefined
          progress.end()
        },
      }
    },
  }
}

/** `1 entry`, `2 entries`: a count with its noun. */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

/** From this many files with one cause, their errors make one line. */
const SAME_CAUSE_LINE = 3
/** Files named on such a line (without --verbose). */
const SHOWN_FILES = 5

/** Errors with the same code, cause and fix (their files aside), in the order of their first one. */
function groupByCause(errors: readonly WixMediaError[]): WixMediaError[][] {
  const groups = new Map<string, WixMediaError[]>()
  for (const error of errors) {
    const key = [error.code, error.reason, error.status, error.rule, error.hint].join('\0')
    const group = groups.get(key)
    if (group) group.push(error)
    else groups.set(key, [error])
  }
  return [...groups.values()]
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const

/**
 * `0 B`, `999 B`, `1.0 kB`, `9.9 kB`, `10 kB`, `999 kB`, `1.0 MB`… (decimal units). The value is
 * rounded first and moves to the next unit when the rounding reaches 1000 (999.6 B is `1.0 kB`).
 */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes)
  for (let unit = 0; ; unit++) {
    const shown = unit === 0 ? Math.round(value).toString() : value < 9.95 ? value.toFixed(1) : value.toFixed(0)
    if (Number(shown) < 1000 || unit === BYTE_UNITS.length - 1) return `${shown} ${BYTE_UNITS[unit]}`
    value /= 1000
  }
}

/** Where a run stands: files and bytes done of the total, bytes sent, and time since it started. */
export interface ProgressState {
  /** Reading files to hash them (before any upload), or hosting them. */
  phase: 'hashing' | 'hosting'
  doneFiles: number
  totalFiles: number
  doneBytes: number
  totalBytes: number
  /** Bytes uploaded (files the lockfile had or that were adopted are done at no cost: not in the rate). */
  sentBytes: number
  elapsedMs: number
}

/**
 * `12/40 files  387 B/12 kB  174 B/s  ETA 1 min 5 s`: the rate is of bytes uploaded; ETA of the
 * bytes left at that rate, or of the files left at the file rate when that is later. While hashing: `hashing 3/40 files  1.2 GB/3.4 GB  410 MB/s  ETA 5.4 s`,
 * the rate of bytes read.
 */
export function formatProgress(state: ProgressState): string {
  const seconds = Math.max(0.001, state.elapsedMs / 1000)
  const rate = state.sentBytes / seconds
  const left = state.totalBytes - state.doneBytes
  // Uploads: the later of two estimates, by bytes at the byte rate and by files at the file rate
  // (each file costs API calls, and small files paced by a rate limit are slow whatever their bytes).
  // Hashing costs bytes only.
  const byBytes = rate > 0 && left > 0 ? left / rate : 0
  const filesLeft = state.totalFiles - state.doneFiles
  const byFiles = state.phase === 'hosting' && state.doneFiles > 0 && filesLeft > 0 && left > 0 ? filesLeft / (state.doneFiles / seconds) : 0
  const eta = byBytes > 0 ? formatDuration(Math.max(byBytes, byFiles) * 1000) : '-'
  const phase = state.phase === 'hashing' ? 'hashing ' : ''
  return `${phase}${state.doneFiles}/${state.totalFiles} files  ${formatBytes(state.doneBytes)}/${formatBytes(state.totalBytes)}  ${formatBytes(rate)}/s  ETA ${eta}`
}

export interface Progress {
  /** `files` files of `bytes` bytes are to be read and hashed (the stat cache knows the others). */
  hashing(files: number, bytes: number): void
  /** One of them is hashed. */
  hashed(bytes: number): void
  /** Hashing is done: `files` files of `bytes` bytes to settle. */
  start(files: number, bytes: number): void
  /** One file is settled; `sent`: it was uploaded (its bytes count in the rate). */
  advance(bytes: number, sent: boolean): void
  /** Prints a line of text: above the bar, which is cleared first and drawn again after. */
  print(text: string): void
  /** The run ended (or was interrupted): clears the bar, or prints a last line if any was printed. */
  end(): void
}

const BAR_WIDTH = 24
const REDRAW_MS = 100

/**
 * On a TTY, a one-line bar redrawn in place (at most every 100 ms). Otherwise a plain line every
 * `everyMs` while the run lasts, and a last one at its end if any was printed: a log shows that a
 * long run is alive, and a short run prints only its summary.
 */
export function createProgress(mode: ProgressMode, stream: Sink, everyMs: number = PROGRESS_EVERY_MS): Progress {
  const state: ProgressState = { phase: 'hosting', doneFiles: 0, totalFiles: 0, doneBytes: 0, totalBytes: 0, sentBytes: 0, elapsedMs: 0 }
  let started = Date.now()
  let lastDrawn = 0
  let timer: NodeJS.Timeout | undefined
  let linesPrinted = 0
  /** A bar is on the screen (drawn, not yet cleared). */
  let barShown = false
  const now = () => {
    const at = Date.now()
    state.elapsedMs = at - started
    return at
  }
  const draw = (force: boolean) => {
    if (mode !== 'bar') return
    const at = now()
    if (!force && at - lastDrawn < REDRAW_MS) return
    lastDrawn = at
    const ratio = state.totalBytes ? state.doneBytes / state.totalBytes : state.totalFiles ? state.doneFiles / state.totalFiles : 1
    const bar = '#'.repeat(Math.round(ratio * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')
    stream.write(`\r[${bar}] ${formatProgress(state)}\u001b[K`)
    barShown = true
  }
  const line = () => {
    now()
    linesPrinted++
    stream.write(`${formatProgress(state)}\n`)
  }
  /** A phase begins: its counts start from zero, its rate from now. */
  const begin = (phase: ProgressState['phase'], files: number, bytes: number) => {
    Object.assign(state, { phase, doneFiles: 0, totalFiles: files, doneBytes: 0, totalBytes: bytes, sentBytes: 0 })
    started = Date.now()
    draw(true)
    if (mode === 'lines' && timer === undefined) {
      timer = setInterval(line, everyMs)
      // The timer never keeps a finished (or interrupted) process alive.
      timer.unref()
    }
  }
  const settled = (bytes: number, counted: boolean) => {
    state.doneFiles++
    state.doneBytes += bytes
    if (counted) state.sentBytes += bytes
    draw(state.doneFiles === state.totalFiles)
  }
  return {
    hashing: (files, bytes) => begin('hashing', files, bytes),
    // Every byte read counts in the hashing rate.
    hashed: (bytes) => settled(bytes, true),
    start: (files, bytes) => begin('hosting', files, bytes),
    advance: settled,
    print(text) {
      if (!barShown) {
        stream.write(`${text}\n`)
        return
      }
      stream.write(`\r\u001b[K${text}\n`)
      draw(true)
    },
    end() {
      if (timer !== undefined) {
        clearInterval(timer)
        timer = undefined
        if (linesPrinted > 0) line()
      }
      if (mode === 'bar') stream.write('\r\u001b[K')
      barShown = false
    },
  }
}
