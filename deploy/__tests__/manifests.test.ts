import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseQueueUrl } from "../../cli/queue/jobs.ts";

const DIR = join(import.meta.dirname, "..", "kubernetes");

interface Container {
  command?: string[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}
type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec: { template: { spec: PodSpec } } };

function docs(file: string): Doc[] {
  const parsed = parseAllDocuments(readFileSync(join(DIR, file), "utf8"));
  for (const d of parsed) expect(d.errors, file).toEqual([]);
  return parsed.map((d) => d.toJS() as Doc);
}

/** The queue flag, the shared claim and its mount path of a workload's first container. */
function wiring(d: Doc) {
  const pod = d.spec.template.spec;
  const c = pod.containers[0]!;
  const cmd = c.command ?? [];
  const mount = c.volumeMounts?.find((m) => m.name === "shared");
  const claim = pod.volumes?.find((v) => v.name === "shared")?.persistentVolumeClaim?.claimName;
  return { cmd, queue: cmd[cmd.indexOf("--queue") + 1]!, mount: mount?.mountPath, claim };
}

describe("the Kubernetes example manifests under deploy/", () => {
  it("parse, and wire one worker Deployment and one sweep Job to the same queue and shared volume", () => {
    const [workers] = docs("workers.yaml");
    const [job] = docs("sweep-job.yaml");
    const [redis, service] = docs("redis.yaml");
    expect([workers!.kind, workers!.apiVersion]).toEqual(["Deployment", "apps/v1"]);
    expect([job!.kind, job!.apiVersion]).toEqual(["Job", "batch/v1"]);
    expect([redis!.kind, service!.kind]).toEqual(["Deployment", "Service"]);
    const w = wiring(workers!);
    const s = wiring(job!);
    expect(w.cmd.slice(0, 4)).toEqual(["npx", "adapt", "worker", "--queue"]);
    expect(s.cmd.slice(0, 3)).toEqual(["npx", "adapt", "sweep"]);
    expect(w.queue).toBe(s.queue);
    const address = parseQueueUrl(w.queue).address;
    expect(address?.host).toBe(service!.metadata.name);
    expect(w.claim).toBe(s.claim);
    expect(w.mount).toBe(s.mount);
    expect(s.cmd[3]!.startsWith(`${s.mount}/`)).toBe(true);
    expect(JSON.stringify(redis)).toContain("appendonly");
  });
});
