/** The Media Manager client against the emulator over HTTP: the calls the engine does not make every run. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMediaClient, type MediaClient } from '../../src/client/client.ts'
import type { FileDescriptor } from '../../src/client/wire.ts'
import { startEmulator, type Emulator } from '../../src/emulator/index.ts'
import { png } from '../support/media.ts'

let emulator: Emulator
let client: MediaClient
let dir: string

async function upload(name: string, seed: number, labels: string[] = []): Promise<FileDescriptor> {
  const path = join(dir, name)
  const bytes = png(3, 3, seed)
  await writeFile(path, bytes)
  const url = await client.generateUploadUrl({ mimeType: 'image/png', fileName: name, labels, filePath: '/client-test/nested' })
  return client.putFile(url, { path, size: bytes.length, mimeType: 'image/png', fileName: name }, 'image/png')
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: 3 })
  client = createMediaClient({ apiBaseUrl: emulator.url, apiKey: emulator.apiKey, siteId: emulator.siteId, timeoutMs: 5_000 })
  dir = await mkdtemp(join(tmpdir(), 'wix-media-client-'))
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})

describe('MediaClient against the emulator', () => {
  it('finds the folder filePath created, lists it across pages, and reads files in batches of 100', async () => {
    const uploaded = await Promise.all(Array.from({ length: 130 }, (_, i) => upload(`p${i}.png`, i)))
    const folder = await client.findFolder('/client-test/nested')
    expect(folder?.displayName).toBe('nested')
    expect(await client.findFolder('/client-test/missing')).toBeUndefined()

    const listed: string[] = []
    for await (const file of client.listAllFiles(folder!.id)) listed.push(file.id)
    expect(listed.sort()).toEqual(uploaded.map((file) => file.id).sort())
    expect(emulator.requests().filter((entry) => entry.route === 'listFiles')).toHaveLength(2)

    emulator.clearRequests()
    const read = await client.getFiles(uploaded.map((file) => file.id))
    expect(read.map((file) => file.id)).toEqual(uploaded.map((file) => file.id))
    expect(emulator.requests().map((entry) => entry.route)).toEqual(['getFiles', 'getFiles'])
  })

  it('searches by label, replaces labels, and moves files to the trash', async () => {
    const file = await upload('labelled.png', 1000, ['campaign-autumn'])
    const found: string[] = []
    for await (const hit of client.searchFiles('campaign-autumn')) found.push(hit.id)
    expect(found).toEqual([file.id])

    const updated = await client.updateLabels(file.id, ['campaign-winter'])
    expect(updated.labels).toEqual(['campaign-winter'])
    const after: string[] = []
    for await (const hit of client.searchFiles('campaign-autumn')) after.push(hit.id)
    expect(after).toEqual([])

    await client.deleteFiles([file.id])
    expect((await client.getFile(file.id)).parentFolderId).toBe('trash-root')
  })
})
