/** ADAPT361: whether the queue's Redis answers at start (later outages are waited out, not reported). */
import { Queue } from "bullmq";
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { connection, QUEUE_NAME, type QueueAddress } from "./jobs.ts";

/** How long the first connection may take. */
const FIRST_CONTACT_MS = 10_000;

/** Null when Redis at `a` answers a PING within ten seconds; ADAPT361 otherwise. */
export async function reachable(a: QueueAddress, url: string): Promise<Diagnostic | null> {
  const queue = new Queue(QUEUE_NAME, {
    connection: { ...connection(a), retryStrategy: (n: number) => (n > 20 ? null : 250) },
  });
  queue.on("error", () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((done) => (timer = setTimeout(() => done("no answer in 10 s"), FIRST_CONTACT_MS)));
  const ping = queue
    .waitUntilReady()
    .then(() => queue.getJobCounts("wait"))
    .then(
      () => "",
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
  const why = await Promise.race([ping, late]);
  clearTimeout(timer);
  await queue.close().catch(() => undefined);
  if (why === "") return null;
  return {
    ...diag("ADAPT361", FILE_START, `the queue at \`${url}\` cannot be reached (${why})`, {
      help: "start Redis there (e.g. `redis-server --appendonly yes`), or give the right `--queue` address",
    }),
    file: "--queue",
  };
}
