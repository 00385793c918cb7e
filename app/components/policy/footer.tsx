import { Link } from "@remix-run/react";

/** The small footer under app and admin pages: the policies, linked from every page. */
export function AppFooter() {
  return (
    <footer className="app-footer">
      <nav aria-label="Legal">
        <span>© {new Date().getFullYear()} Tablewatch</span>
        <Link to="/privacy">Privacy Policy</Link>
        <Link to="/terms">Terms of Service</Link>
      </nav>
    </footer>
  );
}
