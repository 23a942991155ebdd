/**
 * A folder the scan cannot read is an error naming it, not a silent gap: a `sync --frozen` that
 * never saw a folder's files must not pass, nor `prune` drop their entries. The CLI runs as a user
 * that really cannot read the folder (for root, to whom permissions do not apply: `nobody`, who
 * must then be able to run this Node: `.ci/run` opens its Node 22 folder for that).
 */
import { chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { png } from '../support/media.ts'
import { spawnCollecting } from '../support/process.ts'
import { CLI, cliEnv, useFixtures } from '../support/project.ts'

const fixtures = useFixtures()
const NOBODY = 65534

it('a folder it cannot read fails status and sync --frozen (exit 1), naming the folder and the fix', async () => {
  const emulator = await fixtures.emulator()
  const root = await fixtures.project({ 'a.png': png(3, 3, 1), 'locked/b.png': png(3, 3, 2) })
  const asRoot = process.getuid?.() === 0
  await chmod(root, 0o755)
  await chmod(join(root, 'locked'), 0o000)
  try {
    for (const args of [['status'], ['sync', '--frozen']]) {
      const { code, stderr } = await spawnCollecting(process.execPath, [CLI, ...args], {
        cwd: root,
        env: { PATH: process.env.PATH, ...cliEnv(emulator) },
        ...(asRoot && { uid: NOBODY, gid: NOBODY }),
      }).closed
      expect(code, stderr).toBe(1)
      expect(stderr).toContain('locked/: the folder cannot be read (EACCES), so its files cannot be scanned. Fix its permissions, or leave it out with `exclude`')
    }
  } finally {
    await chmod(join(root, 'locked'), 0o755)
  }
  expect(emulator.requests()).toEqual([])
})
