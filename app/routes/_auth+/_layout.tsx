import { Link, Outlet } from "@remix-run/react";
import { Logo } from "~/components/logo";

export default function AuthLayout() {
  return (
    <main className="auth-page">
      <Logo />
      <Outlet />
      <nav className="auth-footer" aria-label="Legal">
        <Link to="/privacy">Privacy Policy</Link>
        <Link to="/terms">Terms of Service</Link>
      </nav>
    </main>
  );
}
