// Entry point: i18n first (it sets <html lang>), then the query client and the router.
import "./i18n/i18n.ts";
import "./styles.css";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ApiError } from "./api/client.ts";
import { sessionKey } from "./api/session.ts";
import { App } from "./App.tsx";

// A 401 from anything but the session itself means the session ended: re-read it, and the
// guards send the user to sign in.
function onError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401 && error.code === "unauthenticated") {
    void queryClient.invalidateQueries({ queryKey: sessionKey });
  }
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
    // A change sent while the browser is offline fails at once with "cannot reach the server"
    // (components/problem-text.ts); TanStack's default would hold it with a spinner and no word
    // until the browser is back online.
    mutations: { networkMode: "always" },
  },
});

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
