// The official RocketMQ 5 Node.js SimpleConsumer (npm rocketmq-client-nodejs, pinned in
// package-lock.json) against a raftmq broker, with nothing in between: tests/v2 runs it.
//
//   node simple_consumer.js <access point host:port> <topic> <group> <count> <invisible ms> <leave>
//
// Receives until it has acknowledged <count> distinct messages, each received with
// `invisible ms`, and prints one JSON line per message received ({"messageId", "body",
// "attempt", "offset", "acked", "corrupted"}). The message whose body is <leave> (if any) is
// left unacknowledged the first time: it must come back once its invisible duration passed,
// and is acknowledged then. With <count> 0 it receives for one long polling round and prints
// what came (nothing, when every message was acknowledged). Prints "done" after shutting
// down; exits 1 with the error on stderr on any failure. The client's log goes to stderr.
'use strict';

const { SimpleConsumer } = require('rocketmq-client-nodejs');
const stderrLogger = require('./stderr_logger');

const kAwaitMs = 3000;   // long polling per receive
const kRoundsMax = 100;  // receives before giving up (the test's own timeout is the real bound)

async function main() {
  const [endpoints, topic, consumerGroup, countText, invisibleText, leave] = process.argv.slice(2);
  const count = Number.parseInt(countText, 10);
  const invisibleMs = Number.parseInt(invisibleText, 10);
  if (!endpoints || !topic || !consumerGroup || !(count >= 0) || !(invisibleMs > 0)) {
    throw new Error('usage: node simple_consumer.js <host:port> <topic> <group> <count> <invisible ms> <leave>');
  }
  const consumer = new SimpleConsumer({
    endpoints, namespace: '', consumerGroup, subscriptions: new Map([ [ topic, '*' ] ]),
    awaitDuration: kAwaitMs, logger: stderrLogger,
  });
  await consumer.startup();
  const acked = new Set();
  let left = false;
  for (let round = 0; round < kRoundsMax && (count === 0 ? round < 1 : acked.size < count); round++) {
    const messages = await consumer.receive(16, invisibleMs);
    for (const message of messages) {
      const body = message.body.toString();
      const leaveIt = body === leave && !left;
      if (leaveIt) {
        left = true;
      } else {
        await consumer.ack(message);
        acked.add(message.messageId);
      }
      console.log(JSON.stringify({ messageId: message.messageId, body, attempt: message.deliveryAttempt,
                                   offset: Number(message.offset), acked: !leaveIt,
                                   corrupted: Boolean(message.corrupted) }));
    }
  }
  await consumer.shutdown();
  if (acked.size < count) throw new Error(`acknowledged ${acked.size} of ${count} messages`);
  console.log('done');
}

main().then(() => process.exit(0), error => {
  console.error('simple consumer failed:', error && error.stack ? error.stack : error);
  process.exit(1);
});
