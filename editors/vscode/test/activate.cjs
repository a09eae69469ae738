// Runs extension.js outside VS Code, with stand-ins for the `vscode` API and the language
// client, and prints what it did as JSON, so the tests can check that it starts the server it
// is configured with, says so plainly when that command is missing, and restarts on a change.
//
// Usage: node activate.cjs WORKSPACE_FOLDER SETTINGS_JSON [CHANGED_SETTINGS_JSON]
'use strict';
const Module = require('node:module');
const path = require('node:path');

const [folder, initial, changed] = process.argv.slice(2);
let settings = JSON.parse(initial);
let onConfigurationChange = null;
const events = [];

const vscode = {
  workspace: {
    workspaceFolders: [{ uri: { scheme: 'file', fsPath: folder } }],
    getConfiguration: (section) => ({
      get: (key, fallback) => settings[`${section}.${key}`] ?? fallback,
    }),
    onDidChangeConfiguration: (listener) => {
      onConfigurationChange = listener;
      return { dispose() {} };
    },
  },
  window: {
    showErrorMessage: (message) => {
      events.push({ error: message });
      return Promise.resolve(undefined);
    },
  },
  commands: { executeCommand: () => Promise.resolve() },
};

class LanguageClient {
  constructor(id, name, server, options) {
    this.server = server;
    events.push({ client: { id, server, documentSelector: options.documentSelector } });
  }

  start() {
    events.push({ started: this.server.command });
    return Promise.resolve();
  }

  stop() {
    events.push({ stopped: this.server.command });
    return Promise.resolve();
  }
}

const load = Module._load;
Module._load = function loadWithStandIns(request, ...rest) {
  if (request === 'vscode') return vscode;
  if (request === 'vscode-languageclient/node') return { LanguageClient };
  return load.call(this, request, ...rest);
};

async function main() {
  const extension = require(path.join(__dirname, '..', 'extension.js'));
  await extension.activate({ subscriptions: [] });
  if (changed !== undefined) {
    settings = JSON.parse(changed);
    await onConfigurationChange({ affectsConfiguration: (section) => section in settings });
  }
  await extension.deactivate();
  process.stdout.write(JSON.stringify(events));
}

main();
