/** Carrier dispatch settings with their defaults (environment variables in app/lib/env.server.ts). */
import type { SlaConfig } from "../domain/carrier-sla";
import type { Config } from "./env.server";

export type CarrierSettings = NonNullable<Config["carrier"]>;

export const DEFAULT_CARRIER_SETTINGS: Readonly<CarrierSettings> = {
  slaAckHours: 24,
  slaDoneHours: 120,
  pushTimeoutSeconds: 30,
  pushRetryLimit: 10,
  pushRetryDelaySeconds: 30,
};

export function carrierSettings(config: Config): CarrierSettings {
  return { ...DEFAULT_CARRIER_SETTINGS, ...config.carrier };
}

export function slaConfig(config: Config): SlaConfig {
  const settings = carrierSettings(config);
  return { ackHours: settings.slaAckHours, doneHours: settings.slaDoneHours };
}
