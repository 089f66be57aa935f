#!/usr/bin/env node
// The package's "conformance" command: the CLI is TypeScript, run by Node's type stripping.
import './main.ts';
