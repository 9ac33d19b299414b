import { Outlet } from "@remix-run/react";
import { PortalLayout } from "~/components/PortalLayout";

/** Paper forms (issue 15): print at home, at a convenience store or at a booth; or ask for one by mail. */
export default function FormsLayout() {
  return (
    <PortalLayout>
      <Outlet />
    </PortalLayout>
  );
}
