// The official MCP TypeScript SDK client against the real server: it
// connects over stdio (the initialize handshake), lists the tools, waits
// for the index, searches, reads and compares a document, reads the
// status and a note as resources, subscribes to the status and stops the
// engine to be told of it, and prints one JSON report on stdout for
// interop_ts_test.go. callTool checks each
// structured result against the tool's output schema, as the SDK does.
// It also cancels an engine_start waiting for a long index (through an
// AbortSignal: the SDK sends notifications/cancelled) and checks that
// the start stands. With a VERSION, the client asks for that protocol
// version at initialize instead of the SDK's latest (the SDK has no
// option for it: the transport rewrites the request), as an older client
// does.
//
//	node client.mjs SERVER_BINARY CONFIG_FILE WORKSPACE [VERSION]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const [server, config, workspace, version] = process.argv.slice(2);
const transport = new StdioClientTransport({ command: server, args: ["-config", config], env: process.env, stderr: "ignore" });
if (version) {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (message.method === "initialize") {
      message = { ...message, params: { ...message.params, protocolVersion: version } };
    }
    return send(message, options);
  };
}
// The client tells the transport the version the server chose.
let negotiated = "";
transport.setProtocolVersion = (v) => {
  negotiated = v;
};
const client = new Client({ name: "ts-sdk-interop", version: "1" });
const report = { calls: {} };
try {
  await client.connect(transport);
  report.protocolVersion = negotiated;
  report.server = client.getServerVersion();
  report.instructions = (client.getInstructions() ?? "").length > 0;
  const { tools } = await client.listTools();
  report.tools = tools.map((t) => ({ name: t.name, title: t.title ?? "", outputSchema: !!t.outputSchema, annotations: t.annotations ?? null }));
  const call = async (name, args) => {
    const res = await client.callTool({ name, arguments: args });
    report.calls[name] = { isError: !!res.isError, structured: res.structuredContent ?? null };
    return res;
  };
  await call("engine_start", { wait_for_index: true });
  await call("search", { query: "quokkaflux widgets", limit: 3 });
  await call("get_document", { path: "parser.go" });
  await call("find_related", { path: "parser.go", line: 6 });
  await call("list_collections", {});
  await call("engine_status", {});
  // A bad argument is a tool error, not a protocol failure.
  await call("search", { query: "x", limit: 500 });
  report.badArgument = report.calls.search;
  await call("search", { query: "quokkaflux widgets", limit: 3 });

  // Cancellation: an engine_start waiting for a long index, aborted once
  // the engine runs and indexes; the wait ends at once, the start stands.
  await client.callTool({ name: "engine_stop", arguments: {} });
  for (let i = 0; i < 3000; i++) {
    writeFileSync(join(workspace, `gen${i}.go`), `package gen\n\n// Value${i} is generated.\nfunc Value${i}() int { return ${i} }\n`);
  }
  const abort = new AbortController();
  const waiting = client.callTool({ name: "engine_start", arguments: { wait_for_index: true } }, undefined, { signal: abort.signal, timeout: 120000 })
    .then(() => "answered", (err) => (abort.signal.aborted ? "cancelled" : `failed: ${err}`));
  for (let i = 0; i < 3000; i++) {
    const st = (await client.callTool({ name: "engine_status", arguments: {} })).structuredContent;
    if (st?.state === "running" && st?.index?.indexing) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const begin = Date.now();
  abort.abort("the user gave up");
  report.cancel = { outcome: await waiting, ms: Date.now() - begin };
  report.cancel.stateAfter = (await client.callTool({ name: "engine_status", arguments: {} })).structuredContent?.state ?? "";

  // Resources: the status, a note found in resources/list, and the
  // status subscription told of engine_stop.
  const status = await client.readResource({ uri: "wqm://engine/status" });
  report.statusResource = JSON.parse(status.contents[0].text);
  const added = await call("add_document", { content: "the interop note\n", title: "interop" });
  report.noteId = added.structuredContent?.id ?? "";
  const { resources } = await client.listResources();
  const note = resources.find((r) => r.title === "interop");
  report.noteUri = note?.uri ?? "";
  if (note) {
    const read = await client.readResource({ uri: note.uri });
    report.noteText = read.contents[0].text;
  }
  const updated = new Promise((resolve) => {
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri));
  });
  await client.subscribeResource({ uri: "wqm://engine/status" });
  await call("engine_stop", {});
  report.updated = await Promise.race([updated, new Promise((resolve) => setTimeout(() => resolve(""), 10000))]);
} catch (err) {
  report.error = String(err?.stack ?? err);
} finally {
  await client.close().catch(() => {});
}
process.stdout.write(JSON.stringify(report) + "\n");
