#!/usr/bin/env node
/**
 * The `flowstore` command; everything lives in src/cli. Installed from the package, this
 * runs the compiled CLI. In a checkout of the repository the sources sit beside it, and it
 * runs them (Node strips their types), so that `npx flowstore` works right after
 * `npm install`, with no build to make first and none to go stale.
 */
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';

// A command is a short process: what it loads is compiled once per machine, then read from
// Node's compile cache (NODE_DISABLE_COMPILE_CACHE=1 turns it off). A Node without it (20)
// goes on to the CLI's own check, which says which Node flowstore needs.
nodeModule.enableCompileCache?.();

const sources = new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(existsSync(sources) ? sources.href : '../dist/src/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
