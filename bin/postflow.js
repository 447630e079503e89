#!/usr/bin/env node
// Launcher for the ops CLI (`npx postflow …`). In a checkout the TypeScript source runs through
// tsx, so the CLI never lags behind the code the way a forgotten `dist/` build would; an image
// built with `npm run build` has no source and no tsx, and runs the compiled `dist/cli/main.js`.
const { existsSync } = require('node:fs');
const path = require('node:path');
const process = require('node:process');

const root = path.join(__dirname, '..');
const source = path.join(root, 'cli', 'main.ts');
const compiled = path.join(root, 'dist', 'cli', 'main.js');

function tsxAvailable() {
  try {
    require.resolve('tsx/cjs');
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && tsxAvailable()) {
  require('tsx/cjs');
  require(source);
} else if (existsSync(compiled)) {
  require(compiled);
} else {
  process.stderr.write('postflow: the CLI is not built: run `npm run build` (or `npm ci` for tsx in a checkout)\n');
  process.exitCode = 1;
}
