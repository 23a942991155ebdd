/**
 * The last clean sync's record (src/core/last-sync.ts) against the emulator over 127.0.0.1: a sync
 * of an unchanged tree answers from it with no request, and every change it must not miss (content,
 * stats, the file list, the lockfile, kept paths outside the scan, the options) makes the next sync
 * a full one, with the outcome a full sync has.
 */
import { mkdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createEngine } from '../../src/core/engine.ts'
import { formatLockfile, openLockfile } from '../../src/core/lockfile.ts'
import type { WixMediaOptions } from '../../src/core/options.ts'
import { pathsForSyncStats } from '../../src/core/project-path.ts'
import { loadLastSync } from '../../src/core/last-sync.ts'
import { packageVersion } from '../../src/core/package-version.ts'
import { RACY_MS } from '../../src/core/file-stamp.ts'
import { planProject, syncProject as runSync, type ProjectSetup } from '../../src/core/project.ts'
import { scanFiles, scanTree } from '../../src/core/scan.ts'
import { syncFiles, type SyncReport } from '../../src/core/sync.ts'
import { pdf, png, svg } from '../support/media.ts'
import { LAST_SYNC, LOCKFILE, optionsFor, readLock, settle, useFixtures, type Tree } from '../support/project.ts'

const fixtures = useFixtures()

function tree(): Tree {
  return {
    'img/a.png': png(4, 3, 1),
    'img/copy-of-a.png': png(4, 3, 1),
    'icons/logo.svg': svg(10, 20),
    'docs/guide.pdf': pdf('guide'),
  }
}

/** A synced project whose next sync answers from the record. */
async function syncedProject(files: Tree = tree(), extra: WixMediaOptions = {}) {
  const emulator = await fixtures.emulator()
  const root = await fixtures.project(files)
  await settle()
  const sync = (more: WixMediaOptions = {}, setup: ProjectSetup = {}) => runSync(optionsFor(emulator, root, { ...extra, ...more }), setup)
  const first = await sync()
  expect(first.errors).toEqual([])
  expect(first.fromLastSync).toBe(false)
  await recordAgain(root, sync)
  return { emulator, root, sync }
}

/**
 * After a sync that wrote the lockfile (it leaves no record: the file is too fresh to stamp), the
 * next sync is a full one that changes nothing and records, walking the tree.
 */
async function recordAgain(root: string, sync: (more?: WixMediaOptions, setup?: ProjectSetup) => Promise<SyncReport>): Promise<void> {
  await settle()
  const lock = await readFile(join(root, LOCKFILE), 'utf8')
  const walks: boolean[] = []
  const full = await sync({}, { onScanned: (_paths, walked) => void walks.push(walked) })
  expect({ fromLastSync: full.fromLastSync, uploaded: full.uploaded, adopted: full.adopted, errors: full.errors, walks })
    .toEqual({ fromLastSync: false, uploaded: 0, adopted: 0, errors: [], walks: [true] })
  expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
}

const lockInode = (root: string) => stat(join(root, LOCKFILE)).then((stats) => stats.ino, () => undefined)

describe('the last sync\'s record', () => {
  it('a sync of an unchanged tree answers from it: no request, the lockfile and stat cache untouched, the same report', async () => {
    const { emulator, root, sync } = await syncedProject()
    const full = await sync({ include: ['img/**'] }) // a narrower scan: a full sync; docs/ and icons/ stay in the lockfile
    expect(full.fromLastSync).toBe(false)
    await rm(join(root, 'docs/guide.pdf'))
    const withStale = await sync()
    expect(withStale).toMatchObject({ fromLastSync: false, files: 3, stale: [expect.any(String)] })
    await recordAgain(root, sync)
    const lock = await readFile(join(root, LOCKFILE), 'utf8')
    emulator.clearRequests()

    const quick = await sync()

    expect(quick).toEqual({ ...withStale, fromLastSync: true, reused: 3, durationMs: quick.durationMs })
    expect(emulator.requests()).toEqual([])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
    expect(await planProject(optionsFor(emulator, root, { frozen: true }), true)).toEqual({ work: [], unchanged: 3, errors: [], stale: withStale.stale, pathUpdates: 0 })
  })

  /** `sync` runs a sync of the project as it stands (for changes made in two steps). */
  type Change = (root: string, sync: () => Promise<SyncReport>) => Promise<void>
  const changes: [string, Change, { uploaded?: number; adopted?: number; stale?: number; files?: number }][] = [
    ['a file rewritten with other bytes of the same size', (root) => writeFile(join(root, 'docs/guide.pdf'), pdf('gUIDE')), { uploaded: 1, stale: 1 }],
    ['a file rewritten in place with its old mtime restored (cp -p)', async (root, sync) => {
      await utimes(join(root, 'docs/guide.pdf'), 1_700_000_000, 1_700_000_000)
      await settle()
      expect((await sync()).fromLastSync).toBe(false) // records the restored mtime
      expect((await sync()).fromLastSync).toBe(true)
      await writeFile(join(root, 'docs/guide.pdf'), pdf('gUIDE'))
      await utimes(join(root, 'docs/guide.pdf'), 1_700_000_000, 1_700_000_000)
    }, { uploaded: 1, stale: 1 }],
    ['a file touched', (root) => utimes(join(root, 'icons/logo.svg'), 1_600_000_000, 1_600_000_000), {}],
    ['a file added', (root) => writeFile(join(root, 'img/new.png'), png(2, 2, 9)), { uploaded: 1, files: 5 }],
    ['a file deleted', (root) => rm(join(root, 'icons/logo.svg')), { stale: 1, files: 3 }],
    ['a file renamed', (root) => rename(join(root, 'icons/logo.svg'), join(root, 'icons/mark.svg')), {}],
    // Its files keep every stat, and documents/ sorts where docs/ did: only their paths tell.
    ['a folder renamed', (root) => rename(join(root, 'docs'), join(root, 'documents')), {}],
    ['the lockfile deleted', (root) => rm(join(root, LOCKFILE)), { adopted: 3 }],
    ['a lockfile entry removed by hand', async (root) => {
      const lock = await readLock(root)
      const files = Object.fromEntries(Object.entries(lock.files).filter(([, entry]) => !entry.paths.includes('icons/logo.svg')))
      await writeFile(join(root, LOCKFILE), formatLockfile({ ...lock, files }))
    }, { adopted: 1 }],
    ['the record itself corrupt', (root) => writeFile(join(root, LAST_SYNC), '{"version":1,'), {}],
    ['a record written by another version of this tool (it may scan or check otherwise)', async (root) => {
      const record = JSON.parse(await readFile(join(root, LAST_SYNC), 'utf8')) as { key: string }
      const key = record.key.replace(JSON.stringify(packageVersion()), '"0.0.0-other"')
      expect(key).not.toBe(record.key)
      await writeFile(join(root, LAST_SYNC), JSON.stringify({ ...record, key }))
    }, {}],
  ]
  for (const [name, change, expected] of changes) {
    it(`${name}: the next sync is a full one, with a full sync's outcome, and the record answers again once it is recorded`, async () => {
      const { root, sync } = await syncedProject()
      expect((await sync()).fromLastSync).toBe(true)

      await change(root, () => sync())
      await settle()
      const lockBefore = await lockInode(root)
      const next = await sync()

      expect(next.errors).toEqual([])
      expect({ fromLastSync: next.fromLastSync, files: next.files, uploaded: next.uploaded, adopted: next.adopted, stale: next.stale.length })
        .toEqual({ fromLastSync: false, files: 4, uploaded: 0, adopted: 0, stale: 0, ...expected })
      if (await lockInode(root) !== lockBefore) await recordAgain(root, sync) // it wrote the lockfile
      const again = await sync()
      expect({ fromLastSync: again.fromLastSync, uploaded: again.uploaded, adopted: again.adopted, stale: again.stale }).toEqual({
        fromLastSync: true, uploaded: 0, adopted: 0, stale: next.stale,
      })
    })
  }

  it('run from the project folder (the working directory is the root), it stats by relative paths and still misses no change', async () => {
    const { root, sync } = await syncedProject()
    const cwd = process.cwd()
    process.chdir(root)
    try {
      expect(pathsForSyncStats(process.cwd())('img/a.png')).toBe('img/a.png')
      expect(pathsForSyncStats(process.cwd())('../elsewhere/b.png')).toBe(join(dirname(process.cwd()), 'elsewhere/b.png'))
      expect((await sync()).fromLastSync).toBe(true)
      await writeFile(join(root, 'docs/guide.pdf'), pdf('gUIDE'))
      await settle()
      const next = await sync()
      expect({ fromLastSync: next.fromLastSync, uploaded: next.uploaded, errors: next.errors }).toEqual({ fromLastSync: false, uploaded: 1, errors: [] })
    } finally {
      process.chdir(cwd)
    }
    // Elsewhere, absolute paths.
    expect(pathsForSyncStats(root)('img/a.png')).toBe(join(root, 'img/a.png'))
  })

  it('an unchanged tree is not even walked; after a folder changed but no file, one walk records the folder again', async () => {
    const { root, sync } = await syncedProject()
    const walks: boolean[] = []
    const watch = { onScanned: (_paths: readonly string[], walked: boolean) => void walks.push(walked) }
    const quick = async () => {
      const report = await sync({}, watch)
      expect({ fromLastSync: report.fromLastSync, files: report.files }).toEqual({ fromLastSync: true, files: 4 })
    }

    await quick()
    await mkdir(join(root, 'img/empty')) // img/ changes, no file does
    await settle()
    await quick()
    await quick()

    expect(walks).toEqual([false, true, false])
  })

  it('a walk that saw a folder within a timestamp tick of its last change does not record the listing', async () => {
    const { emulator, root, sync } = await syncedProject()
    const options = optionsFor(emulator, root)
    const recorded = async () => (JSON.parse(await readFile(join(root, LAST_SYNC), 'utf8')) as { listing: unknown }).listing
    const scan = await scanTree(options)
    const seenAt = (after: number) => ({ ...scan, observed: scan.observed.map((entry) => ({ ...entry, at: (entry.stats?.ctimeMs ?? 0) + after })) })

    await (await loadLastSync(options))!.relist(seenAt(RACY_MS - 1)) // as if each was stat'ed just after it changed
    expect(await recorded()).toBeNull()
    expect((await sync()).fromLastSync).toBe(true) // the files still answer; the folders need a walk

    await (await loadLastSync(options))!.relist(seenAt(RACY_MS + 1))
    expect(await recorded()).not.toBeNull()
  })

  const listingChanges: [string, Change, { uploaded: number; files: number }][] = [
    ['a file added in a new nested folder', async (root) => {
      await mkdir(join(root, 'img/deep/er'), { recursive: true })
      await writeFile(join(root, 'img/deep/er/new.png'), png(2, 2, 9))
    }, { uploaded: 1, files: 5 }],
    ['a .gitignore edited in place so that it ignores a file no more (no folder changes)', async (root) => {
      await writeFile(join(root, '.gitignore'), 'nothing-ignored/\n') // the file existed: its folder keeps its mtime
    }, { uploaded: 1, files: 5 }],
  ]
  for (const [name, change, expected] of listingChanges) {
    it(`${name}: the next sync walks and hosts it`, async () => {
      const { root, sync } = await syncedProject({ ...tree(), '.gitignore': 'secret/\n', 'secret/hidden.png': png(3, 3, 3) })
      const walks: boolean[] = []
      const watch = { onScanned: (_paths: readonly string[], walked: boolean) => void walks.push(walked) }
      expect((await sync({}, watch)).fromLastSync).toBe(true)

      await change(root, () => sync())
      const next = await sync({}, watch)

      expect({ fromLastSync: next.fromLastSync, uploaded: next.uploaded, files: next.files, errors: next.errors })
        .toEqual({ fromLastSync: false, errors: [], ...expected })
      expect(walks).toEqual([false, true])
    })
  }

  const linkChanges: [string, Tree, (root: string) => Promise<void>, (root: string) => Promise<void>, string[]][] = [
    ['a folder link made before its target exists (into build output): the target appears', { 'dist/.keep': '' },
      (root) => symlink('../dist/icons', join(root, 'img/gen')),
      async (root) => {
        await mkdir(join(root, 'dist/icons'))
        await writeFile(join(root, 'dist/icons/x.png'), png(6, 6, 8))
      }, ['img/gen/x.png']],
    ['a file link (into build output) whose target is replaced by a folder', { 'dist/c.png': png(3, 3, 3) },
      (root) => symlink('../dist/c.png', join(root, 'img/c.png')),
      async (root) => {
        await rm(join(root, 'dist/c.png'))
        await mkdir(join(root, 'dist/c.png'))
        await writeFile(join(root, 'dist/c.png/inner.png'), png(7, 7, 9))
      }, ['img/c.png/inner.png']],
  ]
  for (const [name, files, link, change, found] of linkChanges) {
    it(`${name}: no folder of the tree changes, yet the next sync walks and hosts what the link now shows`, async () => {
      const emulator = await fixtures.emulator()
      const root = await fixtures.project({ ...tree(), ...files })
      await link(root)
      await settle()
      const sync = (setup: ProjectSetup = {}) => runSync(optionsFor(emulator, root, { exclude: ['**/dist/**'] }), setup)
      expect((await sync()).errors).toEqual([])
      await recordAgain(root, (_more, setup) => sync(setup))
      const walks: boolean[] = []
      const watch = { onScanned: (_paths: readonly string[], walked: boolean) => void walks.push(walked) }
      expect((await sync(watch)).fromLastSync).toBe(true)

      await change(root)
      const next = await sync(watch)

      expect({ fromLastSync: next.fromLastSync, errors: next.errors, uploaded: next.uploaded }).toEqual({ fromLastSync: false, errors: [], uploaded: 1 })
      expect(walks).toEqual([false, true])
      const paths = Object.values((await readLock(root)).files).flatMap((entry) => entry.paths)
      for (const path of found) expect(paths).toContain(path)
    })
  }

  it('a cache folder inside the project is not walked, so the record it holds does not make every sync walk', async () => {
    const { root, sync } = await syncedProject(tree(), { cacheDir: 'wix-cache' })
    expect(await stat(join(root, 'wix-cache/last-sync.json')).then(() => true)).toBe(true)
    const walks: boolean[] = []
    const watch = { onScanned: (_paths: readonly string[], walked: boolean) => void walks.push(walked) }
    for (let run = 0; run < 3; run++) expect((await sync({}, watch)).fromLastSync).toBe(true)
    expect(walks).toEqual([false, false, false])
  })

  it('a kept path outside the scan deleted: the next sync drops it from the lockfile', async () => {
    const { root, sync } = await syncedProject(tree(), { include: ['img/**'] })
    // The first sync scanned img/ only; the lockfile had no other paths. Record docs/ and icons/ too, then narrow the scan.
    await sync({ include: ['**/*'] })
    await recordAgain(root, sync)
    expect((await sync()).fromLastSync).toBe(true)
    expect(Object.values((await readLock(root)).files).flatMap((entry) => entry.paths)).toContain('docs/guide.pdf')

    await rm(join(root, 'docs/guide.pdf'))
    const next = await sync()

    expect(next.fromLastSync).toBe(false)
    expect(next.stale).toHaveLength(1)
    expect(Object.values((await readLock(root)).files).flatMap((entry) => entry.paths)).not.toContain('docs/guide.pdf')
  })

  it('a sync whose lockfile write merged another process\'s removal of an entry records nothing; the next sync restores it', async () => {
    const { emulator, root, sync } = await syncedProject()
    await writeFile(join(root, 'img/new.png'), png(2, 2, 9))
    const options = optionsFor(emulator, root)
    const engine = await createEngine(options)
    // Another process drops the logo's entry after this engine read the lockfile, before it writes.
    const other = await openLockfile(options.lockfile, options.siteId)
    const [logo] = other.entries().find(([, entry]) => entry.paths.includes('icons/logo.svg'))!
    other.delete(logo)
    await other.flush()

    const merged = await syncFiles(engine, await scanFiles(options))
    expect({ uploaded: merged.uploaded, errors: merged.errors }).toEqual({ uploaded: 1, errors: [] })
    expect((await readLock(root)).files[logo]).toBeUndefined()

    const next = await sync()
    expect({ fromLastSync: next.fromLastSync, adopted: next.adopted }).toEqual({ fromLastSync: false, adopted: 1 })
    expect((await readLock(root)).files[logo]?.paths).toEqual(['icons/logo.svg'])
  })

  it('options that change the outcome are not answered from the record: another site, a lower size limit', async () => {
    const { emulator, root, sync } = await syncedProject()
    expect((await sync()).fromLastSync).toBe(true)

    await expect(sync({ siteId: 'another-site' })).rejects.toMatchObject({ code: 'WIX_MEDIA_LOCKFILE', message: expect.stringContaining('belongs to site') })
    const limited = await sync({ maxFileSize: { VECTOR: 10 } })
    expect(limited.fromLastSync).toBe(false)
    expect(limited.errors.map((error) => `${error.code} ${error.file}`)).toEqual(['WIX_MEDIA_FILE icons/logo.svg'])
    // A sync with errors drops the record: each such sync checks again and fails again, and the next
    // clean one is a full sync that records anew.
    expect(await stat(join(root, LAST_SYNC)).catch(() => 'gone')).toBe('gone')
    expect((await sync({ maxFileSize: { VECTOR: 10 } })).errors).toHaveLength(1)
    expect((await runSync(optionsFor(emulator, root))).fromLastSync).toBe(false)
    expect((await runSync(optionsFor(emulator, root))).fromLastSync).toBe(true)
  })
})
