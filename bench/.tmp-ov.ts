import { measureOverhead } from '/work/wt/content-signals/bench/capture/overhead.ts';
for (const l of await measureOverhead('worker')) console.log(l);
