#!/usr/bin/env node
/** The `flowstore` command: everything lives in src/cli; this file only dispatches. */
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
