import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';

const Q = {
  ping: statement('system/ping'),
  info: statement('system/server-info'),
};

export interface ServerInfo {
  databaseTime: string;
  lastSequence: string;
}

/** Liveness of the graph and a cheap view of its state. */
export class SystemService {
  constructor(private readonly executor: Executor) {}

  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.executor.read(Q.ping).then(() => true),
        new Promise<boolean>((res) => (timer = setTimeout(() => res(false), timeoutMs))),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async info(): Promise<ServerInfo> {
    const [row] = await this.executor.read<ServerInfo>(Q.info);
    return row!;
  }
}
