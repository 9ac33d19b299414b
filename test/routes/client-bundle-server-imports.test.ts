/**
 * No client bundle reads a `.server` module (issue 16, point 4, the whole kind).
 *
 * The classic Remix compiler drops `loader`, `action` and `headers` from a route's client bundle and
 * replaces every `*.server` module with an empty one there. A value imported from a `.server` module
 * is therefore `undefined` in the browser everywhere except inside those exports (and the helpers only
 * they use): reading it in a component, in `meta`, or at module level crashes hydration. This test reads
 * every route module and the root, and fails on any such read, naming the file, line and identifier.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../e2e/support/server";

const SERVER_ONLY_EXPORTS = new Set(["loader", "action", "headers"]);

function isServerModule(specifier: string): boolean {
  return /\.server(\.[cm]?[jt]sx?)?$/.test(specifier) || /\.server\//.test(specifier);
}

/** Value names imported from `.server` modules (type-only imports are erased and harmless). */
function serverImports(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    if (!isServerModule((statement.moduleSpecifier as ts.StringLiteral).text)) continue;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) continue;
    if (clause.name) names.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) if (!element.isTypeOnly) names.add(element.name.text);
    }
  }
  return names;
}

/** Names a top-level statement declares. */
function declaredNames(statement: ts.Statement): string[] {
  if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) return [statement.name.text];
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  }
  return [];
}

/** A top-level statement whose body runs only when called (so it can be tree-shaken if unused). */
function isLazy(statement: ts.Statement): boolean {
  if (ts.isFunctionDeclaration(statement)) return true;
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.every(
      (d) => d.initializer !== undefined && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer)),
    );
  }
  return false;
}

function isTypePosition(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isTypeNode(n) || ts.isTypeAliasDeclaration(n) || ts.isInterfaceDeclaration(n)) return true;
  }
  return false;
}

/** Identifiers (value positions) used inside a node. */
function identifiersIn(node: ts.Node): ts.Identifier[] {
  const found: ts.Identifier[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n)) return;
    if (ts.isIdentifier(n) && !isTypePosition(n)) {
      const parent = n.parent;
      // `x.name` and `{ name: … }`: the name is not a reference.
      const isPropertyName =
        (parent && ts.isPropertyAccessExpression(parent) && parent.name === n) ||
        (parent && ts.isPropertyAssignment(parent) && parent.name === n) ||
        (parent && ts.isJsxAttribute(parent) && parent.name === n);
      if (!isPropertyName) found.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

export function clientReadsOfServerModules(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const imported = serverImports(source);
  if (imported.size === 0) return [];
  const statements = source.statements.filter((s) => !ts.isImportDeclaration(s));
  const topNames = new Map<ts.Statement, string[]>(statements.map((s) => [s, declaredNames(s)]));
  // Which top-level statements end up in the client bundle: everything but the server-only exports and
  // the lazy helpers used only by them (found by a fixpoint).
  const serverOnly = new Set<ts.Statement>(statements.filter((s) => topNames.get(s)!.some((n) => SERVER_ONLY_EXPORTS.has(n))));
  let changed = true;
  while (changed) {
    changed = false;
    for (const candidate of statements) {
      if (serverOnly.has(candidate) || !isLazy(candidate)) continue;
      const names = new Set(topNames.get(candidate)!);
      if (names.size === 0) continue;
      const exported = (ts.getCombinedModifierFlags(candidate as unknown as ts.Declaration) & ts.ModifierFlags.Export) !== 0 ||
        (ts.isVariableStatement(candidate) && candidate.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword));
      if (exported) continue;
      const usedByClient = statements.some(
        (other) => other !== candidate && !serverOnly.has(other) && identifiersIn(other).some((id) => names.has(id.text)),
      );
      if (!usedByClient) {
        serverOnly.add(candidate);
        changed = true;
      }
    }
  }
  const problems: string[] = [];
  for (const statement of statements) {
    if (serverOnly.has(statement)) continue;
    for (const id of identifiersIn(statement)) {
      if (!imported.has(id.text)) continue;
      const { line } = source.getLineAndCharacterOfPosition(id.getStart());
      problems.push(`${fileName}:${line + 1} reads ${id.text} (from a .server module) outside loader/action/headers`);
    }
  }
  return problems;
}

describe("no client bundle reads a .server module", () => {
  it("finds the kind of fault that crashed /ops/cancellations/stats", () => {
    const faulty = [
      'import { LABELS, load } from "~/lib/stats.server";',
      "export async function loader() { return load(); }",
      "const SERIES = [{ label: LABELS.self }];",
      "export default function Page() { return <p>{SERIES[0].label}</p>; }",
    ].join("\n");
    expect(clientReadsOfServerModules("app/routes/x.tsx", faulty)).toEqual([
      "app/routes/x.tsx:3 reads LABELS (from a .server module) outside loader/action/headers",
    ]);
    const fine = [
      'import { load, type Row } from "~/lib/stats.server";',
      "async function helper(): Promise<Row[]> { return load(); }",
      "export async function loader() { return helper(); }",
      "export const action = async () => load();",
      "export default function Page() { return <p>ok</p>; }",
    ].join("\n");
    expect(clientReadsOfServerModules("app/routes/y.tsx", fine)).toEqual([]);
  });

  it("holds for every route module and the root", () => {
    const routesDir = join(REPO_ROOT, "app", "routes");
    const files = [
      ...readdirSync(routesDir)
        .filter((f) => /\.tsx?$/.test(f))
        .map((f) => join("app", "routes", f)),
      join("app", "root.tsx"),
    ];
    expect(files.length).toBeGreaterThan(50);
    const problems = files.flatMap((f) => clientReadsOfServerModules(f, readFileSync(join(REPO_ROOT, f), "utf8")));
    expect(problems).toEqual([]);
  });
});
