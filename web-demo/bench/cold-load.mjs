// Cold-load benchmark of the page: N loads, each in a fresh browser context
// (empty cache, no service worker), against a freshly seeded server. Reports
// the time from navigation start until the page is interactive (the first
// view rendered and the wasm engine loaded: body[data-ready]; since session
// 12 no mirror is loaded at start, a receipt screen loads its PO's),
// measured by the page itself with performance.now().
// Usage: STOCKBOOK_BIN=target/release/stockbook node bench/cold-load.mjs [N]

import { launchBrowser, startServer } from '../tests/harness.mjs';

const runs = Number(process.argv[2] ?? 15);
const server = await startServer();
const browser = await launchBrowser();
const ready = [];
const dcl = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="1"]');
    ready.push(Number(await page.getAttribute('body', 'data-ready-ms')));
    dcl.push(await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd)));
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
console.log(JSON.stringify({ runs, interactive_ms: stats(ready), dom_content_loaded_ms: stats(dcl) }));
