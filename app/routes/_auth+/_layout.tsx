import { Outlet } from "@remix-run/react";
import { Logo } from "~/components/logo";

export default function AuthLayout() {
  return (
    <main className="auth-page">
      <Logo />
      <Outlet />
    </main>
  );
}
