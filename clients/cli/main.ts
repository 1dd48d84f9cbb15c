#!/usr/bin/env node
/** The `corral` command. */
import { serve } from '../../src/main.js';

const [command = 'help'] = process.argv.slice(2);
if (command === 'serve') {
  await serve();
} else {
  process.stderr.write('usage: corral serve\n');
  process.exit(2);
}
