/**
 * What `wix-media sync` prints, run in-process (`sync()` from src/cli/commands/sync.ts with an
 * output that collects) against the emulator: plain progress lines in a log during a slow run
 * (a shortened interval), one `--verbose` line per file, and the summary of an interrupted run.
 */
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sync } from '../../src/cli/commands/sync.ts'
import { createOutput, type Sink } from '../../src/cli/output.ts'
import { mp4, png } from '../support/media.ts'
import { countRoute, optionsFor, readLock, settle, until, useFixtures, type Tree } from '../support/project.ts'

const fixtures = useFixtures()

function collector(isTTY = false): Sink & { text: () => string } {
  const chunks: string[] = []
  return { isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') }
}

function images(count: number): Tree {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`media/${String(i).padStart(2, '0')}.png`, png(4, 4, i + 1)]))
}

const PROGRESS_LINE = /^\d+\/\d+ files {2}\S+ k?B\/\S+ k?B {2}\S+ k?B\/s {2}ETA .+$/

describe('sync output', () => {
  it('without a TTY, a slow run prints a progress line every interval and a last one at its end; a fast run none', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 80 } })
    const root = await fixtures.project(images(6))
    const stderr = collector()
    const output = createOutput({ json: false, quiet: false, verbose: false }, { stderr, stdout: collector(), progressEveryMs: 100 })

    expect(await sync(optionsFor(emulator, root, { concurrency: 1 }), output)).toBe(0)

    const lines = stderr.text().trimEnd().split('\n')
    const progress = lines.filter((line) => PROGRESS_LINE.test(line))
    // 6 uploads one at a time, ≥ 80 ms each: ≥ 480 ms, so a line at 100, 200, 300 and 400 ms and a last one
    // (a loaded machine may skip a tick).
    expect(progress.length, stderr.text()).toBeGreaterThanOrEqual(3)
    expect(progress.at(-1)).toMatch(/^6\/6 files /)
    expect(lines.at(-1)).toMatch(/^6 uploaded \(.+\), 0 adopted, 0 unchanged in /)
    expect(lines).toEqual([...progress, lines.at(-1)])

    // The same output settings, a run far shorter than the interval: the summary only.
    const quick = collector()
    const quickOutput = createOutput({ json: false, quiet: false, verbose: false }, { stderr: quick, stdout: collector(), progressEveryMs: 60_000 })
    expect(await sync(optionsFor(emulator, root), quickOutput)).toBe(0)
    expect(quick.text()).toMatch(/^0 uploaded \(0 B\), 0 adopted, 6 unchanged in [^\n]+\n$/)
  })

  it('on a terminal, the bar shows the files being hashed, then the uploads; files the stat cache knows are not hashed again', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(images(3))
    // Files older than a timestamp tick: the first run's hashes go into the stat cache.
    await settle()
    const run = async () => {
      const stderr = collector(true)
      const output = createOutput({ json: false, quiet: false, verbose: false }, { stderr, stdout: collector(), env: {} })
      expect(await sync(optionsFor(emulator, root), output)).toBe(0)
      return stderr.text()
    }
    const cold = await run()
    const hashing = cold.indexOf('] hashing 0/3 files  0 B/')
    const hosting = cold.indexOf('] 0/3 files  0 B/')
    expect([hashing >= 0, hosting > hashing]).toEqual([true, true])
    expect(cold).toContain('] hashing 3/3 files')
    // Nothing to hash, nothing to upload: no bar at all.
    const warm = await run()
    expect(warm).not.toMatch(/\[[#.]+\]/)
    // One new file beside two the lockfile has: the bar counts the one that needs the network.
    await writeFile(join(root, 'media/new.png'), png(4, 4, 99))
    const one = await run()
    expect(one).toContain('] hashing 0/1 files')
    expect(one).toContain('] 1/1 files')
    expect(one).not.toMatch(/\/[34] files/)
  })

  it('--verbose prints one line per file, whatever its outcome, also when answered from the last sync', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'media/a.png': png(4, 4, 1), 'media/b.png': png(4, 4, 2), 'media/b-copy.png': png(4, 4, 2) })
    const verbose = () => {
      const stderr = collector()
      return { stderr, output: createOutput({ json: false, quiet: false, verbose: true }, { stderr, stdout: collector() }) }
    }
    const perFile = (text: string) => text.split('\n').filter((line) => /^(uploaded|adopted|reused) /.test(line)).map((line) => line.replace(/ → .*$/, '')).sort()

    const cold = verbose()
    expect(await sync(optionsFor(emulator, root), cold.output)).toBe(0)
    // b.png and b-copy.png hold the same bytes: one of them is uploaded, the other reuses it.
    const coldLines = perFile(cold.stderr.text())
    expect(coldLines.map((line) => line.replace(/ .*$/, '')).sort()).toEqual(['reused', 'uploaded', 'uploaded'])
    expect(coldLines.map((line) => line.replace(/^.* /, '')).sort()).toEqual(['media/a.png', 'media/b-copy.png', 'media/b.png'])

    // The lockfile is too fresh to stamp: this run is a full one (the engine reuses every file) and records.
    await settle()
    const full = verbose()
    expect(await sync(optionsFor(emulator, root), full.output)).toBe(0)
    expect(perFile(full.stderr.text())).toEqual(['reused   media/a.png', 'reused   media/b-copy.png', 'reused   media/b.png'])
    expect(full.stderr.text()).toMatch(/^reused {3}media\/a\.png → http:\/\/127\.0\.0\.1:\d+\//m)

    const fromRecord = verbose()
    expect(await sync(optionsFor(emulator, root), fromRecord.output)).toBe(0)
    expect(fromRecord.stderr.text()).toContain('Every file is as the last sync left it')
    expect(perFile(fromRecord.stderr.text())).toEqual(['reused   media/a.png', 'reused   media/b-copy.png', 'reused   media/b.png'])
  })

  it('tells of Wix\'s rate limit as it slows the run down, of each retry with --verbose, and sums both up', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'generateUploadUrl', sequence: [429, 429] })
    emulator.faults.add({ route: 'upload', sequence: [503] })
    const root = await fixtures.project(images(3))
    const run = async (verbose: boolean) => {
      const stderr = collector()
      const stdout = collector()
      expect(await sync(optionsFor(emulator, root), createOutput({ json: true, quiet: false, verbose }, { stderr, stdout }))).toBe(0)
      return { lines: stderr.text().trimEnd().split('\n'), report: JSON.parse(stdout.text()) as Record<string, unknown> }
    }

    const { lines, report } = await run(true)
    // One note however many 429s: the calls refused together cut the pace once, and notes come 10 s apart at most.
    expect(lines.filter((line) => line.startsWith('Wix is rate-limiting'))).toEqual(['Wix is rate-limiting API calls: slowing down to 1200 a minute'])
    expect(lines.filter((line) => line.startsWith('retry '))).toEqual([
      expect.stringMatching(/^retry {4}media\/0\d\.png: .+ \(HTTP 503\); attempt 2 of 4 in \d+ ms$/),
    ])
    expect(lines.at(-1)).toMatch(/^3 uploaded \(.+\), 0 adopted, 0 unchanged in .+ \(1 retry\); Wix's rate limit slowed API calls down to 1200 a minute$/)
    expect(report).toMatchObject({ uploaded: 3, retries: 1, slowestPerMinute: 1200 })

    // Nothing held it back: neither is said.
    await writeFile(join(root, 'media/new.png'), png(4, 4, 77))
    const calm = await run(false)
    expect(calm.lines).toEqual([expect.stringMatching(/^1 uploaded \(.+\), 0 adopted, 3 unchanged in [^;(]+$/)])
    expect(calm.report).toMatchObject({ uploaded: 1, retries: 0, slowestPerMinute: null })
  })

  it('a cache folder that cannot be written fails nothing: one warning, the lockfile written, exit 0, --json intact', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ ...images(3), 'blocker': 'a file where the cache folder would be' })
    const options = optionsFor(emulator, root, { cacheDir: join(root, 'blocker/cache') })
    // Files older than a timestamp tick, so that their hashes are worth caching.
    await settle()
    const run = async () => {
      const stderr = collector()
      const stdout = collector()
      expect(await sync(options, createOutput({ json: true, quiet: false, verbose: false }, { stderr, stdout }))).toBe(0)
      return { lines: stderr.text().trimEnd().split('\n'), report: JSON.parse(stdout.text()) as Record<string, unknown> }
    }

    const cold = await run()
    expect(cold.lines.filter((line) => line.startsWith('warning: '))).toEqual([
      'warning: the cache folder blocker/cache cannot be written (ENOTDIR): the next sync reads and hashes every file again. ' +
        'Make it writable, or point `cacheDir` at a folder that is',
    ])
    expect(cold.report).toMatchObject({ uploaded: 3, errors: [] })
    expect(Object.keys((await readLock(root)).files)).toHaveLength(3)
    // The next run works as well: nothing to upload.
    const warm = await run()
    expect(warm.report).toMatchObject({ uploaded: 0, reused: 3, errors: [] })
  })

  it('a lockfile that cannot be written after the uploads: the summary still says what was uploaded, the error what is not recorded', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 150 } })
    const root = await fixtures.project(images(3))
    const options = optionsFor(emulator, root, { lockfile: join(root, 'locks/wix-media.lock.json'), concurrency: 1 })
    const stderr = collector()
    const stdout = collector()
    let blocked = false
    const output = createOutput({ json: true, quiet: false, verbose: false }, { stderr, stdout })
    // The lockfile's folder turns into a file once the uploads are under way: no write can succeed.
    const blocking = until(() => countRoute(emulator, 'upload') >= 1, 'an upload').then(async () => {
      await rm(join(root, 'locks'), { recursive: true, force: true })
      await writeFile(join(root, 'locks'), 'not a folder')
      blocked = true
    })

    expect(await sync(options, output)).toBe(1)
    await blocking
    expect(blocked).toBe(true)
    const lines = stderr.text().trimEnd().split('\n')
    expect(lines).toContainEqual(expect.stringMatching(
      /^error WIX_MEDIA_LOCKFILE: locks\/wix-media\.lock\.json: the lockfile's folder cannot be created \(E\w+\); \d+ changes? (is|are) not recorded \(files uploaded by this run are adopted by the next sync, not uploaded again\)/))
    expect(lines.at(-1)).toMatch(/^3 uploaded \(.+\), 0 adopted, 0 unchanged, 1 failed in /)
    expect(JSON.parse(stdout.text())).toMatchObject({ uploaded: 3, errors: [{ code: 'WIX_MEDIA_LOCKFILE' }] })
  })

  it('stopped while Wix processes an upload, it does not count it as recorded, says so, and the next sync adopts it', async () => {
    const emulator = await fixtures.emulator({ processingMs: { VIDEO: 1_500 } })
    const root = await fixtures.project({ 'media/clip.mp4': mp4(4096) })
    const stderr = collector()
    const stdout = collector()
    const stop = new AbortController()
    const running = sync(optionsFor(emulator, root), createOutput({ json: true, quiet: false, verbose: false }, { stderr, stdout }), stop.signal)
    // The upload is done when the run starts asking Wix whether the file is ready.
    await until(() => countRoute(emulator, 'getFile') >= 1, 'a readiness poll')
    stop.abort()

    expect(await running).toBe(130)
    // Nothing recorded: no lockfile to name.
    expect(stderr.text()).toMatch(/^interrupted: nothing uploaded or adopted yet; 1 uploaded but still processing, not recorded \(the next sync adopts it\); run `wix-media sync` again to finish$/m)
    expect(JSON.parse(stdout.text())).toMatchObject({ interrupted: true, uploaded: 0, processing: 1 })
    await expect(readLock(root)).rejects.toThrow(/ENOENT/)

    // The next sync adopts the file once Wix is done with it: nothing is uploaded twice.
    const next = collector()
    expect(await sync(optionsFor(emulator, root), createOutput({ json: true, quiet: false, verbose: false }, { stderr: collector(), stdout: next }))).toBe(0)
    expect(JSON.parse(next.text())).toMatchObject({ uploaded: 0, adopted: 1, processing: 0 })
    expect(emulator.files()).toHaveLength(1)
  })

  it('stopped mid-run, it records the finished uploads and says how many, without an error per aborted file', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 150 } })
    const root = await fixtures.project(images(10))
    const stderr = collector()
    const stdout = collector()
    const output = createOutput({ json: true, quiet: false, verbose: false }, { stderr, stdout })
    const stop = new AbortController()

    const running = sync(optionsFor(emulator, root, { concurrency: 1 }), output, stop.signal)
    await until(() => countRoute(emulator, 'upload') >= 2, 'two uploads')
    stop.abort()

    expect(await running).toBe(130)
    const summary = /^interrupted: (\d+) uploaded \(.+\) and 0 adopted, recorded in \S*wix-media\.lock\.json; run `wix-media sync` again to finish$/m
    expect(stderr.text()).toMatch(summary)
    expect(stderr.text()).not.toContain('error')
    const uploaded = Number(summary.exec(stderr.text())![1])
    expect(uploaded).toBeGreaterThanOrEqual(1)
    expect(uploaded).toBeLessThan(10)
    expect(Object.keys((await readLock(root)).files)).toHaveLength(uploaded)
    expect(JSON.parse(stdout.text())).toMatchObject({ interrupted: true, uploaded, errors: [] })
  })
})
