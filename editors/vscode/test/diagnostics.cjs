// Runs extension.js with the real language client (vscode-languageclient, as packaged) against
// a real `ccirules lsp`, with only the `vscode` module stood in for: one open document, and a
// diagnostics collection that records what the client puts in it. Prints, as JSON, the
// diagnostics the client received for the document, once they arrive, then stops the client
// (which shuts the server down) and prints how that went.
//
// Usage: node diagnostics.cjs CCIRULES_COMMAND RULESET_FILE
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const [command, file] = process.argv.slice(2);
const TIMEOUT = 30000;

// ---- the parts of the VS Code API the client touches, as plain stand-ins -------------------

class Disposable {
  constructor(dispose = () => {}) { this._dispose = dispose; }
  static from(...items) { return new Disposable(() => items.forEach((item) => item?.dispose?.())); }
  dispose() { this._dispose(); }
}

class EventEmitter {
  constructor() { this.listeners = new Set(); }
  get event() {
    return (listener) => {
      this.listeners.add(listener);
      return new Disposable(() => this.listeners.delete(listener));
    };
  }
  fire(value) { this.listeners.forEach((listener) => listener(value)); }
  dispose() { this.listeners.clear(); }
}

class Uri {
  constructor(scheme, fsPath) { Object.assign(this, { scheme, fsPath, path: fsPath }); }
  static parse(value) { return new Uri(value.split(':')[0], decodeURIComponent(new URL(value).pathname)); }
  static file(fsPath) { return new Uri('file', fsPath); }
  toString() { return pathToFileURL(this.fsPath).href; }
  with() { return this; }
}

class Position { constructor(line, character) { Object.assign(this, { line, character }); } }
class Range {
  constructor(start, end, ...rest) {
    if (rest.length) [start, end] = [new Position(start, end), new Position(...rest)];
    Object.assign(this, { start, end });
  }
}
class Diagnostic { constructor(range, message, severity) { Object.assign(this, { range, message, severity }); } }
class Location { constructor(uri, range) { Object.assign(this, { uri, range }); } }
class DiagnosticRelatedInformation {
  constructor(location, message) { Object.assign(this, { location, message }); }
}
class CancellationTokenSource {
  constructor() { this.token = { isCancellationRequested: false, onCancellationRequested: () => new Disposable() }; }
  cancel() { this.token.isCancellationRequested = true; }
  dispose() {}
}

// Anything not given above: an object whose every property is a function doing nothing and
// returning a Disposable (registrations), and which is never mistaken for a promise.
function inert(name) {
  return new Proxy(function inertFunction() {}, {
    get: (target, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => name
      : inert(`${name}.${String(key)}`)),
    apply: () => new Disposable(),
    construct: () => ({}),
  });
}

const text = fs.readFileSync(file, 'utf8');
const document = {
  uri: Uri.file(path.resolve(file)), fileName: path.resolve(file), languageId: 'ccirules',
  version: 1, isClosed: false, isUntitled: false, getText: () => text, lineCount: text.split('\n').length,
};
const received = new Map();
const arrived = new EventEmitter();
const settings = { 'ccirules.command': command, 'ccirules.args': ['lsp'] };
const noEvent = () => new Disposable();

const vscode = {
  version: '1.91.0',
  env: { language: 'en', appName: 'stand-in', machineId: 'test', openExternal: async () => true },
  Disposable, EventEmitter, Uri, Position, Range, Diagnostic, Location,
  DiagnosticRelatedInformation, CancellationTokenSource,
  CancellationError: class CancellationError extends Error {},
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  workspace: new Proxy({
    workspaceFolders: [{ uri: Uri.file(process.cwd()), name: 'workspace', index: 0 }],
    textDocuments: [document],
    notebookDocuments: [],
    getConfiguration: (section) => ({
      get: (key, fallback) => settings[`${section}.${key}`] ?? fallback,
      has: () => false,
      inspect: () => undefined,
      update: async () => {},
    }),
  }, { get: (target, key) => (key in target ? target[key] : noEvent) }),
  window: new Proxy({
    visibleTextEditors: [],
    activeTextEditor: undefined,
    tabGroups: { all: [], onDidChangeTabs: noEvent, onDidChangeTabGroups: noEvent },
    createOutputChannel: (name) => new Proxy({ name, logLevel: 3 }, {
      get: (target, key) => (key in target ? target[key] : String(key).startsWith('on') ? noEvent
        : (...values) => { process.stderr.write(`[${name}] ${values.join(' ')}\n`); }),
    }),
    showErrorMessage: async (message) => { process.stderr.write(`error: ${message}\n`); },
    showWarningMessage: async () => undefined,
    showInformationMessage: async () => undefined,
  }, { get: (target, key) => (key in target ? target[key] : noEvent) }),
  languages: new Proxy({
    match: (selector, candidate) => (selector.some?.((item) => item.language === candidate.languageId) ? 10 : 0),
    createDiagnosticCollection: (name) => ({
      name,
      set: (uri, diagnostics) => {
        received.set(String(uri), diagnostics);
        arrived.fire(String(uri));
      },
      delete: (uri) => received.delete(String(uri)),
      clear: () => received.clear(),
      forEach: () => {},
      get: (uri) => received.get(String(uri)),
      has: (uri) => received.has(String(uri)),
      dispose: () => {},
    }),
  }, { get: (target, key) => (key in target ? target[key] : () => new Disposable()) }),
  commands: { registerCommand: () => new Disposable(), executeCommand: async () => undefined },
};

const load = Module._load;
Module._load = function loadWithStandIn(request, ...rest) {
  if (request === 'vscode') return new Proxy(vscode, { get: (target, key) => (key in target ? target[key] : inert(`vscode.${String(key)}`)) });
  return load.call(this, request, ...rest);
};

function diagnosticsArrived() {
  const uri = document.uri.toString();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no diagnostics within 30 s')), TIMEOUT);
    arrived.event((which) => {
      if (which === uri && received.get(uri).length > 0) {
        clearTimeout(timer);
        resolve(received.get(uri));
      }
    });
  });
}

async function main() {
  const extension = require(path.join(__dirname, '..', 'extension.js'));
  const waiting = diagnosticsArrived();
  await extension.activate({ subscriptions: [] });
  const diagnostics = await waiting;
  await extension.deactivate();
  process.stdout.write(JSON.stringify({
    uri: document.uri.toString(),
    diagnostics: diagnostics.map((item) => ({
      code: item.code, message: item.message, severity: item.severity, source: item.source,
      range: [item.range.start.line, item.range.start.character, item.range.end.line, item.range.end.character],
    })),
  }));
}

main().catch((problem) => {
  process.stderr.write(`${problem.stack}\n`);
  process.exit(1);
});
