import {
  csvField,
  csvHeaderLine,
  csvRecordLine,
  decodeUpload,
  jsonHead,
  jsonRecordLine,
  jsonRecordObject,
  jsonTail,
  nationalNumber,
  parseCsv,
  type BatchRecord,
} from "../../app/domain/carrier-files";
import { encodeShiftJis } from "../../app/lib/shift-jis.server";

const record = (over: Partial<BatchRecord> = {}): BatchRecord => ({
  recordId: "0b6f7c1e-0000-4000-8000-000000000001",
  seq: 1,
  action: "SUSPEND",
  scope: "incoming",
  phoneNumber: "0312345678",
  subscriberKana: "ヤマダ ハナコ",
  subscriberName: "山田 花子",
  prefecture: 13,
  requestRef: "12345678901",
  requestedAt: "2026-11-20T01:00:00.000Z",
  nameUnverified: false,
  installationAddress: "東京都千代田区千代田1-1",
  ...over,
});

describe("JSON records", () => {
  it("are exactly JSON.stringify of the record object, after the separator", () => {
    for (const over of [
      {},
      { prefecture: null, nameUnverified: true, subscriberName: "" },
      { subscriberName: 'quote " back\\slash\ttab\u2028 𠮷', installationAddress: "=1+2\n\u0000" },
      { shiftJisSubstituted: ["subscriber_name", "installation_address"] },
      { shiftJisSubstituted: [] },
    ] as Partial<BatchRecord>[]) {
      expect(jsonRecordLine(record(over), true)).toBe(JSON.stringify(jsonRecordObject(record(over))));
      expect(jsonRecordLine(record(over), false)).toBe(`,\n${JSON.stringify(jsonRecordObject(record(over)))}`);
    }
  });
});

describe("CSV encoding", () => {
  it("quotes only what needs quoting, with CRLF line ends", () => {
    expect(csvField("abc")).toBe("abc");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField(" lead")).toBe('" lead"');
    expect(csvHeaderLine()).toBe("record_id,seq,action,scope,phone_number,subscriber_kana,subscriber_name,prefecture,request_ref,requested_at,name_unverified,installation_address\r\n");
    expect(csvRecordLine(record({ subscriberName: "山田, 花子", prefecture: null }))).toBe(
      '0b6f7c1e-0000-4000-8000-000000000001,1,SUSPEND,incoming,0312345678,ヤマダ ハナコ,"山田, 花子",,12345678901,2026-11-20T01:00:00.000Z,0,東京都千代田区千代田1-1\r\n',
    );
  });

  it("marks a name heard or read by machine as unverified (ADR 015)", () => {
    expect(csvRecordLine(record({ nameUnverified: true })).endsWith(",1,東京都千代田区千代田1-1\r\n")).toBe(true);
    expect(JSON.parse(jsonRecordLine(record({ nameUnverified: true }), true))).toMatchObject({ name_unverified: true });
  });

  it("keeps a name that looks like a spreadsheet formula from running as one", () => {
    const line = csvRecordLine(record({ subscriberName: "=HYPERLINK(\"http://x\")", subscriberKana: "@SUM(A1)" }));
    expect(line).toContain(`'@SUM(A1),"'=HYPERLINK(""http://x"")"`);
  });

  it("round-trips through the parser, including quotes and line breaks", () => {
    const text = csvHeaderLine() + csvRecordLine(record({ subscriberName: '鈴木 "一郎"\r\n二行目' })) + csvRecordLine(record({ seq: 2 }));
    const parsed = parseCsv(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(parsed.rows[1]!.fields[6]).toBe('鈴木 "一郎"\r\n二行目');
  });

  it("names the line of a syntax error", () => {
    expect(parseCsv('a,b\r\n"open,c\r\n')).toEqual({ ok: false, line: 2, message: expect.stringContaining("閉じられていません") });
    expect(parseCsv('a,b"c\r\n')).toMatchObject({ ok: false, line: 1 });
    expect(parseCsv('"a"b\r\n')).toMatchObject({ ok: false, line: 1 });
  });

  it("skips blank lines and a BOM", () => {
    const parsed = parseCsv("\uFEFFa,b\n\n1,2\n");
    expect(parsed).toEqual({ ok: true, rows: [{ line: 1, fields: ["a", "b"] }, { line: 3, fields: ["1", "2"] }] });
  });
});

describe("JSON encoding", () => {
  it("is one valid document, one record per line", () => {
    const text =
      jsonHead({ carrier: "kddi", sequence: 7, cutAt: "2026-11-20T01:00:00.000Z", recordCount: 2 }) +
      jsonRecordLine(record(), true) +
      jsonRecordLine(record({ seq: 2, action: "INQUIRY", subscriberName: "" }), false) +
      jsonTail(2);
    const doc = JSON.parse(text) as { sequence: number; record_count: number; records: { seq: number; action: string }[] };
    expect(doc).toMatchObject({ format: "kokusai-carrier-batch", version: 1, carrier: "kddi", sequence: 7, record_count: 2 });
    expect(doc.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(text.split("\n")).toHaveLength(5);
    expect(JSON.parse(jsonHead({ carrier: "kddi", sequence: 1, cutAt: "x", recordCount: 0 }) + jsonTail(0))).toMatchObject({ records: [] });
  });

  it("national numbers", () => {
    expect(nationalNumber("+81312345678")).toBe("0312345678");
  });
});

describe("Shift_JIS", () => {
  const hex = (text: string) => Buffer.from(encodeShiftJis(text).bytes).toString("hex");

  it("encodes as Windows-31J (WHATWG Shift_JIS)", () => {
    expect(hex("abc")).toBe("616263");
    expect(hex("あ亜")).toBe("82a0889f");
    expect(hex("ｱ")).toBe("b1");
    expect(hex("¥")).toBe("5c");
    expect(hex("～")).toBe("8160");
    expect(hex("−")).toBe("817c");
    expect(hex("①")).toBe("8740");
    // IBM extension, not the NEC-selected duplicate at ED/EE.
    expect(hex("髙")).toBe("fbfc");
  });

  it("substitutes 〓 for characters it cannot hold, once per character", () => {
    const result = encodeShiftJis("𠮷野家😀");
    expect(result.substituted).toBe(2);
    expect(new TextDecoder("shift_jis").decode(result.bytes)).toBe("〓野家〓");
  });

  it("round-trips every character the decoder knows", () => {
    const decoder = new TextDecoder("shift_jis", { fatal: true });
    let checked = 0;
    for (let lead = 0x81; lead <= 0xfc; lead++) {
      if (lead > 0x9f && lead < 0xe0) continue;
      // F0–F9 is the user-defined area (private-use characters): meaningless to a carrier, so 〓 and flagged.
      if (lead >= 0xf0 && lead <= 0xf9) continue;
      for (let trail = 0x40; trail <= 0xfc; trail++) {
        if (trail === 0x7f) continue;
        let text: string;
        try {
          text = decoder.decode(new Uint8Array([lead, trail]));
        } catch {
          continue;
        }
        const encoded = encodeShiftJis(text);
        expect(encoded.substituted).toBe(0);
        expect(decoder.decode(encoded.bytes)).toBe(text);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(7000);
  });

  it("decodes uploads as UTF-8, or Shift_JIS when they are not UTF-8 or say so", () => {
    const sjis = encodeShiftJis("記録,結果").bytes;
    expect(decodeUpload(sjis)).toEqual({ text: "記録,結果", encoding: "shift_jis" });
    expect(decodeUpload(new TextEncoder().encode("記録"))).toEqual({ text: "記録", encoding: "utf-8" });
    expect(decodeUpload(sjis, "Shift_JIS")?.encoding).toBe("shift_jis");
    expect(decodeUpload(new Uint8Array([0x82]), "shift_jis")).toBeNull();
    expect(decodeUpload(sjis, "utf-8")).toBeNull();
    expect(decodeUpload(sjis, "iso-8859-1")).toBeNull();
  });
});
