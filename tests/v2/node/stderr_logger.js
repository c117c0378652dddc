// The logger the test scripts hand the official client: its log goes to stderr (stdout
// carries the scripts' JSON lines). The client logs printf-style (`'... clientId=%s', id`).
'use strict';

const { format } = require('node:util');

module.exports = {
  info: (...args) => console.error('[info]', format(...args)),
  warn: (...args) => console.error('[warn]', format(...args)),
  error: (...args) => console.error('[error]', format(...args)),
  debug: () => {},
};
