/**
 * How commands talk: human lines on stderr (quiet hides them, verbose adds detail), machine JSON on
 * stdout with `--json`, and a progress bar on a TTY.
 */
import type { WixMediaError } from '../core/errors.ts'

export interface Output {
  info(line: string): void
  detail(line: string): void
  error(error: WixMediaError | Error): void
  json(value: unknown): void
  readonly isTTY: boolean
}

export function createOutput(flags: { json: boolean; quiet: boolean; verbose: boolean }, stderr: NodeJS.WriteStream = process.stderr): Output {
  const isTTY = Boolean(stderr.isTTY) && !flags.json && !flags.quiet && !process.env.CI
  return {
    isTTY,
    info: (line) => {
      if (!flags.quiet) stderr.write(`${line}\n`)
    },
    detail: (line) => {
      if (flags.verbose && !flags.quiet) stderr.write(`${line}\n`)
    },
    error: (error) => {
      const code = (error as { code?: string }).code
      stderr.write(`error${code ? ` ${code}` : ''}: ${error.message}\n`)
    },
    json: (value) => {
      if (flags.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = -1
  do {
    value /= 1000
    unit++
  } while (value >= 1000 && unit < units.length - 1)
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
}

/** A one-line progress bar on a TTY: files, bytes, rate and ETA. */
export function createProgress(output: Output, stream: NodeJS.WriteStream = process.stderr) {
  let totalFiles = 0
  let totalBytes = 0
  let doneFiles = 0
  let doneBytes = 0
  const started = Date.now()
  let last = 0
  const draw = (force = false) => {
    if (!output.isTTY) return
    const now = Date.now()
    if (!force && now - last < 100) return
    last = now
    const ratio = totalBytes ? doneBytes / totalBytes : totalFiles ? doneFiles / totalFiles : 1
    const width = 24
    const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.')
    const rate = doneBytes / Math.max(0.001, (now - started) / 1000)
    const eta = rate > 0 && totalBytes > doneBytes ? formatDuration(((totalBytes - doneBytes) / rate) * 1000) : '-'
    stream.write(`\r[${bar}] ${doneFiles}/${totalFiles} files  ${formatBytes(doneBytes)}/${formatBytes(totalBytes)}  ${formatBytes(rate)}/s  ETA ${eta}\u001b[K`)
  }
  return {
    start(files: number, bytes: number) {
      totalFiles = files
      totalBytes = bytes
      draw(true)
    },
    advance(bytes: number) {
      doneFiles++
      doneBytes += bytes
      draw(doneFiles === totalFiles)
    },
    end() {
      if (output.isTTY) stream.write('\r\u001b[K')
    },
  }
}
