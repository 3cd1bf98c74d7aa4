// Which rank is gone, when a collective fails: Gloo's errors name a socket address (often an ephemeral port), not
// a rank, so each ecglab rank leaves "<hostname> <pid>" in the store at rendezvous and survivors look at the
// processes of their own machine. Ranks on other machines (and PyTorch peers) cannot be checked this way.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Whether process `pid` is gone (no longer listed, or a zombie waiting to be reaped). */
function exited(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** Ranks among `processes` ("<hostname> <pid>" per rank, "" when unknown) that ran on this machine and exited. */
export function exitedRanks(processes: readonly string[]): number[] {
  const here = hostname();
  const out: number[] = [];
  processes.forEach((entry, rank) => {
    const [host, pid] = entry.split(' ');
    if (host === here && pid !== undefined && exited(Number(pid))) out.push(rank);
  });
  return out;
}

/**
 * Ranks on this machine that exited, waiting up to `graceMs` for them to show: a killed process closes its
 * sockets a moment before it leaves the process table.
 */
export async function findExitedRanks(processes: readonly string[], graceMs = 200): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const ranks = exitedRanks(processes);
    if (ranks.length > 0 || Date.now() >= deadline) return ranks;
    await new Promise((r) => setTimeout(r, 10));
  }
}
