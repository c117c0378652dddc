// The official RocketMQ 5 Node.js PushConsumer (npm rocketmq-client-nodejs, pinned in
// package-lock.json) against a raftmq broker, with nothing in between: tests/v2 runs it.
//
//   node push_consumer.js <access point host:port> <topic> <group> <filter> <want> <fail> <fail times> <access key>
//
// Subscribes <group> to <topic> with the tag expression <filter> ("*", "tag-0 || tag-1") and
// prints one JSON line per message its listener is given ({"messageId", "body", "tag",
// "attempt", "corrupted"}). The listener fails the message whose body is <fail> (if any)
// every time, and consumes every other one. Runs until it consumed every body of <want>
// (comma-separated, "" for none) and the failing one was given <fail times> times, then shuts
// down and prints "done"; exits 1 with the error on stderr if that takes longer than kRunMs. With an
// <access key> the client signs its calls (the `authorization` header, HMAC-SHA1). The
// client's log goes to stderr. Long polling is the brokers' (their Settings): tests give
// them a short one.
'use strict';

const { PushConsumer, ConsumeResult } = require('rocketmq-client-nodejs');
const stderrLogger = require('./stderr_logger');

const kRunMs = 90000;   // the test's own timeout is the real bound
const kCheckMs = 100;   // how often the end condition is looked at

async function main() {
  const [endpoints, topic, consumerGroup, filter, wantText, fail, failTimesText, accessKey] = process.argv.slice(2);
  const failTimes = Number.parseInt(failTimesText, 10);
  if (!endpoints || !topic || !consumerGroup || !filter || wantText === undefined || !(failTimes >= 0)) {
    throw new Error('usage: node push_consumer.js <host:port> <topic> <group> <filter> <want> <fail> <fail times> '
                    + '<access key>');
  }
  const wanted = new Set(wantText ? wantText.split(',') : []);
  let failed = 0;
  const consumer = new PushConsumer({
    endpoints, namespace: '', consumerGroup, subscriptions: new Map([ [ topic, filter ] ]), logger: stderrLogger,
    sessionCredentials: accessKey ? { accessKey, accessSecret: `${accessKey}-secret` } : undefined,
    messageListener: {
      consume(message) {
        const body = message.body.toString();
        console.log(JSON.stringify({ messageId: message.messageId, body, tag: message.tag ?? '',
                                     attempt: message.deliveryAttempt, corrupted: Boolean(message.corrupted) }));
        if (fail && body === fail) {
          failed++;
          return ConsumeResult.FAILURE;
        }
        wanted.delete(body);
        return ConsumeResult.SUCCESS;
      },
    },
  });
  await consumer.startup();
  const deadline = Date.now() + kRunMs;
  while (wanted.size > 0 || failed < failTimes) {
    if (Date.now() > deadline) {
      throw new Error(`not consumed: ${[ ...wanted ].join(',')}; failed ${failed} of ${failTimes} times`);
    }
    await new Promise(resolve => setTimeout(resolve, kCheckMs));
  }
  await consumer.shutdown();
  console.log('done');
}

main().then(() => process.exit(0), error => {
  console.error('push consumer failed:', error && error.stack ? error.stack : error);
  process.exit(1);
});
