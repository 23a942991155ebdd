/** The committed lockfile: stable output, strict parsing, cross-process merges, atomic writes, lock takeover. */
import { spawnSync } from 'node:child_process'
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WixMediaError } from '../../src/core/errors.ts'
import { RACY_MS, sameStamp, stampOf } from '../../src/core/file-stamp.ts'
import { formatLockfile, LOCKFILE_VERSION, openLockfile, parseLockfile, type LockEntry, type LockfileData } from '../../src/core/lockfile.ts'

const H1 = '1'.repeat(64)
const H2 = '2'.repeat(64)
const H3 = 'a'.repeat(64)

function entry(id: string, paths: string[], extra: Partial<LockEntry> = {}): LockEntry {
  return {
    id, url: `https://static.wixstatic.com/media/${id}`, uri: `wix:image://v1/${id}/x.png`, mediaType: 'IMAGE', mimeType: 'image/png',
    size: 10, paths, ...extra,
  }
}

function lockfileFailure(fn: () => unknown): WixMediaError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(WixMediaError)
    return error as WixMediaError
  }
  throw new Error('expected a WixMediaError, but nothing was thrown')
}

async function rejection(promise: Promise<unknown>): Promise<WixMediaError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(WixMediaError)
    return error as WixMediaError
  }
  throw new Error('expected a WixMediaError, but the promise resolved')
}

describe('formatLockfile', () => {
  it('sorts hashes and paths, fixes the field order, indents by two spaces and ends with a newline', () => {
    const data: LockfileData = {
      version: 1,
      siteId: 'site-1',
      files: {
        [H3]: { paths: ['z/b.png', 'a.png', 'z/b.png'], size: 3, mimeType: 'image/png', mediaType: 'IMAGE', uri: 'wix:image://v1/c/c.png', url: 'u-c', id: 'c' },
        [H1]: { ...entry('a', ['b.png', 'a.png']), width: 4, height: 2 },
      },
    }
    expect(formatLockfile(data)).toBe(`{
  "version": 1,
  "siteId": "site-1",
  "files": {
    "${H1}": {
      "id": "a",
      "url": "https://static.wixstatic.com/media/a",
      "uri": "wix:image://v1/a/x.png",
      "mediaType": "IMAGE",
      "mimeType": "image/png",
      "size": 10,
      "width": 4,
      "height": 2,
      "paths": [
        "a.png",
        "b.png"
      ]
    },
    "${H3}": {
      "id": "c",
      "url": "u-c",
      "uri": "wix:image://v1/c/c.png",
      "mediaType": "IMAGE",
      "mimeType": "image/png",
      "size": 3,
      "paths": [
        "a.png",
        "z/b.png"
      ]
    }
  }
}
`)
  })

  it('holds no timestamps and drops unknown fields', () => {
    const withExtra = { ...entry('a', ['a.png']), updatedDate: '2026-01-01T00:00:00.000Z' } as LockEntry
    const text = formatLockfile({ version: 1, siteId: 's', files: { [H1]: withExtra } })
    expect(text).not.toContain('2026')
    expect(text).not.toMatch(/date|time/i)
    expect(Object.keys((JSON.parse(text) as LockfileData).files[H1]!)).toEqual(['id', 'url', 'uri', 'mediaType', 'mimeType', 'size', 'paths'])
  })

  it('writes the current version whatever the input says', () => {
    expect(JSON.parse(formatLockfile({ version: 0, siteId: undefined, files: {} }))).toEqual({ version: LOCKFILE_VERSION, files: {} })
  })

  it('is stable through parse and format', () => {
    const data: LockfileData = {
      version: 1, siteId: 'site-1',
      files: { [H2]: entry('b', ['q.png', 'p.png']), [H1]: { ...entry('a', ['a.png']), width: 1, height: 1 } },
    }
    const once = formatLockfile(data)
    const twice = formatLockfile(parseLockfile(once, 'wix-media.lock.json'))
    expect(twice).toBe(once)
    expect(formatLockfile(parseLockfile(twice, 'x'))).toBe(once)
  })
})

describe('parseLockfile', () => {
  const file = 'project/wix-media.lock.json'

  it('reads a valid file', () => {
    const data = parseLockfile(formatLockfile({ version: 1, siteId: 's', files: { [H1]: entry('a', ['a.png']) } }), file)
    expect(data).toEqual({ version: 1, siteId: 's', files: { [H1]: entry('a', ['a.png']) } })
  })

  it('rejects invalid JSON', () => {
    const error = lockfileFailure(() => parseLockfile('{ "version": 1, ', file))
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(error.file).toBe(file)
    expect(error.message.startsWith(`${file}: the lockfile is not valid JSON (`)).toBe(true)
    expect(error.cause).toBeInstanceOf(SyntaxError)
  })

  it('rejects merge conflict markers', () => {
    const text = `{\n  "version": 1,\n<<<<<<< HEAD\n  "siteId": "a",\n=======\n  "siteId": "b",\n>>>>>>> branch\n  "files": {}\n}\n`
    const error = lockfileFailure(() => parseLockfile(text, file))
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(error.message).toContain(`${file}: the lockfile has merge conflict markers. `)
  })

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a number', '42'],
    ['no files', '{ "version": 1, "siteId": "s" }'],
    ['files null', '{ "version": 1, "files": null }'],
    ['no version', '{ "files": {} }'],
    ['a string version', '{ "version": "1", "files": {} }'],
  ])('rejects the wrong shape: %s', (_, text) => {
    const error = lockfileFailure(() => parseLockfile(text, file))
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(error.message).toContain(`${file}: the lockfile does not have the expected shape { version, siteId, files }`)
  })

  it.each([
    ['a key that is not a sha256', { 'not-a-hash': entry('a', ['a.png']) }, '"not-a-hash" is not keyed by a sha256 (64 hex digits)'],
    ['a url that is a number', { [H1]: { ...entry('a', ['a.png']), url: 12345 } }, `"${H1}" has no valid \`url\` (an http(s) URL; got 12345)`],
    ['no id', { [H1]: { ...entry('a', ['a.png']), id: undefined } }, `"${H1}" has no \`id\` (got undefined)`],
    ['a size that is text', { [H1]: { ...entry('a', ['a.png']), size: 'abc' } }, `"${H1}" has a \`size\` that is not a whole number of bytes (got "abc")`],
    ['an unknown media type', { [H1]: { ...entry('a', ['a.png']), mediaType: 'PICTURE' } }, `"${H1}" has an unknown \`mediaType\` (got "PICTURE")`],
    ['paths that are not a list', { [H1]: { ...entry('a', ['a.png']), paths: 'a.png' } }, `"${H1}" has \`paths\` that are not a list of project paths (relative, \`/\`-separated, inside the root)`],
    ['an entry that is not an object', { [H1]: [] }, `"${H1}" is not an object`],
    ['a url that is not http(s)', { [H1]: { ...entry('a', ['a.png']), url: 'javascript:alert(1)' } }, `"${H1}" has no valid \`url\` (an http(s) URL; got "javascript:alert(1)")`],
    ['a path above the root', { [H1]: entry('a', ['../../etc/passwd']) }, `"${H1}" has \`paths\` that are not a list of project paths (relative, \`/\`-separated, inside the root)`],
  ])('rejects a broken entry (%s), naming it and the field, with the fix', (_, files, what) => {
    const error = lockfileFailure(() => parseLockfile(JSON.stringify({ version: 1, siteId: 's', files }), file))
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(error.message).toBe(`${file}: the lockfile's entry ${what}. Restore the file from git, or delete that entry (or the whole file) and run \`wix-media sync\`: uploaded files are re-adopted, not uploaded again`)
  })

  it('rejects a `root` that is not a relative folder', () => {
    for (const root of ['/abs/project', 42, '']) {
      const error = lockfileFailure(() => parseLockfile(JSON.stringify({ version: 1, siteId: 's', root, files: {} }), file))
      expect(error.message).toContain(`${file}: the lockfile's \`root\` is not a relative folder (got ${JSON.stringify(root)})`)
    }
    expect(parseLockfile(JSON.stringify({ version: 1, siteId: 's', root: '..', files: {} }), file).root).toBe('..')
  })

  it('rejects a newer schema version', () => {
    const error = lockfileFailure(() => parseLockfile('{ "version": 2, "siteId": "s", "files": {} }', file))
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(error.message).toBe(`${file}: the lockfile has schema version 2, newer than this tool's 1. Upgrade unplugin-wix-media to the version that wrote it`)
  })
})

describe('openLockfile', () => {
  let dir: string
  let path: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wix-media-lock-'))
    path = join(dir, 'wix-media.lock.json')
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const onDisk = async () => parseLockfile(await readFile(path, 'utf8'), path)

  it('starts empty when there is no file, and writes nothing without changes', async () => {
    const lock = await openLockfile(path, 'site-1')
    expect(lock.entries()).toEqual([])
    expect(lock.pending).toBe(0)
    await lock.flush()
    expect(await readdir(dir)).toEqual([])
  })

  it('stamps the file as it read it, once older than a timestamp tick: null for none, unknown after its own write or while too fresh', async () => {
    const writer = await openLockfile(path, 'site-1')
    expect(writer.stamp).toBeNull()
    writer.set(H1, entry('f1', ['a.png']))
    await writer.flush()
    expect(writer.stamp).toBeUndefined()
    const { ctimeMs } = await stat(path)
    // The clock the check reads, set against the file's ctime: no test machine is too slow for it.
    vi.useFakeTimers({ toFake: ['Date'] })
    let reader
    try {
      vi.setSystemTime(ctimeMs + RACY_MS - 1)
      expect((await openLockfile(path, 'site-1')).stamp).toBeUndefined() // as if read right after the write
      vi.setSystemTime(ctimeMs + RACY_MS + 1)
      reader = await openLockfile(path, 'site-1')
    } finally {
      vi.useRealTimers()
    }
    expect(reader.stamp).toEqual(stampOf(await stat(path)))
    // Another writer replaces the file: the reader's stamp no longer matches it.
    writer.set(H2, entry('f2', ['b.png']))
    await writer.flush()
    expect(sameStamp(stampOf(await stat(path)), reader.stamp!)).toBe(false)
  })

  it('writes set entries, sorted, with the site id', async () => {
    const lock = await openLockfile(path, 'site-1')
    lock.set(H2, entry('b', ['b.png']))
    lock.set(H1, entry('a', ['a.png']))
    expect(lock.pending).toBe(2)
    expect(lock.get(H1)?.id).toBe('a')
    await lock.flush()
    expect(lock.pending).toBe(0)
    const text = await readFile(path, 'utf8')
    expect(text).toBe(formatLockfile({ version: 1, siteId: 'site-1', files: { [H1]: entry('a', ['a.png']), [H2]: entry('b', ['b.png']) } }))
    expect(lock.entries().map(([hash]) => hash)).toEqual([H1, H2])
  })

  it('records the project root from its own folder, and refuses to be used from another root (a config error)', async () => {
    const project = join(dir, 'project')
    const inside = join(project, 'media.lock.json')
    const lock = await openLockfile(inside, 's', 'media.lock.json', project)
    lock.set(H1, entry('a', ['a.png']))
    await lock.flush()
    expect(JSON.parse(await readFile(inside, 'utf8'))).toMatchObject({ root: '.' })
    // A lockfile outside its root records the way there.
    const beside = await openLockfile(join(dir, 'shared.lock.json'), 's', 'shared.lock.json', project)
    beside.set(H1, entry('a', ['a.png']))
    await beside.flush()
    expect(JSON.parse(await readFile(join(dir, 'shared.lock.json'), 'utf8'))).toMatchObject({ root: 'project' })

    const error = await rejection(openLockfile(inside, 's', '../media.lock.json', join(project, 'docs')))
    expect([error.code, error.file]).toEqual(['WIX_MEDIA_CONFIG', '../media.lock.json'])
    expect(error.message).toContain(`the lockfile's paths are relative to ${project} (its \`root\`), not to ${join(project, 'docs')}`)
    // Opened without a root to check (a tool that does not use paths), it keeps the recorded one.
    const plain = await openLockfile(inside, 's')
    plain.set(H2, entry('b', ['b.png']))
    await plain.flush()
    expect(JSON.parse(await readFile(inside, 'utf8'))).toMatchObject({ root: '.' })
  })

  it('refuses a lockfile of another site', async () => {
    await writeFile(path, formatLockfile({ version: 1, siteId: 'site-A', files: {} }))
    const error = await rejection(openLockfile(path, 'site-B'))
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(error.message).toBe(`${path}: the lockfile belongs to site site-A, not to site-B. Check WIX_SITE_ID, or point \`lockfile\` at a file for this site`)
  })

  it('takes the file\'s own site when no site id is given', async () => {
    await writeFile(path, formatLockfile({ version: 1, siteId: 'site-A', files: { [H1]: entry('a', ['a.png']) } }))
    const lock = await openLockfile(path, undefined)
    expect(lock.siteId).toBe('site-A')
    expect(lock.get(H1)?.id).toBe('a')
  })

  it('reports a corrupt file on open with the file in the message', async () => {
    await writeFile(path, 'not json')
    const error = await rejection(openLockfile(path, 'site-1'))
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(error.message.startsWith(`${path}: the lockfile is not valid JSON`)).toBe(true)
  })

  it('merges with what another writer put on disk meanwhile', async () => {
    const a = await openLockfile(path, 'site-1')
    const b = await openLockfile(path, 'site-1')
    a.set(H1, entry('a', ['a.png']))
    b.set(H2, entry('b', ['b.png']))
    await a.flush()
    await b.flush()
    const data = await onDisk()
    expect(Object.keys(data.files)).toEqual([H1, H2])
    expect(data.files[H1]!.id).toBe('a')
    expect(data.files[H2]!.id).toBe('b')
    // b's view now knows a's entry too
    expect(b.get(H1)?.id).toBe('a')
  })

  it('merges when both writers flush at the same time', async () => {
    const writers = await Promise.all([H1, H2, H3].map(() => openLockfile(path, 'site-1')))
    writers.forEach((writer, i) => writer.set([H1, H2, H3][i]!, entry(`id-${i}`, [`${i}.png`])))
    await Promise.all(writers.map((writer) => writer.flush()))
    expect(Object.keys((await onDisk()).files)).toEqual([H1, H2, H3])
  })

  it('keeps deletes through a merge, without losing the other writer\'s entries', async () => {
    const seed = await openLockfile(path, 'site-1')
    seed.set(H1, entry('a', ['a.png']))
    seed.set(H2, entry('b', ['b.png']))
    await seed.flush()
    const a = await openLockfile(path, 'site-1')
    const b = await openLockfile(path, 'site-1')
    a.delete(H1)
    b.set(H3, entry('c', ['c.png']))
    await a.flush()
    await b.flush()
    expect(Object.keys((await onDisk()).files)).toEqual([H2, H3])
    expect(b.get(H1)).toBeUndefined()
  })

  it('a set after a delete of the same hash wins, and a delete after a set wins', async () => {
    const lock = await openLockfile(path, 'site-1')
    lock.set(H1, entry('a', ['a.png']))
    lock.delete(H1)
    lock.set(H2, entry('b', ['b.png']))
    lock.delete(H2)
    lock.set(H2, entry('b2', ['b.png']))
    await lock.flush()
    const data = await onDisk()
    expect(Object.keys(data.files)).toEqual([H2])
    expect(data.files[H2]!.id).toBe('b2')
  })

  it('writes atomically: no .tmp or .lock files are left behind', async () => {
    const lock = await openLockfile(path, 'site-1')
    for (let i = 0; i < 5; i++) {
      lock.set(`${i}`.repeat(64), entry(`id-${i}`, [`${i}.png`]))
      await lock.flush()
    }
    expect(await readdir(dir)).toEqual(['wix-media.lock.json'])
    expect(Object.keys((await onDisk()).files)).toHaveLength(5)
  })

  it('keeps the mode the lockfile had (group-writable in a shared checkout)', async () => {
    const lock = await openLockfile(path, 'site-1')
    lock.set(H1, entry('a', ['a.png']))
    await lock.flush()
    await chmod(path, 0o660)
    lock.set(H2, entry('b', ['b.png']))
    await lock.flush()
    expect((await stat(path)).mode & 0o777).toBe(0o660)
    expect(Object.keys((await onDisk()).files).sort()).toEqual([H1, H2].sort())
  })

  it('creates the lockfile\'s folder when needed', async () => {
    const nested = join(dir, 'a', 'b', 'wix-media.lock.json')
    const lock = await openLockfile(nested, 'site-1')
    lock.set(H1, entry('a', ['a.png']))
    await lock.flush()
    expect(Object.keys(parseLockfile(await readFile(nested, 'utf8'), nested).files)).toEqual([H1])
  })

  it('keeps a failed batch for the next flush and never overwrites a corrupt file', async () => {
    const lock = await openLockfile(path, 'site-1')
    lock.set(H1, entry('a', ['a.png']))
    await writeFile(path, '<<<<<<< HEAD\n')
    const error = await rejection(lock.flush())
    expect(error.code).toBe('WIX_MEDIA_LOCKFILE')
    expect(await readFile(path, 'utf8')).toBe('<<<<<<< HEAD\n')
    expect(lock.pending).toBe(1)
    await rm(path)
    await lock.flush()
    expect(Object.keys((await onDisk()).files)).toEqual([H1])
    expect(await readdir(dir)).toEqual(['wix-media.lock.json'])
  })

  it('refuses to write when the file on disk now belongs to another site', async () => {
    const lock = await openLockfile(path, 'site-1')
    lock.set(H1, entry('a', ['a.png']))
    await writeFile(path, formatLockfile({ version: 1, siteId: 'site-2', files: {} }))
    const error = await rejection(lock.flush())
    expect(error.message).toContain('the lockfile now belongs to site site-2, not to site-1')
  })

  /** A write goes through at once (not after the 30 s wait) and leaves no lock behind. */
  async function expectTakenOver(lockPath: string): Promise<void> {
    const lock = await openLockfile(path, 'site-1')
    lock.set(H1, entry('a', ['a.png']))
    const started = performance.now()
    await lock.flush()
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(Object.keys((await onDisk()).files)).toEqual([H1])
    await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' })
  }

  it('takes over a stale .lock file older than 15 s, even of a running process', async () => {
    const lockPath = `${path}.lock`
    await writeFile(lockPath, String(process.ppid))
    const old = new Date(Date.now() - 20_000)
    await utimes(lockPath, old, old)
    await expectTakenOver(lockPath)
  })

  it('takes over a fresh .lock file whose process is gone (a killed run)', async () => {
    const child = spawnSync(process.execPath, ['-e', ''])
    expect(child.status).toBe(0)
    const lockPath = `${path}.lock`
    await writeFile(lockPath, String(child.pid))
    await expectTakenOver(lockPath)
  })

  it('waits for a fresh .lock file of a running process to go away', async () => {
    const lockPath = `${path}.lock`
    await writeFile(lockPath, String(process.ppid))
    const lock = await openLockfile(path, 'site-1')
    lock.set(H1, entry('a', ['a.png']))
    let done = false
    const flushing = lock.flush().then(() => {
      done = true
    })
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(done).toBe(false)
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' })
    await rm(lockPath)
    await flushing
    expect(Object.keys((await onDisk()).files)).toEqual([H1])
  })
})
