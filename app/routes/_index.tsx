import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ButtonLink, Notice, PageHeading } from "~/components/ui";
import { CentreContactBlock } from "~/components/CentreContactBlock";
import { PortalLayout } from "~/components/PortalLayout";
import { centreContact } from "~/lib/centre-contact";

export async function loader({ context }: LoaderFunctionArgs) {
  return json({ centre: centreContact(context.services.config) });
}

export const meta: MetaFunction = () => [
  { title: "国際電話の発着信を止める お申し込み｜国際電話不取扱受付センター" },
  {
    name: "description",
    content: "固定電話で、海外からの電話と海外への電話を無料で止められます。ウェブ、電話、郵送・FAXでお申し込みいただけます。",
  },
];

export default function Index() {
  const { centre } = useLoaderData<typeof loader>();
  return (
    <PortalLayout>
      <PageHeading>固定電話の国際電話を、無料で止められます</PageHeading>
      <p>
        海外の電話番号からの詐欺の電話が増えています。ご自宅の固定電話で、海外からの電話（着信）と、海外への電話（発信）を止めるお申し込みを受け付けています。
      </p>
      <Notice title="お金はかかりません">
        お申し込みも、止めている間も、無料です。センターがお金や暗証番号、キャッシュカードのことをお聞きすることは、ありません。
      </Notice>

      <h2>お申し込みできる方</h2>
      <ul>
        <li>固定電話（ひかり電話をふくむ）を契約しているご本人</li>
        <li>ご本人のご家族や、お手伝いをする方（ご本人の同意を、電話で確かめます）</li>
      </ul>
      <p>
        携帯電話（090・080・070 など）、050 で始まる IP 電話、0120 などのフリーダイヤルは、このお申し込みの対象ではありません。
      </p>

      <h2>お申し込みの方法（3つ）</h2>
      <ol className="steps">
        <li>
          <h3>ウェブで申し込む</h3>
          <p>
            パスワードはいりません。止めたい電話番号に、センターから確認の電話をかけます。電話で読み上げる4けたの番号を、画面に入力してください。
          </p>
          <p>
            <ButtonLink href="/apply">ウェブで申し込む</ButtonLink>
          </p>
        </li>
        <li>
          <h3>電話で申し込む（24時間）</h3>
          <p>
            止めたい固定電話から、センター（<span className="digits nowrap">{centre.phone}</span>）に電話をかけてください。自動音声の案内にそって、ボタンを押すか、お話しください。番号を非通知にしている場合は、番号の前に 186 をつけてかけてください。
          </p>
          <p>係の者が出る時間：{centre.operatorHours}</p>
        </li>
        <li>
          <h3>郵送・FAXで申し込む</h3>
          <p>申込書に書いて、郵送か FAX でお送りください。申込書は、お近くの警察署でも受け取れます。</p>
          <p>
            FAX：<span className="digits nowrap">{centre.fax}</span>
            <br />
            郵送：{centre.postalAddress} 国際電話不取扱受付センター あて
          </p>
          <p>
            <ButtonLink href="/forms" variant="secondary">申込書を印刷する・取り寄せる</ButtonLink>
          </p>
        </li>
      </ol>

      <h2>お申し込みのあと</h2>
      <p>
        <Link to="/status">お申し込みの状況を確かめる</Link>（受付番号と電話番号を入力します）
      </p>
      <p>
        <Link to="/cancel">国際電話の休止を解除する・お申し込みを取り下げる</Link>
        （契約者ご本人に、電話で確認してからお手続きします）
      </p>
      <CentreContactBlock centre={centre} />
    </PortalLayout>
  );
}
