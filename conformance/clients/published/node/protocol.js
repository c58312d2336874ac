'use strict';
// The adapter protocol (conformance/PROTOCOL.md, v3) for the Node adapters of
// published clients: reading the operation (argv and environment, or one JSON
// request per line in persistent mode), printing the answer, and the exit
// status. What a client library does is in the adapter that calls Main().
//
// An adapter is {transports, perform(request)}: perform resolves to the
// success object ({"job": …}, {} …). It makes each library call through
// Call(), so that what a library rejects with is reported as an error
// (ErrorOf) and anything else the adapter throws is a crash.
// A request is {operation, args, transport, endpoint, grpcEndpoint, token,
// deadlineMs, remainingMs()}.
//
// The library is loaded from the current directory's node_modules (the pinned
// set the adapter runs in): see Library().

const path = require('path');
const readline = require('readline');
const {createRequire} = require('module');
const {performance} = require('perf_hooks');

const ARITY = {
  get: [1, 1],
  cancel: [1, 1],
  'cancel-and-wait': [1, 1],
  list: [1, 2],
  create: [2, 2],
  delete: [1, 1],
};

const USAGE =
  'usage: <adapter> get NAME | cancel NAME | cancel-and-wait NAME | list PARENT [FILTER] | ' +
  'create PARENT FILE | delete NAME | capabilities | persistent';

// PROTOCOL.md: terminal states (CANCELLING is not one).
const TERMINAL_STATES = new Set([
  'JOB_STATE_SUCCEEDED',
  'JOB_STATE_FAILED',
  'JOB_STATE_CANCELLED',
  'JOB_STATE_EXPIRED',
  'JOB_STATE_PARTIALLY_SUCCEEDED',
]);

// google.rpc.Code names, indexed by number.
const RPC_CODES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION',
  'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
];

// PROTOCOL.md: the status of an error answer without a usable body.
function StatusFromHttp(httpStatus) {
  const named = {
    400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
    409: 'ABORTED', 429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 501: 'UNIMPLEMENTED',
    503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
  };
  if (named[httpStatus]) return named[httpStatus];
  if (httpStatus >= 400 && httpStatus < 500) return 'FAILED_PRECONDITION';
  if (httpStatus >= 500 && httpStatus < 600) return 'INTERNAL';
  return 'UNKNOWN';
}

function RpcCodeName(code) {
  if (typeof code === 'number' && code > 0 && code < RPC_CODES.length) return RPC_CODES[code];
  if (typeof code === 'string' && RPC_CODES.includes(code) && code !== 'OK') return code;
  return null;
}

// What Node reports for a connection that failed, was reset or closed early.
const CONNECTION_ERRORS = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE',
]);

// The google.rpc details a library gives its caller, in the API's JSON (each
// with "@type"): gax's GoogleError.statusDetails (the messages it decoded
// from grpc-status-details-bin or the REST error body), or the details of an
// error body gaxios decoded; none when it gives none.
function DetailsOf(error, body) {
  if (Array.isArray(error.statusDetails)) {
    return error.statusDetails
        .filter(d => d && d.$type && typeof d.toJSON === 'function')
        .map(d => ({'@type': `type.googleapis.com/${d.$type.fullName.replace(/^\./, '')}`,
                    ...d.toJSON()}));
  }
  return body && Array.isArray(body.details) ? body.details : [];
}

// The {status, message, details} to report for what a library call rejected
// with, from what the library tells its caller (PROTOCOL.md's table): the
// gRPC code it gives (gax's GoogleError, grpc-js); else the status of an
// error body it decoded (gaxios's response.data); else the HTTP status; else
// DEADLINE_EXCEEDED for a timeout, UNAVAILABLE for a failed connection;
// else UNKNOWN (e.g. a SyntaxError from a body that is not JSON). `details`
// only when the library gives some (DetailsOf).
function ErrorOf(e) {
  const error = (e && typeof e === 'object') ? e : {message: String(e)};
  const response = error.response;
  const body = response && response.data && typeof response.data === 'object' &&
               response.data.error && typeof response.data.error === 'object'
                 ? response.data.error : null;
  const httpStatus = typeof error.status === 'number' ? error.status
                     : response && typeof response.status === 'number' ? response.status
                     : null;
  const code = error.code;
  const causeCode = error.cause && error.cause.code;
  let status = RpcCodeName(typeof code === 'number' ? code : null) ||
               (body && RpcCodeName(body.status)) ||
               (httpStatus !== null ? StatusFromHttp(httpStatus) : null);
  if (!status && ['TimeoutError', 'AbortError', 'ETIMEDOUT'].includes(code)) {
    status = 'DEADLINE_EXCEEDED';
  }
  if (!status && (CONNECTION_ERRORS.has(code) || CONNECTION_ERRORS.has(causeCode))) {
    status = 'UNAVAILABLE';
  }
  let message = (body && typeof body.message === 'string' && body.message) ||
                (typeof error.details === 'string' && error.details) || String(error.message);
  if (!status) {
    status = 'UNKNOWN';
    if (error.name && error.name !== 'Error') message = `${error.name}: ${message}`;
  }
  const details = DetailsOf(error, body);
  return details.length > 0 ? {status, message, details} : {status, message};
}

// The library, as installed in the pinned set this adapter runs in (the
// current directory): require(name) from there.
function Library(name) {
  return createRequire(path.join(process.cwd(), 'package.json'))(name);
}

// Waits between the adapter's own polls: 25 ms doubling up to 1 s, so that
// the backoff shows through the time each call takes.
function* PollDelays() {
  let delay = 25;
  for (;;) {
    yield delay;
    delay = Math.min(delay * 2, 1000);
  }
}

const Sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

// An error the adapter itself reports ({"error": {status, message}}).
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// What a library call rejected with (or threw).
class LibraryError extends Error {
  constructor(cause) {
    super(String((cause && cause.message) || cause));
    this.cause = cause;
  }
}

// Makes a library call: `call` returns the library's promise.
async function Call(call) {
  try {
    return await call();
  } catch (e) {
    throw e instanceof ApiError ? e : new LibraryError(e);
  }
}

// The adapter's polling loop (cancel-and-wait; a delete where the library
// has no operation helper): poll() first at once, then with backoff, until
// what it resolves to is done(), within the deadline.
async function PollUntil(request, poll, done) {
  const delays = PollDelays();
  for (;;) {
    const result = await poll();
    if (done(result)) return result;
    const wait = delays.next().value;
    if (wait >= request.remainingMs()) {
      throw new ApiError('DEADLINE_EXCEEDED', 'the deadline passed while polling');
    }
    await Sleep(wait);
  }
}

function Valid(operation, args) {
  return (
    Object.prototype.hasOwnProperty.call(ARITY, operation) &&
    Array.isArray(args) &&
    args.every(a => typeof a === 'string') &&
    args.length >= ARITY[operation][0] &&
    args.length <= ARITY[operation][1]
  );
}

function Emit(object) {
  process.stdout.write(JSON.stringify(object) + '\n');
}

function Capabilities(adapter) {
  return {operations: Object.keys(ARITY), transports: adapter.transports};
}

// The request, with the deadline counted from `startedMs` (performance.now()).
function MakeRequest(fields, startedMs) {
  const deadlineMs = Number(fields.deadlineMs) > 0 ? Number(fields.deadlineMs) : 30000;
  return {
    operation: fields.operation,
    args: fields.args,
    transport: fields.transport || 'rest',
    endpoint: (fields.endpoint || '').replace(/\/+$/, ''),
    grpcEndpoint: fields.grpcEndpoint || '',
    token: fields.token || '',
    deadlineMs,
    remainingMs: () => startedMs + deadlineMs - performance.now(),
  };
}

// Performs one request and prints its answer; resolves to the exit status:
// 0 success, 1 an error the library reported, 3 a crash (stack on stderr).
async function Answer(adapter, request) {
  let result;
  try {
    result = await adapter.perform(request);
  } catch (e) {
    const error = e instanceof ApiError       ? {status: e.status, message: e.message}
                  : e instanceof LibraryError ? ErrorOf(e.cause)
                                              : null;
    if (!error) {
      process.stderr.write(`crash: ${(e && e.stack) || e}\n`);
      return 3;
    }
    Emit({error});
    return 1;
  }
  Emit(result);
  return 0;
}

// PROTOCOL.md's persistent mode: one request per line until the input ends.
async function Persistent(adapter) {
  const lines = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
  for await (const line of lines) {
    const started = performance.now();  // the deadline counts from the request's arrival
    let fields = null;
    try {
      fields = JSON.parse(line);
    } catch (e) {
      fields = null;
    }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
      process.stderr.write(`not a JSON object: ${line}\n`);
      return 2;
    }
    if (fields.operation === 'capabilities') {
      Emit(Capabilities(adapter));
      continue;
    }
    if (!Valid(fields.operation, fields.args || [])) {
      process.stderr.write(`${USAGE}\nrequest: ${line}\n`);
      return 2;
    }
    // The request's own transport fields win; the environment is the fallback.
    const request = MakeRequest(
      {
        transport: process.env.NASFAKE_TRANSPORT,
        grpcEndpoint: process.env.NASFAKE_GRPC_ENDPOINT,
        ...fields,
        args: fields.args || [],
      },
      started);
    if ((await Answer(adapter, request)) === 3) return 3;
  }
  return 0;
}

// The adapter's entry point: process.argv after the script, exit status.
async function Main(adapter) {
  const argv = process.argv.slice(2);
  let status;
  if (argv.length === 1 && argv[0] === 'capabilities') {
    Emit(Capabilities(adapter));
    status = 0;
  } else if (argv.length === 1 && argv[0] === 'persistent') {
    status = await Persistent(adapter);
  } else if (argv.length === 0 || !Valid(argv[0], argv.slice(1))) {
    process.stderr.write(USAGE + '\n');
    status = 2;
  } else {
    const env = process.env;
    // The deadline counts from the process's start, as the runner's clock does.
    status = await Answer(
      adapter,
      MakeRequest(
        {
          operation: argv[0],
          args: argv.slice(1),
          transport: env.NASFAKE_TRANSPORT,
          endpoint: env.NASFAKE_ENDPOINT,
          grpcEndpoint: env.NASFAKE_GRPC_ENDPOINT,
          token: env.NASFAKE_TOKEN,
          deadlineMs: env.NASFAKE_DEADLINE_MS,
        },
        0));
  }
  // Exit once stdout is flushed, whatever the library left open (sockets,
  // timers, gRPC channels).
  process.stdout.write('', () => process.exit(status));
}

module.exports = {
  ApiError,
  Call,
  Library,
  Main,
  PollUntil,
  RpcCodeName,
  TERMINAL_STATES,
};
