/**
 * The CLI's output formatting (src/cli/output.ts): sizes and durations at every rounding boundary,
 * the progress line, and when plain progress lines are printed without a TTY (fake timers).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WixMediaError } from '../../src/core/errors.ts'
import { createOutput, createProgress, formatBytes, formatProgress, PROGRESS_EVERY_MS, type Sink } from '../../src/cli/output.ts'
import { formatDuration } from '../../src/core/format-duration.ts'

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [173.62045760430686, '174 B'],
    [999, '999 B'],
    [999.4, '999 B'],
    [999.6, '1.0 kB'],
    [1000, '1.0 kB'],
    [1049, '1.0 kB'],
    [9_949, '9.9 kB'],
    [9_950, '10 kB'],
    [12_345, '12 kB'],
    [999_499, '999 kB'],
    [999_600, '1.0 MB'],
    [1e6 - 1, '1.0 MB'],
    [1e6, '1.0 MB'],
    [999_600_000, '1.0 GB'],
    [2.5e9, '2.5 GB'],
    [1e12, '1.0 TB'],
    [1e18, '1000 PB'],
  ])('%d bytes → %s', (bytes, shown) => {
    expect(formatBytes(bytes)).toBe(shown)
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [999.4, '999 ms'],
    [999.6, '1.0 s'],
    [1000, '1.0 s'],
    [59_600, '59.6 s'],
    [59_940, '59.9 s'],
    [59_960, '1 min 0 s'],
    [60_000, '1 min 0 s'],
    [65_000, '1 min 5 s'],
    [119_400, '1 min 59 s'],
    [119_600, '2 min 0 s'],
    [3_599_400, '59 min 59 s'],
    [3_599_600, '1 h 0 min'],
    [3_600_000, '1 h 0 min'],
    [5_430_000, '1 h 31 min'],
    [7_199_000, '2 h 0 min'],
    [90_000_000, '25 h 0 min'],
  ])('%d ms → %s', (ms, shown) => {
    expect(formatDuration(ms)).toBe(shown)
  })
})

describe('fileErrors', () => {
  const failure = (file: string, reason = 'Listing folders failed: ECONNREFUSED') =>
    new WixMediaError('WIX_MEDIA_NETWORK', reason, { file, hint: 'Check the network connection and `apiBaseUrl`' })
  const print = (errors: WixMediaError[], verbose = false) => {
    const sink = collector()
    createOutput({ json: false, quiet: false, verbose }, { stderr: sink, stdout: collector(), env: {} }).fileErrors(errors)
    return sink.text()
  }

  it('says a cause that three or more files share once, naming five of them (all with --verbose); others one line each', () => {
    const down = Array.from({ length: 7 }, (_, i) => failure(`img/${i}.png`))
    const other = [failure('a.png', 'cannot be read (EACCES)'), failure('b.png', 'cannot be read (EACCES)')]
    expect(print([...down, ...other]).split('\n')).toEqual([
      'error WIX_MEDIA_NETWORK: 7 files (img/0.png, img/1.png, img/2.png, img/3.png, img/4.png and 2 more): Listing folders failed: ECONNREFUSED. ' +
        'Check the network connection and `apiBaseUrl`',
      'error WIX_MEDIA_NETWORK: a.png: cannot be read (EACCES). Check the network connection and `apiBaseUrl`',
      'error WIX_MEDIA_NETWORK: b.png: cannot be read (EACCES). Check the network connection and `apiBaseUrl`',
      '',
    ])
    expect(print(down, true)).toContain('7 files (img/0.png, img/1.png, img/2.png, img/3.png, img/4.png, img/5.png, img/6.png): Listing')
  })

  it('lists every file a frozen run cannot upload: they are what the fix needs', () => {
    const missing = Array.from({ length: 7 }, (_, i) => new WixMediaError('WIX_MEDIA_FROZEN', 'is not in the lockfile, and `frozen` forbids uploads', {
      file: `img/${i}.png`, hint: 'Run `wix-media sync`',
    }))
    expect(print(missing)).toBe('error WIX_MEDIA_FROZEN: 7 files (img/0.png, img/1.png, img/2.png, img/3.png, img/4.png, img/5.png, img/6.png): ' +
      'is not in the lockfile, and `frozen` forbids uploads. Run `wix-media sync`\n')
  })
})

describe('formatProgress', () => {
  it('shows files, bytes, a rounded rate and an ETA', () => {
    expect(formatProgress({ phase: 'hosting', doneFiles: 3, totalFiles: 40, doneBytes: 387, totalBytes: 12_000, sentBytes: 387, elapsedMs: 2229 }))
      .toBe('3/40 files  387 B/12 kB  174 B/s  ETA 1 min 7 s')
  })

  it('counts only uploaded bytes in the rate: files the lockfile had do not make the ETA look short', () => {
    // 1 MB reused at once, then 10 kB uploaded in 10 s: 1 kB/s, 10 kB left → 10 s.
    expect(formatProgress({ phase: 'hosting', doneFiles: 2, totalFiles: 3, doneBytes: 1_010_000, totalBytes: 1_020_000, sentBytes: 10_000, elapsedMs: 10_000 }))
      .toBe('2/3 files  1.0 MB/1.0 MB  1.0 kB/s  ETA 10.0 s')
  })

  it('takes the later ETA of bytes and of files: many small files paced by a rate limit are slow whatever their bytes', () => {
    // 10 of 100 files in 60 s, but 90% of the bytes: by bytes 6.7 s left, by files 9 min.
    expect(formatProgress({ phase: 'hosting', doneFiles: 10, totalFiles: 100, doneBytes: 900_000, totalBytes: 1_000_000, sentBytes: 900_000, elapsedMs: 60_000 }))
      .toBe('10/100 files  900 kB/1.0 MB  15 kB/s  ETA 9 min 0 s')
  })

  it('while hashing, says so; the rate is of bytes read', () => {
    expect(formatProgress({ phase: 'hashing', doneFiles: 3, totalFiles: 40, doneBytes: 1_200_000_000, totalBytes: 3_400_000_000, sentBytes: 1_200_000_000, elapsedMs: 3000 }))
      .toBe('hashing 3/40 files  1.2 GB/3.4 GB  400 MB/s  ETA 5.5 s')
  })

  it('has no ETA before anything was uploaded, nor when nothing is left', () => {
    expect(formatProgress({ phase: 'hosting', doneFiles: 0, totalFiles: 4, doneBytes: 0, totalBytes: 310, sentBytes: 0, elapsedMs: 0 })).toBe('0/4 files  0 B/310 B  0 B/s  ETA -')
    expect(formatProgress({ phase: 'hosting', doneFiles: 4, totalFiles: 4, doneBytes: 310, totalBytes: 310, sentBytes: 310, elapsedMs: 500 })).toMatch(/ETA -$/)
  })
})

function collector(isTTY = false): Sink & { text: () => string } {
  const chunks: string[] = []
  return { isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') }
}

describe('plain progress lines (no TTY)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('a run shorter than the interval prints no progress line', () => {
    const sink = collector()
    const progress = createProgress('lines', sink, 1000)
    progress.start(2, 200)
    vi.advanceTimersByTime(400)
    progress.advance(100, true)
    progress.advance(100, true)
    vi.advanceTimersByTime(500)
    progress.end()
    vi.advanceTimersByTime(5000)
    expect(sink.text()).toBe('')
  })

  it('a run that hashes first shows that phase, then starts afresh for the uploads', () => {
    const sink = collector()
    const progress = createProgress('lines', sink, 1000)
    progress.hashing(2, 4000)
    vi.advanceTimersByTime(500)
    progress.hashed(2000)
    vi.advanceTimersByTime(500)
    progress.hashed(2000)
    progress.start(2, 4000)
    vi.advanceTimersByTime(1000)
    progress.advance(2000, false)
    progress.end()
    expect(sink.text().split('\n')).toEqual([
      'hashing 1/2 files  2.0 kB/4.0 kB  2.0 kB/s  ETA 1.0 s',
      '0/2 files  0 B/4.0 kB  0 B/s  ETA -',
      '1/2 files  2.0 kB/4.0 kB  0 B/s  ETA -',
      '',
    ])
  })

  it('a longer run prints a line every interval while it lasts, and a last one at its end', () => {
    const sink = collector()
    const progress = createProgress('lines', sink, 1000)
    progress.start(3, 3000)
    vi.advanceTimersByTime(1000)
    progress.advance(1000, true)
    vi.advanceTimersByTime(1000)
    progress.advance(1000, false)
    vi.advanceTimersByTime(500)
    progress.advance(1000, true)
    progress.end()
    vi.advanceTimersByTime(5000)
    expect(sink.text().split('\n')).toEqual([
      '0/3 files  0 B/3.0 kB  0 B/s  ETA -',
      '1/3 files  1.0 kB/3.0 kB  500 B/s  ETA 4.0 s',
      '3/3 files  3.0 kB/3.0 kB  800 B/s  ETA -',
      '',
    ])
  })

  it('the output factory picks the mode: lines without a TTY (--json too), none with --quiet, the bar on a TTY; the default interval is 5 s', () => {
    expect(PROGRESS_EVERY_MS).toBe(5000)
    const run = (flags: { json?: boolean; quiet?: boolean }, sink: ReturnType<typeof collector>, env: NodeJS.ProcessEnv = {}) => {
      const progress = createOutput({ json: false, quiet: false, verbose: false, ...flags }, { stderr: sink, stdout: collector(), progressEveryMs: 100, env }).progress()
      progress.start(1, 10)
      vi.advanceTimersByTime(250)
      progress.advance(10, true)
      progress.end()
      return sink.text()
    }
    expect(run({}, collector())).toBe('0/1 files  0 B/10 B  0 B/s  ETA -\n'.repeat(2) + '1/1 files  10 B/10 B  40 B/s  ETA -\n')
    expect(run({ json: true }, collector())).toContain('1/1 files')
    expect(run({ quiet: true }, collector())).toBe('')
    const onTerminal = run({}, collector(true))
    expect(onTerminal).toContain('\r[########################] 1/1 files')
    expect(onTerminal).not.toContain('\n')
    // A CI log claiming a TTY still gets plain lines: a redrawn bar would smear into one long line.
    expect(run({}, collector(true), { CI: 'true' })).toContain('1/1 files  10 B/10 B  40 B/s  ETA -\n')
  })
})

describe('lines printed during a run', () => {
  it('on a terminal, a line printed while the bar is shown goes above it: the bar is cleared, then drawn again below', () => {
    const sink = collector(true)
    const output = createOutput({ json: false, quiet: false, verbose: true }, { stderr: sink, stdout: collector(), env: {} })
    output.info('before any bar')
    const progress = output.progress()
    progress.start(2, 20)
    output.info('Wix is rate-limiting API calls')
    output.detail('retry    a.png: boom')
    output.error(new WixMediaError('WIX_MEDIA_FILE', 'gone', { file: 'b.png' }))
    progress.advance(10, true)
    progress.end()
    output.info('after the bar')
    const clear = '\r\u001b[K'
    const bar = (done: number) => new RegExp(`^\\r\\[[#.]{24}\\] ${done}/2 files .*\\u001b\\[K$`)
    const writes = sink.text().split(/(?=\r)|(?<=\n)/)
    expect(writes[0]).toBe('before any bar\n')
    expect(writes[1]).toMatch(bar(0))
    // Each line: the bar cleared, the line, the bar again (only the line ends with a newline).
    expect(writes.slice(2, 8)).toEqual([
      `${clear}Wix is rate-limiting API calls\n`, expect.stringMatching(bar(0)),
      `${clear}retry    a.png: boom\n`, expect.stringMatching(bar(0)),
      `${clear}error WIX_MEDIA_FILE: b.png: gone\n`, expect.stringMatching(bar(0)),
    ])
    // The bar is redrawn at most every 100 ms: the next write clears it for good.
    expect(writes.slice(8)).toEqual([`${clear}after the bar\n`])
  })
})
