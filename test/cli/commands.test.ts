/**
 * The `wix-media` project commands as real child processes (`node src/cli/index.ts …` in a fixture
 * project) against the emulator over 127.0.0.1: exit codes, `--json` output, what each command
 * writes (or does not), config files, and secrets that must never show up anywhere.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatLockfile } from '../../src/core/lockfile.ts'
import type { Emulator, FaultAction } from '../../src/emulator/index.ts'
import { apiFor } from '../support/emulator.ts'
import { pdf, png, svg } from '../support/media.ts'
import { CLI, cliEnv, countRoute, LAST_SYNC, LOCKFILE, maxOverlap, pathsInLock, readLock, routeCounts, STAT_CACHE, useFixtures, writeTree, type Tree } from '../support/project.ts'

const fixtures = useFixtures()

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

const exists = (path: string) => stat(path).then(() => true, () => false)

function tree(): Tree {
  return {
    'src/assets/hero.png': png(6, 4, 1),
    'src/assets/hero-copy.png': png(6, 4, 1),
    'src/assets/logo.svg': svg(8, 8),
    'public/terms.pdf': pdf('terms'),
  }
}

interface SyncJson {
  files: number
  uploaded: number
  reused: number
  adopted: number
  errors: { code: string; file?: string; message: string; rule?: string }[]
  stale: string[]
}

interface FolderInfo {
  id: string
  displayName: string
  parentFolderId: string
}

/** The folder path (`/a/b`) of a folder id, from the emulator's folder listings. */
async function folderPathOf(emulator: Emulator, folderId: string): Promise<string> {
  const api = apiFor(emulator)
  const all = new Map<string, FolderInfo>()
  for (const queue = ['media-root']; queue.length > 0;) {
    const answer = await api.call<{ folders: FolderInfo[] }>('GET', `/folders?parentFolderId=${queue.shift()!}`)
    for (const folder of answer.body.folders) {
      all.set(folder.id, folder)
      queue.push(folder.id)
    }
  }
  const names: string[] = []
  for (let folder = all.get(folderId); folder; folder = all.get(folder.parentFolderId)) names.unshift(folder.displayName)
  return `/${names.join('/')}`
}

describe('wix-media', () => {
  it('--version and -V print the package\'s version; --help lists the commands; both exit 0', async () => {
    const root = await fixtures.project()
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    for (const flag of ['--version', '-V']) {
      const run = await fixtures.runCli([flag], root)
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: `${version}\n` })
    }
    const help = await fixtures.runCli(['--help'], root)
    expect(help.code).toBe(0)
    for (const command of ['sync', 'status', 'verify', 'prune', 'emulator']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'))
  })
})

describe('wix-media sync', () => {
  it('--json prints one parseable JSON report with the uploaded, reused and adopted counts', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())

    const cold = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))

    expect(cold.code, cold.stderr).toBe(0)
    expect(JSON.parse(cold.stdout)).toMatchObject({ files: 4, uploaded: 3, reused: 1, adopted: 0, errors: [], stale: [] })
    expect(cold.stderr).toMatch(/^3 uploaded \(.+\), 0 adopted, 1 unchanged in /m)
    expect(JSON.parse(cold.stdout)).toMatchObject({ fromLastSync: false })

    // The cold run wrote the lockfile, too fresh to stamp: the next run is a full one that records.
    // NODE_DEBUG=module: Node names on stderr each CommonJS file it loads.
    const loading = { ...cliEnv(emulator), NODE_DEBUG: 'module' }
    const recording = await fixtures.runCli(['sync', '--json'], root, loading)
    expect(JSON.parse(recording.stdout)).toMatchObject({ uploaded: 0, reused: 4, fromLastSync: false })
    expect(recording.stderr).toContain('/node_modules/fast-glob/')
    emulator.clearRequests()
    const warm = await fixtures.runCli(['sync', '--json', '--verbose'], root, loading)

    expect(warm.code, warm.stderr).toBe(0)
    expect(JSON.parse(warm.stdout)).toMatchObject({ files: 4, uploaded: 0, reused: 4, adopted: 0, errors: [], stale: [], requests: 0, fromLastSync: true })
    expect(warm.stderr).toContain('Every file is as the last sync left it')
    expect(emulator.requests()).toEqual([])
    // Answered from the record: no walk, no engine, so neither the walker nor the engine's packages load.
    for (const walkerOrEngine of ['fast-glob', 'ignore', 'p-limit']) expect(warm.stderr).not.toContain(`/node_modules/${walkerOrEngine}/`)

    await rm(join(root, LOCKFILE))
    const adopted = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))

    expect(adopted.code, adopted.stderr).toBe(0)
    const report = JSON.parse(adopted.stdout) as SyncJson
    expect({ uploaded: report.uploaded, reused: report.reused, adopted: report.adopted }).toEqual({ uploaded: 0, reused: 1, adopted: 3 })
    expect(countRoute(emulator, 'upload')).toBe(0) // none since the cold run
  })

  it('without credentials, new files fail (one line for the four: the same cause) with a message naming the variables to set, and nothing is sent', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())

    const run = await fixtures.runCli(['sync', '--json'], root, { WIX_API_BASE_URL: emulator.url })

    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as SyncJson
    expect(report.errors.map((error) => [error.code, error.file])).toEqual([
      ['WIX_MEDIA_AUTH', 'public/terms.pdf'],
      ['WIX_MEDIA_AUTH', 'src/assets/hero-copy.png'],
      ['WIX_MEDIA_AUTH', 'src/assets/hero.png'],
      ['WIX_MEDIA_AUTH', 'src/assets/logo.svg'],
    ])
    // --json keeps every error; stderr says the cause once, with the files.
    expect(run.stderr).toContain('error WIX_MEDIA_AUTH: 4 files (public/terms.pdf, src/assets/hero-copy.png, src/assets/hero.png, src/assets/logo.svg): ' +
      'is not in the lockfile, and there are no credentials to upload it. Set WIX_API_KEY and WIX_SITE_ID (or the apiKey and siteId options)')
    expect(run.stderr.match(/^error /gm)).toHaveLength(1)
    expect(run.stderr).not.toContain('HTTP')
    expect(emulator.requests()).toEqual([])
    expect(await exists(join(root, LOCKFILE))).toBe(false)
  })

  it('on a terminal, draws a progress bar (files, bytes, rate, ETA) on stderr; in a pipe, plain lines only', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WIX_') && key !== 'CI'))
    // `script` (util-linux) runs the command on a pseudo-terminal and copies what it draws.
    const drawn = await new Promise<string>((resolve, reject) => {
      execFile('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} sync`, '/dev/null'],
        { cwd: root, env: { ...base, ...cliEnv(emulator) } }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
    })
    // eslint-disable-next-line no-control-regex -- the bar ends each line with ESC [K (erase to the end)
    expect(drawn).toMatch(/\r\[\.{24}\] 0\/4 files {2}0 B\/310 B {2}0 B\/s {2}ETA -\x1b\[K/)
    // eslint-disable-next-line no-control-regex -- as above
    expect(drawn).toMatch(/\r\[#{24}\] 4\/4 files {2}310 B\/310 B {2}[\d.]+ k?B\/s {2}ETA -\u001b\[K/)
    expect(drawn).toContain('3 uploaded (')

    await rm(join(root, LOCKFILE))
    const piped = await fixtures.runCli(['sync'], root, cliEnv(emulator))
    expect(piped.stderr).not.toContain('[#')
    expect(piped.stderr).not.toContain('\u001b[K')
  })

  it('--frozen with files missing from the lockfile exits 3, names every missing file, and uploads nothing', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const lockBefore = await readFile(join(root, LOCKFILE), 'utf8')
    await writeFile(join(root, 'src/assets/new-1.png'), png(3, 3, 41))
    await writeFile(join(root, 'public/new-2.pdf'), pdf('new'))
    emulator.clearRequests()

    const frozen = await fixtures.runCli(['sync', '--frozen', '--json'], root, cliEnv(emulator))

    expect(frozen.code).toBe(3)
    const report = JSON.parse(frozen.stdout) as SyncJson
    expect(report.errors.map((error) => [error.code, error.file])).toEqual([
      ['WIX_MEDIA_FROZEN', 'public/new-2.pdf'],
      ['WIX_MEDIA_FROZEN', 'src/assets/new-1.png'],
    ])
    expect(frozen.stderr).toContain('error WIX_MEDIA_FROZEN: public/new-2.pdf: is not in the lockfile')
    expect(frozen.stderr).toContain('error WIX_MEDIA_FROZEN: src/assets/new-1.png: is not in the lockfile')
    expect(emulator.requests()).toEqual([])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lockBefore)
  })

  it('--dry-run lists what it would upload (a content once, as sync uploads it), exits 3, and uploads and writes nothing', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())

    const dry = await fixtures.runCli(['sync', '--dry-run'], root, cliEnv(emulator))

    expect(dry.code, dry.stderr).toBe(3)
    expect(dry.stderr.split('\n').filter((line) => line.startsWith('upload ')).sort()).toEqual([
      'upload  public/terms.pdf', 'upload  src/assets/hero-copy.png', 'upload  src/assets/logo.svg',
    ])
    // hero.png has hero-copy.png's bytes: the sync that follows says "3 uploaded, …, 1 unchanged" too.
    expect(dry.stderr).toContain('sync --dry-run: 3 to upload, 0 to adopt, 1 unchanged, 0 stale')
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 1 })
    expect(emulator.files()).toEqual([])
    expect(await exists(join(root, LOCKFILE))).toBe(false)
  })

  it('a config with `concurrency: 0` exits 2 with a message naming the file and `concurrency`, before any call', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ ...tree(), 'wix-media.config.json': JSON.stringify({ concurrency: 0 }) })

    const run = await fixtures.runCli(['sync'], root, cliEnv(emulator))

    expect(run.code).toBe(2)
    expect(run.stderr).toContain('error WIX_MEDIA_CONFIG: wix-media.config.json: Expected `concurrency` to be an integer ≥ 1, got 0. Fix the value in the config file')
    expect(emulator.requests()).toEqual([])
    expect(await exists(join(root, LOCKFILE))).toBe(false)
  })

  it('per-media-type maximum sizes from the config are checked before any upload; the message names each file', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({
      'img/big.png': png(40, 40, 1),
      'img/bigger.png': png(60, 60, 2),
      'wix-media.config.json': JSON.stringify({ maxFileSize: { IMAGE: 100 } }),
    })

    const run = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))

    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as SyncJson
    expect(report.errors.map((error) => [error.code, error.file])).toEqual([['WIX_MEDIA_FILE', 'img/big.png'], ['WIX_MEDIA_FILE', 'img/bigger.png']])
    const size = (await stat(join(root, 'img/big.png'))).size
    expect(run.stderr).toContain(`error WIX_MEDIA_FILE: img/big.png: is ${size} bytes, over the 100-byte limit for IMAGE files`)
    expect(emulator.requests()).toEqual([])
  })

  it('globs on the command line narrow `include` (media only), and leave the rest of the stat cache alone', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({
      'img/a.png': png(3, 3, 41), 'img/notes.txt': 'notes', 'img/README.md': '# hi', 'docs/b.png': png(3, 3, 42),
    })
    const all = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))
    expect(all.code, all.stderr).toBe(0)
    const cached = Object.keys((JSON.parse(await readFile(join(root, STAT_CACHE), 'utf8')) as { entries: object }).entries).sort()
    expect(cached).toEqual(['docs/b.png', 'img/a.png'])

    await writeFile(join(root, 'img/c.png'), png(3, 3, 43))
    const narrowed = await fixtures.runCli(['sync', '--json', 'img/**'], root, cliEnv(emulator))
    expect(narrowed.code, narrowed.stderr).toBe(0)
    expect(JSON.parse(narrowed.stdout)).toMatchObject({ files: 2, uploaded: 1, reused: 1, errors: [] })
    expect(Object.keys(pathsInLock(await readLock(root))).sort()).toEqual(['docs/b.png', 'img/a.png', 'img/c.png'])
    // docs/b.png was not scanned, and keeps its stat cache entry.
    expect(Object.keys((JSON.parse(await readFile(join(root, STAT_CACHE), 'utf8')) as { entries: object }).entries)).toContain('docs/b.png')

    const status = await fixtures.runCli(['status', '--json', '**'], root, cliEnv(emulator))
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ work: [], unchanged: 3, errors: [] })
  })

  it('says so when the scan finds nothing where it was pointed: no media under include, or a command-line glob that matches none', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'img/(2).png': png(3, 3, 52), 'wix-media.config.json': JSON.stringify({ include: ['assets/**/*.png'] }) })
    const empty = await fixtures.runCli(['sync'], root, cliEnv(emulator))
    expect(empty.code, empty.stderr).toBe(0)
    expect(empty.stderr).toContain(`note: no media file under ${root} matches \`include\` (assets/**/*.png), minus \`exclude\` and .gitignore`)

    await writeFile(join(root, 'wix-media.config.json'), '{}')
    const literal = await fixtures.runCli(['status', 'img/(2).png'], root, cliEnv(emulator))
    expect(literal.stderr).toContain(`note: "img/(2).png" matches no media file under ${root} (in a glob, ( ) [ ] { } * ? ! are patterns: put a \\ before one to match it in a file name)`)
    const escaped = await fixtures.runCli(['status', 'img/\\(2\\).png'], root, cliEnv(emulator))
    expect(escaped.code).toBe(3)
    expect(escaped.stderr).toContain('upload  img/(2).png')
    expect(escaped.stderr).not.toContain('note:')
  })

  it('wix-media.config.json is honoured: uploads go to its folder', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ ...tree(), 'wix-media.config.json': JSON.stringify({ folder: '/from-json/assets' }) })

    const run = await fixtures.runCli(['sync'], root, cliEnv(emulator))

    expect(run.code, run.stderr).toBe(0)
    const files = emulator.files()
    expect(files).toHaveLength(3)
    for (const file of files) expect(await folderPathOf(emulator, file.parentFolderId)).toBe('/from-json/assets')
  })

  it('wix-media.config.ts (`export default { concurrency: 2, folder: \'/x\' }`) is honoured: its folder, and 2 transfers at once', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 100 } })
    const files: Tree = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`docs/${i}.pdf`, pdf(`${i}:${'c'.repeat(1_000_000)}`)] as const))
    const root = await fixtures.project({ ...files, 'wix-media.config.ts': "export default { concurrency: 2, folder: '/x' }\n" })

    const run = await fixtures.runCli(['sync'], root, cliEnv(emulator))

    expect(run.code, run.stderr).toBe(0)
    expect(emulator.files()).toHaveLength(8)
    for (const file of emulator.files()) expect(await folderPathOf(emulator, file.parentFolderId)).toBe('/x')
    // Each upload request lasts ≥ 100 ms at the emulator, so the most that overlap is the limit the
    // client kept: 2, the config's (the default, 6, would overlap more), and reached.
    expect(maxOverlap(emulator, 'upload')).toBe(2)
    expect(emulator.stats().maxUploadsInFlight).toBeLessThanOrEqual(2)
  })
})

describe('wix-media status', () => {
  it('exits 3 and lists the work when files are missing, 0 when up to date, and never writes', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())

    const before = await fixtures.runCli(['status'], root, cliEnv(emulator))

    expect(before.code, before.stderr).toBe(3)
    expect(before.stderr).toContain('status: 3 to upload, 0 to adopt, 1 unchanged, 0 stale')
    expect(before.stderr).toContain('upload  src/assets/logo.svg')
    expect(routeCounts(emulator.requests())).toEqual({ listFolders: 1 })
    expect((await readdir(root)).sort()).toEqual(['public', 'src'])

    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const lock = await readFile(join(root, LOCKFILE), 'utf8')
    const lockMtime = (await stat(join(root, LOCKFILE))).mtimeMs
    const cacheMtime = (await stat(join(root, STAT_CACHE))).mtimeMs
    emulator.clearRequests()

    const after = await fixtures.runCli(['status', '--json'], root, cliEnv(emulator))

    expect(after.code, after.stderr).toBe(0)
    expect(JSON.parse(after.stdout)).toEqual({ work: [], unchanged: 4, stale: [], pathUpdates: 0, errors: [] })
    expect(emulator.requests()).toEqual([])
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
    expect((await stat(join(root, LOCKFILE))).mtimeMs).toBe(lockMtime)
    expect((await stat(join(root, STAT_CACHE))).mtimeMs).toBe(cacheMtime)

    // A copied file uploads nothing, but the committed lockfile no longer lists every path: work remains.
    await writeFile(join(root, 'src/assets/logo-copy.svg'), await readFile(join(root, 'src/assets/logo.svg')))
    const copied = await fixtures.runCli(['status'], root, cliEnv(emulator))
    expect(copied.code, copied.stderr).toBe(3)
    expect(copied.stderr).toContain('status: 0 to upload, 0 to adopt, 5 unchanged, 0 stale, 1 with paths to update (files copied, moved or removed)')
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
  })
})

describe('wix-media verify', () => {
  it('exits 0 when every entry is there, 3 after a file is deleted permanently in the Media Manager', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)

    const ok = await fixtures.runCli(['verify'], root, cliEnv(emulator))

    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stderr).toContain('verify: 3 entries checked, 0 with problems')

    const lock = await readLock(root)
    const gone = lock.files[sha256(png(6, 4, 1))]!
    const deleted = await apiFor(emulator).call('POST', '/bulk/files/delete', { fileIds: [gone.id], permanent: true })
    expect(deleted.status).toBe(200)

    const broken = await fixtures.runCli(['verify', '--json'], root, cliEnv(emulator))

    expect(broken.code).toBe(3)
    expect(JSON.parse(broken.stdout)).toEqual({
      checked: 3,
      problems: [{ hash: sha256(png(6, 4, 1)), id: gone.id, paths: ['src/assets/hero-copy.png', 'src/assets/hero.png'], problem: 'missing' }],
    })
    expect(broken.stderr).toContain(`missing       ${gone.id} (src/assets/hero-copy.png, src/assets/hero.png)`)
  })

  it('an API base URL with a path (every call a 404 that names no file) is a config error, never "missing": --fix drops nothing', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const lock = await readFile(join(root, LOCKFILE), 'utf8')
    const wrongBase = `${emulator.url}/site-media/v1`
    for (const args of [['verify'], ['verify', '--fix']]) {
      const run = await fixtures.runCli(args, root, { ...cliEnv(emulator), WIX_API_BASE_URL: wrongBase })
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain(`error WIX_MEDIA_CONFIG: Reading files failed: ${wrongBase} has no Media Manager API (HTTP 404 for POST /site-media/v1/files/get-files)`)
      expect(run.stderr).toContain('Check WIX_API_BASE_URL (or `apiBaseUrl`)')
      expect(run.stderr).not.toContain('missing')
    }
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(lock)
  })

  it('with no lockfile it exits 2 naming the path (nothing checked is no pass); globs, --frozen and --concurrency are usage errors', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project({ 'src/a.png': png(3, 3, 51) })
    const none = await fixtures.runCli(['verify'], root, cliEnv(emulator))
    expect(none.code).toBe(2)
    expect(none.stderr).toContain(`error WIX_MEDIA_CONFIG: ${join(root, LOCKFILE)}: verify found no lockfile to check. Run it from the project root, or pass --root and --lockfile`)
    for (const [args, message] of [
      [['verify', 'extra'], 'unexpected argument "extra": this command takes no globs'],
      [['verify', '--frozen'], '--frozen does not apply to verify'],
      [['verify', '--concurrency', '2'], '--concurrency does not apply to verify'],
    ] as const) {
      const run = await fixtures.runCli([...args], root, cliEnv(emulator))
      expect(run.code, args.join(' ')).toBe(2)
      expect(run.stderr).toContain(message)
    }
    const help = await fixtures.runCli(['verify', '--help'], root, cliEnv(emulator))
    expect(help.stdout).not.toMatch(/--frozen|--concurrency/)
    expect(help.stdout).toContain('--fix')
  })

  it('finds entries that do not describe their file (swapped by a bad merge, a URL edited by hand); --fix and sync put them right, uploading nothing', async () => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const good = await readFile(join(root, LOCKFILE), 'utf8')
    const lock = JSON.parse(good) as { files: Record<string, { id: string; url: string; uri: string; size: number }> }
    const [a, b, c] = Object.keys(lock.files).sort()
    const [entryA, entryB] = [lock.files[a!]!, lock.files[b!]!]
    // Swapped with their sizes, so that only the files' hash labels tell.
    lock.files[a!] = { ...entryA, id: entryB.id, url: entryB.url, uri: entryB.uri, size: entryB.size }
    lock.files[b!] = { ...entryB, id: entryA.id, url: entryA.url, uri: entryA.uri, size: entryA.size }
    lock.files[c!]!.url = 'https://evil.example.com/x.png'
    await writeFile(join(root, LOCKFILE), JSON.stringify(lock, null, 2))

    const found = await fixtures.runCli(['verify', '--json'], root, cliEnv(emulator))
    expect(found.code).toBe(3)
    expect((JSON.parse(found.stdout) as { problems: { hash: string; problem: string }[] }).problems.map((problem) => [problem.hash, problem.problem]))
      .toEqual([[a, 'not-this-file'], [b, 'not-this-file'], [c, 'not-this-file']])
    expect((await fixtures.runCli(['verify', '--fix'], root, cliEnv(emulator))).code).toBe(0)
    emulator.clearRequests()
    const resync = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))
    expect(JSON.parse(resync.stdout)).toMatchObject({ uploaded: 0, adopted: 3 })
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(good)
  })

  it('its hint works: verify --fix drops the entries of trashed and deleted files, and the next sync uploads them again', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    const lock = await readLock(root)
    const pngHash = sha256(files['src/assets/hero.png']!)
    const pdfHash = sha256(files['public/terms.pdf']!)
    const api = apiFor(emulator)
    expect((await api.call('POST', '/bulk/files/delete', { fileIds: [lock.files[pngHash]!.id] })).status).toBe(200)
    expect((await api.call('POST', '/bulk/files/delete', { fileIds: [lock.files[pdfHash]!.id], permanent: true })).status).toBe(200)
    // sync trusts the lockfile: it asks the Media Manager nothing, so it cannot notice.
    const trusting = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))
    expect(JSON.parse(trusting.stdout)).toMatchObject({ uploaded: 0, reused: 4 })

    const found = await fixtures.runCli(['verify'], root, cliEnv(emulator))

    expect(found.code).toBe(3)
    expect(found.stderr).toContain('verify: 3 entries checked, 2 with problems (run `wix-media verify --fix` to drop the entries')
    expect(found.stderr).toContain('then `wix-media sync` to upload them again')

    const fixed = await fixtures.runCli(['verify', '--fix', '--json'], root, cliEnv(emulator))

    expect(fixed.code, fixed.stderr).toBe(0)
    expect(JSON.parse(fixed.stdout)).toMatchObject({ checked: 3, dropped: [pngHash, pdfHash].sort() })
    expect(fixed.stderr).toContain('dropped 2 entries: run `wix-media sync` to upload their files again')
    expect(Object.keys((await readLock(root)).files)).toEqual([sha256(files['src/assets/logo.svg']!)])

    const synced = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))
    expect(synced.code, synced.stderr).toBe(0)
    expect(JSON.parse(synced.stdout)).toMatchObject({ uploaded: 2, adopted: 0, reused: 2 })
    const again = await fixtures.runCli(['verify'], root, cliEnv(emulator))
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain('verify: 3 entries checked, 0 with problems')

    // The other way out: without a lockfile, sync adopts the files still there and uploads the rest.
    const { files: now } = await readLock(root)
    expect((await api.call('POST', '/bulk/files/delete', { fileIds: [now[pngHash]!.id], permanent: true })).status).toBe(200)
    await rm(join(root, LOCKFILE))
    const fresh = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))
    expect(JSON.parse(fresh.stdout)).toMatchObject({ uploaded: 1, adopted: 2 })
    expect((await fixtures.runCli(['verify'], root, cliEnv(emulator))).code).toBe(0)
  })
})

describe('wix-media prune', () => {
  it('drops the entry of a file deleted locally, and keeps the rest', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    await rm(join(root, 'public/terms.pdf'))

    const run = await fixtures.runCli(['prune', '--json'], root, cliEnv(emulator))

    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ dryRun: false, dropped: [sha256(files['public/terms.pdf']!)], orphans: [] })
    expect(run.stderr).toContain('prune: dropped 1 lockfile entry')
    const { 'public/terms.pdf': _gone, ...kept } = files
    expect(pathsInLock(await readLock(root))).toEqual(Object.fromEntries(Object.entries(kept).map(([path, bytes]) => [path, sha256(bytes)])))
    // The Media Manager is left alone without --remote.
    expect(emulator.files().every((file) => file.parentFolderId !== 'trash-root')).toBe(true)
  })

  it('--remote lists an orphan once older than --min-age, --max-delete 0 refuses to trash it, --remote --yes moves it to the trash', async () => {
    const emulator = await fixtures.emulator()
    const files = tree()
    const root = await fixtures.project(files)
    expect((await fixtures.runCli(['sync'], root, cliEnv(emulator))).code).toBe(0)
    // Upload, then forget: the lockfile loses the PDF's entry (and the PDF leaves the tree).
    const lock = await readLock(root)
    const orphanHash = sha256(files['public/terms.pdf']!)
    const orphan = lock.files[orphanHash]!
    const kept = Object.fromEntries(Object.entries(lock.files).filter(([hash]) => hash !== orphanHash))
    await writeFile(join(root, LOCKFILE), formatLockfile({ ...lock, files: kept }))
    await rm(join(root, 'public/terms.pdf'))
    const folderOf = (id: string) => emulator.files().find((file) => file.id === id)?.parentFolderId

    // Just uploaded: by default (--min-age 24 hours) it may be another branch's, so it is no orphan yet.
    const young = await fixtures.runCli(['prune', '--remote', '--json'], root, cliEnv(emulator))
    expect(young.code, young.stderr).toBe(0)
    expect(JSON.parse(young.stdout)).toMatchObject({ orphans: [], tooYoung: 1 })
    expect(young.stderr).toContain('; 1 file no entry uses left alone, younger than --min-age 24 h')

    const listed = await fixtures.runCli(['prune', '--remote', '--min-age', '0', '--json'], root, cliEnv(emulator))

    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toMatchObject({ dropped: [], orphans: [{ id: orphan.id, displayName: 'terms.pdf' }], tooYoung: 0 })
    expect(listed.stderr).toContain(`orphan  ${orphan.id} (terms.pdf)`)
    expect(folderOf(orphan.id)).not.toBe('trash-root')

    const refused = await fixtures.runCli(['prune', '--remote', '--min-age', '0', '--yes', '--max-delete', '0'], root, cliEnv(emulator))

    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('1 files would be moved to the trash, more than --max-delete 0')
    expect(folderOf(orphan.id)).not.toBe('trash-root')
    expect(countRoute(emulator, 'deleteFiles')).toBe(0)

    const trashed = await fixtures.runCli(['prune', '--remote', '--min-age', '0', '--yes'], root, cliEnv(emulator))

    expect(trashed.code, trashed.stderr).toBe(0)
    expect(trashed.stderr).toContain(`trashed ${orphan.id} (terms.pdf)`)
    expect(folderOf(orphan.id)).toBe('trash-root')
    expect(emulator.files().filter((file) => file.parentFolderId === 'trash-root')).toHaveLength(1)
    expect(Object.keys((await readLock(root)).files)).toHaveLength(2)
  })
})

describe('lockfile problems', () => {
  const cases: [string, (siteId: string) => string, string][] = [
    ['corrupt JSON', () => '{ "version": 1, "files": {', 'the lockfile is not valid JSON'],
    ['merge-conflict markers', (site) => `{\n  "version": 1,\n  "siteId": "${site}",\n<<<<<<< HEAD\n  "files": {}\n=======\n  "files": {}\n>>>>>>> theirs\n}\n`, 'the lockfile has merge conflict markers'],
    ["another site's lockfile", () => '{\n  "version": 1,\n  "siteId": "another-site",\n  "files": {}\n}\n', 'the lockfile belongs to site another-site, not to emulator-site'],
    ['a newer schema', (site) => `{\n  "version": 9,\n  "siteId": "${site}",\n  "files": {}\n}\n`, "the lockfile has schema version 9, newer than this tool's 1"],
  ]
  it.each(cases)('%s: sync exits 1 with a message naming the file, and leaves it unchanged', async (_name, text, reason) => {
    const emulator = await fixtures.emulator()
    const root = await fixtures.project(tree())
    const content = text(emulator.siteId)
    await writeFile(join(root, LOCKFILE), content)

    const run = await fixtures.runCli(['sync'], root, cliEnv(emulator))

    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`error WIX_MEDIA_LOCKFILE: ${LOCKFILE}: ${reason}`)
    expect(await readFile(join(root, LOCKFILE), 'utf8')).toBe(content)
    expect(emulator.requests()).toEqual([])

    // With --json, the failure is machine-readable on stdout too.
    const json = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ errors: [{ code: 'WIX_MEDIA_LOCKFILE', message: expect.stringContaining(reason) as string }] })
  })
})

describe('secrets', () => {
  const API_KEY = 'IST.super-secret-api-key-5f3a9c1e7d2b'

  function expectNoSecret(text: string, where: string): void {
    expect(text.includes(API_KEY), `${where} holds the API key`).toBe(false)
    expect(/eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(text), `${where} holds an upload token`).toBe(false)
  }

  it('the API key and upload tokens appear nowhere: not in --verbose output of a good or a failing run, the lockfile or the stat cache', async () => {
    const emulator = await fixtures.emulator({ apiKey: API_KEY })
    const root = await fixtures.project({
      ...tree(),
      'media/big.pdf': pdf('b'.repeat(100_000)),
      'wix-media.config.json': JSON.stringify({ resumableThreshold: 65_536, attempts: 2 }),
    })

    const good = await fixtures.runCli(['sync', '--verbose'], root, cliEnv(emulator))

    expect(good.code, good.stderr).toBe(0)
    expect(good.stderr).toMatch(/^uploaded media\/big\.pdf → http:\/\/127\.0\.0\.1:\d+\/ugd\//m)
    expectNoSecret(good.stdout + good.stderr, 'the output')
    expectNoSecret(await readFile(join(root, LOCKFILE), 'utf8'), 'the lockfile')
    expectNoSecret(await readFile(join(root, STAT_CACHE), 'utf8'), 'the stat cache')
    const recording = await fixtures.runCli(['sync', '--verbose'], root, cliEnv(emulator)) // a full run that records the last sync
    expect(recording.code, recording.stderr).toBe(0)
    expectNoSecret(recording.stdout + recording.stderr, 'the output')
    expectNoSecret(await readFile(join(root, LAST_SYNC), 'utf8'), 'the last sync\'s record')

    // New files whose transfers fail: refused (400/403), then dropped connections (retried, then given up).
    await writeTree(root, { 'img/new.png': png(5, 5, 77), 'media/big-2.pdf': pdf('d'.repeat(100_000)) })
    const faults: [string[], FaultAction, FaultAction][] = [[['--verbose'], 400, 403], [['--verbose', '--json'], 'reset', 'reset']]
    for (const [flags, upload, tusPatch] of faults) {
      emulator.faults.clear()
      emulator.faults.add({ route: 'upload', action: upload })
      emulator.faults.add({ route: 'tusPatch', action: tusPatch })

      const bad = await fixtures.runCli(['sync', ...flags], root, cliEnv(emulator))

      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/error WIX_MEDIA_\w+: img\/new\.png: /)
      expect(bad.stderr).toMatch(/error WIX_MEDIA_\w+: media\/big-2\.pdf: /)
      expectNoSecret(bad.stdout + bad.stderr, `the output of sync ${flags.join(' ')}`)
    }
    expectNoSecret(await readFile(join(root, LOCKFILE), 'utf8'), 'the lockfile')
    expectNoSecret(await readFile(join(root, STAT_CACHE), 'utf8'), 'the stat cache')
    expect(emulator.requests().some((entry) => entry.fault !== undefined)).toBe(true)
  })
})

describe('wix-media sync, interrupted', () => {
  it('Ctrl-C (SIGINT) mid-run: says what it recorded, dies of the signal (status 130), and the next sync does the rest without uploading twice', async () => {
    const emulator = await fixtures.emulator({ latency: { upload: 200 } })
    const files: Tree = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`media/${String(i).padStart(2, '0')}.png`, png(4, 4, i + 1)]))
    const root = await fixtures.project(files)
    const cli = fixtures.spawnCli(['sync', '--concurrency', '1'], root, cliEnv(emulator))
    for (const deadline = Date.now() + 10_000; countRoute(emulator, 'upload') < 2;) {
      if (Date.now() > deadline) throw new Error('timed out waiting for two uploads')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    cli.child.kill('SIGINT')
    const run = await cli.done

    // Ended by the signal, as without a handler: a shell says 130, and a script running it stops too.
    expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({ code: null, signal: 'SIGINT' })
    const summary = /^interrupted: (\d+) uploaded \(.+\) and 0 adopted, recorded in wix-media\.lock\.json; run `wix-media sync` again to finish$/m.exec(run.stderr)
    expect(summary, run.stderr).not.toBeNull()
    expect(run.stderr).not.toContain('error')
    const recorded = Number(summary![1])
    expect(recorded).toBeGreaterThanOrEqual(1)
    expect(recorded).toBeLessThan(12)
    expect(Object.keys((await readLock(root)).files)).toHaveLength(recorded)

    const again = await fixtures.runCli(['sync', '--json'], root, cliEnv(emulator))
    expect(again.code, again.stderr).toBe(0)
    const report = JSON.parse(again.stdout) as SyncJson
    // The upload cut short may have reached the Media Manager: then it is adopted, not uploaded again.
    expect({ reused: report.reused, hosted: report.uploaded + report.adopted }).toEqual({ reused: recorded, hosted: 12 - recorded })
  })
})
