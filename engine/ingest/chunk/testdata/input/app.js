'use strict';

const express = require('express');
const app = express();

/**
 * hello answers every request.
 */
function hello(req, res) {
  res.send('hello'); /* a comment with a { brace */
}

async function* numbers() {
  yield 1;
}

class Server {
  constructor(port) {
    this.port = port;
  }

  start() {
    app.get('/', hello);
    return app.listen(this.port);
  }
}

app.get('/health', (req, res) => res.send('ok'));

module.exports = { Server, hello };
