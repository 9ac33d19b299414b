/**
 * Services for integration tests: the real services on a private copy of the template database,
 * with fixed test keys, the offline message provider, and a clock the test can move.
 */
import type { AppLoadContext } from "@remix-run/node";
import type { Config } from "../../app/lib/env.server";
import { createLogger } from "../../app/lib/logger.server";
import { startServices, type Services } from "../../app/lib/services.server";
import { createOutboxProvider, type MessageProvider } from "../../app/lib/comms.server";
import { openTestDatabase } from "./database";

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    nodeEnv: "test",
    port: 0,
    host: "127.0.0.1",
    publicBaseUrl: "http://localhost:3000",
    database: { kind: "pglite", dataDir: "(test)" },
    dataDir: "(test)",
    secrets: {
      sessionSecret: "test-session-secret-0123456789abcdef",
      piiEncryptionKey: Buffer.alloc(32, 7),
      piiHashKey: Buffer.alloc(32, 9),
    },
    twilio: null,
    centrePhoneNumber: "+81570000110",
    operatorNumber: null,
    runWorkersInProcess: false,
    seedDemoData: false,
    demoOperatorPassword: undefined,
    logLevel: "silent",
    ...overrides,
  };
}

export type TestClock = { now: () => Date; set(date: Date | string): void; advance(ms: number): void };

/**
 * A clock the test moves by hand. Each reading also ticks 1 ms, so rows written one after another
 * keep their order (as they would with a real clock).
 */
export function testClock(start: Date | string = "2026-11-20T01:00:00Z"): TestClock {
  let current = new Date(start);
  return {
    now: () => {
      current = new Date(current.getTime() + 1);
      return new Date(current);
    },
    set: (date) => {
      current = new Date(date);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

export type TestServices = Services & { clock: TestClock };

export async function createTestServices(options: { config?: Partial<Config>; provider?: MessageProvider; clock?: TestClock } = {}): Promise<TestServices> {
  const database = await openTestDatabase();
  const clock = options.clock ?? testClock();
  const services = await startServices(testConfig(options.config), createLogger({ level: "silent" }), {
    database,
    provider: options.provider ?? createOutboxProvider(),
    now: clock.now,
  });
  return {
    ...services,
    clock,
    async close() {
      await services.close();
      await database.close();
    },
  };
}

/** A Remix load context around the services, as server.ts builds it. */
export function loadContext(services: Services, clientIp = "127.0.0.1"): AppLoadContext {
  return { services, cspNonce: "test-nonce", clientIp };
}
