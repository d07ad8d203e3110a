import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import { PEDIGREE_VERSION } from '../../version.js';
import { ServerInfo } from './server-info.type.js';

@Resolver()
export class SystemResolver {
  @Query(() => ServerInfo, { description: 'Server version, database time and the newest event sequence.' })
  async serverInfo(@Ctx() ctx: Context): Promise<ServerInfo> {
    return { version: PEDIGREE_VERSION, ...(await ctx.services.system.info()) };
  }
}
