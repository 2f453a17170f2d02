// The traffic graph: the graph at a level of detail, a node's and an edge's side panel, and
// the layout cache. Every procedure takes graph:read; tenant scoping happens in the services
// and again in PostgreSQL (row-level security).
import { readEdgeDetails, readNodeDetails, EdgeQuery, NodeQuery } from '@/server/services/graph/read-details';
import { GraphQuery, readGraph } from '@/server/services/graph/read-graph';
import { SaveLayoutInput, saveLayout } from '@/server/services/graph/save-layout';
import { procedure, router } from '../init';

export const graphRouter = router({
  read: procedure.meta({ permission: 'graph:read' }).input(GraphQuery.optional()).query(({ ctx, input }) => readGraph(ctx.svc, input)),
  node: procedure.meta({ permission: 'graph:read' }).input(NodeQuery).query(({ ctx, input }) => readNodeDetails(ctx.svc, input)),
  edge: procedure.meta({ permission: 'graph:read' }).input(EdgeQuery).query(({ ctx, input }) => readEdgeDetails(ctx.svc, input)),
  saveLayout: procedure.meta({ permission: 'graph:read' }).input(SaveLayoutInput).mutation(({ ctx, input }) => saveLayout(ctx.svc, input)),
});
