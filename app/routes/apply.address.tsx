import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, Field } from "~/components/ui";
import { addressSchema, postalCodeSchema } from "~/domain/apply-forms";
import { applyAnswer, nextStep, STEP_PATHS } from "~/domain/apply-journey";
import { regionFlagText, regionNotesForPerson } from "~/locales/ja-input";
import { guardStep, requireDraft, saveAnswers, saveFlash } from "~/lib/apply-draft.server";
import { loadStep } from "~/lib/apply-steps.server";
import { readForm } from "~/lib/csrf.server";
import { checkLineRegion, lookupPostalPlaces, postalLookupNote } from "~/lib/postal.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("契約者のご住所", hasErrors(data?.lastResult)) }];

const NOT_FOUND = "この郵便番号の住所が見つかりません。番号を確かめるか、住所をそのまま入力してください。";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadStep(request, context, "address");
  const saved = draft.answers.address;
  return json({
    lastResult,
    returnToCheck,
    defaults: { postalCode: saved?.postalCode ?? "", address: saved?.address ?? "" },
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const draft = await requireDraft(request, context);
  guardStep(draft, "address");
  const form = await readForm(request, context);
  const returnToCheck = form.get("change") === "1";
  const here = `/apply/address${returnToCheck ? "?change=1" : ""}`;

  if (form.get("intent") === "lookup") {
    // Fill the address from the postal code; the person then adds the block and building number.
    const submission = parseWithZod(form, { schema: postalCodeSchema });
    if (submission.status !== "success") {
      await saveFlash(context, draft, "address", submission.reply());
      return redirect(here, 303);
    }
    const found = await lookupPostalPlaces(submission.value.postalCode);
    if (!found) {
      await saveFlash(context, draft, "address", submission.reply({ fieldErrors: { postalCode: [NOT_FOUND] } }));
      return redirect(here, 303);
    }
    // Only what is certain is filled in (issue 17, point 2): a code of several towns or prefectures
    // fills the shared part, and the person chooses or types the rest.
    await saveFlash(context, draft, "address", {
      initialValue: { postalCode: submission.value.postalCode, address: found.certain },
      error: {},
      lookedUp: true,
      lookupNote: postalLookupNote(found),
    });
    return redirect(here, 303);
  }

  const submission = parseWithZod(form, { schema: addressSchema });
  if (submission.status !== "success") {
    await saveFlash(context, draft, "address", submission.reply());
    return redirect(here, 303);
  }
  // The typed prefecture wins over the postal code's, the line's number decides NTT東日本／西日本,
  // and a disagreement is shown once before it is accepted: never corrected silently (issue 17, point 1).
  const region = await checkLineRegion({ line: draft.answers.number?.e164, postalCode: submission.value.postalCode, address: submission.value.address });
  const prefecture = region.prefecture;
  if (!prefecture) {
    const several = region.flags.find((f) => f.kind === "postal_code_several_prefectures");
    await saveFlash(context, draft, "address", submission.reply({ fieldErrors: { address: [several ? regionFlagText(several) : "住所は、都道府県から入力してください。例：東京都千代田区千代田1-1"] } }));
    return redirect(here, 303);
  }
  const notes = regionNotesForPerson(region.flags);
  if (notes.length > 0 && form.get("regionChecked") !== "1") {
    await saveFlash(context, draft, "address", { ...submission.reply({ fieldErrors: { address: notes } }), regionNotice: true });
    return redirect(here, 303);
  }
  const answers = applyAnswer(draft.answers, "address", { postalCode: submission.value.postalCode, address: submission.value.address, prefecture });
  await saveAnswers(context, draft, answers);
  return redirect(STEP_PATHS[nextStep("address", answers, { returnToCheck })], 303);
}

export default function AddressStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(addressSchema, lastResult, { lookup: postalCodeSchema });
  const flash = lastResult as { lookedUp?: boolean; lookupNote?: string; regionNotice?: boolean; initialValue?: { postalCode?: string; address?: string } } | null;
  const lookedUp = Boolean(flash?.lookedUp);
  const postalCode = String(flash?.initialValue?.postalCode ?? defaults.postalCode);
  const address = String(flash?.initialValue?.address ?? defaults.address);
  return (
    <StepPage step="address" title="契約者のご住所を入力してください" errors={{ postalCode: fields.postalCode.errors, address: fields.address.errors }}>
      <p>電話がある場所の住所です。お知らせの手紙も、この住所にお送りします。</p>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <Field
          key={`postal-${postalCode}`}
          name="postalCode"
          label="郵便番号"
          required
          support="7けたの数字です。例：1000001"
          inputMode="numeric"
          autoComplete="postal-code"
          width={7}
          defaultValue={postalCode}
          error={fields.postalCode.errors}
        />
        <p>
          <Button variant="secondary" name="intent" value="lookup" formNoValidate>
            郵便番号から住所を入れる
          </Button>
        </p>
        {lookedUp && <p role="status">{flash?.lookupNote ?? "住所を入れました。番地と、建物の名前・部屋番号を書き足してください。"}</p>}
        {flash?.regionNotice && <input type="hidden" name="regionChecked" value="1" />}
        <Field
          key={`address-${address}`}
          name="address"
          label="住所"
          required
          support="都道府県から、番地・建物の名前・部屋番号まで入力してください。例：東京都千代田区千代田1-1 〇〇マンション101"
          autoComplete="street-address"
          width="full"
          defaultValue={address}
          error={fields.address.errors}
        />
        <Button name="intent" value="save">
          次へ
        </Button>
      </Form>
    </StepPage>
  );
}
