/**
 * Japanese copy of the portal and the back office that is not a page's own wording: error messages,
 * notices and labels shared by several pages. Plain Japanese (やさしい日本語): short sentences, what is
 * wrong and how to put it right. Pure data, read by the server and in the browser.
 */
export const ja = {
  apply: {
    /** Issue 16, point 1: the number to stop cannot also be the number the person moved from. */
    previousNumberSameAsNumber:
      "前の電話番号に、止めたい電話番号と同じ番号が入っています。番号が変わっていないときは、前の電話番号を空にしてください。",
  },
  journey: {
    /** Issue 16, point 9: a later step opened directly by someone who has not started (not "expired"). */
    notStartedTitle: "このページから始めてください",
    notStarted: "お手続きは、このページの「はじめる」から進みます。",
  },
  verification: {
    /** Issue 16, point 3: limits per device and per booth, with a way forward. */
    limitedDevice: (minutes: number, centre: string) =>
      `この画面からの電話での確認が、1時間の上限に達しました。${minutes}分ほどたってから、もう一度お試しください。急ぐときは、止めたい電話から ${centre} にお電話ください（自動音声で24時間お申し込みできます）。`,
    limitedBooth: (minutes: number, centre: string) =>
      `この窓口の端末からの電話での確認が、1時間の上限に達しました。${minutes}分ほどたってから、もう一度お試しください。急ぐときは、別の端末を使うか、止めたい電話から ${centre} にお電話ください（自動音声で24時間お申し込みできます）。`,
    limitedAddress: (minutes: number, centre: string) =>
      `同じネットワークからの電話での確認が、1時間の上限に達しました。${minutes}分ほどたってから、もう一度お試しください。急ぐときは、止めたい電話から ${centre} にお電話ください（自動音声で24時間お申し込みできます）。`,
    limitedLine:
      "この電話番号には、この1時間に何度も確認の電話をかけました。これ以上はおかけできません。「自分でセンターに電話をかける」を選ぶと、すぐに確認できます。",
    limitedTitle: "いまは、電話での確認を始められません",
  },
  name: {
    controlCharacters: "お名前に見えない文字が入っています。お手数ですが、お名前を消して、もう一度入力してください。",
  },
  kana: {
    /** Issue 16, point 10: says which characters are wrong; keeps the sentence on what to type. */
    invalidCharacters: (characters: string) =>
      `フリガナに使えない文字（${characters}）が入っています。フリガナは、カタカナかひらがなで入力してください。のばす音は「ー」です。例：ヤマダ ハナコ`,
    controlCharacters: "フリガナに見えない文字が入っています。お手数ですが、フリガナを消して、もう一度入力してください。",
  },
} as const;
