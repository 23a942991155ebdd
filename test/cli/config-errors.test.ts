/**
 * Mistakes in where the CLI looks and how it is configured: each is a usage error (exit 2) before
 * any request or write, naming what is wrong and how to fix it, never a run that checks nothing and
 * passes (a CI `sync --frozen` with a mistyped root must not go green).
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { png } from '../support/media.ts'
import { cliEnv, LOCKFILE, useFixtures } from '../support/project.ts'

const fixtures = useFixtures()

const exists = (path: string) => stat(path).then(() => true, () => false)

describe('wix-media: where it looks, and its config', () => {
  it('a --root that does not exist, or is a file, exits 2 and creates nothing there', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'src/a.png': png(3, 3, 1) })

    for (const wrong of [join(root, 'typo'), join(root, 'src/a.png'), join(root, 'src/b.png')]) {
      const run = await fixtures.runCli(['sync', '--frozen', '--root', wrong], root, cliEnv(emulator))
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(`${wrong}: the project root is not a folder`)
      expect(run.stderr).toContain('Check --root')
    }
    expect(await exists(join(root, 'typo'))).toBe(false)
    expect(await exists(join(root, 'src/b.png'))).toBe(false)
    expect((await stat(join(root, 'src/a.png'))).isFile()).toBe(true)
    expect(emulator.requests()).toEqual([])
  })

  it('a relative `root` in a config file is the config file\'s folder\'s, wherever the command runs', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({
      'site/media/a.png': png(3, 3, 2),
      'site/wix-media.config.json': JSON.stringify({ root: 'media' }),
      'elsewhere/.keep': '',
    })

    const run = await fixtures.runCli(['status', '--json', '--config', '../site/wix-media.config.json'], join(root, 'elsewhere'), cliEnv(emulator))

    expect(run.code, run.stderr).toBe(3)
    expect(JSON.parse(run.stdout)).toMatchObject({ work: [{ path: 'a.png', action: 'upload' }] })
  })

  it('a misspelled option in the config exits 2 and names the option it probably meant', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'a.png': png(3, 3, 3), 'wix-media.config.json': JSON.stringify({ inclde: ['zzz/**'] }) })

    const run = await fixtures.runCli(['sync'], root, cliEnv(emulator))

    expect(run.code).toBe(2)
    expect(run.stderr).toContain('wix-media.config.json: `inclde` is not an option (did you mean `include`?)')
    expect(emulator.requests()).toEqual([])
    expect(await exists(join(root, LOCKFILE))).toBe(false)
  })

  it('a glob outside the root exits 2 with the fix, instead of a stack trace or matching nothing', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'app/a.png': png(3, 3, 4), 'shared/b.png': png(3, 3, 5) })

    for (const glob of ['../shared/**', join(root, 'shared/b.png')]) {
      const run = await fixtures.runCli(['status', glob], join(root, 'app'), cliEnv(emulator))
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain('Expected the command line\'s globs to be globs relative to `root`')
      expect(run.stderr).not.toMatch(/\n\s+at /) // no stack trace
    }
  })

  it('--quiet with --verbose is a usage error, and a lockfile path that is a folder says so', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'src/a.png': png(3, 3, 7) })

    const both = await fixtures.runCli(['sync', '-q', '-v'], root, cliEnv(emulator))
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--quiet and --verbose contradict each other: pick one')

    const folder = await fixtures.runCli(['sync', '--lockfile', 'src'], root, cliEnv(emulator))
    expect(folder.code).toBe(2)
    expect(folder.stderr).toContain('src: the lockfile path is a folder. Point --lockfile (or `lockfile`) at a file, such as wix-media.lock.json')
    expect(emulator.requests()).toEqual([])
  })

  it('an exclude glob above the root, or an unknown flag, is a usage error naming the fix', async () => {
    const root = await fixtures.project({ 'site/a.png': png(3, 3, 8), 'site/wix-media.config.json': JSON.stringify({ exclude: ['../cfg/**'] }) })
    const excluded = await fixtures.runCli(['status'], join(root, 'site'), { WIX_API_KEY: 'k', WIX_SITE_ID: 's' })
    expect(excluded.code).toBe(2)
    expect(excluded.stderr).toContain('Expected `exclude` to be globs under `root` (no leading "../"')

    const flag = await fixtures.runCli(['sync', '--rooot', '.'], root, {})
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('unknown option --rooot (did you mean --root?)')
  })

  it('an API base URL that is not an http(s) URL is a config error (exit 2, naming WIX_API_BASE_URL), not a network outage', async () => {
    const root = await fixtures.project({ 'a.png': png(3, 3, 6) })
    for (const url of ['not-a-url', 'ftp://127.0.0.1:1']) {
      const run = await fixtures.runCli(['sync'], root, { WIX_API_KEY: 'k', WIX_SITE_ID: 's', WIX_API_BASE_URL: url })
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(`Expected \`WIX_API_BASE_URL\` to be an http(s) URL such as "https://www.wixapis.com", got "${url}"`)
    }
  })
})
