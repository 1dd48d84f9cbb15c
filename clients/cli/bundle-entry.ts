/** Entry of the dist/corral.cjs bundle that `npm start` runs: always the CLI, never a library. */
import { runAsCommand } from './main.js';

runAsCommand();
