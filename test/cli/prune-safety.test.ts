/**
 * `wix-media prune` where it can hurt: a remote prune without a lockfile to go by (every file in the
 * managed folder, other projects' too, would be an orphan), flags that do nothing, a dry run's
 * words, and a trash step that fails after the lockfile entries were dropped.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatLockfile } from '../../src/core/lockfile.ts'
import type { Emulator } from '../../src/emulator/index.ts'
import { pdf, png, svg } from '../support/media.ts'
import { cliEnv, countRoute, LOCKFILE, readLock, useFixtures, type Tree } from '../support/project.ts'

const fixtures = useFixtures()

function tree(): Tree {
  return {
    'src/assets/hero.png': png(6, 4, 1),
    'src/assets/logo.svg': svg(8, 8),
    'public/terms.pdf': pdf('terms'),
  }
}

const trashed = (emulator: Emulator) => emulator.files().filter((file) => file.parentFolderId === 'trash-root')

/** Makes the lockfile one written before lockfiles recorded their root (no `root` field); returns its text. */
async function withoutRecordedRoot(root: string): Promise<string> {
  const data = JSON.parse(await readFile(join(root, LOCKFILE), 'utf8')) as { root?: string }
  expect(data.root).toBe('.')
  delete data.root
  const text = `${JSON.stringify(data, null, 2)}\n`
  await writeFile(join(root, LOCKFILE), text)
  return text
}

/** Another project of the same site has synced into the default managed folder. */
async function otherProjectSynced(emulator: Emulator): Promise<void> {
  const other = await fixtures.project(tree())
  const run = await fixtures.runCli(['sync'], other, cliEnv(emulator))
  expect(run.code, run.stderr).toBe(0)
  emulator.clearRequests()
}

describe('prune --remote without a lockfile to go by', () => {
  it('refuses with exit 2 when there is no lockfile, names the path it looked for, and trashes nothing', async () => {
    const emulator = await fixtures.emulator()
    await otherProjectSynced(emulator)
    const root = await fixtures.project({ 'src/a.png': png(2, 2, 9) })

    const run = await fixtures.runCli(['prune', '--remote', '--yes', '--min-age', '0'], root, cliEnv(emulator))

    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`error WIX_MEDIA_CONFIG: prune --remote refused: there is no lockfile at ${join(root, LOCKFILE)}`)
    expect(run.stderr).toContain('every file in the managed folder /unplugin-wix-media would count as an orphan')
    expect(run.stderr).toContain('Run it from the project root, or pass --root')
    expect(trashed(emulator)).toEqual([])
    expect(countRoute(emulator, 'deleteFiles')).toBe(0)
    await expect(readFile(join(root, LOCKFILE))).rejects.toThrow(/ENOENT/)

    const json = await fixtures.runCli(['prune', '--remote', '--json'], root, cliEnv(emulator))
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({ errors: [{ code: 'WIX_MEDIA_CONFIG' }] })
  })

  it('refuses when the lockfile has no entries', async () => {
    const emulator = await fixtures.emulator()
    await otherProjectSynced(emulator)
    const root = await fixtures.project({ 'src/a.png': png(2, 2, 9) })
    const empty = formatLockfile({ version: 1, siteId: emulator.siteId, files: {} })
    await writeFile(join(root, LOCKFILE), empty)

    const run = await fixtures.runCli(['prune', '--remote', '--yes', '--min-age', '0'], root, cliEnv(emulator))

    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`the lockfile ${join(root, LOCKFILE)} has no entries`)
    expect(trashed(emulator)).toEqual([])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(empty)
  })

  it('refuses when no file under the root uses any entry (run from a subfolder with --lockfile), and drops none of them (a lockfile without `root`)', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ ...tree(), 'docs/readme.txt': 'x' })
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const lock = await withoutRecordedRoot(root)

    const run = await fixtures.runCli(['prune', '--remote', '--yes', '--min-age', '0', '--lockfile', join(root, LOCKFILE)], join(root, 'docs'), cliEnv(emulator))

    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`prune refused: it finds no media file under ${join(root, 'docs')}, and none of the paths the lockfile ${join(root, LOCKFILE)} records exists there`)
    expect(trashed(emulator)).toEqual([])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
  })
})

describe('the wrong root', () => {
  it('every command refuses a lockfile whose recorded root is another folder, even where a file there is at a recorded path', async () => {
    const emulator = await fixtures.emulator()
    // docs/img/logo.png is at a path the lockfile records (img/logo.png), relative to docs/.
    const root = await fixtures.project({
      'img/logo.png': png(5, 5, 1), 'img/hero.png': png(5, 5, 2), 'img/team.png': png(5, 5, 3), 'docs/img/logo.png': png(5, 5, 1),
    })
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const lock = await readFile(join(root, LOCKFILE), 'utf8')
    expect(JSON.parse(lock)).toMatchObject({ root: '.' })
    for (const args of [['sync'], ['status'], ['verify', '--fix'], ['prune'], ['prune', '--remote', '--yes', '--min-age', '0']]) {
      const run = await fixtures.runCli([...args, '--lockfile', '../wix-media.lock.json'], join(root, 'docs'), cliEnv(emulator))
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2)
      expect(run.stderr).toContain(`error WIX_MEDIA_CONFIG: ../wix-media.lock.json: the lockfile's paths are relative to ${root} (its \`root\`), not to ${join(root, 'docs')}`)
      expect(run.stderr).toContain(`Run from ${root}, or pass --root ${root}`)
    }
    expect(trashed(emulator)).toEqual([])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
    // From the right root, through the same path, all is well.
    const right = await fixtures.runCli(['status', '--root', root, '--lockfile', join(root, LOCKFILE)], join(root, 'docs'), cliEnv(emulator))
    expect(right.code, right.stderr).toBe(0)
  })

  it('prune refuses, dropping and trashing nothing, when the files it finds are at none of the lockfile\'s paths (a lockfile without `root`)', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'img/a.png': png(5, 5, 1), 'img/b.png': png(5, 5, 2), 'other/c.png': png(5, 5, 3) })
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const lock = await withoutRecordedRoot(root)

    for (const args of [['prune'], ['prune', '--remote', '--yes', '--min-age', '0']]) {
      const run = await fixtures.runCli([...args, '--lockfile', join(root, LOCKFILE)], join(root, 'img'), cliEnv(emulator))
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(`prune refused: none of the 2 files under ${join(root, 'img')} is at a path the lockfile ${join(root, LOCKFILE)} records`)
      expect(trashed(emulator)).toEqual([])
      expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
    }
    // A subfolder with no media at all: it would have dropped every entry.
    await writeFile(join(root, 'docs.txt'), 'x')
    await mkdir(join(root, 'docs'))
    const empty = await fixtures.runCli(['prune', '--lockfile', join(root, LOCKFILE)], join(root, 'docs'), cliEnv(emulator))
    expect(empty.code, empty.stderr).toBe(2)
    expect(empty.stderr).toContain(`prune refused: it finds no media file under ${join(root, 'docs')}, and none of the paths the lockfile ${join(root, LOCKFILE)} records exists there`)
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
  })
})

describe('prune flags', () => {
  it('--yes without --remote is a usage error (exit 2) that changes nothing', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    await rm(join(root, 'public/terms.pdf'))
    const lock = await readFile(join(root, LOCKFILE), 'utf8')

    const run = await fixtures.runCli(['prune', '--yes'], root, cliEnv(emulator))

    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--yes only applies with --remote')
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
  })

  it('--help lists globs but not --frozen or --concurrency, which prune refuses (it never uploads)', async () => {
    const root = await fixtures.project(tree())

    const help = await fixtures.runCli(['prune', '--help'], root)

    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: wix-media prune [globs…] [options]')
    expect(help.stdout).toContain('--lockfile <file>')
    expect(help.stdout).not.toContain('--frozen')
    expect(help.stdout).not.toContain('--concurrency')
    for (const flag of [['--frozen'], ['--concurrency', '2']]) {
      const run = await fixtures.runCli(['prune', ...flag], root)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(`${flag[0]} does not apply to prune`)
    }
  })

  it('--remote --yes --dry-run says the orphans would be moved to the trash, and moves nothing', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    await rm(join(root, 'public/terms.pdf'))
    const lock = await readFile(join(root, LOCKFILE), 'utf8')

    const run = await fixtures.runCli(['prune', '--remote', '--yes', '--dry-run', '--min-age', '0'], root, cliEnv(emulator))

    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('prune: would drop 1 lockfile entry; 1 orphan in /unplugin-wix-media would be moved to the trash')
    expect(run.stderr).toMatch(/^would trash \S+ \(terms\.pdf\)$/m)
    expect(run.stderr).not.toContain('add --yes')
    expect(trashed(emulator)).toEqual([])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)

    const over = await fixtures.runCli(['prune', '--remote', '--yes', '--dry-run', '--min-age', '0', '--max-delete', '0'], root, cliEnv(emulator))
    expect(over.stderr).toContain('1 orphan in /unplugin-wix-media would not be moved to the trash: more than --max-delete 0')
  })

  it('with a read-only key, --remote --yes drops the entries, then says so along with the failed trash step (exit 1)', async () => {
    const emulator = await fixtures.emulator({ apiKeys: { 'read-only-key': 'read' } })
    const files = tree()
    const root = await fixtures.project(files)
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const orphanId = Object.values((await readLock(root)).files).find((entry) => entry.paths.includes('public/terms.pdf'))!.id
    await rm(join(root, 'public/terms.pdf'))
    const env = { ...cliEnv(emulator), WIX_API_KEY: 'read-only-key' }

    const run = await fixtures.runCli(['prune', '--remote', '--yes', '--min-age', '0'], root, env)

    expect(run.code).toBe(1)
    expect(run.stderr).toContain('error WIX_MEDIA_PERMISSION')
    expect(run.stderr).toContain(`orphan  ${orphanId} (terms.pdf)`)
    expect(run.stderr).toContain('prune: dropped 1 lockfile entry; 1 orphan in /unplugin-wix-media NOT moved to the trash')
    expect(Object.keys((await readLock(root)).files)).toHaveLength(2)
    expect(trashed(emulator)).toEqual([])

    const json = await fixtures.runCli(['prune', '--remote', '--yes', '--min-age', '0', '--json'], root, env)
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ dropped: [], orphans: [{ id: orphanId }], trashed: false, errors: [{ code: 'WIX_MEDIA_PERMISSION' }] })
  })
})
