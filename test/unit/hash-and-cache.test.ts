/** sha256File against node:crypto and sha256sum; the stat cache's hits, misses, persistence and pruning; the inspector's order and paths. */
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import type { Stats } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { sha256File } from '../../src/core/hash.ts'
import { createInspector } from '../../src/core/inspect.ts'
import { resolveOptions } from '../../src/core/options.ts'
import { isRacy, RACY_MS } from '../../src/core/file-stamp.ts'
import { loadStatCache } from '../../src/core/stat-cache.ts'
import { png } from '../support/media.ts'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wix-media-hash-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

describe('sha256File', () => {
  it.each([
    ['0 B', 0],
    ['1 B', 1],
    ['3 MiB', 3 * 1024 * 1024],
    ['1 MiB + 1 B (one byte past a read chunk)', 1024 * 1024 + 1],
  ])('equals node:crypto over the bytes for %s', async (_, size) => {
    const bytes = randomBytes(size)
    const path = join(dir, `file-${size}.bin`)
    await writeFile(path, bytes)
    const hash = await sha256File(path)
    expect(hash).toBe(sha256(bytes))
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('gives the well-known digest of the empty file', async () => {
    await writeFile(join(dir, 'empty'), '')
    expect(await sha256File(join(dir, 'empty'))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('equals the output of sha256sum', async () => {
    const path = join(dir, 'photo with spaces.png')
    await writeFile(path, randomBytes(200_000))
    const expected = execFileSync('sha256sum', ['-b', path], { encoding: 'utf8' }).split(' ')[0]
    expect(expected).toMatch(/^[0-9a-f]{64}$/)
    expect(await sha256File(path)).toBe(expected)
  })

  it('rejects for a missing file', async () => {
    await expect(sha256File(join(dir, 'missing.png'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('loadStatCache', () => {
  let cacheDir: string
  let a: string
  let b: string

  beforeEach(async () => {
    cacheDir = join(dir, 'node_modules', '.cache', 'unplugin-wix-media')
    a = join(dir, 'a.png')
    b = join(dir, 'b.png')
    await writeFile(a, 'aaaa')
    await writeFile(b, 'bbbbbb')
  })

  const cacheFile = () => join(cacheDir, 'stat-cache.json')

  it('misses on an empty cache, and writes nothing when nothing changed', async () => {
    const cache = await loadStatCache(cacheDir)
    expect(cache.get('a.png', await stat(a))).toBeUndefined()
    await cache.save()
    await expect(stat(cacheFile())).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('returns the hash after set with the same stats, in the same run', async () => {
    const cache = await loadStatCache(cacheDir)
    const stats = await stat(a)
    cache.set('a.png', stats, 'h-a')
    expect(cache.get('a.png', stats)).toBe('h-a')
    expect(cache.get('a.png', await stat(a))).toBe('h-a')
    expect(cache.get('b.png', await stat(b))).toBeUndefined()
  })

  it('saves relative paths only, and a reload returns the hash', async () => {
    const cache = await loadStatCache(cacheDir)
    cache.set('a.png', await stat(a), 'h-a')
    cache.set('sub/b.png', await stat(b), 'h-b')
    await cache.save()
    const text = await readFile(cacheFile(), 'utf8')
    expect(text).not.toContain(dir)
    const data = JSON.parse(text) as { version: number; entries: Record<string, { size: number; mtimeMs: number; ctimeMs: number; ino: number; hash: string }> }
    expect(data.version).toBe(2)
    expect(Object.keys(data.entries)).toEqual(['a.png', 'sub/b.png'])
    const statsA = await stat(a)
    expect(data.entries['a.png']).toEqual({ size: 4, mtimeMs: statsA.mtimeMs, ctimeMs: statsA.ctimeMs, ino: statsA.ino, hash: 'h-a' })
    expect(await readdir(cacheDir)).toEqual(['stat-cache.json'])

    const reloaded = await loadStatCache(cacheDir)
    expect(reloaded.get('a.png', await stat(a))).toBe('h-a')
    expect(reloaded.get('sub/b.png', await stat(b))).toBe('h-b')
  })

  it('misses when the size or the mtime changed', async () => {
    const first = await loadStatCache(cacheDir)
    first.set('a.png', await stat(a), 'h-a')
    first.set('b.png', await stat(b), 'h-b')
    await first.save()

    await writeFile(a, 'aaaaa') // new size
    const old = await stat(b)
    await utimes(b, old.atime, new Date(old.mtimeMs + 5_000)) // same size, new mtime
    const second = await loadStatCache(cacheDir)
    expect((await stat(b)).size).toBe(old.size)
    expect(second.get('a.png', await stat(a))).toBeUndefined()
    expect(second.get('b.png', await stat(b))).toBeUndefined()
  })

  it('misses when a file was rewritten in place and its old mtime restored (cp -p, rsync -t)', async () => {
    const mtime = 1_700_000_000 // whole seconds: what utimes sets, stat gives back exactly
    await utimes(a, mtime, mtime)
    const first = await loadStatCache(cacheDir)
    const old = await stat(a)
    first.set('a.png', old, 'h-a')
    await first.save()

    // Past the filesystem's timestamp tick, so that the rewrite gets a ctime of its own.
    await new Promise((resolve) => setTimeout(resolve, 30))
    await writeFile(a, 'AAAA') // same size, same inode
    await utimes(a, mtime, mtime)
    const now = await stat(a)
    expect({ size: now.size, mtimeMs: now.mtimeMs, ino: now.ino }).toEqual({ size: old.size, mtimeMs: old.mtimeMs, ino: old.ino })
    expect((await loadStatCache(cacheDir)).get('a.png', now)).toBeUndefined()
  })

  it('misses for the same path with other stats in the same run', async () => {
    const cache = await loadStatCache(cacheDir)
    cache.set('a.png', await stat(a), 'h-a')
    await writeFile(a, 'changed!')
    expect(cache.get('a.png', await stat(a))).toBeUndefined()
  })

  it('keeps entries that a run did not touch (a build that hashes a few files keeps the full sync\'s cache)', async () => {
    const first = await loadStatCache(cacheDir)
    first.set('a.png', await stat(a), 'h-a')
    first.set('b.png', await stat(b), 'h-b')
    await first.save()

    const second = await loadStatCache(cacheDir)
    expect(second.get('a.png', await stat(a))).toBe('h-a')
    second.set('c.png', await stat(a), 'h-c')
    await second.save()
    const data = JSON.parse(await readFile(cacheFile(), 'utf8')) as { entries: Record<string, unknown> }
    expect(Object.keys(data.entries)).toEqual(['a.png', 'b.png', 'c.png'])

    const third = await loadStatCache(cacheDir)
    expect(third.get('b.png', await stat(b))).toBe('h-b')
    expect(third.get('a.png', await stat(a))).toBe('h-a')
  })

  it('forgets, on retain, every path a whole scan no longer has; keeps and saves the others', async () => {
    const first = await loadStatCache(cacheDir)
    first.set('a.png', await stat(a), 'h-a')
    first.set('gone.png', await stat(b), 'h-gone')
    await first.save()

    const second = await loadStatCache(cacheDir)
    second.set('b.png', await stat(b), 'h-b')
    second.set('renamed-away.png', await stat(b), 'h-r')
    second.retain(['a.png', 'b.png', 'new.png'])
    expect(second.get('gone.png', await stat(b))).toBeUndefined()
    expect(second.get('renamed-away.png', await stat(b))).toBeUndefined()
    expect(second.get('a.png', await stat(a))).toBe('h-a')
    await second.save()
    const data = JSON.parse(await readFile(cacheFile(), 'utf8')) as { entries: Record<string, unknown> }
    expect(Object.keys(data.entries)).toEqual(['a.png', 'b.png'])

    // Dropping alone is a change worth saving.
    const third = await loadStatCache(cacheDir)
    third.retain(['b.png'])
    await third.save()
    expect(Object.keys((JSON.parse(await readFile(cacheFile(), 'utf8')) as { entries: Record<string, unknown> }).entries)).toEqual(['b.png'])
  })

  it('does not rewrite the file when a run touched every entry and set nothing', async () => {
    const first = await loadStatCache(cacheDir)
    first.set('a.png', await stat(a), 'h-a')
    await first.save()
    await writeFile(cacheFile(), (await readFile(cacheFile(), 'utf8')).replace('"version":2', '"version": 2'))
    const second = await loadStatCache(cacheDir)
    expect(second.get('a.png', await stat(a))).toBe('h-a')
    await second.save()
    expect((await readFile(cacheFile(), 'utf8')).includes('"version": 2')).toBe(true)
  })

  it('starts empty on a corrupt or other-version cache file', async () => {
    const first = await loadStatCache(cacheDir)
    first.set('a.png', await stat(a), 'h-a')
    await first.save()
    const text = await readFile(cacheFile(), 'utf8')

    await writeFile(cacheFile(), '{ not json')
    expect((await loadStatCache(cacheDir)).get('a.png', await stat(a))).toBeUndefined()
    await writeFile(cacheFile(), text.replace('"version":2', '"version":1'))
    expect((await loadStatCache(cacheDir)).get('a.png', await stat(a))).toBeUndefined()
  })
})

describe('isRacy', () => {
  const stats = (ctimeMs: number) => ({ ctimeMs }) as Stats
  it('distrusts stats changed within 50 ms of being taken, or within 2 s on a filesystem with whole-second timestamps', () => {
    const at = 1_800_000_000_500
    expect(isRacy(stats(at - 49.5), at)).toBe(true)
    expect(isRacy(stats(at - 50.5), at)).toBe(false)
    expect(isRacy(stats(at + 5), at)).toBe(true) // a filesystem clock ahead of ours
    expect(isRacy(stats(1_800_000_000_000 - 1000), at)).toBe(true) // whole seconds, 1.5 s before
    expect(isRacy(stats(1_800_000_000_000 - 2000), at)).toBe(false)
  })
})

describe('createInspector', () => {
  const options = () => resolveOptions({ root: join(dir, 'project') }, {})

  beforeEach(async () => {
    await mkdir(join(dir, 'project', 'img'), { recursive: true })
    await writeFile(join(dir, 'project', 'img', 'b.png'), png(2, 2, 1))
    await writeFile(join(dir, 'project', 'a.png'), png(2, 2, 2))
    await writeFile(join(dir, 'outside.png'), png(2, 2, 3))
  })

  it('keeps the order of the paths given, hashed or cached, with each failure apart', async () => {
    const inspector = createInspector(options(), await loadStatCache(join(dir, 'cache')))
    const paths = ['img/b.png', 'missing.png', 'a.png']
    for (let run = 0; run < 2; run++) {
      const { assets, errors } = await inspector.inspectAll(paths)
      expect(assets.map((asset) => asset.path)).toEqual(['img/b.png', 'a.png'])
      expect(assets.map((asset) => asset.hash)).toEqual([sha256(png(2, 2, 1)), sha256(png(2, 2, 2))])
      expect(errors.map((error) => [error.code, error.file])).toEqual([['WIX_MEDIA_FILE', 'missing.png']])
    }
  })

  it('caches the hash of a file only once it is older than a timestamp tick: one changed again within the tick would keep its stats', async () => {
    const cache = await loadStatCache(join(dir, 'cache'))
    const inspector = createInspector(options(), cache)
    const path = join(dir, 'project', 'a.png')
    await writeFile(path, png(2, 2, 5))
    const { ctimeMs } = await stat(path)
    // The clock the check reads, set against the file's ctime: no test machine is too slow for it.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(ctimeMs + RACY_MS - 1)
      await inspector.inspect('a.png')
      expect(cache.get('a.png', await stat(path))).toBeUndefined()

      vi.setSystemTime(ctimeMs + RACY_MS + 1)
      await inspector.inspect('a.png')
      expect(cache.get('a.png', await stat(path))).toBe(sha256(png(2, 2, 5)))
    } finally {
      vi.useRealTimers()
    }
  })

  it('resolves paths with `.` or `..` parts (the plain ones are joined as text)', async () => {
    const root = options().root
    const inspector = createInspector(options(), await loadStatCache(join(dir, 'cache')))
    const cases: [string, string][] = [
      ['img/b.png', join(root, 'img', 'b.png')],
      ['img/../a.png', join(root, 'a.png')],
      ['./a.png', join(root, 'a.png')],
      ['../outside.png', join(dir, 'outside.png')],
      ['..hidden-but-plain/../a.png', join(root, 'a.png')],
    ]
    for (const [path, absolutePath] of cases) {
      const asset = await inspector.inspect(path)
      expect([asset.path, asset.absolutePath]).toEqual([path, absolutePath])
    }
  })
})
