#!/usr/bin/env node
/** The `omnithread` command (package.json `bin`); the commands live in `node/cli.ts`. */
import { runCli } from "./node/cli.ts";

process.exitCode = await runCli(process.argv.slice(2));
