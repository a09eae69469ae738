// The VS Code client for ccirules: starts the language server (`ccirules lsp`, over stdio) for
// .rules files, and restarts it when its settings change. Highlighting needs no server: it
// comes from syntaxes/ccirules.tmLanguage.json.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { findCommand } = require('./command');

const SETTINGS = ['ccirules.command', 'ccirules.args'];
let client = null;

function workspaceFolder() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

function reportMissing(command) {
  const message = `ccirules: the language server was not started: the command "${command}" was ` +
    'not found. Install ccirules, or set "ccirules.command" to its full path (such as ' +
    '.venv/bin/ccirules). Highlighting works without it.';
  vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'ccirules.command');
    }
  });
}

async function start() {
  const settings = vscode.workspace.getConfiguration('ccirules');
  const command = settings.get('command', 'ccirules');
  const args = settings.get('args', ['lsp']);
  const cwd = workspaceFolder();
  const executable = findCommand(command, { cwd });
  if (executable === null) {
    reportMissing(command);
    return;
  }
  const server = { command: executable, args, options: { cwd } };
  client = new LanguageClient('ccirules', 'ccirules', server, {
    documentSelector: [{ language: 'ccirules' }],
  });
  try {
    await client.start();
  } catch {
    // The client has already said why, with its output channel a click away.
    client = null;
  }
}

async function stop() {
  const running = client;
  client = null;
  if (running) await running.stop();
}

async function activate(context) {
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (SETTINGS.some((section) => event.affectsConfiguration(section))) {
      await stop();
      await start();
    }
  }));
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
