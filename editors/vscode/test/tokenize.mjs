// Tokenises ruleset text with the engine VS Code uses (vscode-textmate on vscode-oniguruma),
// so the tests see exactly the scopes an editor would.
//
// Reads a JSON object {name: text} on stdin; writes {name: [line, ...]} on stdout, where each
// line is {tokens: [[start, end, [scope, ...]], ...], stoppedEarly}. Lines are split on "\n",
// as the callers split them.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
const grammarPath = new URL('../syntaxes/ccirules.tmLanguage.json', import.meta.url);

async function loadGrammar() {
  const wasm = await readFile(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.ccirules') return null;
      const content = await readFile(grammarPath, 'utf8');
      return vsctm.parseRawGrammar(content, grammarPath.pathname);
    },
  });
  return registry.loadGrammar('source.ccirules');
}

function tokenizeText(grammar, text) {
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    const tokens = result.tokens.map((token) => [token.startIndex, token.endIndex, token.scopes]);
    return { tokens, stoppedEarly: result.stoppedEarly };
  });
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const [grammar, documents] = await Promise.all([loadGrammar(), readStdin()]);
const output = {};
for (const [name, text] of Object.entries(documents)) output[name] = tokenizeText(grammar, text);
process.stdout.write(JSON.stringify(output));
