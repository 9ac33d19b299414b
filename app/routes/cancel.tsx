import { Outlet } from "@remix-run/react";
import { PortalLayout } from "~/components/PortalLayout";

export default function CancelLayout() {
  return (
    <PortalLayout>
      <Outlet />
    </PortalLayout>
  );
}
