/**
 * A sync against a misbehaving Media Manager (the emulator's injected faults, over real HTTP on
 * 127.0.0.1): 429 storms, 5xx, resets and stalls are retried until every file is recorded;
 * `Retry-After` is waited out; 400s carry Wix's rule name and the file; large files go through TUS
 * and resume; and no more transfers are in flight than `concurrency`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Emulator, FaultAction, RequestLogEntry, RouteName } from '../../src/emulator/index.ts'
import { mp4, pdf, png } from '../support/media.ts'
import type { LocalAsset } from '../../src/core/inspect.ts'
import type { WixMediaOptions } from '../../src/core/options.ts'
import { hashLabel } from '../../src/core/record.ts'
import { maxOverlap, pathsInLock, readLock, routeCounts, settle, syncProject, useFixtures, type Tree } from '../support/project.ts'

const fixtures = useFixtures()

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

function expectedPaths(files: Tree): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, sha256(bytes)] as const).sort(([a], [b]) => (a < b ? -1 : 1)))
}

function images(count: number, seed = 0): Tree {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`img/${i}.png`, png(4, 4, seed + i)] as const))
}

function faulted(emulator: Emulator): string[] {
  return emulator.requests().filter((entry) => entry.fault !== undefined).map((entry) => `${entry.route}:${entry.fault}`)
}

/** Every stored file holds the bytes of one project file, and every project file is stored once. */
async function expectStoredOnce(emulator: Emulator, files: Tree): Promise<void> {
  const stored = await Promise.all(emulator.files().map(async (file) => sha256(await emulator.readFile(file.id))))
  expect(stored.sort()).toEqual([...new Set(Object.values(files).map((bytes) => sha256(bytes)))].sort())
}

function arrivals(emulator: Emulator, route: RouteName): RequestLogEntry[] {
  return emulator.requests().filter((entry) => entry.route === route)
}

describe('faults: retried until every file is recorded', () => {
  it('a 429 storm on folder lookups, upload URLs and PUTs: every call is retried and every file recorded once', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'listFolders', sequence: [429, 429] })
    emulator.faults.add({ route: 'generateUploadUrl', sequence: [429, 429, 429] })
    emulator.faults.add({ route: 'upload', sequence: [429] })
    const files = images(4)
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root, { attempts: 6 })

    expect(report.errors).toEqual([])
    expect(report.uploaded).toBe(4)
    expect(faulted(emulator).sort()).toEqual([
      ...Array<string>(3).fill('generateUploadUrl:429'), ...Array<string>(2).fill('listFolders:429'), 'upload:429',
    ])
    // A refused PUT starts over with a fresh upload URL.
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 3, generateUploadUrl: 4 + 3 + 1, upload: 4 + 1 })
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths(files))
    await expectStoredOnce(emulator, files)
  })

  const retried: { name: string; seed: number; folders: FaultAction; url: FaultAction; upload: FaultAction[]; faulted: string[] }[] = [
    {
      name: '500, 503 and bare 5xx bodies on every kind of call are retried; every file is recorded once',
      seed: 10, folders: 500, url: 503, upload: [500, 503],
      faulted: ['generateUploadUrl:503', 'listFolders:500', 'upload:500', 'upload:503'],
    },
    {
      name: 'connection resets (before and part-way through a body) are retried; no partial file is stored',
      seed: 20, folders: 'reset', url: 'reset', upload: ['reset', { reset: { afterBytes: 10 } }],
      faulted: ['generateUploadUrl:reset', 'listFolders:reset', 'upload:reset', 'upload:reset'],
    },
  ]
  it.each(retried)('$name', async ({ seed, folders, url, upload, faulted: expected }) => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'listFolders', sequence: [folders] })
    emulator.faults.add({ route: 'generateUploadUrl', sequence: [url] })
    emulator.faults.add({ route: 'upload', sequence: upload })
    const files = images(3, seed)
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    expect(faulted(emulator).sort()).toEqual(expected)
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 2, generateUploadUrl: 3 + 1 + 2, upload: 3 + 2 })
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths(files))
    await expectStoredOnce(emulator, files)
  })

  it('stalls (no answer, or an answer that stops part-way) time out and are retried', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'listFolders', sequence: ['stall-body'] })
    emulator.faults.add({ route: 'upload', sequence: ['stall'] })
    const files = images(3, 30)
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root, { timeout: 800 })

    expect(report.errors).toEqual([])
    expect(faulted(emulator).sort()).toEqual(['listFolders:stall-body', 'upload:stall'])
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 2, generateUploadUrl: 3 + 1, upload: 3 + 1 })
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths(files))
    await expectStoredOnce(emulator, files)
  })
})

describe('faults: Retry-After', () => {
  it('on an API call: the retry comes no sooner than Retry-After says', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'generateUploadUrl', sequence: [{ status: 429, retryAfter: 1 }] })
    const root = await fixtures.project({ 'a.png': png(3, 3, 1) })

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    const [refused, retried, ...rest] = arrivals(emulator, 'generateUploadUrl')
    expect([refused?.status, refused?.fault, retried?.status, rest.length]).toEqual([429, '429', 200, 0])
    expect(Date.parse(retried!.time) - Date.parse(refused!.time)).toBeGreaterThanOrEqual(1000)
  })

  it('on an upload PUT: the next attempt comes no sooner than Retry-After says', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'upload', sequence: [{ status: 429, retryAfter: 1 }] })
    const root = await fixtures.project({ 'a.png': png(3, 3, 1) })

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toEqual([])
    const [refused, retried, ...rest] = arrivals(emulator, 'upload')
    expect([refused?.status, refused?.fault, retried?.status, rest.length]).toEqual([429, '429', 200, 0])
    // The new upload URL is part of the retry: it too must wait.
    const urls = arrivals(emulator, 'generateUploadUrl')
    expect(urls).toHaveLength(2)
    expect(Date.parse(urls[1]!.time) - Date.parse(refused!.time)).toBeGreaterThanOrEqual(1000)
    expect(Date.parse(retried!.time) - Date.parse(refused!.time)).toBeGreaterThanOrEqual(1000)
  })

  it('on a resumable-upload PATCH: the resume (HEAD, then PATCH) comes no sooner than Retry-After says', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'tusPatch', sequence: [{ status: 429, retryAfter: 1 }] })
    const big = pdf('r'.repeat(100_000))
    const root = await fixtures.project({ 'big.pdf': big })

    const { report } = await syncProject(emulator, root, { resumableThreshold: 64 * 1024 })

    expect(report.errors).toEqual([])
    const [refused, resumed, ...rest] = arrivals(emulator, 'tusPatch')
    expect([refused?.status, refused?.fault, resumed?.status, rest.length]).toEqual([429, '429', 204, 0])
    const [head] = arrivals(emulator, 'tusHead')
    expect(Date.parse(head!.time) - Date.parse(refused!.time)).toBeGreaterThanOrEqual(1000)
    expect(routeCounts(emulator.requests())).toMatchObject({ tusCreate: 1, tusHead: 1, tusPatch: 2, tusFinalize: 1 })
    expect((await emulator.readFile(emulator.files()[0]!.id)).equals(big)).toBe(true)
  })
})

describe('faults: refusals carry the rule name and the file', () => {
  it('PDF bytes named x.png: MISMATCH_MIME_TYPE, also after the octet-stream fallback; reported once, not retried further', async () => {
    const emulator = await fixtures.emulator()
    const files = { 'x.png': pdf('not an image'), 'ok.png': png(3, 3, 1) }
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root)

    expect(report.errors).toHaveLength(1)
    const [error] = report.errors
    expect([error!.code, error!.file, error!.status, error!.rule]).toEqual(['WIX_MEDIA_VALIDATION', 'x.png', 400, 'MISMATCH_MIME_TYPE'])
    expect(error!.message).toMatch(/^x\.png: Uploading the file failed: .*\(HTTP 400, MISMATCH_MIME_TYPE, request id [^)]+\)\. The file's extension does not match its content/)
    // The first PUT (image/png) and the documented fallback (application/octet-stream) were both tried, nothing more.
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 1, generateUploadUrl: 3, upload: 3 })
    expect(emulator.requests().filter((entry) => entry.route === 'upload' && entry.status === 400).map((entry) => entry.path))
      .toEqual(['/upload/<token>?filename=x.png', '/upload/<token>?filename=x.png'])
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths({ 'ok.png': files['ok.png'] }))
    expect(emulator.files().map((file) => file.displayName)).toEqual(['ok.png'])
  })

  it('an upload host that answers errors with a bare status (all the contract promises): a 400 gets the octet-stream fallback too; a 503 is retried', async () => {
    const emulator = await fixtures.emulator({ uploadErrorBodies: false })
    emulator.faults.add({ route: 'upload', sequence: [503] })
    const files = { 'x.png': pdf('not an image'), 'ok.png': png(3, 3, 1) }
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root, { concurrency: 1 })

    expect(report.errors).toHaveLength(1)
    const [error] = report.errors
    expect([error!.code, error!.file, error!.status, error!.rule]).toEqual(['WIX_MEDIA_VALIDATION', 'x.png', 400, undefined])
    expect(error!.message).toMatch(/^x\.png: Uploading the file failed \(HTTP 400, request id [^)]+\)\. Wix refused it without naming a rule: check that the file's content matches its extension/)
    const refused = emulator.requests().filter((entry) => entry.route === 'upload' && entry.status === 400)
    // image/png first, then application/octet-stream: both refused with no body to say why.
    expect(refused.map((entry) => entry.path)).toEqual(['/upload/<token>?filename=x.png', '/upload/<token>?filename=x.png'])
    expect(faulted(emulator)).toEqual(['upload:503'])
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths({ 'ok.png': files['ok.png'] }))
  })

  it('a file over the site quota: SITE_QUOTA_EXCEEDED naming the file, no retry; the files that fit are recorded', async () => {
    const emulator = await fixtures.emulator({ quotaBytes: 4_000 })
    const files = { 'docs/big.pdf': pdf('x'.repeat(5_000)), 'docs/small.pdf': pdf('small'), 'img/a.png': png(3, 3, 1) }
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root)

    expect(report.errors.map((error) => [error.code, error.file, error.status, error.rule]))
      .toEqual([['WIX_MEDIA_VALIDATION', 'docs/big.pdf', 400, 'SITE_QUOTA_EXCEEDED']])
    expect(report.errors[0]!.message).toMatch(/^docs\/big\.pdf: Generating an upload URL failed: .*SITE_QUOTA_EXCEEDED.*The site is out of storage/)
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 1, generateUploadUrl: 3, upload: 2 })
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths({ 'docs/small.pdf': files['docs/small.pdf'], 'img/a.png': files['img/a.png'] }))
  })
})

describe('faults: resumable uploads', () => {
  it('a file over resumableThreshold goes through TUS and resumes after a dropped connection from the offset the server kept', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'tusPatch', sequence: [{ reset: { afterBytes: 50_000 } }] })
    const big = pdf('y'.repeat(200_000))
    const files = { 'docs/big.pdf': big, 'img/small.png': png(3, 3, 1) }
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root, { resumableThreshold: 64 * 1024 })

    expect(report.errors).toEqual([])
    expect(report.uploaded).toBe(2)
    const tus = emulator.requests().filter((entry) => entry.route.startsWith('tus') || entry.route === 'generateResumableUploadUrl')
    expect(tus.map((entry) => `${entry.route}:${entry.fault ?? entry.status}`)).toEqual([
      'generateResumableUploadUrl:200', 'tusCreate:201', 'tusPatch:reset', 'tusHead:200', 'tusPatch:204', 'tusFinalize:200',
    ])
    // The small file took the plain way.
    expect(routeCounts(emulator.requests())).toMatchObject({ generateUploadUrl: 1, upload: 1 })
    const lock = await readLock(root)
    expect(pathsInLock(lock)).toEqual(expectedPaths(files))
    expect((await emulator.readFile(lock.files[sha256(big)]!.id)).equals(big)).toBe(true)
  })

  it('a failed HEAD while resuming is retried: the upload goes on from the kept offset, not from byte 0', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'tusPatch', sequence: [{ reset: { afterBytes: 50_000 } }] })
    emulator.faults.add({ route: 'tusHead', sequence: [503] })
    const big = pdf('h'.repeat(200_000))
    const root = await fixtures.project({ 'docs/big.pdf': big })

    const { report } = await syncProject(emulator, root, { resumableThreshold: 64 * 1024 })

    expect(report.errors).toEqual([])
    const tus = emulator.requests().filter((entry) => entry.route.startsWith('tus') || entry.route === 'generateResumableUploadUrl')
    expect(tus.map((entry) => `${entry.route}:${entry.fault ?? entry.status}`)).toEqual([
      'generateResumableUploadUrl:200', 'tusCreate:201', 'tusPatch:reset', 'tusHead:503', 'tusHead:200', 'tusPatch:204', 'tusFinalize:200',
    ])
    expect((await emulator.readFile(emulator.files()[0]!.id)).equals(big)).toBe(true)
  })

  it('multi-megabyte files of random bytes arrive intact: a plain PUT, and TUS resumed from an offset inside a read chunk', async () => {
    // The latency holds each body unread for a while, so the client's socket backs up and its writes wait for 'drain'.
    const emulator = await fixtures.emulator({ latency: { upload: 200, tusPatch: 200 } })
    // Dropped after 2.5 MiB: the resume starts half-way through a 1 MiB read buffer.
    emulator.faults.add({ route: 'tusPatch', sequence: [{ reset: { afterBytes: 2.5 * 1024 * 1024 } }] })
    // Random bytes after the MP4 header: a chunk sent from the wrong buffer, or twice, cannot go unnoticed.
    const video = (size: number) => Buffer.concat([mp4(0), randomBytes(size)])
    // Larger than the loopback socket buffers (a few MiB), so that the writes really wait.
    const MiB = 1024 * 1024
    const files = { 'video/put.mp4': video(34 * MiB + 777), 'video/tus.mp4': video(40 * MiB + 4321) }
    const root = await fixtures.project(files)

    const { report } = await syncProject(emulator, root, { resumableThreshold: 36 * MiB })

    expect(report.errors).toEqual([])
    // TUS: 2.5 MiB then the reset, the rest of the first 32 MiB chunk, the last 8 MiB.
    expect(routeCounts(emulator.requests())).toMatchObject({ upload: 1, tusCreate: 1, tusPatch: 3, tusHead: 1, tusFinalize: 1 })
    const lock = await readLock(root)
    for (const [path, bytes] of Object.entries(files)) {
      expect((await emulator.readFile(lock.files[sha256(bytes)]!.id)).equals(bytes), path).toBe(true)
    }
  })

  it('retries do not multiply: a generate-upload-url that keeps failing is asked `attempts` times, not attempts²', async () => {
    const emulator = await fixtures.emulator()
    emulator.faults.add({ route: 'generateUploadUrl', action: 503 })
    const root = await fixtures.project({ 'img/a.png': png(3, 3, 5) })

    const { report } = await syncProject(emulator, root, { attempts: 3 })

    expect(report.errors.map((error) => [error.code, error.file])).toEqual([['WIX_MEDIA_SERVER', 'img/a.png']])
    expect(routeCounts(emulator.requests())).toMatchObject({ generateUploadUrl: 3 })
  })
})

describe('faults: bounded concurrency', () => {
  const files = (): Tree => Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`docs/${i}.pdf`, pdf(`${i}:${'z'.repeat(1_000_000)}`)] as const))

  it('with concurrency 3 and slow uploads, the emulator answers exactly 3 uploads at once at most', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 100 } })
    const tree = files()
    const root = await fixtures.project(tree)

    const { report } = await syncProject(emulator, root, { concurrency: 3 })

    expect(report.errors).toEqual([])
    expect(report.uploaded).toBe(12)
    const { maxUploadsInFlight, uploadsInFlight } = emulator.stats()
    expect(uploadsInFlight).toBe(0)
    expect(maxUploadsInFlight).toBeLessThanOrEqual(3)
    // Each upload request lasts ≥ 100 ms, so the most that overlap is the client's limit, reached.
    expect(maxOverlap(emulator, 'upload')).toBe(3)
    await expectStoredOnce(emulator, tree)
  })

  it('with concurrency 1, transfers are strictly one at a time', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 20 } })
    const root = await fixtures.project(Object.fromEntries(Object.entries(files()).slice(0, 4)))

    const { report } = await syncProject(emulator, root, { concurrency: 1 })

    expect(report.uploaded).toBe(4)
    expect(emulator.stats().maxUploadsInFlight).toBe(1)
  })
})

describe('faults: a file that changes while it uploads', () => {
  const changes: [string, (bytes: Buffer) => Buffer, WixMediaOptions][] = [
    ['rewritten in place, same size (PUT)', (bytes) => Buffer.concat([bytes.subarray(0, 60), Buffer.from('edited!!'), bytes.subarray(68)]), {}],
    ['replaced by a longer file (PUT: the announced size of it is sent)', (bytes) => Buffer.concat([png(9, 9, 77), bytes]), {}],
    ['rewritten in place, same size (TUS)', (bytes) => Buffer.concat([bytes.subarray(0, 60), Buffer.from('edited!!'), bytes.subarray(68)]), { resumableThreshold: 50 }],
  ]
  it.each(changes)('%s: not recorded under the old hash; the upload is labelled with what it holds, and the next sync adopts it', async (_name, edit, extra) => {
    const emulator = await fixtures.emulator()
    const files = { 'img/a.png': png(6, 6, 5), 'img/b.png': png(6, 6, 6) }
    const root = await fixtures.project(files)
    const target = join(root, 'img/b.png')
    let edited: Buffer | undefined
    const onUploadStart = (local: LocalAsset) => {
      if (local.path !== 'img/b.png' || edited) return
      edited = edit(readFileSync(target))
      writeFileSync(target, edited)
    }

    const { report } = await syncProject(emulator, root, { concurrency: 1, ...extra }, { onUploadStart })

    expect(report.errors.map((error) => [error.code, error.file, error.reason])).toEqual([
      ['WIX_MEDIA_FILE', 'img/b.png', 'changed while it was being uploaded: the Media Manager got other bytes than the ones hashed'],
    ])
    expect(pathsInLock(await readLock(root))).toEqual(expectedPaths({ 'img/a.png': files['img/a.png'] }))
    // The upload holds the first edited.length or b's size bytes of the edited file, and says so in its label.
    const held = emulator.files().find((file) => file.displayName === 'b.png')!
    const bytes = await emulator.readFile(held.id)
    expect(held.labels).toEqual([hashLabel(sha256(bytes))])
    expect(sha256(bytes)).not.toBe(sha256(files['img/b.png']))

    // Once nothing writes to it: an in-place edit is adopted as it is; a longer file (other bytes) uploads.
    await settle()
    const next = await syncProject(emulator, root)
    expect(next.report.errors).toEqual([])
    const lock = await readLock(root)
    const entry = Object.entries(lock.files).find(([, value]) => value.paths.includes('img/b.png'))!
    expect(entry[0]).toBe(sha256(edited!))
    expect(sha256(await emulator.readFile(entry[1].id))).toBe(sha256(edited!))
    expect([next.report.adopted, next.report.uploaded]).toEqual(edited!.length === files['img/b.png'].length ? [1, 0] : [0, 1])
  })
})

