// exposeDemoState makes the demo page's live state (web/app/store.js's
// `state`) visible to a test as globalThis.siglipDemo on every load of the
// page: the page's own module instance (same URL, same module), imported
// by an init script, so the page itself sets no global for tests.
export async function exposeDemoState(ctx) {
  await ctx.addInitScript(() => {
    if (location.pathname === '/' || location.pathname.endsWith('/index.html')) {
      import('/web/app/store.js').then((m) => { globalThis.siglipDemo = m.state; }, () => {});
    }
  });
}
