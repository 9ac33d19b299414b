import { eq } from "drizzle-orm";
import { outbox } from "../../db/schema";
import { createTwilioProvider, sayTwiml, type MessageProvider } from "../../app/lib/comms.server";
import { startWorkers } from "../../workers/index";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

const rowOf = async (id: string) => (await services.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;

describe("comms through the outbox", () => {
  it("stores a message sealed, once per idempotency key", async () => {
    const input = { idempotencyKey: "verify:1", purpose: "verification", to: "+81312345678", body: "確認番号は 1234 です。" };
    const first = await services.comms.queueSms(input);
    const second = await services.comms.queueSms(input);
    expect(second).toBe(first);
    const rows = await services.db.select().from(outbox).where(eq(outbox.idempotencyKey, "verify:1"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.toEnc).not.toContain("312345678");
    expect(rows[0]!.bodyEnc).not.toContain("1234");
    expect(services.comms.readBody(rows[0]!)).toBe("確認番号は 1234 です。");
  });

  it("delivers through the offline provider once, even when the job runs twice", async () => {
    const id = await services.comms.queueCall({
      idempotencyKey: "call:1",
      purpose: "verification",
      to: "+81312345678",
      content: { kind: "say", text: "確認番号は、1、2、3、4 です。" },
    });
    await services.comms.deliver(id);
    await services.comms.deliver(id);
    const row = await rowOf(id);
    expect(row.status).toBe("held");
    expect(row.attempts).toBe(1);
    expect(row.provider).toBe("outbox");
    expect(row.sentAt).toBeInstanceOf(Date);
  });

  it("records a failure without the provider's message, and retries", async () => {
    let calls = 0;
    const flaky: MessageProvider = {
      name: "twilio",
      async sendSms() {
        calls++;
        if (calls === 1) throw Object.assign(new Error("To number +81312345678 is unreachable"), { code: 21211 });
        return { providerRef: "SM123", status: "sent" };
      },
      async placeCall() {
        throw new Error("unused");
      },
    };
    const flakyServices = await createTestServices({ provider: flaky });
    try {
      const id = await flakyServices.comms.queueSms({ idempotencyKey: "sms:flaky", purpose: "completion", to: "+819012345678", body: "完了しました" });
      await expect(flakyServices.comms.deliver(id)).rejects.toThrow();
      let row = (await flakyServices.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;
      expect(row.status).toBe("failed");
      expect(row.lastError).toBe("Error:21211");
      await flakyServices.comms.deliver(id);
      row = (await flakyServices.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;
      expect(row.status).toBe("sent");
      expect(row.providerRef).toBe("SM123");
      expect(row.attempts).toBe(2);
    } finally {
      await flakyServices.close();
    }
  });

  it("keeps letters for the print queue instead of a provider", async () => {
    const id = await services.comms.queueLetter({
      idempotencyKey: "letter:1",
      purpose: "completion",
      to: "〒100-0001 東京都千代田区千代田1-1 山田 花子 様",
      template: "completion-letter",
      data: { reference: "12345678906" },
    });
    await services.comms.deliver(id);
    expect((await rowOf(id)).status).toBe("queued");
  });

  it("is delivered by the worker after the transaction commits", async () => {
    const workers = await startWorkers(services, { pollingIntervalSeconds: 0.5 });
    try {
      const id = await services.comms.queueSms({ idempotencyKey: "sms:worker", purpose: "verification", to: "+81312345678", body: "1234" });
      const deadline = Date.now() + 15_000;
      while ((await rowOf(id)).status !== "held" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect((await rowOf(id)).status).toBe("held");
    } finally {
      await workers.stop();
    }
  });
});

describe("Twilio provider", () => {
  type Captured = { method: string; uri: string; data: Record<string, string>; username?: string };
  function capturingClient(sid: string) {
    const requests: Captured[] = [];
    const httpClient = {
      async request(opts: { method: string; uri: string; data?: Record<string, string>; username?: string }) {
        requests.push({ method: opts.method, uri: opts.uri, data: opts.data ?? {}, username: opts.username });
        return { statusCode: 201, body: JSON.stringify({ sid }), headers: {} };
      },
    };
    return { requests, httpClient };
  }
  const accountSid = "AC" + "1".repeat(32);

  it("sends an SMS with To, From and Body to the Messages API", async () => {
    const { requests, httpClient } = capturingClient("SM" + "2".repeat(32));
    const provider = createTwilioProvider({ accountSid, authToken: "secret", fromNumber: "+81501234567", httpClient: httpClient as never });
    const result = await provider.sendSms("+819012345678", "お申し込みが完了しました。");
    expect(result).toEqual({ providerRef: "SM" + "2".repeat(32), status: "sent" });
    expect(requests[0]).toMatchObject({
      method: "post",
      uri: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json`,
      data: { To: "+819012345678", From: "+81501234567", Body: "お申し込みが完了しました。" },
      username: accountSid,
    });
  });

  it("places a call that reads Japanese text with TwiML, with a status callback", async () => {
    const { requests, httpClient } = capturingClient("CA" + "3".repeat(32));
    const provider = createTwilioProvider({
      accountSid,
      authToken: "secret",
      fromNumber: "+81501234567",
      statusCallbackUrl: "https://centre.example.jp/ivr/status",
      httpClient: httpClient as never,
    });
    await provider.placeCall("+81312345678", { kind: "say", text: "確認番号は、1、2、3、4 です。" });
    const data = requests[0]!.data;
    expect(requests[0]!.uri).toBe(`https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Calls.json`);
    expect(data.To).toBe("+81312345678");
    expect(data.Twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Mizuki" language="ja-JP">確認番号は、1、2、3、4 です。</Say></Response>');
    expect(data.StatusCallback).toBe("https://centre.example.jp/ivr/status");
  });

  it("places a call that fetches TwiML from our IVR for a menu", async () => {
    const { requests, httpClient } = capturingClient("CA" + "4".repeat(32));
    const provider = createTwilioProvider({ accountSid, authToken: "secret", fromNumber: "+81501234567", httpClient: httpClient as never });
    await provider.placeCall("+81312345678", { kind: "url", url: "https://centre.example.jp/ivr/consent?v=1", fallbackText: "x" });
    expect(requests[0]!.data).toMatchObject({ Url: "https://centre.example.jp/ivr/consent?v=1", Method: "POST" });
    expect(requests[0]!.data.Twiml).toBeUndefined();
  });

  it("escapes text in TwiML", () => {
    expect(sayTwiml("<b>&")).toContain("&lt;b&gt;&amp;");
  });
});

describe("outbox sweep", () => {
  it("re-enqueues messages whose delivery job was lost, and retries rows a dead worker left sending", async () => {
    const { HANDLERS, STALE_SENDING_MS } = await import("../../workers/handlers");
    const lost = await services.comms.queueSms({ idempotencyKey: "sweep:lost", purpose: "verification", to: "+81312345678", body: "1" });
    const dead = await services.comms.queueSms({ idempotencyKey: "sweep:dead", purpose: "verification", to: "+81312345678", body: "2" });
    // Simulate: the first job vanished; a worker claimed the second one and died.
    await services.database.sql("delete from pgboss.job where data->>'outboxId' in ($1, $2)", [lost, dead]);
    await services.db.update(outbox).set({ status: "sending", updatedAt: services.clock.now() }).where(eq(outbox.id, dead));
    services.clock.advance(STALE_SENDING_MS + 60_000);
    await HANDLERS["comms.sweep"](services, {});
    const jobs = await services.database.sql<{ id: string }>("select data->>'outboxId' as id from pgboss.job where name = 'comms.deliver' and data->>'outboxId' in ($1, $2)", [lost, dead]);
    expect(jobs.map((j) => j.id).sort()).toEqual([lost, dead].sort());
    expect((await rowOf(dead)).status).toBe("failed");
    await services.comms.deliver(dead);
    expect((await rowOf(dead)).status).toBe("held");
  });
});
