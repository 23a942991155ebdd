/** Small real media files, made in code so that tests need no binary fixtures. */
import { constants, deflateSync } from 'node:zlib'

function crc32(bytes: Buffer): number {
  let crc = ~0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return ~crc >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** One pixel's 8-bit red, green and blue. */
export type Rgb = readonly [number, number, number]

/**
 * A valid 8-bit RGB PNG of `width` × `height` whose pixel at (`x`, `y`) is `pixel(x, y)`, its image
 * data deflated at zlib `level`.
 */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb, level = constants.Z_DEFAULT_COMPRESSION): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  const rows: Buffer[] = []
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3) // filter type 0, then RGB per pixel
    for (let x = 0; x < width; x++) row.set(pixel(x, y), 1 + x * 3)
    rows.push(row)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** A valid PNG of `width` × `height`, filled with one colour (`seed` varies the bytes). */
export function png(width: number, height: number, seed = 0): Buffer {
  return encodePng(width, height, (x) => [seed & 0xff, (seed >> 8) & 0xff, x & 0xff])
}

/** A minimal baseline JPEG header carrying `width` × `height` in its SOF0 segment. */
export function jpeg(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03,
    0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01])
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])])
}

/** A GIF89a header of `width` × `height`. */
export function gif(width: number, height: number): Buffer {
  const b = Buffer.alloc(13)
  b.write('GIF89a', 0, 'latin1')
  b.writeUInt16LE(width, 6)
  b.writeUInt16LE(height, 8)
  return Buffer.concat([b, Buffer.from([0x3b])])
}

/** A lossy WebP (VP8) header of `width` × `height`. */
export function webp(width: number, height: number): Buffer {
  const vp8 = Buffer.alloc(10)
  vp8.set([0x9d, 0x01, 0x2a], 3)
  vp8.writeUInt16LE(width, 6)
  vp8.writeUInt16LE(height, 8)
  const payload = Buffer.concat([Buffer.from('VP8 ', 'latin1'), Buffer.from([vp8.length, 0, 0, 0]), vp8])
  const riff = Buffer.alloc(12)
  riff.write('RIFF', 0, 'latin1')
  riff.writeUInt32LE(4 + payload.length, 4)
  riff.write('WEBP', 8, 'latin1')
  return Buffer.concat([riff, payload])
}

export function svg(width: number, height: number): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}"/></svg>`)
}

export function pdf(text = 'hello'): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`)
}

/** Bytes that start like an MP4 (`ftyp` box) followed by `size` filler bytes. */
export function mp4(size = 256): Buffer {
  const ftyp = Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isomiso2')])
  return Buffer.concat([ftyp, Buffer.alloc(size, 7)])
}

/** An ISO BMFF box: size, type, body. */
function box(type: string, ...body: Buffer[]): Buffer {
  const content = Buffer.concat(body)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + content.length)
  head.write(type, 4, 'latin1')
  return Buffer.concat([head, content])
}

/** An MP4 whose one video track plays `seconds` (ftyp, moov with mvhd and a trak's mdhd and hdlr), then `size` bytes of mdat; `seed` varies the bytes. */
export function timedMp4(seconds: number, size = 256, seed = 0): Buffer {
  const timescale = 1000
  const duration = Math.round(seconds * timescale)
  const mvhd = Buffer.alloc(100)
  mvhd.writeUInt32BE(timescale, 12)
  mvhd.writeUInt32BE(duration, 16)
  mvhd.writeUInt32BE(0x0001_0000, 20)
  mvhd.writeUInt32BE(2, 96)
  const mdhd = Buffer.alloc(24)
  mdhd.writeUInt32BE(timescale, 12)
  mdhd.writeUInt32BE(duration, 16)
  mdhd.writeUInt16BE(0x55c4, 20) // 'und'
  const hdlr = Buffer.concat([Buffer.alloc(8), Buffer.from('vide', 'latin1'), Buffer.alloc(12), Buffer.from('video\0', 'latin1')])
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2mp41', 'latin1'))
  const tkhd = Buffer.alloc(84)
  tkhd.writeUInt32BE(3, 0) // version 0, enabled and in the movie
  tkhd.writeUInt32BE(1, 12) // track id
  tkhd.writeUInt32BE(duration, 20)
  const moov = box('moov', box('mvhd', mvhd), box('trak', box('tkhd', tkhd), box('mdia', box('mdhd', mdhd), box('hdlr', hdlr))))
  return Buffer.concat([ftyp, moov, box('mdat', Buffer.alloc(size, seed & 0xff))])
}

/** A WAV (8 kHz, mono, 8-bit PCM) that plays `seconds`; `seed` varies the samples. */
export function wav(seconds: number, seed = 0): Buffer {
  const rate = 8000
  const data = Buffer.alloc(Math.round(seconds * rate), 128 + (seed % 100))
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVEfmt ', 8, 'latin1')
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(rate, 24)
  header.writeUInt32LE(rate, 28) // bytes a second
  header.writeUInt16LE(1, 32)
  header.writeUInt16LE(8, 34)
  header.write('data', 36, 'latin1')
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}

export function mp3(size = 256): Buffer {
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), Buffer.alloc(size, 1)])
}
