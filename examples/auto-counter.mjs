// A runnable tour of `exchange/auto` on the signal kernel: statics, computeds, subscriptions,
// batching, transaction traces, and kernel hooks that watch every state operation.
// Run: npm start   (builds the package, then runs this file)
import { kernel } from 'exchange/kernel';
import { auto, subscribe, onTransaction } from 'exchange/auto';

const k = kernel();
const $ = auto(
  {
    items: ['apples'],
    tax: 0.2,
    count: ($) => $.items.length,
    price: ($) => $.count * 3,
    total: ($) => Math.round($.price * (1 + $.tax) * 100) / 100,
  },
  { kernel: k },
);

// Every state operation is a kernel signal: count them by name.
const seen = new Map();
k.hook({ beforeSignal: (name) => seen.set(name, (seen.get(name) ?? 0) + 1) });

subscribe($, 'total', (total) => console.log(`total is now ${total}`));
onTransaction($, (t) =>
  console.log(`transaction ${t.id}: ${t.triggers.map((x) => x.name).join(', ')} →`, t.updates),
);

$.items = ['apples', 'pears']; // auto-batched: propagates on the next read or tick
console.log('count after a write (reading flushes):', $.count);

$.batch(() => {
  $.items = ['apples', 'pears', 'plums'];
  $.tax = 0.1;
}); // one transaction, two triggers

console.log('kernel signals seen:', Object.fromEntries(seen));
console.log('dependencies ($._.deps):', JSON.parse(JSON.stringify($._.deps)));
