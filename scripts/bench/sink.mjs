#!/usr/bin/env node
// The loopback reference: a trivial HTTP server in its own process. PUT reads the body and throws
// it away; GET streams the file given as argv[2]. Prints its port once it listens.
import fs from 'node:fs';
import http from 'node:http';

const file = process.argv[2];
const server = http.createServer((req, res) => {
  if (req.method === 'PUT') {
    req.on('data', () => {});
    req.on('end', () => res.end('{}'));
  } else if (req.method === 'GET') {
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  } else {
    res.statusCode = 405;
    res.end();
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
