/** The rewrite step's source maps: positions after a rewritten reference still map to their source. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aliased, rewriteCss, rewriteImportMetaUrls, type UrlResolver } from '../../src/plugin/rewrite.ts'

let dir: string
const HOSTED = 'https://static.wixstatic.com/media/0a1b2c_0123456789abcdef0123456789abcdef~mv2.png'
const resolver: UrlResolver = { wants: () => true, urlFor: async () => HOSTED, keptLocal: () => {}, keptByBundler: () => {} }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wix-media-rewrite-'))
  await writeFile(join(dir, 'a.png'), 'png')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Where `needle` ends up in the output, traced back through the map. */
function traced(result: { code: string; map: unknown }, needle: string) {
  const at = result.code.indexOf(needle)
  const before = result.code.slice(0, at).split('\n')
  return originalPositionFor(new TraceMap(result.map as ConstructorParameters<typeof TraceMap>[0]), {
    line: before.length,
    column: before.at(-1)!.length,
  })
}

describe('rewrite source maps', () => {
  it('JS: code after new URL(…, import.meta.url) maps to where it was written', async () => {
    const id = join(dir, 'main.js')
    const code = "const a = new URL('./a.png', import.meta.url).href; const marker = 1\nconsole.log(marker)\n"
    const result = await rewriteImportMetaUrls(code, id, dir, resolver)
    expect(result?.code).toBe(`const a = new URL(${JSON.stringify(HOSTED)}).href; const marker = 1\nconsole.log(marker)\n`)
    expect(traced(result!, 'const marker')).toMatchObject({ source: id, line: 1, column: code.indexOf('const marker') })
    expect(traced(result!, 'console.log')).toMatchObject({ source: id, line: 2, column: 0 })
  })

  it('CSS: a declaration after a rewritten url() maps to where it was written', async () => {
    const id = join(dir, 'style.css')
    const code = '.hero { background: url(./a.png); color: red }\n'
    const result = await rewriteCss(code, id, dir, resolver)
    expect(result?.code).toBe(`.hero { background: url(${HOSTED}); color: red }\n`)
    expect(traced(result!, 'color: red')).toMatchObject({ source: id, line: 1, column: code.indexOf('color: red') })
  })

  it('nothing to rewrite: no result, so the bundler keeps its own code and map', async () => {
    expect(await rewriteCss('.a { color: red }', join(dir, 'x.css'), dir, resolver)).toBeUndefined()
    expect(await rewriteImportMetaUrls("new URL('./missing.png', import.meta.url)", join(dir, 'x.js'), dir, resolver)).toBeUndefined()
  })
})

describe("Vite's aliases, applied as Vite applies them", () => {
  it('the first entry that matches: a string matches itself or a folder under it, a RegExp with its groups', () => {
    const aliases = [{ find: '@', replacement: '/abs/src' }, { find: /^~(\w+)\//, replacement: '/abs/$1/' }, { find: '@@', replacement: '/never' }]
    expect(aliased('@/a.png', aliases)).toBe('/abs/src/a.png')
    expect(aliased('@@/a.png', aliases)).toBe('/never/a.png')
    expect(aliased('@a.png', aliases)).toBe('@a.png')
    expect(aliased('~img/a.png?v=1', aliases)).toBe('/abs/img/a.png?v=1')
    expect(aliased('./a.png', aliases)).toBe('./a.png')
    expect(aliased('@/a.png', [{ find: '@', replacement: '/x', customResolver: () => null }])).toBeUndefined()
  })

  it('an alias to an absolute folder outside the bundler root is hosted; a missing file or an unknown query is not', async () => {
    await mkdir(join(dir, 'shared'), { recursive: true })
    await writeFile(join(dir, 'shared', 'b.png'), 'png')
    const said: string[] = []
    const host: UrlResolver = { ...resolver, keptLocal: (path, query) => void said.push(`${path}${query}`) }
    const aliases = [{ find: '@shared', replacement: join(dir, 'shared') }]
    const code = '.a { background: url(@shared/b.png) }\n.b { background: url(@shared/gone.png) }\n.c { background: url(@shared/b.png?w=3) }\n'
    const result = await rewriteCss(code, join(dir, 'app', 'style.css'), join(dir, 'app'), host, { aliases })
    expect(result?.code).toBe(`.a { background: url(${HOSTED}) }\n.b { background: url(@shared/gone.png) }\n.c { background: url(@shared/b.png?w=3) }\n`)
    expect(said).toEqual([`${join(dir, 'shared', 'b.png')}?w=3`])
  })
})
