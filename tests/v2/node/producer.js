// The official RocketMQ 5 Node.js producer (npm rocketmq-client-nodejs, pinned in
// package-lock.json) against a raftmq broker, with nothing in between: tests/v2 runs it.
//
//   node producer.js <access point host:port> <topic> <count> [<body prefix>]
//
// Sends <count> messages one by one, message i with tag "tag-<i % 2>", keys "key-<i>" and
// "order-<i>", properties index=<i> and origin=nodejs, body "<body prefix> <i>" (prefix
// "hello" unless given), and prints one JSON line per receipt ({"index", "messageId",
// "offset"}), then "done" once the producer shut down. Exits 1 with the error on stderr on any failure. The client's log goes to stderr.
'use strict';

const { Producer } = require('rocketmq-client-nodejs');
const stderrLogger = require('./stderr_logger');

async function main() {
  const [endpoints, topic, countText, prefix = 'hello'] = process.argv.slice(2);
  const count = Number.parseInt(countText, 10);
  if (!endpoints || !topic || !(count > 0)) {
    throw new Error('usage: node producer.js <host:port> <topic> <count> [<body prefix>]');
  }
  const producer = new Producer({ endpoints, namespace: '', topics: [ topic ], logger: stderrLogger });
  await producer.startup();
  for (let i = 0; i < count; i++) {
    const receipt = await producer.send({
      topic,
      tag: `tag-${i % 2}`,
      keys: [ `key-${i}`, `order-${i}` ],
      properties: new Map([ [ 'index', String(i) ], [ 'origin', 'nodejs' ] ]),
      body: Buffer.from(`${prefix} ${i}`),
    });
    console.log(JSON.stringify({ index: i, messageId: receipt.messageId, offset: Number(receipt.offset) }));
  }
  await producer.shutdown();
  console.log('done');
}

main().then(() => process.exit(0), error => {
  console.error('producer failed:', error && error.stack ? error.stack : error);
  process.exit(1);
});
