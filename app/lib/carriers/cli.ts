/**
 * `npm run carrier -- <carrier-code> [options]`: the reference carrier client on the command line.
 * It polls the centre's carrier API, verifies each batch's hash and signature, checks the sequence,
 * acknowledges it and answers every record from a rules file.
 *
 *   --base-url URL       the centre (default http://localhost:3000, or CARRIER_BASE_URL)
 *   --api-key KEY        the carrier's API key (or CARRIER_API_KEY)
 *   --public-key FILE    the centre's Ed25519 public key, PEM or raw base64 (or CARRIER_PUBLIC_KEY, text)
 *   --rules FILE         JSON rules (default: SUSPEND/RESUME → DONE today, INQUIRY → NOT_OUR_SUBSCRIBER)
 *   --state FILE         where the last accepted sequence is kept (default ./data/reference-carrier-<code>.json)
 *   --format csv|json    which file to download (default: the carrier's format)
 *   --watch SECONDS      keep polling every SECONDS (default: run once)
 *
 * Prints one line per batch; exits 1 when a batch fails verification or the sequence has a gap.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_RULES, parseRules, ReferenceCarrierClient, type ContinuityState } from "./reference-client";

function argument(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

function readState(file: string): ContinuityState {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, "utf8")) as ContinuityState;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const carrier = args[0];
  if (!carrier || carrier.startsWith("--")) {
    process.stderr.write("usage: npm run carrier -- <carrier-code> [--base-url URL] [--api-key KEY] [--public-key FILE] [--rules FILE] [--state FILE] [--format csv|json] [--watch SECONDS]\n");
    return 2;
  }
  const apiKey = argument(args, "api-key") ?? process.env.CARRIER_API_KEY;
  const publicKeyFile = argument(args, "public-key");
  const publicKey = publicKeyFile ? fs.readFileSync(publicKeyFile, "utf8") : process.env.CARRIER_PUBLIC_KEY;
  if (!apiKey || !publicKey) {
    process.stderr.write("an API key (--api-key or CARRIER_API_KEY) and the centre's public key (--public-key or CARRIER_PUBLIC_KEY) are required\n");
    return 2;
  }
  const rulesFile = argument(args, "rules");
  const rules = rulesFile ? parseRules(fs.readFileSync(rulesFile, "utf8")) : DEFAULT_RULES;
  const stateFile = argument(args, "state") ?? path.join("data", `reference-carrier-${carrier}.json`);
  const format = argument(args, "format");
  const client = new ReferenceCarrierClient({
    baseUrl: argument(args, "base-url") ?? process.env.CARRIER_BASE_URL ?? "http://localhost:3000",
    apiKey,
    publicKey,
    carrier,
    format: format === "json" || format === "csv" ? format : undefined,
  });
  const watch = Number(argument(args, "watch") ?? "0");
  let failed = false;
  do {
    try {
      const { processed, state } = await client.processReady(rules, readState(stateFile));
      for (const batch of processed) {
        const continuity = batch.continuity.ok ? "sequence ok" : `SEQUENCE PROBLEM: ${JSON.stringify(batch.continuity)}`;
        process.stdout.write(
          `${carrier} batch #${batch.sequence} (${batch.batchId}): ${batch.records} records verified, acknowledged; results applied ${batch.upload.applied}, unchanged ${batch.upload.unchanged}; ${continuity}\n`,
        );
        if (!batch.continuity.ok) failed = true;
      }
      if (processed.length === 0) process.stdout.write(`${carrier}: no batches waiting\n`);
      if (state) {
        fs.mkdirSync(path.dirname(stateFile), { recursive: true });
        fs.writeFileSync(stateFile, JSON.stringify(state));
      }
    } catch (error) {
      process.stderr.write(`${carrier}: ${(error as Error).message}\n`);
      failed = true;
      if (watch <= 0) break;
    }
    if (watch > 0) await new Promise((resolve) => setTimeout(resolve, watch * 1000));
  } while (watch > 0);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
