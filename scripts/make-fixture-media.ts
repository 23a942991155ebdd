/**
 * Writes the fixtures' media files (committed; run again only to change them):
 * gradient PNGs, an SVG, a PDF. Videos come from ffmpeg when it is installed.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodePng, type Rgb } from '../test/support/media.ts'

/** A diagonal gradient from one RGB colour to another. */
function gradientPng(width: number, height: number, from: Rgb, to: Rgb): Buffer {
  return encodePng(width, height, (x, y) => {
    const t = (x / width + y / height) / 2
    const mix = (c: 0 | 1 | 2) => Math.round(from[c] + (to[c] - from[c]) * t)
    return [mix(0), mix(1), mix(2)]
  }, 9) // maximum compression: these files are committed
}

const pdf = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 55 >> stream
BT /F1 18 Tf 40 70 Td (Coastline brochure) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
`

const vite = join(import.meta.dirname, '../fixtures/vite-app/src/assets')
const bundler = join(import.meta.dirname, '../fixtures/bundler-app/src/assets')
for (const dir of [vite, bundler]) mkdirSync(dir, { recursive: true })

writeFileSync(join(vite, 'hero.png'), gradientPng(960, 360, [14, 62, 99], [78, 180, 190]))
writeFileSync(join(vite, 'gallery-dunes.png'), gradientPng(320, 240, [219, 167, 98], [120, 72, 40]))
writeFileSync(join(vite, 'gallery-reef.png'), gradientPng(320, 240, [24, 120, 160], [180, 230, 220]))
writeFileSync(join(vite, 'gallery-forest.png'), gradientPng(320, 240, [30, 80, 40], [150, 200, 110]))
writeFileSync(join(vite, 'gallery-dusk.png'), gradientPng(640, 480, [60, 30, 90], [240, 140, 90]))
writeFileSync(join(vite, 'favicon.png'), gradientPng(32, 32, [14, 62, 99], [240, 140, 90]))
writeFileSync(join(vite, 'poster.png'), gradientPng(320, 180, [10, 10, 30], [60, 90, 140]))
writeFileSync(join(vite, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><rect width="120" height="40" rx="8" fill="#0e3e63"/><text x="60" y="26" font-family="sans-serif" font-size="16" fill="#fff" text-anchor="middle">Coastline</text></svg>\n')
writeFileSync(join(vite, 'brochure.pdf'), pdf)

writeFileSync(join(bundler, 'photo.png'), gradientPng(200, 120, [200, 80, 60], [250, 200, 120]))
writeFileSync(join(bundler, 'background.png'), gradientPng(300, 100, [20, 40, 80], [90, 140, 200]))
writeFileSync(join(bundler, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><circle cx="12" cy="12" r="10" fill="#e5533d"/></svg>\n')
writeFileSync(join(bundler, 'manual.pdf'), pdf)
writeFileSync(join(bundler, 'lazy.png'), gradientPng(64, 64, [0, 120, 90], [220, 250, 240]))

try {
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x180:rate=15',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(vite, 'clip.mp4')])
} catch {
  console.warn('ffmpeg is not installed: clip.mp4 was not (re)made')
}
console.log('fixture media written')
