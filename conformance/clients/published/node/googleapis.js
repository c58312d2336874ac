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
  const {Call} = protocol;
  const nasJobs = api.projects.locations.nasJobs;
  const operations = api.projects.locations.operations;
  const getJob = async () => (await Call(() => nasJobs.get({name: first}, Options(request)))).data;
  switch (request.operation) {
    case 'get':
      return {job: await getJob()};
    case 'cancel':
      await Call(() => nasJobs.cancel({name: first}, Options(request)));
      return {};
    case 'cancel-and-wait':
      await Call(() => nasJobs.cancel({name: first}, Options(request)));
      return {job: await protocol.PollUntil(request, getJob,
                                            job => protocol.TERMINAL_STATES.has(job.state))};
    case 'list': {
      const jobs = [];
      let pageToken;
      do {
        const params = {parent: first, filter: second, pageToken};
        const page = (await Call(() => nasJobs.list(params, Options(request)))).data;
        jobs.push(...(page.nasJobs || []));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return {jobs};
    }
    case 'create': {
      const requestBody = JSON.parse(require('fs').readFileSync(second, 'utf8'));
      const created = await Call(() => nasJobs.create({parent: first, requestBody},
                                                      Options(request)));
      return {job: created.data};
    }
    case 'delete': {
      let operation = (await Call(() => nasJobs.delete({name: first}, Options(request)))).data;
      if (!operation.done) {
        const name = operation.name;
        operation = await protocol.PollUntil(
          request, async () => (await Call(() => operations.get({name}, Options(request)))).data,
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

protocol.Main({
  transports: ['rest'],
  perform: request => Perform(NewApi(request), request),
});
