/**
 * The emulator's data directory: files, folders, the trash, bytes and upload URLs survive a restart
 * (the signing secret and the spent tokens persist), every change is on disk once flushed, even
 * without a clean close; and neither the request log nor anything in the
 * data directory ever holds the API key or an upload token.
 */
import { cp, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FileDescriptor, Folder } from '../../src/client/wire.ts'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts'
import { apiFor, putUpload as put, until, type Api } from '../support/emulator.ts'
import { jpeg, mp4, pdf, png } from '../support/media.ts'

const API_KEY = 'key-5f1d0c9e-never-log-me'

async function upload(api: Api, bytes: Buffer, request: Record<string, unknown>): Promise<FileDescriptor> {
  const answer = await put(await api.uploadUrl(request), bytes, String(request.mimeType))
  expect(answer.status).toBe(200)
  return answer.body.file
}

const byId = (files: FileDescriptor[]) => [...files].sort((a, b) => a.id.localeCompare(b.id))

/** Everything the API and the static URLs say about the stored media, for comparing two runs. */
async function observe(api: Api) {
  const files = byId(api.emulator.files())
  const descriptors = await Promise.all(files.map(async (file) =>
    (await api.call<{ file: FileDescriptor }>('GET', `/files/get-file-by-id?fileId=${encodeURIComponent(file.id)}`)).body.file))
  const folders = (await api.call<{ folders: Folder[] }>('GET', '/folders')).body
  const lists = await Promise.all([
    api.call('GET', '/files'),
    ...folders.folders.map((folder) => api.call('GET', `/files?parentFolderId=${folder.id}`)),
    api.call('POST', '/files/search', { rootFolder: 'TRASH_ROOT' }),
  ])
  const bytes = await Promise.all(files.map((file) => api.emulator.readFile(file.id)))
  const served = await Promise.all(files.map(async (file) => {
    const response = await fetch(file.url)
    return { status: response.status, etag: response.headers.get('etag'), bytes: Buffer.from(await response.arrayBuffer()) }
  }))
  return { files, descriptors, folders, lists: lists.map((list) => ({ status: list.status, body: list.body })), bytes, served }
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
}

describe('persistence in a data directory', () => {
  let dataDir: string
  let running: Emulator | undefined
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wix-media-emulator-'))
  })
  afterEach(async () => {
    await running?.close()
    running = undefined
    await rm(dataDir, { recursive: true, force: true })
  })

  const start = async (extra: EmulatorOptions = {}): Promise<Api> => {
    running = await startEmulator({ dataDir, seed: 7, apiKey: API_KEY, processingMs: { VIDEO: 0 }, ...extra })
    return apiFor(running)
  }
  const restart = async (api: Api): Promise<Api> => {
    const { port } = api.emulator
    await api.emulator.close()
    running = undefined
    return start({ port })
  }
  /** Restarts from what `flush()` had put on disk, as after a crash: the clean close writes elsewhere. */
  const crashRestart = async (api: Api): Promise<Api> => {
    await api.emulator.flush()
    const saved = await mkdtemp(join(tmpdir(), 'wix-media-emulator-crash-'))
    await cp(dataDir, saved, { recursive: true })
    const { port } = api.emulator
    await api.emulator.close()
    running = undefined
    await rm(dataDir, { recursive: true, force: true })
    await rename(saved, dataDir)
    return start({ port })
  }

  it('files, folders, the trash and the bytes are the same after a restart', async () => {
    let api = await start()
    const folder = (await api.call<{ folder: Folder }>('POST', '/folders', { displayName: 'assets' })).body.folder
    const image = await upload(api, png(9, 7, 1), { mimeType: 'image/png', fileName: 'image.png', labels: ['wix-media:abc'] })
    const doc = await upload(api, pdf('persisted'), { mimeType: 'application/pdf', fileName: 'doc.pdf', parentFolderId: folder.id })
    const video = await upload(api, mp4(2_048), { mimeType: 'video/mp4', fileName: 'clip.mp4' })
    const trashed = await upload(api, jpeg(30, 20), { mimeType: 'image/jpeg', fileName: 'old.jpg' })
    expect((await api.call('POST', '/bulk/files/delete', { fileIds: [trashed.id] })).status).toBe(200)
    expect(video.operationStatus).toBe('READY')

    const before = await observe(api)
    expect(before.files.map((file) => file.displayName).sort()).toEqual(['clip.mp4', 'doc.pdf', 'image.png', 'old.jpg'])
    expect(before.files.find((file) => file.id === trashed.id)?.parentFolderId).toBe('trash-root')
    expect(before.folders.folders.map((entry) => entry.displayName)).toEqual(['assets'])
    expect(before.bytes).toEqual(byId([image, doc, video, trashed]).map((file) =>
      ({ [image.id]: png(9, 7, 1), [doc.id]: pdf('persisted'), [video.id]: mp4(2_048), [trashed.id]: jpeg(30, 20) })[file.id]))
    expect(before.served.map((answer) => answer.status)).toEqual([200, 200, 200, 200])

    api = await restart(api)
    const after = await observe(api)
    expect(after).toEqual(before)

    // What is on disk: the state and exactly one blob per file, no temp files left behind.
    expect((await readdir(dataDir)).sort()).toEqual(['blobs', 'state.json'])
    expect((await readdir(join(dataDir, 'blobs'))).sort()).toEqual(before.files.map((file) => file.id).sort())

    // A third run still sees the same.
    api = await restart(api)
    expect(await observe(api)).toEqual(before)
  })

  it('each change is on disk once flushed: a crash right after it (no close) loses nothing', async () => {
    const bytes = png(5, 3, 9)
    const source: Server = createServer((_req, res) => res.end(bytes))
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve))
    let api = await start()
    const stored = async (id: string) => (await api.call<{ file?: FileDescriptor }>('GET', `/files/get-file-by-id?fileId=${encodeURIComponent(id)}`)).body.file
    try {
      const folder = (await api.call<{ folder: Folder }>('POST', '/folders', { displayName: 'moved-here' })).body.folder
      const file = await upload(api, png(4, 4, 1), { mimeType: 'image/png', fileName: 'edited.png', labels: ['old'] })

      // Before each change, flush: a save still under way must not be what writes the change.
      await api.emulator.flush()
      const update = { id: file.id, displayName: 'renamed.png', parentFolderId: folder.id, labels: ['new'] }
      expect((await api.call('PATCH', '/files/update-file-descriptor', { file: update })).status).toBe(200)
      api = await crashRestart(api)
      expect(await stored(file.id)).toMatchObject({ displayName: 'renamed.png', parentFolderId: folder.id, labels: ['new'] })

      await api.emulator.flush()
      expect((await api.call('POST', '/bulk/files/delete', { fileIds: [file.id] })).status).toBe(200)
      api = await crashRestart(api)
      expect(await stored(file.id)).toMatchObject({ parentFolderId: 'trash-root' })

      await api.emulator.flush()
      expect((await api.call('POST', '/bulk/files/delete', { fileIds: [file.id], permanent: true })).status).toBe(200)
      api = await crashRestart(api)
      expect(await stored(file.id)).toBeUndefined()

      await api.emulator.flush()
      const unused = await api.uploadUrl({ mimeType: 'image/png', fileName: 'later.png' })
      api = await crashRestart(api)
      expect((await put(unused, png(6, 6, 4), 'image/png')).status).toBe(200)

      await api.emulator.flush()
      const imported = (await api.call<{ file: FileDescriptor }>('POST', '/files/import', {
        url: `http://127.0.0.1:${(source.address() as AddressInfo).port}/imported.png`,
      })).body.file
      await until(() => api.emulator.files().some((entry) => entry.id === imported.id && entry.operationStatus === 'READY'), 'the import to end')
      api = await crashRestart(api)
      expect(await stored(imported.id)).toMatchObject({ operationStatus: 'READY', sizeInBytes: String(bytes.length) })
      expect(await api.emulator.readFile(imported.id)).toEqual(bytes)
    } finally {
      source.closeAllConnections()
      await new Promise<void>((resolve) => source.close(() => resolve()))
    }
  })

  it('an upload URL generated before a restart works after it; one used before is still refused', async () => {
    let api = await start()
    const unused = await api.uploadUrl({ mimeType: 'image/png', fileName: 'later.png', labels: ['kept'] })
    const used = await api.uploadUrl({ mimeType: 'image/png', fileName: 'now.png' })
    expect((await put(used, png(4, 4, 1), 'image/png')).status).toBe(200)
    const fid = (JSON.parse(Buffer.from(unused.split('/').pop()!.split('.')[1]!, 'base64url').toString('utf8')) as { fid: string }).fid

    api = await restart(api)
    const refused = await put(used, png(4, 4, 2), 'image/png')
    expect(refused.status).toBe(409)
    expect(JSON.stringify(refused.body)).toContain('UPLOAD_URL_ALREADY_USED')

    const late = await put(unused, png(6, 6, 3), 'image/png')
    expect(late.status).toBe(200)
    expect(late.body.file).toMatchObject({ id: `${fid}~mv2.png`, displayName: 'later.png', labels: ['kept'], operationStatus: 'READY' })
    expect(await api.emulator.readFile(late.body.file.id)).toEqual(png(6, 6, 3))
    expect((await put(unused, png(6, 6, 3), 'image/png')).status).toBe(409)
  })

  it('a restart with the same seed hands out fresh ids and tokens, never ones already used', async () => {
    let api = await start()
    const first = await upload(api, png(4, 4, 1), { mimeType: 'image/png', fileName: 'first.png' })
    const folder = (await api.call<{ folder: Folder }>('POST', '/folders', { displayName: 'one' })).body.folder

    api = await restart(api)
    const second = await upload(api, png(4, 4, 2), { mimeType: 'image/png', fileName: 'second.png' })
    const folder2 = (await api.call<{ folder: Folder }>('POST', '/folders', { displayName: 'two' })).body.folder
    expect(second.id).not.toBe(first.id)
    expect(folder2.id).not.toBe(folder.id)

    api = await restart(api)
    const third = await upload(api, png(4, 4, 3), { mimeType: 'image/png', fileName: 'third.png' })
    expect(new Set([first.id, second.id, third.id]).size).toBe(3)
    expect(byId(api.emulator.files()).map((file) => [file.displayName, file.hash])).toEqual(
      byId([first, second, third]).map((file) => [file.displayName, file.hash]))
    expect(await api.emulator.readFile(first.id)).toEqual(png(4, 4, 1))
    expect((await api.call<{ folders: Folder[] }>('GET', '/folders')).body.folders.map((entry) => entry.displayName).sort()).toEqual(['one', 'two'])
  })

  it('neither the request log nor the data directory ever holds the API key or an upload token', async () => {
    const api = await start()
    const { emulator } = api
    const secrets = [API_KEY, 'wrong-key-3e8a7b6c']

    // A plain upload with ?filename, a reuse of its URL, a tampered token and a bad key.
    const plainUrl = await api.uploadUrl({ mimeType: 'image/png' })
    expect((await put(plainUrl, png(5, 5), 'image/png', 'plain.png')).status).toBe(200)
    expect((await put(plainUrl, png(5, 5), 'image/png', 'plain.png')).status).toBe(409)
    const plainToken = plainUrl.split('/').pop()!
    const tampered = `${plainToken.slice(0, -3)}${plainToken.endsWith('AAA') ? 'BBB' : 'AAA'}`
    expect((await put(`${emulator.url}/upload/${tampered}`, png(5, 5), 'image/png')).status).toBe(401)
    expect((await api.call('GET', '/files', undefined, { Authorization: secrets[1]! })).status).toBe(401)
    const unusedUrl = await api.uploadUrl({ mimeType: 'application/pdf', fileName: 'unused.pdf' })

    // A resumable upload: the token travels in Upload-Metadata and in the finishing PUT's path.
    const resumable = (await api.call<{ uploadUrl: string; uploadToken: string }>('POST', '/files/generate-resumable-upload-url', { mimeType: 'video/mp4' })).body
    const bytes = mp4(70_000)
    const created = await fetch(resumable.uploadUrl, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': String(bytes.length),
        'Upload-Metadata': `filename ${Buffer.from('tus.mp4').toString('base64')},token ${Buffer.from(resumable.uploadToken).toString('base64')}`,
      },
    })
    expect(created.status).toBe(201)
    const patched = await fetch(created.headers.get('location')!, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
      body: bytes,
    })
    expect(patched.status).toBe(204)
    const finished = await fetch(`${resumable.uploadUrl}/${resumable.uploadToken}?filename=tus.mp4`, { method: 'PUT' })
    expect(finished.status).toBe(200)

    const tokens = [plainToken, tampered, unusedUrl.split('/').pop()!, resumable.uploadToken]
    for (const token of tokens) {
      const [, payload, signature] = token.split('.') as [string, string, string]
      secrets.push(token, payload, signature)
    }

    const log = emulator.requests()
    const logText = JSON.stringify(log)
    for (const secret of secrets) expect(logText).not.toContain(secret)
    // The log still says what happened, with the tokens replaced.
    expect(log.filter((entry) => entry.route === 'upload').map((entry) => [entry.path, entry.status])).toEqual([
      ['/upload/<token>?filename=plain.png', 200],
      ['/upload/<token>?filename=plain.png', 409],
      ['/upload/<token>', 401],
    ])
    expect(log.filter((entry) => entry.route === 'tusFinalize').map((entry) => [entry.path, entry.status])).toEqual([
      ['/upload/tus/<token>?filename=tus.mp4', 200],
    ])

    await emulator.close()
    running = undefined
    const written = await allFiles(dataDir)
    expect(written.map((file) => file.slice(dataDir.length + 1)).sort()).toEqual(
      ['state.json', ...emulator.files().map((file) => join('blobs', file.id))].sort())
    for (const file of written) {
      const text = (await readFile(file)).toString('latin1')
      for (const secret of secrets) expect(text.includes(secret), `${file} holds ${secret.slice(0, 12)}…`).toBe(false)
    }
    // The state is there (the pending URL survives), only without tokens.
    const state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as { pending: { fileName?: string }[] }
    expect(state.pending.map((upload) => upload.fileName)).toEqual(['unused.pdf'])
  })
})
