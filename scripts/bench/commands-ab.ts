/**
 * The commands bench (scripts/bench/commands.ts) of two checkouts in turn, one round each, `PAIRS`
 * times (default 2): on a shared machine the two see the same load, so read the CPU per command of
 * each pair side by side. A is the first checkout given, B the second.
 *
 *   PAIRS=2 npx tsx scripts/bench/commands-ab.ts /path/to/checkout-a /path/to/checkout-b
 */
const [a, b] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: commands-ab.ts <checkout A> <checkout B>');
type Bench = (say: (s: string) => void, reps: number) => Promise<void>;
const load = async (dir: string) => ((await import(`${dir}/scripts/bench/commands.ts`)) as { benchCommands: Bench }).benchCommands;
const benches = [await load(a), await load(b)] as const;
const pairs = Number(process.env.PAIRS ?? 2);
for (let i = 0; i < pairs; i++) {
  await benches[0]((s) => console.log(`A ${s}`), 1);
  await benches[1]((s) => console.log(`B ${s}`), 1);
}
