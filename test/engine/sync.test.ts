/**
 * Whole-project syncs against the emulator over real HTTP on 127.0.0.1: each content hash is
 * uploaded once, warm runs make no call, renames and copies cost nothing, a lost lockfile is
 * re-adopted, a killed run leaves a valid lockfile, concurrent runs end with the union, and uploads
 * are READY (or reported as failed) before a sync returns.
 */
import { createHash } from 'node:crypto'
import { spawn } from 'node:child_process'
import { copyFile, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createEngine } from '../../src/core/engine.ts'
import { isWixMediaError } from '../../src/core/errors.ts'
import { hashFromLabels } from '../../src/core/record.ts'
import { syncFiles } from '../../src/core/sync.ts'
import { mp4, pdf, png, svg, timedMp4, wav } from '../support/media.ts'
import {
  cliEnv, countRoute, LOCKFILE, optionsFor, pathsInLock, readLock, routeCounts, sleep, syncProject, until, useFixtures, type Tree,
} from '../support/project.ts'

const fixtures = useFixtures()

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

/** A small tree: five distinct contents, one of them at two paths. */
function tree(): Tree {
  return {
    'img/a.png': png(4, 3, 1),
    'img/b.png': png(5, 5, 2),
    'img/copy-of-a.png': png(4, 3, 1),
    'icons/logo.svg': svg(10, 20),
    'docs/guide.pdf': pdf('guide'),
    'media/clip.mp4': mp4(512),
  }
}

function expectedPaths(files: Tree): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, sha256(bytes)] as const).sort(([a], [b]) => (a < b ? -1 : 1)))
}

describe('sync: each content hash uploads once', () => {
  it('a cold sync uploads every distinct content once and records every path', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    expect({ files: report.files, uploaded: report.uploaded, reused: report.reused, adopted: report.adopted }).toEqual({
      files: 6, uploaded: 5, reused: 1, adopted: 0,
    })
    // One folder lookup (the managed folder does not exist yet), then one URL and one PUT per content.
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 1, generateUploadUrl: 5, upload: 5 })
    expect(report.requests).toBe(11)
    expect(report.uploadedBytes).toBe(Object.entries(files).filter(([path]) => path !== 'img/copy-of-a.png').reduce((sum, [, bytes]) => sum + bytes.length, 0))

    const lock = await readLock(root)
    expect(lock.siteId).toBe(emulator.siteId)
    expect(pathsInLock(lock)).toEqual(expectedPaths(files))
    expect(emulator.files()).toHaveLength(5)
    for (const [hash, entry] of Object.entries(lock.files)) {
      const local = Object.entries(files).find(([path]) => entry.paths[0] === path)![1]
      expect(sha256(await emulator.readFile(entry.id))).toBe(hash)
      expect(entry.size).toBe(local.length)
      expect(entry.url.startsWith(`${emulator.url}/`)).toBe(true)
    }
    const image = lock.files[sha256(files['img/a.png']!)]!
    expect({ mediaType: image.mediaType, mimeType: image.mimeType, width: image.width, height: image.height, paths: image.paths })
      .toEqual({ mediaType: 'IMAGE', mimeType: 'image/png', width: 4, height: 3, paths: ['img/a.png', 'img/copy-of-a.png'] })
    expect(image.uri).toBe(`wix:image://v1/${image.id}/a.png#originWidth=4&originHeight=3`)
    // Every upload carries its hash label and lands in the managed folder.
    for (const file of emulator.files()) expect(lock.files[hashFromLabels(file.labels)!]?.id).toBe(file.id)
  })

  it('a warm re-run makes zero API calls and leaves the lockfile byte-identical', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    await syncProject(emulator, root)
    const before = await readFile(join(root, LOCKFILE), 'utf8')
    emulator.clearRequests()

    const { report } = await syncProject(emulator, root)

    expect(emulator.requests()).toEqual([])
    expect(report.requests).toBe(0)
    expect({ uploaded: report.uploaded, reused: report.reused, adopted: report.adopted, errors: report.errors, stale: report.stale })
      .toEqual({ uploaded: 0, reused: 6, adopted: 0, errors: [], stale: [] })
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(before)
  })

  it('a changed file uploads once; its old content becomes a stale entry', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    await syncProject(emulator, root)
    emulator.clearRequests()
    const changed = png(5, 5, 99)
    await writeFile(join(root, 'img/b.png'), changed)

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    expect({ uploaded: report.uploaded, reused: report.reused, adopted: report.adopted }).toEqual({ uploaded: 1, reused: 5, adopted: 0 })
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 1, listFiles: 1, generateUploadUrl: 1, upload: 1 })
    expect(report.stale).toEqual([sha256(files['img/b.png']!)])
    const lock = await readLock(root)
    expect(pathsInLock(lock)).toEqual(expectedPaths({ ...files, 'img/b.png': changed }))
    expect(lock.files[sha256(files['img/b.png']!)]!.paths).toEqual([])
    expect(sha256(await emulator.readFile(lock.files[sha256(changed)]!.id))).toBe(sha256(changed))
  })

  it('a renamed or copied file uploads nothing and makes no call; the lockfile follows the paths', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    await syncProject(emulator, root)
    const idsBefore = Object.fromEntries(Object.entries((await readLock(root)).files).map(([hash, entry]) => [hash, entry.id]))
    emulator.clearRequests()
    await rename(join(root, 'img/a.png'), join(root, 'img/renamed.png'))
    await copyFile(join(root, 'icons/logo.svg'), join(root, 'icons/logo-copy.svg'))

    const { report } = await syncProject(emulator, root)

    expect(emulator.requests()).toEqual([])
    expect({ uploaded: report.uploaded, reused: report.reused, adopted: report.adopted, stale: report.stale })
      .toEqual({ uploaded: 0, reused: 7, adopted: 0, stale: [] })
    const lock = await readLock(root)
    expect(Object.fromEntries(Object.entries(lock.files).map(([hash, entry]) => [hash, entry.id]))).toEqual(idsBefore)
    expect(lock.files[sha256(files['img/a.png']!)]!.paths).toEqual(['img/copy-of-a.png', 'img/renamed.png'])
    expect(lock.files[sha256(files['icons/logo.svg']!)]!.paths).toEqual(['icons/logo-copy.svg', 'icons/logo.svg'])
    expect(emulator.files()).toHaveLength(5)
  })

  it('hosting files one by one (as builds do), an edited file\'s path leaves the entry of its old content', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    await syncProject(emulator, root)
    const changed = png(5, 5, 98)
    await writeFile(join(root, 'img/b.png'), changed)

    // No whole-tree reconcile here: one file inspected and hosted, as the plugin does for each import.
    const engine = await createEngine(optionsFor(emulator, root))
    await engine.host(await engine.inspect('img/b.png'))
    await engine.flush()

    const lock = await readLock(root)
    expect(lock.files[sha256(files['img/b.png']!)]!.paths).toEqual([])
    expect(lock.files[sha256(changed)]!.paths).toEqual(['img/b.png'])
    expect(pathsInLock(lock)).toEqual(expectedPaths({ ...files, 'img/b.png': changed }))
  })

  it('a frozen run leaves the lockfile byte for byte as it was, though a copied file adds a path', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    await syncProject(emulator, root)
    const before = await readFile(join(root, LOCKFILE), 'utf8')
    await copyFile(join(root, 'img/b.png'), join(root, 'img/b-copy.png'))

    const { report } = await syncProject(emulator, root, { frozen: true })
    const engine = await createEngine(optionsFor(emulator, root, { frozen: true }))
    const hosted = await engine.host(await engine.inspect('img/b-copy.png'))
    await engine.flush()

    expect({ errors: report.errors, uploaded: report.uploaded, reused: report.reused }).toEqual({ errors: [], uploaded: 0, reused: 7 })
    expect(hosted.outcome).toBe('reused')
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(before)
    // Unfrozen, the copy's path is recorded.
    await syncProject(emulator, root)
    expect((await readLock(root)).files[sha256(png(5, 5, 2))]!.paths).toEqual(['img/b-copy.png', 'img/b.png'])
  })

  it('with the lockfile deleted, every file is adopted by its hash label, not uploaded again', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    await syncProject(emulator, root)
    const before = await readLock(root)
    await rm(join(root, LOCKFILE))
    emulator.clearRequests()

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    expect({ uploaded: report.uploaded, reused: report.reused, adopted: report.adopted }).toEqual({ uploaded: 0, reused: 1, adopted: 5 })
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 1, listFiles: 1 })
    expect(await readLock(root)).toEqual(before)
    expect(emulator.files()).toHaveLength(5)
  })
})

describe('sync: concurrent runs share one lockfile', () => {
  it('two engines syncing disjoint sets into the same lockfile at once both finish, and the lockfile holds the union', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 30 } })
    const files: Tree = {}
    for (let i = 0; i < 6; i++) {
      files[`a/${i}.png`] = png(3, 3, 100 + i)
      files[`b/${i}.png`] = png(3, 3, 200 + i)
    }
    const root = await fixtures.project(files)
    const options = optionsFor(emulator, root, { concurrency: 2 })
    const [first, second] = await Promise.all([createEngine(options), createEngine(options)])
    const all = Object.keys(files).sort()

    const [one, two] = await Promise.all([
      syncFiles(first, all.filter((path) => path.startsWith('a/'))),
      syncFiles(second, all.filter((path) => path.startsWith('b/'))),
    ])

    expect([one.uploaded, one.errors, two.uploaded, two.errors]).toEqual([6, [], 6, []])
    const lock = await readLock(root)
    expect(pathsInLock(lock)).toEqual(expectedPaths(files))
    expect(Object.keys(lock.files)).toHaveLength(12)
    expect(countRoute(emulator, 'upload')).toBe(12)
  })

  it('a run that read the lockfile and listed the managed folder before another one uploaded the same files uploads none of them again', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    const options = optionsFor(emulator, root)
    const paths = Object.keys(files)
    // The later run has started: lockfile read (there is none yet), managed folder listed (empty).
    const later = await createEngine(options)
    const { assets } = await later.inspectAll(paths)
    expect(await later.plan(assets[0]!, true)).toBe('upload')

    const earlier = await createEngine(options)
    const first = await syncFiles(earlier, paths)
    expect([first.uploaded, first.errors]).toEqual([5, []])
    const uploads = countRoute(emulator, 'upload')

    const second = await syncFiles(later, paths)
    expect([second.uploaded, second.adopted, second.reused, second.errors]).toEqual([0, 0, 6, []])
    expect(countRoute(emulator, 'upload')).toBe(uploads)
    expect(emulator.files()).toHaveLength(5)
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths(files))
  })

  it('a queued upload looks at the lockfile when its turn comes: what another run recorded meanwhile is reused, not uploaded again', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 120 } })
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`img/${i}.png`, png(5, 5, 300 + i)]))
    const root = await fixtures.project(files)
    const paths = Object.keys(files)
    // The slow run: one upload at a time; all six are queued at once.
    const slow = await createEngine(optionsFor(emulator, root, { concurrency: 1 }))
    const slowRun = syncFiles(slow, paths)
    await until(() => countRoute(emulator, 'upload') >= 1, 'the slow run\'s first upload')
    // Meanwhile a fast run uploads and records all six.
    const fast = await syncFiles(await createEngine(optionsFor(emulator, root, { concurrency: 6 })), paths)
    expect(fast.errors).toEqual([])

    const late = await slowRun
    expect(late.errors).toEqual([])
    // The slow run's first upload was under way, and perhaps its second; the rest were reused.
    expect(late.uploaded).toBeLessThanOrEqual(2)
    expect(late.reused + late.uploaded + late.adopted).toBe(6)
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths(files))
  })

  it('two `wix-media sync` processes on overlapping sets both exit 0, and the lockfile holds the union of both', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 40 } })
    const files: Tree = {}
    for (const dir of ['a', 'b', 'c']) for (let i = 0; i < 4; i++) files[`${dir}/${i}.png`] = png(3, 3, dir.charCodeAt(0) * 10 + i)
    const root = await fixtures.project(files)
    const env = cliEnv(emulator)

    const [one, two] = await Promise.all([
      fixtures.runCli(['sync', 'a/*.png', 'b/*.png', '--concurrency', '2'], root, env),
      fixtures.runCli(['sync', 'b/*.png', 'c/*.png', '--concurrency', '2'], root, env),
    ])

    expect([one.code, two.code], one.stderr + two.stderr).toEqual([0, 0])
    const lock = await readLock(root)
    expect(pathsInLock(lock)).toEqual(expectedPaths(files))
    // Whatever process recorded an entry last, it names a file the Media Manager has with those bytes.
    const stored = new Map(emulator.files().map((file) => [file.id, file]))
    for (const [hash, entry] of Object.entries(lock.files)) expect(hashFromLabels(stored.get(entry.id)?.labels)).toBe(hash)
    // a/ and c/ were each uploaded by one process; b/ at most once by each.
    const uploads = countRoute(emulator, 'upload')
    expect(uploads).toBeGreaterThanOrEqual(12)
    expect(uploads).toBeLessThanOrEqual(16)
  })
})

describe('sync: a killed run', () => {
  it('SIGKILL mid-run leaves a valid lockfile, and the re-run uploads exactly the files that never reached the Media Manager', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 200 } })
    const files: Tree = {}
    for (let i = 0; i < 16; i++) files[`img/${String(i).padStart(2, '0')}.png`] = png(6, 6, 500 + i)
    const root = await fixtures.project(files)
    const cli = fixtures.spawnCli(['sync', '--concurrency', '2'], root, cliEnv(emulator))

    let recorded = 0
    await until(async () => {
      recorded = await readLock(root).then((data) => Object.keys(data.files).length, () => 0)
      return recorded >= 1
    }, 'a first lockfile entry')
    cli.child.kill('SIGKILL')
    const killed = await cli.done
    expect(killed.signal).toBe('SIGKILL')

    const after = await readLock(root) // parses: the write is atomic
    const kept = Object.keys(after.files).length
    expect(kept).toBeGreaterThanOrEqual(1)
    expect(kept).toBeLessThan(16)
    for (const [hash, entry] of Object.entries(after.files)) expect(sha256(files[entry.paths[0]!]!)).toBe(hash)

    // Uploads whose bodies had fully arrived still finish in the emulator: wait for them to settle.
    await sleep(400)
    await until(() => emulator.stats().uploadsInFlight === 0, 'the emulator to settle')
    const inMediaManager = new Set(emulator.files().map((file) => hashFromLabels(file.labels)))
    emulator.clearRequests()

    const rerun = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))

    expect(rerun.code, rerun.stderr).toBe(0)
    const summary = JSON.parse(rerun.stdout) as { uploaded: number; adopted: number; reused: number; errors: unknown[] }
    expect(summary).toMatchObject({ uploaded: 16 - inMediaManager.size, adopted: inMediaManager.size - kept, reused: kept, errors: [] })
    expect(countRoute(emulator, 'upload')).toBe(16 - inMediaManager.size)
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths(files))
  })

  it('a lock left behind by a killed process (its pid gone) is taken over at once, not after it goes stale', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'a.png': png(2, 2, 1), 'b.png': png(2, 2, 2) })
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    const pid = dead.pid!
    await new Promise((resolve) => dead.once('exit', resolve))
    const lock = join(root, `${LOCKFILE}.lock`)
    await writeFile(lock, String(pid))
    // Dated in the future, so that age alone would never make it stale: only the dead pid can free it.
    const future = new Date(Date.now() + 3_600_000)
    await utimes(lock, future, future)

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    expect(report.uploaded).toBe(2)
    expect(Object.keys((await readLock(root)).files)).toHaveLength(2)
    await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('sync: lockfile problems are clear errors and leave the file alone', () => {
  const cases: [string, (siteId: string) => string, RegExp][] = [
    ['corrupt JSON', () => '{ "version": 1, "files": {', /not valid JSON/],
    ['merge-conflict markers', (site) => `{\n  "version": 1,\n  "siteId": "${site}",\n<<<<<<< HEAD\n  "files": {}\n=======\n  "files": {}\n>>>>>>> other\n}\n`, /merge conflict markers/],
    ["another site's lockfile", () => '{\n  "version": 1,\n  "siteId": "some-other-site",\n  "files": {}\n}\n', /belongs to site some-other-site/],
    ['a newer schema', (site) => `{\n  "version": 2,\n  "siteId": "${site}",\n  "files": {}\n}\n`, /schema version 2, newer than this tool's 1/],
  ]
  it.each(cases)('%s: createEngine rejects with WIX_MEDIA_LOCKFILE naming the file; nothing is written or sent', async (_name, text, reason) => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'a.png': png(2, 2, 1) })
    const content = text(emulator.siteId)
    await writeFile(join(root, LOCKFILE), content)

    const error: unknown = await createEngine(optionsFor(emulator, root)).then(() => undefined, (caught: unknown) => caught)

    expect(isWixMediaError(error, 'WIX_MEDIA_LOCKFILE')).toBe(true)
    const { message, file } = error as { message: string; file: string }
    // Named as the project sees it: relative to the root.
    expect(file).toBe(LOCKFILE)
    expect(message.startsWith(`${LOCKFILE}: `)).toBe(true)
    expect(message).toMatch(reason)
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(content)
    expect(emulator.requests()).toEqual([])
  })
})

describe('sync: readiness', () => {
  it('a video is READY before sync returns: the engine polled get-file-by-id until processing ended', async () => {
    const emulator = await fixtures.emulator({ processingMs: { VIDEO: 400 } })
    const root = await fixtures.project({ 'media/intro.mp4': mp4(2048), 'img/poster.png': png(8, 8, 3) })

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    expect(report.uploaded).toBe(2)
    const video = emulator.files().find((file) => file.mediaType === 'VIDEO')!
    expect(video.operationStatus).toBe('READY')
    const lock = await readLock(root)
    expect(lock.files[sha256(mp4(2048))]).toMatchObject({ id: video.id, mediaType: 'VIDEO', paths: ['media/intro.mp4'] })
    const log = emulator.requests()
    const polls = log.filter((entry) => entry.route === 'getFile')
    expect(polls.length).toBeGreaterThanOrEqual(1)
    for (const poll of polls) expect(poll.path).toContain(encodeURIComponent(video.id))
    // The last poll (the one that saw READY) came at least the processing time after the upload.
    const videoUpload = log.find((entry) => entry.route === 'upload' && entry.path.includes('filename=intro.mp4'))!
    expect(videoUpload.status).toBe(200)
    expect(Date.parse(polls.at(-1)!.time) - Date.parse(videoUpload.time)).toBeGreaterThanOrEqual(400 - 50)
  })

  it('a file that fails processing is reported as WIX_MEDIA_PROCESSING, named, and not recorded; the others are', async () => {
    const emulator = await fixtures.emulator({ failProcessing: ['bad.png'] })
    const files = { 'img/bad.png': png(4, 4, 1), 'img/good.png': png(4, 4, 2), 'docs/ok.pdf': pdf('ok') }
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root)

    expect(report.errors.map((error) => [error.code, error.file])).toEqual([['WIX_MEDIA_PROCESSING', 'img/bad.png']])
    expect(report.errors[0]!.message).toMatch(/^img\/bad\.png: the Media Manager could not process file .+ \(operationStatus FAILED\)/)
    // `uploaded` counts what is hosted and recorded: not the file Wix could not process.
    expect([report.uploaded, report.processing]).toEqual([2, 0])
    const lock = await readLock(root)
    expect(pathsInLock(lock)).toEqual(expectedPaths({ 'img/good.png': files['img/good.png'], 'docs/ok.pdf': files['docs/ok.pdf'] }))
  })
})

describe('sync: maxDuration', () => {
  it('video and audio longer than their limit are refused before any upload, named with their length; the rest upload', async () => {
    const emulator = await fixtures.emulator({ processingMs: { VIDEO: 0, AUDIO: 0 } })
    const files = {
      'media/talk.mp4': timedMp4(754.2, 256, 1), 'media/teaser.mp4': timedMp4(30, 256, 2),
      'media/song.wav': wav(12.5, 1), 'media/jingle.wav': wav(3, 2),
      // Headers that say no length: left to Wix.
      'media/unknown.mp4': mp4(300),
    }
    const root = await fixtures.project(files)

    const warnings: string[] = []
    const { report } = await syncProject(emulator, root, { maxDuration: { VIDEO: 600, AUDIO: 10 } }, { onWarning: (message) => warnings.push(message) })

    expect(report.errors.map((error) => [error.code, error.file, error.message])).toEqual([
      ['WIX_MEDIA_FILE', 'media/song.wav', 'media/song.wav: is 12.5 s long, over the 10.0 s limit for audio (maxDuration.AUDIO). ' +
        'Trim it, exclude it, or raise `maxDuration` if your Wix plan allows longer media'],
      ['WIX_MEDIA_FILE', 'media/talk.mp4', expect.stringMatching(/^media\/talk\.mp4: is 12 min 34 s long, over the 10 min 0 s limit for video \(maxDuration\.VIDEO\)\. /)],
    ])
    expect(emulator.files().map((file) => file.displayName).sort()).toEqual(['jingle.wav', 'teaser.mp4', 'unknown.mp4'])
    expect(warnings).toEqual(['media/unknown.mp4: its length cannot be read from its headers, so maxDuration.VIDEO was not checked (Wix checks its own limits)'])
    expect(Object.keys(pathsInLock(await readLock(root))).sort()).toEqual(['media/jingle.wav', 'media/teaser.mp4', 'media/unknown.mp4'])

    // No limit, no check: the same files all upload.
    const again = await syncProject(emulator, root)
    expect([again.report.errors, again.report.uploaded]).toEqual([[], 2])
  })
})

