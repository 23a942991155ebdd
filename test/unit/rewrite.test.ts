/** The rewrite step's source maps: positions after a rewritten reference still map to their source. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rewriteCss, rewriteImportMetaUrls, type UrlResolver } from '../../src/plugin/rewrite.ts'

let dir: string
const HOSTED = 'https://static.wixstatic.com/media/0a1b2c_0123456789abcdef0123456789abcdef~mv2.png'
const resolver: UrlResolver = { wants: () => true, urlFor: async () => HOSTED }

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
