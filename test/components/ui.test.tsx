import { readFileSync } from "node:fs";
import { renderToStaticMarkup } from "react-dom/server";
import {
  Button,
  ButtonLink,
  Checkbox,
  CheckboxGroup,
  ErrorSummary,
  ErrorText,
  Field,
  Fieldset,
  Input,
  Label,
  Notice,
  PageHeading,
  RadioGroup,
  RequirementBadge,
  SummaryList,
  SupportText,
} from "../../app/components/ui";

/** Attributes of every <name> start tag in the markup (names lower-cased, as in HTML). */
function tags(html: string, name: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const re = new RegExp(`<${name}\\b([^>]*)>`, "g");
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    const attrs: Record<string, string> = {};
    const attrRe = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g;
    let a: RegExpExecArray | null;
    while ((a = attrRe.exec(m[1] ?? ""))) attrs[a[1]!.toLowerCase()] = a[2] ?? ""; // HTML attribute names are case-insensitive
    out.push(attrs);
  }
  return out;
}

function one(html: string, name: string): Record<string, string> {
  const found = tags(html, name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Text content of the element with the given id (no nesting of the same tag inside). */
function textOf(html: string, id: string): string {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  expect(m, `element #${id}`).not.toBeNull();
  return (m![2] ?? "").replace(/<[^>]+>/g, "");
}

describe("Field", () => {
  const html = renderToStaticMarkup(
    <Field
      name="phone"
      label="電話番号"
      required
      support="市外局番から、数字だけで入力してください。"
      error="電話番号を、数字10けたで入力してください。"
      defaultValue="03-1234"
      type="tel"
      inputMode="numeric"
      autoComplete="tel-national"
      width={13}
    />,
  );

  it("links the label to the input", () => {
    expect(one(html, "label").for).toBe("phone");
    expect(one(html, "input").id).toBe("phone");
  });

  it("shows ※必須 with the label", () => {
    expect(html).toContain("※必須");
    expect(html).not.toContain("※任意");
  });

  it("wires support and error text with aria-describedby, support first", () => {
    const input = one(html, "input");
    expect(input["aria-describedby"]).toBe("phone-support phone-error");
    expect(textOf(html, "phone-support")).toContain("市外局番");
    expect(textOf(html, "phone-error")).toContain("数字10けたで入力してください");
    // Support text comes before the input, error text after it.
    expect(html.indexOf('id="phone-support"')).toBeLessThan(html.indexOf("<input"));
    expect(html.indexOf('id="phone-error"')).toBeGreaterThan(html.indexOf("<input"));
  });

  it("marks the input invalid and keeps what was typed", () => {
    const input = one(html, "input");
    expect(input["aria-invalid"]).toBe("true");
    expect(input.value).toBe("03-1234");
    expect(input.name).toBe("phone");
    expect(input.type).toBe("tel");
    expect(input.inputmode).toBe("numeric");
    expect(input.autocomplete).toBe("tel-national");
    expect(input["aria-required"]).toBe("true");
  });

  it("starts the error with a visible marker and says it is an error", () => {
    const error = textOf(html, "phone-error");
    expect(error.startsWith("＊エラー：")).toBe(true);
  });

  it("without an error: no aria-invalid, no error id, ※任意 when optional", () => {
    const ok = renderToStaticMarkup(<Field name="kana" label="ふりがな" required={false} />);
    const input = one(ok, "input");
    expect(input["aria-invalid"]).toBeUndefined();
    expect(input["aria-describedby"]).toBeUndefined();
    expect(ok).toContain("※任意");
    expect(ok).not.toContain("kana-error");
  });

  it("accepts conform-style error arrays and an explicit id", () => {
    const out = renderToStaticMarkup(
      <Field name="address" id="form-address" label="住所" required error={["住所を入力してください。"]} />,
    );
    expect(one(out, "label").for).toBe("form-address");
    expect(one(out, "input")["aria-describedby"]).toBe("form-address-error");
    expect(textOf(out, "form-address-error")).toContain("住所を入力してください。");
    // An empty list means no error.
    const none = renderToStaticMarkup(<Field name="address" label="住所" required error={[]} />);
    expect(one(none, "input")["aria-invalid"]).toBeUndefined();
  });
});

describe("small primitives", () => {
  it("RequirementBadge", () => {
    expect(renderToStaticMarkup(<RequirementBadge required />)).toContain("※必須");
    expect(renderToStaticMarkup(<RequirementBadge required={false} />)).toContain("※任意");
  });

  it("Label with and without a badge", () => {
    expect(renderToStaticMarkup(<Label htmlFor="a">氏名</Label>)).not.toContain("※");
    expect(renderToStaticMarkup(<Label htmlFor="a" required>氏名</Label>)).toContain("※必須");
  });

  it("SupportText and ErrorText carry their ids", () => {
    expect(one(renderToStaticMarkup(<SupportText id="s">例</SupportText>), "div").id).toBe("s");
    expect(one(renderToStaticMarkup(<ErrorText id="e">直してください</ErrorText>), "p").id).toBe("e");
  });

  it("Input wires aria-describedby only to the error when invalid", () => {
    const html = renderToStaticMarkup(<Input id="x" name="x" supportId="x-support" errorId="x-error" />);
    expect(one(html, "input")["aria-describedby"]).toBe("x-support");
    const bad = renderToStaticMarkup(<Input id="x" name="x" supportId="x-support" errorId="x-error" invalid />);
    expect(one(bad, "input")["aria-describedby"]).toBe("x-support x-error");
  });

  it("Button defaults to a submit button", () => {
    const b = one(renderToStaticMarkup(<Button>次へ進む</Button>), "button");
    expect(b.type).toBe("submit");
    expect(b.class).toContain("button--primary");
    const s = one(renderToStaticMarkup(<Button variant="secondary" type="button">戻る</Button>), "button");
    expect(s.type).toBe("button");
    expect(s.class).toContain("button--secondary");
  });

  it("ButtonLink is a link", () => {
    const a = one(renderToStaticMarkup(<ButtonLink href="/apply">申し込みをはじめる</ButtonLink>), "a");
    expect(a.href).toBe("/apply");
    expect(a.class).toContain("button");
  });

  it("PageHeading renders one h1 with an optional caption", () => {
    const html = renderToStaticMarkup(<PageHeading caption="ステップ 1／4">電話番号</PageHeading>);
    expect(tags(html, "h1")).toHaveLength(1);
    expect(html).toContain("ステップ 1／4");
  });

  it("Notice says its kind in words", () => {
    const html = renderToStaticMarkup(
      <Notice variant="warning" title="ご注意ください">
        <p>本文</p>
      </Notice>,
    );
    expect(html).toContain("注意：");
    const h2 = one(html, "h2");
    expect(one(html, "section")["aria-labelledby"]).toBe(h2.id);
    expect(renderToStaticMarkup(<Notice variant="success">保存しました</Notice>)).toContain("完了：");
  });
});

describe("RadioGroup and Fieldset", () => {
  const html = renderToStaticMarkup(
    <RadioGroup
      name="relation"
      legend="お申し込みになる方"
      required
      support="電話回線の契約者との関係を選んでください。"
      error="お申し込みになる方を選んでください。"
      defaultValue="family"
      options={[
        { value: "self", label: "契約者本人" },
        { value: "family", label: "家族", hint: "同居していなくてもかまいません。" },
        { value: "other", label: "その他" },
      ]}
    />,
  );

  it("is a fieldset with a legend and ※必須", () => {
    expect(tags(html, "fieldset")).toHaveLength(1);
    expect(html).toMatch(/<legend[^>]*>[\s\S]*お申し込みになる方[\s\S]*※必須[\s\S]*<\/legend>/);
  });

  it("describes the group by its support and error text", () => {
    expect(one(html, "fieldset")["aria-describedby"]).toBe("relation-support relation-error");
    expect(textOf(html, "relation-error")).toContain("選んでください");
  });

  it("gives every radio a label; the first radio takes the group id", () => {
    const inputs = tags(html, "input");
    const labels = tags(html, "label");
    expect(inputs.map((i) => i.id)).toEqual(["relation", "relation-2", "relation-3"]);
    expect(labels.map((l) => l.for)).toEqual(["relation", "relation-2", "relation-3"]);
    expect(inputs.every((i) => i.type === "radio" && i.name === "relation")).toBe(true);
    expect(inputs[1]!.checked).toBe("");
    expect(inputs[0]!.checked).toBeUndefined();
    expect(inputs[1]!["aria-describedby"]).toBe("relation-2-hint");
  });

  it("Fieldset can hold other controls", () => {
    const out = renderToStaticMarkup(
      <Fieldset id="birth" legend="生年月日" required={false}>
        <Input id="birth" name="birthYear" />
      </Fieldset>,
    );
    expect(out).toContain("※任意");
    expect(one(out, "fieldset").id).toBe("birth-fieldset");
  });
});

describe("Checkbox", () => {
  it("single check box with error", () => {
    const html = renderToStaticMarkup(
      <Checkbox name="confirm" label="内容を確認しました" required error="確認したら、チェックを入れてください。" />,
    );
    const input = one(html, "input");
    expect(input.type).toBe("checkbox");
    expect(one(html, "label").for).toBe("confirm");
    expect(input["aria-invalid"]).toBe("true");
    expect(input["aria-describedby"]).toBe("confirm-error");
    expect(html).toContain("※必須");
  });

  it("group of check boxes", () => {
    const html = renderToStaticMarkup(
      <CheckboxGroup
        name="scope"
        legend="止める電話"
        required
        defaultValues={["incoming"]}
        options={[
          { value: "outgoing", label: "発信（かける電話）" },
          { value: "incoming", label: "着信（かかってくる電話）" },
        ]}
      />,
    );
    const inputs = tags(html, "input");
    expect(inputs.map((i) => i.id)).toEqual(["scope", "scope-2"]);
    expect(inputs[1]!.checked).toBe("");
  });
});

describe("ErrorSummary", () => {
  it("renders nothing without errors", () => {
    expect(renderToStaticMarkup(<ErrorSummary errors={[]} />)).toBe("");
    expect(renderToStaticMarkup(<ErrorSummary errors={{ phone: undefined, name: [] }} />)).toBe("");
    expect(renderToStaticMarkup(<ErrorSummary errors={null} />)).toBe("");
  });

  it("is an alert, focusable, with the heading and links to each field", () => {
    const html = renderToStaticMarkup(
      <ErrorSummary
        errors={[
          { id: "phone", message: "電話番号を、数字10けたで入力してください。" },
          { id: "relation", message: "お申し込みになる方を選んでください。" },
        ]}
      />,
    );
    const box = one(html, "div");
    expect(box.role).toBe("alert");
    expect(box.tabindex).toBe("-1");
    expect(html).toContain("入力内容を確認してください");
    expect(tags(html, "a").map((a) => a.href)).toEqual(["#phone", "#relation"]);
  });

  it("accepts a record of field id to messages", () => {
    const html = renderToStaticMarkup(
      <ErrorSummary errors={{ phone: ["電話番号を入力してください。"], name: "氏名を入力してください。", "": "もう一度お試しください。" }} />,
    );
    expect(tags(html, "a").map((a) => a.href)).toEqual(["#phone", "#name"]);
    expect(html).toContain("もう一度お試しください。");
  });
});

describe("SummaryList", () => {
  const html = renderToStaticMarkup(
    <SummaryList
      rows={[
        { key: "電話番号", value: "03-1234-5678", changeHref: "/apply/phone" },
        { key: "お名前", value: "山田 太郎", changeHref: "/apply/name", changeLabel: "なおす" },
        { key: "受付方法", value: "" },
      ]}
    />,
  );

  it("uses a description list", () => {
    expect(tags(html, "dt")).toHaveLength(3);
  });

  it("has 変更する links whose accessible name includes the key", () => {
    const links = [...html.matchAll(/<a [^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
      href: m[1],
      name: (m[2] ?? "").replace(/<[^>]+>/g, ""),
    }));
    expect(links).toEqual([
      { href: "/apply/phone", name: "変更する（電話番号）" },
      { href: "/apply/name", name: "なおす（お名前）" },
    ]);
  });

  it("says 未入力 for an empty answer", () => {
    expect(html).toContain("未入力");
  });
});

describe("no placeholders anywhere", () => {
  it("no component renders a placeholder attribute", () => {
    const html = renderToStaticMarkup(
      <form>
        <ErrorSummary errors={[{ id: "phone", message: "x" }]} />
        <Field name="phone" label="電話番号" required error="x" support="y" />
        <Field name="email" label="メール" required={false} type="email" />
        <RadioGroup name="r" legend="l" required options={[{ value: "a", label: "A" }]} />
        <Checkbox name="c" label="c" />
        <Input id="i" name="i" />
        <Button>送信する</Button>
      </form>,
    );
    expect(html).not.toMatch(/placeholder/i);
  });

  it("the Input type does not accept a placeholder", () => {
    // @ts-expect-error placeholder is not allowed (DADS: put hints in SupportText)
    const el = <Input id="p" name="p" placeholder="例：0312345678" />;
    expect(el).toBeTruthy();
  });
});

describe("app.css", () => {
  const css = readFileSync(new URL("../../app/styles/app.css", import.meta.url), "utf8");

  it("sets the portal and back-office base sizes and Japanese system fonts", () => {
    expect(css).toMatch(/body\.portal\s*{[^}]*font-size:\s*18px/);
    expect(css).toMatch(/body\.ops\s*{[^}]*font-size:\s*16px/);
    expect(css).toMatch(/line-height:\s*1\.7/);
    expect(css).toContain('"Hiragino Sans"');
    expect(css).toContain('"Noto Sans JP"');
    expect(css).not.toMatch(/@import|@font-face|url\(/);
  });

  it("has a visible focus ring, 44px targets and a visually-hidden utility", () => {
    expect(css).toMatch(/outline:\s*3px solid/);
    expect(css).toMatch(/--target:\s*44px/);
    expect(css).toContain(".visually-hidden");
    expect(css).toContain(".skip-link");
  });

  it("uses text colours that meet WCAG AA on white", () => {
    const ratio = (a: string, b: string) => {
      const lum = (hex: string) => {
        const [r, g, b2] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) =>
          c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
        ) as [number, number, number];
        return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
      };
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    const vars = Object.fromEntries([...css.matchAll(/--color-([a-z-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1], m[2]]));
    for (const name of ["text", "text-muted", "link", "link-visited", "link-hover", "error", "success", "warning"]) {
      expect(ratio(vars[name]!, "#ffffff"), name).toBeGreaterThanOrEqual(4.5);
    }
    expect(ratio(vars["error"]!, vars["error-bg"]!)).toBeGreaterThanOrEqual(4.5);
    expect(ratio(vars["text-muted"]!, vars["info-bg"]!)).toBeGreaterThanOrEqual(4.5);
    expect(ratio("#ffffff", vars["primary"]!)).toBeGreaterThanOrEqual(4.5);
  });
});
