import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { Notice, PageHeading } from "~/components/ui";
import { requireDraft } from "~/lib/apply-draft.server";

export const meta: MetaFunction = () => [{ title: "すでにお申し込みがあります｜国際電話の休止のお申し込み" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireDraft(request, context);
  return json({});
}

/** The line is already pending or suspended: say so, without telling who applied or when. */
export default function Covered() {
  return (
    <>
      <PageHeading>この電話番号は、すでにお申し込みを受け付けています</PageHeading>
      <Notice title="新しいお申し込みは不要です">
        選ばれた電話は、すでに止める手続き中か、止まっています。もう一度お申し込みいただく必要はありません。
      </Notice>
      <p>
        お手元に受付番号がある方は、<Link to="/status">お申し込みの状況</Link>で確かめられます。
      </p>
      <p>
        <Link to="/">トップページへ戻る</Link>
      </p>
    </>
  );
}
