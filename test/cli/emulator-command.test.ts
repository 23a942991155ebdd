/** `wix-media emulator` as a real child process: startup line, real calls, signals, exit codes, --data-dir. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { pdf, png } from '../support/media.ts'
import { spawnCollecting } from '../support/process.ts'

const CLI = fileURLToPath(new URL('../../src/cli/index.ts', import.meta.url))
const LISTENING = /^Media Manager emulator listening on http:\/\/127\.0\.0\.1:\d+$/

const children = new Set<ChildProcessWithoutNullStreams>()
const tempDirs: string[] = []

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

interface Cli {
  child: ChildProcessWithoutNullStreams
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function runCli(args: string[]): Cli {
  // process.execPath is the Node running vitest (≥ 23.6), which runs the TypeScript source as is.
  const { child, stdout, stderr, closed } = spawnCollecting(process.execPath, [CLI, ...args])
  children.add(child)
  return { child, stdout, stderr, exited: closed.then(({ code, signal }) => ({ code, signal })) }
}

/** The first complete line of stdout; fails with stderr if the process ends first. */
function firstLine(cli: Cli): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const text = cli.stdout()
      const end = text.indexOf('\n')
      if (end === -1) return false
      cli.child.stdout.off('data', check)
      resolve(text.slice(0, end))
      return true
    }
    if (check()) return
    cli.child.stdout.on('data', check)
    void cli.exited.then(({ code }) => reject(new Error(`the emulator exited (${code}) before printing a line; stderr: ${cli.stderr()}`)))
  })
}

/** The exit of `cli`, or 'still running' if it has not ended within `ms` (a hang guard, not a speed test). */
async function exitWithin(cli: Cli, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  let timer: NodeJS.Timeout | undefined
  const guard = new Promise<'still running'>((resolve) => {
    timer = setTimeout(resolve, ms, 'still running')
  })
  try {
    return await Promise.race([cli.exited, guard])
  } finally {
    clearTimeout(timer)
  }
}

/** Starts `wix-media emulator` and waits for its listening line. */
async function startCli(args: string[]): Promise<{ cli: Cli; url: string; line: string }> {
  const cli = runCli(['emulator', ...args])
  const line = await firstLine(cli)
  const url = line.slice(line.lastIndexOf(' ') + 1)
  return { cli, url, line }
}

async function api(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/site-media/v1${path}`, {
    method,
    headers: { Authorization: 'K', 'wix-site-id': 'S', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

interface FileAnswer { id: string; displayName: string; sizeInBytes: string; url: string }

async function uploadThrough(url: string, bytes: Buffer, mimeType: string, fileName: string): Promise<FileAnswer> {
  const generated = await api(url, 'POST', '/files/generate-upload-url', { mimeType, fileName })
  expect(generated.status).toBe(200)
  const uploadUrl = String(generated.body.uploadUrl)
  expect(uploadUrl.startsWith(`${url}/upload/`)).toBe(true)
  const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': mimeType }, body: bytes })
  expect(put.status).toBe(200)
  return ((await put.json()) as { file: FileAnswer }).file
}

async function listNames(url: string): Promise<string[]> {
  const listed = await api(url, 'GET', '/files')
  expect(listed.status).toBe(200)
  return (listed.body.files as FileAnswer[]).map((file) => file.displayName)
}

describe('wix-media emulator', () => {
  it('prints its URL as the first stdout line, serves real calls, and exits 0 on SIGTERM', async () => {
    const { cli, url, line } = await startCli(['--port', '0', '--api-key', 'K', '--site-id', 'S', '--seed', '1'])
    expect(line).toMatch(LISTENING)
    expect(cli.stdout().startsWith(`${line}\n`)).toBe(true)

    const bytes = png(5, 3, 9)
    const file = await uploadThrough(url, bytes, 'image/png', 'cli.png')
    expect(file.displayName).toBe('cli.png')
    expect(file.sizeInBytes).toBe(String(bytes.length))
    expect(await listNames(url)).toEqual(['cli.png'])
    const media = await fetch(file.url)
    expect(media.status).toBe(200)
    expect(Buffer.from(await media.arrayBuffer())).toEqual(bytes)

    const wrongKey = await api(url, 'GET', '/files', undefined, { Authorization: 'not-K' })
    expect(wrongKey.status).toBe(401)
    expect((wrongKey.body.details as { applicationError: { code: string } }).applicationError.code).toBe('UNAUTHENTICATED')
    expect((await api(url, 'GET', '/files', undefined, { 'wix-site-id': 'other' })).status).toBe(403)

    cli.child.kill('SIGTERM')
    expect(await exitWithin(cli, 5_000)).toEqual({ code: 0, signal: null })
    expect(cli.stdout()).toBe(`${line}\n`)
    expect(cli.stderr()).toContain('site id: S')
  })

  it('passes its flags through: --rate-limit with --retry-after', async () => {
    const { cli, url } = await startCli(['--api-key', 'K', '--site-id', 'S', '--rate-limit', '2', '--retry-after', '9'])
    expect((await api(url, 'GET', '/files')).status).toBe(200)
    expect((await api(url, 'GET', '/files')).status).toBe(200)
    const response = await fetch(`${url}/site-media/v1/files`, { headers: { Authorization: 'K', 'wix-site-id': 'S' } })
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('9')
    await response.arrayBuffer()
    cli.child.kill('SIGINT')
    expect(await exitWithin(cli, 5_000)).toEqual({ code: 0, signal: null })
  })

  it('keeps files across restarts with --data-dir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wix-media-cli-'))
    tempDirs.push(dataDir)
    const args = ['--api-key', 'K', '--site-id', 'S', '--data-dir', dataDir]

    const first = await startCli(args)
    const bytes = pdf('persisted across restarts')
    const file = await uploadThrough(first.url, bytes, 'application/pdf', 'kept.pdf')
    first.cli.child.kill('SIGTERM')
    expect(await exitWithin(first.cli, 5_000)).toEqual({ code: 0, signal: null })
    expect(first.cli.stderr()).toContain(`data dir: ${dataDir}`)

    const second = await startCli(args)
    expect(second.line).toMatch(LISTENING)
    const listed = await api(second.url, 'GET', '/files')
    expect(listed.status).toBe(200)
    const files = listed.body.files as FileAnswer[]
    expect(files.map((f) => [f.id, f.displayName, f.sizeInBytes])).toEqual([[file.id, 'kept.pdf', String(bytes.length)]])
    // The stored bytes came back too, served at the new origin.
    expect(files[0]!.url.startsWith(second.url)).toBe(true)
    const media = await fetch(files[0]!.url)
    expect(media.status).toBe(200)
    expect(Buffer.from(await media.arrayBuffer())).toEqual(bytes)

    second.cli.child.kill('SIGTERM')
    expect(await exitWithin(second.cli, 5_000)).toEqual({ code: 0, signal: null })
  })

  it('a port in use exits 1 with one line that says so and how to pick another, not a stack trace', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as AddressInfo
    try {
      const cli = runCli(['emulator', '--port', String(port)])
      expect(await cli.exited).toEqual({ code: 1, signal: null })
      expect(cli.stderr()).toBe(`wix-media emulator: 127.0.0.1:${port} is in use by another process (EADDRINUSE). Pick another --port (0 for a free one) or --host\n`)
      expect(cli.stdout()).toBe('')
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('a --data-dir it cannot write exits 2 at start with one line that says so, instead of hanging uploads', async () => {
    // A file where the folder should be: not writable as a folder, for root as for anyone.
    const blocker = join(tmpdir(), `wix-media-not-a-dir-${process.pid}`)
    await writeFile(blocker, 'x')
    try {
      const cli = runCli(['emulator', '--data-dir', join(blocker, 'data')])
      expect(await cli.exited).toEqual({ code: 2, signal: null })
      expect(cli.stderr()).toMatch(new RegExp(`^wix-media emulator: the data dir ${join(blocker, 'data').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be written \\(ENOTDIR\\)\\. Pick a folder this user may write, or leave --data-dir out to keep data in memory\n$`))
      expect(cli.stdout()).toBe('')
    } finally {
      await rm(blocker, { force: true })
    }
  })

  it('--help prints the usage and exits 0', async () => {
    const cli = runCli(['emulator', '--help'])
    expect(await exitWithin(cli, 10_000)).toEqual({ code: 0, signal: null })
    expect(cli.stdout()).toMatch(/^Usage: wix-media emulator \[options\]\n/)
    for (const flag of ['--port', '--api-key', '--site-id', '--data-dir', '--rate-limit', '--fail-rate', '--seed']) {
      expect(cli.stdout()).toContain(flag)
    }
    expect(cli.stderr()).toBe('')
  })

  const refused: { name: string; args: string[]; says: string[] }[] = [
    { name: 'an unknown flag', args: ['--bogus'], says: ["Unknown option '--bogus'", 'wix-media --help'] },
    { name: '--fail-rate 2', args: ['--fail-rate', '2'], says: ['`failRate`', 'got 2'] },
    { name: 'a non-numeric --port', args: ['--port', 'eighty'], says: ['--port expects a number, got "eighty"'] },
    { name: 'an out-of-range --port', args: ['--port', '70000'], says: ['`port` to be an integer from 0 to 65535, got 70000'] },
  ]
  it.each(refused)('$name exits 2 naming the option on stderr, with nothing on stdout', async ({ args, says }) => {
    const cli = runCli(['emulator', ...args])
    expect(await exitWithin(cli, 10_000)).toEqual({ code: 2, signal: null })
    for (const text of says) expect(cli.stderr()).toContain(text)
    expect(cli.stdout()).toBe('')
  })

  it('an unknown command exits 2; no command prints the usage and exits 2', async () => {
    const unknown = runCli(['emulate'])
    expect(await exitWithin(unknown, 10_000)).toEqual({ code: 2, signal: null })
    expect(unknown.stderr()).toContain('unknown command "emulate"')

    const bare = runCli([])
    expect(await exitWithin(bare, 10_000)).toEqual({ code: 2, signal: null })
    expect(bare.stdout()).toContain('Usage: wix-media <command> [options]')
    expect(bare.stdout()).toContain('emulator')
  })
})
