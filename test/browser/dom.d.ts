// The browser tests pass functions to page.evaluate, which run in the page, so `npm run typecheck`
// knows the DOM's types. `npm run build` (tsconfig.build.json) compiles the server without them.
/// <reference lib="dom" />
