/** Child processes for tests and benchmarks: spawned with piped output that is collected as it comes. */
import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptionsWithoutStdio } from 'node:child_process'

export interface Collected {
  child: ChildProcessWithoutNullStreams
  /** What the process wrote so far. */
  stdout(): string
  stderr(): string
  /** Resolves when the process has ended and its output is closed; rejects when it could not start. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

export function spawnCollecting(command: string, args: readonly string[], options: SpawnOptionsWithoutStdio = {}): Collected {
  const child = spawn(command, args, { ...options, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const closed = new Promise<Awaited<Collected['closed']>>((resolve, reject) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    // No process at all (the command cannot be run): fail now, not at the test's timeout.
    child.once('error', (error) => {
      if (child.pid === undefined) reject(error)
    })
  })
  return { child, stdout: () => stdout, stderr: () => stderr, closed }
}
