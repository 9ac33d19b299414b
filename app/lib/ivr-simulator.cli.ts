/**
 * `npm run ivr -- --from 0312345678`: plays a whole call in the terminal against a running server.
 * Prints each <Say>, reads your keys (or words), and signs every request as Twilio does, with the
 * server's own token (TWILIO_AUTH_TOKEN, or the embedded default's, derived from DATA_DIR's secrets).
 *
 *   --from <number|anonymous>   caller ID (default 0312345678)
 *   --url <server>              where the server listens (default http://localhost:$PORT)
 */
import readline from "node:readline";
import { parseArgs } from "node:util";
import { toE164 } from "../domain/phone";
import { loadConfig } from "./env.server";
import { CallSimulator, explainSetupError } from "./ivr-simulator.server";
import { ivrAuthToken } from "./twilio-webhook.server";

const { values } = parseArgs({
  options: { from: { type: "string", default: "0312345678" }, url: { type: "string" } },
});
const config = loadConfig();
const from = values.from === "anonymous" ? "anonymous" : (toE164(values.from!) ?? values.from!);
const serverUrl = values.url ?? `http://localhost:${config.port}`;
const call = new CallSimulator({
  serverUrl,
  publicBaseUrl: config.publicBaseUrl,
  authToken: ivrAuthToken(config),
  from,
});

const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
// An async iterator keeps every line, typed or piped in (`printf '1\n2\n' | npm run ivr`).
const lines = rl[Symbol.asyncIterator]();
async function ask(prompt: string): Promise<string | null> {
  process.stdout.write(prompt);
  const next = await lines.next();
  return next.done ? null : String(next.value);
}
const help = "（数字・*・# を入力して Enter。ことばで答えるときは「s 本人」のように。何も入れずに Enter で無音、q で電話を切る）";
async function play() {
  console.log(`📞 ${from} から発信します ${help}`);
  let turn = await call.start();
  for (;;) {
    for (const text of turn.says) console.log(`🔊 ${text}`);
    if (turn.dialed) console.log(`☎  オペレーター（${turn.dialed}）に転送`);
    if (turn.waiting.kind === "ended") break;
    const typed = await ask(turn.waiting.kind === "record" ? "🎙  録音中。Enter で終了 > " : "> ");
    const answer = typed === null ? "q" : typed.trim();
    if (typed !== null && !process.stdin.isTTY) process.stdout.write(`${answer}\n`);
    if (answer === "q") {
      await call.hangup();
      console.log("（電話を切りました）");
      break;
    }
    if (turn.waiting.kind === "record") turn = await call.record();
    else if (answer === "") turn = await call.silence();
    else if (answer.startsWith("s ")) turn = await call.speak(answer.slice(2));
    else turn = await call.press(answer);
  }
  if (call.current.kind === "ended") await call.hangup().catch(() => {});
  console.log(`（通話終了。ボタンを押した回数：${call.keyPresses}）`);
}

try {
  await play();
} catch (error) {
  // Server not running on that port, or a token that differs from the server's: one line, no stack.
  const line = explainSetupError(error, serverUrl);
  if (!line) throw error;
  console.error(line);
  process.exitCode = 1;
} finally {
  rl.close();
}
