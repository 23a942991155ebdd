import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    types: 'src/types.ts',
    'emulator/index': 'src/emulator/index.ts',
    'cli/index': 'src/cli/index.ts',
  },
  format: 'esm',
  target: 'node22',
  platform: 'node',
  dts: true,
  clean: true,
  splitting: true,
  sourcemap: false,
})
