#!/usr/bin/env node
// The published entry point: the compiled CLI lives in dist/ (`npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
