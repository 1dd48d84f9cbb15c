/**
 * Which programs an exec check may run: only files inside the configured plugin directories
 * (default Debian's /usr/lib/nagios/plugins). The path as given and its realpath must both lie
 * inside an allowed directory, so neither `../` nor a symlink can lead out of it.
 * The path as given is what runs: multi-call plugins (check_ftp -> check_tcp) read their argv[0].
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative } from 'node:path';

export class ProgramPolicyError extends Error {
  override name = 'ProgramPolicyError';
}

export interface ResolvedProgram {
  /** Absolute path inside an allowed directory: the file to execute. */
  path: string;
  /** Its realpath (also inside an allowed directory). */
  realPath: string;
}

const inside = (dir: string, file: string) => {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** Resolves `program` (absolute path, or bare name looked up in the allowed dirs) or throws ProgramPolicyError. */
export function resolveProgram(program: string, allowedDirs: readonly string[]): ResolvedProgram {
  const dirs = allowedDirs.map((d) => normalize(d));
  const list = dirs.join(', ') || 'none configured';
  if (program.length === 0) throw new ProgramPolicyError('program is empty');
  if (program.includes('\0')) throw new ProgramPolicyError('program contains a NUL byte');

  let path: string;
  if (isAbsolute(program)) {
    path = normalize(program);
    if (!dirs.some((d) => inside(d, path))) {
      throw new ProgramPolicyError(`program ${program} is not in an allowed plugin directory (${list})`);
    }
  } else if (program.includes('/')) {
    throw new ProgramPolicyError(`program ${program} must be an absolute path or a bare name found in ${list}`);
  } else {
    const found = dirs.map((d) => join(d, program)).find((p) => exists(p));
    if (!found) throw new ProgramPolicyError(`program ${program} was not found in the allowed plugin directories (${list})`);
    path = found;
  }

  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch {
    throw new ProgramPolicyError(`program ${path} does not exist`);
  }
  const realDirs = dirs.flatMap((d) => {
    try {
      return [realpathSync(d)];
    } catch {
      return [];
    }
  });
  if (!realDirs.some((d) => inside(d, realPath))) {
    throw new ProgramPolicyError(
      `program ${path} resolves to ${realPath}, which is not in an allowed plugin directory (${list})`,
    );
  }
  if (!statSync(realPath).isFile()) throw new ProgramPolicyError(`program ${path} is not a regular file`);
  try {
    accessSync(realPath, constants.X_OK);
  } catch {
    throw new ProgramPolicyError(`program ${path} is not executable`);
  }
  return { path, realPath };
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
