'use strict';
// @google-cloud/aiplatform's v1 JobServiceClient as a conformance adapter
// (conformance/PROTOCOL.md), on REST (the library's `fallback` mode) or gRPC.
// Run it in a pinned set's directory, whose node_modules it loads:
//   cd node/aiplatform-7 && node ../aiplatform.js <operation> <args…>
//
// The client is a default one but for the endpoint: apiEndpoint and port
// (REST: protocol http; gRPC: plaintext channel credentials). Its auth is an
// OAuth2Client holding the runner's token, so no Google auth is attempted;
// on REST the library sends it as `Authorization: Bearer`. Plaintext gRPC
// channel credentials carry no call credentials (gax then sends no auth at
// all), so on gRPC the token travels as per-call metadata through gax's own
// way to add headers, `otherArgs.headers`.
//
// Deadlines, retries, paging and the delete's operation polling are the
// library's: each call gets gax's `timeout` call option (the time left) and
// the delete's LRO polling gax's default backoff, its total bounded by the
// time left. The adapter's own code: cancel-and-wait's polling loop
// (protocol.js PollUntil: the library has none for a job) and
// converting between the API's JSON and the library's objects.

const protocol = require('./protocol');

const aiplatform = protocol.Library('@google-cloud/aiplatform');
const gax = protocol.Library('google-gax');

// The library's own proto descriptors, for converting the API's JSON form to
// and from its objects (gax's REST transport does the same with them).
const root = gax.protobufFromJSON(
  protocol.Library('@google-cloud/aiplatform/build/protos/protos.json'));
const NasJob = root.lookupType('google.cloud.aiplatform.v1.NasJob');

function NewClient(request) {
  const authClient = new gax.googleAuthLibrary.OAuth2Client();
  authClient.setCredentials({access_token: request.token});
  if (request.transport === 'grpc') {
    // NASFAKE_GRPC_ENDPOINT (HOST:PORT); a runner that gives only one
    // endpoint gives the gRPC one as NASFAKE_ENDPOINT.
    const address = request.grpcEndpoint || request.endpoint;
    const colon = address.lastIndexOf(':');
    return new aiplatform.v1.JobServiceClient({
      apiEndpoint: address.slice(0, colon).replace(/^\[|\]$/g, ''),
      port: Number(address.slice(colon + 1)),
      sslCreds: gax.grpc.credentials.createInsecure(),
      authClient,
    });
  }
  const url = new URL(request.endpoint);
  return new aiplatform.v1.JobServiceClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port),
    protocol: url.protocol.replace(/:$/, ''),
    authClient,
  });
}

// gax call options: the deadline, and the token's metadata on gRPC.
function CallOptions(request) {
  const options = {timeout: Math.max(1, Math.floor(request.remainingMs()))};
  if (request.transport === 'grpc') {
    options.otherArgs = {headers: {authorization: `Bearer ${request.token}`}};
  }
  return options;
}

// A message as the library returned it without the fields at their proto3
// default: gax's objects carry every field (protobufjs toObject's
// `defaults`), the API's JSON form omits them.
function WithoutDefaults(type, object) {
  const out = {};
  for (const field of type.resolveAll().fieldsArray) {
    let value = object[field.name];
    const message = field.resolvedType instanceof gax.protobuf.Type ? field.resolvedType : null;
    const prune = v => (message ? WithoutDefaults(message, v) : v);
    if (value === null || value === undefined) continue;
    if (field.map) {
      if (Object.keys(value).length === 0) continue;
      value = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prune(v)]));
    } else if (field.repeated) {
      if (value.length === 0) continue;
      value = value.map(prune);
    } else if (message) {
      value = prune(value);
    } else if (!field.options?.proto3_optional && IsDefault(field, value)) {
      continue;
    }
    out[field.name] = value;
  }
  return out;
}

function IsDefault(field, value) {
  if (field.resolvedType instanceof gax.protobuf.Enum) {
    return value === 0 || field.resolvedType.values[value] === 0;
  }
  return value === false || value === '' || value === 0 || value === '0' ||
         (value instanceof Uint8Array && value.length === 0);
}

// A job as the library returned it, in the API's JSON form.
const JobJson = job => gax.serializer.toProto3JSON(NasJob.fromObject(WithoutDefaults(NasJob, job)));

// An Any as the library returned it ({type_url, value} on gRPC, {typeUrl,
// value} on REST), decoded where its type is known, in the API's JSON form.
function AnyJson(any) {
  const url = any.type_url || any.typeUrl;
  const out = {'@type': url};
  const type = url && root.lookup(url.slice(url.lastIndexOf('/') + 1));
  if (type && type.decode && any.value && any.value.length) {
    Object.assign(out, gax.serializer.toProto3JSON(type.decode(any.value)));
  }
  return out;
}

// The operation, done, as the library last got it, in the API's JSON form
// (one that failed never gets here: gax rejects with its error).
function OperationJson(operation) {
  const latest = operation.latestResponse;
  const json = {name: latest.name, done: Boolean(latest.done)};
  if (latest.metadata) json.metadata = AnyJson(latest.metadata);
  if (latest.response) json.response = AnyJson(latest.response);
  return json;
}

async function Perform(client, request) {
  const [first, second] = request.args;
  const {Call} = protocol;
  const getJob = async () =>
    (await Call(() => client.getNasJob({name: first}, CallOptions(request))))[0];
  switch (request.operation) {
    case 'get':
      return {job: JobJson(await getJob())};
    case 'cancel':
      await Call(() => client.cancelNasJob({name: first}, CallOptions(request)));
      return {};
    case 'cancel-and-wait': {
      await Call(() => client.cancelNasJob({name: first}, CallOptions(request)));
      const job = await protocol.PollUntil(request, getJob,
                                           job => protocol.TERMINAL_STATES.has(job.state));
      return {job: JobJson(job)};
    }
    case 'list': {
      const [jobs] = await Call(() => client.listNasJobs({parent: first, filter: second || ''},
                                                         CallOptions(request)));
      return {jobs: jobs.map(JobJson)};
    }
    case 'create': {
      const json = JSON.parse(require('fs').readFileSync(second, 'utf8'));
      const nasJob = NasJob.toObject(gax.serializer.fromProto3JSON(NasJob, json));
      const [job] = await Call(() => client.createNasJob({parent: first, nasJob},
                                                         CallOptions(request)));
      return {job: JobJson(job)};
    }
    case 'delete': {
      const options = CallOptions(request);
      options.longrunning = gax.createDefaultBackoffSettings();
      options.longrunning.totalTimeoutMillis = options.timeout;
      const [operation] = await Call(() => client.deleteNasJob({name: first}, options));
      await Call(() => operation.promise());
      return {operation: OperationJson(operation)};
    }
  }
  throw new Error(`unknown operation ${request.operation}`);
}

protocol.Main({
  transports: ['rest', 'grpc'],
  perform: async request => {
    const client = NewClient(request);
    try {
      return await Perform(client, request);
    } finally {
      await client.close().catch(() => {});
    }
  },
});
