/**
 * The rewrite step asks the include/exclude filter before the disk: a reference the plugin can never
 * host (a font, a file excluded by the options) costs no filesystem call, however many a build meets.
 */
import type * as FsPromises from 'node:fs/promises'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { rewriteCss, type UrlResolver } from '../../src/plugin/rewrite.ts'

/** Every path the code under test checked on disk. */
const accessed = vi.hoisted(() => [] as string[])
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof FsPromises>()
  return {
    ...original,
    access: (path: string, mode?: number) => {
      accessed.push(path)
      return original.access(path, mode)
    },
  }
})

const HOSTED = 'https://static.wixstatic.com/media/0a1b2c_0123456789abcdef0123456789abcdef~mv2.png'
/** Hosts PNG files only, as `include` would. */
const resolver: UrlResolver = { wants: (path) => path.endsWith('.png'), urlFor: async () => HOSTED, keptLocal: () => {}, keptByBundler: () => {} }
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wix-media-rewrite-'))
  await writeFile(join(dir, 'a.png'), 'png')
  await writeFile(join(dir, 'font.woff2'), 'woff2')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

it('checks the disk only for references the filter wants', async () => {
  const code = '@font-face { src: url(./font.woff2) }\n.a { background: url(./a.png) }\n.b { background: url(./gone.woff2) }\n'
  accessed.length = 0
  const result = await rewriteCss(code, join(dir, 'style.css'), dir, resolver)
  expect(result?.code).toBe(`@font-face { src: url(./font.woff2) }\n.a { background: url(${HOSTED}) }\n.b { background: url(./gone.woff2) }\n`)
  expect(accessed).toEqual([join(dir, 'a.png')])
})
