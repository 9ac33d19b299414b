/**
 * A response validator for docs/openapi.yaml, independent of the centre's code: the document is read
 * with `yaml`, its schemas compiled with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses) and
 * ajv-formats. For a response it checks
 *  - the status is one the operation documents;
 *  - every documented header: present when required, and its value against the header's schema;
 *  - the media type is one the response documents (or no body when it documents none), and the body
 *    against that media type's schema.
 * Objects are checked closed: a property the document does not describe is an error here (the document
 * itself stays open, so carriers' clients tolerate additions), so a field added to or renamed in a
 * response without the document fails the contract tests.
 *
 * It also records which (operation, status) pairs were seen, so a test file can require that every
 * documented response was exercised.
 */
import fs from "node:fs";
import path from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import iconv from "iconv-lite";
import { parse as parseYaml } from "yaml";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const OPENAPI_PATH = path.resolve("docs/openapi.yaml");
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type Method = (typeof METHODS)[number];

export type CapturedResponse = { status: number; headers: Headers; body: Uint8Array };

/** Reads a fetch Response whole (its body can then no longer be read: use the returned bytes). */
export async function capture(response: Response): Promise<CapturedResponse> {
  return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
}

export type Operation = { operationId: string; method: Method; path: string; responses: JsonObject };

/** `closed`: add additionalProperties: false to every object schema that lists properties and says nothing else. */
function closeObjects(node: Json): Json {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== "object") return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // "properties" maps names to schemas: close each schema, never the map itself.
    out[key] = key === "properties" && value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closeObjects(v)])) : closeObjects(value);
  }
  if (out.properties && out.additionalProperties === undefined && out.unevaluatedProperties === undefined) out.additionalProperties = false;
  return out;
}

export class OpenApiContract {
  readonly document: JsonObject;
  private readonly ajv: Ajv2020;
  private readonly defs: Json;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly closed: boolean;
  readonly seen = new Set<string>();

  constructor(file = OPENAPI_PATH, options: { closed?: boolean } = {}) {
    this.document = parseYaml(fs.readFileSync(file, "utf8")) as JsonObject;
    this.ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    addFormats(this.ajv);
    // OpenAPI's own schema keywords, which are annotations only.
    this.ajv.addKeyword({ keyword: "example" });
    this.ajv.addKeyword({ keyword: "discriminator" });
    this.ajv.addKeyword({ keyword: "xml" });
    this.ajv.addKeyword({ keyword: "externalDocs" });
    const schemas = ((this.document.components as JsonObject | undefined)?.schemas ?? {}) as Json;
    this.defs = this.rewrite(options.closed === false ? schemas : closeObjects(schemas));
    this.closed = options.closed !== false;
  }

  /** "#/components/schemas/X" → "#/$defs/X", so a schema can be compiled on its own with the components beside it. */
  private rewrite(schema: Json): Json {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"#/$defs/')) as Json;
  }

  private compile(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      const own = this.rewrite(this.closed ? closeObjects(schema) : schema) as JsonObject;
      validate = this.ajv.compile({ ...own, $defs: this.defs });
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** Follows a local $ref ("#/components/…") to the object it names. */
  resolve(node: Json): JsonObject {
    let current = node as JsonObject;
    for (let hops = 0; typeof current?.$ref === "string" && hops < 10; hops++) {
      const ref = current.$ref as string;
      if (!ref.startsWith("#/")) throw new Error(`only local $refs: ${ref}`);
      current = ref
        .slice(2)
        .split("/")
        .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
        .reduce<Json>((at, part) => (at as JsonObject)[part] as Json, this.document) as JsonObject;
      if (!current) throw new Error(`dangling $ref ${ref}`);
    }
    return current;
  }

  operations(): Operation[] {
    const out: Operation[] = [];
    for (const [p, item] of Object.entries(this.document.paths as JsonObject)) {
      for (const method of METHODS) {
        const op = (item as JsonObject)[method] as JsonObject | undefined;
        if (op) out.push({ operationId: String(op.operationId), method, path: p, responses: op.responses as JsonObject });
      }
    }
    return out;
  }

  operation(operationId: string): Operation {
    const op = this.operations().find((o) => o.operationId === operationId);
    if (!op) throw new Error(`no operation ${operationId} in the document`);
    return op;
  }

  /** Every (operationId, status) the document lists. */
  documentedResponses(): string[] {
    return this.operations().flatMap((op) => Object.keys(op.responses).map((status) => `${op.operationId} ${status}`));
  }

  /** The problems of one response against the document; [] when it conforms. */
  check(operationId: string, response: CapturedResponse): string[] {
    const op = this.operation(operationId);
    const problems: string[] = [];
    const documented = op.responses[String(response.status)] ?? op.responses[`${String(response.status)[0]}XX`] ?? op.responses.default;
    if (!documented) return [`${operationId}: status ${response.status} is not documented (documented: ${Object.keys(op.responses).join(", ")})`];
    this.seen.add(`${operationId} ${response.status}`);
    const spec = this.resolve(documented);

    for (const [name, headerNode] of Object.entries((spec.headers ?? {}) as JsonObject)) {
      const header = this.resolve(headerNode);
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required === true) problems.push(`header ${name} is missing`);
        continue;
      }
      const schema = this.resolve(header.schema ?? {});
      const typed: unknown = (schema.type === "integer" || schema.type === "number") && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : schema.type === "boolean" && /^(true|false)$/.test(value) ? value === "true" : value;
      const validate = this.compile(header.schema ?? {});
      if (!validate(typed)) problems.push(...(validate.errors ?? []).map((e) => `header ${name} ${JSON.stringify(value)}: ${e.instancePath} ${e.message}`));
    }

    const content = (spec.content ?? null) as JsonObject | null;
    const contentType = response.headers.get("Content-Type");
    if (!content) {
      if (response.body.byteLength > 0) problems.push(`a body, but the document describes none for ${response.status}`);
      return problems;
    }
    const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
    const media = content[mediaType] as JsonObject | undefined;
    if (!media) return [...problems, `Content-Type ${contentType} is not documented (documented: ${Object.keys(content).join(", ")})`];
    let body: unknown;
    if (mediaType === "application/json" || mediaType.endsWith("+json")) {
      try {
        body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(response.body));
      } catch (error) {
        return [...problems, `the body is not JSON: ${(error as Error).message}`];
      }
    } else {
      const charset = /charset=([^;]+)/i.exec(contentType ?? "")?.[1]?.trim().replace(/^"|"$/g, "") ?? "utf-8";
      const encoding = /^(shift_jis|sjis|windows-31j)$/i.test(charset) ? "cp932" : charset;
      if (!iconv.encodingExists(encoding)) return [...problems, `unknown charset ${charset}`];
      body = iconv.decode(Buffer.from(response.body), encoding);
    }
    if (media.schema !== undefined) {
      const validate = this.compile(media.schema);
      if (!validate(body)) problems.push(...(validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`));
    }
    return problems;
  }

  /** Throws with every problem listed unless the response conforms. */
  assert(operationId: string, response: CapturedResponse): void {
    const problems = this.check(operationId, response);
    if (problems.length > 0) throw new Error(`${operationId} ${response.status} does not conform to docs/openapi.yaml:\n  ${problems.join("\n  ")}`);
  }
}
