import { Outlet } from "@remix-run/react";
import { PortalLayout } from "~/components/PortalLayout";

export default function ApplyLayout() {
  return (
    <PortalLayout>
      <Outlet />
    </PortalLayout>
  );
}
