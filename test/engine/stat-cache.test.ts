/**
 * The stat cache only ever saves work: a warm run hashes no file, and a fresh clone (no cache, new
 * mtimes) hashes every file again but uploads nothing and makes no API call.
 */
import { readFile, rename, rm, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type * as HashModule from '../../src/core/hash.ts'
import { syncProject as syncWholeProject } from '../../src/core/project.ts'
import { png, svg } from '../support/media.ts'
import { optionsFor, settle, STAT_CACHE, syncProject, useFixtures } from '../support/project.ts'

const hashed = vi.hoisted(() => [] as string[])
vi.mock('../../src/core/hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof HashModule>()
  return {
    ...original,
    sha256File: (path: string, size?: number) => {
      hashed.push(path)
      return original.sha256File(path, size)
    },
  }
})

const fixtures = useFixtures()

describe('stat cache', () => {
  it('a warm run reads no file; a fresh clone re-hashes every file but uploads nothing', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'a.png': png(3, 3, 1), 'b.png': png(4, 4, 2), 'c.svg': svg(5, 5) })
    await settle()

    await syncProject(emulator, root)
    expect(hashed.length).toBe(3)

    hashed.length = 0
    emulator.clearRequests()
    const warm = await syncProject(emulator, root)
    expect(hashed).toEqual([])
    expect(warm.report.reused).toBe(3)
    expect(emulator.requests()).toEqual([])

    // A fresh clone: no local cache, every mtime new.
    await rm(join(root, STAT_CACHE), { recursive: true, force: true })
    const later = new Date(Date.now() + 60_000)
    for (const name of ['a.png', 'b.png', 'c.svg']) await utimes(join(root, name), later, later)
    const clone = await syncProject(emulator, root)
    expect(hashed.map((path) => path.slice(root.length + 1)).sort()).toEqual(['a.png', 'b.png', 'c.svg'])
    expect({ uploaded: clone.report.uploaded, reused: clone.report.reused }).toEqual({ uploaded: 0, reused: 3 })
    expect(emulator.requests()).toEqual([])
  })

  it('a whole-project sync drops the entries of deleted and renamed files', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'a.png': png(3, 3, 1), 'b.png': png(4, 4, 2), 'c.svg': svg(5, 5) })
    const options = optionsFor(emulator, root)
    const cached = async () => Object.keys((JSON.parse(await readFile(join(root, STAT_CACHE), 'utf8')) as { entries: object }).entries)
    await settle()
    await syncWholeProject(options)
    expect(await cached()).toEqual(['a.png', 'b.png', 'c.svg'])

    await rm(join(root, 'b.png'))
    await rename(join(root, 'c.svg'), join(root, 'd.svg'))
    await settle()
    hashed.length = 0
    const { uploaded, reused } = await syncWholeProject(options)
    expect({ uploaded, reused }).toEqual({ uploaded: 0, reused: 2 })
    expect(await cached()).toEqual(['a.png', 'd.svg'])
    expect(hashed.map((path) => path.slice(root.length + 1))).toEqual(['d.svg'])
  })
})
