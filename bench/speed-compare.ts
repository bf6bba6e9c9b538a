// Paired speed comparison of this build's `balance` against another build's (the commit before a
// speed change, say), in ONE process so that both see the same load on a shared machine: the same
// model (trained here, handed to the other build as its model files), the same adapted levels and
// seeds, calls alternating; CPU time per call (process.cpuUsage). Also counts the calls whose
// answers (settings, pMeet, predicted metrics) are identical.
//
//   git worktree add /tmp/before REV && (cd /tmp/before && npm ci)
//   node dist/bench/speed-compare.js /tmp/before [calls]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as balanceApi from '../src/balance/index.js';
import * as modelApi from '../src/model/index.js';
import * as modelFile from '../src/model/model-file.js';
import { generateCorpus } from '../samples/crypt-run/corpus.js';
import { percentile } from './report.js';

interface Build {
  balance: typeof balanceApi;
  model: typeof modelApi;
  file: typeof modelFile;
}

async function load(root: string): Promise<Build> {
  const from = async <T>(p: string): Promise<T> => (await import(pathToFileURL(path.join(root, 'dist', p)).href)) as T;
  return { balance: await from('src/balance/index.js'), model: await from('src/model/index.js'), file: await from('src/model/model-file.js') };
}

async function main(): Promise<void> {
  const [other, callsArg] = process.argv.slice(2);
  if (!other) throw new Error('usage: node dist/bench/speed-compare.js OTHER_CHECKOUT [calls]');
  const calls = Number(callsArg ?? 200);
  const here: Build = { balance: balanceApi, model: modelApi, file: modelFile };
  const there = await load(path.resolve(other));
  await here.model.initBackend();
  await there.model.initBackend();
  const sample = generateCorpus({ seed: 0 });
  const trained = await here.model.trainResumable({ project: sample.project, levels: sample.levels, playtests: sample.playtests }, { seed: 0, steps: 300 });
  const files = await here.file.encodeModel(trained, 'compare');
  const bytes = new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v]));
  const models = [trained.model, there.file.decodeModel(bytes, 'compare', sample.project).model];
  const builds = [here, there];
  const levels = sample.newLevelIds.map((id) => ({ level: sample.levels.find((l) => l.id === id)!, playtests: sample.playtests.filter((p) => p.levelId === id) }));
  const adapted = builds.map((b, k) => levels.map(({ level, playtests }) => b.model.adaptLevel(models[k]!, level, playtests)));
  const cpu: number[][] = [[], []];
  let same = 0;
  for (let i = 0; i < calls + 5; i++) {
    const l = i % levels.length;
    const answers = builds.map((b, k) => {
      const m = models[k]!;
      const t = process.cpuUsage();
      const r = b.balance.balanceLevel(m.project, m.space, adapted[k]![l]!, { base: b.balance.levelBase(m.project, levels[l]!.playtests), seed: i });
      const used = process.cpuUsage(t);
      if (i >= 5) cpu[k]!.push((used.user + used.system) / 1000);
      return JSON.stringify([r.params, r.pMeet, r.predicted]);
    });
    if (i >= 5 && answers[0] === answers[1]) same++;
  }
  const ratios = cpu[0]!.map((c, i) => c / cpu[1]![i]!);
  const f = (x: number): string => x.toFixed(3);
  process.stdout.write(
    [
      `warm balance of the sample's ${levels.length} new levels (300-step model), ${calls} paired calls, CPU ms per call:`,
      `  this build p50 ${percentile(cpu[0]!, 0.5).toFixed(1)}, ${other} p50 ${percentile(cpu[1]!, 0.5).toFixed(1)}`,
      `  paired ratio this / other: median ${f(percentile(ratios, 0.5))} (quartiles ${f(percentile(ratios, 0.25))}–${f(percentile(ratios, 0.75))})`,
      `  identical answers: ${same} of ${calls}`,
      '',
    ].join('\n'),
  );
  for (const m of models) m.dispose();
}

await main();
