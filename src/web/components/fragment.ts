// One-time tokens arrive in the URL fragment (#token=…), which browsers never send to a
// server. We read it once and drop it from the address bar and history.
import { useEffect, useState } from "react";
import { useLocation, useNavigate } from "react-router";

export function useFragmentToken(): string | undefined {
  const location = useLocation();
  const navigate = useNavigate();
  const [token] = useState(() => {
    const value = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token");
    return value && /^[A-Za-z0-9_-]{16,200}$/.test(value) ? value : undefined;
  });
  useEffect(() => {
    if (location.hash) void navigate({ pathname: location.pathname, search: location.search }, { replace: true });
  }, [location.hash, location.pathname, location.search, navigate]);
  return token;
}
