// Field limits shared by the registry API schemas and the web app; zod-free for the browser bundle.
// `query` bounds a name search; `queryUrl` a pasted web address (product links carry long tracking queries).
export const REGISTRY_LIMITS = { name: 200, address: 300, phone: 40, channel: 300, reason: 2000, origin: 300, pageMax: 100, note: 500, query: 200, queryUrl: 2048 } as const;
