import { describe, expect, it } from 'vitest'
import { png } from '../support/media.ts'
import { useEmulator } from '../support/emulator.ts'

describe('emulator smoke', () => {
  const api = useEmulator()
  it('uploads a PNG and reads it back', async () => {
    const answer = await api.upload<{ file: { id: string; url: string } }>(png(4, 4), { mimeType: 'image/png', fileName: 'a.png' })
    expect(answer.status).toBe(200)
    const media = await fetch(answer.body.file.url)
    expect(Buffer.from(await media.arrayBuffer())).toEqual(png(4, 4))
  })
})
