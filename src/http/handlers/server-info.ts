/**
 * `GET /api/3.0/mlflow/server-info`: MLflow 3 clients probe it for telemetry and workspaces with a
 * 3 s timeout (mlflow/server/handlers.py: _get_server_info).
 */
import type { RouteDef } from '../router.js';

export function serverInfoRoutes(): RouteDef[] {
  return [
    {
      method: 'GET',
      version: '3.0',
      path: '/mlflow/server-info',
      handler: () => ({ store_type: 'SqlStore', workspaces_enabled: false }),
    },
  ];
}
