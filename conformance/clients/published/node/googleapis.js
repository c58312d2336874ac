'use strict';
// googleapis's discovery client for aiplatform v1 as a conformance adapter
// (conformance/PROTOCOL.md), on REST, its only transport. Run it in a pinned
// set's directory, whose node_modules it loads:
//   cd node/googleapis-188 && node ../googleapis.js <operation> <args…>
//
// The client is a default one but for the endpoint (rootUrl). Its auth is an
// OAuth2 client holding the runner's token, so no Google auth is attempted;
// the library sends it as `Authorization: Bearer`.
//
// Deadlines and retries are the library's: each call gets gaxios's `timeout`
// option (the time left) and googleapis's default retry policy. A discovery
// client has no helper for paging, operations or cancellation, so three
// loops are the adapter's own: list follows nextPageToken, delete polls the
// returned operation, cancel-and-wait polls the job (both with
// protocol.js PollUntil).

const protocol = require('./protocol');

const {google} = protocol.Library('googleapis');

function NewApi(request) {
  const auth = new google.auth.OAuth2();
  auth.setCredentials({access_token: request.token});
  return google.aiplatform({version: 'v1', auth, rootUrl: `${request.endpoint}/`});
}

// gaxios request options: the deadline.
const Options = request => ({timeout: Math.max(1, Math.floor(request.remainingMs()))});

async function Perform(api, request) {
  const [first, second] = request.args;
  const nasJobs = api.projects.locations.nasJobs;
  switch (request.operation) {
    case 'get':
      return {job: (await nasJobs.get({name: first}, Options(request))).data};
    case 'cancel':
      await nasJobs.cancel({name: first}, Options(request));
      return {};
    case 'cancel-and-wait': {
      await nasJobs.cancel({name: first}, Options(request));
      const job = await protocol.PollUntil(
        request, async () => (await nasJobs.get({name: first}, Options(request))).data,
        job => protocol.TERMINAL_STATES.has(job.state));
      return {job};
    }
    case 'list': {
      const jobs = [];
      let pageToken;
      do {
        const params = {parent: first, filter: second, pageToken};
        const page = (await nasJobs.list(params, Options(request))).data;
        jobs.push(...(page.nasJobs || []));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return {jobs};
    }
    case 'create': {
      const requestBody = JSON.parse(require('fs').readFileSync(second, 'utf8'));
      return {job: (await nasJobs.create({parent: first, requestBody}, Options(request))).data};
    }
    case 'delete': {
      const operations = api.projects.locations.operations;
      let operation = (await nasJobs.delete({name: first}, Options(request))).data;
      if (!operation.done) {
        const name = operation.name;
        operation = await protocol.PollUntil(
          request, async () => (await operations.get({name}, Options(request))).data,
          op => op.done);
      }
      if (operation.error) {
        const status = protocol.RpcCodeName(operation.error.code) || 'UNKNOWN';
        throw new protocol.ApiError(status, operation.error.message);
      }
      return {operation};
    }
  }
  throw new Error(`unknown operation ${request.operation}`);
}

// gaxios's error: with the answer (status, error body) or the failure to get one.
function ErrorOf(e) {
  if (!(e instanceof Error)) return null;
  if (e.response) {
    const body = e.response.data && e.response.data.error;
    const status = (body && protocol.RpcCodeName(body.status)) ||
                   protocol.StatusFromHttp(e.response.status);
    return {status, message: (body && body.message) || e.message};
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.type === 'aborted' ||
      e.code === 'ABORT_ERR' || e.code === 'ETIMEDOUT' || e.code === 23) {
    return {status: 'DEADLINE_EXCEEDED', message: e.message};
  }
  if (protocol.CONNECTION_ERRORS.has(e.code) ||
      (e.cause && protocol.CONNECTION_ERRORS.has(e.cause.code))) {
    return {status: 'UNAVAILABLE', message: e.message};
  }
  if (e.name === 'GaxiosError') return {status: 'UNKNOWN', message: e.message};
  return null;
}

protocol.Main({
  transports: ['rest'],
  perform: request => Perform(NewApi(request), request),
  errorOf: ErrorOf,
});
