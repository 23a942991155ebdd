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

export function mp3(size = 256): Buffer {
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0, 0, 0, 0, 0]), Buffer.alloc(size, 1)])
}
