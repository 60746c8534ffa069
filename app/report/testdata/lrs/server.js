// A real Learning Record Store for the tests of app/report: LearningLocker's statement
// service (the npm package xapi-statements), kept in memory, listening on 127.0.0.1 only,
// on a free port. The package's own entry point (dist/server.js) listens on every
// interface on a fixed port, so this wrapper builds the same express app from the
// package's parts and listens itself.
//
//   node server.js <node_modules folder> <storage folder>
//
// Prints "listening http://127.0.0.1:<port>" on stdout once it accepts requests; the
// statement resource is then <that>/xAPI/statements. Stops on SIGTERM or SIGINT, or
// when its standard input closes (the test that started it has gone).
'use strict';

const path = require('path');

const modulesDir = process.argv[2];
const storageDir = process.argv[3];
if (!modulesDir || !storageDir) {
  console.error('usage: node server.js <node_modules folder> <storage folder>');
  process.exit(2);
}

// The package reads its settings from the environment when its config module loads.
Object.assign(process.env, {
  MODELS_REPO: 'memory',   // statements kept in memory
  STORAGE_REPO: 'local',   // attachments (none here) in the storage folder
  FS_LOCAL_STORAGE_DIR: storageDir,
  EVENTS_REPO: 'test',     // no Redis
  AUTH_REPO: 'test',       // any Basic credentials are a valid client, no Mongo
  EXPRESS_MORGAN_DIRECTORY: path.join(storageDir, 'accessLogs'),
  WINSTON_CONSOLE_LEVEL: process.env.WINSTON_CONSOLE_LEVEL || 'error',
  SERVICE_AWAIT_UPDATES: 'true',
});

const pkg = path.join(modulesDir, 'xapi-statements', 'dist');
const load = (name) => require(path.join(pkg, name)).default;
const express = require(path.join(modulesDir, 'express'));
const constants = require(path.join(pkg, 'utils', 'constants'));
const config = load('config');
const logger = load('logger');

const app = express();
const presenter = load('expressPresenter')({
  llClientInfoEndpoint: config.llClientInfoEndpoint,
  customRoute: config.express.customRoute,
  customRouteText: config.express.customRouteText,
  morganDirectory: config.express.morganDirectory,
  bodyParserLimit: config.express.bodyParserLimit,
  service: load('serviceFactory')(),
  tracker: load('tracker'),
  translator: load('translatorFactory')(),
  logger,
});
app.use(constants.aboutRoute, presenter.aboutRouter);
app.use(constants.fullActivitiesRoute, presenter.fullActivitiesRouter);
app.use(constants.statementsRoute, presenter.statementsRouter);

const server = app.listen(0, '127.0.0.1', () => {
  const { address, port } = server.address();
  process.stdout.write(`listening http://${address}:${port}\n`);
});
server.on('error', (err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
