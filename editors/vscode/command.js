// Finds the language server's executable before the client starts it, so that a missing
// ccirules gets one clear message rather than the client's generic start failure. Kept apart
// from extension.js because it needs nothing from VS Code, and so is tested with plain Node.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function isExecutableFile(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The full path of `command`, or null if there is no such executable. A bare name is looked up
 * on PATH (with PATHEXT on Windows), as the operating system would run it; a path may start
 * with `~/`, and a relative path is taken from `cwd` (the workspace folder).
 */
function findCommand(command, options = {}) {
  const { cwd = process.cwd(), env = process.env, platform = process.platform } = options;
  const expanded = command.startsWith('~/') ? path.join(os.homedir(), command.slice(2)) : command;
  const extensions = platform === 'win32'
    ? ['', ...(env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';')]
    : [''];
  const candidates = /[\\/]/.test(expanded)
    ? [path.resolve(cwd, expanded)]
    : (env.PATH || '').split(path.delimiter).filter(Boolean)
      .map((dir) => path.join(dir, expanded));
  for (const candidate of candidates) {
    const found = extensions.map((extension) => candidate + extension).find(isExecutableFile);
    if (found) return found;
  }
  return null;
}

module.exports = { findCommand };
