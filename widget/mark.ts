// Imported first by main.ts, so it runs before any other module of the bundle.
performance.mark("omnithread:script-start");
