import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, CheckboxGroup, Notice } from "~/components/ui";
import { scopeSchema } from "~/domain/apply-forms";
import { applyAnswer } from "~/domain/apply-journey";
import { SCOPE_DESCRIPTIONS, SCOPE_LABELS, SCOPES } from "~/domain/carriers";
import { routeForAnswers } from "~/lib/apply-routing.server";
import { loadStep, stepAction } from "~/lib/apply-steps.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("止める電話", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadStep(request, context, "scope");
  const { route, explanations } = await routeForAnswers(context.services, draft.answers);
  // Issue 15, point 4: a scope the carrier takes only directly (NTT 発信休止) is never ticked in advance.
  const preTicked = route.kind === "direct" ? route.acceptedScopes : ["incoming", "outgoing"];
  return json({ lastResult, returnToCheck, explanations, defaults: { scopes: draft.answers.scope?.scopes ?? preTicked } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return stepAction({
    request,
    context,
    step: "scope",
    schema: scopeSchema,
    save: async (value, draft) => {
      const { route } = await routeForAnswers(context.services, draft.answers, value.scopes);
      if (route.kind === "direct" && route.acceptedScopes.length === 0) {
        return { errors: { scopes: [...route.refusedScopes.map((r) => r.message), "センターでお手続きできるものを選んでください。"] } };
      }
      return applyAnswer(draft.answers, "scope", { scopes: value.scopes });
    },
  });
}

export default function ScopeStep() {
  const { lastResult, defaults, returnToCheck, explanations } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(scopeSchema, lastResult);
  const initial = (fields.scopes.initialValue as string[] | string | undefined) ?? defaults.scopes;
  return (
    <StepPage step="scope" title="止めたい電話を選んでください" errors={{ scopes: fields.scopes.errors }}>
      <Notice title="ご契約の電話会社の場合">
        <ul>
          {explanations.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      </Notice>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <CheckboxGroup
          name="scopes"
          legend="止めたい電話（両方選べます）"
          required
          support="詐欺の電話を防ぐには、海外からの電話（着信）を止めるのが効果的です。"
          defaultValues={Array.isArray(initial) ? initial : [initial]}
          error={fields.scopes.errors}
          options={SCOPES.map((scope) => ({ value: scope, label: SCOPE_LABELS[scope], hint: SCOPE_DESCRIPTIONS[scope] }))}
        />
        <Button>次へ</Button>
      </Form>
    </StepPage>
  );
}
