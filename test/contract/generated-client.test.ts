/**
 * The reference carrier client is built on types generated from docs/openapi.yaml:
 *  - the committed carrier-api.generated.ts is what openapi-typescript makes from the document now
 *    (`npm run generate:carrier-api` after changing the document);
 *  - the client and its command line typecheck against it;
 *  - a change to the document that the client does not follow (a new action, a renamed field) fails
 *    that typecheck (the same check `tsc` makes of the whole project).
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import ts from "typescript";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

const GENERATED = path.resolve("app/lib/carriers/carrier-api.generated.ts");
const CLIENT_FILES = ["app/lib/carriers/reference-client.ts", "app/lib/carriers/cli.ts", "app/lib/carriers/carrier-api.generated.ts"].map((f) => path.resolve(f));

async function generate(document: string | URL): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(document, { silent: true }))}`;
}

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(path.resolve("tsconfig.json"), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, path.resolve(".")).options;
}

let program: ts.Program | undefined;

/** Diagnostics of the client's files, with carrier-api.generated.ts replaced by `generated` when given. */
function typecheckClient(generated?: string): string[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  if (generated !== undefined) {
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) =>
      path.resolve(fileName) === GENERATED ? ts.createSourceFile(fileName, generated, languageVersion, true) : original(fileName, languageVersion, onError, shouldCreate);
  }
  program = ts.createProgram({ rootNames: [...CLIENT_FILES, path.resolve("remix.env.d.ts")], options, host, oldProgram: program });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => !d.file || d.file.fileName.includes("/app/lib/carriers/"))
    .map((d) => `${d.file ? `${path.relative(".", d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("the reference client's types, generated from docs/openapi.yaml", () => {
  it("are up to date with the document (npm run generate:carrier-api)", async () => {
    const fresh = await generate(pathToFileURL(path.resolve("docs/openapi.yaml")));
    expect(fresh === fs.readFileSync(GENERATED, "utf8"), "app/lib/carriers/carrier-api.generated.ts is stale: run npm run generate:carrier-api").toBe(true);
  }, 60_000);

  it("build the client and its command line without a type error", () => {
    expect(typecheckClient()).toEqual([]);
  }, 120_000);

  it("make a change to the API that the client does not follow fail the typecheck", async () => {
    const document = parseYaml(fs.readFileSync("docs/openapi.yaml", "utf8")) as {
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }>; required: string[] }> };
    };
    // A new kind of order the client does not know.
    document.components.schemas.Record!.properties.action!.enum!.push("CANCEL");
    // The batch's record count renamed.
    const batch = document.components.schemas.Batch!;
    batch.properties.records = batch.properties.record_count!;
    delete batch.properties.record_count;
    batch.required = batch.required.map((r) => (r === "record_count" ? "records" : r));

    const errors = typecheckClient(await generate(stringifyYaml(document)));
    expect(errors.join("\n")).toMatch(/CANCEL/);
    expect(errors.join("\n")).toMatch(/record_count/);
  }, 120_000);
});
