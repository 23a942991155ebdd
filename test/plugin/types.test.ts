/**
 * client.d.ts, the types for media imports: with it (by path, by `types`, or by the package's
 * `unplugin-wix-media/client` export) a TypeScript project that imports images, video, PDFs and
 * `?url` compiles and sees each import as a `string`; without it, the same file fails with TS2307.
 * The project's own TypeScript compiles small projects in temp dirs, as a child process.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url))
const CLIENT_DTS = join(PACKAGE, 'client.d.ts')
const TSC = join(PACKAGE, 'node_modules/typescript/lib/tsc.js')
const TIMEOUT = 30_000

const USES = `import a from './a.png'
import b from './b.mp4'
import c from './c.pdf'
import d from './d.svg?url'

const urls: string[] = [a, b, c, d]
export const upper: string = a.toUpperCase() + b.slice(1) + c.length + d.startsWith('https://')
export default urls
`

interface Compiled {
  code: number | null
  output: string
}

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

/** Writes `files` and a tsconfig with `compilerOptions` into a fresh temp dir, then runs `tsc -p` there. */
async function compile(files: Record<string, string>, compilerOptions: Record<string, unknown> = {}, setup?: (dir: string) => Promise<void>): Promise<Compiled> {
  const dir = await mkdtemp(join(tmpdir(), 'wix-media-types-'))
  dirs.push(dir)
  const tsconfig = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2023',
      lib: ['ES2023'],
      module: 'ESNext',
      moduleResolution: 'bundler',
      types: [],
      ...compilerOptions,
    },
    files: Object.keys(files).filter((name) => name.endsWith('.ts')),
  }
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
  // The media files exist too, as in a real project (the types must not depend on it).
  for (const name of ['a.png', 'b.mp4', 'c.pdf', 'd.svg']) await writeFile(join(dir, name), '')
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  await setup?.(dir)
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], { cwd: dir, timeout: TIMEOUT }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
      resolve({ code, output: `${stdout}${stderr}`.trim() })
    })
  })
}

/** `file(line,col): error TSxxxx` codes, in order. */
const errorCodes = (output: string) => [...output.matchAll(/^(\S+)\((\d+),\d+\): error (TS\d+):/gm)].map(([, file, line, code]) => `${file}:${line} ${code}`)

describe.concurrent('client.d.ts', () => {
  it('types every import form as a string, with a /// <reference path>', async () => {
    const result = await compile({ 'main.ts': `/// <reference path=${JSON.stringify(CLIENT_DTS)} />\n${USES}` })
    expect(result).toEqual({ code: 0, output: '' })
  }, TIMEOUT)

  it('works from tsconfig `types` by path', async () => {
    const result = await compile({ 'main.ts': USES }, { types: [CLIENT_DTS] })
    expect(result).toEqual({ code: 0, output: '' })
  }, TIMEOUT)

  it.each(['bundler', 'NodeNext'])("works as documented, `types: ['unplugin-wix-media/client']` (moduleResolution %s)", async (resolution) => {
    const result = await compile(
      { 'main.ts': USES, 'package.json': '{ "type": "module" }' },
      { types: ['unplugin-wix-media/client'], module: resolution === 'bundler' ? 'ESNext' : 'NodeNext', moduleResolution: resolution },
      async (dir) => {
        // The package, installed: its package.json `exports["./client"]` must lead TypeScript to client.d.ts.
        await mkdir(join(dir, 'node_modules'))
        await symlink(PACKAGE, join(dir, 'node_modules', 'unplugin-wix-media'), 'dir')
      },
    )
    expect(result).toEqual({ code: 0, output: '' })
  }, TIMEOUT)

  it('without it, each of the four imports fails with TS2307', async () => {
    const result = await compile({ 'main.ts': USES })
    expect(result.code).toBe(2)
    expect(errorCodes(result.output)).toEqual(['main.ts:1 TS2307', 'main.ts:2 TS2307', 'main.ts:3 TS2307', 'main.ts:4 TS2307'])
    expect(result.output).toContain("Cannot find module './d.svg?url'")
  }, TIMEOUT)

  it('declares string, not any: assigning an import to a number fails with TS2322', async () => {
    const result = await compile({ 'main.ts': "import a from './a.png'\nimport d from './d.svg?url'\nexport const n: number = a\nexport const m: number = d\n" }, { types: [CLIENT_DTS] })
    expect(result.code).toBe(2)
    expect(errorCodes(result.output)).toEqual(['main.ts:3 TS2322', 'main.ts:4 TS2322'])
    expect(result.output).toContain("Type 'string' is not assignable to type 'number'")
  }, TIMEOUT)
})
