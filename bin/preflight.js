#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
// Long-running commands (start, demo) return 0 and keep the process alive through their servers.
if (code !== 0) process.exit(code);
